// Report blocks both reports draw the same way: respondent counts, a
// family's breakdown by a background variable, a distribution as stacked
// bars, and the cooperation pairs. Each computes through the analysis
// engine and the publication rules, so a block never holds a hidden number.
#pragma once

#include <string>
#include <vector>

#include "samkart/analysis/table.h"
#include "samkart/core/result.h"
#include "samkart/report/document.h"
#include "samkart/report/report_inputs.h"

namespace samkart::report {

// A group's name in a chart or table: a service's short name, else the
// value's label («KORUS Nord», «2019»).
std::string GroupLabel(const ReportInputs& inputs, analysis::Variable by, int value);

// Values of `by` that occur among the table's one-variable rows, in code order.
std::vector<int> GroupsOf(const analysis::Table& table);

// Respondents per value of `by`: count and share of all, with the total.
Result<DataTable> CountTable(const ReportInputs& inputs, const std::vector<analysis::Filter>& where,
                             analysis::Variable by, const std::string& caption);

// The family's reported share per item (columns, at most `max_columns` per
// table) and per value of `by` (rows), with «Alle» last.
Result<std::vector<DataTable>> BreakdownTables(const ReportInputs& inputs,
                                               const instrument::Family& family,
                                               const std::vector<analysis::Filter>& where,
                                               analysis::Variable by, const std::string& caption,
                                               std::size_t max_columns = 6);

// The family's reported share per item, one bar series per value of `by`.
Result<Chart> GroupedChart(const ReportInputs& inputs, const instrument::Family& family,
                           const std::vector<analysis::Filter>& where, analysis::Variable by,
                           const std::string& title);

// Every category of a single-choice family's first item, stacked, for each
// subset given (label, filters).
struct Subset {
  std::string label;
  std::vector<analysis::Filter> where;
};
Result<Chart> DistributionChart(const ReportInputs& inputs, const instrument::Family& family,
                                const std::vector<Subset>& subsets, const std::string& title);

// Each pair of services that rate each other once: A's rating of B, B's
// rating of A and the asymmetry, largest asymmetry first.
Result<DataTable> CooperationPairsTable(const ReportInputs& inputs,
                                        const std::vector<analysis::Filter>& where,
                                        const std::string& caption, std::string* summary);

// The cooperation matrix as a grid: a row per service that rates, a column
// per service rated, each cell the share of the row's staff rating the
// column's service well; rows and columns without a visible number left out.
Result<Chart> CooperationGrid(const ReportInputs& inputs,
                              const std::vector<analysis::Filter>& where, const std::string& title);

// Whether any number in the table's rows (all but the last `skip_last_rows`,
// e.g. a total) is visible: a table of only marks says nothing.
bool HasVisibleNumber(const DataTable& table, std::size_t skip_last_rows = 0);

// Services that are generalisation targets («Skole (samlet)», «Tjeneste
// ikke oppgitt»): real groups, but not services to compare.
bool IsCoarseService(const instrument::Instrument& instrument, int code);

}  // namespace samkart::report
