#include "samkart/present/hyphenation.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace samkart::present {
namespace {

// Soft hyphens shown as «-», so expectations read as the breaks they allow.
std::string Shown(std::string_view text) {
  std::string out(text);
  for (auto at = out.find("\u00AD"); at != std::string::npos; at = out.find("\u00AD", at)) {
    out.replace(at, 2, "-");
  }
  return out;
}

class Hyphenation : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HyphenationAvailable()) GTEST_SKIP() << "mangler " << kHyphenationDictionary;
  }
};

TEST_F(Hyphenation, BreaksNorwegianWordsOnlyWhereNorwegianAllows) {
  for (const char* word : {"Tjenestested", "Omsorgssvikt", "levekårsutfordringer"}) {
    SCOPED_TRACE(word);
    const std::string shown = Shown(Hyphenate(word));
    EXPECT_NE(shown, word);  // a long word gets at least one break
    EXPECT_EQ(shown.find("--"), std::string::npos);
  }
  const std::string tjenestested = Shown(Hyphenate("Tjenestested"));
  EXPECT_EQ(tjenestested.find("ste-d"), std::string::npos) << tjenestested;
  EXPECT_NE(tjenestested.find("neste-sted"), std::string::npos) << tjenestested;
  const std::string omsorgssvikt = Shown(Hyphenate("Omsorgssvikt"));
  EXPECT_EQ(omsorgssvikt.find("svi-kt"), std::string::npos) << omsorgssvikt;
  EXPECT_NE(omsorgssvikt.find("-svikt"), std::string::npos) << omsorgssvikt;
  const std::string levekar = Shown(Hyphenate("levekårsutfordringer"));
  EXPECT_EQ(levekar.find("-er"), std::string::npos) << levekar;
  EXPECT_NE(levekar.find("å"), std::string::npos) << levekar;  // UTF-8 kept intact
}

TEST_F(Hyphenation, LeavesShortWordsNumbersAndMarksAlone) {
  EXPECT_EQ(Hyphenate("Skole og SFO: 62 % (n = 1 204) «:» ."),
            "Skole og SFO: 62 % (n = 1 204) «:» .");
  // Breaks fall between letters only, and the text reads the same without them.
  const std::string barnehage = Hyphenate("(barnehagen)");
  EXPECT_EQ(barnehage.front(), '(');
  EXPECT_EQ(barnehage.substr(barnehage.size() - 1), ")");
  EXPECT_EQ(Shown(barnehage).find("(-"), std::string::npos);
  EXPECT_EQ(Hyphenate("Skole"), "Skole");
  EXPECT_EQ(Hyphenate(""), "");
  // Invalid UTF-8 passes through untouched.
  EXPECT_EQ(Hyphenate("ab\xFF\xFE"), "ab\xFF\xFE");
}

TEST_F(Hyphenation, GivesTheSameFromManyThreads) {
  const std::string expected = Hyphenate("Helsestasjon og skolehelsetjenesten");
  std::vector<std::thread> threads;
  std::vector<std::string> results(8);
  for (auto& result : results) {
    threads.emplace_back([&result] { result = Hyphenate("Helsestasjon og skolehelsetjenesten"); });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

}  // namespace
}  // namespace samkart::present
