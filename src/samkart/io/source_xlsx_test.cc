#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <xlsxwriter.h>
#include <zip.h>

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

Read ReadXlsx(std::string bytes, SourceOptions options = {}) {
  Read out;
  auto opened = OpenSource(std::move(bytes), SourceFormat::kXlsx, "fil.xlsx", options);
  if (!opened.ok()) {
    out.error = opened.error().message;
    return out;
  }
  out.opened = true;
  SourceReader& reader = *opened.value();
  out.columns = reader.columns();
  out.info = reader.info();
  SourceRow row;
  double last_progress = reader.progress();
  while (reader.Next(row)) {
    EXPECT_EQ(row.text.size(), out.columns.size());
    EXPECT_EQ(row.numbers.size(), out.columns.size());
    EXPECT_GE(reader.progress(), last_progress);
    last_progress = reader.progress();
    out.rows.push_back(row);
  }
  out.error = reader.error();
  if (out.error.empty()) {
    EXPECT_DOUBLE_EQ(reader.progress(), 1.0);
  }
  EXPECT_FALSE(reader.Next(row));  // stays finished
  return out;
}

std::vector<std::string> Names(const Read& read) {
  std::vector<std::string> names;
  for (const SourceColumn& column : read.columns) names.push_back(column.name);
  return names;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Writes a workbook with libxlsxwriter directly; `fill` adds the sheets.
std::string WriteWorkbook(const ScratchDir& dir, const std::function<void(lxw_workbook*)>& fill,
                          bool constant_memory = false) {
  const std::string path = (dir / "direkte.xlsx").string();
  lxw_workbook_options options{};
  options.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &options);
  EXPECT_NE(workbook, nullptr);
  fill(workbook);
  EXPECT_EQ(workbook_close(workbook), LXW_NO_ERROR);
  return ReadWholeFile(path);
}

// A zip of hand-written parts, for what no writer produces (error cells,
// phonetic runs, missing references, broken XML).
std::string WriteZip(const ScratchDir& dir,
                     const std::vector<std::pair<std::string, std::string>>& parts) {
  const std::string path = (dir / "hand.xlsx").string();
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  EXPECT_NE(archive, nullptr);
  for (const auto& [name, content] : parts) {
    zip_source_t* source = zip_source_buffer(archive, content.data(), content.size(), 0);
    EXPECT_NE(source, nullptr);
    EXPECT_GE(zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8), 0);
  }
  EXPECT_EQ(zip_close(archive), 0);
  return ReadWholeFile(path);
}

constexpr char kWorkbookXml[] =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>)";
constexpr char kRelsXml[] =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>)";

std::string SheetXml(const std::string& rows) {
  return R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)" +
         rows + "</sheetData></worksheet>";
}

std::string SharedStringsXml(const std::string& items) {
  return R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)" +
         items + "</sst>";
}

// A hand-made workbook with one sheet and these shared strings.
std::string HandWorkbook(const ScratchDir& dir, const std::string& rows,
                         const std::string& shared = "") {
  return WriteZip(dir, {{"xl/workbook.xml", kWorkbookXml},
                        {"xl/_rels/workbook.xml.rels", kRelsXml},
                        {"xl/worksheets/sheet1.xml", SheetXml(rows)},
                        {"xl/sharedStrings.xml", SharedStringsXml(shared)}});
}

ExportTable SampleTable() {
  ExportTable table;
  table.columns = {
      {"id", "Løpenummer", true, {}},
      {"risiko_bullied",
       "I hvilken grad?",
       true,
       {{1, "Ikke i det hele tatt"}, {2, "I ganske stor grad"}}},
      {"andel", "Andel av tiden", true, {}},
      {"kommentar", "Kommentar", false, {}},
  };
  using C = ExportCell;
  table.rows = {
      {C::Code(1), C::Code(2), C::Number(0.25), C::Text("Blåbær, «gode»")},
      {C::Code(2), C::Code(3), C::Number(1.5), C::Text("linje 1\nlinje 2")},
      {C::Code(3), C::Missing(), C::Missing(), C::Missing()},
      {C::Code(4), C::Code(1), C::Number(-2), C::Text("")},
  };
  return table;
}

