#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <readstat.h>

#include "samkart/io/source_reader.h"
#include "samkart/io/table_writer.h"

#include "support/scratch_dir.h"

namespace samkart::io {
namespace {

using testing_support::ReadWholeFile;
using testing_support::ScratchDir;

struct Read {
  std::vector<SourceColumn> columns;
  std::vector<SourceRow> rows;
  SourceInfo info;
  std::string error;  // from Open or from Next
  bool opened = false;
};

Read ReadStat(std::string bytes, SourceFormat format, const std::string& name,
              SourceOptions options = {}) {
  Read out;
  auto opened = OpenSource(std::move(bytes), format, name, options);
  if (!opened.ok()) {
    out.error = opened.error().message;
    return out;
  }
  out.opened = true;
  SourceReader& reader = *opened.value();
  out.columns = reader.columns();
  out.info = reader.info();
  SourceRow row;
  while (reader.Next(row)) {
    EXPECT_EQ(row.text.size(), out.columns.size());
    EXPECT_EQ(row.numbers.size(), out.columns.size());
    out.rows.push_back(row);
  }
  out.error = reader.error();
  if (out.error.empty()) {
    EXPECT_DOUBLE_EQ(reader.progress(), 1.0);
  }
  EXPECT_FALSE(reader.Next(row));
  return out;
}

std::vector<std::string> Names(const Read& read) {
  std::vector<std::string> names;
  for (const SourceColumn& column : read.columns) names.push_back(column.name);
  return names;
}

using Labels = std::vector<std::pair<double, std::string>>;

ExportTable SampleTable() {
  ExportTable table;
  table.columns = {
      {"id", "Løpenummer", true, {}},
      {"risiko_bullied",
       "I hvilken grad opplever du at barn blir «mobbet»?",
       true,
       {{1, "Ikke i det hele tatt"}, {2, "I ganske stor grad"}}},
      {"andel", "Andel av tiden", true, {}},
      {"kommentar", "Kommentar (fritekst)", false, {}},
  };
  using C = ExportCell;
  table.rows = {
      {C::Code(1), C::Code(2), C::Number(0.25), C::Text("Blåbær")},
      {C::Code(2), C::Code(3), C::Number(1.5), C::Text("altfor lang tekst")},
      {C::Code(3), C::Missing(), C::Missing(), C::Missing()},
      {C::Code(4), C::Code(1), C::Number(-2), C::Text("")},
  };
  return table;
}

std::string WriteSav(const ScratchDir& dir, const ExportTable& table) {
  const std::string path = (dir / "eksport.sav").string();
  const auto written = WriteExport(table, ExportFormat::kSav, path);
  EXPECT_TRUE(written.ok()) << written.error().message;
  return ReadWholeFile(path);
}

// ReadStat's writer into memory, for what WriteExport does not write: .dta,
// .zsav, user-defined missing values and string value labels.
struct Writer {
  Writer() : writer(readstat_writer_init()) {
    readstat_set_data_writer(writer, [](const void* data, std::size_t length, void* ctx) {
      static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), length);
      return static_cast<ssize_t>(length);
    });
  }
  ~Writer() { readstat_writer_free(writer); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  readstat_writer_t* writer;
  std::string bytes;
};

enum class Kind { kDta, kSav, kZsav };

// Writes the variables `add` defines and the rows `rows` fills.
std::string WriteWithReadStat(
    Kind kind, long row_count,
    const std::function<std::vector<readstat_variable_t*>(readstat_writer_t*)>& add,
    const std::function<void(readstat_writer_t*, long, const std::vector<readstat_variable_t*>&)>&
        fill_row) {
  Writer w;
  if (kind == Kind::kZsav) {
    EXPECT_EQ(readstat_writer_set_compression(w.writer, READSTAT_COMPRESS_BINARY), READSTAT_OK);
  }
  const std::vector<readstat_variable_t*> variables = add(w.writer);
  const readstat_error_t begun = kind == Kind::kDta
                                     ? readstat_begin_writing_dta(w.writer, &w.bytes, row_count)
                                     : readstat_begin_writing_sav(w.writer, &w.bytes, row_count);
  EXPECT_EQ(begun, READSTAT_OK) << readstat_error_message(begun);
  for (long r = 0; r < row_count; ++r) {
    EXPECT_EQ(readstat_begin_row(w.writer), READSTAT_OK);
    fill_row(w.writer, r, variables);
    EXPECT_EQ(readstat_end_row(w.writer), READSTAT_OK);
  }
  const readstat_error_t ended = readstat_end_writing(w.writer);
  EXPECT_EQ(ended, READSTAT_OK) << readstat_error_message(ended);
  return std::move(w.bytes);
}

// ------------------------------------------------------------------ SPSS .sav

TEST(ReadStatSource, ReadsTheExportWritersSav) {
  ScratchDir dir;
  const Read r = ReadStat(WriteSav(dir, SampleTable()), SourceFormat::kSav, "fil.sav");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.info.format, "SPSS .sav");
  EXPECT_EQ(r.info.row_unit, "case");
  EXPECT_TRUE(r.info.details.starts_with("4 variabler, 4 case")) << r.info.details;
  EXPECT_EQ(Names(r), (std::vector<std::string>{"id", "risiko_bullied", "andel", "kommentar"}));
  EXPECT_EQ(r.columns[0].label, "Løpenummer");
  EXPECT_EQ(r.columns[1].label, "I hvilken grad opplever du at barn blir «mobbet»?");
  EXPECT_EQ(r.columns[1].value_labels,
            (Labels{{1, "Ikke i det hele tatt"}, {2, "I ganske stor grad"}}));
  EXPECT_TRUE(r.columns[0].value_labels.empty());

  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[0].number, 1u);
  EXPECT_EQ(r.rows[3].number, 4u);
  EXPECT_EQ(r.rows[0].text, (std::vector<std::string>{"1", "2", "0.25", "Blåbær"}));
  EXPECT_EQ(r.rows[0].numbers[1], 2.0);
  EXPECT_EQ(r.rows[0].numbers[2], 0.25);
  EXPECT_FALSE(r.rows[0].numbers[3].has_value());
  EXPECT_EQ(r.rows[1].text[2], "1.5");
  // System-missing numbers and missing text are empty.
  EXPECT_EQ(r.rows[2].text, (std::vector<std::string>{"3", "", "", ""}));
  EXPECT_FALSE(r.rows[2].numbers[1].has_value());
  EXPECT_FALSE(r.rows[2].numbers[2].has_value());
  EXPECT_EQ(r.rows[3].text[2], "-2");
  EXPECT_EQ(r.rows[3].numbers[2], -2.0);
}

