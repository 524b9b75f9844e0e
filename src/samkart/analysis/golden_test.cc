// Golden test of the whole pipeline: the synthetic national dataset is
// generated (`samkart synth`), imported (`samkart import`: harmonised through
// five questionnaire generations and made k-anonymous) and analysed with
// ComputeTable exactly as the national report's tables are, and must still
// reproduce every calibration target in data/synth/targets.csv within its
// tolerance — Tabell 3.1 and Figur 3.1 of the 2022 report first of all.
//
// The generator test checks the same targets on the generated answers in
// memory; this one checks that the exports, the import and the analysis
// engine lose nothing on the way. On failure it prints each target beside
// what the generator produced (before import) and what the analysis of the
// imported data gives, so a shift the import causes (k-anonymity moves
// respondents of small services into a broader class) can be told from a
// fault in the tables. No target is excused: the generator draws only the
// categories each round's questionnaire generation can record (G1 and G2 had
// four-step scales without the middle category; see the generator test
// EveryAnswerIsRecordableInItsGeneration), so the export loses no answer.
//
// The store is imported once per samkart binary and kept in the build tree
// (see ImportedStore); the dataset is loaded once per process. With
// SAMKART_GOLDEN_TABLE=1 the tests print the whole table, not only failures.
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/table.h"
#include "samkart/core/result.h"
#include "samkart/core/text.h"
#include "samkart/instrument/loader.h"
#include "samkart/store/store.h"
#include "samkart/synth/generator.h"
#include "samkart/synth/parameters.h"

#include "support/imported_store.h"
#include "support/run_samkart.h"

namespace samkart::analysis {
namespace {

namespace fs = std::filesystem;

constexpr std::array<Variable, 8> kAllVariables = {
    Variable::kMunicipality, Variable::kYear,      Variable::kRoundType, Variable::kGeneration,
    Variable::kRegion,       Variable::kSizeGroup, Variable::kService,   Variable::kPosition,
};

// One target of targets.csv, parsed into a table request.
struct ParsedTarget {
  std::string family;
  std::string item;
  std::vector<int> codes;  // explicit categories; empty: the family's reported share
  // The breakdown's conditions: service code, stored position code or size
  // group, each a filter on the table (all must hold).
  std::vector<std::pair<Variable, int>> conditions;
  std::string error;
};

// A share in percent with its denominator.
struct Share {
  double pct = 0;
  std::size_t n = 0;
};

class GoldenTest : public ::testing::Test {
 protected:
  // One import and one dataset for all tests of the suite in this process.
  static void SetUpTestSuite() {
    const auto db = testing_support::ImportedStore();
    if (!db.ok()) return Fail(db.error().message);

    auto loaded = instrument::LoadEmbeddedInstrument();
    if (!loaded.instrument) return Fail("the embedded instrument does not load");
    instrument_ = new instrument::Instrument(std::move(*loaded.instrument));
    auto parameters = synth::LoadParameters(synth::EmbeddedSynthFiles());
    if (!parameters.ok()) return Fail(parameters.error().message);
    parameters_ = new synth::Parameters(std::move(parameters.value()));

    store::StoreOptions options;
    options.migrate = false;
    auto store = store::OpenStore(db->string(), options);
    if (!store.ok()) return Fail(store.error().message);
    auto data = LoadDataset(**store, *instrument_);
    if (!data.ok()) return Fail(data.error().message);
    data_ = new Dataset(std::move(data.value()));

    // The same answers before export and import (same seed and scale as the
    // CLI's defaults), to tell what the import changed.
    auto generated = synth::Generate(*instrument_, *parameters_, {2022, 1.0});
    if (!generated.ok()) return Fail(generated.error().message);
    generated_ = new synth::SynthData(std::move(generated.value()));
  }

  static void TearDownTestSuite() {
    delete generated_;
    delete data_;
    delete parameters_;
    delete instrument_;
    delete setup_error_;
    generated_ = nullptr;
    data_ = nullptr;
    parameters_ = nullptr;
    instrument_ = nullptr;
    setup_error_ = nullptr;
  }

