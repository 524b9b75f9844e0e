// The publication rules: the one gate every number leaving the analysis
// engine passes, so no respondent can be identified from a table.
//
// Primary rule: a group (one value of the breakdown) is hidden when its
// denominator is below a minimum (default 10) for any item of the table;
// optionally, as Statistics Norway does, also when a count or its
// complement is at or below a threshold. Hiding works on whole groups, so
// the pattern is the same for every item and category of the request and
// the size of a hidden group cannot be read off another item.
//
// Secondary (complementary) rule: a hidden group must not be recoverable by
// subtracting the visible groups from a total. In every line that sums to a
// total — all groups against the table total; with two breakdown variables
// each row and each column of the grid — a single hidden group takes the
// smallest visible group of the line with it, repeated until no line has
// exactly one hidden group. Municipalities are nested in regions and size
// groups, whose totals another request can publish, so a breakdown by
// municipality also has a line per region and per size group. The reference
// side of a comparison is treated the same way.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "samkart/analysis/table.h"

namespace samkart::analysis {

struct PublicationRules {
  std::size_t min_n = 10;
  // Also hide when count ≤ this or n − count ≤ this (off when empty).
  std::optional<std::size_t> max_small_count;
};

struct SuppressionSummary {
  std::size_t primary_groups = 0;
  std::size_t secondary_groups = 0;
  std::size_t hidden_cells = 0;
};

// Region and size group of each municipality (number → (region, size
// group)): municipalities are nested in both, whose totals other requests
// can publish.
std::map<int, std::pair<int, int>> MunicipalityNesting(const Dataset& data);

// The lines of a table's groups that each sum to a total some request can
// publish: all groups against the table total; with two variables each row
// and each column; and every line split by the region and by the size group
// of its municipalities when a variable is the municipality.
std::vector<std::vector<std::vector<int>>> PublicationLines(
    const std::vector<std::vector<int>>& groups, const std::vector<Variable>& by,
    const std::map<int, std::pair<int, int>>& nesting);

// Hides cells in place (numbers zeroed, `suppressed` set). Tables a single
// request returns are passed together.
SuppressionSummary ApplyPublicationRules(std::vector<Table>& tables, const Dataset& data,
                                         const PublicationRules& rules);

}  // namespace samkart::analysis
