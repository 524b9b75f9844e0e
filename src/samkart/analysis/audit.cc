#include "samkart/analysis/audit.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <unordered_map>

#include <glpk.h>

namespace samkart::analysis {

namespace {

constexpr std::size_t kVisible = SIZE_MAX;

std::size_t Find(std::vector<std::size_t>& parent, std::size_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

}  // namespace

// One connected group of hidden cells as one linear program: a column per
// (layer, member), a row per (sum, layer) and per (member, at-most pair).
struct Auditor::Component {
  glp_prob* program = nullptr;
  std::vector<std::size_t> members;
  std::unordered_map<std::size_t, std::size_t> index_of;  // cell → index in members
  std::vector<std::size_t> layers;                        // the dataset layers, in column order
  int target = 0;                                         // the column whose objective is 1
  bool solved = false;                                    // holds a feasible solution
  ~Component() {
    if (program != nullptr) glp_delete_prob(program);
  }
};

Auditor::Auditor(const LinkedCells& cells, const std::vector<bool>& hidden)
    : cells_(cells), hidden_(hidden), component_of_(cells.cells, kVisible) {
  std::vector<std::size_t> parent(cells.cells);
  std::iota(parent.begin(), parent.end(), 0);
  for (const LinkedCells::Sum& sum : cells.sums) {
    std::size_t first = kVisible;
    auto join = [&](std::size_t c) {
      if (!hidden[c]) return;
      if (first == kVisible) {
        first = c;
      } else {
        parent[Find(parent, c)] = Find(parent, first);
      }
    };
    join(sum.total);
    for (const std::size_t p : sum.parts) join(p);
  }
  std::vector<std::size_t> index_of_root(cells.cells, kVisible);
  for (std::size_t c = 0; c < cells.cells; ++c) {
    if (!hidden[c]) continue;
    const std::size_t root = Find(parent, c);
    if (index_of_root[root] == kVisible) {
      index_of_root[root] = members_.size();
      members_.emplace_back();
    }
    component_of_[c] = index_of_root[root];
    members_[index_of_root[root]].push_back(c);
  }
  sums_of_component_.resize(members_.size());
  for (std::size_t s = 0; s < cells.sums.size(); ++s) {
    const LinkedCells::Sum& sum = cells.sums[s];
    std::size_t component = component_of_[sum.total];
    for (std::size_t i = 0; component == kVisible && i < sum.parts.size(); ++i) {
      component = component_of_[sum.parts[i]];
    }
    if (component != kVisible) sums_of_component_[component].push_back(s);
  }
  layer_group_.resize(cells.values.size());
  for (std::size_t layer = 0; layer < cells.values.size(); ++layer) {
    layer_group_[layer] = {layer};
    for (const auto& [low, high] : cells.at_most) {
      if (low == layer) layer_group_[layer] = {low, high};
      if (high == layer) layer_group_[layer] = {low, high};
    }
  }
}

Auditor::~Auditor() = default;

Auditor::Component& Auditor::ComponentOf(std::size_t cell, std::size_t target_layer) {
  const std::size_t index = component_of_[cell];
  const std::vector<std::size_t>& group = layer_group_[target_layer];
  auto& slot = built_[{index, group.front()}];
  if (slot) return *slot;
  auto component = std::make_unique<Component>();
  component->layers = group;
  component->members = members_[index];
  const std::size_t layers = group.size();
  const std::size_t m = component->members.size();
  glp_prob* lp = glp_create_prob();
  component->program = lp;
  glp_add_cols(lp, static_cast<int>(layers * m));
  for (std::size_t layer = 0; layer < layers; ++layer) {
    for (std::size_t i = 0; i < m; ++i) {
      const int col = static_cast<int>(layer * m + i + 1);
      const bool zero = KnownZero(cells_, group[layer], component->members[i]);
      glp_set_col_bnds(lp, col, zero ? GLP_FX : GLP_LO, 0.0, 0.0);
    }
  }
  // Column of (layer, member i): layer * m + i + 1.
  std::vector<int> ia{0}, ja{0};
  std::vector<double> ar{0};
  for (std::size_t i = 0; i < m; ++i) component->index_of[component->members[i]] = i;
  int row = 0;
  for (const std::size_t s : sums_of_component_[index]) {
    const LinkedCells::Sum& sum = cells_.sums[s];
    for (std::size_t layer = 0; layer < layers; ++layer) {
      const std::vector<double>& v = cells_.values[group[layer]];
      // parts − total = 0, with visible numbers moved to the right.
      double rhs = 0;
      glp_add_rows(lp, 1);
      ++row;
      auto term = [&](std::size_t c, double sign) {
        if (hidden_[c]) {
          ia.push_back(row);
          ja.push_back(static_cast<int>(layer * m + component->index_of.at(c) + 1));
          ar.push_back(sign);
        } else {
          rhs -= sign * v[c];
        }
      };
      term(sum.total, -1.0);
      for (const std::size_t p : sum.parts) term(p, 1.0);
      glp_set_row_bnds(lp, row, GLP_FX, rhs, rhs);
    }
  }
  for (const auto& [low, high] : cells_.at_most) {
    const auto low_at = std::find(group.begin(), group.end(), low);
    const auto high_at = std::find(group.begin(), group.end(), high);
    if (low_at == group.end() || high_at == group.end()) continue;
    const auto low_layer = static_cast<std::size_t>(low_at - group.begin());
    const auto high_layer = static_cast<std::size_t>(high_at - group.begin());
    for (std::size_t i = 0; i < m; ++i) {
      glp_add_rows(lp, 1);
      ++row;
      ia.push_back(row);
      ja.push_back(static_cast<int>(low_layer * m + i + 1));
      ar.push_back(1.0);
      ia.push_back(row);
      ja.push_back(static_cast<int>(high_layer * m + i + 1));
      ar.push_back(-1.0);
      glp_set_row_bnds(lp, row, GLP_UP, 0.0, 0.0);
    }
  }
  if (ia.size() > 1) {
    glp_load_matrix(lp, static_cast<int>(ia.size() - 1), ia.data(), ja.data(), ar.data());
  }
  slot = std::move(component);
  return *slot;
}

double Auditor::Solve(std::size_t layer, std::size_t cell, bool maximise) {
  if (!hidden_[cell]) return cells_.values[layer][cell];
  Component& component = ComponentOf(cell, layer);
  glp_prob* lp = component.program;
  const std::size_t m = component.members.size();
  const auto local_layer =
      static_cast<std::size_t>(std::find(component.layers.begin(), component.layers.end(), layer) -
                               component.layers.begin());
  const int column = static_cast<int>(local_layer * m + component.index_of.at(cell) + 1);
  if (component.target != 0) glp_set_obj_coef(lp, component.target, 0.0);
  glp_set_obj_coef(lp, column, 1.0);
  component.target = column;
  glp_set_obj_dir(lp, maximise ? GLP_MAX : GLP_MIN);
  glp_smcp parameters;
  glp_init_smcp(&parameters);
  parameters.msg_lev = GLP_MSG_OFF;
  parameters.presolve = GLP_OFF;  // keep the last basis: the next program starts from it
  ++programs_;
  const int failed = glp_simplex(lp, &parameters);
  const int status = glp_get_status(lp);
  component.solved = failed == 0 && (status == GLP_OPT || status == GLP_UNBND);
  if (failed == 0 && status == GLP_UNBND) return std::numeric_limits<double>::infinity();
  if (failed == 0 && status == GLP_OPT) return glp_get_obj_val(lp);
  // A program the solver cannot finish proves nothing: report the true value,
  // so the cell counts as exposed rather than silently as protected.
  glp_std_basis(lp);
  return cells_.values[layer][cell];
}

namespace {
// Half a unit: whole numbers further apart than the programs' rounding.
constexpr double kSlack = 0.5;
}  // namespace

bool Auditor::Reaches(std::size_t layer, std::size_t cell, double bound) {
  const double value = cells_.values[layer][cell];
  if (value >= bound) return true;  // the true values are a feasible point
  if (!hidden_[cell]) return false;
  Component& component = ComponentOf(cell, layer);
  if (component.solved && Current(component, layer, cell) >= bound - 1e-6) return true;
  return Highest(layer, cell) >= bound - 1e-6;
}

bool Auditor::Pinned(std::size_t layer, std::size_t cell) {
  if (!hidden_[cell]) return true;
  const double value = cells_.values[layer][cell];
  Component& component = ComponentOf(cell, layer);
  if (component.solved && std::abs(Current(component, layer, cell) - value) >= kSlack) return false;
  if (Highest(layer, cell) >= value + kSlack) return false;
  return Lowest(layer, cell) > value - kSlack;
}

double Auditor::Current(Component& component, std::size_t layer, std::size_t cell) const {
  const std::size_t m = component.members.size();
  const auto local_layer =
      static_cast<std::size_t>(std::find(component.layers.begin(), component.layers.end(), layer) -
                               component.layers.begin());
  return glp_get_col_prim(component.program,
                          static_cast<int>(local_layer * m + component.index_of.at(cell) + 1));
}

double Auditor::Highest(std::size_t layer, std::size_t cell) { return Solve(layer, cell, true); }
double Auditor::Lowest(std::size_t layer, std::size_t cell) { return Solve(layer, cell, false); }

FeasibleRange Auditor::Range(std::size_t layer, std::size_t cell) {
  return {Lowest(layer, cell), Highest(layer, cell)};
}

}  // namespace samkart::analysis
