#include "samkart/analysis/follow_up_evaluation.h"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "samkart/analysis/publication.h"
#include "samkart/instrument/loader.h"

namespace samkart::analysis {
namespace {

using instrument::kNotAsked;

// Student's t, 0.975 quantile (R: qt(0.975, df)).
constexpr double kT975Df4 = 2.776445105;
constexpr double kT975Df5 = 2.570581836;

constexpr int kBaseline = 1;
constexpr int kFollowUp = 2;

class FollowUpEvaluationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = instrument::LoadEmbeddedInstrument();
    ASSERT_TRUE(loaded.ok());
    in_ = std::move(*loaded.instrument);
    data_.item_refs = in_.ItemsInOrder();
    data_.items.assign(data_.item_refs.size(), {});
  }

  std::size_t Item(const std::string& id) const {
    for (std::size_t i = 0; i < data_.item_refs.size(); ++i) {
      if (data_.item_refs[i].QualifiedId() == id) return i;
    }
    ADD_FAILURE() << id;
    return 0;
  }

  // n respondents of `municipality` in one round answering `id`, `yes` of
  // them in the reported share (code `yes_code`) and the others `no_code`;
  // every other item not asked.
  void AddGroup(const std::string& id, int municipality, int round_type, int n, int yes,
                int service = 1, int yes_code = 5, int no_code = 1) {
    const std::size_t target = Item(id);
    for (int i = 0; i < n; ++i) {
      data_.municipality.push_back(static_cast<uint16_t>(municipality));
      data_.year.push_back(static_cast<uint16_t>(round_type == kBaseline ? 2019 : 2022));
      data_.round_type.push_back(static_cast<uint8_t>(round_type));
      data_.generation.push_back(5);
      data_.region.push_back(1);
      data_.size_group.push_back(1);
      data_.service.push_back(static_cast<uint8_t>(service));
      data_.position.push_back(4);
      for (std::size_t k = 0; k < data_.items.size(); ++k) {
        data_.items[k].push_back(k == target ? static_cast<uint8_t>(i < yes ? yes_code : no_code)
                                             : kNotAsked);
      }
      ++data_.rows;
    }
  }

  // A baseline and a follow-up round of n each: `yes` in the baseline and
  // `yes + more` in the follow-up.
  void AddPair(const std::string& id, int municipality, int n, int yes, int more, int service = 1) {
    AddGroup(id, municipality, kBaseline, n, yes, service);
    AddGroup(id, municipality, kFollowUp, n, yes + more, service);
  }

  FollowUpEvaluation Evaluate(const FollowUpRequest& request) {
    Publication publication(data_, in_, {});
    auto evaluation = EvaluateFollowUp(data_, in_, publication, request);
    EXPECT_TRUE(evaluation.ok()) << evaluation.error().message;
    return evaluation.ok() ? std::move(evaluation.value()) : FollowUpEvaluation{};
  }

  const FollowUpRow& Row(const FollowUpEvaluation& evaluation, const std::string& id,
                         std::optional<int> service = std::nullopt) {
    const std::size_t item = Item(id);
    for (const auto& row : evaluation.rows) {
      if (row.item == item && row.service == service) return row;
    }
    ADD_FAILURE() << "ingen rad for " << id;
    static const FollowUpRow kNone;
    return kNone;
  }

  static std::vector<int> Numbers(const FollowUpRow& row) {
    std::vector<int> numbers;
    for (const auto& m : row.municipalities) numbers.push_back(m.municipality);
    return numbers;
  }

  instrument::Instrument in_;
  Dataset data_;
};

