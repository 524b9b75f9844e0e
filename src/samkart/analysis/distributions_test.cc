// The distribution functions against R itself: a grid of arguments is
// written to a file, tests/r_reference/distributions.R evaluates pt, qt, pf
// and pbeta on it, and every value must agree to 1e-12 (quantiles: 1e-12
// relative to their size when beyond ±1). Tails from 1e-15 to 1e-3 must in
// addition agree to 1e-12 relative, so that a small tail is computed as a
// tail and not as one minus the rest. Fails, never skips, when Rscript is
// missing.

#include "samkart/analysis/distributions.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/r_reference.h"
#include "support/run_samkart.h"
#include "support/scratch_dir.h"

namespace samkart::analysis {
namespace {

using testing_support::CommandRun;
using testing_support::RunShell;
using testing_support::ScratchDir;

constexpr double kTolerance = 1e-12;
// Tails in this range also agree relatively. Further out Samkart's tails,
// computed as exp(log P), hold only about ε·|log P| relative, up to 1e-13
// for the values down to 1e-300 on the grid, and R's stray further still
// (pf(40, 39.2, 10000) = 6.6e-281 by 4e-10).
constexpr double kSmallestTail = 1e-15;
constexpr double kSmallTail = 1e-3;
constexpr double kRelativeTolerance = 1e-12;

// %.17g: enough digits that R reads back the very same double.
std::string Exact(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// One evaluation: R's function name, its arguments and Samkart's value.
struct Evaluation {
  std::string function;
  double u = 0;
  double v = 0;
  double w = 0;
  double ours = 0;
};

const std::vector<double> kDegreesOfFreedom = {1,  1.5,  2,   3,     3.7,  5,      10,
                                               29, 30.5, 100, 250.3, 1000, 4000.7, 10000};

std::vector<Evaluation> Grid() {
  std::vector<Evaluation> grid;
  auto add = [&grid](const std::string& function, double u, double v, double w, double ours) {
    grid.push_back({function, u, v, w, ours});
  };
  const std::vector<double> probabilities = {1e-12, 1e-10, 1e-8,  1e-6,  1e-4,  0.001,
                                             0.01,  0.025, 0.05,  0.1,   0.3,   0.5,
                                             0.7,   0.9,   0.975, 0.995, 0.999, 1 - 1e-6};
  for (const double df : kDegreesOfFreedom) {
    for (const double p : probabilities) {
      add("qt", p, df, 0, StudentTQuantile(p, df));
      // The upper quantiles by the exact 1 − p, and the CDF at both.
      add("qt", 1 - p, df, 0, StudentTQuantile(1 - p, df));
      const double t = StudentTQuantile(p, df);
      add("pt", t, df, 0, StudentTCdf(t, df));
      add("pt", -t, df, 0, StudentTCdf(-t, df));
    }
    for (const double t : {-1e6, -50.0, -7.5, -2.0, -0.3, 0.0, 1e-9, 0.8, 1.96, 4.0, 33.0, 1e5}) {
      add("pt", t, df, 0, StudentTCdf(t, df));
    }
  }
  const std::vector<double> numerator_df = {1, 1.7, 2, 3.7, 5, 14, 39.2, 250.3};
  for (const double df1 : numerator_df) {
    for (const double df2 : kDegreesOfFreedom) {
      for (const double f : {1e-4, 0.05, 0.2, 0.8, 1.0, 1.5, 2.5, 5.0, 12.0, 40.0, 300.0, 1e4}) {
        add("pf", f, df1, df2, FUpperTail(f, df1, df2));
      }
      // F at upper quantiles from p = 1e-3 down to about 1e-12, found by
      // bisection on the log scale of f, so the far tail is on the grid.
      for (const double target : {1e-3, 1e-6, 1e-9, 1e-12}) {
        double low = 1;
        double high = 1;
        while (FUpperTail(high, df1, df2) > target) high *= 2;
        for (int i = 0; i < 60; ++i) {
          const double middle = std::sqrt(low * high);
          (FUpperTail(middle, df1, df2) > target ? low : high) = middle;
        }
        add("pf", high, df1, df2, FUpperTail(high, df1, df2));
      }
    }
  }
  const std::vector<double> shapes = {0.5, 1, 2.5, 10, 57.3, 500, 5000};
  for (const double a : shapes) {
    for (const double b : shapes) {
      for (const double x : {1e-6, 0.001, 0.05, 0.2, 0.5, 0.8, 0.95, 0.999, 1 - 1e-6}) {
        add("pbeta", x, a, b, RegularizedIncompleteBeta(a, b, x));
      }
      // Near the centre, where the continued fraction is longest.
      const double centre = a / (a + b);
      for (const double shift : {-0.01, 0.0, 0.01}) {
        const double x = std::clamp(centre + shift, 0.0, 1.0);
        add("pbeta", x, a, b, RegularizedIncompleteBeta(a, b, x));
      }
    }
  }
  return grid;
}

TEST(Distributions, AgreeWithRToTwelveDigits) {
  const auto missing = testing_support::RscriptMissing(
      "r-base-core (testen sammenligner med Rs pt, qt, pf og pbeta)");
  ASSERT_FALSE(missing) << *missing;

  const std::vector<Evaluation> grid = Grid();
  ScratchDir dir;
  const auto grid_path = dir / "grid.csv";
  const auto result_path = dir / "result.txt";
  {
    std::ofstream out(grid_path);
    for (const Evaluation& e : grid) {
      out << e.function << ',' << Exact(e.u) << ',' << Exact(e.v) << ',' << Exact(e.w) << '\n';
    }
  }
  const CommandRun r = testing_support::RunRReference("distributions.R", {grid_path, result_path});
  ASSERT_EQ(r.exit_code, 0) << r.output;

  std::vector<double> reference;
  {
    std::ifstream in(result_path);
    std::string line;
    while (std::getline(in, line)) reference.push_back(std::strtod(line.c_str(), nullptr));
  }
  ASSERT_EQ(reference.size(), grid.size()) << r.output;

  std::map<std::string, double> largest;  // by function: the largest (scaled) deviation
  std::map<std::string, double> largest_relative;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const Evaluation& e = grid[i];
    const double expected = reference[i];
    const std::string where =
        e.function + "(" + Exact(e.u) + ", " + Exact(e.v) +
        (e.function == "pf" || e.function == "pbeta" ? ", " + Exact(e.w) : std::string()) + ")";
    ASSERT_TRUE(std::isfinite(expected)) << where;
    ASSERT_TRUE(std::isfinite(e.ours)) << where;
    // Quantiles far out are large numbers; compare those relatively.
    const double scale = e.function == "qt" ? std::max(1.0, std::fabs(expected)) : 1.0;
    const double deviation = std::fabs(e.ours - expected) / scale;
    EXPECT_LE(deviation, kTolerance)
        << where << ": Samkart " << Exact(e.ours) << ", R " << Exact(expected);
    largest[e.function] = std::max(largest[e.function], deviation);
    if (e.function != "qt" && expected >= kSmallestTail && expected < kSmallTail) {
      const double relative = std::fabs(e.ours - expected) / expected;
      EXPECT_LE(relative, kRelativeTolerance)
          << where << ": Samkart " << Exact(e.ours) << ", R " << Exact(expected);
      largest_relative[e.function] = std::max(largest_relative[e.function], relative);
    }
  }
  std::printf(
      "Fordelinger mot R: %zu verdier; største avvik: pt %.3g, qt %.3g (relativt utenfor ±1), "
      "pf %.3g, pbeta %.3g; relativt for haler fra 1e-15 til 1e-3: pt %.3g, pf %.3g, pbeta %.3g\n",
      grid.size(), largest["pt"], largest["qt"], largest["pf"], largest["pbeta"],
      largest_relative["pt"], largest_relative["pf"], largest_relative["pbeta"]);
}

TEST(Distributions, KnownValuesAndLimits) {
  // Cauchy (df = 1): P(T <= 1) = 3/4 and its quantiles are tan(π(p − ½)).
  EXPECT_NEAR(StudentTCdf(1, 1), 0.75, 1e-15);
  EXPECT_NEAR(StudentTQuantile(0.75, 1), 1, 1e-14);
  // df = 2: P(T <= t) = ½ + t / (2√(2 + t²)).
  EXPECT_NEAR(StudentTCdf(3, 2), 0.5 + 3 / (2 * std::sqrt(11.0)), 1e-15);
  // I_x(1, 1) = x and I_x(a, 1) = x^a.
  EXPECT_NEAR(RegularizedIncompleteBeta(1, 1, 0.3), 0.3, 1e-15);
  EXPECT_NEAR(RegularizedIncompleteBeta(2.5, 1, 0.4), std::pow(0.4, 2.5), 1e-15);
  // F(1, df) is t²: P(F > t²) = 2·P(T > t).
  EXPECT_NEAR(FUpperTail(4, 1, 7.5), 2 * (1 - StudentTCdf(2, 7.5)), 1e-14);
  // Symmetry, the edges and arguments outside the domain.
  EXPECT_EQ(StudentTQuantile(0.5, 3), 0);
  EXPECT_EQ(StudentTQuantile(0.25, 3), -StudentTQuantile(0.75, 3));
  EXPECT_EQ(StudentTQuantile(0, 3), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(StudentTQuantile(1, 3), std::numeric_limits<double>::infinity());
  EXPECT_EQ(RegularizedIncompleteBeta(2, 3, 0), 0);
  EXPECT_EQ(RegularizedIncompleteBeta(2, 3, 1), 1);
  EXPECT_EQ(FUpperTail(0, 2, 3), 1);
  EXPECT_TRUE(std::isnan(StudentTCdf(1, 0)));
  EXPECT_TRUE(std::isnan(StudentTQuantile(1.5, 4)));
  EXPECT_TRUE(std::isnan(FUpperTail(1, -1, 3)));
  EXPECT_TRUE(std::isnan(RegularizedIncompleteBeta(2, 3, 1.2)));
}

}  // namespace
}  // namespace samkart::analysis
