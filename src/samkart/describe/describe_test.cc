// `samkart describe` on exports Samkart has never seen, written here in
// other tools' conventions (not `samkart synth`'s): a Questback-style CSV in
// Windows-1252 with semicolons and the full question text as headers, and
// a spreadsheet with short names and numeric codes. What each column is
// guessed to be, how sure, and the text and JSON a user reads.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <xlsxwriter.h>

#include "samkart/describe/file_profile.h"
#include "samkart/describe/profile_output.h"
#include "samkart/describe/text_match.h"
#include "samkart/instrument/loader.h"
#include "samkart/io/encoding.h"

#include "support/run_samkart.h"
#include "support/scratch_dir.h"

namespace samkart::describe {
namespace {

namespace fs = std::filesystem;

const instrument::Instrument& Instrument() {
  static const instrument::Instrument instrument = [] {
    auto loaded = instrument::LoadEmbeddedInstrument();
    return std::move(*loaded.instrument);
  }();
  return instrument;
}

constexpr const char* kRiskStem =
    "I hvilken grad klarer du å identifisere (tegn eller symptomer) hos barn og unge som...";
constexpr const char* kServicesStem =
    "Vet du hvilke andre tjenester (enn den du jobber i) du kan kontakte for å få "
    "veiledning/bistand vedrørende barn og unge som...";

// A Questback-style export: 40 respondents.
fs::path WriteQuestbackCsv(const fs::path& dir) {
  const std::vector<std::string> grades = {"I svært liten grad", "I ganske liten grad",
                                           "Hverken/eller",      "I ganske stor grad",
                                           "I svært stor grad",  "Vet ikke/ikke relevant"};
  const std::vector<std::string> services = {"Barnehage", "Barneskole/SFO", "Helsestasjon", "PPT"};
  std::string csv = std::string("Respondent ID;Startet;E-post;Hvilken tjeneste jobber du i?;") +
                    kRiskStem + " - har læringsvansker;" + kRiskStem + " - blir mobbet;" +
                    kServicesStem + " - har læringsvansker;Kommentar\r\n";
  for (int r = 0; r < 40; ++r) {
    csv += std::to_string(100234 + r * 7) + ";" + "0" + std::to_string(1 + r % 9) +
           ".03.2021 12:" + std::to_string(10 + r) + ";ansatt" + std::to_string(r) +
           "@kommune.no;" + services[static_cast<std::size_t>(r) % services.size()] + ";" +
           grades[static_cast<std::size_t>(r) % grades.size()] + ";" +
           grades[static_cast<std::size_t>(r + 2) % grades.size()] + ";" +
           (r % 3 == 0   ? "Vet ikke"
            : r % 2 == 0 ? "Ja"
                         : "Nei") +
           ";" + "Tilbakemelding nummer " + std::to_string(r) + " om samarbeidet med skolen\r\n";
  }
  const fs::path path = dir / "questback_eksport.csv";
  std::ofstream(path, std::ios::binary) << io::Utf8ToWindows1252(csv).value();
  return path;
}

// A spreadsheet with short names and codes, as many analysts keep them.
fs::path WriteCodedXlsx(const fs::path& dir) {
  const fs::path path = dir / "kodet.xlsx";
  lxw_workbook* book = workbook_new(path.c_str());
  lxw_worksheet* sheet = workbook_add_worksheet(book, "Data");
  const char* headers[] = {"kommunenr", "aar", "q7_1", "q7_2"};
  for (lxw_col_t c = 0; c < 4; ++c) worksheet_write_string(sheet, 0, c, headers[c], nullptr);
  for (lxw_row_t r = 1; r <= 30; ++r) {
    worksheet_write_number(sheet, r, 0, 9001, nullptr);
    worksheet_write_number(sheet, r, 1, 2021, nullptr);
    worksheet_write_number(sheet, r, 2, 1 + r % 5, nullptr);
    worksheet_write_number(sheet, r, 3, r % 2 == 0 ? 9 : 1 + r % 5, nullptr);
  }
  // A sheet of notes after the data, as analysts keep them.
  lxw_worksheet* notes = workbook_add_worksheet(book, "Koder");
  worksheet_write_string(notes, 0, 0, "q7_1 = spørsmål 7.1", nullptr);
  workbook_close(book);
  return path;
}

const ColumnProfile& Column(const FileProfile& profile, std::string_view starts_with) {
  for (const auto& c : profile.columns) {
    if (c.name.starts_with(starts_with)) return c;
  }
  ADD_FAILURE() << "no column " << starts_with;
  return profile.columns.front();
}

TEST(TextMatch, ToleratesCaseSpellingAndTheNorwegianLetters) {
  EXPECT_EQ(Words("Har LÆRINGSVANSKER?"), (std::vector<std::string>{"laeringsvansker"}));
  EXPECT_TRUE(SameWord("laeringsvansker", "laringsvansker"));  // one letter off
  EXPECT_FALSE(SameWord("mobbet", "mobil"));
  EXPECT_FALSE(SameWord("barn", "bar"));  // short words must match exactly
  EXPECT_DOUBLE_EQ(Containment(Words("har læringsvansker"), Words("... - har laeringsvansker")), 1);
  EXPECT_GE(LabelSimilarity("i ganske stor grad", "I ganske  stor grad."), kSameLabel);
  EXPECT_GE(LabelSimilarity("Ja", "ja"), kSameLabel);
  EXPECT_LT(LabelSimilarity("Ja", "Nei"), kSameLabel);
  EXPECT_LT(LabelSimilarity("I ganske stor grad", "I ganske liten grad"), kSameLabel);
}

TEST(Describe, GuessesAForeignCsvByItsTextsAndContents) {
  testing_support::ScratchDir dir;
  auto profile = ProfileFile(WriteQuestbackCsv(dir.path()).string(), Instrument());
  ASSERT_TRUE(profile.ok()) << profile.error().message;
  EXPECT_EQ(profile->format, "CSV");
  EXPECT_NE(profile->details.find("Windows-1252"), std::string::npos) << profile->details;
  EXPECT_NE(profile->details.find("semikolon"), std::string::npos) << profile->details;
  EXPECT_EQ(profile->rows, 40u);
  ASSERT_EQ(profile->columns.size(), 8u);

  const ColumnGuess& id = Column(*profile, "Respondent ID").guess;
  EXPECT_EQ(id.kind, ColumnKind::kIdentifier);
  EXPECT_EQ(id.target, "respondent_id");
  EXPECT_EQ(Column(*profile, "Startet").guess.target, "timestamp");
  const ColumnGuess& email = Column(*profile, "E-post").guess;
  EXPECT_EQ(email.kind, ColumnKind::kIdentifier);
  EXPECT_EQ(email.target, "email");
  EXPECT_TRUE(email.sure);
  EXPECT_EQ(Column(*profile, "Kommentar").guess.target, "free_text");
  // Their values are not repeated: masked, as in the import's messages.
  for (const char* name : {"E-post", "Kommentar"}) {
    for (const ValueCount& v : Column(*profile, name).values) {
      EXPECT_EQ(v.value.find("ansatt"), std::string::npos) << v.value;
      EXPECT_EQ(v.value.find("Tilbakemelding"), std::string::npos) << v.value;
    }
  }

  const ColumnGuess& service = Column(*profile, "Hvilken tjeneste").guess;
  EXPECT_EQ(service.kind, ColumnKind::kBackground);
  EXPECT_EQ(service.target, "service");
  EXPECT_TRUE(service.sure) << service.reason;

  // The same item text under two stems and two scales: told apart.
  const ColumnGuess& risk = Column(*profile, "I hvilken grad klarer du å identifisere").guess;
  EXPECT_EQ(risk.kind, ColumnKind::kAnswer);
  EXPECT_EQ(risk.target, "risk_identification.learning_difficulties") << risk.reason;
  EXPECT_TRUE(risk.sure) << risk.reason;
  const ColumnGuess& bullied = profile->columns[5].guess;
  EXPECT_EQ(bullied.target, "risk_identification.bullied") << bullied.reason;
  const ColumnGuess& knows = Column(*profile, "Vet du hvilke andre tjenester").guess;
  EXPECT_EQ(knows.target, "knows_other_services.learning_difficulties") << knows.reason;
  // «Vet ikke» is not a category of that question's yes/no scale: the
  // right question, but its answers need a look before import.
  EXPECT_FALSE(knows.sure) << knows.reason;
  EXPECT_NE(knows.reason.find("må oversettes"), std::string::npos) << knows.reason;
}

TEST(Describe, ShortNamesAndCodesAreGuessedButLeftForReview) {
  testing_support::ScratchDir dir;
  auto profile = ProfileFile(WriteCodedXlsx(dir.path()).string(), Instrument());
  ASSERT_TRUE(profile.ok()) << profile.error().message;
  EXPECT_EQ(profile->format, "XLSX");
  EXPECT_EQ(profile->rows, 30u);
  EXPECT_EQ(profile->sheets, (std::vector<std::string>{"Data", "Koder"}));
  EXPECT_NE(ProfileText(*profile, Instrument()).find("Arbeidsboken har 2 ark: «Data», «Koder»"),
            std::string::npos);
  EXPECT_EQ(Column(*profile, "kommunenr").guess.target, "municipality");
  EXPECT_EQ(Column(*profile, "aar").guess.target, "year");
  // «q7_1» says nothing: no sure guess, whatever the codes fit.
  for (const char* name : {"q7_1", "q7_2"}) {
    const ColumnGuess& guess = Column(*profile, name).guess;
    EXPECT_FALSE(guess.sure) << name << ": " << guess.reason;
  }
}

TEST(Describe, PrintsTextAndJsonAndExplainsAFileItCannotRead) {
  testing_support::ScratchDir dir;
  const fs::path csv = WriteQuestbackCsv(dir.path());
  const auto text = testing_support::Samkart("describe '" + csv.string() + "'");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("CSV (Windows-1252"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("gjetning: svar på «har læringsvansker» i «Kunnskap om "
                             "risikofaktorer» (risk_identification.learning_difficulties) – "
                             "sikker"),
            std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("identifikator: e-post («email»), fjernes ved import"),
            std::string::npos);
  EXPECT_NE(text.output.find("bakgrunn: tjenestested («service»)"), std::string::npos);

  const auto json = testing_support::Samkart("describe --json '" + csv.string() + "'");
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const auto parsed = nlohmann::json::parse(json.output);
  EXPECT_EQ(parsed["rows"], 40);
  ASSERT_EQ(parsed["columns"].size(), 8u);
  EXPECT_EQ(parsed["columns"][2]["guess"]["kind"], "identifikator");
  EXPECT_EQ(parsed["columns"][4]["guess"]["target"], "risk_identification.learning_difficulties");
  EXPECT_EQ(parsed["columns"][4]["values"].size(), 6u);

  const fs::path broken = dir.path() / "tom.csv";
  std::ofstream(broken) << "";
  const auto refused = testing_support::Samkart("describe '" + broken.string() + "'");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("tom.csv"), std::string::npos) << refused.output;
}

}  // namespace
}  // namespace samkart::describe