TEST_F(FollowUpEvaluationTest, AnImprovementInEveryMunicipalityIsAFinding) {
  // 50 answers per round; +20, +18, +22, +20, +24 and +16 points.
  const std::vector<int> yes = {20, 18, 22, 25, 15, 20};
  const std::vector<int> more = {10, 9, 11, 10, 12, 8};
  for (int k = 0; k < 6; ++k) AddPair("risk_identification.bullied", 9001 + k, 50, yes[k], more[k]);
  const FollowUpEvaluation evaluation = Evaluate({{"risk_identification"}, false, std::nullopt});

  const FollowUpRow& row = Row(evaluation, "risk_identification.bullied");
  EXPECT_EQ(Numbers(row), (std::vector<int>{9001, 9002, 9003, 9004, 9005, 9006}));
  ASSERT_TRUE(row.change);
  EXPECT_NEAR(row.change->estimate, 0.20, 1e-12);
  // Deviations 0, −2, +2, 0, +4, −4 points: variance 0.004 / 5.
  const double standard_error = std::sqrt(0.004 / 5 / 6);
  EXPECT_NEAR(row.change->standard_deviation, std::sqrt(0.004 / 5), 1e-12);
  EXPECT_NEAR(row.change->interval.low, 0.20 - kT975Df5 * standard_error, 1e-9);
  EXPECT_NEAR(row.change->interval.high, 0.20 + kT975Df5 * standard_error, 1e-9);
  EXPECT_LT(row.change->p_value, 1e-4);
  EXPECT_EQ(row.rose, 6u);
  EXPECT_EQ(row.fell, 0u);
  EXPECT_TRUE(row.finding);
  EXPECT_EQ(row.verdict, FollowUpVerdict::kImproved);
  EXPECT_STREQ(FollowUpVerdictLabel(row.verdict), "bedre");
}

TEST_F(FollowUpEvaluationTest, ChangesThatCancelOutAreNoFinding) {
  // +10, −10, +5, −5, +10 and −7.5 points in 40 answers per round.
  const std::vector<int> more = {4, -4, 2, -2, 4, -3};
  for (int k = 0; k < 6; ++k) AddPair("risk_identification.neglect", 9001 + k, 40, 20, more[k]);
  const FollowUpEvaluation evaluation = Evaluate({{"risk_identification"}, false, std::nullopt});

  const FollowUpRow& row = Row(evaluation, "risk_identification.neglect");
  ASSERT_TRUE(row.change);
  EXPECT_EQ(row.municipalities.size(), 6u);
  EXPECT_NEAR(row.change->estimate, 0.025 / 6, 1e-12);
  EXPECT_LT(row.change->interval.low, 0);
  EXPECT_GT(row.change->interval.high, 0);
  EXPECT_GT(row.change->p_value, 0.5);
  EXPECT_EQ(row.rose, 3u);
  EXPECT_EQ(row.fell, 3u);
  EXPECT_FALSE(row.finding);
  EXPECT_EQ(row.verdict, FollowUpVerdict::kUnchanged);
  EXPECT_STREQ(FollowUpVerdictLabel(row.verdict), "ingen sikker endring");
}

TEST_F(FollowUpEvaluationTest, ASmallChangeEverywhereIsSignificantButNotMaterial) {
  // 200 answers per round, +2 points give or take half a point.
  const std::vector<int> more = {4, 3, 5, 4, 4, 4};
  for (int k = 0; k < 6; ++k) AddPair("risk_identification.bullied", 9001 + k, 200, 100, more[k]);
  const FollowUpEvaluation evaluation = Evaluate({{"risk_identification"}, false, std::nullopt});

  const FollowUpRow& row = Row(evaluation, "risk_identification.bullied");
  ASSERT_TRUE(row.change);
  EXPECT_NEAR(row.change->estimate, 0.02, 1e-12);
  EXPECT_GT(row.change->interval.low, 0);
  EXPECT_LT(row.adjusted_p_value, 0.05);
  EXPECT_FALSE(row.finding);
  EXPECT_EQ(row.verdict, FollowUpVerdict::kUnchanged);
}

TEST_F(FollowUpEvaluationTest, AMunicipalityWithAHiddenCellIsLeftOut) {
  // 9006's follow-up has 5 answers: the gate hides it (and, so that the
  // total cannot give it back, the smallest other follow-up cell, 9005's).
  for (int k = 0; k < 5; ++k) {
    AddGroup("risk_identification.bullied", 9001 + k, kBaseline, 40, 10);
    AddGroup("risk_identification.bullied", 9001 + k, kFollowUp, k == 4 ? 20 : 40, 30);
  }
  AddGroup("risk_identification.bullied", 9006, kBaseline, 40, 10);
  AddGroup("risk_identification.bullied", 9006, kFollowUp, 5, 0);
  const FollowUpEvaluation evaluation = Evaluate({{"risk_identification"}, false, std::nullopt});

  const FollowUpRow& row = Row(evaluation, "risk_identification.bullied");
  EXPECT_EQ(Numbers(row), (std::vector<int>{9001, 9002, 9003, 9004}));
  for (const auto& m : row.municipalities) {
    EXPECT_FALSE(m.baseline.suppressed);
    EXPECT_FALSE(m.follow_up.suppressed);
  }
  ASSERT_TRUE(row.change);
  EXPECT_NEAR(row.change->estimate, 0.75 - 0.25, 1e-12);

  // Set beside the others, 9006 has no published change of its own.
  const FollowUpEvaluation own = Evaluate({{"risk_identification"}, false, 9006});
  ASSERT_TRUE(own.municipality);
  const std::size_t item = Item("risk_identification.bullied");
  std::size_t seen = 0;
  for (const auto& r : own.municipality->rows) {
    if (r.item != item) continue;
    ++seen;
    EXPECT_TRUE(r.follow_up.suppressed);
    EXPECT_FALSE(r.own_change);
    EXPECT_FALSE(r.difference);
    EXPECT_EQ(r.other_municipalities, 4u);
    EXPECT_EQ(r.verdict, FollowUpVerdict::kNotPublished);
    EXPECT_STREQ(FollowUpVerdictLabel(r.verdict), "ikke publisert");
  }
  EXPECT_EQ(seen, 1u);
}

