#include "samkart/analysis/competence.h"

#include <cmath>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "samkart/analysis/knowledge_chain.h"
#include "samkart/analysis/service_links.h"
#include "samkart/instrument/loader.h"

namespace samkart::analysis {
namespace {

using instrument::kNotAsked;

constexpr int kBarnehage = 1, kBarneskole = 2, kUngdomsskole = 3, kHelsestasjon = 5, kPpt = 7,
              kNav = 8;
constexpr int kLaerer = 6, kSaksbehandler = 8;

// Constructed data where the right answer is known: people of chosen
// services and positions answering chosen items.
class CompetenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = instrument::LoadEmbeddedInstrument();
    ASSERT_TRUE(loaded.ok());
    in_ = std::move(*loaded.instrument);
    ASSERT_FALSE(in_.knowledge_areas.empty());
    ASSERT_FALSE(in_.service_links.empty());
    data_.item_refs = in_.ItemsInOrder();
    data_.items.assign(data_.item_refs.size(), {});
    data_.municipality_names = {{9001, "Vikheim"}, {9002, "Modal"}, {9003, "Berg"}};
  }

  std::size_t Item(const std::string& id) const {
    const auto index = data_.ItemIndex(id);
    EXPECT_TRUE(index) << id;
    return index.value_or(0);
  }

  // One respondent answering `answers` (item → code); the rest not asked.
  void Person(int service, int position, const std::map<std::string, int>& answers,
              int municipality = 9001) {
    data_.municipality.push_back(static_cast<uint16_t>(municipality));
    data_.year.push_back(2021);
    data_.round_type.push_back(1);
    data_.generation.push_back(5);
    data_.region.push_back(1);
    data_.size_group.push_back(1);
    data_.service.push_back(static_cast<uint8_t>(service));
    data_.position.push_back(static_cast<uint8_t>(position));
    for (auto& column : data_.items) column.push_back(kNotAsked);
    for (const auto& [id, code] : answers)
      data_.items[Item(id)].back() = static_cast<uint8_t>(code);
    ++data_.rows;
  }

  // `people` of a service, the first `knowing` of them reporting they know
  // the signs of learning difficulties (5), the others not (2).
  void Staff(int service, int people, int knowing, int position = kLaerer,
             int municipality = 9001) {
    for (int i = 0; i < people; ++i) {
      Person(service, position,
             {{"risk_identification.learning_difficulties", i < knowing ? 5 : 2}}, municipality);
    }
  }

  static std::vector<Filter> Vikheim() {
    return {{Variable::kMunicipality, {9001}, std::nullopt},
            {Variable::kYear, {2021}, std::nullopt},
            {Variable::kRoundType, {1}, std::nullopt}};
  }

  std::size_t Area(const std::string& id) const {
    for (std::size_t a = 0; a < in_.knowledge_areas.size(); ++a) {
      if (in_.knowledge_areas[a].id == id) return a;
    }
    ADD_FAILURE() << id;
    return 0;
  }

  static const GroupStanding* Find(const AreaPockets& area, Variable variable, int value) {
    for (const GroupStanding& g : area.groups) {
      if (g.variable == variable && g.value == value) return &g;
    }
    return nullptr;
  }

  // Knowledge, concern and knowing whom to contact, person by person: most
  // areas at 60 / 40 / 70 %, substance use at 20 / 5 / 30 %, sexual abuse
  // low on knowledge only, neglect on knowledge and concern but not on
  // knowing whom to contact.
  void ChainPeople(int municipality, int shift) {
    for (int k = 0; k < 200; ++k) {
      const int i = k + shift;
      std::map<std::string, int> answers{{"acted_on_concern.acted", i % 10 < 8 ? 1 : 2}};
      for (const auto& area : in_.knowledge_areas) {
        if (!area.HasChain()) continue;
        const bool substance = area.id == "problematic_substance_use";
        const bool abuse = area.id == "sexual_abuse";
        const bool neglect = area.id == "neglect";
        const int knows = substance || abuse || neglect ? 2 : 6;
        const bool concerned = substance || neglect ? i % 20 == 0 : i % 10 < 4;
        const int contacts = substance ? 3 : 7;
        answers[area.knowledge] = i % 10 < knows ? 5 : 2;
        answers[area.concern] = concerned ? 1 : 0;
        answers[area.contact] = i % 10 < contacts ? 1 : 2;
      }
      Person(kBarnehage, kLaerer, answers, municipality);
    }
  }

