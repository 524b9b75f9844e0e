// The cooperation across the transitions — kindergarten to primary school,
// primary to lower secondary — and between the services for parents and
// the services for their children (children as relatives), rated from both
// sides: how the staff of each rate their cooperation with the other, the
// asymmetry between the two directions, and, for a municipality, each
// direction against the rest of the nation. Which pairs are followed is
// data (transitions.csv).
//
// The two directions are rated by different people, so their difference
// is one of independent samples (MOVER; pooled over municipalities they
// share rounds, which makes the test cautious, as competence.h says). A
// municipality's rating is set beside the same service's rating in the
// other municipalities' baseline rounds. A difference is a finding when it
// is significant after Benjamini–Hochberg over every test of the analysis
// and at least kMaterialDifference.
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

struct LinkDirection {
  int rater = 0;  // service codes
  int rated = 0;
  std::size_t item = 0;  // the cooperation item rating `rated`
  Cell rating;           // the rater's staff rating the cooperation good, as published
  std::optional<Cell> nation;
  std::optional<Difference> against_nation;
};

struct LinkCooperation {
  std::size_t link = 0;                 // index into Instrument::service_links
  LinkDirection forward;                // the first service rating the second
  LinkDirection backward;               // the second rating the first
  std::optional<Difference> asymmetry;  // forward minus backward, when both are visible
};

struct ServiceLinks {
  std::vector<LinkCooperation> links;
  std::size_t tests = 0;
  bool compared_with_nation = false;
};

// Every link of the instrument among the respondents `where` keeps; beside
// the rest of the nation in `reference_rounds` when `where` names a
// municipality.
Result<ServiceLinks> CompareServiceLinks(const Dataset& data,
                                         const instrument::Instrument& instrument,
                                         Publication& publication, const std::vector<Filter>& where,
                                         const std::vector<Filter>& reference_rounds = {});

}  // namespace samkart::analysis
