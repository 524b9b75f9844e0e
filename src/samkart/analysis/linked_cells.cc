#include "samkart/analysis/linked_cells.h"

#include <algorithm>
#include <cstdint>

#include "samkart/analysis/audit.h"

namespace samkart::analysis {

namespace {

// The largest value of a cell over the layers: what hiding it costs.
std::vector<double> Costs(const LinkedCells& cells) {
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

// The cheapest visible member of a sum with a value in `layer`, preferring
// parts to the total: a part costs less and keeps the total readable.
std::size_t Partner(const LinkedCells& cells, const LinkedCells::Sum& sum, std::size_t layer,
                    const std::vector<bool>& hidden, const std::vector<double>& cost) {
  const std::vector<double>& v = cells.values[layer];
  std::size_t best = SIZE_MAX;
  for (const std::size_t p : sum.parts) {
    if (hidden[p] || v[p] <= 0) continue;
    if (best == SIZE_MAX || cost[p] < cost[best]) best = p;
  }
  if (best == SIZE_MAX && !hidden[sum.total] && v[sum.total] > 0) best = sum.total;
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
      const std::vector<double>& v = cells.values[layer];
      std::size_t hidden_members = 0;
      auto count = [&](std::size_t c) {
        if (v[c] > 0 && hidden[c]) ++hidden_members;
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
  std::vector<std::pair<std::size_t, std::size_t>> exposed;
  Auditor auditor(cells, hidden);
  for (std::size_t c = 0; c < cells.cells; ++c) {
    if (!hidden[c] || !sensitivity.sensitive[c]) continue;
    for (std::size_t layer = 0; layer < cells.values.size(); ++layer) {
      if (KnownZero(cells, layer, c)) continue;
      const double value = cells.values[layer][c];
      const double threshold =
          layer < sensitivity.threshold.size() ? sensitivity.threshold[layer] : 0;
      // Below the threshold, the range must reach it; otherwise it must
      // hold more than one value.
      const bool protected_cell =
          threshold > value ? auditor.Reaches(layer, c, threshold) : !auditor.Pinned(layer, c);
      if (!protected_cell) exposed.emplace_back(layer, c);
    }
  }
  return exposed;
}

std::size_t ProtectLinkedCells(const LinkedCells& cells, const Sensitivity& sensitivity,
                               std::vector<bool>& hidden) {
  std::size_t added = ApplyLineRule(cells, hidden);
  const std::vector<double> cost = Costs(cells);
  const auto sums_of = SumsOfCells(cells);
  // Each round hides at least one more cell, so this ends.
  while (true) {
    const auto exposed = ExposedCells(cells, sensitivity, hidden);
    if (exposed.empty()) break;
    std::size_t before = added;
    for (const auto& [layer, cell] : exposed) {
      // The cheapest visible partner in any sum the exposed cell is in.
      std::size_t best = SIZE_MAX;
      for (const std::size_t s : sums_of[cell]) {
        const std::size_t partner = Partner(cells, cells.sums[s], layer, hidden, cost);
        if (partner != SIZE_MAX && (best == SIZE_MAX || cost[partner] < cost[best])) {
          best = partner;
        }
      }
      if (best != SIZE_MAX && !hidden[best]) {
        hidden[best] = true;
        ++added;
      }
    }
    if (added == before) {
      // Nothing visible is left beside the exposed cells: hide every
      // member of their sums (a last resort no real table reaches).
      for (const auto& [layer, cell] : exposed) {
        for (const std::size_t s : sums_of[cell]) {
          for (const std::size_t member : cells.sums[s].parts) {
            if (!hidden[member]) {
              hidden[member] = true;
              ++added;
            }
          }
          if (!hidden[cells.sums[s].total]) {
            hidden[cells.sums[s].total] = true;
            ++added;
          }
        }
      }
      if (added == before) break;  // already everything: nothing more to hide
    }
    added += ApplyLineRule(cells, hidden);
  }
  return added;
}

}  // namespace samkart::analysis