  instrument::Instrument in_;
  Dataset data_;
};

TEST_F(CompetenceTest, FindsTheServiceThatHoldsAnAreaAndTheOneThatLacksIt) {
  Staff(kPpt, 30, 28, kSaksbehandler);
  Staff(kBarnehage, 60, 24);
  Staff(kBarneskole, 60, 36);
  Staff(kHelsestasjon, 40, 22);
  Publication publication(data_, in_, {});
  auto pockets = FindCompetencePockets(data_, in_, publication, Vikheim());
  ASSERT_TRUE(pockets.ok()) << pockets.error().message;
  const AreaPockets& area = pockets->areas.at(Area("learning_difficulties"));
  EXPECT_EQ(area.total.n, 190u);
  EXPECT_EQ(area.total.count, 110u);

  const GroupStanding* ppt = Find(area, Variable::kService, kPpt);
  ASSERT_NE(ppt, nullptr);
  EXPECT_EQ(ppt->standing, Standing::kHolds);
  ASSERT_TRUE(ppt->against_rest);
  // The rest is everyone else: (24 + 36 + 22) of 160.
  EXPECT_NEAR(ppt->against_rest->estimate, 28.0 / 30 - 82.0 / 160, 1e-12);

  const GroupStanding* kindergarten = Find(area, Variable::kService, kBarnehage);
  ASSERT_NE(kindergarten, nullptr);
  EXPECT_EQ(kindergarten->standing, Standing::kLacks);

  // 60 % against a rest of 74 / 130 = 57 %: no finding.
  const GroupStanding* school = Find(area, Variable::kService, kBarneskole);
  ASSERT_NE(school, nullptr);
  EXPECT_EQ(school->standing, Standing::kNeither);
  EXPECT_NEAR(school->against_rest->estimate, 0.6 - 74.0 / 130, 1e-12);

  // The same pocket seen by position: the case workers are PPT's staff.
  const GroupStanding* case_workers = Find(area, Variable::kPosition, kSaksbehandler);
  ASSERT_NE(case_workers, nullptr);
  EXPECT_EQ(case_workers->standing, Standing::kHolds);
  EXPECT_EQ(pockets->findings, 4u);  // PPT, barnehage, and the two positions
}

TEST_F(CompetenceTest, AHiddenGroupIsNeitherTestedNorShown) {
  Staff(kPpt, 30, 28);
  Staff(kBarnehage, 60, 30);
  Staff(kNav, 6, 0);  // below the smallest group that may be shown
  Publication publication(data_, in_, {});
  auto pockets = FindCompetencePockets(data_, in_, publication, Vikheim());
  ASSERT_TRUE(pockets.ok()) << pockets.error().message;
  const AreaPockets& area = pockets->areas.at(Area("learning_difficulties"));
  const GroupStanding* nav = Find(area, Variable::kService, kNav);
  ASSERT_NE(nav, nullptr);
  EXPECT_EQ(nav->standing, Standing::kHidden);
  EXPECT_TRUE(nav->cell.suppressed);
  EXPECT_EQ(nav->cell.n, 0u);
  EXPECT_FALSE(nav->against_rest);
  // A second cell is hidden too, or NAV would be the total less the
  // others; whichever it is, it is not tested either.
  for (const GroupStanding& g : area.groups) {
    if (g.variable == Variable::kService) {
      EXPECT_EQ(g.cell.suppressed, !g.against_rest) << g.value;
    }
  }
}

