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
// Half a unit: whole numbers further apart than the programs' rounding.
constexpr double kSlack = 0.5;
constexpr double kTolerance = 1e-6;
// Rounds of sum objectives before the audit turns to one program per cell;
// a round that decides nothing new ends them earlier.
constexpr int kMaxBatchRounds = 3;

std::size_t Find(std::vector<std::size_t>& parent, std::size_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

}  // namespace

// One connected group of hidden cells in one base layer as one linear
// program: a column per member, a row per sum that has a hidden member.
struct Auditor::Program {
  glp_prob* lp = nullptr;
  std::size_t base = 0;
  std::vector<std::size_t> members;
  std::unordered_map<std::size_t, std::size_t> index_of;  // cell → member index
  std::vector<int> objective;                             // columns with coefficient 1
  std::vector<std::size_t> sums;                          // the sum of each row
  ~Program() {
    if (lp != nullptr) glp_delete_prob(lp);
  }
};

namespace {
// GLPK keeps an environment per thread; it is freed when the thread's last
// auditor goes, so a worker thread that ends leaves nothing behind.
thread_local int live_auditors = 0;
}  // namespace

Auditor::Auditor(const LinkedCells& cells, const std::vector<bool>& hidden)
    : cells_(cells), hidden_(hidden), component_of_(cells.cells, kVisible) {
  if (live_auditors++ == 0) glp_term_out(GLP_OFF);
  // Base layers.
  bases_of_layer_.resize(cells.values.size());
  std::vector<bool> paired(cells.values.size(), false);
  for (const auto& [low, high] : cells.at_most) {
    paired[low] = paired[high] = true;
    const std::vector<double>& count = cells.values[low];
    const std::vector<double>& n = cells.values[high];
    std::vector<double> complement(cells.cells);
    std::vector<bool> zero(cells.cells);
    for (std::size_t c = 0; c < cells.cells; ++c) {
      complement[c] = n[c] - count[c];
      zero[c] = n[c] <= 0;  // no denominator: neither part can be positive
    }
    const std::size_t count_base = base_values_.size();
    base_values_.push_back(count);
    base_known_zero_.push_back(zero);
    base_values_.push_back(std::move(complement));
    base_known_zero_.push_back(std::move(zero));
    bases_of_layer_[low] = {count_base};
    bases_of_layer_[high] = {count_base, count_base + 1};
  }
  for (std::size_t layer = 0; layer < cells.values.size(); ++layer) {
    if (paired[layer]) continue;
    std::vector<bool> zero(cells.cells);
    for (std::size_t c = 0; c < cells.cells; ++c) zero[c] = cells.values[layer][c] <= 0;
    bases_of_layer_[layer] = {base_values_.size()};
    base_values_.push_back(cells.values[layer]);
    base_known_zero_.push_back(std::move(zero));
  }
  for (const std::vector<double>& values : base_values_) {
    bounds_.push_back({values, values, std::vector<bool>(cells.cells, false),
                       std::vector<bool>(cells.cells, false)});
  }

  // Components: hidden cells joined by the sums they share.
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
}

Auditor::~Auditor() {
  built_.clear();  // the programs first: they live in the environment
  if (--live_auditors == 0) glp_free_env();
}

Auditor::Program& Auditor::ProgramOf(std::size_t component, std::size_t base) {
  auto& slot = built_[{component, base}];
  if (slot) return *slot;
  auto program = std::make_unique<Program>();
  program->base = base;
  program->members = members_[component];
  const std::size_t m = program->members.size();
  for (std::size_t i = 0; i < m; ++i) program->index_of[program->members[i]] = i;
  glp_prob* lp = glp_create_prob();
  program->lp = lp;
  glp_add_cols(lp, static_cast<int>(m));
  for (std::size_t i = 0; i < m; ++i) {
    const bool zero = base_known_zero_[base][program->members[i]];
    glp_set_col_bnds(lp, static_cast<int>(i + 1), zero ? GLP_FX : GLP_LO, 0.0, 0.0);
  }
  const std::vector<double>& v = base_values_[base];
  std::vector<int> ia{0}, ja{0};
  std::vector<double> ar{0};
  int row = 0;
  for (const std::size_t s : sums_of_component_[component]) {
    const LinkedCells::Sum& sum = cells_.sums[s];
    // parts − total = 0, with visible numbers moved to the right.
    double rhs = 0;
    glp_add_rows(lp, 1);
    ++row;
    auto term = [&](std::size_t c, double sign) {
      if (hidden_[c]) {
        ia.push_back(row);
        ja.push_back(static_cast<int>(program->index_of.at(c) + 1));
        ar.push_back(sign);
      } else {
        rhs -= sign * v[c];
      }
    };
    term(sum.total, -1.0);
    for (const std::size_t p : sum.parts) term(p, 1.0);
    glp_set_row_bnds(lp, row, GLP_FX, rhs, rhs);
    program->sums.push_back(s);
  }
  if (ia.size() > 1) {
    glp_load_matrix(lp, static_cast<int>(ia.size() - 1), ia.data(), ja.data(), ar.data());
  }
  // A triangular starting basis: the first solve of a large component
  // takes a third less time than from the all-slack basis.
  glp_adv_basis(lp, 0);
  slot = std::move(program);
  return *slot;
}