TEST_F(FollowUpEvaluationTest, ALargeMunicipalityCountsOnce) {
  // 9001: 2000 answers per round, +30 points; four of 40: +5, 0, +10, −5.
  AddPair("risk_identification.bullied", 9001, 2000, 600, 600);
  const std::vector<int> more = {2, 0, 4, -2};
  for (int k = 0; k < 4; ++k) AddPair("risk_identification.bullied", 9002 + k, 40, 20, more[k]);
  const FollowUpEvaluation evaluation = Evaluate({{"risk_identification"}, false, std::nullopt});

  const FollowUpRow& row = Row(evaluation, "risk_identification.bullied");
  ASSERT_TRUE(row.change);
  EXPECT_EQ(row.municipalities.size(), 5u);
  // Unweighted: (30 + 5 + 0 + 10 − 5) / 5 = 8 points; weighted by
  // answers it would be about 28.
  EXPECT_NEAR(row.change->estimate, (0.30 + 0.05 + 0.0 + 0.10 - 0.05) / 5, 1e-12);
  EXPECT_EQ(row.rose, 3u);
  EXPECT_EQ(row.fell, 1u);
}

TEST_F(FollowUpEvaluationTest, PolarityDecidesWhatIsBetter) {
  // A barrier falls by about 20 points: better. A descriptive action rises:
  // more of it, neither better nor worse. A competence falls: worse.
  const std::vector<int> spread = {0, 1, -1, 2, -2, 0};
  for (int k = 0; k < 6; ++k) {
    AddPair("barriers.lack_of_follow_up_services", 9001 + k, 50, 30, -10 + spread[k]);
    AddGroup("actions_taken.talked_with_child", 9001 + k, kBaseline, 50, 20, 1, 1, 0);
    AddGroup("actions_taken.talked_with_child", 9001 + k, kFollowUp, 50, 30 + spread[k], 1, 1, 0);
    AddPair("risk_identification.bullied", 9001 + k, 50, 30, -10 + spread[k]);
  }
  const FollowUpEvaluation evaluation =
      Evaluate({{"barriers", "actions_taken", "risk_identification"}, false, std::nullopt});

  const FollowUpRow& barrier = Row(evaluation, "barriers.lack_of_follow_up_services");
  ASSERT_TRUE(barrier.change);
  EXPECT_NEAR(barrier.change->estimate, -0.20, 1e-12);
  EXPECT_EQ(barrier.fell, 6u);
  EXPECT_EQ(barrier.verdict, FollowUpVerdict::kImproved);
  EXPECT_STREQ(FollowUpVerdictLabel(barrier.verdict), "bedre");

  const FollowUpRow& action = Row(evaluation, "actions_taken.talked_with_child");
  ASSERT_TRUE(action.change);
  EXPECT_NEAR(action.change->estimate, 0.20, 1e-12);
  EXPECT_EQ(action.verdict, FollowUpVerdict::kIncreased);
  EXPECT_STREQ(FollowUpVerdictLabel(action.verdict), "økt");

  const FollowUpRow& competence = Row(evaluation, "risk_identification.bullied");
  EXPECT_EQ(competence.verdict, FollowUpVerdict::kWorsened);
  EXPECT_STREQ(FollowUpVerdictLabel(competence.verdict), "dårligere");

  // Items nobody answered are there, with too few municipalities.
  const FollowUpRow& unanswered = Row(evaluation, "barriers.lack_of_time");
  EXPECT_TRUE(unanswered.municipalities.empty());
  EXPECT_EQ(unanswered.verdict, FollowUpVerdict::kTooFew);
}