  void SetUp() override {
    if (setup_error_ != nullptr) FAIL() << *setup_error_;
  }

  static void Fail(const std::string& message) {
    if (setup_error_ == nullptr) setup_error_ = new std::string(message);
  }

  static int Baseline() {
    for (const auto& r : instrument_->round_types) {
      if (r.key == "baseline") return r.code;
    }
    ADD_FAILURE() << "the instrument has no round type «baseline»";
    return 1;
  }

  static ParsedTarget Parse(const synth::Target& t) {
    ParsedTarget p;
    std::string id = t.indicator;
    if (const auto eq = id.find('='); eq != std::string::npos) {
      for (const auto& c : text::Split(id.substr(eq + 1), '|')) {
        const auto code = text::ParseInt(c);
        if (!code) p.error = "bad code «" + c + "»";
        p.codes.push_back(code.value_or(-1));
      }
      id = id.substr(0, eq);
    }
    const auto dot = id.find('.');
    if (dot == std::string::npos) {
      p.error = "indicator without item";
      return p;
    }
    p.family = id.substr(0, dot);
    p.item = id.substr(dot + 1);
    for (const synth::BreakdownPart& part : t.parts) {
      if (part.key == "service") {
        const auto* service = instrument_->FindService(part.value);
        if (service == nullptr) p.error = "unknown service «" + part.value + "»";
        p.conditions.emplace_back(Variable::kService, service ? service->code : 0);
      } else if (part.key == "position") {
        // Compared on the stored position: k-anonymity may have moved a
        // few respondents of a small position in a round to a broader one.
        const auto* position = instrument_->FindPosition(part.value);
        if (position == nullptr) p.error = "unknown position «" + part.value + "»";
        p.conditions.emplace_back(Variable::kPosition, position ? position->code : 0);
      } else if (part.key == "size_group") {
        p.conditions.emplace_back(Variable::kSizeGroup, text::ParseInt(part.value).value_or(0));
      } else {
        p.error = "unknown breakdown «" + t.breakdown + "»";
      }
    }
    return p;
  }

  // The target as the national report computes it, from the imported data:
  // baseline rounds only, restricted to the breakdown the target names.
  static Share Analysed(const ParsedTarget& p, std::string& error) {
    TableRequest request;
    request.family = p.family;
    request.item = p.item;
    request.where = {{Variable::kRoundType, {Baseline()}, std::nullopt}};
    for (const auto& [variable, code] : p.conditions)
      request.where.push_back({variable, {code}, std::nullopt});
    request.distribution = !p.codes.empty();
    auto table = ComputeTable(*data_, *instrument_, request);
    if (!table.ok()) {
      error = table.error().message;
      return {};
    }
    std::size_t n = 0, count = 0;
    bool found = false;
    for (const TableRow& row : table->rows) {
      if (!row.group.empty()) continue;
      found = true;
      n = row.cell.n;  // the same denominator for every category of the group
      if (!row.category ||
          std::find(p.codes.begin(), p.codes.end(), *row.category) != p.codes.end()) {
        count += row.cell.count;
      }
    }
    if (!found) error = "the table has no row for the group";
    if (n == 0) return {0, 0};
    return {100.0 * static_cast<double>(count) / static_cast<double>(n), n};
  }

  // The same share from the generator's answers in memory (before export).
  static Share Generated(const ParsedTarget& p) {
    const instrument::Family* family = nullptr;
    const instrument::Item* item = instrument_->FindItem(p.family + "." + p.item, &family);
    if (item == nullptr) return {};
    const std::vector<int>& codes = p.codes.empty() ? family->reported_share : p.codes;
    std::size_t index = 0;
    while (index < generated_->items.size() && generated_->items[index].item != item) ++index;
    if (index == generated_->items.size()) return {};
    std::size_t n = 0, hits = 0;
    for (std::size_t r = 0; r < generated_->respondents.size(); ++r) {
      const synth::Respondent& person = generated_->respondents[r];
      const synth::Round& round = generated_->rounds[person.round];
      if (round.follow_up) continue;
      bool keep = true;
      for (const auto& [variable, code] : p.conditions) {
        if (variable == Variable::kService) keep &= person.analysed_service == code;
        if (variable == Variable::kPosition) keep &= person.position == code;
        if (variable == Variable::kSizeGroup) keep &= round.municipality->size_group == code;
      }
      if (!keep) continue;
      const uint8_t a = generated_->answers[index][r];
      if (a == instrument::kBlank || a == instrument::kNotAsked) continue;
      ++n;
      hits += std::find(codes.begin(), codes.end(), a) != codes.end();
    }
    if (n == 0) return {0, 0};
    return {100.0 * static_cast<double>(hits) / static_cast<double>(n), n};
  }

