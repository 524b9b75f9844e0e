// The Rao–Scott test against R's survey package: synthetic clustered
// respondents are written to a file, tests/r_reference/rao_scott.R runs
// svychisq(~y + group, subset(design, in_domain), statistic = "F") on them,
// and X², F, its degrees of freedom and the p-value must agree to 1e-9
// (relative for the statistics, absolute for p). Fails, never skips, when
// Rscript or the survey package is missing.

#include "samkart/analysis/rao_scott.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
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

constexpr double kTolerance = 1e-9;

// Random draws that are the same with every standard library: the output of
// std::mt19937 is fixed by the standard, that of the std::*_distribution
// classes is not.
class Draws {
 public:
  explicit Draws(std::uint32_t seed) : engine_(seed) {}
  // Uniform on (0, 1).
  double Uniform() { return (static_cast<double>(engine_()) + 0.5) / 4294967296.0; }
  // Uniform on low .. high.
  std::size_t Integer(std::size_t low, std::size_t high) {
    const auto offset = static_cast<std::size_t>(Uniform() * static_cast<double>(high - low + 1));
    return low + std::min(offset, high - low);
  }
  bool Chance(double p) { return Uniform() < p; }
  // Standard normal by Box–Muller.
  double Normal() {
    const double radius = std::sqrt(-2 * std::log(Uniform()));
    return radius * std::cos(2 * std::numbers::pi * Uniform());
  }

 private:
  std::mt19937 engine_;
};

struct Respondent {
  std::size_t round = 0;
  std::size_t group = 0;
  int y = 0;
  bool in_domain = false;
};

// A synthetic survey: rounds of respondents whose answers share the round's
// random effect on the logit, so that a round answers alike.
struct Survey {
  std::string name;
  std::uint32_t seed = 1;
  std::size_t rounds = 80;
  std::size_t min_size = 5;
  std::size_t max_size = 60;
  std::size_t groups = 6;
  // The group belongs to the round (region, size group), not to the
  // respondent (service): then whole rounds differ between groups.
  bool group_per_round = false;
  double round_effect = 0.6;               // standard deviation on the logit scale
  double in_domain = 0.85;                 // chance a respondent is in the denominator
  double rounds_outside = 0;               // share of rounds with no respondent in the domain
  std::optional<std::size_t> empty_group;  // never in the domain
  std::optional<std::size_t> never_reporting_group;  // an empty cell of the table

  std::vector<Respondent> Draw() const {
    Draws draws(seed);
    std::vector<double> group_effect(groups);
    for (std::size_t g = 0; g < groups; ++g) group_effect[g] = 0.25 * static_cast<double>(g % 4);
    std::vector<Respondent> respondents;
    for (std::size_t round = 0; round < rounds; ++round) {
      const std::size_t size = draws.Integer(min_size, max_size);
      const double effect = round_effect * draws.Normal();
      const std::size_t round_group = draws.Integer(0, groups - 1);
      const bool outside = draws.Chance(rounds_outside);
      for (std::size_t i = 0; i < size; ++i) {
        Respondent r;
        r.round = round;
        r.group = group_per_round ? round_group : draws.Integer(0, groups - 1);
        const double logit = -0.4 + group_effect[r.group] + effect;
        r.y = draws.Chance(1 / (1 + std::exp(-logit))) ? 1 : 0;
        if (r.group == never_reporting_group) r.y = 0;
        r.in_domain = !outside && draws.Chance(in_domain) && r.group != empty_group;
        respondents.push_back(r);
      }
    }
    return respondents;
  }
};

std::vector<Survey> Surveys() {
  std::vector<Survey> surveys;
  Survey regions;  // strongly clustered: the group is the round's region
  regions.name = "regioner";
  regions.seed = 11;
  regions.rounds = 90;
  regions.groups = 6;
  regions.group_per_round = true;
  regions.round_effect = 0.9;
  surveys.push_back(regions);

  Survey services;  // many groups inside every round
  services.name = "tjenester";
  services.seed = 12;
  services.rounds = 120;
  services.groups = 15;
  services.round_effect = 0.5;
  surveys.push_back(services);

  Survey empty_group;  // a group with no respondent in the domain
  empty_group.name = "tom_gruppe";
  empty_group.seed = 13;
  empty_group.rounds = 60;
  empty_group.groups = 5;
  empty_group.group_per_round = true;
  empty_group.empty_group = 3;
  surveys.push_back(empty_group);

  Survey filtered;  // whole rounds outside the domain, as under a filter
  filtered.name = "runder_utenfor";
  filtered.seed = 14;
  filtered.rounds = 100;
  filtered.groups = 8;
  filtered.group_per_round = true;
  filtered.round_effect = 0.8;
  filtered.in_domain = 0.7;
  filtered.rounds_outside = 0.25;
  surveys.push_back(filtered);

  Survey small;  // few, small rounds
  small.name = "smaa_runder";
  small.seed = 15;
  small.rounds = 40;
  small.min_size = 5;
  small.max_size = 12;
  small.groups = 3;
  small.round_effect = 0.4;
  surveys.push_back(small);

  Survey zero_cell;  // a group where nobody reports: 1/0 taken as 0
  zero_cell.name = "nullcelle";
  zero_cell.seed = 16;
  zero_cell.rounds = 70;
  zero_cell.groups = 4;
  zero_cell.never_reporting_group = 2;
  zero_cell.rounds_outside = 0.1;
  surveys.push_back(zero_cell);

  Survey independent;  // no round effect: the design changes little
  independent.name = "uavhengige";
  independent.seed = 17;
  independent.rounds = 100;
  independent.groups = 4;
  independent.round_effect = 0;
  surveys.push_back(independent);
  return surveys;
}

