// The national report from the database, in the printed report's order:
// summary, introduction, a method chapter written from the data (with the
// material's tables and figures), organisation, every question family with
// its numbered figures and tables (report_figures.csv), the tests of
// regional, size-group and service differences with results by KORUS
// region, then discussion and conclusion. The summary, introduction,
// organisation, discussion and conclusion are the national team's words
// (EditorialText), with computed statements offered beside them.
#pragma once

#include "samkart/core/result.h"
#include "samkart/report/document.h"
#include "samkart/report/editorial_text.h"
#include "samkart/report/report_inputs.h"

namespace samkart::report {

// The national report covers the baseline rounds, as the published one
// does. `text` holds the national team's chapters; without it each such
// chapter says it has no text yet.
Result<Document> BuildNationalReport(const ReportInputs& inputs, const EditorialText& text = {});

}  // namespace samkart::report