TEST_F(CompetenceTest, SharingPairsRankByReachAndAnExistingChannel) {
  // PPT knows; kindergarten and primary school less. PPT and the primary
  // school rate their cooperation good both ways; PPT and the
  // kindergarten poor.
  for (int i = 0; i < 30; ++i) {
    Person(kPpt, kSaksbehandler,
           {{"risk_identification.learning_difficulties", i < 28 ? 5 : 2},
            {"cooperation_with_services.primary_school", 5},
            {"cooperation_with_services.kindergarten", 1}});
  }
  for (int i = 0; i < 60; ++i) {
    Person(kBarnehage, kLaerer,
           {{"risk_identification.learning_difficulties", i < 30 ? 5 : 2},
            {"cooperation_with_services.ppt", 2}});
    Person(kBarneskole, kLaerer,
           {{"risk_identification.learning_difficulties", i < 36 ? 5 : 2},
            {"cooperation_with_services.ppt", 4}});
  }
  Publication publication(data_, in_, {});
  auto pairs = FindSharingPairs(data_, in_, publication, Vikheim());
  ASSERT_TRUE(pairs.ok()) << pairs.error().message;
  ASSERT_GE(pairs->pairs.size(), 2u);
  // PPT → barnehage has the larger gap (43 against 33 points) on as many
  // staff, but PPT → barneskole has a channel to use: it ranks first.
  const SharingPair& first = pairs->pairs[0];
  EXPECT_EQ(first.giver, kPpt);
  EXPECT_EQ(first.receiver, kBarneskole);
  EXPECT_EQ(first.channel, Channel::kGood);
  ASSERT_TRUE(first.rating && first.reverse_rating);
  EXPECT_DOUBLE_EQ(first.rating->share, 1.0);
  EXPECT_DOUBLE_EQ(first.reverse_rating->share, 1.0);
  EXPECT_NEAR(first.score, (28.0 / 30 - 0.6) * 60 * 2, 1e-9);
  EXPECT_EQ(DescribePair(in_, first), "PPT (93 %) → Barneskole/SFO (60 %) om læringsvansker");

  const SharingPair& second = pairs->pairs[1];
  EXPECT_EQ(second.giver, kPpt);
  EXPECT_EQ(second.receiver, kBarnehage);
  EXPECT_EQ(second.channel, Channel::kWeak);
  EXPECT_NEAR(second.score, (28.0 / 30 - 0.5) * 60, 1e-9);
  // Barneskole (60 %) against barnehage (50 %) is no finding at these n.
  for (const SharingPair& p : pairs->pairs) {
    EXPECT_FALSE(p.giver == kBarneskole && p.receiver == kBarnehage);
    EXPECT_TRUE(IsFinding(p.gap));
  }
}

TEST_F(CompetenceTest, WithoutACooperationRatingTheChannelIsUnknownAndRanksAsNone) {
  Staff(kPpt, 30, 28);
  Staff(kBarnehage, 60, 30);
  Publication publication(data_, in_, {});
  auto pairs = FindSharingPairs(data_, in_, publication, Vikheim());
  ASSERT_TRUE(pairs.ok()) << pairs.error().message;
  ASSERT_EQ(pairs->pairs.size(), 1u);
  EXPECT_EQ(pairs->pairs[0].channel, Channel::kUnknown);
  EXPECT_NEAR(pairs->pairs[0].score, (28.0 / 30 - 0.5) * 60, 1e-9);
}

TEST_F(CompetenceTest, TheChainMakesLowKnowledgeLowConcernAndLittleHelpStandOut) {
  ChainPeople(9001, 0);
  ChainPeople(9002, 3);
  Publication publication(data_, in_, {});
  for (const auto& where : {Vikheim(), std::vector<Filter>{{Variable::kRoundType, {1}, {}}}}) {
    auto chain = ComputeKnowledgeChain(data_, in_, publication, where,
                                       {{Variable::kRoundType, {1}, std::nullopt}});
    ASSERT_TRUE(chain.ok()) << chain.error().message;
    ASSERT_EQ(chain->areas.size(), 12u);
    for (const AreaChain& area : chain->areas) {
      const std::string& id = in_.knowledge_areas[area.area].id;
      SCOPED_TRACE(id);
      EXPECT_EQ(area.stands_out, id == "problematic_substance_use");
      EXPECT_EQ(area.knowledge.low,
                id == "problematic_substance_use" || id == "sexual_abuse" || id == "neglect");
      EXPECT_EQ(area.concern.low, id == "problematic_substance_use" || id == "neglect");
      // Acting is asked about the last concern only: compared with nothing.
      EXPECT_FALSE(area.acted.against_other_areas);
      EXPECT_DOUBLE_EQ(area.acted.cell.share, 0.8);
    }
  }
  // The municipality beside the rest of the nation (here: Modal).
  auto chain = ComputeKnowledgeChain(data_, in_, publication, Vikheim(),
                                     {{Variable::kRoundType, {1}, std::nullopt}});
  ASSERT_TRUE(chain.ok());
  EXPECT_TRUE(chain->compared_with_nation);
  const ChainStep& knowledge = chain->areas[0].knowledge;
  ASSERT_TRUE(knowledge.nation);
  EXPECT_EQ(knowledge.nation->n, 200u);
  EXPECT_DOUBLE_EQ(knowledge.cell.share, 0.6);
}

