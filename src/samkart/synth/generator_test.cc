// The synthetic dataset must reproduce the national report when analysed
// correctly: counts by size group, Tabell 3.1, Figur 3.1 and the chapter 5
// text shares, each within the tolerance stated in data/synth/targets.csv.
#include "samkart/synth/generator.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "samkart/core/text.h"
#include "samkart/instrument/loader.h"

namespace samkart::synth {
namespace {

class SynthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = instrument::LoadEmbeddedInstrument();
    ASSERT_TRUE(loaded.ok());
    instrument_ = new instrument::Instrument(std::move(*loaded.instrument));
    auto parameters = LoadParameters(EmbeddedSynthFiles());
    ASSERT_TRUE(parameters.ok()) << parameters.error().message;
    parameters_ = new Parameters(std::move(parameters.value()));
    auto data = Generate(*instrument_, *parameters_, {2022, 1.0});
    ASSERT_TRUE(data.ok()) << data.error().message;
    data_ = new SynthData(std::move(data.value()));
  }
  static void TearDownTestSuite() {
    delete data_;
    delete parameters_;
    delete instrument_;
  }

  // Share (percent) of baseline answers in `codes` among answers that count
  // in the denominator, for the respondents the breakdown names (each
  // condition of «a=b&c=d» must hold).
  static std::pair<double, std::size_t> Share(const std::string& indicator,
                                              const std::string& breakdown) {
    std::string item_id = indicator;
    std::vector<int> codes;
    const auto eq = indicator.find('=');
    if (eq != std::string::npos) {
      item_id = indicator.substr(0, eq);
      for (const auto& c : text::Split(indicator.substr(eq + 1), '|'))
        codes.push_back(*text::ParseInt(c));
    }
    const instrument::Family* family = nullptr;
    const instrument::Item* item = instrument_->FindItem(item_id, &family);
    EXPECT_NE(item, nullptr) << indicator;
    if (item == nullptr) return {0, 0};
    if (codes.empty()) codes = family->reported_share;
    std::size_t index = 0;
    while (data_->items[index].item != item) ++index;
    const auto parts = ParseBreakdown(breakdown);
    EXPECT_TRUE(parts.ok()) << breakdown;
    if (!parts.ok()) return {0, 0};
    std::size_t n = 0, hits = 0;
    for (std::size_t r = 0; r < data_->respondents.size(); ++r) {
      const Respondent& person = data_->respondents[r];
      const Round& round = data_->rounds[person.round];
      if (round.follow_up) continue;
      bool keep = true;
      for (const BreakdownPart& part : parts.value()) {
        if (part.key == "service") {
          keep &= instrument_->FindServiceByCode(person.analysed_service)->key == part.value;
        } else if (part.key == "position") {
          keep &= instrument_->FindPositionByCode(person.position)->key == part.value;
        } else if (part.key == "size_group") {
          keep &= std::to_string(round.municipality->size_group) == part.value;
        }
      }
      if (!keep) continue;
      const uint8_t a = data_->answers[index][r];
      if (a == kBlank || a == kNotAsked) continue;
      ++n;
      hits += std::find(codes.begin(), codes.end(), a) != codes.end();
    }
    return {n == 0 ? 0 : 100.0 * static_cast<double>(hits) / static_cast<double>(n), n};
  }

  static instrument::Instrument* instrument_;
  static Parameters* parameters_;
  static SynthData* data_;
};

instrument::Instrument* SynthTest::instrument_ = nullptr;
Parameters* SynthTest::parameters_ = nullptr;
SynthData* SynthTest::data_ = nullptr;

TEST(SynthBreakdownTest, CombinesKeysAndRejectsUnknownOnes) {
  const auto parts = ParseBreakdown("service=barnehage&position=assistent");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  EXPECT_EQ(parts.value(),
            (std::vector<BreakdownPart>{{"service", "barnehage"}, {"position", "assistent"}}));
  EXPECT_TRUE(ParseBreakdown("").value().empty());
  const auto unknown = ParseBreakdown("service=barnehage&region=nord");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("ukjent nøkkel «region»"), std::string::npos)
      << unknown.error().message;
  EXPECT_FALSE(ParseBreakdown("service=barnehage&service=ppt").ok());
  EXPECT_FALSE(ParseBreakdown("size_group=stor").ok());
  EXPECT_FALSE(ParseBreakdown("position").ok());
}

