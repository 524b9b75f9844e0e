#include "samkart/analysis/statistics.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <numeric>

#include "samkart/analysis/distributions.h"

namespace samkart::analysis {

namespace {

double Share(std::size_t count, std::size_t n) {
  return n ? static_cast<double>(count) / static_cast<double>(n) : 0;
}

// Student's t for a two-sided 95 % interval on `df` degrees of freedom.
// Cached, since a table asks for the same few values many times; the
// cache is a plain array of atomics, so threads may fill it at once.
double T95(std::size_t df) {
  constexpr std::size_t kCached = 4096;
  static std::array<std::atomic<double>, kCached> cache{};
  if (df >= kCached) return StudentTQuantile(0.975, static_cast<double>(df));
  double t = cache[df].load(std::memory_order_relaxed);
  if (t == 0) {
    t = StudentTQuantile(0.975, static_cast<double>(df));
    cache[df].store(t, std::memory_order_relaxed);
  }
  return t;
}

}  // namespace

Interval WilsonInterval(std::size_t count, std::size_t n, double z) {
  if (n == 0) return {0, 1};
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(count) / nn;
  const double z2 = z * z;
  const double denominator = 1 + z2 / nn;
  const double center = (p + z2 / (2 * nn)) / denominator;
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denominator;
  // Clamp rounding noise at the edges (count = 0 or n).
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

ClusterSums& ClusterSums::operator+=(const ClusterSums& other) {
  nn += other.nn;
  yn += other.yn;
  yy += other.yy;
  rounds += other.rounds;
  municipalities += other.municipalities;
  return *this;
}

ClusterSums& ClusterSums::operator-=(const ClusterSums& other) {
  nn -= other.nn;
  yn -= other.yn;
  yy -= other.yy;
  rounds -= std::min(rounds, other.rounds);
  municipalities -= std::min(municipalities, other.municipalities);
  return *this;
}

bool IsDesignBased(const ShareSample& s) {
  return s.clusters.municipalities >= 2 && s.clusters.rounds >= 2 && s.design_rounds >= 2 &&
         s.count > 0 && s.count < s.n;
}

double ShareVariance(const ShareSample& s) {
  if (s.n == 0) return 0;
  const double n = static_cast<double>(s.n);
  const double p = Share(s.count, s.n);
  if (!IsDesignBased(s)) return p * (1 - p) / n;
  const double m = static_cast<double>(s.design_rounds);
  // Σ (y_c − p·n_c)², expanded so the sums of disjoint parts add up.
  const double residual =
      std::max(0.0, s.clusters.yy - 2 * p * s.clusters.yn + p * p * s.clusters.nn);
  return m / (m - 1) * residual / (n * n);
}

std::optional<double> DesignEffect(const ShareSample& s) {
  if (!IsDesignBased(s)) return std::nullopt;
  const double p = Share(s.count, s.n);
  return ShareVariance(s) / (p * (1 - p) / static_cast<double>(s.n));
}

Interval ShareInterval(const ShareSample& s) {
  if (!IsDesignBased(s)) return WilsonInterval(s.count, s.n);
  const double p = Share(s.count, s.n);
  // The delta method: SE(logit p) = SE(p) / (p(1 − p)).
  const double se_logit = std::sqrt(ShareVariance(s)) / (p * (1 - p));
  const double t = T95(s.clusters.rounds - 1);
  const double logit = std::log(p / (1 - p));
  auto expit = [](double x) { return 1 / (1 + std::exp(-x)); };
  return {expit(logit - t * se_logit), expit(logit + t * se_logit)};
}

Difference MoverDifference(double a, const Interval& a_interval, double b,
                           const Interval& b_interval) {
  Difference d;
  d.estimate = a - b;
  d.interval.low = d.estimate - std::sqrt((a - a_interval.low) * (a - a_interval.low) +
                                          (b_interval.high - b) * (b_interval.high - b));
  d.interval.high = d.estimate + std::sqrt((a_interval.high - a) * (a_interval.high - a) +
                                           (b - b_interval.low) * (b - b_interval.low));
  d.significant = d.interval.low > 0 || d.interval.high < 0;
  if (d.estimate == 0) {
    d.p_value = 1;
  } else {
    const double towards_zero =
        d.estimate > 0 ? d.estimate - d.interval.low : d.interval.high - d.estimate;
    d.p_value = towards_zero <= 0
                    ? 0
                    : std::erfc(std::abs(d.estimate) / (towards_zero / kZ95) / std::sqrt(2.0));
  }
  return d;
}

Difference CompareShares(const ShareSample& first, const ShareSample& second) {
  Difference d = MoverDifference(Share(first.count, first.n), ShareInterval(first),
                                 Share(second.count, second.n), ShareInterval(second));
  if (first.n == 0 || second.n == 0) {
    d.significant = false;
    d.p_value = 1;
  }
  return d;
}

std::vector<double> BenjaminiHochberg(const std::vector<double>& p_values) {
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  // Largest first, as p.adjust walks them: adjusted = cummin(m / i · p).
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p_values[a] > p_values[b]; });
  std::vector<double> adjusted(m, 1);
  double running = 1;
  for (std::size_t k = 0; k < m; ++k) {
    const std::size_t rank = m - k;  // 1-based rank from the smallest
    const double value = static_cast<double>(m) / static_cast<double>(rank) * p_values[order[k]];
    running = std::min(running, value);
    adjusted[order[k]] = std::min(1.0, running);
  }
  return adjusted;
}

void ControlFalseDiscoveries(const std::vector<Difference*>& tested) {
  std::vector<double> p_values;
  p_values.reserve(tested.size());
  for (const Difference* d : tested) p_values.push_back(d->p_value);
  const std::vector<double> adjusted = BenjaminiHochberg(p_values);
  for (std::size_t i = 0; i < tested.size(); ++i) {
    tested[i]->significant = tested[i]->significant && adjusted[i] < kFalseDiscoveryRate;
  }
}

bool IsFinding(const Difference& difference) {
  return difference.significant && std::abs(difference.estimate) >= kMaterialDifference;
}

}  // namespace samkart::analysis
