// Where the competence is and how it could be shared. The national report's
// main conclusion is that the knowledge exists, but in separate pockets:
// some services and positions hold it, others lack it. These analyses find
// the pockets, turn them into concrete sharing pairs inside one
// municipality, follow each risk area from knowing the signs to knowing
// whom to call, and rate the cooperation across the transitions in both
// directions.
//
// Every share comes from ComputeTable through the publication gate. A
// test is made only where every number it rests on is visible: a group
// against the rest of the staff needs the group and the whole, whose
// difference the rest is; a pair needs both services. What is then shown
// (an estimate, an interval, a p-value) can be worked out from published
// cells, so it reveals nothing the gate hid.
//
// What the intervals assume. Inside one municipality the staff who
// answered are treated as a simple random sample of its staff (Wilson,
// and MOVER for a difference). Pooled over municipalities the survey
// round is the cluster (statistics.h). Two groups compared with each
// other are treated as independent samples: inside one municipality
// they are different people; pooled, they share rounds, and since staff
// of one round answer alike the covariance is positive, so the interval
// of their difference is wider than it needs to be — a cautious test.
//
// A group holds (or lacks) an area when it differs from the rest of the
// staff, or a pair's giver from its receiver, significantly after
// Benjamini–Hochberg over every test of the analysis and by at least
// kMaterialDifference.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/publication.h"
#include "samkart/analysis/statistics.h"
#include "samkart/analysis/table.h"
#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"

namespace samkart::analysis {

enum class Standing {
  kHolds,    // significantly and materially above the rest of the staff
  kLacks,    // … below
  kNeither,  // no finding either way
  kHidden,   // the group (or the whole) is hidden by the publication rules
};

// «har kunnskapen», «mangler kunnskapen», …
const char* StandingLabel(Standing standing);

struct GroupStanding {
  Variable variable = Variable::kService;
  int value = 0;
  Cell cell;                               // as published
  std::optional<Difference> against_rest;  // the group minus the rest of the staff
  Standing standing = Standing::kHidden;
};

struct AreaPockets {
  std::size_t area = 0;               // index into Instrument::knowledge_areas
  std::size_t item = 0;               // the knowledge item, index into Dataset::item_refs
  Cell total;                         // everyone the filters keep, as published
  std::vector<GroupStanding> groups;  // services, then positions, in code order
};

struct CompetencePockets {
  std::vector<AreaPockets> areas;
  std::size_t tests = 0;     // comparisons made
  std::size_t findings = 0;  // holds or lacks after the false discovery control
};

// Every knowledge area among the respondents `where` keeps (one
// municipality's round, or a round set of the nation), by service and by
// position.
Result<CompetencePockets> FindCompetencePockets(const Dataset& data,
                                                const instrument::Instrument& instrument,
                                                Publication& publication,
                                                const std::vector<Filter>& where);

// Whether the two services of a pair already cooperate well, from the
// cooperation ratings in both directions.
enum class Channel {
  kGood,     // both directions visible, on average at least kGoodCooperation
  kWeak,     // both visible, on average below it
  kUnknown,  // a direction is hidden or not asked (not every service is rated)
};
const char* ChannelLabel(Channel channel);

// The average share rating the cooperation ganske or svært godt, in both
// directions, from which a channel counts as one to use.
inline constexpr double kGoodCooperation = 0.5;

struct SharingPair {
  std::size_t area = 0;  // index into Instrument::knowledge_areas
  std::size_t item = 0;
  int giver = 0;  // service codes
  int receiver = 0;
  Cell giver_cell;
  Cell receiver_cell;
  Difference gap;                      // giver minus receiver
  std::optional<Cell> rating;          // the giver's staff rating the receiver
  std::optional<Cell> reverse_rating;  // the receiver's staff rating the giver
  Channel channel = Channel::kUnknown;
  // The ranking: the gap times the receiver's respondents (how many staff
  // the knowledge could reach), times one plus the average rating both
  // ways (a channel to use ranks before one to build).
  double score = 0;
};

struct SharingPairs {
  std::vector<SharingPair> pairs;  // findings only, best first
  std::size_t tests = 0;
};

// The pairs of services inside `where` (one municipality's round) where one
// holds an area the other lacks, each a significant and material gap
// after Benjamini–Hochberg over every pair tested, ranked by score.
// Services that say nothing of who they are («Tjeneste ikke oppgitt») and
// a merged group beside a service it includes are left out.
Result<SharingPairs> FindSharingPairs(const Dataset& data, const instrument::Instrument& instrument,
                                      Publication& publication, const std::vector<Filter>& where);

// «PPT (94 %) → Barnehage (74 %) om læringsvansker»
std::string DescribePair(const instrument::Instrument& instrument, const SharingPair& pair);

}  // namespace samkart::analysis
