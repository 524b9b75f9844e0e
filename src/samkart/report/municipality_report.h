// The report for one municipality, like the slide deck a KORUS group made
// by hand for Meløy but complete: response rate by service, key figures,
// every indicator beside the nation and the same size group with
// significant differences marked, strengths and gaps, the breakdown by
// service where the publication rules allow, the cooperation pairs,
// discussion questions from the largest gaps, and the change since the
// baseline when the municipality has both rounds.
#pragma once

#include <vector>

#include "samkart/core/result.h"
#include "samkart/report/document.h"
#include "samkart/report/report_inputs.h"

namespace samkart::report {

// The report describes the municipality's latest round; the nation and the
// size group are the baseline rounds of all municipalities (the national
// report's material).
Result<Document> BuildMunicipalityReport(const ReportInputs& inputs, int municipality);

// Municipalities with respondents, ascending.
std::vector<int> MunicipalitiesWithData(const ReportInputs& inputs);

}  // namespace samkart::report
