// The shipped instrument loads and says what the report needs; errors that
// take more than one broken line, or a look beyond the problems, are here.
// Every class of instrument error with one broken file is a case in
// testdata/loader_errors.test (loader_errors_test.cc).
#include "samkart/instrument/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "samkart/core/text.h"
#include "samkart/instrument/embedded.h"
#include "samkart/io/csv_reader.h"
#include "samkart/io/table_writer.h"

#include "support/scratch_dir.h"

namespace samkart::instrument {
namespace {

using Files = std::vector<io::TextFile>;

Files Embedded() { return EmbeddedInstrumentFiles(); }

io::TextFile& FileNamed(Files& files, const std::string& name) {
  for (auto& f : files) {
    if (f.path == name) return f;
  }
  files.push_back({name, ""});
  return files.back();
}

std::size_t LineOf(const std::string& content, std::size_t offset) {
  return static_cast<std::size_t>(
             std::count(content.begin(), content.begin() + static_cast<long>(offset), '\n')) +
         1;
}

// Replaces the first occurrence of `from` and returns the line it was on.
std::size_t Replace(Files& files, const std::string& name, const std::string& from,
                    const std::string& to) {
  auto& content = FileNamed(files, name).content;
  const auto at = content.find(from);
  EXPECT_NE(at, std::string::npos) << from << " not in " << name;
  if (at == std::string::npos) return 0;
  content.replace(at, from.size(), to);
  return LineOf(content, at);
}

// Appends a row and returns its line number.
std::size_t Append(Files& files, const std::string& name, const std::string& row) {
  auto& content = FileNamed(files, name).content;
  const std::size_t line = LineOf(content, content.size());
  content += row + "\n";
  return line;
}

std::string Dump(const LoadResult& result) {
  std::string all;
  for (const auto& p : result.problems) all += p.ToString() + "\n";
  return all;
}

TEST(InstrumentLoader, TheShippedInstrumentIsValid) {
  const auto result = LoadEmbeddedInstrument();
  ASSERT_TRUE(result.ok()) << Dump(result);
  const Instrument& in = *result.instrument;
  // Every family the national report analyses, in the report's order.
  const std::vector<std::string> expected_order = {"risk_identification",
                                                   "minority_knowledge",
                                                   "protective_factors_knowledge",
                                                   "conversation_children",
                                                   "conversation_parents",
                                                   "concern_experienced",
                                                   "concern_content",
                                                   "acted_on_concern",
                                                   "actions_taken",
                                                   "reasons_not_acted",
                                                   "barriers",
                                                   "written_routines_known",
                                                   "routines_used_in_practice",
                                                   "system_knowledge",
                                                   "knows_other_services",
                                                   "cooperation_with_services",
                                                   "parent_cooperation",
                                                   "child_involvement",
                                                   "early_intervention_statements",
                                                   "interdisciplinary_arena_access",
                                                   "guide_barn_som_parorende_known"};
  ASSERT_EQ(in.families.size(), expected_order.size());
  for (std::size_t i = 0; i < expected_order.size(); ++i)
    EXPECT_EQ(in.families[i].id, expected_order[i]);
  EXPECT_EQ(in.FindFamily("risk_identification")->items.size(), 12u);
  EXPECT_EQ(in.FindFamily("protective_factors_knowledge")->items.size(), 2u);
  EXPECT_EQ(in.FindFamily("conversation_children")->items.size(), 4u);
  EXPECT_EQ(in.FindFamily("conversation_parents")->items.size(), 4u);
  EXPECT_EQ(in.FindFamily("system_knowledge")->items.size(), 3u);
  EXPECT_EQ(in.FindFamily("parent_cooperation")->items.size(), 3u);
  EXPECT_EQ(in.FindFamily("child_involvement")->items.size(), 3u);
  EXPECT_EQ(in.FindFamily("early_intervention_statements")->items.size(), 4u);
  EXPECT_GE(in.FindFamily("barriers")->items.size(), 9u);
  EXPECT_EQ(in.generations.size(), 5u);
  EXPECT_EQ(in.crosswalks.size(), 5u);
  EXPECT_EQ(in.CurrentGeneration()->id, "G5");
  EXPECT_EQ(in.size_groups.size(), 5u);
  EXPECT_EQ(in.regions.size(), 7u);
}

TEST(InstrumentLoader, FamilyRulesFollowTheReport) {
  const auto result = LoadEmbeddedInstrument();
  ASSERT_TRUE(result.ok());
  const Instrument& in = *result.instrument;

  // Reported share «I ganske stor grad» + «I svært stor grad».
  const Family* risk = in.FindFamily("risk_identification");
  const Scale* grad = in.FindScale(risk->scale);
  ASSERT_EQ(risk->reported_share.size(), 2u);
  EXPECT_EQ(grad->Find(risk->reported_share[0])->label, "I ganske stor grad");
  EXPECT_EQ(grad->Find(risk->reported_share[1])->label, "I svært stor grad");
  EXPECT_TRUE(risk->dont_know_in_denominator);

  // Concern: five categories as Figur 3.14, not asked to child welfare.
  const Family* concern = in.FindFamily("concern_experienced");
  EXPECT_EQ(in.FindScale(concern->scale)->categories.size(), 5u);
  EXPECT_EQ(concern->not_asked_services, std::vector<std::string>{"barnevern"});

  // What the concern was about: a checklist asked to those who were concerned.
  const Family* content = in.FindFamily("concern_content");
  EXPECT_EQ(content->type, FamilyType::kMultipleChoice);
  ASSERT_TRUE(content->asked_if.has_value());
  EXPECT_EQ(content->asked_if->family, "concern_experienced");
  EXPECT_EQ(content->asked_if->codes, (std::vector<int>{2, 3, 4}));

  // Cooperation: every partner the report names, own service excluded.
  const Family* coop = in.FindFamily("cooperation_with_services");
  EXPECT_TRUE(coop->excludes_own_service);
  for (const char* partner : {"bup", "nav", "fastlege", "rus_psykisk", "barnehage", "barneskole",
                              "ungdomsskole", "ppt", "helsestasjon", "barnevern"}) {
    EXPECT_TRUE(std::any_of(coop->items.begin(), coop->items.end(), [&](const Item& i) {
      return i.partner_service == partner;
    })) << partner;
  }

  // Kindergarten positions of Figur 3.10/3.13/3.28 exist and generalise.
  for (const char* key : {"styrer", "pedagogisk_leder", "barne_ungdomsarbeider", "assistent"}) {
    const Position* p = in.FindPosition(key);
    ASSERT_NE(p, nullptr) << key;
    EXPECT_FALSE(p->generalises_to.empty());
  }
}

TEST(InstrumentLoader, GenerationsDifferAsTheReportDescribes) {
  const auto result = LoadEmbeddedInstrument();
  ASSERT_TRUE(result.ok());
  const Instrument& in = *result.instrument;
  const Family& protective = *in.FindFamily("protective_factors_knowledge");
  const Family& content = *in.FindFamily("concern_content");
  // Protective factors only in the current questionnaire; concern content not in the earliest.
  EXPECT_EQ(in.ItemsAskedIn("G1", protective), 0);
  EXPECT_EQ(in.ItemsAskedIn("G5", protective), 2);
  EXPECT_EQ(in.ItemsAskedIn("G1", content), 0);
  EXPECT_GT(in.ItemsAskedIn("G3", content), 0);
  // Pre-2019 risk wording, recoded from a reversed good/bad scale.
  const SourceVariable* old_risk = in.FindCrosswalk("G1")->Find("sp3_1");
  ASSERT_NE(old_risk, nullptr);
  EXPECT_NE(old_risk->question.find("Hvor godt eller dårlig"), std::string::npos);
  EXPECT_EQ(old_risk->categories.front().source_label, "Svært godt");
  EXPECT_EQ(old_risk->categories.front().target_code, 5);
  // «de siste 2 år» in the first generation.
  bool two_years = false;
  for (const auto& v : in.FindCrosswalk("G1")->variables) {
    if (v.target == "concern_experienced.concern_last_12_months") {
      two_years = v.question.find("de siste 2 år") != std::string::npos;
    }
  }
  EXPECT_TRUE(two_years);
}

TEST(InstrumentLoader, BarriersPointTheOtherWay) {
  const auto result = LoadEmbeddedInstrument();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.instrument->FindFamily("barriers")->polarity, Polarity::kHigherIsWorse);
  EXPECT_EQ(result.instrument->FindFamily("risk_identification")->polarity,
            Polarity::kHigherIsBetter);
  EXPECT_EQ(result.instrument->FindFamily("concern_content")->polarity, Polarity::kDescriptive);
}

// A source category the harmonised scale has no place for is mapped to
// nothing and counts as not answered (a background category cannot be:
// testdata/loader_errors.test).
TEST(InstrumentLoader, AnAnswerCategoryWithoutTargetCodeCountsAsNotAnswered) {
  Files files = Embedded();
  Append(files, "crosswalks/g5.csv",
         "bekymring,Uro?,answer,concern_experienced.concern_last_12_months,,Ønsker ikke å "
         "svare,,Fjernet kategori");
  const auto result = LoadInstrument(files, "data/");
  ASSERT_TRUE(result.ok()) << Dump(result);
  const auto* variable = result.instrument->FindCrosswalk("G5")->Find("bekymring");
  ASSERT_NE(variable, nullptr);
  const auto mapped = std::find_if(
      variable->categories.begin(), variable->categories.end(),
      [](const CategoryMapping& m) { return m.source_label == "Ønsker ikke å svare"; });
  ASSERT_NE(mapped, variable->categories.end());
  EXPECT_EQ(mapped->target_code, kBlank);
}

// One generation exported by another tool: a second crosswalk file (a
// layout) for G5. Its answer columns name no categories: they read the
// scale's labels and the variants the layout declares once per scale.
TEST(InstrumentLoader, ALayoutMapsAGenerationWithItsScaleVariantsDeclaredOnce) {
  Files files = Embedded();
  FileNamed(files, "crosswalks/questback.csv").content =
      "source_variable;source_question;role;target;source_code;source_label;target_code;note;"
      "generation\n"
      "Tjeneste;Hvor jobber du?;background;service;;Barnehage;1;;G5\n"
      "Q1;Læringsvansker;answer;risk_identification.learning_difficulties;;;;;G5\n"
      "Q2;Mobbet;answer;risk_identification.bullied;;;;;G5\n"
      "Q2;Mobbet;answer;risk_identification.bullied;;Vet ikke;9;;G5\n"
      ";;scale;grad;;Hverken eller;3;;G5\n"
      ";;scale;grad;;Ønsker ikke å svare;;;G5\n";
  const auto result = LoadInstrument(files, "data/");
  ASSERT_TRUE(result.ok()) << Dump(result);
  const Crosswalk* layout = nullptr;
  for (const auto& c : result.instrument->crosswalks) {
    if (c.layout == "questback") layout = &c;
  }
  ASSERT_NE(layout, nullptr);
  EXPECT_EQ(layout->generation, "G5");
  EXPECT_FALSE(layout->IsMainLayout());
  EXPECT_EQ(layout->Label(), "G5 (questback)");
  // The generation's own file stays the one FindCrosswalk gives.
  EXPECT_EQ(result.instrument->FindCrosswalk("G5")->layout, "g5");

  auto code_of = [&](const std::string& variable, const std::string& label) -> int {
    for (const auto& m : layout->Find(variable)->categories) {
      if (text::FoldLabel(m.source_label) == text::FoldLabel(label)) return m.target_code;
    }
    return -1;
  };
  EXPECT_EQ(code_of("Q1", "I svært liten grad"), 1);  // the scale's own label
  EXPECT_EQ(code_of("Q1", "Hverken eller"), 3);       // the layout's variant
  EXPECT_EQ(code_of("Q1", "Ønsker ikke å svare"), kBlank);
  EXPECT_EQ(code_of("Q2", "Vet ikke"), 9);  // the column's own row
  EXPECT_EQ(code_of("Q2", "Hverken eller"), 3);
  EXPECT_EQ(code_of("Q1", "Vet ikke"), -1);
}

// An analyst edits a crosswalk in a spreadsheet with Norwegian settings,
// which saves «CSV UTF-8» with semicolons, a byte order mark and CRLF.
TEST(InstrumentLoader, ACrosswalkSavedByANorwegianSpreadsheetLoadsTheSame) {
  Files files = Embedded();
  auto& g4 = FileNamed(files, "crosswalks/g4.csv").content;
  const auto parsed = io::ParseCsv(g4);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const auto semicolons = [](const std::vector<std::string>& fields) {
    std::string line;
    for (const auto& field : fields) {
      line += (line.empty() ? "" : ";") + io::QuoteCsvField(field, ';');
    }
    return line + "\r\n";
  };
  std::string saved = "\xEF\xBB\xBF" + semicolons(parsed->header);
  for (const auto& record : parsed->rows) saved += semicolons(record.fields);
  ASSERT_NE(saved.find(';'), std::string::npos);
  g4 = saved;

  const auto original = LoadInstrument(Embedded(), "data/");
  ASSERT_TRUE(original.ok()) << Dump(original);
  const auto loaded = LoadInstrument(files, "data/");
  ASSERT_TRUE(loaded.ok()) << Dump(loaded);
  const auto* before = original.instrument->FindCrosswalk("G4");
  const auto* after = loaded.instrument->FindCrosswalk("G4");
  ASSERT_NE(before, nullptr);
  ASSERT_NE(after, nullptr);
  ASSERT_EQ(after->variables.size(), before->variables.size());
  for (std::size_t i = 0; i < before->variables.size(); ++i) {
    EXPECT_EQ(after->variables[i].name, before->variables[i].name);
    EXPECT_EQ(after->variables[i].question, before->variables[i].question);
    EXPECT_EQ(after->variables[i].categories.size(), before->variables[i].categories.size());
  }
}

TEST(InstrumentLoader, ReportsEveryProblemAtOnce) {
  Files files = Embedded();
  Replace(files, "families.csv", "rating,mengde,4|5", "rating,mengde,4|7");
  Append(files, "scales.csv", "grad,5,Helt og holdent,answer");
  Append(files, "background/regions.csv", "8,vest,");
  const auto result = LoadInstrument(files, "data/");
  EXPECT_EQ(result.problems.size(), 3u) << Dump(result);
  // Crosswalks wait until the core files are clean, so errors do not cascade.
  EXPECT_FALSE(result.crosswalks_checked);
}

TEST(InstrumentLoader, ReportsEveryCrosswalkProblemAtOnce) {
  Files files = Embedded();
  Replace(files, "crosswalks/g5.csv", "answer,risk_identification.bullied,1,",
          "answer,risk_identification.x,1,");
  Replace(files, "crosswalks/g2.csv", "Svært godt,5", "Svært godt,8");
  Replace(files, "crosswalks/g1.csv", "identifier,email", "identifier,mail");
  const auto result = LoadInstrument(files, "data/");
  EXPECT_TRUE(result.crosswalks_checked);
  EXPECT_EQ(result.problems.size(), 3u) << Dump(result);
}

TEST(InstrumentLoader, LoadsFromADirectoryAndNamesItsFiles) {
  const testing_support::ScratchDir scratch;
  const auto& dir = scratch.path();
  Files files = Embedded();
  const auto line = Replace(files, "families.csv", "rating,grad,4|5", "rating,gradd,4|5");
  for (const auto& f : files) {
    std::filesystem::create_directories((dir / f.path).parent_path());
    std::ofstream(dir / f.path, std::ios::binary) << f.content;
  }
  const auto result = LoadInstrumentFromDirectory(dir.string());
  ASSERT_EQ(result.problems.size(), 1u) << Dump(result);
  EXPECT_EQ(result.problems[0].file, (dir / "families.csv").string());
  EXPECT_EQ(result.problems[0].line, line);
}

}  // namespace
}  // namespace samkart::instrument
