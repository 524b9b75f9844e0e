// What a municipality report may call a finding: a strength, a gap or a
// question for discussion needs a difference from the rest of the nation
// that is significant after the false discovery control and at least
// analysis::kMaterialDifference in size. Built on small hand-made datasets
// where the answer is known.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "samkart/analysis/dataset.h"
#include "samkart/instrument/loader.h"
#include "samkart/report/municipality_report.h"

namespace samkart::report {
namespace {

constexpr int kOurs = 9001;
constexpr int kRespondents = 50;

class Findings : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = instrument::LoadEmbeddedInstrument();
    ASSERT_TRUE(loaded.ok());
    in_ = std::move(*loaded.instrument);
    data_.item_refs = in_.ItemsInOrder();
    data_.items.assign(data_.item_refs.size(), {});
  }

  // A municipality whose staff answer every risk-identification item with
  // `top_two` of kRespondents in the top two; everything else not asked.
  void AddMunicipality(int number, int top_two) {
    data_.municipality_names[number] = "Kommune " + std::to_string(number);
    for (int i = 0; i < kRespondents; ++i) {
      data_.municipality.push_back(static_cast<uint16_t>(number));
      data_.year.push_back(2021);
      data_.round_type.push_back(1);
      data_.generation.push_back(5);
      data_.region.push_back(1);
      data_.size_group.push_back(1);
      data_.service.push_back(1);
      data_.position.push_back(4);
      for (std::size_t item = 0; item < data_.items.size(); ++item) {
        const bool risk = data_.item_refs[item].family->id == "risk_identification";
        data_.items[item].push_back(!risk ? instrument::kNotAsked : i < top_two ? 5 : 1);
      }
      ++data_.rows;
    }
  }

  Document Report() {
    ReportInputs inputs;
    inputs.data = &data_;
    inputs.instrument = &in_;
    inputs.source = "håndlagde testdata";
    inputs.generated_on = "5.12.2026";
    inputs = WithPublication(std::move(inputs));
    auto doc = BuildMunicipalityReport(inputs, kOurs);
    EXPECT_TRUE(doc.ok()) << doc.error().message;
    return doc.ok() ? std::move(doc.value()) : Document{};
  }

  static const Section* Find(const Document& doc, const std::string& id) {
    for (const auto& s : doc.sections) {
      if (s.id == id) return &s;
    }
    return nullptr;
  }

  static std::size_t Questions(const Document& doc) {
    std::size_t n = 0;
    for (const auto& b : Find(doc, "drofting")->blocks) {
      if (const auto* list = std::get_if<BulletList>(&b)) n += list->items.size();
    }
    return n;
  }

  // Rows of the strengths and gaps tables.
  static std::size_t Listed(const Document& doc) {
    std::size_t n = 0;
    for (const auto& b : Find(doc, "styrker")->blocks) {
      if (const auto* table = std::get_if<DataTable>(&b)) n += table->rows.size();
    }
    return n;
  }

  instrument::Instrument in_;
  analysis::Dataset data_;
};

TEST_F(Findings, NearlyEqualNumbersGiveNothingToSay) {
  // 92 % of us against 94 % in the rest of the nation, on every item.
  AddMunicipality(kOurs, 46);
  for (int other = 9002; other <= 9006; ++other) AddMunicipality(other, 47);
  const Document doc = Report();
  EXPECT_EQ(Questions(doc), 0u);
  EXPECT_EQ(Listed(doc), 0u);
  // The summary names no strength and no gap either.
  for (const auto& b : Find(doc, "sammendrag")->blocks) {
    if (const auto* p = std::get_if<Paragraph>(&b)) {
      EXPECT_EQ(p->text.find("tydelig svakere"), std::string::npos) << p->text;
      EXPECT_EQ(p->text.find("tydelig bedre"), std::string::npos) << p->text;
    }
  }
}

TEST_F(Findings, ExactlyEqualNumbersGiveNothingToSay) {
  AddMunicipality(kOurs, 46);
  for (int other = 9002; other <= 9006; ++other) AddMunicipality(other, 46);
  const Document doc = Report();
  EXPECT_EQ(Questions(doc), 0u);
  EXPECT_EQ(Listed(doc), 0u);
}

TEST_F(Findings, ALargeRealGapBecomesAGapAndAQuestion) {
  // 40 % of us against 94 % in the rest of the nation.
  AddMunicipality(kOurs, 20);
  for (int other = 9002; other <= 9006; ++other) AddMunicipality(other, 47);
  const Document doc = Report();
  EXPECT_EQ(Questions(doc), 3u);
  EXPECT_EQ(Listed(doc), 12u);  // every risk item is a gap
}

TEST_F(Findings, TheLowestSharesAreListedWhateverTheNationDoes) {
  // Everyone is low: no gap from the rest of the nation, but the lowest
  // shares are still named.
  AddMunicipality(kOurs, 8);
  for (int other = 9002; other <= 9006; ++other) AddMunicipality(other, 8);
  const Document doc = Report();
  bool lowest = false;
  for (const auto& b : Find(doc, "sammendrag")->blocks) {
    if (const auto* p = std::get_if<Paragraph>(&b)) {
      lowest = lowest || p->text.starts_with("Lavest hos oss");
    }
  }
  EXPECT_TRUE(lowest);
  EXPECT_EQ(Questions(doc), 0u);
}

}  // namespace
}  // namespace samkart::report
