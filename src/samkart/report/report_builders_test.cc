// The national and municipality reports built from the imported synthetic
// dataset: what they contain, that their numbers agree with a direct count,
// and that no visible number rests on fewer answers than the rules allow.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "samkart/analysis/dataset.h"
#include "samkart/instrument/loader.h"
#include "samkart/report/blocks.h"
#include "samkart/report/editorial_text.h"
#include "samkart/report/municipality_report.h"
#include "samkart/report/national_report.h"

#include "fmt/format.h"
#include "support/imported_store.h"

namespace samkart::report {
namespace {

using analysis::Variable;

class ReportBuilders : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto db = testing_support::ImportedStore();
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto loaded = instrument::LoadEmbeddedInstrument();
    ASSERT_TRUE(loaded.ok());
    instrument_ = new instrument::Instrument(std::move(*loaded.instrument));
    auto store = store::OpenStore(db->string());
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto data = analysis::LoadDataset(**store, *instrument_);
    ASSERT_TRUE(data.ok()) << data.error().message;
    data_ = new analysis::Dataset(std::move(*data));
    inputs_ = new ReportInputs;
    inputs_->data = data_;
    inputs_->instrument = instrument_;
    inputs_->invited = *(*store)->InvitedCounts();
    inputs_->source = "syntetiske testdata";
    inputs_->generated_on = "23.11.2026";
    *inputs_ = WithPublication(std::move(*inputs_));
  }
  static void TearDownTestSuite() {
    delete inputs_;
    delete data_;
    delete instrument_;
  }

  // The municipality round with the fewest respondents, and its year.
  static std::pair<int, int> SmallestRound() {
    std::map<std::pair<int, int>, std::size_t> sizes;
    for (std::size_t r = 0; r < data_->rows; ++r) ++sizes[{data_->municipality[r], data_->year[r]}];
    auto smallest = std::min_element(sizes.begin(), sizes.end(), [](const auto& a, const auto& b) {
      return a.second < b.second;
    });
    return smallest->first;
  }

  // Every number in the document, with where it is.
  static void ForEachNumber(
      const Document& doc,
      const std::function<void(const Number&, CellFormat, const std::string&)>& visit) {
    for (const Section& s : doc.sections) {
      for (const Block& b : s.blocks) {
        if (const auto* t = std::get_if<DataTable>(&b)) {
          for (const auto& row : t->rows) {
            for (const auto& cell : row) {
              if (cell.format != CellFormat::kText) {
                visit(cell.number, cell.format, s.id + " / " + t->caption + " / " + row[0].text);
              }
            }
          }
        } else if (const auto* c = std::get_if<Chart>(&b)) {
          for (const auto* list : {&c->series, &c->markers}) {
            for (const auto& series : *list) {
              for (const auto& v : series.values) {
                visit(v, CellFormat::kPercent, s.id + " / " + c->title + " / " + series.name);
              }
            }
          }
        } else if (const auto* k = std::get_if<KeyFigures>(&b)) {
          for (const auto& f : k->figures) visit(f.number, f.format, s.id + " / " + f.label);
        }
      }
    }
  }

  static const Section* FindSection(const Document& doc, const std::string& id) {
    for (const auto& s : doc.sections) {
      if (s.id == id) return &s;
    }
    return nullptr;
  }

  static instrument::Instrument* instrument_;
  static analysis::Dataset* data_;
  static ReportInputs* inputs_;
};

instrument::Instrument* ReportBuilders::instrument_ = nullptr;
analysis::Dataset* ReportBuilders::data_ = nullptr;
ReportInputs* ReportBuilders::inputs_ = nullptr;

