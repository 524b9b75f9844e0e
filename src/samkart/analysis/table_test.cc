#include "samkart/analysis/table.h"

#include <map>

#include <gtest/gtest.h>

#include "samkart/analysis/cooperation.h"
#include "samkart/analysis/publication.h"
#include "samkart/instrument/loader.h"
#include "samkart/present/table_format.h"

namespace samkart::analysis {
namespace {

using instrument::kBlank;
using instrument::kNotAsked;
using present::FormatTableCsv;
using present::FormatTableText;
using present::kInternalMark;
using present::kNoAnswersMark;
using present::MarkInternal;
using present::NeutraliseFormula;

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = instrument::LoadEmbeddedInstrument();
    ASSERT_TRUE(loaded.ok());
    in_ = std::move(*loaded.instrument);
    data_.item_refs = in_.ItemsInOrder();
    data_.items.assign(data_.item_refs.size(), {});
    data_.municipality_names = {{9001, "Vikheim"}, {9002, "Modal"}};
  }

  std::size_t Item(const std::string& id) const {
    for (std::size_t i = 0; i < data_.item_refs.size(); ++i) {
      if (data_.item_refs[i].QualifiedId() == id) return i;
    }
    ADD_FAILURE() << id;
    return 0;
  }

  // Adds one respondent answering `id` with `code`; everything else not asked.
  void Add(const std::string& id, int code, int service = 1, int municipality = 9001,
           int round_type = 1, int size_group = 1, int region = 1, int year = 2021) {
    data_.municipality.push_back(static_cast<uint16_t>(municipality));
    data_.year.push_back(static_cast<uint16_t>(year));
    data_.round_type.push_back(static_cast<uint8_t>(round_type));
    data_.generation.push_back(5);
    data_.region.push_back(static_cast<uint8_t>(region));
    data_.size_group.push_back(static_cast<uint8_t>(size_group));
    data_.service.push_back(static_cast<uint8_t>(service));
    data_.position.push_back(4);
    const std::size_t target = Item(id);
    for (std::size_t i = 0; i < data_.items.size(); ++i) {
      data_.items[i].push_back(i == target ? static_cast<uint8_t>(code) : kNotAsked);
    }
    ++data_.rows;
  }

  Table Compute(TableRequest request) {
    auto table = ComputeTable(data_, in_, request);
    EXPECT_TRUE(table.ok()) << table.error().message;
    return table.ok() ? std::move(table.value()) : Table{};
  }

  instrument::Instrument in_;
  Dataset data_;
};

TEST_F(TableTest, ReportedShareKeepsDontKnowAndDropsBlankAndNotAsked) {
  for (const int code : {4, 5, 3, 9, int{kBlank}, int{kNotAsked}}) {
    Add("risk_identification.bullied", code);
  }
  const Table t = Compute({"risk_identification", "bullied", {}, {}, {}, false, {}});
  ASSERT_EQ(t.rows.size(), 1u);
  const Cell& c = t.rows[0].cell;
  EXPECT_EQ(c.n, 4u);  // 4, 5, 3 and «vet ikke»
  EXPECT_EQ(c.count, 2u);
  EXPECT_DOUBLE_EQ(c.share, 0.5);
  EXPECT_DOUBLE_EQ(c.interval.low, WilsonInterval(2, 4).low);
  EXPECT_NE(t.denominator_rule.find("Vet ikke/ikke relevant"), std::string::npos)
      << t.denominator_rule;
}

TEST_F(TableTest, BreakdownGivesTheTotalThenEachGroupInCodeOrder) {
  for (int i = 0; i < 10; ++i) Add("risk_identification.bullied", 5, 2);
  for (int i = 0; i < 10; ++i) Add("risk_identification.bullied", i < 3 ? 4 : 1, 1);
  const Table t =
      Compute({"risk_identification", "bullied", {Variable::kService}, {}, {}, false, {}});
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_TRUE(t.rows[0].group.empty());
  EXPECT_EQ(t.rows[0].cell.count, 13u);
  EXPECT_EQ(t.rows[1].group, std::vector<int>{1});
  EXPECT_EQ(t.rows[1].cell.count, 3u);
  EXPECT_EQ(t.rows[2].group, std::vector<int>{2});
  EXPECT_EQ(t.rows[2].cell.count, 10u);
}