TEST_F(SynthTest, CountsFollowChapterFour) {
  EXPECT_EQ(parameters_->municipalities.size(), 73u);
  std::map<int, std::size_t> by_size;
  std::map<std::string, std::size_t> surveys_by_region;
  std::size_t baseline = 0, follow_ups = 0;
  for (const Round& round : data_->rounds) {
    if (round.follow_up) {
      ++follow_ups;
      EXPECT_GE(round.year, 2022);
      EXPECT_LE(round.year, 2024);
      continue;
    }
    baseline += round.count;
    by_size[round.municipality->size_group] += round.count;
    ++surveys_by_region[round.municipality->region];
  }
  EXPECT_EQ(baseline, 25909u);
  EXPECT_EQ(by_size,
            (std::map<int, std::size_t>{{1, 3422}, {2, 5063}, {3, 7662}, {4, 7158}, {5, 2604}}));
  // Tabell 1: surveys per KORUS centre.
  EXPECT_EQ(surveys_by_region, (std::map<std::string, std::size_t>{{"nord", 12},
                                                                   {"midt", 12},
                                                                   {"ost", 6},
                                                                   {"oslo", 6},
                                                                   {"sor", 12},
                                                                   {"stavanger", 6},
                                                                   {"bergen", 19}}));
  // About a quarter of the municipalities have a follow-up.
  EXPECT_GE(follow_ups, 15u);
  EXPECT_LE(follow_ups, 22u);
  for (const auto& m : parameters_->municipalities) {
    EXPECT_NE(m.name.find("(syntetisk)"), std::string::npos) << m.name;
    EXPECT_GE(m.number, 9000);
  }
}

// Figur 2.1 (respondents per year) and Figur 2.2 (per KORUS region, Stavanger
// and Bergen together) do not add up to the 25,909 of Figur 2.3 (24,330 and
// 26,880), so each is compared after scaling to 25,909. The scaled counts are
// not whole numbers; whole counts with the exact total can each be off by
// less than one, hence ±1. Surveys per year follow Tabell 2, except that 2021
// has 2, not 3: Tabell 2 sums to 74 but Tabell 1 and the text say 73
// (data/synth/README.md).
TEST_F(SynthTest, RespondentsByYearAndRegionFollowChapterFour) {
  const std::map<int, double> figur_2_1 = {{2015, 867},  {2016, 241},  {2017, 3558}, {2018, 3078},
                                           {2019, 7085}, {2020, 7825}, {2021, 1676}};
  const std::map<std::string, double> figur_2_2 = {{"midt", 2528}, {"nord", 4673},
                                                   {"oslo", 5641}, {"stavanger+bergen", 7849},
                                                   {"sor", 4106},  {"ost", 2083}};
  std::map<int, double> by_year;
  std::map<std::string, double> by_region;
  std::map<int, std::size_t> surveys_by_year;
  for (const Round& round : data_->rounds) {
    if (round.follow_up) continue;
    const std::string& region = round.municipality->region;
    by_year[round.year] += static_cast<double>(round.count);
    by_region[region == "stavanger" || region == "bergen" ? "stavanger+bergen" : region] +=
        static_cast<double>(round.count);
    ++surveys_by_year[round.year];
  }
  auto expect_scaled = [](const auto& published, const auto& generated) {
    double total = 0;
    for (const auto& [key, count] : published) total += count;
    ASSERT_EQ(generated.size(), published.size());
    for (const auto& [key, count] : published) {
      const auto it = generated.find(key);
      ASSERT_NE(it, generated.end()) << key;
      EXPECT_NEAR(it->second, count * 25909 / total, 1.0) << key << ": report " << count;
    }
  };
  expect_scaled(figur_2_1, by_year);
  expect_scaled(figur_2_2, by_region);
  EXPECT_EQ(surveys_by_year,
            (std::map<int, std::size_t>{
                {2015, 5}, {2016, 1}, {2017, 14}, {2018, 11}, {2019, 21}, {2020, 19}, {2021, 2}}));
}

TEST_F(SynthTest, OlderSurveysUseOlderGenerations) {
  for (const Round& round : data_->rounds) {
    if (round.year <= 2016) {
      EXPECT_EQ(round.generation, "G1");
    }
    if (round.year == 2018) {
      EXPECT_EQ(round.generation, "G3");
    }
    if (round.year >= 2020) {
      EXPECT_EQ(round.generation, "G5");
    }
  }
}