TEST_F(ReportBuilders, NationalReportFollowsTheChaptersAndCountsEveryBaselineRespondent) {
  auto doc = BuildNationalReport(*inputs_);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  ASSERT_GE(doc->sections.size(), 3u);
  // The printed report's order: summary, introduction, method with the
  // material, organisation, results, differences, discussion, conclusion.
  std::vector<std::string> chapters;
  for (const auto& s : doc->sections) {
    if (s.level == 1 && instrument_->FindFamily(s.id) == nullptr) chapters.push_back(s.id);
  }
  EXPECT_EQ(chapters, (std::vector<std::string>{"sammendrag", "innledning", "metode",
                                                "organisering", "forskjeller", "kompetansedeling",
                                                "oppfolging", "diskusjon", "konklusjon"}));
  // Every family the material asks has its section, in the report's order.
  std::vector<std::string> families;
  for (const auto& s : doc->sections) {
    if (instrument_->FindFamily(s.id) != nullptr) families.push_back(s.id);
  }
  EXPECT_GE(families.size(), 19u);
  EXPECT_EQ(families.front(), "risk_identification");

  // Whether regions, size groups and services differ at all, family by
  // family, computed: the twelve risk areas first.
  const Section* differences = FindSection(*doc, "forskjeller");
  ASSERT_NE(differences, nullptr);
  bool risk_statement = false;
  for (const auto& b : differences->blocks) {
    const auto* p = std::get_if<Paragraph>(&b);
    if (p != nullptr && p->text.starts_with("Kunnskap om risikofaktorer:")) {
      risk_statement = p->text.find("mellom KORUS-regionene for ") != std::string::npos &&
                       p->text.find(" av 12 spørsmål") != std::string::npos;
    }
  }
  EXPECT_TRUE(risk_statement);

  // The service table's total is the number of baseline respondents.
  std::size_t baseline = 0;
  for (std::size_t r = 0; r < data_->rows; ++r) baseline += data_->round_type[r] == 1 ? 1 : 0;
  const Section* sample = FindSection(*doc, "utvalg");
  ASSERT_NE(sample, nullptr);
  int count_tables = 0;
  for (const auto& b : sample->blocks) {
    const auto* t = std::get_if<DataTable>(&b);
    if (t == nullptr || t->columns.size() < 2 || t->columns[1] != "Antall svar") continue;
    ++count_tables;
    ASSERT_FALSE(t->rows.empty());
    EXPECT_EQ(t->rows.back()[0].text, "Alle");
    EXPECT_DOUBLE_EQ(t->rows.back()[1].number.value, static_cast<double>(baseline)) << t->caption;
    // The visible rows add up to the total, or leave at least two hidden
    // rows to share the rest (one would be the total minus the others).
    double sum = 0;
    int hidden = 0;
    for (std::size_t i = 0; i + 1 < t->rows.size(); ++i) {
      sum += t->rows[i][1].number.value;
      hidden += t->rows[i][1].number.suppressed ? 1 : 0;
    }
    EXPECT_LE(sum, static_cast<double>(baseline)) << t->caption;
    if (sum < static_cast<double>(baseline)) {
      EXPECT_GE(hidden, 2) << t->caption;
    }
  }
  EXPECT_EQ(count_tables, 4);
}

TEST_F(ReportBuilders, NationalSummaryIsComputedFromTheNumbers) {
  auto doc = BuildNationalReport(*inputs_);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const Section* summary = FindSection(*doc, "sammendrag-tall");
  ASSERT_NE(summary, nullptr);
  std::vector<std::vector<std::string>> lists;
  for (const auto& b : summary->blocks) {
    if (const auto* l = std::get_if<BulletList>(&b)) lists.push_back(l->items);
  }
  ASSERT_EQ(lists.size(), 4u);  // highest, lowest, services, size groups
  for (const auto& l : lists) EXPECT_EQ(l.size(), 3u);
  // «… : 78 %»: the highest share is at least the lowest.
  auto percent = [](const std::string& line) {
    const auto end = line.rfind(" %");
    const auto start = line.rfind(' ', end - 1);
    return std::stoi(line.substr(start + 1, end - start - 1));
  };
  EXPECT_GE(percent(lists[0][0]), percent(lists[0][2]));
  EXPECT_GE(percent(lists[0][2]), percent(lists[1][0]));
  EXPECT_LE(percent(lists[1][0]), percent(lists[1][2]));
  EXPECT_NE(lists[2][0].find("prosentpoeng"), std::string::npos) << lists[2][0];
}

TEST_F(ReportBuilders, NoVisibleShareRestsOnFewerAnswersThanTheMinimum) {
  auto national = BuildNationalReport(*inputs_);
  ASSERT_TRUE(national.ok()) << national.error().message;
  const auto [smallest, year] = SmallestRound();
  auto local = BuildMunicipalityReport(*inputs_, smallest);
  ASSERT_TRUE(local.ok()) << local.error().message;
  for (const Document* doc : {&*national, &*local}) {
    std::size_t visible = 0, hidden = 0;
    ForEachNumber(*doc, [&](const Number& n, CellFormat format, const std::string& where) {
      if (n.suppressed) {
        ++hidden;
        EXPECT_EQ(n.value, 0) << where;
        EXPECT_EQ(n.n, 0u) << where;
        return;
      }
      if (format == CellFormat::kPercent && n.Visible()) {
        ++visible;
        EXPECT_GE(n.n, inputs_->rules.min_n) << where;
      }
    });
    EXPECT_GT(visible, 100u);
    if (doc == &*local) {
      EXPECT_GT(hidden, 0u) << "the smallest round should need suppression";
    }
  }
}

