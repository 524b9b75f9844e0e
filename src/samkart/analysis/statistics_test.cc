#include "samkart/analysis/statistics.h"

#include <gtest/gtest.h>

namespace samkart::analysis {
namespace {

// Reference values from Newcombe (1998), «Interval estimation for the
// difference between independent proportions», Statistics in Medicine 17,
// Table II, and «Two-sided confidence intervals for the single proportion»,
// Statistics in Medicine 17, Table I (method 3, Wilson score without
// continuity correction). Printed to four decimals.
TEST(Wilson, MatchesNewcombesTable) {
  const Interval a = WilsonInterval(81, 263);
  EXPECT_NEAR(a.low, 0.2553, 5e-5);
  EXPECT_NEAR(a.high, 0.3662, 5e-5);
  const Interval b = WilsonInterval(15, 148);
  EXPECT_NEAR(b.low, 0.0624, 5e-5);
  EXPECT_NEAR(b.high, 0.1605, 5e-5);
  const Interval zero = WilsonInterval(0, 20);
  EXPECT_DOUBLE_EQ(zero.low, 0.0);
  EXPECT_NEAR(zero.high, 0.1611, 5e-5);
  const Interval all = WilsonInterval(29, 29);
  EXPECT_NEAR(all.low, 0.8830, 5e-5);
  EXPECT_DOUBLE_EQ(all.high, 1.0);
}

TEST(Wilson, EmptyDenominatorGivesTheWholeRange) {
  const Interval none = WilsonInterval(0, 0);
  EXPECT_EQ(none.low, 0.0);
  EXPECT_EQ(none.high, 1.0);
}

TEST(Newcombe, MatchesNewcombesTableII) {
  // Example (a): 56/70 − 48/80, method 10: 0.0524 to 0.3339.
  const Difference a = NewcombeDifference(56, 70, 48, 80);
  EXPECT_NEAR(a.estimate, 0.2, 1e-12);
  EXPECT_NEAR(a.interval.low, 0.0524, 5e-5);
  EXPECT_NEAR(a.interval.high, 0.3339, 5e-5);
  EXPECT_TRUE(a.significant);
  // Example (c): 5/56 − 0/29: −0.0381 to 0.1926, not significant.
  const Difference c = NewcombeDifference(5, 56, 0, 29);
  EXPECT_NEAR(c.interval.low, -0.0381, 5e-5);
  EXPECT_NEAR(c.interval.high, 0.1926, 5e-5);
  EXPECT_FALSE(c.significant);
  // Example (f): 10/10 − 0/10: 0.6075 to 1.0000.
  const Difference f = NewcombeDifference(10, 10, 0, 10);
  EXPECT_NEAR(f.interval.low, 0.6075, 5e-5);
  EXPECT_NEAR(f.interval.high, 1.0, 5e-5);
}

}  // namespace
}  // namespace samkart::analysis
