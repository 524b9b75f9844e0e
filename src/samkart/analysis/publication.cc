#include "samkart/analysis/publication.h"

#include <algorithm>
#include <map>
#include <set>

namespace samkart::analysis {

namespace {

using Group = std::vector<int>;

// An empty cell (nobody asked, nobody in the group) reveals nothing and is shown as 0.
bool FailsPrimary(const Cell& cell, const PublicationRules& rules) {
  if (cell.n == 0) return false;
  if (cell.n < rules.min_n) return true;
  if (rules.max_small_count) {
    const std::size_t small = *rules.max_small_count;
    if (cell.count <= small || cell.n - cell.count <= small) return true;
  }
  return false;
}

void Hide(Cell& cell) {
  cell = Cell{};
  cell.suppressed = true;
}

// The groups of one side (primary or reference) of a table that must be hidden.
struct Side {
  std::map<Group, std::size_t> size;  // largest n over the items: the group's weight
  std::set<Group> hidden;
  bool total_hidden = false;
};

// Adds complementary suppressions until no line has exactly one hidden group.
std::size_t Complement(Side& side, const std::vector<Variable>& by,
                       const std::map<int, std::pair<int, int>>& nesting) {
  std::vector<Group> groups;
  for (const auto& [g, n] : side.size) groups.push_back(g);
  const auto lines = PublicationLines(groups, by, nesting);
  std::size_t added = 0;
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& line : lines) {
      std::size_t hidden = 0;
      const Group* smallest = nullptr;
      // A group nobody in it answered hides nothing: the total minus the
      // visible groups would still give the other hidden group exactly. So
      // only groups with answers count as hidden partners or candidates.
      for (const Group& g : line) {
        if (side.size[g] == 0) continue;
        if (side.hidden.count(g)) {
          ++hidden;
        } else if (smallest == nullptr || side.size[g] < side.size[*smallest]) {
          smallest = &g;
        }
      }
      if (hidden == 1 && smallest != nullptr) {
        side.hidden.insert(*smallest);
        ++added;
        changed = true;
      }
    }
  }
  return added;
}

}  // namespace

std::map<int, std::pair<int, int>> MunicipalityNesting(const Dataset& data) {
  std::map<int, std::pair<int, int>> nesting;
  int last = -1;
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (data.municipality[r] == last) continue;  // rows come a round at a time
    last = data.municipality[r];
    nesting.emplace(last, std::make_pair(data.region[r], data.size_group[r]));
  }
  return nesting;
}

std::vector<std::vector<Group>> PublicationLines(
    const std::vector<Group>& groups, const std::vector<Variable>& by,
    const std::map<int, std::pair<int, int>>& nesting) {
  std::vector<std::vector<Group>> lines;
  lines.push_back(groups);  // every group against the table total
  if (by.size() == 2) {
    std::map<int, std::vector<Group>> rows, columns;
    for (const Group& g : groups) {
      rows[g[0]].push_back(g);
      columns[g[1]].push_back(g);
    }
    for (auto& [value, line] : rows) lines.push_back(line);
    for (auto& [value, line] : columns) lines.push_back(line);
  }
  // Every line so far, split by the region and by the size group of its
  // municipalities.
  for (std::size_t d = 0; d < by.size(); ++d) {
    if (by[d] != Variable::kMunicipality) continue;
    const std::size_t base = lines.size();
    for (std::size_t l = 0; l < base; ++l) {
      std::map<int, std::vector<Group>> by_region, by_size;
      for (const Group& g : lines[l]) {
        const auto it = nesting.find(g[d]);
        if (it == nesting.end()) continue;
        by_region[it->second.first].push_back(g);
        by_size[it->second.second].push_back(g);
      }
      for (auto& [value, line] : by_region) lines.push_back(line);
      for (auto& [value, line] : by_size) lines.push_back(line);
    }
  }
  return lines;
}

SuppressionSummary ApplyPublicationRules(std::vector<Table>& tables, const Dataset& data,
                                         const PublicationRules& rules) {
  SuppressionSummary summary;
  // Only a breakdown by municipality needs the nesting; it costs a pass.
  bool by_municipality = false;
  for (const Table& table : tables) {
    for (const Variable v : table.by)
      by_municipality = by_municipality || v == Variable::kMunicipality;
  }
  const auto nesting =
      by_municipality ? MunicipalityNesting(data) : std::map<int, std::pair<int, int>>();
  for (Table& table : tables) {
    Side primary, reference;
    for (const TableRow& row : table.rows) {
      if (row.group.empty()) {
        primary.total_hidden = primary.total_hidden || FailsPrimary(row.cell, rules);
        if (row.reference) {
          reference.total_hidden = reference.total_hidden || FailsPrimary(*row.reference, rules);
        }
        continue;
      }
      auto& size = primary.size[row.group];
      size = std::max(size, row.cell.n);
      if (FailsPrimary(row.cell, rules)) primary.hidden.insert(row.group);
      if (row.reference) {
        auto& reference_size = reference.size[row.group];
        reference_size = std::max(reference_size, row.reference->n);
        if (FailsPrimary(*row.reference, rules)) reference.hidden.insert(row.group);
      }
    }
    summary.primary_groups += primary.hidden.size() + reference.hidden.size();
    // A hidden total hides every group: each is smaller.
    if (primary.total_hidden) {
      for (const auto& [g, n] : primary.size) primary.hidden.insert(g);
    }
    if (reference.total_hidden) {
      for (const auto& [g, n] : reference.size) reference.hidden.insert(g);
    }
    summary.secondary_groups += Complement(primary, table.by, nesting);
    summary.secondary_groups += Complement(reference, table.by, nesting);

    for (TableRow& row : table.rows) {
      const bool hide_primary =
          row.group.empty() ? primary.total_hidden : primary.hidden.count(row.group) > 0;
      const bool hide_reference =
          row.group.empty() ? reference.total_hidden : reference.hidden.count(row.group) > 0;
      if (hide_primary) {
        Hide(row.cell);
        ++summary.hidden_cells;
      }
      if (row.reference && hide_reference) {
        Hide(*row.reference);
        ++summary.hidden_cells;
      }
      // A difference involving a hidden number is hidden too.
      if (row.difference && (hide_primary || hide_reference)) row.difference.reset();
    }
  }
  return summary;
}

}  // namespace samkart::analysis
