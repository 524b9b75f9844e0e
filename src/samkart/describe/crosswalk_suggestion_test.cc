// A draft crosswalk for exports written here in other tools' conventions
// (not `samkart synth`'s), held to the bar a regional analyst needs: after
// reviewing the rows marked «sjekk» and editing at most a handful, the
// export imports and the stored answers are exactly the source file's.
#include "samkart/describe/crosswalk_suggestion.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "samkart/import/importer.h"
#include "samkart/instrument/loader.h"
#include "samkart/io/csv_reader.h"
#include "samkart/io/encoding.h"
#include "samkart/io/table_writer.h"

#include "support/run_samkart.h"
#include "support/scratch_dir.h"

namespace samkart::describe {
namespace {

namespace fs = std::filesystem;

// One family's items as the test file asks them.
struct AskedFamily {
  std::string id;
  std::vector<std::string> labels;  // the tool's label for each scale code, in code order
  std::vector<int> codes;           // the harmonised code each label means (-1: not answered)
};

// The tool's wording: case, spacing and punctuation of its own, and one
// answer the questionnaire has no category for.
const std::vector<AskedFamily>& AskedFamilies() {
  static const std::vector<AskedFamily> families = {
      {"risk_identification",
       {"I svært liten grad", "i ganske liten grad", "Hverken eller", "I ganske stor grad",
        "I svært stor grad", "Vet ikke / ikke relevant"},
       {1, 2, 3, 4, 5, 9}},
      {"minority_knowledge",
       {"Svært lite", "Ganske lite", "Verken lite eller mye.", "Ganske mye", "Svært mye",
        "Vet ikke"},
       {1, 2, 3, 4, 5, 9}},
      {"knows_other_services", {"Ja", "Nei", "Ønsker ikke å svare"}, {1, 2, -1}},
  };
  return families;
}

// The answer code (index into the family's labels) of respondent r, or -1
// for an empty cell: varied, deterministic.
int AnswerIndex(int r, std::size_t item, std::size_t labels) {
  const std::size_t mix = static_cast<std::size_t>(r) * 7 + item * 3 + (item * item) % 5;
  if (mix % 23 == 0) return -1;
  return static_cast<int>(mix % labels);
}

const instrument::Instrument& Instrument() {
  static const instrument::Instrument instrument = [] {
    auto loaded = instrument::LoadEmbeddedInstrument();
    return std::move(*loaded.instrument);
  }();
  return instrument;
}

constexpr int kRespondents = 60;
const std::vector<std::string> kServices = {"Barnehage", "Barneskole/SFO", "Helsestasjon", "PPT"};

// What the source file says, per harmonised item: code → respondents.
using Counts = std::map<std::string, std::map<int, int>>;

// A Questback-style export: Windows-1252, semicolons, CRLF, the question
// text as header («innledning - spørsmål»), answers as labels.
fs::path WriteQuestbackCsv(const fs::path& dir, Counts& expected) {
  std::vector<std::string> header = {"Respondent ID", "Startet", "E-post",         "Status",
                                     "Kommunenr",     "År",      "Hvor jobber du?"};
  struct Asked {
    const AskedFamily* family;
    std::string target;
    std::size_t index;
  };
  std::vector<Asked> asked;
  for (const AskedFamily& f : AskedFamilies()) {
    const instrument::Family* family = Instrument().FindFamily(f.id);
    for (const auto& item : family->items) {
      header.push_back(family->stem + " - " + item.text);
      asked.push_back({&f, f.id + "." + item.id, asked.size()});
    }
  }
  std::string csv;
  for (std::size_t c = 0; c < header.size(); ++c) csv += (c ? ";" : "") + header[c];
  csv += "\r\n";
  for (int r = 0; r < kRespondents; ++r) {
    csv += std::to_string(5000 + r * 13) + ";" + "1" + std::to_string(r % 9) +
           ".03.2024 09:" + std::to_string(10 + r % 50) + ";person" + std::to_string(r) +
           "@kommune.no;Fullført;9001;2024;" + kServices[static_cast<std::size_t>(r) % 4];
    for (const Asked& a : asked) {
      const int i = AnswerIndex(r, a.index, a.family->labels.size());
      csv += ";";
      if (i >= 0) csv += a.family->labels[static_cast<std::size_t>(i)];
      const int code = i < 0 ? -1 : a.family->codes[static_cast<std::size_t>(i)];
      ++expected[a.target][code];
    }
    csv += "\r\n";
  }
  const fs::path path = dir / "Questback eksport 2024.csv";
  std::ofstream(path, std::ios::binary) << io::Utf8ToWindows1252(csv).value();
  return path;
}

// An SPSS file with short names, the question text as variable label and
// value labels on codes of the tool's own (0–4 and 8, not Samkart's 1–5, 9).
fs::path WriteSpssFile(const fs::path& dir, Counts& expected) {
  io::ExportTable table;
  table.columns.push_back({"KNR", "Kommunenummer", true, {}});
  table.columns.push_back({"AAR", "Årstall", true, {}});
  table.columns.push_back(
      {"TJ", "Hvor jobber du?", true, {{1, "Barnehage"}, {2, "Barneskole/SFO"}, {3, "PPT"}}});
  const instrument::Family* family = Instrument().FindFamily("risk_identification");
  const std::vector<std::pair<int, std::string>> grades = {
      {0, "I svært liten grad"}, {1, "I ganske liten grad"}, {2, "Hverken/eller"},
      {3, "I ganske stor grad"}, {4, "I svært stor grad"},   {8, "Vet ikke/ikke relevant"}};
  for (std::size_t i = 0; i < family->items.size(); ++i) {
    table.columns.push_back(
        {"Q3_" + std::to_string(i + 1), family->stem + " " + family->items[i].text, true, grades});
  }
  for (int r = 0; r < kRespondents; ++r) {
    std::vector<io::ExportCell> row = {io::ExportCell::Code(9002), io::ExportCell::Code(2023),
                                       io::ExportCell::Code(1 + r % 3)};
    for (std::size_t i = 0; i < family->items.size(); ++i) {
      const int index = AnswerIndex(r, i, grades.size());
      row.push_back(index < 0
                        ? io::ExportCell::Missing()
                        : io::ExportCell::Code(grades[static_cast<std::size_t>(index)].first));
      const int code = index < 0 ? -1 : index == 5 ? 9 : index + 1;
      ++expected["risk_identification." + family->items[i].id][code];
    }
    table.rows.push_back(std::move(row));
  }
  const fs::path path = dir / "kartlegging_2023.sav";
  const auto written = io::WriteExport(table, io::ExportFormat::kSav, path.string(), {});
  EXPECT_TRUE(written.ok()) << written.error().message;
  return path;
}

std::vector<std::vector<std::string>> ReadDraft(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string content = buffer.str();  // the reader keeps a view of it
  io::CsvOptions options;
  options.delimiter = ';';
  io::CsvReader reader(content, options);
  std::vector<std::vector<std::string>> rows;
  io::CsvRecord record;
  while (reader.Next(record)) rows.push_back(record.fields);
  return rows;
}

void WriteDraft(const fs::path& path, const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      out += (c ? ";" : "") + io::QuoteCsvField(row[c], ';');
    }
    out += "\n";
  }
  std::ofstream(path, std::ios::binary) << out;
}