TEST_F(SynthTest, EveryTargetIsReproducedWithinItsTolerance) {
  std::size_t checked = 0;
  for (const Target& t : parameters_->targets) {
    const auto [share, n] = Share(t.indicator, t.breakdown);
    ASSERT_GT(n, 0u) << t.indicator << " " << t.breakdown;
    EXPECT_NEAR(share, t.value_pct, t.tolerance_pp)
        << t.indicator << " [" << t.breakdown << "] n=" << n << " source: " << t.source;
    ++checked;
  }
  EXPECT_GE(checked, 200u);
}

// Every answer must exist in the questionnaire its round used: G1 and G2
// had four-step scales without the middle category, and an answer they
// cannot record would be exported blank and shift the shares after import.
TEST_F(SynthTest, EveryAnswerIsRecordableInItsGeneration) {
  // generation → item → codes its export can write (a source code maps to it).
  std::map<std::string, std::map<std::string, std::set<int>>> recordable;
  for (const auto& crosswalk : instrument_->crosswalks) {
    for (const auto& v : crosswalk.variables) {
      if (v.role != instrument::SourceRole::kAnswer) continue;
      auto& codes = recordable[crosswalk.generation][v.target];
      for (const auto& c : v.categories) {
        if (c.source_code) codes.insert(c.target_code);
      }
    }
  }
  std::size_t checked = 0;
  std::map<std::string, std::size_t> unrecordable;  // "generation item=code" → answers
  for (std::size_t i = 0; i < data_->items.size(); ++i) {
    const std::string target = data_->items[i].QualifiedId();
    for (std::size_t r = 0; r < data_->respondents.size(); ++r) {
      const uint8_t a = data_->answers[i][r];
      if (a == kBlank || a == kNotAsked) continue;
      const std::string& generation = data_->rounds[data_->respondents[r].round].generation;
      const auto& codes = recordable[generation][target];
      ++checked;
      if (!codes.contains(a)) ++unrecordable[fmt::format("{} {}={}", generation, target, a)];
    }
  }
  EXPECT_GT(checked, 1000000u);
  std::string listed;
  for (const auto& [what, count] : unrecordable) listed += fmt::format("  {}: {}\n", what, count);
  EXPECT_TRUE(unrecordable.empty()) << "answers the round's questionnaire cannot record:\n"
                                    << listed;
}

TEST_F(SynthTest, AnswersAreCorrelatedWithinAPerson) {
  // Those who identify neglect well also know whom to contact about it more often.
  const instrument::Family* f = nullptr;
  const auto* risk = instrument_->FindItem("risk_identification.neglect", &f);
  const auto* knows = instrument_->FindItem("knows_other_services.neglect", &f);
  std::size_t ri = 0, ki = 0;
  while (data_->items[ri].item != risk) ++ri;
  while (data_->items[ki].item != knows) ++ki;
  std::size_t high = 0, high_yes = 0, low = 0, low_yes = 0;
  for (std::size_t r = 0; r < data_->respondents.size(); ++r) {
    const uint8_t a = data_->answers[ri][r], b = data_->answers[ki][r];
    if (a >= kBlank || b >= kBlank || a == 9) continue;
    (a >= 4 ? high : low) += 1;
    (a >= 4 ? high_yes : low_yes) += b == 1;
  }
  ASSERT_GT(high, 1000u);
  ASSERT_GT(low, 1000u);
  EXPECT_GT(static_cast<double>(high_yes) / static_cast<double>(high),
            static_cast<double>(low_yes) / static_cast<double>(low) + 0.05);
}

// §5.4.1 (004 l. 671-673): in kindergartens those with the longest formal
// education, pedagogues and the styrer, are the most confident talking with
// children, about minor as well as serious matters. The report prints no
// numbers, so the direction is checked: each of them at least 5 pp above
// each of the assistants and barne- og ungdomsarbeidere.
TEST_F(SynthTest, KindergartenLeadersAndPedagoguesTalkWithChildrenMostConfidently) {
  for (const std::string item :
       {"conversation_children.minor_concern", "conversation_children.serious_matters"}) {
    for (const std::string high : {"styrer", "pedagogisk_leder"}) {
      for (const std::string low : {"assistent", "barne_ungdomsarbeider"}) {
        const auto [above, n_above] = Share(item, "service=barnehage&position=" + high);
        const auto [below, n_below] = Share(item, "service=barnehage&position=" + low);
        EXPECT_GT(n_above, 200u) << item << " " << high;
        EXPECT_GT(n_below, 200u) << item << " " << low;
        EXPECT_GT(above, below + 5)
            << item << ": " << high << " " << above << " vs " << low << " " << below;
      }
    }
  }
}