TEST_F(FollowUpEvaluationTest, OneMunicipalityIsComparedWithTheOthersOnly) {
  // 9001: 10 → 30 of 50 (+40 points). The others: +4, +6, +2, +8, 0.
  AddPair("risk_identification.bullied", 9001, 50, 10, 20);
  const std::vector<int> more = {2, 3, 1, 4, 0};
  for (int k = 0; k < 5; ++k) AddPair("risk_identification.bullied", 9002 + k, 50, 20, more[k]);
  const FollowUpEvaluation evaluation = Evaluate({{"risk_identification"}, false, 9001});

  // The pool of all six contains 9001.
  const FollowUpRow& all = Row(evaluation, "risk_identification.bullied");
  ASSERT_TRUE(all.change);
  EXPECT_NEAR(all.change->estimate, (0.40 + 0.20) / 6, 1e-12);

  ASSERT_TRUE(evaluation.municipality);
  EXPECT_EQ(evaluation.municipality->municipality, 9001);
  const std::size_t item = Item("risk_identification.bullied");
  const auto& rows = evaluation.municipality->rows;
  const auto it = std::find_if(rows.begin(), rows.end(),
                               [&](const auto& r) { return r.item == item && !r.service; });
  ASSERT_NE(it, rows.end());
  const MunicipalityFollowUpRow& row = *it;
  EXPECT_EQ(row.baseline.count, 10u);
  EXPECT_EQ(row.follow_up.count, 30u);

  // Its own change: Newcombe's interval of two Wilson intervals.
  ASSERT_TRUE(row.own_change);
  const Difference own = CompareShares({30, 50, {}, 0}, {10, 50, {}, 0});
  EXPECT_NEAR(row.own_change->estimate, 0.40, 1e-12);
  EXPECT_NEAR(row.own_change->interval.low, own.interval.low, 1e-12);
  EXPECT_NEAR(row.own_change->interval.high, own.interval.high, 1e-12);

  // The others without 9001: mean 4 points, deviations 0, +2, −2, +4, −4.
  EXPECT_EQ(row.other_municipalities, 5u);
  ASSERT_TRUE(row.others);
  EXPECT_NEAR(row.others->estimate, 0.04, 1e-12);
  const double standard_error = std::sqrt(0.004 / 4 / 5);
  const Interval others = {0.04 - kT975Df4 * standard_error, 0.04 + kT975Df4 * standard_error};
  EXPECT_NEAR(row.others->interval.low, others.low, 1e-9);
  EXPECT_NEAR(row.others->interval.high, others.high, 1e-9);

  // The difference and its MOVER interval.
  ASSERT_TRUE(row.difference);
  const double d = 0.40 - 0.04;
  EXPECT_NEAR(row.difference->estimate, d, 1e-12);
  const double low = d - std::hypot(0.40 - own.interval.low, others.high - 0.04);
  const double high = d + std::hypot(own.interval.high - 0.40, 0.04 - others.low);
  EXPECT_NEAR(row.difference->interval.low, low, 1e-9);
  EXPECT_NEAR(row.difference->interval.high, high, 1e-9);
  EXPECT_TRUE(row.difference->significant);
  EXPECT_TRUE(row.finding);
  EXPECT_EQ(row.verdict, FollowUpVerdict::kImproved);
}

TEST_F(FollowUpEvaluationTest, TwoMunicipalitiesAreTooFew) {
  AddPair("risk_identification.bullied", 9001, 50, 10, 30);
  AddPair("risk_identification.bullied", 9002, 50, 10, 30);
  const FollowUpEvaluation evaluation = Evaluate({{"risk_identification"}, false, 9001});

  const FollowUpRow& row = Row(evaluation, "risk_identification.bullied");
  EXPECT_EQ(row.municipalities.size(), 2u);
  EXPECT_FALSE(row.change);
  EXPECT_FALSE(row.finding);
  EXPECT_EQ(row.verdict, FollowUpVerdict::kTooFew);
  EXPECT_STREQ(FollowUpVerdictLabel(row.verdict), "for få kommuner");

  // One other municipality is no pool either; its own change is still shown.
  ASSERT_TRUE(evaluation.municipality);
  const std::size_t item = Item("risk_identification.bullied");
  std::size_t seen = 0;
  for (const auto& own : evaluation.municipality->rows) {
    if (own.item != item) continue;
    ++seen;
    EXPECT_EQ(own.other_municipalities, 1u);
    EXPECT_FALSE(own.others);
    EXPECT_FALSE(own.difference);
    ASSERT_TRUE(own.own_change);
    EXPECT_NEAR(own.own_change->estimate, 0.60, 1e-12);
    EXPECT_EQ(own.verdict, FollowUpVerdict::kTooFew);
  }
  EXPECT_EQ(seen, 1u);
}

