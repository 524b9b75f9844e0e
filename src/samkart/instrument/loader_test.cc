// Every class of instrument error, each provoked by breaking one file of the
// real instrument, must be reported with its file, line and cause.
#include "samkart/instrument/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

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

// Expects exactly one problem, in `file` at `line`, whose message contains `what`.
void ExpectOneProblem(const Files& files, const std::string& file, std::size_t line,
                      const std::string& what) {
  const auto result = LoadInstrument(files, "data/");
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.problems.size(), 1u) << Dump(result);
  const auto& p = result.problems.front();
  EXPECT_EQ(p.file, "data/" + file) << Dump(result);
  EXPECT_EQ(p.line, line) << Dump(result);
  EXPECT_NE(p.message.find(what), std::string::npos)
      << "expected «" << what << "» in: " << Dump(result);
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

TEST(InstrumentLoader, UnknownScale) {
  Files files = Embedded();
  const auto line = Replace(files, "families.csv", "rating,grad,4|5", "rating,gradd,4|5");
  ExpectOneProblem(files, "families.csv", line, "ukjent skala «gradd»");
}

TEST(InstrumentLoader, PolarityMustBeKnownAndBarriersPointTheOtherWay) {
  const auto result = LoadEmbeddedInstrument();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.instrument->FindFamily("barriers")->polarity, Polarity::kHigherIsWorse);
  EXPECT_EQ(result.instrument->FindFamily("risk_identification")->polarity,
            Polarity::kHigherIsBetter);
  EXPECT_EQ(result.instrument->FindFamily("concern_content")->polarity, Polarity::kDescriptive);

  Files files = Embedded();
  const auto line = Replace(files, "families.csv", ",higher_is_worse", ",higher_is_bad");
  ExpectOneProblem(files, "families.csv", line, "«polarity» = «higher_is_bad»");
}

TEST(InstrumentLoader, ReportedShareNamesACategoryTheScaleLacks) {
  Files files = Embedded();
  const auto line = Replace(files, "families.csv", "rating,mengde,4|5", "rating,mengde,4|7");
  ExpectOneProblem(files, "families.csv", line,
                   "andelsregelen nevner kode 7, som skalaen «mengde» ikke har");
}

TEST(InstrumentLoader, ReportedShareMustNotCountDontKnow) {
  Files files = Embedded();
  const auto line = Replace(files, "families.csv", "rating,mengde,4|5", "rating,mengde,4|5|9");
  ExpectOneProblem(files, "families.csv", line, "vet ikke-kategori");
}

TEST(InstrumentLoader, DuplicateFamilyId) {
  Files files = Embedded();
  const auto line =
      Append(files, "families.csv",
             "risk_identification,99,5.1,Kopi,Stamme,rating,grad,4|5,in_denominator,,,no,");
  ExpectOneProblem(files, "families.csv", line,
                   "familien «risk_identification» er allerede brukt (linje 2)");
}

TEST(InstrumentLoader, DuplicateItemId) {
  Files files = Embedded();
  const auto line =
      Append(files, "items.csv", "risk_identification,bullied,99,blir mobbet igjen,Mobbing,");
  ExpectOneProblem(files, "items.csv", line,
                   "spørsmålet «risk_identification.bullied» er allerede brukt");
}

TEST(InstrumentLoader, DuplicateScaleCode) {
  Files files = Embedded();
  const auto line = Append(files, "scales.csv", "grad,5,Helt og holdent,answer");
  ExpectOneProblem(files, "scales.csv", line, "koden 5 i skalaen «grad» er allerede brukt");
}

TEST(InstrumentLoader, DuplicateServiceKey) {
  Files files = Embedded();
  const auto line = Append(files, "background/services.csv", "40,barnevern,Barnevern 2,Bv2,yes,");
  ExpectOneProblem(files, "background/services.csv", line,
                   "nøkkelen «barnevern» er allerede brukt");
}

TEST(InstrumentLoader, ServiceGeneralisationMustEndSomewhere) {
  Files files = Embedded();
  const auto unknown =
      Append(files, "background/services.csv", "40,tannhelse,Tannhelse,Tannhelse,yes,helse");
  ExpectOneProblem(files, "background/services.csv", unknown,
                   "«generalises_to» = «helse» er ingen tjeneste i filen");
  Files ring = Embedded();
  Replace(ring, "background/services.csv", "Ikke oppgitt,yes,", "Ikke oppgitt,yes,barnehage");
  const auto result = LoadInstrument(ring, "data/");
  ASSERT_FALSE(result.problems.empty());
  EXPECT_NE(Dump(result).find("går i ring"), std::string::npos) << Dump(result);
}