std::string WriteSample(const ScratchDir& dir, const ExportTable& table,
                        const ExportWriteOptions& options = {}) {
  const std::string path = (dir / "eksport.xlsx").string();
  const auto written = WriteExport(table, ExportFormat::kXlsx, path, options);
  EXPECT_TRUE(written.ok()) << written.error().message;
  return ReadWholeFile(path);
}

// ------------------------------------------------------- the project's writer

TEST(XlsxSource, ReadsTheExportWritersWorkbook) {
  ScratchDir dir;
  const Read r = ReadXlsx(WriteSample(dir, SampleTable()));
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(Names(r), (std::vector<std::string>{"id", "risiko_bullied", "andel", "kommentar"}));
  EXPECT_EQ(r.info.format, "XLSX");
  EXPECT_EQ(r.info.details, "ark «Data»");
  EXPECT_EQ(r.info.row_unit, "rad");
  for (const SourceColumn& column : r.columns) {
    EXPECT_EQ(column.label, "");
    EXPECT_TRUE(column.value_labels.empty());
  }
  ASSERT_EQ(r.rows.size(), 4u);
  // Spreadsheet row numbers: the header is row 1.
  EXPECT_EQ(r.rows[0].number, 2u);
  EXPECT_EQ(r.rows[3].number, 5u);

  EXPECT_EQ(r.rows[0].text, (std::vector<std::string>{"1", "2", "0.25", "Blåbær, «gode»"}));
  EXPECT_EQ(r.rows[0].numbers[0], 1.0);
  EXPECT_EQ(r.rows[0].numbers[2], 0.25);
  EXPECT_FALSE(r.rows[0].numbers[3].has_value());
  EXPECT_EQ(r.rows[1].text[2], "1.5");
  EXPECT_EQ(r.rows[1].text[3], "linje 1\nlinje 2");
  // Missing cells are empty, and rows are padded to the header's width.
  EXPECT_EQ(r.rows[2].text, (std::vector<std::string>{"3", "", "", ""}));
  EXPECT_FALSE(r.rows[2].numbers[1].has_value());
  EXPECT_EQ(r.rows[3].text[2], "-2");
  EXPECT_EQ(r.rows[3].numbers[2], -2.0);
  EXPECT_EQ(r.rows[3].text[3], "");
}

TEST(XlsxSource, ReadsValueLabelsWrittenAsText) {
  ScratchDir dir;
  ExportWriteOptions options;
  options.value_labels_as_text = true;
  options.sheet_name = "Svar";
  const Read r = ReadXlsx(WriteSample(dir, SampleTable(), options));
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.info.details, "ark «Svar»");
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[0].text[1], "I ganske stor grad");
  EXPECT_FALSE(r.rows[0].numbers[1].has_value());
  EXPECT_EQ(r.rows[1].text[1], "3");  // a code without a label stays a number
  EXPECT_EQ(r.rows[1].numbers[1], 3.0);
  EXPECT_EQ(r.rows[3].text[1], "Ikke i det hele tatt");
}

TEST(XlsxSource, HeaderOnlyWorkbookHasNoRows) {
  ScratchDir dir;
  ExportTable table = SampleTable();
  table.rows.clear();
  const Read r = ReadXlsx(WriteSample(dir, table));
  ASSERT_TRUE(r.opened) << r.error;
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.columns.size(), 4u);
  EXPECT_TRUE(r.rows.empty());
}

TEST(XlsxSource, TruncatedZipIsAnError) {
  ScratchDir dir;
  std::string bytes = WriteSample(dir, SampleTable());
  bytes.resize(bytes.size() / 2);
  const Read r = ReadXlsx(bytes);
  EXPECT_FALSE(r.opened);
  EXPECT_TRUE(r.error.starts_with("fil.xlsx: ikke en gyldig XLSX-fil")) << r.error;
}