// Stored answers per item, as the source counts them (blank → -1).
Counts StoredCounts(const fs::path& db, const std::vector<std::string>& targets) {
  auto store = store::OpenStore(db.string());
  EXPECT_TRUE(store.ok());
  const auto items = Instrument().ItemsInOrder();
  Counts counts;
  auto scanned = store.value()->ScanRespondents(
      [&](const store::RespondentRecord& r, const auto&, const auto&) {
        for (std::size_t i = 0; i < items.size(); ++i) {
          const std::string id = items[i].QualifiedId();
          if (std::find(targets.begin(), targets.end(), id) == targets.end()) continue;
          const int code = r.answers[i] == instrument::kBlank ? -1 : r.answers[i];
          ++counts[id][code];
        }
        return true;
      });
  EXPECT_TRUE(scanned.ok());
  return counts;
}

void RegisterMunicipalities(const fs::path& dir) {
  std::ofstream(dir / "kommuner.csv") << "municipality;name_nb;region;size_group;population\n"
                                         "9001;Vikheim (syntetisk);nord;1;2817\n"
                                         "9002;Modal (syntetisk);midt;3;11186\n";
  const auto registered =
      testing_support::Samkart("--db '" + (dir / "db.sqlite").string() + "' import '" +
                               (dir / "kommuner.csv").string() + "'");
  ASSERT_EQ(registered.exit_code, 0) << registered.output;
}