TEST(InstrumentLoader, CategoryMappedTwiceByCode) {
  Files files = Embedded();
  const auto line =
      Append(files, "crosswalks/g4.csv",
             "q3_r1,Spørsmål,answer,risk_identification.learning_difficulties,1,Noe annet,1,");
  ExpectOneProblem(files, "crosswalks/g4.csv", line, "kildekoden 1 for «q3_r1»");
}

TEST(InstrumentLoader, CategoryMappedTwiceByLabelIgnoringCase) {
  Files files = Embedded();
  const auto line = Append(
      files, "crosswalks/g4.csv",
      "q3_r1,Spørsmål,answer,risk_identification.learning_difficulties,,i GANSKE stor grad,4,");
  ExpectOneProblem(files, "crosswalks/g4.csv", line,
                   "kildekategorien «i GANSKE stor grad» for «q3_r1»");
}

TEST(InstrumentLoader, CrosswalkTargetThatDoesNotExist) {
  Files files = Embedded();
  const auto line = Replace(files, "crosswalks/g5.csv", "answer,risk_identification.bullied,1,",
                            "answer,risk_identification.bulied,1,");
  ExpectOneProblem(files, "crosswalks/g5.csv", line,
                   "målet «risk_identification.bulied» finnes ikke");
}

TEST(InstrumentLoader, CrosswalkTargetCodeOutsideTheScale) {
  Files files = Embedded();
  const auto line = Replace(files, "crosswalks/g2.csv", "Svært godt,5", "Svært godt,8");
  ExpectOneProblem(files, "crosswalks/g2.csv", line,
                   "«target_code» 8 finnes ikke i skalaen «grad»");
}

TEST(InstrumentLoader, CrosswalkBackgroundCodeThatDoesNotExist) {
  Files files = Embedded();
  const auto line = Replace(files, "crosswalks/g1.csv", "background,service,10,Annet,14",
                            "background,service,10,Annet,77");
  ExpectOneProblem(files, "crosswalks/g1.csv", line,
                   "«target_code» 77 er ingen kode for «service»");
}

TEST(InstrumentLoader, TwoSourceVariablesForOneTarget) {
  Files files = Embedded();
  const auto line =
      Append(files, "crosswalks/g5.csv",
             "risiko_kopi,Spørsmål,answer,risk_identification.bullied,4,I ganske stor grad,4,");
  ExpectOneProblem(files, "crosswalks/g5.csv", line,
                   "målet «risk_identification.bullied» er allerede brukt");
}

TEST(InstrumentLoader, SourceVariableWithTwoTargets) {
  Files files = Embedded();
  const auto line = Append(files, "crosswalks/g5.csv",
                           "risiko_bullied,Spørsmål,answer,risk_identification.neglect,4,Noe,4,");
  ExpectOneProblem(files, "crosswalks/g5.csv", line,
                   "variabelen «risiko_bullied» har en annen rolle eller et annet mål");
}

TEST(InstrumentLoader, IdentifierKindMustBeKnown) {
  Files files = Embedded();
  const auto line = Replace(files, "crosswalks/g1.csv", "identifier,email", "identifier,mail");
  ExpectOneProblem(files, "crosswalks/g1.csv", line, "identifikatortypen «mail» er ukjent");
}

TEST(InstrumentLoader, IdentifierMustNotCarryCategories) {
  Files files = Embedded();
  const auto line =
      Append(files, "crosswalks/g1.csv", "epost,E-post,identifier,email,1,x@example.org,1,");
  ExpectOneProblem(files, "crosswalks/g1.csv", line, "skal ikke ha kategorier");
}

TEST(InstrumentLoader, UnknownRole) {
  Files files = Embedded();
  const auto line = Append(files, "crosswalks/g5.csv", "fritekst,Kommentar,comment,,,,,");
  ExpectOneProblem(files, "crosswalks/g5.csv", line, "«role» = «comment»");
}

TEST(InstrumentLoader, UnknownBackgroundTarget) {
  Files files = Embedded();
  const auto line = Append(files, "crosswalks/g5.csv", "alder,Alder,background,age,,,,");
  ExpectOneProblem(files, "crosswalks/g5.csv", line, "målet «age» er ingen bakgrunnsvariabel");
}