TEST_F(SynthTest, RoutingAndExclusionsHold) {
  std::size_t concern = 0, content = 0;
  for (std::size_t i = 0; i < data_->items.size(); ++i) {
    if (data_->items[i].item->id == "concern_last_12_months") concern = i;
    if (data_->items[i].family->id == "concern_content" && content == 0) content = i;
  }
  const int barnevern = instrument_->FindService("barnevern")->code;
  for (std::size_t r = 0; r < data_->respondents.size(); ++r) {
    if (data_->respondents[r].service == barnevern) {
      EXPECT_EQ(data_->answers[concern][r], kNotAsked);
    }
    const uint8_t c = data_->answers[concern][r];
    if (c == 1 || c == 9 || c == kBlank) {
      EXPECT_EQ(data_->answers[content][r], kNotAsked) << r;
    }
  }
}

TEST_F(SynthTest, FollowUpsChangeSomething) {
  // Knowledge of cross-service routines rises from baseline to follow-up.
  const instrument::Family* f = nullptr;
  const auto* item = instrument_->FindItem("system_knowledge.cross_service_routines", &f);
  std::size_t index = 0;
  while (data_->items[index].item != item) ++index;
  double base_hits = 0, base_n = 0, follow_hits = 0, follow_n = 0;
  std::set<int> followed;
  for (const Round& round : data_->rounds) {
    if (round.follow_up) followed.insert(round.municipality->number);
  }
  for (std::size_t r = 0; r < data_->respondents.size(); ++r) {
    const Round& round = data_->rounds[data_->respondents[r].round];
    if (!followed.contains(round.municipality->number)) continue;
    const uint8_t a = data_->answers[index][r];
    if (a >= kBlank) continue;
    (round.follow_up ? follow_n : base_n) += 1;
    (round.follow_up ? follow_hits : base_hits) += a == 4 || a == 5;
  }
  EXPECT_GT(follow_hits / follow_n, base_hits / base_n + 0.05);
}

TEST_F(SynthTest, MunicipalitiesChangeByTheirOwnFollowUpEffect) {
  // Per municipality: the change in knowing cross-service routines. The
  // ones set to decline fall, the ones set to no change barely move, and
  // those set to twice the national change rise more than the rest.
  const auto* item = instrument_->FindItem("system_knowledge.cross_service_routines");
  std::size_t index = 0;
  while (data_->items[index].item != item) ++index;
  std::map<int, std::array<double, 4>> tally;  // hits and n, baseline then follow-up
  std::map<int, double> effect;
  for (std::size_t r = 0; r < data_->respondents.size(); ++r) {
    const Round& round = data_->rounds[data_->respondents[r].round];
    if (!round.municipality->follow_up_year) continue;
    effect[round.municipality->number] = round.municipality->follow_up_effect;
    const uint8_t a = data_->answers[index][r];
    if (a >= kBlank) continue;
    auto& t = tally[round.municipality->number];
    t[round.follow_up ? 2 : 0] += a == 4 || a == 5;
    t[round.follow_up ? 3 : 1] += 1;
  }
  double strong = 0, ordinary = 0;
  std::size_t strong_n = 0, ordinary_n = 0, declining = 0;
  for (const auto& [number, t] : tally) {
    const double change = t[2] / t[3] - t[0] / t[1];
    if (effect[number] < 0) {
      ++declining;
      EXPECT_LT(change, 0) << number;
    } else if (effect[number] >= 2) {
      strong += change;
      ++strong_n;
    } else if (effect[number] == 1) {
      ordinary += change;
      ++ordinary_n;
    }
  }
  EXPECT_GE(declining, 1u);
  ASSERT_GT(strong_n, 0u);
  ASSERT_GT(ordinary_n, 0u);
  EXPECT_GT(strong / static_cast<double>(strong_n), ordinary / static_cast<double>(ordinary_n));
}

}  // namespace
}  // namespace samkart::synth