TEST_F(ReportBuilders, ApprovedCommentsBecomeAChapterOnlyFromTheMinimumUp) {
  const int number = SmallestRound().first;
  ReportInputs inputs = *inputs_;
  std::vector<std::string> comments;
  for (std::size_t i = 0; i + 1 < store::kMinCommentsShown; ++i) {
    comments.push_back(fmt::format("Mer tid til samarbeid ({})", i + 1));
  }
  inputs.comments[number] = comments;
  auto few = BuildMunicipalityReport(inputs, number);
  ASSERT_TRUE(few.ok()) << few.error().message;
  EXPECT_EQ(FindSection(*few, "kommentarer"), nullptr);

  comments.push_back("Faste møter mellom skole og helsestasjon.");
  inputs.comments[number] = comments;
  auto enough = BuildMunicipalityReport(inputs, number);
  ASSERT_TRUE(enough.ok()) << enough.error().message;
  const Section* section = FindSection(*enough, "kommentarer");
  ASSERT_NE(section, nullptr);
  EXPECT_EQ(section->title, "Kommentarer");
  const BulletList* list = nullptr;
  for (const auto& b : section->blocks) {
    if (const auto* l = std::get_if<BulletList>(&b)) list = l;
  }
  ASSERT_NE(list, nullptr);
  EXPECT_EQ(list->items, comments);
  // Another municipality's report has none of them.
  const auto other = std::find_if(data_->municipality.begin(), data_->municipality.end(),
                                  [&](int m) { return m != number; });
  ASSERT_NE(other, data_->municipality.end());
  auto theirs = BuildMunicipalityReport(inputs, *other);
  ASSERT_TRUE(theirs.ok()) << theirs.error().message;
  EXPECT_EQ(FindSection(*theirs, "kommentarer"), nullptr);
}

TEST_F(ReportBuilders, MunicipalityIndicatorsAgreeWithADirectCount) {
  const auto [number, year] = SmallestRound();
  auto doc = BuildMunicipalityReport(*inputs_, number);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const Section* risk = FindSection(*doc, "risk_identification");
  ASSERT_NE(risk, nullptr);
  const DataTable* table = nullptr;
  for (const auto& b : risk->blocks) {
    if (const auto* t = std::get_if<DataTable>(&b)) table = t;
  }
  ASSERT_NE(table, nullptr);
  // Column 1 is the municipality, column 3 the rest of the nation: the
  // baseline rounds of every other municipality.
  std::size_t item = 0;
  while (data_->item_refs[item].family->id != "risk_identification") ++item;
  for (std::size_t i = 0; i < table->rows.size(); ++i, ++item) {
    std::size_t n = 0, yes = 0, n_nation = 0, yes_nation = 0;
    for (std::size_t r = 0; r < data_->rows; ++r) {
      const uint8_t answer = data_->items[item][r];
      if (answer == instrument::kBlank || answer == instrument::kNotAsked) continue;
      const bool top_two = answer == 4 || answer == 5;
      if (data_->municipality[r] == number && data_->year[r] == year) {
        ++n;
        yes += top_two;
      }
      if (data_->round_type[r] == 1 && data_->municipality[r] != number) {
        ++n_nation;
        yes_nation += top_two;
      }
    }
    const Number& local = table->rows[i][1].number;
    if (n >= inputs_->rules.min_n) {
      ASSERT_TRUE(local.Visible()) << table->rows[i][0].text;
      EXPECT_NEAR(local.value, static_cast<double>(yes) / static_cast<double>(n), 1e-12);
      EXPECT_EQ(local.n, n);
    } else {
      EXPECT_FALSE(local.Visible());
    }
    EXPECT_NEAR(table->rows[i][3].number.value,
                static_cast<double>(yes_nation) / static_cast<double>(n_nation), 1e-12);
  }
}

