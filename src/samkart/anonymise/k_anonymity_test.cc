#include "samkart/anonymise/k_anonymity.h"

#include <map>

#include <gtest/gtest.h>

#include "samkart/instrument/loader.h"

namespace samkart::anonymise {
namespace {

// A small tree: 1 and 2 generalise to 90, 3 to 91, and 90 and 91 to the root 99.
std::optional<int> Parent(int code) {
  switch (code) {
    case 1:
    case 2:
      return 90;
    case 3:
      return 91;
    case 90:
    case 91:
      return 99;
    default:
      return std::nullopt;
  }
}

TEST(GeneraliseTree, LargeClassesStayAsTheyAre) {
  const auto result = GeneraliseTree({{1, 5}, {2, 7}, {3, 9}}, Parent, 5);
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, (std::map<int, int>{{1, 1}, {2, 2}, {3, 3}}));
}

TEST(GeneraliseTree, ASmallClassMovesUpAndJoinsAnotherSmallOne) {
  // 1 and 2 are too small alone, but together they make «90».
  const auto result = GeneraliseTree({{1, 3}, {2, 2}, {3, 9}}, Parent, 5);
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, (std::map<int, int>{{1, 90}, {2, 90}, {3, 3}}));
}

TEST(GeneraliseTree, ASmallRootTakesTheSmallestClassBelowIt) {
  // 3 alone climbs to the root with 2 members; the smallest class (1: 5)
  // joins it rather than the larger one (2: 8).
  const auto result = GeneraliseTree({{1, 5}, {2, 8}, {3, 2}}, Parent, 5);
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, (std::map<int, int>{{1, 99}, {2, 2}, {3, 99}}));
}

TEST(GeneraliseTree, FailsWhenTheWholeTreeIsSmallerThanK) {
  EXPECT_FALSE(GeneraliseTree({{1, 1}, {2, 1}, {3, 2}}, Parent, 5));
  EXPECT_TRUE(GeneraliseTree({{1, 1}, {2, 1}, {3, 3}}, Parent, 5));
}

TEST(GeneraliseTree, EveryResultingClassHasAtLeastK) {
  // Exhaustive over small counts: whatever the input, the output is k-anonymous.
  for (std::size_t a = 0; a < 7; ++a) {
    for (std::size_t b = 0; b < 7; ++b) {
      for (std::size_t c = 0; c < 7; ++c) {
        const std::map<int, std::size_t> counts = {{1, a}, {2, b}, {3, c}};
        const auto result = GeneraliseTree(counts, Parent, 4);
        if (a + b + c < 4) {
          EXPECT_EQ(result.has_value(), a + b + c == 0) << a << b << c;
          continue;
        }
        ASSERT_TRUE(result) << a << b << c;
        std::map<int, std::size_t> sizes;
        for (const auto& [from, to] : *result) sizes[to] += counts.at(from);
        for (const auto& [code, n] : sizes) EXPECT_GE(n, 4u) << a << b << c << " " << code;
      }
    }
  }
}

TEST(MakeKAnonymous, GeneralisesServicesThatAreTooSmallInARound) {
  auto loaded = instrument::LoadEmbeddedInstrument();
  ASSERT_TRUE(loaded.ok());
  const auto& in = *loaded.instrument;
  const int barnehage = in.FindService("barnehage")->code;
  const int barnevern = in.FindService("barnevern")->code;
  const int ppt = in.FindService("ppt")->code;
  const int assistent = in.FindPosition("assistent")->code;
  const int saksbehandler = in.FindPosition("saksbehandler")->code;
  std::vector<harmonise::HarmonisedRow> rows;
  auto add = [&](int municipality, int service, int position, int n) {
    for (int i = 0; i < n; ++i) rows.push_back({0, municipality, 2021, service, position, {}});
  };
  add(9001, barnehage, assistent, 6);
  add(9001, barnevern, saksbehandler, 3);  // too small alone …
  add(9001, ppt, saksbehandler, 2);        // … but together a welfare group of 5
  add(9002, barnevern, saksbehandler, 7);  // another municipality: stays
  auto report = MakeKAnonymous(rows, in, 5);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->services_generalised, 5u);
  EXPECT_EQ(report->positions_generalised, 0u);
  const int welfare = in.FindService("velferd_samlet")->code;
  std::map<std::tuple<int, int, int>, int> classes;
  for (const auto& r : rows) ++classes[{r.municipality, r.service, r.position}];
  EXPECT_EQ((classes[{9001, welfare, saksbehandler}]), 5);
  EXPECT_EQ((classes[{9002, barnevern, saksbehandler}]), 7);
  for (const auto& [key, n] : classes) EXPECT_GE(n, 5);
}

}  // namespace
}  // namespace samkart::anonymise