TEST(InstrumentLoader, GenerationCannotComeFromAColumn) {
  Files files = Embedded();
  const auto line = Append(files, "crosswalks/g5.csv", "versjon,Skjema,background,generation,,,,");
  ExpectOneProblem(files, "crosswalks/g5.csv", line, "generasjonen settes av nøkkelen selv");
}

TEST(InstrumentLoader, AnIgnoredVariableHasNoTarget) {
  Files files = Embedded();
  const auto line = Append(files, "crosswalks/g5.csv", "lopenr,Løpenummer,ignore,year,,,,");
  ExpectOneProblem(files, "crosswalks/g5.csv", line, "en ignorert variabel skal ikke ha mål");
}

TEST(InstrumentLoader, ACategoryNeedsACodeOrALabel) {
  Files files = Embedded();
  const auto line = Append(files, "crosswalks/g5.csv",
                           "bekymring,Uro?,answer,concern_experienced.concern_last_12_months,,,1,");
  ExpectOneProblem(files, "crosswalks/g5.csv", line,
                   "«bekymring» mangler både «source_code» og «source_label»");
}

TEST(InstrumentLoader, AnAnswerVariableWithoutCategories) {
  Files files = Embedded();
  // G1 had no question on protective factors, so this is the only source.
  const auto line =
      Append(files, "crosswalks/g1.csv",
             "beskyttelse,Ny?,answer,protective_factors_knowledge.environmental_factors,,,,");
  const auto result = LoadInstrument(files, "data/");
  ASSERT_FALSE(result.ok());
  // The row itself is wrong, and it leaves the variable with nothing to map.
  ASSERT_EQ(result.problems.size(), 2u) << Dump(result);
  for (const auto& p : result.problems) {
    EXPECT_EQ(p.file, "data/crosswalks/g1.csv") << Dump(result);
    EXPECT_EQ(p.line, line) << Dump(result);
  }
  EXPECT_NE(result.problems[0].message.find("mangler både «source_code» og «source_label»"),
            std::string::npos)
      << Dump(result);
  EXPECT_NE(result.problems[1].message.find("«beskyttelse» har ingen kategorier"),
            std::string::npos)
      << Dump(result);
}

TEST(InstrumentLoader, ARequiredFieldIsEmpty) {
  Files files = Embedded();
  const auto line = Replace(files, "background/regions.csv", "KORUS Sør", "");
  ExpectOneProblem(files, "background/regions.csv", line, "«label_nb» er tom");
}

TEST(InstrumentLoader, KeysUseOnlyLowercaseLettersDigitsAndUnderscore) {
  Files files = Embedded();
  const auto line = Replace(files, "background/size_groups.csv", "1,gruppe_1,", "1,Gruppe 1,");
  ExpectOneProblem(files, "background/size_groups.csv", line, "«key» = «Gruppe 1»: bruk bare");
}

TEST(InstrumentLoader, YesOrNo) {
  Files files = Embedded();
  const auto line = Replace(files, "generations.csv", "2019,2020,no", "2019,2020,nei");
  ExpectOneProblem(files, "generations.csv", line, "«current» = «nei»: skal være yes eller no");
}

TEST(InstrumentLoader, PopulationBandThatEndsBeforeItStarts) {
  Files files = Embedded();
  const auto line = Replace(files, "background/size_groups.csv", "5000,9999", "5000,4000");
  const auto result = LoadInstrument(files, "data/");
  ASSERT_FALSE(result.ok());
  const bool named = std::any_of(result.problems.begin(), result.problems.end(), [&](auto& p) {
    return p.line == line && p.message.find("mindre enn «min_population»") != std::string::npos;
  });
  EXPECT_TRUE(named) << Dump(result);
}

TEST(InstrumentLoader, AShareCodeThatIsNotANumber) {
  Files files = Embedded();
  const auto line = Replace(files, "families.csv", "rating,grad,4|5,", "rating,grad,4|fem,");
  ExpectOneProblem(files, "families.csv", line, "«fem» er ingen kode");
}

// A source category the harmonised scale has no place for is mapped to
// nothing and counts as not answered; a background category cannot be.
TEST(InstrumentLoader, AnAnswerCategoryWithoutTargetCodeCountsAsNotAnswered) {
  Files files = Embedded();
  Append(files, "crosswalks/g5.csv",
         "bekymring,Uro?,answer,concern_experienced.concern_last_12_months,,Ønsker ikke å "
         "svare,,Fjernet kategori");
  const auto result = LoadInstrument(files, "data/");
  ASSERT_TRUE(result.ok()) << Dump(result);
  const auto* variable = result.instrument->FindCrosswalk("G5")->Find("bekymring");
  ASSERT_NE(variable, nullptr);
  ASSERT_FALSE(variable->categories.empty());
  EXPECT_EQ(variable->categories.back().source_label, "Ønsker ikke å svare");
  EXPECT_EQ(variable->categories.back().target_code, kBlank);

  Files background = Embedded();
  const auto line =
      Append(background, "crosswalks/g5.csv", "tjenestested,Hvor?,background,service,99,Annet,,");
  ExpectOneProblem(background, "crosswalks/g5.csv", line, "«target_code» er tom");
}