bool Auditor::Solve(Program& program, const std::vector<std::size_t>& targets, bool maximise) {
  glp_prob* lp = program.lp;
  for (const int column : program.objective) glp_set_obj_coef(lp, column, 0.0);
  program.objective.clear();
  for (const std::size_t i : targets) {
    program.objective.push_back(static_cast<int>(i + 1));
    glp_set_obj_coef(lp, static_cast<int>(i + 1), 1.0);
  }
  glp_set_obj_dir(lp, maximise ? GLP_MAX : GLP_MIN);
  glp_smcp parameters;
  glp_init_smcp(&parameters);
  parameters.msg_lev = GLP_MSG_OFF;
  parameters.presolve = GLP_OFF;  // keep the last basis: the next program starts from it
  if (glp_simplex(lp, &parameters) != 0 || glp_get_prim_stat(lp) != GLP_FEAS) {
    glp_std_basis(lp);
    return false;
  }
  // Any feasible point shows values every member can take.
  Bounds& bounds = bounds_[program.base];
  for (std::size_t i = 0; i < program.members.size(); ++i) {
    const std::size_t cell = program.members[i];
    const double x = glp_get_col_prim(lp, static_cast<int>(i + 1));
    bounds.low[cell] = std::min(bounds.low[cell], x);
    bounds.high[cell] = std::max(bounds.high[cell], x);
  }
  return true;
}

void Auditor::Extreme(std::size_t base, std::size_t cell, bool maximise) {
  Bounds& bounds = bounds_[base];
  if (maximise ? bounds.exact_high[cell] : bounds.exact_low[cell]) return;
  (maximise ? bounds.exact_high[cell] : bounds.exact_low[cell]) = true;
  if (!hidden_[cell] || base_known_zero_[base][cell]) return;
  Program& program = ProgramOf(component_of_[cell], base);
  const std::size_t i = program.index_of.at(cell);
  // A program the solver cannot finish proves nothing beyond the points
  // already seen, so the cell may count as exposed, never silently as safe.
  if (!Solve(program, {i}, maximise)) return;
  const int status = glp_get_status(program.lp);
  if (status == GLP_UNBND) {
    (maximise ? bounds.high[cell] : bounds.low[cell]) =
        maximise ? std::numeric_limits<double>::infinity() : 0.0;
  } else if (status == GLP_OPT) {
    const double value = glp_get_obj_val(program.lp);
    if (maximise) {
      bounds.high[cell] = std::max(bounds.high[cell], value);
    } else {
      bounds.low[cell] = std::min(bounds.low[cell], value);
    }
  }
}

Auditor::Verdict Auditor::Judge(std::size_t layer, std::size_t cell, double threshold) const {
  const double value = cells_.values[layer][cell];
  double high = 0, up = 0, down = 0;
  bool exact_high = true, exact_low = true;
  for (const std::size_t base : bases_of_layer_[layer]) {
    const Bounds& b = bounds_[base];
    high += b.high[cell];
    up += b.high[cell] - base_values_[base][cell];
    down += base_values_[base][cell] - b.low[cell];
    exact_high = exact_high && b.exact_high[cell];
    exact_low = exact_low && b.exact_low[cell];
  }
  // Below the threshold, the range must reach it; otherwise it must hold
  // more than one value.
  if (threshold > value) {
    if (high >= threshold - kTolerance) return Verdict::kProtected;
    return exact_high ? Verdict::kExposed : Verdict::kOpen;
  }
  if (up >= kSlack || down >= kSlack) return Verdict::kProtected;
  return exact_high && exact_low ? Verdict::kExposed : Verdict::kOpen;
}

