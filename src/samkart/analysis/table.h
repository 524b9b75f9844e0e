// Indicators as the instrument defines them, for any subset and breakdown:
// the reported share of an item (top-two, a yes, a tick — whatever its
// family says) or its full distribution, with n, count, share and a 95 %
// interval per cell (Wilson inside one municipality, design-based when
// pooled over municipalities: statistics.h); optionally beside a reference
// with the interval for the difference. A municipality, region or size
// group is compared with the rest of the nation or the rest of its size
// group — never with a whole that contains it, which would make the two
// sides dependent and the test lean towards «no difference» — and a
// follow-up round with the baseline round of the same filters. Every table
// carries its denominator rule in words.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/statistics.h"
#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"

namespace samkart::analysis {

// Respondents whose variable has one of `values` (or lies in [low, high]).
struct Filter {
  Variable variable = Variable::kService;
  std::vector<int> values;
  std::optional<std::pair<int, int>> range;

  bool Matches(int value) const;
};

// The filters of a municipality's latest round: its number, the year and
// the round type. An error when it has no answers.
Result<std::vector<Filter>> LatestRoundOf(const Dataset& data, int municipality);

// Whether the row passes every filter.
bool MatchesAll(const Dataset& data, const std::vector<Filter>& where, std::size_t row);

enum class Comparison {
  kNone,
  // The rest of the nation: the same filters without the geographic ones,
  // less the geographic unit itself (each group of a geographic breakdown
  // against all the others).
  kNation,
  // The other municipalities of the filtered municipality's size group.
  kSizeGroup,
  kBaseline,  // the follow-up round against the baseline round of the same filters
};

struct TableRequest {
  std::string family;
  std::optional<std::string> item;  // one item; all items of the family when empty
  std::vector<Variable> by;         // at most two breakdown variables
  std::vector<Filter> where;
  Comparison compare = Comparison::kNone;
  bool distribution = false;  // every category instead of the reported share
  // The rest of the nation or the size group from other rounds than the
  // request's: its year and round-type filters (the reports compare a
  // follow-up round with the other municipalities' baseline rounds). Empty:
  // the request's own.
  std::vector<Filter> reference_rounds;
};

struct Cell {
  std::size_t n = 0;      // the denominator
  std::size_t count = 0;  // answers in the reported categories (or in the category)
  double share = 0;
  Interval interval;
  // The rounds the cell is pooled from, for its design-based interval.
  ClusterSums clusters;
  std::size_t design_rounds = 0;
  std::optional<double> design_effect;  // when the interval is design-based
  bool suppressed = false;              // set by the publication rules; numbers are then zeroed
};

// A cell from its counts and round sums, with its interval.
Cell MakeCell(std::size_t count, std::size_t n, const ClusterSums& clusters = {},
              std::size_t design_rounds = 0);
ShareSample SampleOf(const Cell& cell);
// The cell of the rows in `whole` but not in `part` (part ⊆ whole, made of
// whole rounds of it): counts and round sums subtracted.
Cell RestOf(const Cell& whole, const Cell& part);

struct TableRow {
  std::size_t item = 0;         // index into Dataset::item_refs
  std::vector<int> group;       // values of the breakdown variables; empty for the total
  std::optional<int> category;  // distribution rows: the category code
  Cell cell;
  std::optional<Cell> reference;
  std::optional<Difference> difference;
};

struct Table {
  const instrument::Family* family = nullptr;
  std::vector<Variable> by;
  // The respondents each side counts: the request's filters (with the
  // follow-up rounds for a baseline comparison) and the reference's.
  std::vector<Filter> where;
  std::vector<Filter> reference_where;
  // A comparison with the rest: the reference of a row is the cell of
  // `reference_where` (without the geographic breakdown variables) less
  // the cell of `excluded_where` in the row's group.
  bool reference_is_rest = false;
  std::vector<Filter> excluded_where;
  Comparison compare = Comparison::kNone;
  std::string denominator_rule;  // Norwegian, from the instrument
  // «Resten av landet», «Resten av størrelsesgruppen», «0-punktsmåling»
  std::string reference_label;
  std::vector<TableRow> rows;  // per item: the total first, then each group in code order
};

// Which answer codes count in a family's denominator, and which make its
// reported share (indexed by code).
struct ShareRule {
  std::vector<bool> in_denominator;
  std::vector<bool> reported;
};
ShareRule ShareRuleOf(const instrument::Instrument& instrument, const instrument::Family& family);

bool IsGeographic(Variable variable);

// Computes the table. Fails on an unknown family or item, more than two
// breakdown variables, or a comparison the filters do not allow (a
// size-group comparison needs exactly one municipality; the rest of the
// nation needs a geographic filter or breakdown).
Result<Table> ComputeTable(const Dataset& data, const instrument::Instrument& instrument,
                           const TableRequest& request);

}  // namespace samkart::analysis
