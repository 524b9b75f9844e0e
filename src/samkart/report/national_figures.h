// The national report's numbered tables and figures («Figur 3.28»), made
// from their description in the instrument (report_figures.csv): surveys
// and respondents per background value, and a family's shares or answer
// distribution, overall or broken down, within one service and for the
// groups and items chosen. Every number passes the publication rules.
#pragma once

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

// Survey rounds (one municipality's round one year) per value of `by`
// among `rounds`, with the total. A round count names no respondent.
DataTable SurveyCountTable(const ReportInputs& inputs, const std::vector<analysis::Filter>& rounds,
                           analysis::Variable by, const std::string& caption);

}  // namespace samkart::report