TEST(XlsxSource, RandomBytesAfterZipSignatureAreAnError) {
  const Read r = ReadXlsx(std::string("PK\x03\x04", 4) + std::string(200, 'x'));
  EXPECT_FALSE(r.opened);
  EXPECT_TRUE(r.error.starts_with("fil.xlsx: ikke en gyldig XLSX-fil")) << r.error;
}

TEST(XlsxSource, DuplicatedColumnNameIsAnError) {
  ScratchDir dir;
  const std::string bytes = WriteWorkbook(dir, [](lxw_workbook* workbook) {
    lxw_worksheet* sheet = workbook_add_worksheet(workbook, "Ark1");
    worksheet_write_string(sheet, 0, 0, "svar", nullptr);
    worksheet_write_string(sheet, 0, 1, " svar ", nullptr);  // the same once trimmed
    worksheet_write_number(sheet, 1, 0, 1, nullptr);
  });
  const Read r = ReadXlsx(bytes);
  EXPECT_FALSE(r.opened);
  EXPECT_EQ(r.error, "fil.xlsx: kolonnenavnet «svar» forekommer mer enn én gang (kolonne 2)");
}

// ------------------------------------------------------- libxlsxwriter directly

TEST(XlsxSource, ReadsInlineStringsBooleansAndGaps) {
  ScratchDir dir;
  // constant_memory makes libxlsxwriter write inline strings (t="inlineStr").
  const std::string bytes = WriteWorkbook(
      dir,
      [](lxw_workbook* workbook) {
        lxw_worksheet* sheet = workbook_add_worksheet(workbook, "Ark1");
        lxw_format* bold = workbook_add_format(workbook);
        format_set_bold(bold);
        worksheet_write_string(sheet, 0, 0, "  navn ", nullptr);
        worksheet_write_number(sheet, 0, 1, 2020, nullptr);  // a number names its column
        worksheet_write_string(sheet, 0, 2, "ja", nullptr);
        worksheet_write_string(sheet, 0, 3, "formel", nullptr);
        // Row 2 is empty; row 3 leaves column B out.
        worksheet_write_string(sheet, 2, 0, "Ås", nullptr);
        worksheet_write_boolean(sheet, 2, 2, 1, nullptr);
        worksheet_write_formula_str(sheet, 2, 3, "=\"A\"&\"B\"", nullptr, "AB");
        // Row 5 holds only a formatted blank cell: skipped.
        worksheet_write_blank(sheet, 4, 1, bold);
        worksheet_write_number(sheet, 9, 1, 1e20, nullptr);
        worksheet_write_boolean(sheet, 9, 2, 0, nullptr);
        worksheet_write_number(sheet, 9, 3, 0.1, nullptr);
      },
      /*constant_memory=*/true);
  const Read r = ReadXlsx(bytes);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(Names(r), (std::vector<std::string>{"navn", "2020", "ja", "formel"}));
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].number, 3u);
  EXPECT_EQ(r.rows[0].text, (std::vector<std::string>{"Ås", "", "TRUE", "AB"}));
  EXPECT_EQ(r.rows[0].numbers[2], 1.0);
  EXPECT_FALSE(r.rows[0].numbers[3].has_value());
  EXPECT_EQ(r.rows[1].number, 10u);
  EXPECT_EQ(r.rows[1].text, (std::vector<std::string>{"", "1e+20", "FALSE", "0.1"}));
  EXPECT_EQ(r.rows[1].numbers[1], 1e20);
  EXPECT_EQ(r.rows[1].numbers[3], 0.1);
  EXPECT_FALSE(r.rows[1].numbers[0].has_value());
}

std::string TwoSheets(const ScratchDir& dir) {
  return WriteWorkbook(dir, [](lxw_workbook* workbook) {
    lxw_worksheet* first = workbook_add_worksheet(workbook, "Første");
    worksheet_write_string(first, 0, 0, "a", nullptr);
    worksheet_write_number(first, 1, 0, 1, nullptr);
    lxw_worksheet* second = workbook_add_worksheet(workbook, "Andre ark");
    worksheet_write_string(second, 3, 0, "b", nullptr);  // the header is row 4
    worksheet_write_string(second, 3, 1, "c", nullptr);
    worksheet_write_number(second, 4, 0, 2.5, nullptr);
    worksheet_write_string(second, 4, 1, "tekst", nullptr);
  });
}

