// Indicators as the instrument defines them, for any subset and breakdown:
// the reported share of an item (top-two, a yes, a tick — whatever its
// family says) or its full distribution, with n, count, share and a 95 %
// Wilson interval per cell; optionally beside a reference (the nation, the
// same size group, the baseline round) with Newcombe's interval for the
// difference. Every table carries its denominator rule in words.
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

enum class Comparison {
  kNone,
  kNation,     // the same breakdown without geographic filters (municipality, region, size group)
  kSizeGroup,  // municipalities of the filtered municipality's size group
  kBaseline,   // the follow-up round against the baseline round of the same filters
};

struct TableRequest {
  std::string family;
  std::optional<std::string> item;  // one item; all items of the family when empty
  std::vector<Variable> by;         // at most two breakdown variables
  std::vector<Filter> where;
  Comparison compare = Comparison::kNone;
  bool distribution = false;  // every category instead of the reported share
};

struct Cell {
  std::size_t n = 0;      // the denominator
  std::size_t count = 0;  // answers in the reported categories (or in the category)
  double share = 0;
  Interval interval;
  bool suppressed = false;  // set by the publication rules; numbers are then zeroed
};

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
  Comparison compare = Comparison::kNone;
  std::string denominator_rule;  // Norwegian, from the instrument
  std::string reference_label;  // «Landet», «Kommuner i samme størrelsesgruppe», «0-punktsmåling»
  std::vector<TableRow> rows;  // per item: the total first, then each group in code order
};

// Which answer codes count in a family's denominator, and which make its
// reported share (indexed by code).
struct ShareRule {
  std::vector<bool> in_denominator;
  std::vector<bool> reported;
};
ShareRule ShareRuleOf(const instrument::Instrument& instrument, const instrument::Family& family);

// Computes the table. Fails on an unknown family or item, more than two
// breakdown variables, or a comparison the filters do not allow (a
// size-group comparison needs exactly one municipality).
Result<Table> ComputeTable(const Dataset& data, const instrument::Instrument& instrument,
                           const TableRequest& request);

}  // namespace samkart::analysis
