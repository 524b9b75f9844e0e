// The chapter on sharing competence, for a municipality's report and the
// national report: which services hold the knowledge and which lack it,
// the pairs that could share it (a municipality only: sharing happens
// inside one), the chain from knowing the signs to knowing whom to call
// per risk area, and the cooperation across the transitions in both
// directions. Built from the competence analyses, so the same publication
// gate and the same rules for a finding apply.
#pragma once

#include <string>
#include <vector>

#include "samkart/analysis/table.h"
#include "samkart/core/result.h"
#include "samkart/report/document.h"
#include "samkart/report/report_inputs.h"

namespace samkart::report {

// `where`: one municipality's round (then `name` is the municipality's),
// or a round set of the nation («landet»).
Result<std::vector<Section>> CompetenceSections(const ReportInputs& inputs,
                                                const std::vector<analysis::Filter>& where,
                                                const std::string& name);

// The follow-up evaluation for the national report: every municipality
// with both rounds counts once, indicator by indicator.
Result<Section> FollowUpEvaluationSection(const ReportInputs& inputs);

// One municipality's change since its baseline beside the pooled change of
// the other municipalities with both rounds (never a pool that contains
// it); nullopt when the municipality has no follow-up round.
Result<std::optional<Section>> ChangeAgainstOthersSection(const ReportInputs& inputs,
                                                          int municipality,
                                                          const std::string& name);

}  // namespace samkart::report