TEST_F(TableTest, FiltersSelectRespondentsByValueAndRange) {
  for (int year = 2015; year <= 2021; ++year) {
    Add("risk_identification.bullied", 5, 1, 9001, 1, 1, 1, year);
  }
  Filter years{Variable::kYear, {}, std::make_pair(2017, 2019)};
  const Table t = Compute({"risk_identification", "bullied", {}, {years}, {}, false, {}});
  EXPECT_EQ(t.rows[0].cell.n, 3u);
  Filter services{Variable::kService, {2, 3}, std::nullopt};
  EXPECT_EQ(
      Compute({"risk_identification", "bullied", {}, {services}, {}, false, {}}).rows[0].cell.n,
      0u);
}

TEST_F(TableTest, DistributionHasOneRowPerCategoryInTheDenominator) {
  for (const int code : {1, 2, 2, 9}) Add("concern_experienced.concern_last_12_months", code);
  const Table t =
      Compute({"concern_experienced", std::nullopt, {}, {}, Comparison::kNone, true, {}});
  ASSERT_EQ(t.rows.size(), 5u);  // four answers and «ikke relevant»
  std::size_t total = 0;
  for (const auto& row : t.rows) {
    EXPECT_EQ(row.cell.n, 4u);
    total += row.cell.count;
  }
  EXPECT_EQ(total, 4u);
}

TEST_F(TableTest, FollowUpIsComparedWithItsBaseline) {
  for (int i = 0; i < 40; ++i) Add("risk_identification.bullied", i < 20 ? 5 : 1, 1, 9001, 1);
  for (int i = 0; i < 40; ++i) Add("risk_identification.bullied", i < 36 ? 5 : 1, 1, 9001, 2);
  Filter municipality{Variable::kMunicipality, {9001}, std::nullopt};
  const Table t = Compute(
      {"risk_identification", "bullied", {}, {municipality}, Comparison::kBaseline, false, {}});
  ASSERT_EQ(t.rows.size(), 1u);
  const auto& row = t.rows[0];
  EXPECT_EQ(row.cell.count, 36u);
  ASSERT_TRUE(row.reference);
  EXPECT_EQ(row.reference->count, 20u);
  ASSERT_TRUE(row.difference);
  const Difference expected = CompareShares({36, 40, {}, 0}, {20, 40, {}, 0});
  EXPECT_DOUBLE_EQ(row.difference->interval.low, expected.interval.low);
  EXPECT_TRUE(row.difference->significant);
  EXPECT_EQ(t.reference_label, "0-punktsmåling");
}

TEST_F(TableTest, AMunicipalityIsComparedWithTheRestOfTheNation) {
  // 9001: 40 answers, 36 in the top two; 9002 and 9003: 40 each, 20 each.
  for (const int m : {9001, 9002, 9003}) {
    for (int i = 0; i < 40; ++i) {
      Add("risk_identification.bullied", i < (m == 9001 ? 36 : 20) ? 5 : 1, 1, m);
    }
  }
  Filter municipality{Variable::kMunicipality, {9001}, std::nullopt};
  const Table t = Compute(
      {"risk_identification", "bullied", {}, {municipality}, Comparison::kNation, false, {}});
  ASSERT_EQ(t.rows.size(), 1u);
  ASSERT_TRUE(t.rows[0].reference);
  // The rest: 80 answers, 40 in the top two; 9001 itself is not in it.
  EXPECT_EQ(t.rows[0].reference->n, 80u);
  EXPECT_EQ(t.rows[0].reference->count, 40u);
  EXPECT_DOUBLE_EQ(t.rows[0].difference->estimate, 0.9 - 0.5);
  EXPECT_EQ(t.reference_label, "Resten av landet");
}

TEST_F(TableTest, EachGroupOfAGeographicBreakdownIsComparedWithTheOthers) {
  // Size group 1 (9001): 30 of 40; size group 2 (9002, 9003): 10 of 40 each.
  for (const int m : {9001, 9002, 9003}) {
    for (int i = 0; i < 40; ++i) {
      Add("risk_identification.bullied", i < (m == 9001 ? 30 : 10) ? 5 : 1, 1, m, 1,
          m == 9001 ? 1 : 2);
    }
  }
  const Table t = Compute({"risk_identification",
                           "bullied",
                           {Variable::kSizeGroup},
                           {},
                           Comparison::kNation,
                           false,
                           {}});
  std::map<int, const TableRow*> by_group;
  for (const auto& row : t.rows) {
    if (!row.group.empty()) by_group[row.group[0]] = &row;
  }
  ASSERT_EQ(by_group.size(), 2u);
  // Never itself: group 1 against group 2, and group 2 against group 1.
  EXPECT_EQ(by_group[1]->reference->n, 80u);
  EXPECT_EQ(by_group[1]->reference->count, 20u);
  EXPECT_EQ(by_group[2]->reference->n, 40u);
  EXPECT_EQ(by_group[2]->reference->count, 30u);
  EXPECT_DOUBLE_EQ(by_group[1]->difference->estimate, 0.75 - 0.25);
  EXPECT_TRUE(by_group[1]->difference->significant);
}

