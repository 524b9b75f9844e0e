// The building blocks both reports share: a family's published table for a
// subset, comparisons of one subset against a reference, respondent counts
// with the publication rules applied, and labels.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "samkart/analysis/table.h"
#include "samkart/core/result.h"
#include "samkart/report/document.h"
#include "samkart/report/report_inputs.h"

namespace samkart::report {

// ComputeTable, then the publication rules on its own.
Result<analysis::Table> PublishedTable(const ReportInputs& inputs,
                                       const analysis::TableRequest& request);

// The row of `item` for `group` (empty: the total) and `category` (share rows: none).
const analysis::TableRow* FindRow(const analysis::Table& table, std::size_t item,
                                  const std::vector<int>& group = {},
                                  std::optional<int> category = std::nullopt);

// Indices (into Dataset::item_refs) of the family's items, in order.
std::vector<std::size_t> FamilyItems(const analysis::Dataset& data,
                                     const instrument::Family& family);

// «Læringsvansker»: the item's short label, else its text.
std::string ItemLabel(const analysis::Dataset& data, std::size_t item);

// One item in a subset beside a reference subset, both published.
struct ItemComparison {
  std::size_t item = 0;
  analysis::Cell subset;
  analysis::Cell reference;
  std::optional<analysis::Difference> difference;  // when both are visible
};

// The family's reported share in `subset` and in `reference` (another
// round of the same municipality), item by item.
Result<std::vector<ItemComparison>> CompareFamily(const ReportInputs& inputs,
                                                  const instrument::Family& family,
                                                  const std::vector<analysis::Filter>& subset,
                                                  const std::vector<analysis::Filter>& reference);

// The family's reported share in `subset` (one municipality's round) beside
// the rest of the nation or the rest of its size group (`compare`), in the
// rounds `reference_rounds` names, item by item.
Result<std::vector<ItemComparison>> CompareFamilyWithRest(
    const ReportInputs& inputs, const instrument::Family& family,
    const std::vector<analysis::Filter>& subset, analysis::Comparison compare,
    const std::vector<analysis::Filter>& reference_rounds);

// Controls the false discovery rate over all the comparisons a report
// makes: afterwards a difference is `significant` when it is so after
// Benjamini–Hochberg at 5 %. Returns how many were significant before.
std::size_t MarkDiscoveries(const std::vector<std::optional<analysis::Difference>*>& tested);
std::size_t CountDiscoveries(const std::vector<std::optional<analysis::Difference>*>& tested);

// A finding: significant (after MarkDiscoveries) and at least
// analysis::kMaterialDifference in size.
bool IsFinding(const std::optional<analysis::Difference>& difference);

// Is a change of `estimate` (later minus earlier, or ours minus theirs) for
// the better, by the family's polarity?
bool IsImprovement(const instrument::Family& family, double estimate);

// The material difference in whole percentage points, for text.
std::string MaterialPoints();

// Respondents the filters keep, per value of `by` (ascending), through the
// publication gate: hidden counts are marked (and zeroed).
struct GroupCount {
  int value = 0;
  std::size_t count = 0;
  bool suppressed = false;
};
Result<std::vector<GroupCount>> PublishedCounts(const ReportInputs& inputs,
                                                const std::vector<analysis::Filter>& where,
                                                analysis::Variable by);
Result<GroupCount> PublishedCount(const ReportInputs& inputs,
                                  const std::vector<analysis::Filter>& where);

// A difference in percentage points, hidden when either side is.
Number PointsNumber(const std::optional<analysis::Difference>& difference);

// «Tallene følger publiseringsreglene: …» — the legend lines of a report.
std::vector<std::string> Legend(const analysis::PublicationRules& rules);

// The code of the baseline round (the first round type of the instrument).
int BaselineCode(const instrument::Instrument& instrument);

// «text», as the reports quote an item or a label.
std::string Quoted(const std::string& text);

// Denominator and share rule of a family, in Norwegian, for table notes.
std::string ShareRule(const instrument::Instrument& instrument, const instrument::Family& family);

}  // namespace samkart::report
