// Linked cells: every cell a publication shows, and the sums between them
// that anyone can know (a total equals the sum of its parts). The
// suppression engine and the audit both work on this one model, whatever
// the cells are: the answers to a question family broken down by
// municipality and service, or the respondents per service of an open
// survey round.
//
// A cell carries several layers of additive numbers (for each item of a
// family its denominator n and its count), and hiding a cell hides all its
// layers: a group is hidden as a whole, so its size cannot be read off
// another item.
#pragma once

#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

namespace samkart::analysis {

struct LinkedCells {
  struct Sum {
    std::size_t total = 0;
    std::vector<std::size_t> parts;
  };
  std::size_t cells = 0;
  std::vector<Sum> sums;
  // values[layer][cell]; every sum holds in every layer.
  std::vector<std::vector<double>> values;
  // Layer pairs (a, b) with values[a][c] ≤ values[b][c] in every cell: a
  // count never exceeds its denominator.
  std::vector<std::pair<std::size_t, std::size_t>> at_most;
  // Per cell, what hiding it costs (empty: its largest value over the
  // layers). Secondary suppression picks the cheapest partner, so a high
  // cost keeps a cell readers rely on visible while any other will do.
  std::vector<double> cost;
};

// What the attacker can conclude about one hidden number: the smallest and
// largest value consistent with every visible cell and every sum.
struct FeasibleRange {
  double low = 0;
  double high = std::numeric_limits<double>::infinity();
};

// Is a cell's value in `layer` known to be zero, hidden or not? A group
// without answers to an item is no secret (the question was not asked
// there, or nobody answered), and there is nothing in it to protect; the
// audit holds such values at zero, as an attacker who knows the routing
// would. A zero count beside a positive denominator is not known.
bool KnownZero(const LinkedCells& cells, std::size_t layer, std::size_t cell);

// Cells that need protection and the level each needs.
struct Sensitivity {
  std::vector<bool> sensitive;  // per cell
  // Layers whose upper bound must reach `threshold[layer]` for a sensitive
  // cell to be protected (the denominators: the attacker must not be able
  // to prove that a group is smaller than the publication minimum).
  // Layers with no threshold (0) must merely not be pinned to one value;
  // a negative threshold marks a layer whose values are public (not
  // audited, only linked).
  std::vector<double> threshold;
};

// Hides further cells (in `hidden`, which holds the primary suppressions on
// entry) until every sensitive cell is protected: first the line rule (no
// sum has exactly one hidden member whose value is not known to be zero;
// the partner is the cheapest visible member with a value, as tau-Argus's
// heuristics choose by cost), then the audit, adding for every exposed
// cell a partner from a sum that bounds it, until the audit finds none.
// Returns the number of cells it hid.
std::size_t ProtectLinkedCells(const LinkedCells& cells, const Sensitivity& sensitivity,
                               std::vector<bool>& hidden);

// The line rule alone: cheap, and the first step of ProtectLinkedCells.
std::size_t ApplyLineRule(const LinkedCells& cells, std::vector<bool>& hidden);

// The sensitive hidden cells the published numbers expose, as (layer, cell):
// a threshold layer whose upper bound stays below its threshold, or any
// layer whose range is one value. Zeros are not audited (Auditor::Exposed
// says why).
std::vector<std::pair<std::size_t, std::size_t>> ExposedCells(const LinkedCells& cells,
                                                              const Sensitivity& sensitivity,
                                                              const std::vector<bool>& hidden);

}  // namespace samkart::analysis