TEST(InstrumentLoader, CrosswalkForUnknownGeneration) {
  Files files = Embedded();
  files.push_back({"crosswalks/g9.csv", FileNamed(files, "crosswalks/g5.csv").content});
  ExpectOneProblem(files, "crosswalks/g9.csv", 0, "svarer ikke til noen generasjon");
}

TEST(InstrumentLoader, GenerationWithoutCrosswalk) {
  Files files = Embedded();
  std::erase_if(files, [](const io::TextFile& f) { return f.path == "crosswalks/g3.csv"; });
  const auto& generations = FileNamed(files, "generations.csv").content;
  const std::size_t line = LineOf(generations, generations.find("\nG3,") + 1);
  ExpectOneProblem(files, "generations.csv", line, "generasjonen «G3» har ingen nøkkel");
}

TEST(InstrumentLoader, ExactlyOneCurrentGeneration) {
  Files files = Embedded();
  Replace(files, "generations.csv", "2019,2020,no", "2019,2020,yes");
  // G4 now says yes as well; the second row that says yes, G5, is named.
  const auto& generations = FileNamed(files, "generations.csv").content;
  const std::size_t line = LineOf(generations, generations.find("\nG5,") + 1);
  ExpectOneProblem(files, "generations.csv", line,
                   "nøyaktig én generasjon skal ha current=yes, fant 2");
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

TEST(InstrumentLoader, UnknownColumn) {
  Files files = Embedded();
  Replace(files, "items.csv", "short_nb", "kortnavn");
  ExpectOneProblem(files, "items.csv", 1, "ukjent kolonne «kortnavn»");
}

TEST(InstrumentLoader, MissingColumn) {
  Files files = Embedded();
  auto& content = FileNamed(files, "background/regions.csv").content;
  content = "code,key\n1,nord\n";
  ExpectOneProblem(files, "background/regions.csv", 1, "mangler kolonnen «label_nb»");
}

TEST(InstrumentLoader, MissingFile) {
  Files files = Embedded();
  std::erase_if(files, [](const io::TextFile& f) { return f.path == "scales.csv"; });
  const auto result = LoadInstrument(files, "data/");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.problems.front().ToString(), "data/scales.csv: filen mangler");
}

TEST(InstrumentLoader, UnknownFile) {
  Files files = Embedded();
  files.push_back({"notes.csv", "a\n1\n"});
  ExpectOneProblem(files, "notes.csv", 0, "ukjent fil");
}

TEST(InstrumentLoader, MalformedCsv) {
  Files files = Embedded();
  Append(files, "background/regions.csv", "8,vest,\"KORUS Vest");
  const auto result = LoadInstrument(files, "data/");
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.problems.size(), 1u) << Dump(result);
  EXPECT_EQ(result.problems[0].line, 9u) << Dump(result);
  EXPECT_NE(result.problems[0].message.find("lukkes aldri"), std::string::npos);
}

TEST(InstrumentLoader, NotUtf8) {
  Files files = Embedded();
  Replace(files, "background/regions.csv", "KORUS Sør", "KORUS S\xF8r");
  ExpectOneProblem(files, "background/regions.csv", 0, "ikke gyldig UTF-8");
}

TEST(InstrumentLoader, RowLongerThanHeader) {
  Files files = Embedded();
  const auto line =
      Append(files, "background/regions.csv", "8,vest,KORUS Vest,ekstra,felt,til,overs");
  ExpectOneProblem(files, "background/regions.csv", line, "raden har 7 felt, overskriften 3");
}

TEST(InstrumentLoader, BadNumber) {
  Files files = Embedded();
  const auto line = Replace(files, "scales.csv", "grad,9,", "grad,ni,");
  ExpectOneProblem(files, "scales.csv", line, "«code» = «ni» er ikke et heltall");
}