std::vector<std::string> Targets(const Counts& counts) {
  std::vector<std::string> targets;
  for (const auto& [target, codes] : counts) targets.push_back(target);
  return targets;
}

TEST(CrosswalkSuggestion, AQuestbackCsvImportsAfterReviewWithTheSourceCounts) {
  testing_support::ScratchDir dir;
  Counts expected;
  const fs::path csv = WriteQuestbackCsv(dir.path(), expected);
  const auto suggested = testing_support::Samkart(
      "crosswalk suggest '" + csv.string() + "' --out '" + (dir.path() / "utkast").string() + "'");
  ASSERT_EQ(suggested.exit_code, 0) << suggested.output;
  const fs::path draft = dir.path() / "utkast" / "g5-questback-eksport-2024.csv";
  ASSERT_TRUE(fs::exists(draft)) << suggested.output;
  EXPECT_NE(suggested.output.find("generasjon: G5"), std::string::npos) << suggested.output;

  auto rows = ReadDraft(draft);
  ASSERT_GT(rows.size(), 1u);
  // UTF-8 with a byte order mark and semicolons: a Norwegian spreadsheet
  // opens it as columns with æ, ø and å intact.
  std::ifstream raw(draft, std::ios::binary);
  std::string first_line;
  std::getline(raw, first_line);
  EXPECT_TRUE(first_line.starts_with("\xEF\xBB\xBFsource_variable;source_question;role;"))
      << first_line;
  // Every column is in the draft; the grade scale's variants are rows of
  // the scale, once, not once per item.
  std::map<std::string, std::string> role_of, target_of;
  std::size_t to_check = 0, scale_rows = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    ASSERT_EQ(row.size(), 9u) << i;
    EXPECT_EQ(row[8], "G5");
    if (row[2] == "scale") ++scale_rows;
    if (!row[0].empty()) role_of[row[0]] = row[2], target_of[row[0]] = row[3];
    if (row[7].starts_with("sjekk")) ++to_check;
  }
  EXPECT_EQ(role_of["E-post"], "identifier");
  EXPECT_EQ(target_of["E-post"], "email");
  EXPECT_EQ(role_of["Respondent ID"], "identifier");
  EXPECT_EQ(target_of["Kommunenr"], "municipality");
  EXPECT_EQ(target_of["År"], "year");
  EXPECT_EQ(target_of["Hvor jobber du?"], "service");
  for (const std::string& target : Targets(expected)) {
    std::size_t columns = 0;
    for (const auto& [column, t] : target_of) columns += t == target ? 1 : 0;
    EXPECT_EQ(columns, 1u) << target;
  }
  EXPECT_LE(scale_rows, 6u);
  EXPECT_LE(to_check, 5u) << suggested.output;

  // The review: rows marked «sjekk» are looked at; those that need a change
  // are changed. «Ønsker ikke å svare» stays unanswered, as drafted.
  std::size_t edited = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    auto& row = rows[i];
    if (!row[7].starts_with("sjekk")) continue;
    if (row[2] == "ignore" && row[0] == "Status") continue;  // technical, right as drafted
    if (row[2] == "scale" && row[5] == "Ønsker ikke å svare") continue;
    ADD_FAILURE() << "unexpected row to check: " << row[0] << " " << row[3] << " " << row[5] << ": "
                  << row[7];
    ++edited;
  }
  EXPECT_LE(edited, 5u);
  WriteDraft(draft, rows);

  RegisterMunicipalities(dir.path());
  const auto imported =
      testing_support::Samkart("--db '" + (dir.path() / "db.sqlite").string() + "' import '" +
                               csv.string() + "' --crosswalk '" + draft.string() + "'");
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_EQ(StoredCounts(dir.path() / "db.sqlite", Targets(expected)), expected);
}