TEST(ReadStatSource, HeaderOnlySavHasNoRows) {
  ScratchDir dir;
  ExportTable table = SampleTable();
  table.rows.clear();
  const Read r = ReadStat(WriteSav(dir, table), SourceFormat::kSav, "fil.sav");
  ASSERT_TRUE(r.opened) << r.error;
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.columns.size(), 4u);
  EXPECT_TRUE(r.rows.empty());
}

TEST(ReadStatSource, OversizeCellIsAnErrorNamingTheCase) {
  ScratchDir dir;
  SourceOptions options;
  options.max_cell_bytes = 10;
  const Read r = ReadStat(WriteSav(dir, SampleTable()), SourceFormat::kSav, "fil.sav", options);
  ASSERT_TRUE(r.opened) << r.error;
  ASSERT_EQ(r.rows.size(), 1u);  // the case before the error is read
  EXPECT_EQ(r.rows[0].text[3], "Blåbær");
  EXPECT_EQ(r.error, "fil.sav: case 2, variabel «kommentar»: teksten er 17 byte; grensen er 10");
}

TEST(ReadStatSource, CorruptSignatureIsAnError) {
  ScratchDir dir;
  std::string bytes = WriteSav(dir, SampleTable());
  bytes[1] = 'X';  // "$XL2"
  const Read r = ReadStat(bytes, SourceFormat::kSav, "fil.sav");
  EXPECT_FALSE(r.opened);
  EXPECT_TRUE(r.error.starts_with("fil.sav: ikke en gyldig SPSS-fil (")) << r.error;
}

