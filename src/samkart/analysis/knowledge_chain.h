// The chain per risk area: knowing the signs → having been concerned
// about it → acting on the concern → knowing whom to contact. Side by
// side, an area where low knowledge goes with little concern and little
// knowledge of whom to call stands out (the national report's finding for
// young people's substance use).
//
// Each step is an item's reported share among the respondents the
// filters keep, through the publication gate. Whether an area is low or
// high on a step is a comparison with the other areas on the same
// respondents: for each person who answered the area and at least one
// other, the area's answer (reported or not) minus the average of the
// others; the mean of that is the estimate. Its interval is Student's t
// on the persons (inside one municipality) or on the survey rounds as
// clusters (pooled: the linearised variance of a ratio, as for shares;
// statistics.h), and it assumes what those do. The acting step is asked
// about the last concern only, so it is the same for every area and
// compared with nothing.
//
// A step is low or high when the difference is significant after
// Benjamini–Hochberg over every test of the chain and at least
// kMaterialDifference. An area stands out when it is low on all three:
// knowledge, concern and knowing whom to contact.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/publication.h"
#include "samkart/analysis/statistics.h"
#include "samkart/analysis/table.h"
#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"

namespace samkart::analysis {

struct ChainStep {
  std::size_t item = 0;  // index into Dataset::item_refs
  Cell cell;             // as published
  // The rest of the nation, when the filters name a municipality.
  std::optional<Cell> nation;
  std::optional<Difference> against_nation;
  // The area minus the average of the other areas, same respondents.
  std::optional<Difference> against_other_areas;
  bool low = false;  // a finding below the other areas
  bool high = false;
};

struct AreaChain {
  std::size_t area = 0;  // index into Instrument::knowledge_areas
  ChainStep knowledge, concern, acted, contact;
  bool stands_out = false;
};

struct KnowledgeChain {
  std::vector<AreaChain> areas;  // the areas with a chain, in the instrument's order
  std::size_t tests = 0;
  bool compared_with_nation = false;
};

// The chain of every area among the respondents `where` keeps. When
// `where` names a municipality, each step is also set beside the rest of
// the nation in `reference_rounds` (the other municipalities' baseline
// rounds, as the reports compare).
Result<KnowledgeChain> ComputeKnowledgeChain(const Dataset& data,
                                             const instrument::Instrument& instrument,
                                             Publication& publication,
                                             const std::vector<Filter>& where,
                                             const std::vector<Filter>& reference_rounds = {});

}  // namespace samkart::analysis
