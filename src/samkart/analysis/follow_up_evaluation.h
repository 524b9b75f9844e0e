// The follow-up evaluation: did things improve where municipalities ran a
// follow-up survey after their baseline survey («0-punktsmåling»)?
//
// The units are municipalities, not respondents. A municipality with both a
// baseline and a follow-up round contributes its change in an indicator,
// Δ_m = follow-up share − baseline share (the item's reported share as
// ComputeTable gives it, all of the municipality's rounds of each kind
// together as its published cell is), and the pooled change is the plain
// mean of Δ_m: a municipality that improved counts once, however many
// staff it has, because the question is whether municipalities that
// followed up improved, and one large municipality must not speak for the
// others. Its 95 % interval is mean ± t(0.975, M − 1) · sd/√M with the
// two-sided t-test's p-value, from at least kMinMunicipalities
// municipalities; with fewer the indicator is too few to say anything of,
// and no estimate is given.
//
// The interval assumes that the municipalities are a sample of
// exchangeable units from the municipalities that do or could follow up:
// independent of each other, none special, their changes spread around a
// common mean. It says nothing about municipalities that differ from these
// in why they chose to follow up, and each municipality's own sampling
// error enters only through the spread of Δ_m.
//
// Only published numbers. Each municipality's cells come from ComputeTable
// by municipality (and by municipality × service) within the baseline
// rounds and within the follow-up rounds — two round sets, each its own
// table — through Publication::Apply. A municipality counts in an
// indicator only when both of its cells are visible and have answers, so
// the pooled change is a function of published cells and tells nothing of
// a hidden one.
//
// Findings. The p-values of every row of one evaluation (each item, and
// each item × service when asked by service) are adjusted together with
// Benjamini–Hochberg; a change is a finding only when significant after
// the adjustment at 5 % and at least kMaterialDifference (5 percentage
// points) in size. Whether a rise is better, worse or neither is the
// family's polarity.
//
// One municipality may be set beside the others: its own change with the
// MOVER interval of two independent shares, the pooled change of the
// other municipalities (never a pool containing it), and the difference
// between the two with their intervals combined the MOVER way; its rows
// are adjusted among themselves.
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

struct FollowUpRequest {
  std::vector<std::string> families{};  // family ids; empty: every family of the instrument
  bool by_service = false;              // also each service of each item
  std::optional<int> municipality{};    // also this municipality against the others
};

enum class FollowUpVerdict {
  kImproved,   // a finding in the good direction of the family
  kWorsened,   // a finding in the bad direction
  kIncreased,  // a finding upwards in a descriptive family
  kDecreased,  // a finding downwards in a descriptive family
  kUnchanged,  // not significant, or too small to matter
  kTooFew,     // fewer than kMinMunicipalities municipalities
  // The municipality's own rows only: a cell of its own hidden by the
  // gate, or one without answers.
  kNotPublished,
  kNoAnswers,
};

// «bedre», «dårligere», «økt», «redusert», «ingen sikker endring», «for få
// kommuner»; «ikke publisert» and «ingen svar».
const char* FollowUpVerdictLabel(FollowUpVerdict verdict);

// One municipality's published cells in one indicator and its change.
struct MunicipalityChange {
  int municipality = 0;
  Cell baseline{};
  Cell follow_up{};
  double change = 0;  // follow_up.share − baseline.share
};

// The mean change over municipalities with its t interval.
struct PooledChange {
  double estimate = 0;
  Interval interval{};
  double p_value = 1;             // two-sided t-test of a mean change of 0
  double standard_deviation = 0;  // of the municipalities' changes
};

// One indicator: an item, or an item within one service.
struct FollowUpRow {
  std::size_t item = 0;          // index into Dataset::item_refs
  std::optional<int> service{};  // the service code; empty: all services
  // The municipalities counted, by number: both cells visible with answers.
  std::vector<MunicipalityChange> municipalities{};
  std::size_t rose = 0;  // municipalities whose share rose (Δ_m > 0)
  std::size_t fell = 0;  // and fell (Δ_m < 0); for a family where higher is worse, a fall is better
  std::optional<PooledChange> change{};  // empty with fewer than kMinMunicipalities
  double adjusted_p_value = 1;           // Benjamini–Hochberg over the evaluation's rows
  bool finding = false;                  // significant after adjustment and material
  FollowUpVerdict verdict = FollowUpVerdict::kTooFew;
};

// One indicator of the municipality beside the other municipalities.
struct MunicipalityFollowUpRow {
  std::size_t item = 0;
  std::optional<int> service{};
  // Its published cells (`suppressed` when the gate hides them).
  Cell baseline{};
  Cell follow_up{};
  // Follow-up − baseline with the MOVER interval; empty when a cell is
  // hidden or has no answers.
  std::optional<Difference> own_change{};
  // The pooled change of the other municipalities; empty with fewer than
  // kMinMunicipalities of them.
  std::size_t other_municipalities = 0;
  std::optional<PooledChange> others{};
  // Own change − the others' change, its interval combined from the two
  // (MOVER) and the p-value of that interval, as CompareShares gives one.
  std::optional<Difference> difference{};
  double adjusted_p_value = 1;  // Benjamini–Hochberg over this municipality's rows
  bool finding = false;
  // Of the difference: «bedre» when the municipality changed for the better
  // than the others did.
  FollowUpVerdict verdict = FollowUpVerdict::kTooFew;
};

struct MunicipalityFollowUp {
  int municipality = 0;
  std::vector<MunicipalityFollowUpRow> rows{};
};

struct FollowUpEvaluation {
  // Per item in the instrument's order (the requested families in the
  // order given): the item, then its services in code order when by service.
  std::vector<FollowUpRow> rows{};
  std::optional<MunicipalityFollowUp> municipality{};
};

// Evaluates the follow-up rounds against the baseline rounds. `publication`
// must be the gate of `data`. Fails on an unknown family, when the gate
// refuses single municipalities (a reader's publication), and when the
// requested municipality lacks a baseline or a follow-up round.
Result<FollowUpEvaluation> EvaluateFollowUp(const Dataset& data,
                                            const instrument::Instrument& instrument,
                                            Publication& publication,
                                            const FollowUpRequest& request);

}  // namespace samkart::analysis