TEST_F(ReportBuilders, MunicipalityReportHasEverySection) {
  // A municipality with a baseline and a follow-up round.
  std::map<int, std::set<int>> rounds;
  for (std::size_t r = 0; r < data_->rows; ++r) {
    rounds[data_->municipality[r]].insert(data_->round_type[r]);
  }
  int both = 0;
  for (const auto& [m, types] : rounds) {
    if (types.size() == 2) both = m;
  }
  ASSERT_NE(both, 0);
  auto doc = BuildMunicipalityReport(*inputs_, both);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  for (const char* id :
       {"sammendrag", "svarprosent", "risk_identification", "risk_identification_tjeneste",
        "cooperation_with_services_tjeneste", "styrker", "drofting", "utvikling"}) {
    EXPECT_NE(FindSection(*doc, id), nullptr) << id;
  }
  // Key figures: respondents, response rate, concern, acted.
  const auto* figures = std::get_if<KeyFigures>(&FindSection(*doc, "sammendrag")->blocks[0]);
  ASSERT_NE(figures, nullptr);
  EXPECT_EQ(figures->figures.size(), 4u);
  // The response-rate table ends with the total, whose rate is answered / invited.
  const DataTable* rates = nullptr;
  for (const auto& b : FindSection(*doc, "svarprosent")->blocks) {
    if (const auto* t = std::get_if<DataTable>(&b)) rates = t;
  }
  ASSERT_NE(rates, nullptr);
  const auto& total = rates->rows.back();
  ASSERT_TRUE(total[1].number.Visible());
  EXPECT_NEAR(total[3].number.value, total[2].number.value / total[1].number.value, 1e-12);
  EXPECT_LT(total[3].number.value, 1.0);
  EXPECT_GT(total[3].number.value, 0.2);
  // Discussion questions come from the listed gaps only, and quote the numbers.
  std::size_t gaps = 0;
  for (const auto& b : FindSection(*doc, "styrker")->blocks) {
    const auto* t = std::get_if<DataTable>(&b);
    if (t != nullptr && t->caption.starts_with("Forbedringsområder")) gaps = t->rows.size();
  }
  std::size_t questions = 0;
  for (const auto& b : FindSection(*doc, "drofting")->blocks) {
    if (const auto* l = std::get_if<BulletList>(&b)) {
      for (const std::string& q : l->items) {
        ++questions;
        EXPECT_NE(q.find('?'), std::string::npos) << q;
        EXPECT_NE(q.find('%'), std::string::npos) << q;
      }
    }
  }
  EXPECT_EQ(questions, std::min<std::size_t>(gaps, 3));
}

// A municipality with a baseline and a follow-up round.
int FollowUpMunicipality(const analysis::Dataset& data) {
  std::map<int, std::set<int>> rounds;
  for (std::size_t r = 0; r < data.rows; ++r)
    rounds[data.municipality[r]].insert(data.round_type[r]);
  for (const auto& [m, types] : rounds) {
    if (types.size() == 2) return m;
  }
  return 0;
}

const Chart* FirstChart(const Section& section, ChartKind kind) {
  for (const auto& b : section.blocks) {
    const auto* c = std::get_if<Chart>(&b);
    if (c != nullptr && c->kind == kind) return c;
  }
  return nullptr;
}

TEST_F(ReportBuilders, TheSummaryAnswersWhereWeStandOnTheFirstPages) {
  const int municipality = FollowUpMunicipality(*data_);
  ASSERT_NE(municipality, 0);
  auto doc = BuildMunicipalityReport(*inputs_, municipality);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  ASSERT_GE(doc->sections.size(), 3u);
  EXPECT_EQ(doc->sections[0].id, "sammendrag");
  EXPECT_EQ(doc->sections[1].id, "drofting");
  const Section& summary = doc->sections[0];
  EXPECT_FALSE(summary.takeaway.empty());

  // Every family against the rest of the nation and of the size group,
  // sorted from the largest lead to the largest gap (a barrier's lower
  // share is its lead).
  const Chart* overview = FirstChart(summary, ChartKind::kBars);
  ASSERT_NE(overview, nullptr);
  ASSERT_EQ(overview->markers.size(), 2u);
  EXPECT_EQ(overview->markers[0].reference, Reference::kNation);
  EXPECT_EQ(overview->markers[1].reference, Reference::kSizeGroup);
  ASSERT_GE(overview->labels.size(), 8u);
  double previous = 1e9;
  for (std::size_t i = 0; i < overview->labels.size(); ++i) {
    const Number& ours = overview->series[0].values[i];
    const Number& nation = overview->markers[0].values[i];
    ASSERT_TRUE(ours.Visible() && nation.Visible()) << overview->labels[i];
    const double sign = overview->labels[i].ends_with("(lavere er bedre)") ? -1 : 1;
    const double lead = sign * (ours.value - nation.value);
    EXPECT_LE(lead, previous + 1e-12) << overview->labels[i];
    previous = lead;
  }

  // The change since the baseline at a glance: ranked, improvements first,
  // each coloured by what it means.
  const Chart* change = FirstChart(summary, ChartKind::kChange);
  ASSERT_NE(change, nullptr);
  ASSERT_EQ(change->series.size(), 2u);
  ASSERT_EQ(change->directions.size(), change->labels.size());
  EXPECT_LE(change->labels.size(), 8u);
  EXPECT_TRUE(std::is_sorted(
      change->directions.begin(), change->directions.end(),
      [](Direction a, Direction b) { return a == Direction::kBetter && b == Direction::kWorse; }));
  // The whole change chapter ranks every real change.
  const Chart* all_changes = FirstChart(*FindSection(*doc, "utvikling"), ChartKind::kChange);
  ASSERT_NE(all_changes, nullptr);
  EXPECT_GE(all_changes->labels.size(), change->labels.size());
}