TEST(XlsxSource, ReadsTheFirstSheetByDefault) {
  ScratchDir dir;
  const Read r = ReadXlsx(TwoSheets(dir));
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.info.details, "ark «Første»");
  EXPECT_EQ(Names(r), std::vector<std::string>{"a"});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].text[0], "1");
  EXPECT_EQ(r.rows[0].number, 2u);
}

TEST(XlsxSource, ReadsANamedSheet) {
  ScratchDir dir;
  SourceOptions options;
  options.sheet = "Andre ark";
  const Read r = ReadXlsx(TwoSheets(dir), options);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.info.details, "ark «Andre ark»");
  EXPECT_EQ(Names(r), (std::vector<std::string>{"b", "c"}));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].number, 5u);
  EXPECT_EQ(r.rows[0].text, (std::vector<std::string>{"2.5", "tekst"}));
  EXPECT_EQ(r.rows[0].numbers[0], 2.5);
}

TEST(XlsxSource, UnknownSheetListsTheSheets) {
  ScratchDir dir;
  SourceOptions options;
  options.sheet = "Ark3";
  const Read r = ReadXlsx(TwoSheets(dir), options);
  EXPECT_FALSE(r.opened);
  EXPECT_EQ(r.error, "fil.xlsx: finner ikke arket «Ark3»; arbeidsboken har «Første», «Andre ark»");
}

TEST(XlsxSource, OversizeCellIsAnErrorNamingRowAndColumn) {
  ScratchDir dir;
  const std::string bytes = WriteWorkbook(dir, [](lxw_workbook* workbook) {
    lxw_worksheet* sheet = workbook_add_worksheet(workbook, "Ark1");
    worksheet_write_string(sheet, 0, 0, "id", nullptr);
    worksheet_write_string(sheet, 0, 1, "tekst", nullptr);
    worksheet_write_number(sheet, 1, 0, 1, nullptr);
    worksheet_write_string(sheet, 1, 1, "kort", nullptr);
    worksheet_write_number(sheet, 3, 0, 2, nullptr);
    worksheet_write_string(sheet, 3, 1, "altfor lang tekst", nullptr);
  });
  SourceOptions options;
  options.max_cell_bytes = 10;
  const Read r = ReadXlsx(bytes, options);
  ASSERT_TRUE(r.opened) << r.error;
  ASSERT_EQ(r.rows.size(), 1u);  // the rows before the error are read
  EXPECT_EQ(r.rows[0].text[1], "kort");
  EXPECT_EQ(r.error, "fil.xlsx: ark «Ark1», rad 4, kolonne B: cellen er mer enn 10 byte");
}

TEST(XlsxSource, OversizeNumberIsAnErrorNotACutNumber) {
  ScratchDir dir;
  SourceOptions options;
  options.max_cell_bytes = 10;
  const Read r =
      ReadXlsx(HandWorkbook(dir, R"(<row><c t="inlineStr"><is><t>tall</t></is></c></row>)"
                                 R"(<row><c><v>100000000000000000000</v></c></row>)"),
               options);
  ASSERT_TRUE(r.opened) << r.error;
  EXPECT_TRUE(r.rows.empty());
  EXPECT_EQ(r.error, "fil.xlsx: ark «Ark1», rad 2, kolonne A: cellen er mer enn 10 byte");
}

TEST(XlsxSource, CellBeyondTheHeaderIsAnError) {
  ScratchDir dir;
  const std::string bytes = WriteWorkbook(dir, [](lxw_workbook* workbook) {
    lxw_worksheet* sheet = workbook_add_worksheet(workbook, "Ark1");
    worksheet_write_string(sheet, 0, 0, "a", nullptr);
    worksheet_write_string(sheet, 0, 1, "b", nullptr);
    worksheet_write_number(sheet, 1, 0, 1, nullptr);
    worksheet_write_number(sheet, 11, 2, 3, nullptr);
  });
  const Read r = ReadXlsx(bytes);
  ASSERT_TRUE(r.opened) << r.error;
  EXPECT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.error,
            "fil.xlsx: ark «Ark1», rad 12, kolonne C: cellen har innhold, men overskriftsraden "
            "(rad 1) har bare 2 kolonner");
}

