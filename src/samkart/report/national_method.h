// The national report's method chapter, written from the data rather than
// by hand: the questionnaire generations and what changed between them,
// the surveys and respondents each contributed, how the exports were
// merged (import batches and crosswalks), what anonymisation generalised,
// the publication rules and what they hid, and what the estimates and
// their intervals assume. It changes when the data change.
#pragma once

#include <vector>

#include "samkart/analysis/table.h"
#include "samkart/core/result.h"
#include "samkart/report/document.h"
#include "samkart/report/report_inputs.h"

namespace samkart::report {

// The chapter and its subsections, without the account of what the
// publication rules hid (only known once the whole report is built).
Result<std::vector<Section>> MethodSections(const ReportInputs& inputs,
                                            const std::vector<analysis::Filter>& baseline);

// «Publiseringsreglene skjulte 342 av 2 607 tall (13,1 %) i denne rapporten …»
Paragraph PublicationCost(const NumberCount& numbers);

// The overall response rate of the baseline surveys whose invited counts
// are registered, as a sentence; says so when none are.
Result<std::string> ResponseRateText(const ReportInputs& inputs,
                                     const std::vector<analysis::Filter>& baseline);

}  // namespace samkart::report