TEST(InstrumentLoader, BadFamilyType) {
  Files files = Embedded();
  const auto line = Replace(files, "families.csv", "single_choice,bekymring", "choice,bekymring");
  ExpectOneProblem(files, "families.csv", line, "«type» = «choice»");
}

TEST(InstrumentLoader, BadDontKnowRule) {
  Files files = Embedded();
  const auto line =
      Replace(files, "families.csv", "rating,mengde,4|5,in_denominator", "rating,mengde,4|5,maybe");
  ExpectOneProblem(files, "families.csv", line, "«dont_know» = «maybe»");
}

TEST(InstrumentLoader, NotAskedServiceMustExist) {
  Files files = Embedded();
  const auto line = Replace(files, "families.csv", "in_denominator,barnevern,,no",
                            "in_denominator,barnevernet,,no");
  ExpectOneProblem(files, "families.csv", line, "«not_asked_services» nevner «barnevernet»");
}

TEST(InstrumentLoader, RoutingToAnUnknownItem) {
  Files files = Embedded();
  const auto line =
      Replace(files, "families.csv", "acted_on_concern.acted=1", "acted_on_concern.handlet=1");
  ExpectOneProblem(files, "families.csv", line, "«asked_if» viser til «acted_on_concern.handlet»");
}

TEST(InstrumentLoader, RoutingWithACodeTheScaleLacks) {
  Files files = Embedded();
  const auto line =
      Replace(files, "families.csv", "acted_on_concern.acted=1", "acted_on_concern.acted=3");
  ExpectOneProblem(files, "families.csv", line, "«asked_if» nevner kode 3");
}

TEST(InstrumentLoader, RoutingInACircle) {
  Files files = Embedded();
  // acted_on_concern is asked if concerned; make concern asked if acted.
  const auto line = Replace(files, "families.csv", "in_denominator,barnevern,,no",
                            "in_denominator,barnevern,acted_on_concern.acted=1,no");
  const auto result = LoadInstrument(files, "data/");
  ASSERT_FALSE(result.ok());
  bool found = false;
  for (const auto& p : result.problems) {
    found |= p.line == line && p.message.find("går i ring") != std::string::npos;
  }
  EXPECT_TRUE(found) << Dump(result);
}

TEST(InstrumentLoader, MultipleChoiceNeedsACheckboxScale) {
  Files files = Embedded();
  const auto line = Replace(files, "families.csv",
                            "multiple_choice,avkrysning,1,in_denominator,barnevern,concern",
                            "multiple_choice,ja_nei,1,in_denominator,barnevern,concern");
  const auto result = LoadInstrument(files, "data/");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.problems.front().line, line) << Dump(result);
  EXPECT_NE(result.problems.front().message.find("avkrysningsskala"), std::string::npos)
      << Dump(result);
}

TEST(InstrumentLoader, ItemOfUnknownFamily) {
  Files files = Embedded();
  const auto line = Append(files, "items.csv", "risk_identifcation,extra,1,tekst,kort,");
  ExpectOneProblem(files, "items.csv", line, "ukjent familie «risk_identifcation»");
}

TEST(InstrumentLoader, FamilyWithoutItems) {
  Files files = Embedded();
  const auto line = Append(files, "families.csv",
                           "empty_family,99,9.9,Tom,Stamme?,rating,grad,4|5,in_denominator,,,no,");
  ExpectOneProblem(files, "families.csv", line, "familien «empty_family» har ingen spørsmål");
}

TEST(InstrumentLoader, PartnerServiceMustExist) {
  Files files = Embedded();
  const auto line = Replace(files, "items.csv", ",BUP,bup", ",BUP,bupp");
  const auto result = LoadInstrument(files, "data/");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.problems.front().ToString(),
            "data/items.csv:" + std::to_string(line) +
                ": «partner_service» = «bupp» er ingen tjeneste i background/services.csv");
}

TEST(InstrumentLoader, PositionGeneralisationInACircle) {
  Files files = Embedded();
  Replace(files, "background/positions.csv", "99,ikke_oppgitt,Stilling ikke oppgitt,",
          "99,ikke_oppgitt,Stilling ikke oppgitt,leder");
  const auto result = LoadInstrument(files, "data/");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(Dump(result).find("går i ring"), std::string::npos) << Dump(result);
}

TEST(InstrumentLoader, SizeGroupsMustNotOverlap) {
  Files files = Embedded();
  const auto line = Replace(files, "background/size_groups.csv", "10000,19999", "9000,19999");
  ExpectOneProblem(files, "background/size_groups.csv", line, "«gruppe_3» begynner på 9000");
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