TEST_F(FollowUpEvaluationTest, AMunicipalityWithoutAFollowUpIsAnError) {
  AddGroup("risk_identification.bullied", 9001, kBaseline, 40, 10);
  for (int k = 0; k < 3; ++k) AddPair("risk_identification.bullied", 9002 + k, 40, 10, 10);
  data_.municipality_names = {{9001, "Vikheim"}};
  Publication publication(data_, in_, {});

  auto missing = EvaluateFollowUp(data_, in_, publication, {{}, false, 9001});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message,
            "Vikheim (kommune 9001) har ingen oppfølgingsundersøkelse i databasen, så endringen "
            "siden 0-punktsmålingen kan ikke beregnes");

  auto unknown = EvaluateFollowUp(data_, in_, publication, {{}, false, 9999});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, "kommune 9999 finnes ikke i databasen");

  auto family = EvaluateFollowUp(data_, in_, publication, {{"nope"}, false, std::nullopt});
  ASSERT_FALSE(family.ok());
  EXPECT_EQ(family.error().message, "ukjent spørsmålsfamilie «nope»");
}

TEST_F(FollowUpEvaluationTest, EachServiceIsPooledOverItsOwnMunicipalities) {
  // Service 1 in four municipalities, service 2 in two of them.
  const std::vector<int> more = {10, 9, 11, 10};
  for (int k = 0; k < 4; ++k) AddPair("risk_identification.bullied", 9001 + k, 50, 20, more[k], 1);
  for (int k = 0; k < 2; ++k) AddPair("risk_identification.bullied", 9001 + k, 30, 10, 15, 2);
  const FollowUpEvaluation evaluation = Evaluate({{"risk_identification"}, true, std::nullopt});

  const FollowUpRow& service1 = Row(evaluation, "risk_identification.bullied", 1);
  EXPECT_EQ(Numbers(service1), (std::vector<int>{9001, 9002, 9003, 9004}));
  ASSERT_TRUE(service1.change);
  EXPECT_NEAR(service1.change->estimate, (0.20 + 0.18 + 0.22 + 0.20) / 4, 1e-12);

  const FollowUpRow& service2 = Row(evaluation, "risk_identification.bullied", 2);
  EXPECT_EQ(Numbers(service2), (std::vector<int>{9001, 9002}));
  EXPECT_EQ(service2.verdict, FollowUpVerdict::kTooFew);

  // The whole item pools each municipality's services together.
  const FollowUpRow& item = Row(evaluation, "risk_identification.bullied");
  ASSERT_TRUE(item.change);
  EXPECT_EQ(item.municipalities.size(), 4u);
  EXPECT_NEAR(item.municipalities[0].change, (30.0 + 25.0) / 80 - 30.0 / 80, 1e-12);

  // Benjamini–Hochberg over every row with an estimate, services included.
  std::vector<double> p_values;
  std::vector<const FollowUpRow*> tested;
  for (const auto& row : evaluation.rows) {
    if (!row.change) continue;
    p_values.push_back(row.change->p_value);
    tested.push_back(&row);
  }
  ASSERT_EQ(tested.size(), 2u);
  const std::vector<double> adjusted = BenjaminiHochberg(p_values);
  for (std::size_t k = 0; k < tested.size(); ++k) {
    EXPECT_DOUBLE_EQ(tested[k]->adjusted_p_value, adjusted[k]);
  }
}

TEST_F(FollowUpEvaluationTest, ReadersGetNoEvaluationBuiltOnSingleMunicipalities) {
  for (int k = 0; k < 3; ++k) AddPair("risk_identification.bullied", 9001 + k, 40, 10, 10);
  Publication readers(data_, in_, {}, Audience::kAggregatesOnly);
  auto evaluation =
      EvaluateFollowUp(data_, in_, readers, {{"risk_identification"}, false, std::nullopt});
  ASSERT_FALSE(evaluation.ok());
  EXPECT_EQ(evaluation.error().message, "enkeltkommuner vises ikke for denne rollen");
}

}  // namespace
}  // namespace samkart::analysis