std::vector<std::pair<std::size_t, std::size_t>> Auditor::Exposed(
    const Sensitivity& sensitivity, const std::vector<std::pair<std::size_t, std::size_t>>& only) {
  struct Query {
    std::size_t layer, cell;
    double threshold;
  };
  std::vector<Query> open;
  auto ask = [&](std::size_t layer, std::size_t c) {
    if (!hidden_[c] || !sensitivity.sensitive[c] || KnownZero(cells_, layer, c)) return;
    // A zero is not audited: it says that nobody in the group did
    // something, and while the group's size can reach the minimum, that
    // says no more than a published group of that size would. Protecting
    // it would mean hiding every zero total above it.
    if (cells_.values[layer][c] <= 0) return;
    const double threshold =
        layer < sensitivity.threshold.size() ? sensitivity.threshold[layer] : 0;
    if (threshold < 0) return;  // public
    open.push_back({layer, c, threshold});
  };
  if (only.empty()) {
    for (std::size_t c = 0; c < cells_.cells; ++c) {
      for (std::size_t layer = 0; layer < cells_.values.size(); ++layer) ask(layer, c);
    }
  } else {
    for (const auto& [layer, c] : only) ask(layer, c);
  }

  std::vector<std::pair<std::size_t, std::size_t>> exposed;
  auto settle = [&] {
    std::erase_if(open, [&](const Query& q) {
      const Verdict verdict = Judge(q.layer, q.cell, q.threshold);
      if (verdict == Verdict::kExposed) exposed.emplace_back(q.layer, q.cell);
      return verdict != Verdict::kOpen;
    });
  };
  settle();

  // Sum objectives: one program per component and base layer and direction
  // moves many cells at once.
  for (int round = 0; round < kMaxBatchRounds && !open.empty(); ++round) {
    const std::size_t before = open.size();
    // (component, base) → targets to raise and to lower.
    std::map<std::pair<std::size_t, std::size_t>,
             std::pair<std::vector<std::size_t>, std::vector<std::size_t>>>
        targets;
    for (const Query& q : open) {
      const double value = cells_.values[q.layer][q.cell];
      for (const std::size_t base : bases_of_layer_[q.layer]) {
        if (base_known_zero_[base][q.cell]) continue;
        auto& [raise, lower] = targets[{component_of_[q.cell], base}];
        if (!bounds_[base].exact_high[q.cell]) raise.push_back(q.cell);
        if (q.threshold <= value && !bounds_[base].exact_low[q.cell]) lower.push_back(q.cell);
      }
    }
    for (auto& [key, sides] : targets) {
      Program& program = ProgramOf(key.first, key.second);
      for (const bool maximise : {true, false}) {
        std::vector<std::size_t>& side = maximise ? sides.first : sides.second;
        if (side.empty()) continue;
        std::sort(side.begin(), side.end());
        side.erase(std::unique(side.begin(), side.end()), side.end());
        for (std::size_t& cell : side) cell = program.index_of.at(cell);
        Solve(program, side, maximise);
      }
    }
    settle();
    if (open.size() == before) break;
  }

  // One program per remaining cell and bound, until each is decided.
  for (const Query& q : open) {
    const double value = cells_.values[q.layer][q.cell];
    Verdict verdict = Judge(q.layer, q.cell, q.threshold);
    for (const bool maximise : {true, false}) {
      if (!maximise && q.threshold > value) break;
      for (const std::size_t base : bases_of_layer_[q.layer]) {
        if (verdict != Verdict::kOpen) break;
        Extreme(base, q.cell, maximise);
        verdict = Judge(q.layer, q.cell, q.threshold);
      }
    }
    if (verdict == Verdict::kExposed) exposed.emplace_back(q.layer, q.cell);
  }
  std::sort(exposed.begin(), exposed.end());
  return exposed;
}

std::vector<std::size_t> Auditor::BindingSums(std::size_t layer, std::size_t cell) {
  std::vector<std::size_t> binding;
  if (!hidden_[cell]) return binding;
  for (const std::size_t base : bases_of_layer_[layer]) {
    if (base_known_zero_[base][cell]) continue;
    Program& program = ProgramOf(component_of_[cell], base);
    for (const bool maximise : {true, false}) {
      if (!Solve(program, {program.index_of.at(cell)}, maximise)) continue;
      if (glp_get_status(program.lp) != GLP_OPT) continue;
      for (std::size_t row = 0; row < program.sums.size(); ++row) {
        if (std::abs(glp_get_row_dual(program.lp, static_cast<int>(row + 1))) < kTolerance)
          continue;
        const LinkedCells::Sum& sum = cells_.sums[program.sums[row]];
        bool visible = !hidden_[sum.total];
        for (std::size_t i = 0; !visible && i < sum.parts.size(); ++i)
          visible = !hidden_[sum.parts[i]];
        if (visible) binding.push_back(program.sums[row]);
      }
    }
  }
  std::sort(binding.begin(), binding.end());
  binding.erase(std::unique(binding.begin(), binding.end()), binding.end());
  return binding;
}

double Auditor::Bound(std::size_t layer, std::size_t cell, bool maximise) {
  // The bases are independent programs: the layer's bound is the sum of theirs.
  double sum = 0;
  for (const std::size_t base : bases_of_layer_[layer]) {
    Extreme(base, cell, maximise);
    sum += maximise ? bounds_[base].high[cell] : bounds_[base].low[cell];
  }
  return sum;
}

double Auditor::Highest(std::size_t layer, std::size_t cell) { return Bound(layer, cell, true); }
double Auditor::Lowest(std::size_t layer, std::size_t cell) { return Bound(layer, cell, false); }

FeasibleRange Auditor::Range(std::size_t layer, std::size_t cell) {
  return {Lowest(layer, cell), Highest(layer, cell)};
}

bool Auditor::Pinned(std::size_t layer, std::size_t cell) {
  if (!hidden_[cell]) return true;
  Highest(layer, cell);
  Lowest(layer, cell);
  return Judge(layer, cell, 0) == Verdict::kExposed;
}

}  // namespace samkart::analysis