TEST_F(TableTest, TheRestOfTheNationNeedsAUnitToCompare) {
  Add("risk_identification.bullied", 5);
  auto table = ComputeTable(
      data_, in_,
      {"risk_identification", "bullied", {Variable::kService}, {}, Comparison::kNation, false, {}});
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.error().message.find("resten av landet"), std::string::npos)
      << table.error().message;
}

TEST_F(TableTest, PooledSharesTreatEachRoundAsACluster) {
  // Four municipalities that answer alike inside and differently between:
  // 10, 30, 70 and 90 % in the top two, 50 answers each.
  const std::vector<int> municipalities = {9001, 9002, 9003, 9004};
  const std::vector<int> top_two = {5, 15, 35, 45};
  for (std::size_t k = 0; k < municipalities.size(); ++k) {
    const int yes = top_two[k];
    for (int i = 0; i < 50; ++i) {
      Add("risk_identification.bullied", i < yes ? 5 : 1, 1, municipalities[k]);
    }
  }
  const Table nation =
      Compute({"risk_identification", "bullied", {}, {}, Comparison::kNone, false, {}});
  const Cell& pooled = nation.rows[0].cell;
  EXPECT_EQ(pooled.n, 200u);
  ASSERT_TRUE(pooled.design_effect);
  // Σ (y_c − p n_c)² = 2 · (20² + 10²) = 1000; m = 4 rounds.
  const double variance = 4.0 / 3.0 * 1000.0 / (200.0 * 200.0);
  EXPECT_NEAR(ShareVariance(SampleOf(pooled)), variance, 1e-15);
  EXPECT_NEAR(*pooled.design_effect, variance / (0.5 * 0.5 / 200), 1e-12);
  const Interval wilson = WilsonInterval(100, 200);
  EXPECT_LT(pooled.interval.low, wilson.low);
  EXPECT_GT(pooled.interval.high, wilson.high);

  // Inside one municipality: Wilson, no design effect.
  Filter one{Variable::kMunicipality, {9002}, std::nullopt};
  const Table local =
      Compute({"risk_identification", "bullied", {}, {one}, Comparison::kNone, false, {}});
  EXPECT_FALSE(local.rows[0].cell.design_effect);
  EXPECT_DOUBLE_EQ(local.rows[0].cell.interval.low, WilsonInterval(15, 50).low);
}

TEST_F(TableTest, SizeGroupComparisonNeedsOneMunicipality) {
  Add("risk_identification.bullied", 5);
  auto table = ComputeTable(
      data_, in_, {"risk_identification", "bullied", {}, {}, Comparison::kSizeGroup, false, {}});
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.error().message.find("nøyaktig én kommune"), std::string::npos);
}

TEST_F(TableTest, UnknownFamilyOrItemIsAnError) {
  EXPECT_FALSE(ComputeTable(data_, in_, {"nope", std::nullopt, {}, {}, {}, false, {}}).ok());
  EXPECT_FALSE(
      ComputeTable(data_, in_, {"risk_identification", "nope", {}, {}, {}, false, {}}).ok());
}

