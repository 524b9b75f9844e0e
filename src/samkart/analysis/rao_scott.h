// Does a reported share differ between the groups of a breakdown (regions,
// size groups, services)? Pearson's X² on the table of groups × (reports,
// does not report), corrected for the survey design by Rao and Scott's
// second-order adjustment.
//
// Respondents come in survey rounds (municipality × year), and staff of one
// round answer alike, so the round is the cluster. A plain X² would treat
// them as independent and find differences far too often. The test is R's
//
//   design <- svydesign(ids = ~round, data = all_rows)
//   svychisq(~y + group, subset(design, in_domain), statistic = "F")
//
// from the survey package: no strata, weights or finite population
// correction; the domain is the item's denominator and any filter. With
// Delta the design-effect matrix of the table's interaction contrasts
// (rao_scott.cc), F = X²/tr(Delta) on ndf = tr(Delta)²/tr(Delta²) and
// ddf = ndf·(rounds in the domain − 1) degrees of freedom.
#pragma once

#include <cstddef>
#include <vector>

#include "samkart/core/result.h"

namespace samkart::analysis {

// One round's contribution to one group: its respondents in the domain (n)
// and how many of them report (y). A round may have several entries for a
// group; they add up.
struct ClusterGroupCount {
  std::size_t cluster = 0;  // any id of the round
  std::size_t group = 0;    // 0 .. groups − 1
  double n = 0;
  double y = 0;
};

struct RaoScottResult {
  double pearson = 0;             // Pearson's X² of the plain count table
  double f = 0;                   // X² / tr(Delta)
  double ndf = 0;                 // numerator degrees of freedom of F
  double ddf = 0;                 // denominator degrees of freedom of F
  double p_value = 1;             // P(F > f)
  double mean_design_effect = 1;  // tr(Delta) / (groups tested − 1)
  std::size_t groups = 0;         // groups with respondents in the domain, the ones tested
  std::size_t clusters = 0;       // rounds with respondents in the domain
};

// The Rao–Scott F test of whether the share reporting differs between groups.
// Groups without respondents in the domain are left out, as R's table has no
// column for them. design_clusters is the number of rounds in the whole
// design, domain or not: the variance of a domain estimate counts the rounds
// without respondents in it as contributing zero (the m of m/(m − 1)).
// Fails, with a message for the user, when fewer than two groups or rounds
// have respondents, when every respondent answers alike, when the answers
// do not vary between rounds at all, or when the counts are inconsistent.
Result<RaoScottResult> RaoScottTest(const std::vector<ClusterGroupCount>& counts,
                                    std::size_t groups, std::size_t design_clusters);

}  // namespace samkart::analysis
