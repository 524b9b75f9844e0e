// Interval estimates for shares and for differences between shares, as the
// national report's comparisons need them: Wilson's score interval for one
// proportion and Newcombe's hybrid score interval (his method 10) for the
// difference of two independent proportions.
#pragma once

#include <cstddef>

namespace samkart::analysis {

// z for a two-sided 95 % interval.
inline constexpr double kZ95 = 1.959963984540054;

struct Interval {
  double low = 0;
  double high = 0;
};

// Wilson score interval for count/n. n = 0 gives [0, 1].
Interval WilsonInterval(std::size_t count, std::size_t n, double z = kZ95);

struct Difference {
  double estimate = 0;  // p1 - p2
  Interval interval;
  bool significant = false;  // the interval excludes 0
};

// Newcombe's hybrid score interval for p1 - p2 from the two Wilson intervals.
Difference NewcombeDifference(std::size_t count1, std::size_t n1, std::size_t count2,
                              std::size_t n2, double z = kZ95);

}  // namespace samkart::analysis