  // Every target: the generator's value and the analysis of the imported data.
  struct Evaluated {
    const synth::Target* target = nullptr;
    Share generated, imported;
    std::string error;

    double Diff() const { return imported.pct - target->value_pct; }
    bool Within() const {
      return error.empty() && imported.n > 0 && std::fabs(Diff()) <= target->tolerance_pp;
    }
  };

  static std::vector<Evaluated> Evaluate(bool (*keep)(const synth::Target&)) {
    std::vector<Evaluated> rows;
    for (const synth::Target& t : parameters_->targets) {
      if (!keep(t)) continue;
      Evaluated e;
      e.target = &t;
      const ParsedTarget p = Parse(t);
      e.error = p.error;
      if (e.error.empty()) e.imported = Analysed(p, e.error);
      if (e.error.empty()) e.generated = Generated(p);
      rows.push_back(e);
    }
    return rows;
  }

  static std::string Format(const std::vector<const Evaluated*>& rows) {
    std::string out = fmt::format("{:<54} {:<20} {:>6} {:>3} {:>11} {:>11} {:>6}\n", "indicator",
                                  "breakdown", "target", "±", "generated", "imported", "diff");
    auto share = [](const Share& s) { return fmt::format("{:5.1f} {:>5}", s.pct, s.n); };
    for (const Evaluated* e : rows) {
      const synth::Target& t = *e->target;
      out +=
          fmt::format("{:<54} {:<20} {:>6.1f} {:>3.0f} {:>11} {:>11} {:>+6.1f} {}\n", t.indicator,
                      t.breakdown.empty() ? "(alle)" : t.breakdown, t.value_pct, t.tolerance_pp,
                      share(e->generated), share(e->imported), e->Diff(), e->error);
    }
    return out;
  }

