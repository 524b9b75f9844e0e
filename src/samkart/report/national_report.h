// The national report from the database, following chapters 4–5 of the
// national report: who answered (by year, region, size group, service),
// then every question family with its chart, its breakdowns, the question
// text, N and the denominator rule, and a summary of the main findings
// computed from the numbers.
#pragma once

#include "samkart/core/result.h"
#include "samkart/report/document.h"
#include "samkart/report/report_inputs.h"

namespace samkart::report {

// The national report covers the baseline rounds, as the published one does.
Result<Document> BuildNationalReport(const ReportInputs& inputs);

}  // namespace samkart::report