TEST_F(TableTest, CooperationMatrixShowsBothDirectionsAndTheAsymmetry) {
  const int barneskole = in_.FindService("barneskole")->code;
  const int barnevern = in_.FindService("barnevern")->code;
  // Child welfare rates primary school good in 16 of 20; primary school
  // rates child welfare good in 11 of 20.
  for (int i = 0; i < 20; ++i) {
    Add("cooperation_with_services.primary_school", i < 16 ? 5 : 2, barnevern);
  }
  for (int i = 0; i < 20; ++i) {
    Add("cooperation_with_services.child_welfare", i < 11 ? 4 : 1, barneskole);
  }
  Publication publication(data_, in_, {});
  auto matrix = ComputeCooperationMatrix(data_, in_, {{Variable::kRoundType, {1}, std::nullopt}},
                                         publication);
  ASSERT_TRUE(matrix.ok()) << matrix.error().message;
  const CooperationPair* welfare = matrix->Find(barnevern, barneskole);
  ASSERT_NE(welfare, nullptr);
  EXPECT_DOUBLE_EQ(welfare->rating.share, 0.80);
  ASSERT_TRUE(welfare->reverse);
  EXPECT_DOUBLE_EQ(welfare->reverse->share, 0.55);
  ASSERT_TRUE(welfare->asymmetry_pp);
  EXPECT_NEAR(*welfare->asymmetry_pp, 25.0, 1e-9);
  const CooperationPair* school = matrix->Find(barneskole, barnevern);
  ASSERT_NE(school, nullptr);
  EXPECT_NEAR(*school->asymmetry_pp, -25.0, 1e-9);
  // Nobody rates their own service.
  EXPECT_EQ(matrix->Find(barnevern, barnevern), nullptr);
  const std::string text = FormatCooperationText(*matrix, in_);
  EXPECT_NE(text.find("Barnevern vurderer Barneskole/SFO: 80 %; Barneskole/SFO vurderer "
                      "Barnevern: 55 % (+25 prosentpoeng)"),
            std::string::npos)
      << text;
}

TEST_F(TableTest, AMergedGroupNeverRatesAServiceItIncludes) {
  const int barneskole = in_.FindService("barneskole")->code;
  const int ungdomsskole = in_.FindService("ungdomsskole")->code;
  const int kombinert = in_.FindService("kombinert_skole")->code;
  const int skole_samlet = in_.FindService("skole_samlet")->code;
  const int velferd_samlet = in_.FindService("velferd_samlet")->code;
  const int barnevern = in_.FindService("barnevern")->code;
  for (const int rater : {skole_samlet, kombinert, barnevern}) {
    for (int i = 0; i < 20; ++i) {
      Add("cooperation_with_services.primary_school", i < 12 ? 5 : 2, rater);
      Add("cooperation_with_services.lower_secondary_school", i < 12 ? 5 : 2, rater);
    }
  }
  for (int i = 0; i < 20; ++i) Add("cooperation_with_services.child_welfare", 5, velferd_samlet);
  Publication publication(data_, in_, {});
  auto matrix = ComputeCooperationMatrix(data_, in_, {{Variable::kRoundType, {1}, std::nullopt}},
                                         publication);
  ASSERT_TRUE(matrix.ok()) << matrix.error().message;
  // Schools (merged) and the combined school would rate themselves.
  EXPECT_EQ(matrix->Find(skole_samlet, barneskole), nullptr);
  EXPECT_EQ(matrix->Find(skole_samlet, ungdomsskole), nullptr);
  EXPECT_EQ(matrix->Find(kombinert, barneskole), nullptr);
  EXPECT_EQ(matrix->Find(kombinert, ungdomsskole), nullptr);
  EXPECT_EQ(matrix->Find(velferd_samlet, barnevern), nullptr);
  // Child welfare rating the schools is a pair.
  EXPECT_NE(matrix->Find(barnevern, barneskole), nullptr);
  EXPECT_NE(matrix->Find(barnevern, ungdomsskole), nullptr);
  EXPECT_NE(FormatCooperationText(*matrix, in_).find("vurderer ikke tjenester den selv"),
            std::string::npos);
}