TEST(ReadStatSource, TruncatedDictionaryIsAnErrorFromOpen) {
  ScratchDir dir;
  std::string bytes = WriteSav(dir, SampleTable());
  bytes.resize(300);
  const Read r = ReadStat(bytes, SourceFormat::kSav, "fil.sav");
  EXPECT_FALSE(r.opened);
  EXPECT_TRUE(r.error.starts_with("fil.sav: ikke en gyldig SPSS-fil (")) << r.error;
}

TEST(ReadStatSource, TruncatedDataIsAnErrorAfterTheWholeCases) {
  // 200 cases of one uncompressible double: cutting the file short leaves
  // the dictionary whole and the data broken.
  const std::string full = WriteWithReadStat(
      Kind::kSav, 200,
      [](readstat_writer_t* writer) {
        return std::vector<readstat_variable_t*>{
            readstat_add_variable(writer, "verdi", READSTAT_TYPE_DOUBLE, 0)};
      },
      [](readstat_writer_t* writer, long r, const std::vector<readstat_variable_t*>& v) {
        readstat_insert_double_value(writer, v[0], static_cast<double>(r) + 0.123456789);
      });
  const std::string bytes = full.substr(0, full.size() - 800);
  const Read r = ReadStat(bytes, SourceFormat::kSav, "fil.sav");
  ASSERT_TRUE(r.opened) << r.error;
  EXPECT_GT(r.rows.size(), 50u);
  EXPECT_LT(r.rows.size(), 200u);
  EXPECT_EQ(r.rows.back().number, r.rows.size());
  EXPECT_EQ(r.rows.back().text[0], std::to_string(r.rows.size() - 1) + ".123456789");
  // ReadStat notices the missing cases at the end of the data.
  EXPECT_TRUE(r.error.starts_with("fil.sav: case " + std::to_string(r.rows.size() + 1) +
                                  ": ikke en gyldig SPSS-fil ("))
      << r.error;
}

TEST(ReadStatSource, UserMissingValuesAreEmptyAndStringLabelsAreSkipped) {
  const std::string bytes = WriteWithReadStat(
      Kind::kSav, 3,
      [](readstat_writer_t* writer) {
        readstat_label_set_t* codes = readstat_add_label_set(writer, READSTAT_TYPE_DOUBLE, "koder");
        readstat_label_double_value(codes, 1, "Ja");
        readstat_label_double_value(codes, 2, "Nei");
        readstat_label_double_value(codes, 99, "Vet ikke");
        readstat_label_set_t* words = readstat_add_label_set(writer, READSTAT_TYPE_STRING, "ord");
        readstat_label_string_value(words, "a", "Alfa");
        readstat_variable_t* svar = readstat_add_variable(writer, "svar", READSTAT_TYPE_DOUBLE, 0);
        readstat_variable_set_label(svar, "Svar");
        readstat_variable_set_label_set(svar, codes);
        readstat_variable_add_missing_double_value(svar, 99);
        readstat_variable_t* kode = readstat_add_variable(writer, "kode", READSTAT_TYPE_STRING, 4);
        readstat_variable_set_label_set(kode, words);
        return std::vector<readstat_variable_t*>{svar, kode};
      },
      [](readstat_writer_t* writer, long r, const std::vector<readstat_variable_t*>& v) {
        const double values[] = {1, 99, 2};
        const char* strings[] = {"a", "bb", "ccc"};
        readstat_insert_double_value(writer, v[0], values[r]);
        readstat_insert_string_value(writer, v[1], strings[r]);
      });
  const Read r = ReadStat(bytes, SourceFormat::kSav, "fil.sav");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.columns[0].value_labels, (Labels{{1, "Ja"}, {2, "Nei"}, {99, "Vet ikke"}}));
  EXPECT_TRUE(r.columns[1].value_labels.empty());
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0].text, (std::vector<std::string>{"1", "a"}));
  EXPECT_EQ(r.rows[1].text, (std::vector<std::string>{"", "bb"}));  // 99 is user-missing
  EXPECT_FALSE(r.rows[1].numbers[0].has_value());
  EXPECT_EQ(r.rows[2].numbers[0], 2.0);
}

// ------------------------------------------------------------------ SPSS .zsav