TEST(XlsxSource, GapInTheHeaderIsAnError) {
  ScratchDir dir;
  const std::string bytes = WriteWorkbook(dir, [](lxw_workbook* workbook) {
    lxw_worksheet* sheet = workbook_add_worksheet(workbook, "Ark1");
    worksheet_write_string(sheet, 0, 0, "a", nullptr);
    worksheet_write_string(sheet, 0, 2, "c", nullptr);
  });
  const Read r = ReadXlsx(bytes);
  EXPECT_FALSE(r.opened);
  EXPECT_EQ(r.error, "fil.xlsx: kolonne 2 har ikke noe navn");
}

TEST(XlsxSource, EmptySheetIsAnError) {
  ScratchDir dir;
  const std::string bytes =
      WriteWorkbook(dir, [](lxw_workbook* workbook) { workbook_add_worksheet(workbook, "Tomt"); });
  const Read r = ReadXlsx(bytes);
  EXPECT_FALSE(r.opened);
  EXPECT_EQ(r.error, "fil.xlsx: ark «Tomt»: arket er tomt (ingen overskriftsrad)");
}

// ------------------------------------------------------- hand-written parts

TEST(XlsxSource, ReadsRichTextErrorCellsAndCellsWithoutReferences) {
  ScratchDir dir;
  const std::string shared =
      "<si><t>navn</t></si>"
      "<si><r><rPr><b/></rPr><t>Blå</t></r><r><t xml:space=\"preserve\">bær </t></r>"
      "<rPh sb=\"0\" eb=\"1\"><t>fonetisk</t></rPh></si>"
      "<si><t>linje_x000D_slutt</t></si>";
  const std::string rows =
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c t="inlineStr"><is><t>svar</t></is></c>)"
      R"(<c t="inlineStr"><is><r><t>fri</t></r><r><t>tekst</t></r></is></c></row>)"
      R"(<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3" t="e"><v>#N/A</v></c>)"
      R"(<c r="C3" t="s"><v>2</v></c></row>)"
      R"(<row><c><v>7</v></c><c><f>SUM(A1)</f><v>2.50</v></c></row>)";
  const Read r = ReadXlsx(HandWorkbook(dir, rows, shared));
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(Names(r), (std::vector<std::string>{"navn", "svar", "fritekst"}));
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].number, 3u);
  EXPECT_EQ(r.rows[0].text, (std::vector<std::string>{"Blåbær ", "#N/A", "linje\rslutt"}));
  EXPECT_FALSE(r.rows[0].numbers[1].has_value());
  EXPECT_EQ(r.rows[1].number, 4u);  // a row without r follows the one before
  EXPECT_EQ(r.rows[1].text, (std::vector<std::string>{"7", "2.5", ""}));
  EXPECT_EQ(r.rows[1].numbers[1], 2.5);
}

TEST(XlsxSource, SharedStringIndexOutOfRangeIsAnError) {
  ScratchDir dir;
  const Read r = ReadXlsx(HandWorkbook(
      dir,
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>5</v></c></row>)",
      "<si><t>a</t></si>"));
  ASSERT_TRUE(r.opened) << r.error;
  EXPECT_EQ(r.error,
            "fil.xlsx: ark «Ark1», rad 2, kolonne A: viser til delt tekst nr. 5, men filen har 1");
}

TEST(XlsxSource, XmlSyntaxErrorInTheDataComesFromNext) {
  ScratchDir dir;
  const Read r =
      ReadXlsx(HandWorkbook(dir,
                            "<row r=\"1\"><c t=\"inlineStr\"><is><t>a</t></is></c></row>\n"
                            "<row r=\"2\"><c><v>1</v></c></row>\n<row r=\"3\"><c><v>2</v></row>"));
  ASSERT_TRUE(r.opened) << r.error;
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].text[0], "1");
  EXPECT_TRUE(r.error.starts_with("fil.xlsx: ark «Ark1»: ugyldig XML på linje 4 (")) << r.error;
}