TEST(NeutraliseFormula, PrefixesWhatASpreadsheetWouldRun) {
  EXPECT_EQ(NeutraliseFormula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
  EXPECT_EQ(NeutraliseFormula("+47"), "'+47");
  EXPECT_EQ(NeutraliseFormula("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(NeutraliseFormula("Barnehage"), "Barnehage");
}

// --- Publication rules -----------------------------------------------------

class PublicationTest : public TableTest {
 protected:
  // n respondents in `service` of `municipality`, half of them in the top two.
  void AddGroup(int service, int n, int municipality = 9001, int region = 1, int size_group = 1) {
    for (int i = 0; i < n; ++i) {
      Add("risk_identification.bullied", i % 2 ? 5 : 1, service, municipality, 1, size_group,
          region);
    }
  }

  // The table through the publication gate, in the baseline rounds.
  std::vector<Table> Published(TableRequest request, PublicationRules rules = {}) {
    request.where.push_back({Variable::kRoundType, {1}, std::nullopt});
    std::vector<Table> tables = {Compute(std::move(request))};
    Publication publication(data_, in_, rules);
    auto applied = publication.Apply(tables);
    EXPECT_TRUE(applied.ok()) << applied.error().message;
    return tables;
  }

  // Tries to recover every hidden group by subtracting the visible groups of
  // a line from its total; returns the groups recovered.
  static std::vector<std::vector<int>> Recover(const Table& t, std::size_t total_n,
                                               const std::vector<std::vector<int>>& line) {
    std::size_t visible = 0;
    std::vector<std::vector<int>> hidden;
    for (const auto& row : t.rows) {
      if (row.group.empty()) continue;
      if (std::find(line.begin(), line.end(), row.group) == line.end()) continue;
      if (row.cell.suppressed) {
        hidden.push_back(row.group);
      } else {
        visible += row.cell.n;
      }
    }
    if (hidden.size() == 1 && total_n >= visible) return hidden;
    return {};
  }
};

TEST_F(PublicationTest, SmallGroupsAreHiddenAndTheirNumbersZeroed) {
  AddGroup(1, 30);
  AddGroup(2, 20);
  AddGroup(3, 4);
  AddGroup(5, 12);
  const auto tables =
      Published({"risk_identification", "bullied", {Variable::kService}, {}, {}, false, {}});
  const Table& t = tables[0];
  for (const auto& row : t.rows) {
    if (row.group == std::vector<int>{3}) {
      EXPECT_TRUE(row.cell.suppressed);
      EXPECT_EQ(row.cell.n, 0u);
      EXPECT_EQ(row.cell.count, 0u);
    }
  }
  // The complement is the smallest visible group (12), not a larger one.
  for (const auto& row : t.rows) {
    if (row.group == std::vector<int>{5}) {
      EXPECT_TRUE(row.cell.suppressed);
    }
    if (row.group == std::vector<int>{1} || row.group.empty()) {
      EXPECT_FALSE(row.cell.suppressed);
    }
  }
}

TEST_F(PublicationTest, TheRestIsHiddenWhenTheMunicipalityIs) {
  // 9001 has too few answers; the nation minus a visible rest would give it.
  AddGroup(1, 4, 9001);
  AddGroup(1, 30, 9002);
  AddGroup(1, 30, 9003);
  const auto tables = Published({"risk_identification",
                                 "bullied",
                                 {},
                                 {{Variable::kMunicipality, {9001}, std::nullopt}},
                                 Comparison::kNation,
                                 false,
                                 {}});
  ASSERT_EQ(tables[0].rows.size(), 1u);
  EXPECT_TRUE(tables[0].rows[0].cell.suppressed);
  ASSERT_TRUE(tables[0].rows[0].reference);
  EXPECT_TRUE(tables[0].rows[0].reference->suppressed);
  EXPECT_EQ(tables[0].rows[0].reference->n, 0u);
  EXPECT_FALSE(tables[0].rows[0].difference);
}

TEST_F(PublicationTest, SubtractingVisibleGroupsFromTheTotalRecoversNothing) {
  AddGroup(1, 30);
  AddGroup(2, 25);
  AddGroup(3, 7);
  AddGroup(5, 40);
  const auto tables =
      Published({"risk_identification", "bullied", {Variable::kService}, {}, {}, false, {}});
  const Table& t = tables[0];
  ASSERT_FALSE(t.rows[0].cell.suppressed);
  std::vector<std::vector<int>> all = {{1}, {2}, {3}, {5}};
  EXPECT_TRUE(Recover(t, t.rows[0].cell.n, all).empty());
  std::size_t hidden = 0;
  for (const auto& row : t.rows) hidden += row.cell.suppressed;
  EXPECT_EQ(hidden, 2u);
}

TEST_F(PublicationTest, AHiddenGroupNobodyAnsweredIsNoComplement) {
  // Service 6 is in the data but was not asked this question (n = 0), so it
  // fails the primary rule too. Hiding it hides nothing: the total minus the
  // visible groups would still be service 3 alone. A group with answers must go.
  AddGroup(1, 30);
  AddGroup(2, 25);
  AddGroup(3, 7);
  AddGroup(5, 40);
  for (int i = 0; i < 15; ++i) Add("risk_identification.bullied", kNotAsked, 6);
  const auto tables =
      Published({"risk_identification", "bullied", {Variable::kService}, {}, {}, false, {}});
  const Table& t = tables[0];
  ASSERT_FALSE(t.rows[0].cell.suppressed);
  std::size_t visible = 0;
  std::vector<std::vector<int>> hidden;
  for (const auto& row : t.rows) {
    if (row.group.empty()) continue;
    if (row.cell.suppressed) {
      hidden.push_back(row.group);
    } else {
      visible += row.cell.n;
    }
  }
  EXPECT_NE(t.rows[0].cell.n - visible, 7u) << "service 3 recoverable from the total";
  EXPECT_NE(std::find(hidden.begin(), hidden.end(), std::vector<int>{2}), hidden.end())
      << "the smallest group with answers (25) is the complement";
}

TEST_F(PublicationTest, TheSmallCountRuleHidesExtremesToo) {
  AddGroup(1, 30);
  for (int i = 0; i < 20; ++i) Add("risk_identification.bullied", i < 2 ? 5 : 1, 2);
  AddGroup(3, 30);
  const auto without =
      Published({"risk_identification", "bullied", {Variable::kService}, {}, {}, false, {}});
  for (const auto& row : without[0].rows) EXPECT_FALSE(row.cell.suppressed);
  const auto with = Published(
      {"risk_identification", "bullied", {Variable::kService}, {}, {}, false, {}}, {10, 3});
  bool service_2_hidden = false;
  for (const auto& row : with[0].rows) {
    if (row.group == std::vector<int>{2}) service_2_hidden = row.cell.suppressed;
  }
  EXPECT_TRUE(service_2_hidden);
}

TEST_F(PublicationTest, TwoWayTablesLeaveNoLineWithASingleHiddenCell) {
  // service × size group; one small cell in the middle of the grid.
  for (int service : {1, 2, 3}) {
    for (int size_group : {1, 2, 3}) {
      const int n = service == 2 && size_group == 2 ? 3 : 15 + service + size_group;
      for (int i = 0; i < n; ++i) {
        Add("risk_identification.bullied", i % 2 ? 5 : 1, service, 9000 + size_group, 1,
            size_group);
      }
    }
  }
  const auto tables = Published({"risk_identification",
                                 "bullied",
                                 {Variable::kService, Variable::kSizeGroup},
                                 {},
                                 {},
                                 false,
                                 {}});
  std::map<int, int> hidden_in_row, hidden_in_column;
  std::size_t hidden = 0;
  for (const auto& row : tables[0].rows) {
    if (row.group.empty() || !row.cell.suppressed) continue;
    ++hidden_in_row[row.group[0]];
    ++hidden_in_column[row.group[1]];
    ++hidden;
  }
  EXPECT_GE(hidden, 4u);  // a rectangle: the least that protects one cell
  for (const auto& [value, n] : hidden_in_row) EXPECT_NE(n, 1) << "rad " << value;
  for (const auto& [value, n] : hidden_in_column) EXPECT_NE(n, 1) << "kolonne " << value;
}

TEST_F(PublicationTest, ARegionTotalFromASecondRequestRecoversNoMunicipality) {
  // Region 1 has three municipalities, one of them small; region 2 has two.
  data_.municipality_names = {{9001, "A"}, {9002, "B"}, {9003, "C"}, {9004, "D"}, {9005, "E"}};
  AddGroup(1, 40, 9001, 1);
  AddGroup(1, 35, 9002, 1);
  AddGroup(1, 4, 9003, 1);
  AddGroup(1, 12, 9004, 2);
  AddGroup(1, 50, 9005, 2);
  // Request 1: every municipality. Request 2, overlapping: the region-1 total.
  const auto by_municipality =
      Published({"risk_identification", "bullied", {Variable::kMunicipality}, {}, {}, false, {}});
  Filter region1{Variable::kRegion, {1}, std::nullopt};
  const auto region_total =
      Published({"risk_identification", "bullied", {}, {region1}, {}, false, {}});
  // The small municipality needs a hidden partner in its region: the
  // region's total (cheaper here, as municipalities are headline cells) or
  // another municipality; a visible total must then recover nothing.
  const bool region_hidden = region_total[0].rows[0].cell.suppressed;
  std::size_t hidden_in_region = 0;
  for (const auto& row : by_municipality[0].rows) {
    if (!row.group.empty() && row.group[0] <= 9003 && row.cell.suppressed) ++hidden_in_region;
  }
  EXPECT_TRUE(region_hidden || hidden_in_region >= 2);
  if (!region_hidden) {
    EXPECT_TRUE(
        Recover(by_municipality[0], region_total[0].rows[0].cell.n, {{9001}, {9002}, {9003}})
            .empty())
        << "the small municipality's n follows from the region total";
  }
  EXPECT_TRUE(Recover(by_municipality[0], by_municipality[0].rows[0].cell.n,
                      {{9001}, {9002}, {9003}, {9004}, {9005}})
                  .empty());
}

TEST_F(PublicationTest, HiddenReferenceCellsHideTheDifference) {
  AddGroup(1, 30, 9001);
  AddGroup(2, 3, 9002);
  AddGroup(1, 30, 9002);
  Filter one{Variable::kMunicipality, {9001}, std::nullopt};
  const auto tables = Published({"risk_identification",
                                 "bullied",
                                 {Variable::kService},
                                 {one},
                                 Comparison::kNation,
                                 false,
                                 {}});
  for (const auto& row : tables[0].rows) {
    if (row.reference && row.reference->suppressed) {
      EXPECT_FALSE(row.difference.has_value());
    }
    if (row.cell.suppressed) {
      EXPECT_FALSE(row.difference.has_value());
    }
  }
}

TEST_F(PublicationTest, RangesAndListsAreRefusedNotAnsweredFromUnprotectedCells) {
  AddGroup(1, 30);
  AddGroup(2, 25);
  Publication publication(data_, in_, {});
  TableRequest request{"risk_identification", "bullied", {}, {}, {}, false, {}};
  request.where = {{Variable::kRoundType, {1}, std::nullopt},
                   {Variable::kYear, {}, std::make_pair(2015, 2023)}};
  std::vector<Table> tables = {Compute(request)};
  auto applied = publication.Apply(tables);
  ASSERT_FALSE(applied.ok());
  EXPECT_NE(applied.error().message.find("intervall"), std::string::npos)
      << applied.error().message;
  request.where = {{Variable::kRoundType, {1}, std::nullopt},
                   {Variable::kService, {1, 2}, std::nullopt}};
  EXPECT_TRUE(publication.NotPublishable(request.where, {}).has_value());
  request.where = {{Variable::kRoundType, {1}, std::nullopt},
                   {Variable::kGeneration, {5}, std::nullopt}};
  EXPECT_TRUE(publication.NotPublishable(request.where, {}).has_value());
  // Three canonical variables are not one canonical table.
  EXPECT_TRUE(publication
                  .NotPublishable({{Variable::kRoundType, {1}, std::nullopt}},
                                  {Variable::kService, Variable::kPosition, Variable::kYear})
                  .has_value());
}

TEST_F(PublicationTest, ARegionBySizeGroupCellRecoversNoMunicipality) {
  // Region 1, size group 1 holds a large and a small municipality; the
  // region × size-group table and the municipality table are published.
  data_.municipality_names = {{9001, "A"}, {9002, "B"}, {9003, "C"}, {9004, "D"}};
  AddGroup(1, 40, 9001, 1, 1);
  AddGroup(1, 4, 9002, 1, 1);
  AddGroup(1, 30, 9003, 1, 2);
  AddGroup(1, 35, 9004, 2, 2);
  const auto by_municipality =
      Published({"risk_identification", "bullied", {Variable::kMunicipality}, {}, {}, false, {}});
  const auto grid = Published({"risk_identification",
                               "bullied",
                               {Variable::kRegion, Variable::kSizeGroup},
                               {},
                               {},
                               false,
                               {}});
  std::size_t cell_n = 0;
  bool cell_hidden = true;
  for (const auto& row : grid[0].rows) {
    if (row.group == std::vector<int>{1, 1}) {
      cell_n = row.cell.n;
      cell_hidden = row.cell.suppressed;
    }
  }
  if (!cell_hidden) {
    EXPECT_TRUE(Recover(by_municipality[0], cell_n, {{9001}, {9002}}).empty())
        << "the small municipality is the region × size-group cell minus the large one";
  }
  for (const auto& row : by_municipality[0].rows) {
    if (row.group == std::vector<int>{9002}) {
      EXPECT_TRUE(row.cell.suppressed);
    }
  }
}

TEST_F(PublicationTest, ReadersGetNoCellBuiltFromFewerThanThreeMunicipalities) {
  data_.municipality_names = {{9001, "A"}, {9002, "B"}, {9003, "C"}, {9004, "D"}, {9005, "E"}};
  AddGroup(1, 300, 9001, 1, 1);  // alone in region 1 × size group 1
  AddGroup(1, 40, 9002, 1, 2);
  AddGroup(1, 45, 9003, 1, 2);
  AddGroup(1, 50, 9004, 1, 2);
  AddGroup(1, 60, 9005, 2, 1);
  TableRequest request{"risk_identification", "bullied", {Variable::kSizeGroup}, {}, {}, false, {}};
  request.where = {{Variable::kRoundType, {1}, std::nullopt},
                   {Variable::kRegion, {1}, std::nullopt}};
  std::vector<Table> tables = {Compute(request)};
  Publication readers(data_, in_, {}, Audience::kAggregatesOnly);
  ASSERT_TRUE(readers.Apply(tables).ok());
  std::size_t hidden = 0;
  for (const auto& row : tables[0].rows) {
    if (row.group == std::vector<int>{1}) {
      EXPECT_TRUE(row.cell.suppressed) << "9001 alone";
    }
    if (!row.group.empty()) hidden += row.cell.suppressed ? 1 : 0;
  }
  // The region total minus the visible row must not give the hidden one.
  if (!tables[0].rows[0].cell.suppressed) {
    EXPECT_GE(hidden, 2u);
  }
  // A single municipality is refused outright.
  request.where.push_back({Variable::kMunicipality, {9002}, std::nullopt});
  EXPECT_TRUE(readers.NotPublishable(request.where, {}).has_value());
  // The full audience (coordinators, analysts, reports) sees the row.
  std::vector<Table> full_tables = {
      Compute({"risk_identification",
               "bullied",
               {Variable::kSizeGroup},
               {{Variable::kRoundType, {1}, std::nullopt}, {Variable::kRegion, {1}, std::nullopt}},
               {},
               false,
               {}})};
  Publication full(data_, in_, {});
  ASSERT_TRUE(full.Apply(full_tables).ok());
  for (const auto& row : full_tables[0].rows) {
    if (row.group == std::vector<int>{1}) {
      EXPECT_FALSE(row.cell.suppressed);
    }
  }
}

TEST_F(PublicationTest, AGroupWithoutAnswersIsNeverAShare) {
  AddGroup(1, 30);
  for (int i = 0; i < 15; ++i) Add("risk_identification.bullied", kNotAsked, 6);
  const auto tables =
      Published({"risk_identification", "bullied", {Variable::kService}, {}, {}, false, {}});
  const std::string csv = FormatTableCsv(tables[0], data_, in_);
  // Service 6: n 0, no share, no interval, marked.
  bool found = false;
  for (const auto& row : tables[0].rows) {
    if (row.group == std::vector<int>{6}) {
      found = true;
      EXPECT_EQ(row.cell.n, 0u);
      EXPECT_FALSE(row.cell.suppressed);
    }
  }
  ASSERT_TRUE(found);
  EXPECT_NE(csv.find(",0,0,,,,0,1,\n"), std::string::npos) << csv;
  const std::string text = FormatTableText(tables[0], data_, in_);
  EXPECT_NE(text.find(kNoAnswersMark), std::string::npos) << text;
  EXPECT_EQ(text.find("0.0–100.0"), std::string::npos) << text;
}

TEST(InternalMark, EveryFormatCarriesIt) {
  EXPECT_NE(MarkInternal("a\n", "text").find(kInternalMark), std::string::npos);
  EXPECT_EQ(MarkInternal("x,y\n", "csv").rfind(std::string("# ") + kInternalMark, 0), 0u);
  EXPECT_NE(MarkInternal("{\"a\": 1}", "json").find(kInternalMark), std::string::npos);
  io::ExportTable table;
  table.columns = {{"n", "N", true, {}}};
  table.rows = {{io::ExportCell::Number(1)}};
  MarkInternal(table);
  ASSERT_EQ(table.columns.size(), 2u);
  EXPECT_EQ(std::get<std::string>(table.rows[0][0].value), kInternalMark);
}

}  // namespace
}  // namespace samkart::analysis
