// The cooperation matrix of §5.6.2: how staff of each service rate their
// cooperation with each other service, beside the rating in the other
// direction, and the asymmetry between the two (the report discusses child
// welfare rating primary school at 77 % and primary school rating child
// welfare at 55 %).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/publication.h"
#include "samkart/analysis/table.h"
#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"

namespace samkart::analysis {

struct CooperationPair {
  int rater = 0;                // service code of those who rate
  int rated = 0;                // service code of the service rated
  std::size_t item = 0;         // the item rating `rated`, index into Dataset::item_refs
  Cell rating;                  // share of the rater's staff reporting good cooperation
  std::optional<Cell> reverse;  // the rated service's staff rating the rater
  // rating − reverse in percentage points, when both are visible.
  std::optional<double> asymmetry_pp;
};

struct CooperationMatrix {
  std::vector<int> raters;  // services with respondents, in code order
  std::vector<int> rated;   // services with a cooperation item, in item order
  std::vector<CooperationPair> pairs;
  std::string denominator_rule;

  const CooperationPair* Find(int rater, int rated_service) const;
};

// The family whose items rate other services (each item names its
// partner service), or nullptr.
const instrument::Family* CooperationFamily(const instrument::Instrument& instrument);

// Computes every rater × rated pair for the respondents the filters keep,
// and applies the publication rules to both directions.
Result<CooperationMatrix> ComputeCooperationMatrix(const Dataset& data,
                                                   const instrument::Instrument& instrument,
                                                   const std::vector<Filter>& where,
                                                   Publication& publication);

std::string FormatCooperationText(const CooperationMatrix& matrix,
                                  const instrument::Instrument& instrument);

}  // namespace samkart::analysis