TEST_F(ReportBuilders, FamiliesAreChartedByServiceWhereServicesHaveSomethingToShow) {
  auto doc = BuildMunicipalityReport(*inputs_, FollowUpMunicipality(*data_));
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const Section* by_service = FindSection(*doc, "risk_identification_tjeneste");
  ASSERT_NE(by_service, nullptr);
  const Chart* chart = FirstChart(*by_service, ChartKind::kGroupedBars);
  ASSERT_NE(chart, nullptr);
  EXPECT_GE(chart->series.size(), 2u);
  for (const ChartSeries& service : chart->series) {
    EXPECT_TRUE(std::any_of(service.values.begin(), service.values.end(), [](const Number& v) {
      return v.Visible();
    })) << service.name;
  }
}

TEST_F(ReportBuilders, CooperationIsAGridOfServicesWithSomethingToShow) {
  const int municipality = FollowUpMunicipality(*data_);
  auto doc = BuildMunicipalityReport(*inputs_, municipality);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const Chart* grid =
      FirstChart(*FindSection(*doc, "cooperation_with_services_tjeneste"), ChartKind::kGrid);
  ASSERT_NE(grid, nullptr);
  ASSERT_GE(grid->labels.size(), 2u);
  ASSERT_GE(grid->series.size(), 2u);
  for (std::size_t r = 0; r < grid->labels.size(); ++r) {
    EXPECT_TRUE(std::any_of(grid->series.begin(), grid->series.end(), [&](const ChartSeries& c) {
      return c.values[r].Visible();
    })) << grid->labels[r];
  }
  for (const ChartSeries& column : grid->series) {
    EXPECT_TRUE(std::any_of(column.values.begin(), column.values.end(), [](const Number& v) {
      return v.Visible();
    })) << column.name;
  }
}

// Text a person reads: no doubled phrases, no capital inside a sentence,
// no «+» between answer labels.
TEST_F(ReportBuilders, ReportTextReadsAsWritten) {
  auto national = BuildNationalReport(*inputs_);
  ASSERT_TRUE(national.ok()) << national.error().message;
  auto local = BuildMunicipalityReport(*inputs_, FollowUpMunicipality(*data_));
  ASSERT_TRUE(local.ok()) << local.error().message;
  for (const Document* doc : {&*national, &*local}) {
    std::vector<std::string> texts;
    for (const Section& s : doc->sections) {
      texts.push_back(s.takeaway);
      for (const Block& b : s.blocks) {
        if (const auto* p = std::get_if<Paragraph>(&b)) texts.push_back(p->text);
        if (const auto* l = std::get_if<BulletList>(&b)) {
          texts.insert(texts.end(), l->items.begin(), l->items.end());
        }
        if (const auto* c = std::get_if<Chart>(&b)) texts.push_back(c->description);
        if (const auto* t = std::get_if<DataTable>(&b)) {
          texts.insert(texts.end(), t->notes.begin(), t->notes.end());
        }
      }
    }
    for (const std::string& text : texts) {
      EXPECT_EQ(text.find("etter Kommunestørrelse"), std::string::npos) << text;
      EXPECT_EQ(text.find("med Under"), std::string::npos) << text;
      EXPECT_EQ(text.find("» + «"), std::string::npos) << text;
      EXPECT_EQ(text.find("fotnote"), std::string::npos) << text;
      EXPECT_EQ(text.find("til Rutiner"), std::string::npos) << text;
      EXPECT_EQ(text.find("1 endringer"), std::string::npos) << text;
    }
  }
}

