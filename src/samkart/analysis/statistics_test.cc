#include "samkart/analysis/statistics.h"

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/r_reference.h"
#include "support/run_samkart.h"

namespace samkart::analysis {
namespace {

using testing_support::CommandRun;

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

// A share inside one municipality: Wilson's interval.
ShareSample Simple(std::size_t count, std::size_t n) { return {count, n, {}, 0}; }

TEST(Newcombe, MatchesNewcombesTableII) {
  // Example (a): 56/70 − 48/80, method 10: 0.0524 to 0.3339.
  const Difference a = CompareShares(Simple(56, 70), Simple(48, 80));
  EXPECT_NEAR(a.estimate, 0.2, 1e-12);
  EXPECT_NEAR(a.interval.low, 0.0524, 5e-5);
  EXPECT_NEAR(a.interval.high, 0.3339, 5e-5);
  EXPECT_TRUE(a.significant);
  // Example (c): 5/56 − 0/29: −0.0381 to 0.1926, not significant.
  const Difference c = CompareShares(Simple(5, 56), Simple(0, 29));
  EXPECT_NEAR(c.interval.low, -0.0381, 5e-5);
  EXPECT_NEAR(c.interval.high, 0.1926, 5e-5);
  EXPECT_FALSE(c.significant);
  // Example (f): 10/10 − 0/10: 0.6075 to 1.0000.
  const Difference f = CompareShares(Simple(10, 10), Simple(0, 10));
  EXPECT_NEAR(f.interval.low, 0.6075, 5e-5);
  EXPECT_NEAR(f.interval.high, 1.0, 5e-5);
}

TEST(CompareShares, SignificantExactlyWhenThePValueIsBelowFivePercent) {
  // Wilson on both sides: the same interval as Newcombe's.
  for (std::size_t n1 : {12u, 40u, 250u}) {
    for (std::size_t n2 : {15u, 90u, 1000u}) {
      for (std::size_t c1 = 0; c1 <= n1; c1 += n1 / 6 + 1) {
        for (std::size_t c2 = 0; c2 <= n2; c2 += n2 / 5 + 1) {
          const Difference d = CompareShares(Simple(c1, n1), Simple(c2, n2));
          // Newcombe's method 10 from the two Wilson intervals.
          const double p1 = static_cast<double>(c1) / static_cast<double>(n1);
          const double p2 = static_cast<double>(c2) / static_cast<double>(n2);
          const Interval w1 = WilsonInterval(c1, n1), w2 = WilsonInterval(c2, n2);
          EXPECT_DOUBLE_EQ(
              d.interval.low,
              p1 - p2 - std::sqrt((p1 - w1.low) * (p1 - w1.low) + (w2.high - p2) * (w2.high - p2)));
          EXPECT_DOUBLE_EQ(
              d.interval.high,
              p1 - p2 + std::sqrt((w1.high - p1) * (w1.high - p1) + (p2 - w2.low) * (p2 - w2.low)));
          EXPECT_EQ(d.significant, d.p_value < 0.05) << c1 << "/" << n1 << " " << c2 << "/" << n2;
        }
      }
    }
  }
  // Equal shares: nothing to find.
  const Difference equal = CompareShares(Simple(46, 50), Simple(460, 500));
  EXPECT_EQ(equal.estimate, 0);
  EXPECT_EQ(equal.p_value, 1);
  EXPECT_FALSE(equal.significant);
}

TEST(BenjaminiHochberg, AgreesWithRsPAdjust) {
  const std::vector<double> p = {0.01,  0.04, 0.03,  0.005, 0.2,  0.5,  0.04,
                                 0.001, 0.9,  0.049, 0.02,  0.03, 0.75, 1.0};
  const auto missing =
      testing_support::RscriptMissing("r-base-core (testen sammenligner med p.adjust)");
  ASSERT_FALSE(missing) << *missing;
  std::ostringstream vector;
  for (std::size_t i = 0; i < p.size(); ++i) vector << (i ? "," : "") << p[i];
  const CommandRun r = testing_support::RunShell("Rscript -e 'cat(sprintf(\"%.17g\", p.adjust(c(" +
                                                 vector.str() + "), \"BH\")), sep = \"\\n\")'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream lines(r.output);
  const std::vector<double> adjusted = BenjaminiHochberg(p);
  ASSERT_EQ(adjusted.size(), p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    std::string line;
    ASSERT_TRUE(std::getline(lines, line)) << r.output;
    EXPECT_NEAR(adjusted[i], std::strtod(line.c_str(), nullptr), 1e-15) << i;
  }
}

}  // namespace
}  // namespace samkart::analysis