TEST(XlsxSource, XmlSyntaxErrorInTheWorkbookComesFromOpen) {
  ScratchDir dir;
  const std::string bytes = WriteZip(
      dir, {{"xl/workbook.xml", "<workbook><sheets>"}, {"xl/_rels/workbook.xml.rels", kRelsXml}});
  const Read r = ReadXlsx(bytes);
  EXPECT_FALSE(r.opened);
  EXPECT_TRUE(r.error.starts_with("fil.xlsx: xl/workbook.xml: ugyldig XML på linje 1 ("))
      << r.error;
}

TEST(XlsxSource, MissingPartIsAnError) {
  ScratchDir dir;
  const Read r = ReadXlsx(WriteZip(dir, {{"xl/workbook.xml", kWorkbookXml}}));
  EXPECT_FALSE(r.opened);
  EXPECT_EQ(r.error, "fil.xlsx: ikke en gyldig XLSX-fil (mangler xl/_rels/workbook.xml.rels)");
}

TEST(XlsxSource, DtdIsRefused) {
  ScratchDir dir;
  const std::string sheet =
      "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY a \"aaaaaaaaaa\">]>"
      "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&a;</t></is></c></row>"
      "</sheetData></worksheet>";
  const Read r = ReadXlsx(WriteZip(dir, {{"xl/workbook.xml", kWorkbookXml},
                                         {"xl/_rels/workbook.xml.rels", kRelsXml},
                                         {"xl/worksheets/sheet1.xml", sheet},
                                         {"xl/sharedStrings.xml", SharedStringsXml("")}}));
  EXPECT_FALSE(r.opened);
  EXPECT_EQ(r.error, "fil.xlsx: ark «Ark1»: XML med dokumenttypedeklarasjon (DTD) er ikke tillatt");
}

// Rewrites the uncompressed size of `name` in the zip's local and central
// headers, as a zip bomb (or a lying writer) would declare it.
void SetDeclaredSize(std::string& zip, const std::string& name, std::uint32_t size) {
  const auto patch = [&](const std::string& signature, std::size_t name_offset,
                         std::size_t size_offset) {
    for (std::size_t at = zip.find(signature); at != std::string::npos;
         at = zip.find(signature, at + 1)) {
      if (zip.compare(at + name_offset, name.size(), name) != 0) continue;
      for (std::size_t i = 0; i < 4; ++i) {
        zip[at + size_offset + i] = static_cast<char>((size >> (8 * i)) & 0xFF);
      }
    }
  };
  patch(std::string("PK\x03\x04", 4), 30, 22);
  patch(std::string("PK\x01\x02", 4), 46, 24);
}

TEST(XlsxSource, RefusesAPartThatClaimsToInflateAbsurdly) {
  ScratchDir dir;
  std::string bytes = HandWorkbook(dir, R"(<row><c><v>1</v></c></row>)");
  SetDeclaredSize(bytes, "xl/worksheets/sheet1.xml", 0xF0000000u);
  const Read r = ReadXlsx(bytes);
  EXPECT_FALSE(r.opened);
  EXPECT_TRUE(Contains(r.error, "xl/worksheets/sheet1.xml pakker ut til 4026531840 byte"))
      << r.error;
}

TEST(XlsxSource, RefusesAPartLongerThanDeclared) {
  ScratchDir dir;
  std::string bytes = HandWorkbook(
      dir, R"(<row><c t="inlineStr"><is><t>a</t></is></c></row><row><c><v>1</v></c></row>)");
  SetDeclaredSize(bytes, "xl/worksheets/sheet1.xml", 100);
  const Read r = ReadXlsx(bytes);
  EXPECT_FALSE(r.opened);
  EXPECT_EQ(r.error,
            "fil.xlsx: ark «Ark1»: pakker ut til mer enn de 100 bytene zip-katalogen oppgir");
}

}  // namespace
}  // namespace samkart::io