TEST_F(ReportBuilders, AnUnknownMunicipalityIsAnError) {
  auto doc = BuildMunicipalityReport(*inputs_, 4242);
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message.find("4242"), std::string::npos);
}

// ---- the national report's numbered exhibits, method and team chapters

std::vector<const Block*> Numbered(const Document& doc, const std::string& number) {
  std::vector<const Block*> found;
  for (const auto& s : doc.sections) {
    for (const auto& b : s.blocks) {
      const auto* t = std::get_if<DataTable>(&b);
      const auto* c = std::get_if<Chart>(&b);
      if ((t != nullptr && t->number == number) || (c != nullptr && c->number == number)) {
        found.push_back(&b);
      }
    }
  }
  return found;
}

TEST_F(ReportBuilders, NationalReportHoldsEveryPlannedFigureOnceWithNumbers) {
  auto doc = BuildNationalReport(*inputs_);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  ASSERT_GE(instrument_->report_figures.size(), 43u);
  for (const auto& figure : instrument_->report_figures) {
    const auto found = Numbered(*doc, figure.number);
    ASSERT_EQ(found.size(), 1u) << figure.number;
    bool visible = false;
    if (const auto* t = std::get_if<DataTable>(found[0])) visible = HasVisibleNumber(*t);
    if (const auto* c = std::get_if<Chart>(found[0])) {
      for (const auto& series : c->series) {
        for (const auto& v : series.values) visible = visible || v.Visible();
      }
    }
    EXPECT_TRUE(visible) << figure.number << " shows no number on the synthetic data";
  }
}

TEST_F(ReportBuilders, KnowledgeByPositionCountsOnlyTheKindergartensStaff) {
  auto doc = BuildNationalReport(*inputs_);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const auto found = Numbered(*doc, "Figur 3.28");
  ASSERT_EQ(found.size(), 1u);
  const auto* chart = std::get_if<Chart>(found[0]);
  ASSERT_NE(chart, nullptr);
  ASSERT_FALSE(chart->series.empty());
  EXPECT_EQ(chart->series[0].name, "Styrer");
  // The first item's share among kindergarten heads, counted by hand.
  const int kindergarten = instrument_->FindService("barnehage")->code;
  const int head = instrument_->FindPosition("styrer")->code;
  const instrument::Family* family = instrument_->FindFamily("system_knowledge");
  std::size_t item = 0;
  while (data_->item_refs[item].family != family) ++item;
  std::size_t n = 0, reported = 0;
  for (std::size_t r = 0; r < data_->rows; ++r) {
    const uint8_t answer = data_->items[item][r];
    if (data_->round_type[r] != 1 || data_->service[r] != kindergarten ||
        data_->position[r] != head || answer >= instrument::kBlank) {
      continue;
    }
    ++n;
    const auto& codes = family->reported_share;
    reported += std::find(codes.begin(), codes.end(), answer) != codes.end() ? 1 : 0;
  }
  ASSERT_GT(n, 0u);
  const Number& shown = chart->series[0].values[0];
  ASSERT_TRUE(shown.Visible());
  EXPECT_EQ(shown.n, n);
  EXPECT_NEAR(shown.value, static_cast<double>(reported) / static_cast<double>(n), 1e-12);
}

TEST_F(ReportBuilders, SurveyTablesCountTheBaselineRounds) {
  auto doc = BuildNationalReport(*inputs_);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  std::set<std::pair<int, int>> rounds;
  std::map<int, std::set<std::pair<int, int>>> by_year;
  for (std::size_t r = 0; r < data_->rows; ++r) {
    if (data_->round_type[r] != 1) continue;
    rounds.insert({data_->municipality[r], data_->year[r]});
    by_year[data_->year[r]].insert({data_->municipality[r], data_->year[r]});
  }
  for (const char* number : {"Tabell 1", "Tabell 2"}) {
    const auto found = Numbered(*doc, number);
    ASSERT_EQ(found.size(), 1u) << number;
    const auto& table = std::get<DataTable>(*found[0]);
    EXPECT_EQ(table.rows.back()[0].text, "Alle");
    EXPECT_DOUBLE_EQ(table.rows.back()[1].number.value, static_cast<double>(rounds.size()));
  }
  const auto& per_year = std::get<DataTable>(*Numbered(*doc, "Tabell 2")[0]);
  for (const auto& row : per_year.rows) {
    if (row[0].text == "Alle") continue;
    EXPECT_DOUBLE_EQ(row[1].number.value,
                     static_cast<double>(by_year[std::stoi(row[0].text)].size()))
        << row[0].text;
  }
}