// What Samkart is given: the domain's counts per round and group.
std::vector<ClusterGroupCount> Counts(const std::vector<Respondent>& respondents) {
  std::map<std::pair<std::size_t, std::size_t>, ClusterGroupCount> cells;
  for (const Respondent& r : respondents) {
    if (!r.in_domain) continue;
    ClusterGroupCount& cell = cells[{r.round, r.group}];
    cell.cluster = r.round;
    cell.group = r.group;
    cell.n += 1;
    cell.y += r.y;
  }
  std::vector<ClusterGroupCount> counts;
  for (const auto& [key, cell] : cells) counts.push_back(cell);
  return counts;
}

std::size_t RoundsIn(const std::vector<Respondent>& respondents) {
  std::set<std::size_t> rounds;
  for (const Respondent& r : respondents) rounds.insert(r.round);
  return rounds.size();
}

std::vector<std::map<std::string, std::string>> ReadCsv(const std::filesystem::path& path) {
  std::ifstream in(path);
  auto split = [](const std::string& line) {
    std::vector<std::string> fields;
    std::stringstream s(line);
    std::string field;
    while (std::getline(s, field, ',')) fields.push_back(field);
    return fields;
  };
  std::vector<std::map<std::string, std::string>> rows;
  std::string line;
  if (!std::getline(in, line)) return rows;
  const std::vector<std::string> header = split(line);
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = split(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < fields.size(); ++i) row[header[i]] = fields[i];
    rows.push_back(row);
  }
  return rows;
}

double RelativeDeviation(double ours, double reference) {
  return std::fabs(ours - reference) / std::max(std::fabs(reference), 1e-300);
}

TEST(RaoScott, AgreesWithSvychisqOfTheSurveyPackage) {
  const auto missing = testing_support::RscriptMissing(
      "r-base-core og r-cran-survey (testen sammenligner med svychisq i R-pakken survey)");
  ASSERT_FALSE(missing) << *missing;

  const std::vector<Survey> surveys = Surveys();
  std::vector<std::vector<Respondent>> drawn;
  ScratchDir dir;
  const auto input = dir / "respondenter.csv";
  const auto output = dir / "svychisq.csv";
  {
    std::ofstream out(input);
    out << "case,round,group,y,in_domain\n";
    for (std::size_t s = 0; s < surveys.size(); ++s) {
      drawn.push_back(surveys[s].Draw());
      for (const Respondent& r : drawn.back()) {
        out << s << ',' << r.round << ',' << r.group << ',' << r.y << ',' << (r.in_domain ? 1 : 0)
            << '\n';
      }
    }
  }
  const CommandRun r = testing_support::RunRReference("rao_scott.R", {input, output});
  ASSERT_EQ(r.exit_code, 0) << r.output
                            << "\n(Mangler R-pakken survey? Kjør scripts/bootstrap.sh.)";
  const auto reference = ReadCsv(output);
  ASSERT_EQ(reference.size(), surveys.size()) << r.output;

  double largest_statistic = 0;  // relative, over X², F, ndf and ddf
  double largest_p = 0;          // absolute
  std::map<std::string, RaoScottResult> by_name;
  for (std::size_t s = 0; s < surveys.size(); ++s) {
    const Survey& survey = surveys[s];
    SCOPED_TRACE(survey.name);
    const auto& ref = reference[s];
    ASSERT_EQ(std::stoul(ref.at("case")), s);
    const auto result = RaoScottTest(Counts(drawn[s]), survey.groups, RoundsIn(drawn[s]));
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->groups, std::stoul(ref.at("groups")));
    EXPECT_EQ(result->clusters, std::stoul(ref.at("rounds")));
    EXPECT_EQ(RoundsIn(drawn[s]), std::stoul(ref.at("design_rounds")));
    const std::pair<const char*, double> statistics[] = {
        {"pearson", result->pearson}, {"f", result->f}, {"ndf", result->ndf}, {"ddf", result->ddf}};
    for (const auto& [column, ours] : statistics) {
      const double expected = std::stod(ref.at(column));
      const double deviation = RelativeDeviation(ours, expected);
      EXPECT_LE(deviation, kTolerance) << column << ": Samkart " << ours << ", R " << expected;
      largest_statistic = std::max(largest_statistic, deviation);
    }
    const double p = std::stod(ref.at("p"));
    EXPECT_NEAR(result->p_value, p, kTolerance);
    largest_p = std::max(largest_p, std::fabs(result->p_value - p));
    by_name[survey.name] = *result;

    // The cases cover what they are meant to.
    if (survey.empty_group) {
      EXPECT_EQ(result->groups, survey.groups - 1);
    }
    if (survey.rounds_outside > 0) {
      EXPECT_LT(result->clusters, survey.rounds);
    }
  }

  // Whole rounds of one region answer alike: the design effect is large, and
  // F is far below the X²/(groups − 1) that ignoring the rounds would give.
  const RaoScottResult& regions = by_name.at("regioner");
  EXPECT_GT(regions.mean_design_effect, 3);
  EXPECT_LT(regions.f, regions.pearson / static_cast<double>(regions.groups - 1) / 3);
  // Without a round effect the design changes little.
  const RaoScottResult& independent = by_name.at("uavhengige");
  EXPECT_GT(independent.mean_design_effect, 0.6);
  EXPECT_LT(independent.mean_design_effect, 1.5);

  std::printf(
      "Rao–Scott mot svychisq: %zu datasett; største avvik: X², F og frihetsgrader %.3g "
      "(relativt), p %.3g\n",
      surveys.size(), largest_statistic, largest_p);
  for (const auto& [name, result] : by_name) {
    std::printf("  %-15s X² %9.3f  F %7.3f  ndf %6.3f  ddf %8.3f  p %.3g  designeffekt %.2f\n",
                name.c_str(), result.pearson, result.f, result.ndf, result.ddf, result.p_value,
                result.mean_design_effect);
  }
}