TEST(ReadStatSource, ReadsZsav) {
  const std::string bytes = WriteWithReadStat(
      Kind::kZsav, 50,
      [](readstat_writer_t* writer) {
        readstat_variable_t* id = readstat_add_variable(writer, "id", READSTAT_TYPE_DOUBLE, 0);
        readstat_variable_t* navn = readstat_add_variable(writer, "navn", READSTAT_TYPE_STRING, 8);
        readstat_variable_set_label(navn, "Navn på enheten");
        return std::vector<readstat_variable_t*>{id, navn};
      },
      [](readstat_writer_t* writer, long r, const std::vector<readstat_variable_t*>& v) {
        readstat_insert_double_value(writer, v[0], static_cast<double>(r) * 2.5);
        readstat_insert_string_value(writer, v[1], r % 2 == 0 ? "Ås" : "Bø");
      });
  ASSERT_EQ(bytes.compare(0, 4, "$FL3"), 0);
  const Read r = ReadStat(bytes, DetectSourceFormat(bytes, "fil.zsav"), "fil.zsav");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.info.format, "SPSS .zsav");
  EXPECT_EQ(Names(r), (std::vector<std::string>{"id", "navn"}));
  EXPECT_EQ(r.columns[1].label, "Navn på enheten");
  ASSERT_EQ(r.rows.size(), 50u);
  EXPECT_EQ(r.rows[1].text, (std::vector<std::string>{"2.5", "Bø"}));
  EXPECT_EQ(r.rows[49].text, (std::vector<std::string>{"122.5", "Bø"}));
  EXPECT_EQ(r.rows[49].number, 50u);
}

TEST(ReadStatSource, CorruptZsavIsAnError) {
  std::string bytes = WriteWithReadStat(
      Kind::kZsav, 20,
      [](readstat_writer_t* writer) {
        return std::vector<readstat_variable_t*>{
            readstat_add_variable(writer, "x", READSTAT_TYPE_DOUBLE, 0)};
      },
      [](readstat_writer_t* writer, long r, const std::vector<readstat_variable_t*>& v) {
        readstat_insert_double_value(writer, v[0], static_cast<double>(r));
      });
  // Flip bytes in the compressed data and the zlib trailer.
  for (std::size_t i = bytes.size() - 40; i < bytes.size(); ++i) bytes[i] ^= 0x5A;
  const Read r = ReadStat(bytes, SourceFormat::kSav, "fil.zsav");
  EXPECT_FALSE(r.error.empty());
  EXPECT_TRUE(r.error.starts_with("fil.zsav: ")) << r.error;
  EXPECT_NE(r.error.find("ikke en gyldig SPSS-fil ("), std::string::npos) << r.error;
}

// ------------------------------------------------------------------ Stata .dta

std::string WriteDta(long rows) {
  return WriteWithReadStat(
      Kind::kDta, rows,
      [](readstat_writer_t* writer) {
        readstat_label_set_t* codes = readstat_add_label_set(writer, READSTAT_TYPE_INT32, "enig");
        readstat_label_int32_value(codes, 1, "Helt uenig");
        readstat_label_int32_value(codes, 5, "Helt enig");
        readstat_variable_t* svar = readstat_add_variable(writer, "svar", READSTAT_TYPE_INT8, 0);
        readstat_variable_set_label(svar, "Jeg trives på jobben");
        readstat_variable_set_label_set(svar, codes);
        readstat_variable_t* andel = readstat_add_variable(writer, "andel", READSTAT_TYPE_FLOAT, 0);
        readstat_variable_t* vekt = readstat_add_variable(writer, "vekt", READSTAT_TYPE_DOUBLE, 0);
        readstat_variable_t* kommune =
            readstat_add_variable(writer, "kommune", READSTAT_TYPE_STRING, 12);
        return std::vector<readstat_variable_t*>{svar, andel, vekt, kommune};
      },
      [](readstat_writer_t* writer, long r, const std::vector<readstat_variable_t*>& v) {
        if (r == 1) {
          readstat_insert_missing_value(writer, v[0]);
          readstat_insert_tagged_missing_value(writer, v[1], 'a');
          readstat_insert_missing_value(writer, v[2]);
          readstat_insert_string_value(writer, v[3], "");
          return;
        }
        readstat_insert_int8_value(writer, v[0], static_cast<std::int8_t>(r % 5 + 1));
        readstat_insert_float_value(writer, v[1], 0.1f);
        readstat_insert_double_value(writer, v[2], 1234567.5);
        readstat_insert_string_value(writer, v[3], "Tromsø");
      });
}

