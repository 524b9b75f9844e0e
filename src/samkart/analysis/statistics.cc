#include "samkart/analysis/statistics.h"

#include <algorithm>
#include <cmath>

namespace samkart::analysis {

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

Difference NewcombeDifference(std::size_t count1, std::size_t n1, std::size_t count2,
                              std::size_t n2, double z) {
  Difference d;
  const double p1 = n1 ? static_cast<double>(count1) / static_cast<double>(n1) : 0;
  const double p2 = n2 ? static_cast<double>(count2) / static_cast<double>(n2) : 0;
  const Interval w1 = WilsonInterval(count1, n1, z);
  const Interval w2 = WilsonInterval(count2, n2, z);
  d.estimate = p1 - p2;
  d.interval.low =
      d.estimate - std::sqrt((p1 - w1.low) * (p1 - w1.low) + (w2.high - p2) * (w2.high - p2));
  d.interval.high =
      d.estimate + std::sqrt((w1.high - p1) * (w1.high - p1) + (p2 - w2.low) * (p2 - w2.low));
  d.significant = n1 > 0 && n2 > 0 && (d.interval.low > 0 || d.interval.high < 0);
  return d;
}

}  // namespace samkart::analysis