TEST_F(ReportBuilders, MethodChapterIsWrittenFromTheData) {
  ReportInputs inputs = *inputs_;
  inputs.import_k = {3, 5};
  auto doc = BuildNationalReport(inputs);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  // The generations' respondents add up to every baseline respondent.
  const Section* generations = FindSection(*doc, "metode-generasjoner");
  ASSERT_NE(generations, nullptr);
  std::size_t baseline = 0;
  for (std::size_t r = 0; r < data_->rows; ++r) baseline += data_->round_type[r] == 1 ? 1 : 0;
  double respondents = 0;
  for (const auto& b : generations->blocks) {
    if (const auto* t = std::get_if<DataTable>(&b)) {
      ASSERT_EQ(t->rows.size(), instrument_->generations.size());
      for (const auto& row : t->rows) respondents += row[3].number.value;
    }
  }
  EXPECT_DOUBLE_EQ(respondents, static_cast<double>(baseline));
  auto text_of = [&](const char* id) {
    std::string all;
    const Section* s = FindSection(*doc, id);
    if (s == nullptr) return all;
    for (const auto& b : s->blocks) {
      if (const auto* p = std::get_if<Paragraph>(&b)) all += p->text + "\n";
    }
    return all;
  };
  EXPECT_NE(text_of("metode-anonymisering").find("importene brukte k = 3 og 5"), std::string::npos)
      << text_of("metode-anonymisering");
  // What the rules hid is the document's own count.
  const NumberCount numbers = CountNumbers(*doc);
  EXPECT_NE(text_of("metode-publisering")
                .find(fmt::format("skjuler {} av {} tall", FormatCount(numbers.hidden),
                                  FormatCount(numbers.shown + numbers.hidden))),
            std::string::npos)
      << text_of("metode-publisering");
  // Every invited count is registered in the synthetic data.
  EXPECT_NE(text_of("utvalg").find("Svarprosenten er "), std::string::npos) << text_of("utvalg");
}

TEST_F(ReportBuilders, TeamChaptersTakeTheirTextAndSayWhereNoneIsWritten) {
  EditorialText text;
  text.dir = "tekst";
  text.chapters["diskusjon"] = ParseEditorialMarkdown(
      "Kunnskapen finnes i lommer.\n\n## Overganger\n\nSvakest.\n", "diskusjon");
  auto doc = BuildNationalReport(*inputs_, text);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const Section* discussion = FindSection(*doc, "diskusjon");
  ASSERT_NE(discussion, nullptr);
  ASSERT_FALSE(discussion->blocks.empty());
  EXPECT_EQ(std::get<Paragraph>(discussion->blocks[0]).text, "Kunnskapen finnes i lommer.");
  const Section* sub = FindSection(*doc, "diskusjon-1");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->title, "Overganger");
  // Computed statements beside the text: the regional test among them.
  const Section* support = FindSection(*doc, "diskusjon-tall");
  ASSERT_NE(support, nullptr);
  bool regional = false;
  for (const auto& b : support->blocks) {
    if (const auto* l = std::get_if<BulletList>(&b)) {
      for (const auto& item : l->items) {
        regional = regional || item.starts_with(
                                   "Forskjellene mellom KORUS-regionene er "
                                   "signifikante for ");
      }
    }
  }
  EXPECT_TRUE(regional);
  const Section* conclusion = FindSection(*doc, "konklusjon");
  ASSERT_NE(conclusion, nullptr);
  EXPECT_EQ(std::get<Paragraph>(conclusion->blocks[0]).text,
            "Dette kapitlet har ingen tekst ennå: filen tekst/konklusjon.md finnes ikke.");
}

