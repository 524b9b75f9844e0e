#include "samkart/analysis/linked_cells.h"

#include <algorithm>
#include <cstdint>
#include <memory>

#include "samkart/analysis/audit.h"

namespace samkart::analysis {

namespace {

// What hiding a cell costs: as given, else its largest value over the
// layers.
std::vector<double> Costs(const LinkedCells& cells) {
  if (cells.cost.size() == cells.cells) return cells.cost;
  std::vector<double> cost(cells.cells, 0);
  for (const auto& layer : cells.values) {
    for (std::size_t c = 0; c < cells.cells; ++c) cost[c] = std::max(cost[c], layer[c]);
  }
  return cost;
}

// For each cell, the sums it is a member of.
std::vector<std::vector<std::size_t>> SumsOfCells(const LinkedCells& cells) {
  std::vector<std::vector<std::size_t>> sums_of(cells.cells);
  for (std::size_t s = 0; s < cells.sums.size(); ++s) {
    sums_of[cells.sums[s].total].push_back(s);
    for (const std::size_t p : cells.sums[s].parts) sums_of[p].push_back(s);
  }
  return sums_of;
}

// The cheapest visible member of a sum with a value in `layer`. By value,
// a part never costs more than its total, and hiding it keeps the total
// readable; a given cost can make the total the cheaper one.
std::size_t Partner(const LinkedCells& cells, const LinkedCells::Sum& sum, std::size_t layer,
                    const std::vector<bool>& hidden, const std::vector<double>& cost) {
  const std::vector<double>& v = cells.values[layer];
  std::size_t best = SIZE_MAX;
  auto consider = [&](std::size_t c) {
    if (hidden[c] || v[c] <= 0) return;
    if (best == SIZE_MAX || cost[c] < cost[best]) best = c;
  };
  for (const std::size_t p : sum.parts) consider(p);
  consider(sum.total);
  return best;
}

}  // namespace

bool KnownZero(const LinkedCells& cells, std::size_t layer, std::size_t cell) {
  if (cells.values[layer][cell] > 0) return false;
  for (const auto& [low, high] : cells.at_most) {
    if (low == layer) return cells.values[high][cell] <= 0;
  }
  return true;
}

std::size_t ApplyLineRule(const LinkedCells& cells, std::vector<bool>& hidden) {
  const std::vector<double> cost = Costs(cells);
  const auto sums_of = SumsOfCells(cells);
  std::vector<std::size_t> work;
  std::vector<bool> queued(cells.sums.size(), false);
  for (std::size_t s = 0; s < cells.sums.size(); ++s) {
    work.push_back(s);
    queued[s] = true;
  }
  std::size_t added = 0;
  while (!work.empty()) {
    const std::size_t s = work.back();
    work.pop_back();
    queued[s] = false;
    const LinkedCells::Sum& sum = cells.sums[s];
    for (std::size_t layer = 0; layer < cells.values.size(); ++layer) {
      std::size_t hidden_members = 0;
      // A hidden zero counts unless the attacker knows it is zero: a
      // service nobody has answered yet is still an unknown beside another.
      auto count = [&](std::size_t c) {
        if (hidden[c] && !KnownZero(cells, layer, c)) ++hidden_members;
      };
      count(sum.total);
      for (const std::size_t p : sum.parts) count(p);
      if (hidden_members != 1) continue;
      const std::size_t partner = Partner(cells, sum, layer, hidden, cost);
      if (partner == SIZE_MAX) continue;
      hidden[partner] = true;
      ++added;
      for (const std::size_t other : sums_of[partner]) {
        if (!queued[other]) {
          queued[other] = true;
          work.push_back(other);
        }
      }
    }
  }
  return added;
}

std::vector<std::pair<std::size_t, std::size_t>> ExposedCells(const LinkedCells& cells,
                                                              const Sensitivity& sensitivity,
                                                              const std::vector<bool>& hidden) {
  Auditor auditor(cells, hidden);
  return auditor.Exposed(sensitivity, {});
}

std::size_t ProtectLinkedCells(const LinkedCells& cells, const Sensitivity& sensitivity,
                               std::vector<bool>& hidden) {
  std::size_t added = ApplyLineRule(cells, hidden);
  const std::vector<double> cost = Costs(cells);
  const auto sums_of = SumsOfCells(cells);
  // The cheapest visible member of `sums` with a value in `layer`.
  auto cheapest = [&](const std::vector<std::size_t>& sums, std::size_t layer) {
    std::size_t best = SIZE_MAX;
    for (const std::size_t s : sums) {
      const std::size_t partner = Partner(cells, cells.sums[s], layer, hidden, cost);
      if (partner != SIZE_MAX && (best == SIZE_MAX || cost[partner] < cost[best])) best = partner;
    }
    return best;
  };
  // Hiding more never narrows a range, so a cell the audit once found
  // protected stays protected: after the first audit only the exposed
  // (layer, cell) pairs are audited again. Each round hides at least one
  // more cell, so this ends.
  auto auditor = std::make_unique<Auditor>(cells, hidden);
  auto exposed = auditor->Exposed(sensitivity, {});
  while (!exposed.empty()) {
    // Partners first, hidden after: the auditor reads `hidden`.
    std::vector<std::size_t> partners;
    for (const auto& [layer, cell] : exposed) {
      // A member of a sum that bounds the cell where it is pinned, else of
      // a sum it is in.
      std::size_t partner = cheapest(auditor->BindingSums(layer, cell), layer);
      if (partner == SIZE_MAX) partner = cheapest(sums_of[cell], layer);
      if (partner != SIZE_MAX) partners.push_back(partner);
    }
    const std::size_t before = added;
    for (const std::size_t partner : partners) {
      if (!hidden[partner]) {
        hidden[partner] = true;
        ++added;
      }
    }
    if (added == before) break;  // nothing visible bounds them: no hiding helps
    added += ApplyLineRule(cells, hidden);
    const auto again = exposed;
    auditor = std::make_unique<Auditor>(cells, hidden);
    exposed = auditor->Exposed(sensitivity, again);
  }
  return added;
}

}  // namespace samkart::analysis