// Three groups over four rounds, small enough to write out.
std::vector<ClusterGroupCount> SmallTable() {
  return {{0, 0, 10, 3}, {0, 1, 8, 5}, {1, 0, 12, 2}, {1, 2, 9, 7},
          {2, 1, 11, 4}, {2, 2, 6, 1}, {3, 0, 7, 6},  {3, 1, 5, 1}};
}

TEST(RaoScott, CountsAddUpWhateverTheirOrderOrSplit) {
  const auto whole = RaoScottTest(SmallTable(), 3, 5);
  ASSERT_TRUE(whole.ok()) << whole.error().message;
  std::vector<ClusterGroupCount> split;
  for (const ClusterGroupCount& count : SmallTable()) {
    ClusterGroupCount part = count;
    part.n = 2;
    part.y = std::min(count.y, 1.0);
    ClusterGroupCount rest = count;
    rest.n -= part.n;
    rest.y -= part.y;
    split.push_back(rest);
    split.push_back(part);
  }
  split.push_back({4, 1, 0, 0});  // a round with nobody in the domain
  std::reverse(split.begin(), split.end());
  const auto parts = RaoScottTest(split, 3, 5);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  EXPECT_NEAR(parts->pearson, whole->pearson, 1e-12 * whole->pearson);
  EXPECT_NEAR(parts->f, whole->f, 1e-12 * whole->f);
  EXPECT_NEAR(parts->ndf, whole->ndf, 1e-12 * whole->ndf);
  EXPECT_EQ(parts->clusters, 4u);
  EXPECT_EQ(whole->ddf, whole->ndf * 3);  // rounds with respondents − 1
}

TEST(RaoScott, RoundsOutsideTheDomainWidenTheVariance) {
  // More rounds in the design, same counts: each round's deviation from the
  // zero of the rounds outside weighs in, and m/(m − 1) changes.
  const auto five = RaoScottTest(SmallTable(), 3, 5);
  const auto fifty = RaoScottTest(SmallTable(), 3, 50);
  ASSERT_TRUE(five.ok() && fifty.ok());
  EXPECT_EQ(five->pearson, fifty->pearson);
  EXPECT_NE(five->f, fifty->f);
  EXPECT_EQ(five->clusters, fifty->clusters);
}

TEST(RaoScott, RefusesWhatCannotBeTested) {
  const std::string too_few = "for få grupper eller runder til å teste forskjeller";
  // One group with respondents (the other has none).
  auto result = RaoScottTest({{0, 0, 10, 3}, {1, 0, 12, 6}, {1, 1, 0, 0}}, 2, 2);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, too_few);
  // One round.
  result = RaoScottTest({{0, 0, 10, 3}, {0, 1, 12, 6}}, 2, 3);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, too_few);
  // Everybody answers alike.
  result = RaoScottTest({{0, 0, 10, 0}, {1, 1, 12, 0}}, 2, 2);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("likt"), std::string::npos);
  // Every round with the same mix in every group: no variance.
  result = RaoScottTest({{0, 0, 10, 5}, {0, 1, 10, 2}, {1, 0, 10, 5}, {1, 1, 10, 2}}, 2, 2);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("varierer ikke"), std::string::npos);
  // Inconsistent counts: a group out of range, more reporting than asked,
  // more rounds with respondents than in the design.
  EXPECT_FALSE(RaoScottTest({{0, 2, 10, 3}, {1, 0, 12, 6}}, 2, 2).ok());
  EXPECT_FALSE(RaoScottTest({{0, 0, 10, 11}, {1, 1, 12, 6}}, 2, 2).ok());
  result = RaoScottTest(SmallTable(), 3, 3);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("flere runder"), std::string::npos);
}

}  // namespace
}  // namespace samkart::analysis
