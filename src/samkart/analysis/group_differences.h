// Does a breakdown matter at all? Whether an item's reported share differs
// across the KORUS regions, the size groups or the services, tested over
// the whole breakdown at once with the Rao–Scott corrected chi-square
// (rao_scott.h), the survey round as the cluster — the question the
// national report asks («ingen regionale forskjeller»), which pairwise
// comparisons cannot answer.
//
// The test statistic comes from every answer, hidden cells included; it
// publishes one p-value for a whole breakdown, from which no cell can be
// read back.
#pragma once

#include <cstddef>
#include <vector>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/rao_scott.h"
#include "samkart/analysis/table.h"
#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"

namespace samkart::analysis {

// The Rao–Scott test of the item's reported share (Dataset::item_refs
// index) across the values of `by`, among the respondents `where` keeps.
Result<RaoScottResult> DifferencesAcross(const Dataset& data,
                                         const instrument::Instrument& instrument, std::size_t item,
                                         Variable by, const std::vector<Filter>& where);

}  // namespace samkart::analysis