TEST_F(CompetenceTest, TheChainsDifferenceFromTheOtherAreasIsTheMeanOfPersonalDifferences) {
  // Two people: one knows the signs of learning difficulties only, one knows
  // everything but them; with 11 other areas the personal differences
  // are 1 − 0 and 0 − 1.
  for (int p = 0; p < 2; ++p) {
    std::map<std::string, int> answers{{"acted_on_concern.acted", 1}};
    for (const auto& area : in_.knowledge_areas) {
      if (!area.HasChain()) continue;
      const bool first = area.id == "learning_difficulties";
      answers[area.knowledge] = (first == (p == 0)) ? 5 : 2;
      answers[area.concern] = 1;
      answers[area.contact] = 1;
    }
    for (int copies = 0; copies < 10; ++copies) Person(kBarnehage, kLaerer, answers);
  }
  Publication publication(data_, in_, {});
  auto chain = ComputeKnowledgeChain(data_, in_, publication, Vikheim());
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  const auto& d = chain->areas[0].knowledge.against_other_areas;
  ASSERT_TRUE(d);
  EXPECT_NEAR(d->estimate, 0.0, 1e-12);
  // Ten people at +1 and ten at −1: sd = sqrt(20 / 19), t on 19 df.
  const double se = std::sqrt(20.0 / 19) / std::sqrt(20.0);
  EXPECT_NEAR(d->interval.high, 2.093024054408263 * se, 1e-9);
  EXPECT_NEAR(d->p_value, 1.0, 1e-12);
}

TEST_F(CompetenceTest, TransitionsAreRatedFromBothSidesAndAgainstTheNation) {
  for (int i = 0; i < 30; ++i) {
    Person(kBarnehage, kLaerer, {{"cooperation_with_services.primary_school", i < 9 ? 4 : 2}});
    Person(kBarneskole, kLaerer,
           {{"cooperation_with_services.kindergarten", i < 21 ? 5 : 1},
            {"cooperation_with_services.lower_secondary_school", i < 15 ? 4 : 2}});
    Person(kUngdomsskole, kLaerer, {{"cooperation_with_services.primary_school", i < 15 ? 4 : 2}});
    Person(kBarnehage, kLaerer, {{"cooperation_with_services.primary_school", i < 24 ? 4 : 2}},
           9002);
    Person(kBarnehage, kLaerer, {{"cooperation_with_services.primary_school", i < 24 ? 4 : 2}},
           9003);
  }
  Publication publication(data_, in_, {});
  auto links = CompareServiceLinks(data_, in_, publication, Vikheim(),
                                   {{Variable::kRoundType, {1}, std::nullopt}});
  ASSERT_TRUE(links.ok()) << links.error().message;
  ASSERT_TRUE(links->compared_with_nation);
  const LinkCooperation& kindergarten_school = links->links.at(0);
  EXPECT_EQ(kindergarten_school.forward.rater, kBarnehage);
  EXPECT_EQ(kindergarten_school.forward.rated, kBarneskole);
  EXPECT_DOUBLE_EQ(kindergarten_school.forward.rating.share, 0.3);
  EXPECT_DOUBLE_EQ(kindergarten_school.backward.rating.share, 0.7);
  ASSERT_TRUE(kindergarten_school.asymmetry);
  EXPECT_NEAR(kindergarten_school.asymmetry->estimate, -0.4, 1e-12);
  EXPECT_TRUE(IsFinding(*kindergarten_school.asymmetry));
  // The kindergartens of the other municipalities rate the school at 80 %.
  ASSERT_TRUE(kindergarten_school.forward.nation);
  EXPECT_DOUBLE_EQ(kindergarten_school.forward.nation->share, 0.8);
  ASSERT_TRUE(kindergarten_school.forward.against_nation);
  EXPECT_TRUE(IsFinding(*kindergarten_school.forward.against_nation));

  const LinkCooperation& school_school = links->links.at(1);
  ASSERT_TRUE(school_school.asymmetry);
  EXPECT_NEAR(school_school.asymmetry->estimate, 0.0, 1e-12);
  EXPECT_FALSE(IsFinding(*school_school.asymmetry));
  // Services nobody here answered for: no ratings, no tests.
  const LinkCooperation& relatives = links->links.at(2);
  EXPECT_EQ(relatives.forward.rating.n, 0u);
  EXPECT_FALSE(relatives.asymmetry);
}

}  // namespace
}  // namespace samkart::analysis