TEST_F(ReportBuilders, TheMunicipalityReportSaysWhoCouldShareWithWhom) {
  // The largest synthetic municipality has groups large enough for findings.
  std::map<int, std::size_t> sizes;
  for (std::size_t r = 0; r < data_->rows; ++r) ++sizes[data_->municipality[r]];
  const int largest =
      std::max_element(sizes.begin(), sizes.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first;
  auto doc = BuildMunicipalityReport(*inputs_, largest);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  std::vector<std::string> ids;
  for (const auto& s : doc->sections) ids.push_back(s.id);
  const auto strengths = std::find(ids.begin(), ids.end(), "styrker");
  ASSERT_NE(strengths, ids.end());
  EXPECT_EQ(std::vector<std::string>(strengths + 1, strengths + 5),
            (std::vector<std::string>{"kompetansedeling", "delingspar", "kjeden", "overganger"}));

  const Section* pairs = FindSection(*doc, "delingspar");
  const DataTable* table = nullptr;
  for (const auto& b : pairs->blocks) {
    if (const auto* t = std::get_if<DataTable>(&b)) table = t;
  }
  ASSERT_NE(table, nullptr);
  ASSERT_FALSE(table->rows.empty());
  EXPECT_LE(table->rows.size(), 8u);
  for (const auto& row : table->rows) {
    EXPECT_NE(row[0].text.find(" → "), std::string::npos) << row[0].text;
    EXPECT_NE(row[1].text.find(" mot "), std::string::npos) << row[1].text;
  }

  // The chain: twelve risk areas, three steps each, and young people's
  // substance use among those that stand out, as in the national report.
  const Section* chain = FindSection(*doc, "kjeden");
  const Chart* chart = FirstChart(*chain, ChartKind::kGroupedBars);
  ASSERT_NE(chart, nullptr);
  EXPECT_EQ(chart->labels.size(), 12u);
  EXPECT_EQ(chart->series.size(), 3u);
  bool stands_out = false;
  for (const auto& b : chain->blocks) {
    const auto* p = std::get_if<Paragraph>(&b);
    if (p != nullptr && p->text.starts_with("Skiller seg ut:")) {
      stands_out = p->text.find("problematisk rusbruk") != std::string::npos;
    }
  }
  EXPECT_TRUE(stands_out);
}

TEST_F(ReportBuilders, TheNationalReportEvaluatesTheFollowUpWithMunicipalitiesAsUnits) {
  auto doc = BuildNationalReport(*inputs_);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const Section* follow_up = FindSection(*doc, "oppfolging");
  ASSERT_NE(follow_up, nullptr);
  std::set<int> with_follow_up;
  for (std::size_t r = 0; r < data_->rows; ++r) {
    if (data_->round_type[r] != 1) with_follow_up.insert(data_->municipality[r]);
  }
  const auto* intro = std::get_if<Paragraph>(&follow_up->blocks.at(0));
  ASSERT_NE(intro, nullptr);
  EXPECT_TRUE(intro->text.starts_with(
      fmt::format("Opptil {} kommuner har både 0-punktsmåling", with_follow_up.size())))
      << intro->text;
  // The synthetic follow-ups raise competence: improvements are listed,
  // each counted over municipalities, never over respondents.
  const auto* table = std::get_if<DataTable>(&follow_up->blocks.at(1));
  ASSERT_NE(table, nullptr);
  ASSERT_FALSE(table->rows.empty());
  for (const auto& row : table->rows) {
    EXPECT_LE(row[2].number.value, static_cast<double>(with_follow_up.size()));
    EXPECT_GE(std::abs(row[3].number.value), 5.0);
  }
  EXPECT_NE(FindSection(*doc, "kjeden"), nullptr);
  EXPECT_EQ(FindSection(*doc, "delingspar"), nullptr);  // sharing happens inside a municipality
}

TEST_F(ReportBuilders, AFollowUpIsSetBesideTheChangeInTheOtherMunicipalities) {
  const int municipality = FollowUpMunicipality(*data_);
  auto doc = BuildMunicipalityReport(*inputs_, municipality);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const Section* against = FindSection(*doc, "utvikling-mot-andre");
  ASSERT_NE(against, nullptr);
  std::set<int> others;
  for (std::size_t r = 0; r < data_->rows; ++r) {
    if (data_->round_type[r] != 1 && data_->municipality[r] != municipality) {
      others.insert(data_->municipality[r]);
    }
  }
  const auto* intro = std::get_if<Paragraph>(&against->blocks.at(0));
  ASSERT_NE(intro, nullptr);
  // Never a pool that contains the municipality itself.
  EXPECT_NE(intro->text.find(fmt::format("de {} andre kommunene", others.size())),
            std::string::npos)
      << intro->text;
  // A baseline-only municipality has no such section.
  auto baseline_only = BuildMunicipalityReport(*inputs_, SmallestRound().first);
  ASSERT_TRUE(baseline_only.ok());
  if (FindSection(*baseline_only, "utvikling") == nullptr) {
    EXPECT_EQ(FindSection(*baseline_only, "utvikling-mot-andre"), nullptr);
  }
}

}  // namespace
}  // namespace samkart::report
