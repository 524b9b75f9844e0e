#include "samkart/io/table_writer.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <readstat.h>
#include <unistd.h>
#include <zip.h>

#include "samkart/io/csv_reader.h"
#include "samkart/io/encoding.h"

#include "support/scratch_dir.h"

namespace samkart::io {
namespace {

namespace fs = std::filesystem;

// A fresh folder per test under the system temp directory.
class TableWriterTest : public ::testing::Test {
 protected:
  std::string PathFor(const std::string& name) const { return (dir_ / name).string(); }

  testing_support::ScratchDir scratch_;
  fs::path dir_ = scratch_.path();
};

std::string ReadBytes(const std::string& path) { return testing_support::ReadWholeFile(path); }

// Four rows covering codes with and without labels, doubles, missing cells,
// and text that needs CSV quoting.
ExportTable SampleTable() {
  ExportTable table;
  table.columns = {
      {"id", "Løpenummer", true, {}},
      {"risiko_bullied",
       "I hvilken grad opplever du at barn blir «mobbet»?",
       true,
       {{1, "Ikke i det hele tatt"}, {2, "I ganske stor grad"}, {3, "Ja, ofte"}}},
      {"andel", "Andel av tiden", true, {}},
      {"kommentar", "Kommentar (fritekst)", false, {}},
  };
  using C = ExportCell;
  table.rows = {
      {C::Code(1), C::Code(2), C::Number(0.25), C::Text("Blåbær, «gode»")},
      {C::Code(2), C::Code(3), C::Number(1.5), C::Text("Han sa \"hei\"\nlinje 2")},
      {C::Code(3), C::Code(7), C::Missing(), C::Missing()},
      {C::Code(4), C::Missing(), C::Number(-2), C::Text("")},
  };
  return table;
}

// ------------------------------------------------------------------ CSV

TEST_F(TableWriterTest, CsvUtf8QuotesLikeRfc4180WithLfLineEnds) {
  const std::string path = PathFor("svar.csv");
  const auto written = WriteExport(SampleTable(), ExportFormat::kCsvUtf8, path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(ReadBytes(path),
            "id,risiko_bullied,andel,kommentar\n"
            "1,2,0.25,\"Blåbær, «gode»\"\n"
            "2,3,1.5,\"Han sa \"\"hei\"\"\nlinje 2\"\n"
            "3,7,,\n"
            "4,,-2,\n");
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST_F(TableWriterTest, CsvUtf8WritesValueLabelsBomAndDecimalComma) {
  const std::string path = PathFor("svar.csv");
  ExportWriteOptions options;
  options.value_labels_as_text = true;
  options.utf8_bom = true;
  options.decimal_comma = true;
  const auto written = WriteExport(SampleTable(), ExportFormat::kCsvUtf8, path, options);
  ASSERT_TRUE(written.ok()) << written.error().message;
  // Code 7 has no label and stays a number; "0,25" now needs quotes.
  EXPECT_EQ(ReadBytes(path),
            "\xEF\xBB\xBFid,risiko_bullied,andel,kommentar\n"
            "1,I ganske stor grad,\"0,25\",\"Blåbær, «gode»\"\n"
            "2,\"Ja, ofte\",\"1,5\",\"Han sa \"\"hei\"\"\nlinje 2\"\n"
            "3,7,,\n"
            "4,,-2,\n");
  // The project's own reader gets the same fields back.
  const auto parsed = ParseCsv(ReadBytes(path));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->header[0], "id");
  ASSERT_EQ(parsed->rows.size(), 4u);
  EXPECT_EQ(parsed->rows[1].fields,
            (std::vector<std::string>{"2", "Ja, ofte", "1,5", "Han sa \"hei\"\nlinje 2"}));
}

// The dialect Norwegian Excel opens as columns, in UTF-8 and in memory:
// «;» between fields, so decimal commas need no quotes.
TEST_F(TableWriterTest, CsvUtf8WithSemicolonsForNorwegianExcelInMemory) {
  ExportWriteOptions options;
  options.value_labels_as_text = true;
  options.utf8_bom = true;
  options.decimal_comma = true;
  options.semicolon_separator = true;
  const auto text = ExportCsvText(SampleTable(), options);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text,
            "\xEF\xBB\xBFid;risiko_bullied;andel;kommentar\n"
            "1;I ganske stor grad;0,25;Blåbær, «gode»\n"
            "2;Ja, ofte;1,5;\"Han sa \"\"hei\"\"\nlinje 2\"\n"
            "3;7;;\n"
            "4;;-2;\n");
  // The same bytes as the file.
  const std::string path = PathFor("svar.csv");
  ASSERT_TRUE(WriteExport(SampleTable(), ExportFormat::kCsvUtf8, path, options).ok());
  EXPECT_EQ(ReadBytes(path), *text);
  // A malformed table is refused in memory too.
  ExportTable bad = SampleTable();
  bad.rows[0].pop_back();
  EXPECT_FALSE(ExportCsvText(bad, options).ok());
}

TEST_F(TableWriterTest, CsvWindows1252UsesSemicolonsCrlfDecimalCommaAndCp1252) {
  const std::string path = PathFor("svar_excel.csv");
  ExportWriteOptions options;
  options.value_labels_as_text = true;
  const auto written = WriteExport(SampleTable(), ExportFormat::kCsvWindows1252, path, options);
  ASSERT_TRUE(written.ok()) << written.error().message;
  const std::string bytes = ReadBytes(path);
  EXPECT_EQ(bytes,
            "id;risiko_bullied;andel;kommentar\r\n"
            "1;I ganske stor grad;0,25;Bl\xE5"
            "b\xE6r, \xABgode\xBB\r\n"
            "2;Ja, ofte;1,5;\"Han sa \"\"hei\"\"\nlinje 2\"\r\n"
            "3;7;;\r\n"
            "4;;-2;\r\n");

  CsvOptions csv;
  csv.delimiter = ';';
  const auto parsed = ParseCsv(Windows1252ToUtf8(bytes), csv);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->rows.size(), 4u);
  EXPECT_EQ(parsed->rows[0].fields,
            (std::vector<std::string>{"1", "I ganske stor grad", "0,25", "Blåbær, «gode»"}));
}

TEST_F(TableWriterTest, CsvWindows1252RoundTripsNorwegianText) {
  ExportTable table;
  table.columns = {{"tekst", "", false, {}}};
  const std::string text = "æøå ÆØÅ «sitat» – tankestrek — € „lavt“ ‘enkel’ … • ™ Š Ž š ž Œ œ Ÿ";
  table.rows = {{ExportCell::Text(text)}};
  const std::string path = PathFor("tekst.csv");
  const auto written = WriteExport(table, ExportFormat::kCsvWindows1252, path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(Windows1252ToUtf8(ReadBytes(path)), "tekst\r\n" + text + "\r\n");
}

TEST_F(TableWriterTest, CsvKeepsEmptyRowsOfASingleColumnTable) {
  ExportTable table;
  table.columns = {{"svar", "", true, {}}};
  table.rows = {{ExportCell::Code(1)}, {ExportCell::Missing()}, {ExportCell::Code(3)}};
  const std::string path = PathFor("en_kolonne.csv");
  const auto written = WriteExport(table, ExportFormat::kCsvUtf8, path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(ReadBytes(path), "svar\n1\n\"\"\n3\n");
  const auto parsed = ParseCsv(ReadBytes(path));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->rows.size(), 3u);
}

TEST_F(TableWriterTest, CsvWindows1252NamesUnrepresentableCharacterAndRow) {
  ExportTable table = SampleTable();
  table.rows[1][3] = ExportCell::Text("Flott 😀");
  const std::string path = PathFor("svar.csv");
  const auto written = WriteExport(table, ExportFormat::kCsvWindows1252, path);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().message,
            path + ": datarad 2, kolonne «kommentar»: tegnet «😀» (U+1F600) finnes ikke i " +
                "Windows-1252");
  EXPECT_FALSE(fs::exists(path));

  table = SampleTable();
  table.columns[2].name = "andel_ā";
  const auto header = WriteExport(table, ExportFormat::kCsvWindows1252, path);
  ASSERT_FALSE(header.ok());
  EXPECT_NE(header.error().message.find("kolonnenavnet «andel_ā»"), std::string::npos);
  EXPECT_NE(header.error().message.find("U+0101"), std::string::npos);
}

// ------------------------------------------------------------ checking

TEST_F(TableWriterTest, RejectsMalformedTablesNamingFileRowAndColumn) {
  const std::string path = PathFor("feil.csv");
  auto error_for = [&](const ExportTable& table) {
    const auto written = WriteExport(table, ExportFormat::kCsvUtf8, path);
    EXPECT_FALSE(fs::exists(path));
    return written.ok() ? std::string("(ingen feil)") : written.error().message;
  };
  ExportTable table = SampleTable();
  table.rows[2].pop_back();
  EXPECT_EQ(error_for(table), path + ": datarad 3 har 3 celler, men eksporten har 4 kolonner");

  table = SampleTable();
  table.rows[0][1] = ExportCell::Text("2");
  EXPECT_EQ(error_for(table),
            path + ": datarad 1, kolonne «risiko_bullied»: tekst i en numerisk kolonne");

  table = SampleTable();
  table.rows[3][3] = ExportCell::Code(5);
  EXPECT_EQ(error_for(table), path + ": datarad 4, kolonne «kommentar»: tall i en tekstkolonne");

  table = SampleTable();
  table.rows[1][2] = ExportCell::Number(std::numeric_limits<double>::quiet_NaN());
  EXPECT_NE(error_for(table).find("datarad 2, kolonne «andel»: tallet er ikke endelig"),
            std::string::npos);

  table = SampleTable();
  table.rows[0][3] = ExportCell::Text("\xE6\xF8\xE5");  // Latin-1, not UTF-8
  EXPECT_NE(error_for(table).find("ikke gyldig UTF-8"), std::string::npos);

  table = SampleTable();
  table.columns[2].name = "id";
  EXPECT_EQ(error_for(table), path + ": kolonnenavnet «id» forekommer flere ganger");

  table = SampleTable();
  table.columns[3].value_labels = {{1, "Ja"}};
  EXPECT_NE(error_for(table).find("tekstkolonne og kan ikke ha verdietiketter"), std::string::npos);

  table = SampleTable();
  table.columns[1].value_labels.push_back({2, "Igjen"});
  EXPECT_NE(error_for(table).find("koden 2 har mer enn én verdietikett"), std::string::npos);

  EXPECT_EQ(error_for(ExportTable{}), path + ": eksporten har ingen kolonner");
}

TEST_F(TableWriterTest, CreatesMissingFolders) {
  const std::string path = PathFor("a/b/svar.csv");
  const auto written = WriteExport(SampleTable(), ExportFormat::kCsvUtf8, path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_TRUE(fs::is_regular_file(path));
}

TEST(ExportFormatExtension, NamesTheFileType) {
  EXPECT_EQ(ExportFormatExtension(ExportFormat::kCsvUtf8), "csv");
  EXPECT_EQ(ExportFormatExtension(ExportFormat::kCsvWindows1252), "csv");
  EXPECT_EQ(ExportFormatExtension(ExportFormat::kXlsx), "xlsx");
  EXPECT_EQ(ExportFormatExtension(ExportFormat::kSav), "sav");
}

// ----------------------------------------------------------------- XLSX

// One member of a zip archive, or nullopt.
std::optional<std::string> ReadZipEntry(const std::string& zip_path, const char* name) {
  int error = 0;
  zip_t* archive = zip_open(zip_path.c_str(), ZIP_RDONLY, &error);
  if (archive == nullptr) return std::nullopt;
  std::optional<std::string> content;
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat(archive, name, 0, &stat) == 0) {
    if (zip_file_t* file = zip_fopen(archive, name, 0)) {
      std::string data(stat.size, '\0');
      if (zip_fread(file, data.data(), stat.size) == static_cast<zip_int64_t>(stat.size)) {
        content = std::move(data);
      }
      zip_fclose(file);
    }
  }
  zip_close(archive);
  return content;
}

TEST_F(TableWriterTest, XlsxHoldsNamesNumbersAndStrings) {
  const std::string path = PathFor("svar.xlsx");
  ExportWriteOptions options;
  options.sheet_name = "Svar på skjema";
  const auto written = WriteExport(SampleTable(), ExportFormat::kXlsx, path, options);
  ASSERT_TRUE(written.ok()) << written.error().message;
  const std::string bytes = ReadBytes(path);
  ASSERT_GT(bytes.size(), 100u);
  EXPECT_EQ(bytes.substr(0, 2), "PK");
  EXPECT_FALSE(fs::exists(path + ".tmp"));

  const auto strings = ReadZipEntry(path, "xl/sharedStrings.xml");
  ASSERT_TRUE(strings.has_value());
  EXPECT_NE(strings->find("<t>risiko_bullied</t>"), std::string::npos);
  EXPECT_NE(strings->find("<t>Blåbær, «gode»</t>"), std::string::npos);
  EXPECT_NE(strings->find("linje 2"), std::string::npos);
  EXPECT_EQ(strings->find("I ganske stor grad"), std::string::npos);  // codes, not labels

  const auto sheet = ReadZipEntry(path, "xl/worksheets/sheet1.xml");
  ASSERT_TRUE(sheet.has_value());
  // B2 is code 2 and C2 is 0.25, both as numbers (no t="s").
  EXPECT_NE(sheet->find("<c r=\"B2\"><v>2</v></c>"), std::string::npos) << *sheet;
  EXPECT_NE(sheet->find("<c r=\"C2\"><v>0.25</v></c>"), std::string::npos);
  EXPECT_NE(sheet->find("<c r=\"C5\"><v>-2</v></c>"), std::string::npos);
  EXPECT_EQ(sheet->find("r=\"C4\""), std::string::npos);  // missing cells stay empty

  const auto workbook = ReadZipEntry(path, "xl/workbook.xml");
  ASSERT_TRUE(workbook.has_value());
  EXPECT_NE(workbook->find("name=\"Svar på skjema\""), std::string::npos);

  const auto core = ReadZipEntry(path, "docProps/core.xml");
  ASSERT_TRUE(core.has_value());
  EXPECT_NE(core->find(">2000-01-01T00:00:00Z</dcterms:created>"), std::string::npos) << *core;
}

TEST_F(TableWriterTest, XlsxWritesValueLabelsAsText) {
  const std::string path = PathFor("svar.xlsx");
  ExportWriteOptions options;
  options.value_labels_as_text = true;
  const auto written = WriteExport(SampleTable(), ExportFormat::kXlsx, path, options);
  ASSERT_TRUE(written.ok()) << written.error().message;
  const auto strings = ReadZipEntry(path, "xl/sharedStrings.xml");
  ASSERT_TRUE(strings.has_value());
  EXPECT_NE(strings->find("<t>I ganske stor grad</t>"), std::string::npos);
  EXPECT_NE(strings->find("<t>Ja, ofte</t>"), std::string::npos);
  const auto sheet = ReadZipEntry(path, "xl/worksheets/sheet1.xml");
  ASSERT_TRUE(sheet.has_value());
  EXPECT_NE(sheet->find("<c r=\"B4\"><v>7</v></c>"), std::string::npos);  // no label for 7
}

TEST_F(TableWriterTest, XlsxRejectsBadSheetName) {
  const std::string path = PathFor("svar.xlsx");
  ExportWriteOptions options;
  options.sheet_name = "Svar/2024";
  const auto written = WriteExport(SampleTable(), ExportFormat::kXlsx, path, options);
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().message.find(path + ": arknavnet «Svar/2024» er ugyldig"),
            std::string::npos)
      << written.error().message;
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST_F(TableWriterTest, XlsxReportsAnUnwritableTarget) {
  // The target is an existing folder, so the rename cannot succeed.
  const std::string path = PathFor("mappe.xlsx");
  fs::create_directories(path + "/innhold");
  const auto written = WriteExport(SampleTable(), ExportFormat::kXlsx, path);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().message.rfind(path + ": ", 0), 0u) << written.error().message;
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

// ------------------------------------------------------------------ SAV

struct SavVariable {
  std::string name;
  std::string label;
  std::string format;
  std::string label_set;
  bool numeric = true;
};

struct SavValue {
  bool missing = false;
  double number = 0;
  std::string text;
};

struct SavContents {
  std::vector<SavVariable> variables;
  std::vector<std::vector<SavValue>> rows;
  std::map<std::string, std::map<double, std::string>> value_labels;
};

int OnSavVariable(int index, readstat_variable_t* variable, const char* val_labels, void* ctx) {
  auto* contents = static_cast<SavContents*>(ctx);
  SavVariable v;
  v.name = readstat_variable_get_name(variable);
  const char* label = readstat_variable_get_label(variable);
  v.label = label != nullptr ? label : "";
  const char* format = readstat_variable_get_format(variable);
  v.format = format != nullptr ? format : "";
  v.label_set = val_labels != nullptr ? val_labels : "";
  v.numeric = readstat_variable_get_type_class(variable) == READSTAT_TYPE_CLASS_NUMERIC;
  contents->variables.resize(static_cast<std::size_t>(index) + 1);
  contents->variables[static_cast<std::size_t>(index)] = v;
  return READSTAT_HANDLER_OK;
}

int OnSavValue(int obs_index, readstat_variable_t* variable, readstat_value_t value, void* ctx) {
  auto* contents = static_cast<SavContents*>(ctx);
  const auto row = static_cast<std::size_t>(obs_index);
  const auto column = static_cast<std::size_t>(readstat_variable_get_index(variable));
  if (contents->rows.size() <= row) contents->rows.resize(row + 1);
  if (contents->rows[row].size() <= column) contents->rows[row].resize(column + 1);
  SavValue& out = contents->rows[row][column];
  if (readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
    const char* text = readstat_string_value(value);
    out.text = text != nullptr ? text : "";
  } else if (readstat_value_is_system_missing(value)) {
    out.missing = true;
  } else {
    out.number = readstat_double_value(value);
  }
  return READSTAT_HANDLER_OK;
}

int OnSavValueLabel(const char* val_labels, readstat_value_t value, const char* label, void* ctx) {
  auto* contents = static_cast<SavContents*>(ctx);
  contents->value_labels[val_labels][readstat_double_value(value)] = label;
  return READSTAT_HANDLER_OK;
}

SavContents ParseSav(const std::string& path) {
  SavContents contents;
  readstat_parser_t* parser = readstat_parser_init();
  readstat_set_variable_handler(parser, &OnSavVariable);
  readstat_set_value_handler(parser, &OnSavValue);
  readstat_set_value_label_handler(parser, &OnSavValueLabel);
  const readstat_error_t error = readstat_parse_sav(parser, path.c_str(), &contents);
  readstat_parser_free(parser);
  EXPECT_EQ(error, READSTAT_OK) << readstat_error_message(error);
  return contents;
}

TEST_F(TableWriterTest, SavRoundTripsNamesLabelsValuesAndMissing) {
  const std::string path = PathFor("svar.sav");
  const auto written = WriteExport(SampleTable(), ExportFormat::kSav, path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  const SavContents sav = ParseSav(path);

  ASSERT_EQ(sav.variables.size(), 4u);
  EXPECT_EQ(sav.variables[0].name, "id");
  EXPECT_EQ(sav.variables[0].label, "Løpenummer");
  EXPECT_EQ(sav.variables[0].format, "F8.0");
  EXPECT_EQ(sav.variables[1].name, "risiko_bullied");
  EXPECT_EQ(sav.variables[1].label, "I hvilken grad opplever du at barn blir «mobbet»?");
  EXPECT_EQ(sav.variables[2].format, "F8.2");  // holds doubles
  EXPECT_EQ(sav.variables[3].name, "kommentar");
  EXPECT_FALSE(sav.variables[3].numeric);
  EXPECT_EQ(sav.variables[3].format, "A20");  // longest value, in bytes

  ASSERT_FALSE(sav.variables[1].label_set.empty());
  EXPECT_TRUE(sav.variables[0].label_set.empty());
  const auto labels = sav.value_labels.find(sav.variables[1].label_set);
  ASSERT_NE(labels, sav.value_labels.end());
  EXPECT_EQ(labels->second,
            (std::map<double, std::string>{
                {1, "Ikke i det hele tatt"}, {2, "I ganske stor grad"}, {3, "Ja, ofte"}}));

  ASSERT_EQ(sav.rows.size(), 4u);
  EXPECT_EQ(sav.rows[0][1].number, 2);
  EXPECT_EQ(sav.rows[0][2].number, 0.25);
  EXPECT_EQ(sav.rows[0][3].text, "Blåbær, «gode»");
  EXPECT_EQ(sav.rows[1][3].text, "Han sa \"hei\"\nlinje 2");
  EXPECT_EQ(sav.rows[2][1].number, 7);
  EXPECT_TRUE(sav.rows[2][2].missing);
  EXPECT_EQ(sav.rows[2][3].text, "");  // SPSS strings have no missing; blank it is
  EXPECT_TRUE(sav.rows[3][1].missing);
  EXPECT_EQ(sav.rows[3][2].number, -2);
  EXPECT_EQ(sav.rows[3][0].number, 4);
}

TEST_F(TableWriterTest, SavTruncatesLongQuestionTextOnACharacterBoundary) {
  ExportTable table;
  std::string question;
  for (int i = 0; i < 200; ++i) question += "ø";  // 400 bytes
  table.columns = {{"q1", question, true, {}}};
  table.rows = {{ExportCell::Code(1)}};
  const std::string path = PathFor("lang.sav");
  const auto written = WriteExport(table, ExportFormat::kSav, path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  const SavContents sav = ParseSav(path);
  ASSERT_EQ(sav.variables.size(), 1u);
  EXPECT_EQ(sav.variables[0].label, question.substr(0, 256));
}

TEST_F(TableWriterTest, SavKeepsTextLongerThan255Bytes) {
  // SPSS stores such strings in 255-byte segments, here cutting through "ø".
  std::string answer;
  for (int i = 0; i < 200; ++i) answer += "ø";  // 400 bytes
  ExportTable table;
  table.columns = {{"kommentar", "", false, {}}};
  table.rows = {{ExportCell::Text(answer)}, {ExportCell::Text("kort")}};
  const std::string path = PathFor("lang_tekst.sav");
  const auto written = WriteExport(table, ExportFormat::kSav, path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  const SavContents sav = ParseSav(path);
  ASSERT_EQ(sav.variables.size(), 1u);
  EXPECT_EQ(sav.variables[0].format, "A400");
  ASSERT_EQ(sav.rows.size(), 2u);
  EXPECT_EQ(sav.rows[0][0].text, answer);
  EXPECT_EQ(sav.rows[1][0].text, "kort");
}

TEST_F(TableWriterTest, SavRejectsTooLongValueLabelsAndBadNames) {
  const std::string path = PathFor("feil.sav");
  ExportTable table = SampleTable();
  table.columns[1].value_labels[0].second = std::string(121, 'x');
  const auto long_label = WriteExport(table, ExportFormat::kSav, path);
  ASSERT_FALSE(long_label.ok());
  EXPECT_EQ(long_label.error().message,
            path + ": kolonne «risiko_bullied»: verdietiketten for koden 1 er 121 byte, " +
                "SPSS tillater 120");

  table = SampleTable();
  table.columns[2].name = "har mellomrom";
  const auto bad_name = WriteExport(table, ExportFormat::kSav, path);
  ASSERT_FALSE(bad_name.ok());
  EXPECT_NE(bad_name.error().message.find("kolonne «har mellomrom» kan ikke bli en SPSS-variabel"),
            std::string::npos)
      << bad_name.error().message;
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST_F(TableWriterTest, SavWithoutRowsIsValid) {
  ExportTable table = SampleTable();
  table.rows.clear();
  const std::string path = PathFor("tom.sav");
  const auto written = WriteExport(table, ExportFormat::kSav, path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  const SavContents sav = ParseSav(path);
  EXPECT_EQ(sav.variables.size(), 4u);
  EXPECT_TRUE(sav.rows.empty());
}

// -------------------------------------------------------- determinism

TEST_F(TableWriterTest, EveryFormatIsByteIdenticalAcrossRuns) {
  const std::vector<std::pair<ExportFormat, std::string>> formats = {
      {ExportFormat::kCsvUtf8, "a.csv"},
      {ExportFormat::kCsvWindows1252, "b.csv"},
      {ExportFormat::kXlsx, "c.xlsx"},
      {ExportFormat::kSav, "d.sav"},
  };
  ExportWriteOptions options;
  options.value_labels_as_text = true;
  auto write_all = [&](const std::string& folder) {
    for (const auto& [format, name] : formats) {
      const auto written =
          WriteExport(SampleTable(), format, PathFor(folder + "/" + name), options);
      ASSERT_TRUE(written.ok()) << written.error().message;
    }
  };
  write_all("first");
  // The clock moves past a second boundary, so a timestamp taken from it
  // would differ between the runs.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  write_all("second");
  for (const auto& [format, name] : formats) {
    const std::string first = ReadBytes(PathFor("first/" + name));
    EXPECT_FALSE(first.empty()) << name;
    EXPECT_EQ(first, ReadBytes(PathFor("second/" + name))) << name << " differs between runs";
  }
}

// Sets TZ for one scope; ReadStat formats the SAV header with localtime().
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", zone, 1);
    ::tzset();
  }
  ~ScopedTimeZone() {
    if (old_) {
      ::setenv("TZ", old_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::optional<std::string> old_;
};

TEST_F(TableWriterTest, TimestampsComeFromTheOptionsInUtcWhateverTheTimeZone) {
  ExportWriteOptions options;
  options.timestamp = 1718454896;  // 2024-06-15T12:34:56Z
  std::string sav_utc;
  {
    ScopedTimeZone zone("UTC0");
    ASSERT_TRUE(WriteExport(SampleTable(), ExportFormat::kSav, PathFor("utc.sav"), options).ok());
    sav_utc = ReadBytes(PathFor("utc.sav"));
  }
  std::string sav_shifted;
  {
    // A POSIX zone string needs no tzdata: 3 h 30 min west of UTC.
    ScopedTimeZone zone("XYZ+03:30");
    ASSERT_TRUE(WriteExport(SampleTable(), ExportFormat::kSav, PathFor("xyz.sav"), options).ok());
    ASSERT_TRUE(WriteExport(SampleTable(), ExportFormat::kXlsx, PathFor("xyz.xlsx"), options).ok());
    sav_shifted = ReadBytes(PathFor("xyz.sav"));
  }
  // The SAV header holds the date at byte 92 and the time at byte 101.
  ASSERT_GT(sav_utc.size(), 109u);
  EXPECT_EQ(sav_utc.substr(92, 17), "15 Jun 2412:34:56");
  EXPECT_EQ(sav_shifted, sav_utc);

  const auto core = ReadZipEntry(PathFor("xyz.xlsx"), "docProps/core.xml");
  ASSERT_TRUE(core.has_value());
  EXPECT_NE(core->find(">2024-06-15T12:34:56Z</dcterms:created>"), std::string::npos) << *core;

  options.timestamp = 0;  // libxlsxwriter would read 0 as "now"
  const auto zero = WriteExport(SampleTable(), ExportFormat::kXlsx, PathFor("null.xlsx"), options);
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find("tidsstempelet 0 er utenfor gyldig område"),
            std::string::npos);
}

}  // namespace
}  // namespace samkart::io