  static std::string* setup_error_;
  static instrument::Instrument* instrument_;
  static synth::Parameters* parameters_;
  static Dataset* data_;
  static synth::SynthData* generated_;
};

std::string* GoldenTest::setup_error_ = nullptr;
instrument::Instrument* GoldenTest::instrument_ = nullptr;
synth::Parameters* GoldenTest::parameters_ = nullptr;
Dataset* GoldenTest::data_ = nullptr;
synth::SynthData* GoldenTest::generated_ = nullptr;

constexpr const char* kColumns =
    "generated: the generator's answers before export; imported: ComputeTable on the imported "
    "store. Baseline rounds; percent and n.\n";

// «Tabell 3.1» or «Figur 3.1» in the source column, not «Figur 3.14».
bool FromTheNationalTables(const synth::Target& t) {
  for (const std::string name : {"Tabell 3.1", "Figur 3.1"}) {
    for (auto at = t.source.find(name); at != std::string::npos; at = t.source.find(name, at + 1)) {
      const std::size_t end = at + name.size();
      if (end == t.source.size() || !std::isdigit(static_cast<unsigned char>(t.source[end]))) {
        return true;
      }
    }
  }
  return false;
}

bool NotFromTheNationalTables(const synth::Target& t) { return !FromTheNationalTables(t); }

// Figur 3.1 (12 risk items, everyone) and Tabell 3.1 (the same by six
// services): the report's central tables, within ±2 pp after import.
TEST_F(GoldenTest, TheImportedDataReproducesTabell31AndFigur31) {
  const std::vector<Evaluated> rows = Evaluate(FromTheNationalTables);
  EXPECT_EQ(rows.size(), 84u);
  std::vector<const Evaluated*> failed, all;
  for (const Evaluated& e : rows) {
    if (!e.Within()) failed.push_back(&e);
    all.push_back(&e);
  }
  if (std::getenv("SAMKART_GOLDEN_TABLE") != nullptr) std::cout << kColumns << Format(all);
  EXPECT_TRUE(failed.empty()) << failed.size() << " of " << rows.size()
                              << " targets of Tabell 3.1/Figur 3.1 are not reproduced within "
                                 "their tolerance after import.\n"
                              << kColumns << Format(failed);
}

// Every other target of targets.csv (the chapter 5 text, the size groups of
// Figur 3.2, the assumed levels), within its tolerance after import.
TEST_F(GoldenTest, TheImportedDataReproducesEveryOtherTarget) {
  const std::vector<Evaluated> rows = Evaluate(NotFromTheNationalTables);
  EXPECT_GE(rows.size(), 150u);
  std::vector<const Evaluated*> failed, all;
  for (const Evaluated& e : rows) {
    if (!e.Within()) failed.push_back(&e);
    all.push_back(&e);
  }
  if (std::getenv("SAMKART_GOLDEN_TABLE") != nullptr) std::cout << kColumns << Format(all);
  EXPECT_TRUE(failed.empty()) << failed.size() << " of " << rows.size()
                              << " targets are not reproduced within their tolerance after "
                                 "import.\n"
                              << kColumns << Format(failed);
}

// Every family can be tabulated by every background variable, and the
// groups of a breakdown add up to its total.
TEST_F(GoldenTest, EveryFamilyCanBeTabulatedByEveryBackgroundVariable) {
  ASSERT_GT(data_->rows, 20000u);
  for (const instrument::Family& family : instrument_->families) {
    // The totals without a breakdown, per item.
    auto plain =
        ComputeTable(*data_, *instrument_, {family.id, std::nullopt, {}, {}, {}, false, {}});
    ASSERT_TRUE(plain.ok()) << family.id << ": " << plain.error().message;
    ASSERT_EQ(plain->rows.size(), family.items.size()) << family.id;
    for (const Variable variable : kAllVariables) {
      const std::string what = family.id + " by " + VariableName(variable);
      auto table = ComputeTable(*data_, *instrument_,
                                {family.id, std::nullopt, {variable}, {}, {}, false, {}});
      ASSERT_TRUE(table.ok()) << what << ": " << table.error().message;
      EXPECT_EQ(table->family, instrument_->FindFamily(family.id)) << what;
      EXPECT_FALSE(table->denominator_rule.empty()) << what;
      std::size_t totals = 0;
      const TableRow* total = nullptr;
      std::size_t n = 0, count = 0, groups = 0;
      auto check_item = [&] {
        if (total == nullptr) return;
        EXPECT_GT(groups, 0u) << what;
        EXPECT_EQ(n, total->cell.n) << what << ", item " << data_->item_refs[total->item].item->id;
        EXPECT_EQ(count, total->cell.count)
            << what << ", item " << data_->item_refs[total->item].item->id;
        EXPECT_EQ(total->cell.n, plain->rows[totals - 1].cell.n) << what;
        EXPECT_EQ(total->cell.count, plain->rows[totals - 1].cell.count) << what;
      };
      for (const TableRow& row : table->rows) {
        EXPECT_LE(row.cell.count, row.cell.n) << what;
        EXPECT_FALSE(row.category.has_value()) << what;
        if (row.group.empty()) {
          check_item();
          total = &row;
          ++totals;
          n = count = groups = 0;
          continue;
        }
        ASSERT_NE(total, nullptr) << what << ": a group row before the item's total";
        EXPECT_EQ(row.item, total->item) << what;
        ASSERT_EQ(row.group.size(), 1u) << what;
        n += row.cell.n;
        count += row.cell.count;
        ++groups;
      }
      check_item();
      EXPECT_EQ(totals, family.items.size()) << what;
    }
  }
}

}  // namespace
}  // namespace samkart::analysis