TEST(CrosswalkSuggestion, AnSpssFileIsMatchedByItsLabelsNotItsCodes) {
  testing_support::ScratchDir dir;
  Counts expected;
  const fs::path sav = WriteSpssFile(dir.path(), expected);
  auto profile = ProfileFile(sav.string(), Instrument());
  ASSERT_TRUE(profile.ok()) << profile.error().message;
  const CrosswalkSuggestion draft = SuggestCrosswalk(*profile, Instrument());
  EXPECT_EQ(draft.generation, "G5");
  std::size_t answers = 0;
  for (const SuggestedRow& row : draft.rows) {
    if (row.role == "answer") ++answers;
    // Labels of the scale itself need no rows; the tool's codes are never
    // taken for Samkart's.
    EXPECT_NE(row.role, "scale") << row.source_label << ": " << row.reason;
    if (row.role == "background" && row.target == "service") {
      EXPECT_TRUE(row.sure) << row.source_label << ": " << row.reason;
    }
  }
  EXPECT_EQ(answers, 12u);
  EXPECT_EQ(draft.columns_to_check, 0u);

  fs::create_directories(dir.path() / "utkast");
  const fs::path path =
      dir.path() / "utkast" / (LayoutName(draft.generation, sav.string()) + ".csv");
  EXPECT_EQ(path.filename(), "g5-kartlegging-2023.csv");
  std::ofstream(path, std::ios::binary) << CrosswalkCsv(draft);
  RegisterMunicipalities(dir.path());
  const auto imported =
      testing_support::Samkart("--db '" + (dir.path() / "db.sqlite").string() + "' import '" +
                               sav.string() + "' --crosswalk '" + path.string() + "'");
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_EQ(StoredCounts(dir.path() / "db.sqlite", Targets(expected)), expected);
}

TEST(CrosswalkSuggestion, ACellThatASpreadsheetWouldRunIsEscapedAndReadBack) {
  CrosswalkSuggestion draft;
  draft.generation = "G5";
  draft.rows.push_back({"=HYPERLINK(\"x\")", "=1+1", "ignore", "", "", "", "", false, "ukjent"});
  const std::string csv = CrosswalkCsv(draft);
  EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"x\"\")\";'=1+1;ignore"), std::string::npos) << csv;

  // The loader reads the escaped name as the column's own.
  testing_support::ScratchDir dir;
  std::ofstream(dir.path() / "g5-formel.csv", std::ios::binary) << csv;
  auto loaded =
      instrument::LoadInstrumentWithCrosswalks("", {(dir.path() / "g5-formel.csv").string()});
  ASSERT_TRUE(loaded.ok()) << (loaded.problems.empty() ? "" : loaded.problems[0].ToString());
  const instrument::Crosswalk* layout = nullptr;
  for (const auto& c : loaded.instrument->crosswalks) {
    if (c.layout == "g5-formel") layout = &c;
  }
  ASSERT_NE(layout, nullptr);
  EXPECT_EQ(layout->generation, "G5");
  EXPECT_NE(layout->Find("=HYPERLINK(\"x\")"), nullptr);
}

}  // namespace
}  // namespace samkart::describe
