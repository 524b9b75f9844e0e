// The national report's numbered tables and figures («Figur 3.28»), made
// from their description in the instrument (report_figures.csv): surveys
// and respondents per background value, and a family's shares or answer
// distribution, overall or broken down, within one service and for the
// groups and items chosen. Every number passes the publication rules.
#pragma once

#include <cstddef>
#include <map>
#include <vector>

#include "samkart/analysis/table.h"
#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"
#include "samkart/report/document.h"
#include "samkart/report/report_inputs.h"

namespace samkart::report {

// The exhibit (numbered, with its anchor) and any companion table after
// it; an exhibit with nothing to show still stands, with a note that says
// why, so its number and anchor never go missing.
Result<std::vector<Block>> BuildReportFigure(const ReportInputs& inputs,
                                             const std::vector<analysis::Filter>& rounds,
                                             const instrument::ReportFigure& figure);

// The survey rounds (one municipality's round one year) among `rounds`,
// each by its first row, whose background values are the round's.
std::vector<std::size_t> RoundRows(const analysis::Dataset& data,
                                   const std::vector<analysis::Filter>& rounds);

// Survey rounds among `rounds` per value of `by`. A round count names no
// respondent, so it needs no publication rule.
std::map<int, std::size_t> SurveysBy(const analysis::Dataset& data,
                                     const std::vector<analysis::Filter>& rounds,
                                     analysis::Variable by);

// SurveysBy as a table, with the total.
DataTable SurveyCountTable(const ReportInputs& inputs, const std::vector<analysis::Filter>& rounds,
                           analysis::Variable by, const std::string& caption);

}  // namespace samkart::report