TEST(ReadStatSource, ReadsDta) {
  const std::string bytes = WriteDta(3);
  const Read r = ReadStat(bytes, DetectSourceFormat(bytes, "fil.dta"), "fil.dta");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.info.format, "Stata .dta");
  EXPECT_EQ(r.info.row_unit, "case");
  EXPECT_EQ(Names(r), (std::vector<std::string>{"svar", "andel", "vekt", "kommune"}));
  EXPECT_EQ(r.columns[0].label, "Jeg trives på jobben");
  EXPECT_EQ(r.columns[0].value_labels, (Labels{{1, "Helt uenig"}, {5, "Helt enig"}}));
  ASSERT_EQ(r.rows.size(), 3u);
  // A float shows as Stata shows it, and its number is that text's double.
  EXPECT_EQ(r.rows[0].text, (std::vector<std::string>{"1", "0.1", "1234567.5", "Tromsø"}));
  EXPECT_EQ(r.rows[0].numbers[0], 1.0);
  EXPECT_EQ(r.rows[0].numbers[1], 0.1);
  EXPECT_EQ(r.rows[0].numbers[2], 1234567.5);
  EXPECT_FALSE(r.rows[0].numbers[3].has_value());
  // Missing (.) and tagged missing (.a) are empty.
  EXPECT_EQ(r.rows[1].text, (std::vector<std::string>{"", "", "", ""}));
  EXPECT_FALSE(r.rows[1].numbers[0].has_value());
  EXPECT_FALSE(r.rows[1].numbers[1].has_value());
  EXPECT_EQ(r.rows[2].text[0], "3");
  EXPECT_EQ(r.rows[2].number, 3u);
}

TEST(ReadStatSource, HeaderOnlyDtaHasNoRows) {
  const Read r = ReadStat(WriteDta(0), SourceFormat::kDta, "fil.dta");
  ASSERT_TRUE(r.opened) << r.error;
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.columns.size(), 4u);
  EXPECT_EQ(r.columns[0].value_labels.size(), 2u);
  EXPECT_TRUE(r.rows.empty());
}

TEST(ReadStatSource, TruncatedDtaIsAnError) {
  std::string bytes = WriteDta(3);
  bytes.resize(bytes.size() / 2);
  const Read r = ReadStat(bytes, SourceFormat::kDta, "fil.dta");
  EXPECT_FALSE(r.error.empty());
  EXPECT_NE(r.error.find("ikke en gyldig Stata-fil ("), std::string::npos) << r.error;
  EXPECT_TRUE(r.error.starts_with("fil.dta: ")) << r.error;
}

TEST(ReadStatSource, DuplicatedVariableNameIsAnError) {
  const std::string bytes = WriteWithReadStat(
      Kind::kDta, 1,
      [](readstat_writer_t* writer) {
        return std::vector<readstat_variable_t*>{
            readstat_add_variable(writer, "svar", READSTAT_TYPE_DOUBLE, 0),
            readstat_add_variable(writer, "svar", READSTAT_TYPE_DOUBLE, 0)};
      },
      [](readstat_writer_t* writer, long, const std::vector<readstat_variable_t*>& v) {
        readstat_insert_double_value(writer, v[0], 1);
        readstat_insert_double_value(writer, v[1], 2);
      });
  const Read r = ReadStat(bytes, SourceFormat::kDta, "fil.dta");
  EXPECT_FALSE(r.opened);
  EXPECT_EQ(r.error, "fil.dta: kolonnenavnet «svar» forekommer mer enn én gang (kolonne 2)");
}

TEST(ReadStatSource, GarbageIsAnError) {
  const Read sav = ReadStat(std::string(100, 'x'), SourceFormat::kSav, "fil.sav");
  EXPECT_TRUE(sav.error.starts_with("fil.sav: ikke en gyldig SPSS-fil (")) << sav.error;
  const Read dta = ReadStat(std::string(100, 'x'), SourceFormat::kDta, "fil.dta");
  EXPECT_TRUE(dta.error.starts_with("fil.dta: ikke en gyldig Stata-fil (")) << dta.error;
}

}  // namespace
}  // namespace samkart::io
