// Interval estimates for shares and for differences between shares.
//
// A share inside one municipality is a share of its staff who answered:
// Wilson's score interval. A share pooled over several municipalities comes
// from whole survey rounds (municipality × year), not from a simple random
// sample of individuals: staff of one municipality answer alike, so the
// round is the cluster, as R's survey package treats it with
// svydesign(ids = ~round). Its variance is the linearised (with
// replacement) variance of a ratio over clusters, and its interval is
// svyciprop's logit interval: the interval for logit(p) from that variance
// with Student's t on (rounds − 1) degrees of freedom, turned back into a
// share. The logit interval stays inside [0, 1] and is asymmetric near the
// edges as Wilson's is, and it is the survey package's default.
//
// A difference between two independent shares uses the MOVER
// (square-and-add) interval from the two shares' own intervals, which is
// Newcombe's hybrid score interval when both are Wilson intervals. Its
// p-value is that of the normal approximation whose 95 %
// interval reaches as far towards zero as the MOVER interval does: cheap,
// and below 0.05 exactly when the interval excludes zero.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace samkart::analysis {

// z for a two-sided 95 % interval.
inline constexpr double kZ95 = 1.959963984540054;

struct Interval {
  double low = 0;
  double high = 0;
};

// Wilson score interval for count/n. n = 0 gives [0, 1].
Interval WilsonInterval(std::size_t count, std::size_t n, double z = kZ95);

// Sums over the survey rounds a share is pooled from, with n_c the round's
// respondents in the denominator and y_c those reporting: Σ n_c², Σ y_c·n_c,
// Σ y_c², and how many rounds and municipalities have respondents in it.
// Additive over disjoint sets of rounds, so a sum of groups from different
// municipalities, or the rest of the nation (the nation minus one
// municipality), has the sums of its parts.
struct ClusterSums {
  double nn = 0;
  double yn = 0;
  double yy = 0;
  std::size_t rounds = 0;
  std::size_t municipalities = 0;

  void Add(double n, double y) {
    nn += n * n;
    yn += y * n;
    yy += y * y;
    ++rounds;
  }
  ClusterSums& operator+=(const ClusterSums& other);
  ClusterSums& operator-=(const ClusterSums& other);
};

// What an interval for a share rests on.
struct ShareSample {
  std::size_t count = 0;
  std::size_t n = 0;
  ClusterSums clusters;
  // Rounds in the whole survey (the m of the m/(m − 1) factor): a domain
  // is estimated inside the whole design, as svymean on a subset does.
  std::size_t design_rounds = 0;
};

// Pooled over two or more municipalities (and rounds), with a share
// strictly between 0 and 1: the design-based interval applies. Otherwise
// the Wilson interval (a share of 0 % or 100 % has no design variance to
// speak of).
bool IsDesignBased(const ShareSample& sample);

// The design-based variance of the share (see the file comment), or the
// simple-random-sampling variance p(1 − p)/n when it is not design-based.
double ShareVariance(const ShareSample& sample);

// The design effect: design variance over p(1 − p)/n; nullopt when the
// interval is not design-based.
std::optional<double> DesignEffect(const ShareSample& sample);

// The 95 % interval for the share.
Interval ShareInterval(const ShareSample& sample);

struct Difference {
  double estimate = 0;  // p1 - p2
  Interval interval;
  bool significant = false;  // the interval excludes 0
  double p_value = 1;        // two-sided, consistent with the interval
};

// The MOVER interval for p1 − p2 of two independent samples, each with its
// own interval, at 95 %, and its p-value.
Difference CompareShares(const ShareSample& first, const ShareSample& second);

// The MOVER (square-and-add) interval for a − b of two independent
// estimates, each with its own 95 % interval, and the p-value consistent
// with it: what CompareShares does with two shares, for any two estimates
// (a municipality's change beside the pooled change of the others).
Difference MoverDifference(double a, const Interval& a_interval, double b,
                           const Interval& b_interval);

// The smallest difference between two shares worth reporting as a finding
// (a strength, a gap, a change, a question for discussion): 5 percentage
// points. A smaller difference can be significant with many respondents,
// but it is not one a service can act on, and the national report treats
// differences of this size as the first that matter.
inline constexpr double kMaterialDifference = 0.05;

// Benjamini–Hochberg adjusted p-values (as R's p.adjust(p, "BH")), in the
// order given.
std::vector<double> BenjaminiHochberg(const std::vector<double>& p_values);

// The false discovery rate every report and analysis controls over the
// tests it makes together.
inline constexpr double kFalseDiscoveryRate = 0.05;

// Benjamini–Hochberg over the differences tested together: afterwards a
// difference is `significant` when it is so after the adjustment.
void ControlFalseDiscoveries(const std::vector<Difference*>& tested);

// A finding (a strength, a gap, a change, a pocket): significant after the
// false discovery control and at least kMaterialDifference in size.
bool IsFinding(const Difference& difference);

}  // namespace samkart::analysis
