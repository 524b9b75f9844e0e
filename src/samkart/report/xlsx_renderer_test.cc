#include "samkart/report/xlsx_renderer.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "support/sample_document.h"
#include "support/scratch_dir.h"
#include "support/xlsx_workbook.h"

namespace samkart::report {
namespace {

namespace fs = std::filesystem;
using testing_support::Cell;
using testing_support::FindTable;
using testing_support::kHostileText;
using testing_support::ReadWorkbook;
using testing_support::SampleDocument;
using testing_support::SampleShare;
using testing_support::Sheet;
using testing_support::SheetTable;
using testing_support::Workbook;

class XlsxRenderer : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = scratch_ / "rapport.xlsx";
    const auto written = WriteXlsx(SampleDocument(), path_);
    ASSERT_TRUE(written.ok()) << written.error().message;
    book_ = ReadWorkbook(path_);
    ASSERT_EQ(book_.error, "");
  }

  testing_support::ScratchDir scratch_;
  fs::path path_;
  Workbook book_;
};

TEST_F(XlsxRenderer, HasAFrontSheetAndOneSheetPerChapter) {
  const Document doc = SampleDocument();
  std::size_t chapters = 0;
  for (const auto& section : doc.sections) chapters += section.level == 1;
  ASSERT_EQ(book_.sheets.size(), chapters + 1);
  EXPECT_EQ(book_.Names(),
            (std::vector<std::string>{"Om rapporten", "Sammendrag", "Kunnskap om risikofaktorer",
                                      "Samarbeid mellom tjenestene"}));
  EXPECT_FALSE(fs::exists(path_.string() + ".tmp"));
}

TEST_F(XlsxRenderer, FrontSheetHoldsTitleFrontMatterLegendAndContents) {
  const Document doc = SampleDocument();
  const Sheet& about = book_.sheets.at(0);
  EXPECT_EQ(about.Text(0, 0), doc.title);
  EXPECT_TRUE(about.At(0, 0)->bold);
  EXPECT_EQ(about.Text(1, 0), doc.subtitle);
  for (const auto& line : doc.front_matter) EXPECT_GE(about.FindRow(line), 0) << line;
  for (const auto& line : doc.legend) EXPECT_GE(about.FindRow(line), 0) << line;
  EXPECT_GE(about.FindRow("Tegnforklaring"), 0);
  // The contents link to each chapter's sheet.
  const int contents = about.FindRow("Innhold");
  ASSERT_GE(contents, 0);
  EXPECT_EQ(about.Text(contents + 1, 0), "Sammendrag");
  EXPECT_EQ(about.Text(contents + 2, 0), "Kunnskap om risikofaktorer");
  EXPECT_NE(about.xml.find("location=\"'Kunnskap om risikofaktorer'!A1\""), std::string::npos)
      << about.xml;
}

TEST_F(XlsxRenderer, SharesAreNumbersFormattedAsPercent) {
  const Sheet* risk = book_.Find("Kunnskap om risikofaktorer");
  ASSERT_NE(risk, nullptr);
  const SheetTable table = FindTable(*risk, "Tabell 1. Andel etter tjenestested");
  ASSERT_GE(table.heading_row, 0);
  const Cell* share = table.Get(*risk, "Opplever mobbing", "Kommunen");
  ASSERT_NE(share, nullptr);
  EXPECT_TRUE(share->numeric);
  EXPECT_EQ(share->value, "0.62");
  EXPECT_EQ(share->format, "0 %");
  // In the sheet XML itself: a value, no t="s".
  const int row = table.Row(*risk, "Opplever mobbing");
  const std::string ref = "B" + std::to_string(row + 1);
  const auto at = risk->xml.find("<c r=\"" + ref + "\"");
  ASSERT_NE(at, std::string::npos);
  const std::string element = risk->xml.substr(at, risk->xml.find("</c>", at) - at);
  EXPECT_EQ(element.find("t=\""), std::string::npos) << element;
  EXPECT_NE(element.find("<v>0.62</v>"), std::string::npos) << element;

  // The significant difference keeps its «*» in the format, not the value.
  const Cell* points = table.Get(*risk, "Opplever mobbing", "Forskjell");
  ASSERT_NE(points, nullptr);
  EXPECT_TRUE(points->numeric);
  EXPECT_EQ(points->value, "4");
  EXPECT_EQ(points->format, "+0\"*\";-0\"*\";0\"*\"");
  // The chart's numbers are stored the same way.
  const SheetTable chart = FindTable(*risk, "Andel «i ganske stor grad» eller «i svært stor grad»");
  ASSERT_GE(chart.heading_row, 0);
  const Cell* chart_share = chart.Get(*risk, "Opplever mobbing", "Kommunen");
  ASSERT_NE(chart_share, nullptr);
  EXPECT_TRUE(chart_share->numeric);
  EXPECT_EQ(chart_share->value, "0.62");
  const Cell* reference = chart.Get(*risk, "Opplever mobbing", "Samme størrelsesgruppe");
  ASSERT_NE(reference, nullptr);
  EXPECT_EQ(reference->value, "0.55");
}

TEST_F(XlsxRenderer, CountsAndKeyFiguresAreNumbers) {
  const Sheet* summary = book_.Find("Sammendrag");
  ASSERT_NE(summary, nullptr);
  const int answers = summary->FindRow("svar i alt");
  ASSERT_GE(answers, 0);
  ASSERT_NE(summary->At(answers, 1), nullptr);
  EXPECT_TRUE(summary->At(answers, 1)->numeric);
  EXPECT_EQ(summary->At(answers, 1)->value, "312");
  EXPECT_EQ(summary->At(answers, 1)->format, "#,##0");
  const int share = summary->FindRow("har vært bekymret for et barn eller en ungdom");
  ASSERT_GE(share, 0);
  EXPECT_EQ(summary->At(share, 1)->value, "0.79");
  EXPECT_EQ(summary->At(share, 1)->format, "0 %");
  const int hidden = summary->FindRow("av dem som var bekymret, handlet");
  ASSERT_GE(hidden, 0);
  EXPECT_FALSE(summary->At(hidden, 1)->numeric);
  EXPECT_EQ(summary->At(hidden, 1)->value, kSuppressedMark);

  const Sheet* risk = book_.Find("Kunnskap om risikofaktorer");
  ASSERT_NE(risk, nullptr);
  const SheetTable rows = FindTable(*risk, "Tabell 2. Mange rader");
  ASSERT_GE(rows.heading_row, 0);
  const Cell* count = rows.Get(*risk, "Rad 1", "Antall");
  ASSERT_NE(count, nullptr);
  EXPECT_TRUE(count->numeric);
  EXPECT_EQ(count->value, "1000");
  EXPECT_EQ(count->format, "#,##0");
}

TEST_F(XlsxRenderer, SuppressedAndMissingAreMarksAsText) {
  const Sheet* risk = book_.Find("Kunnskap om risikofaktorer");
  ASSERT_NE(risk, nullptr);
  const SheetTable table = FindTable(*risk, "Tabell 1. Andel etter tjenestested");
  const int row = table.Row(*risk, "Barnevern");
  ASSERT_GE(row, 0);
  // The municipality's share and the difference are hidden; the nation's
  // share (0.21) is the row's only number.
  for (const char* column : {"Kommunen", "Forskjell"}) {
    const Cell* cell = risk->At(row, table.columns.at(column));
    ASSERT_NE(cell, nullptr) << column;
    EXPECT_FALSE(cell->numeric) << column;
    EXPECT_EQ(cell->value, kSuppressedMark) << column;
  }
  std::vector<std::string> numbers;
  for (int col = 0; col < 4; ++col) {
    if (const Cell* cell = risk->At(row, col); cell != nullptr && cell->numeric) {
      numbers.push_back(cell->value);
    }
  }
  EXPECT_EQ(numbers, (std::vector<std::string>{"0.21"}));
  const Cell* missing = table.Get(*risk, std::string("'") + kHostileText, "Kommunen");
  ASSERT_NE(missing, nullptr);
  EXPECT_FALSE(missing->numeric);
  EXPECT_EQ(missing->value, kMissingMark);
  // «Barnevern» in the grouped chart is suppressed throughout: no number in its column.
  const SheetTable grouped = FindTable(*risk, "Etter tjenestested");
  ASSERT_GE(grouped.heading_row, 0);
  const int column = grouped.columns.at("Barnevern");
  for (const char* label : {"Opplever mobbing", "Utsettes for vold"}) {
    const Cell* cell = risk->At(grouped.Row(*risk, label), column);
    ASSERT_NE(cell, nullptr);
    EXPECT_FALSE(cell->numeric);
    EXPECT_EQ(cell->value, kSuppressedMark);
  }
}

TEST_F(XlsxRenderer, HostileTextIsNeutralisedText) {
  std::size_t seen = 0;
  for (const auto& sheet : book_.sheets) {
    EXPECT_EQ(sheet.xml.find("<f>"), std::string::npos) << sheet.name;  // no formulas at all
    for (const auto& [place, cell] : sheet.cells) {
      if (cell.value.find("HYPERLINK") == std::string::npos) continue;
      ++seen;
      EXPECT_FALSE(cell.numeric);
      EXPECT_NE(cell.value.front(), '=') << cell.value;
      EXPECT_NE(cell.value.find(kHostileText), std::string::npos) << cell.value;
    }
  }
  // A bullet, three row labels (table 1 and two charts), a note and the chart's label column.
  EXPECT_GE(seen, 5u);
  const Sheet* risk = book_.Find("Kunnskap om risikofaktorer");
  ASSERT_NE(risk, nullptr);
  EXPECT_GE(risk->FindRow(std::string("'") + kHostileText), 0);
}

TEST_F(XlsxRenderer, SubsectionsGoOnTheirChaptersSheet) {
  const Sheet* risk = book_.Find("Kunnskap om risikofaktorer");
  ASSERT_NE(risk, nullptr);
  EXPECT_EQ(risk->Text(0, 0), "Kunnskap om risikofaktorer");
  // The subsection's heading is bold and comes after the chapter's own
  // blocks (the grouped chart is also called «Etter tjenestested»).
  const int table1 = risk->FindRow("Tabell 1. Andel etter tjenestested");
  const int heading = risk->FindRow("Etter tjenestested", table1);
  ASSERT_GT(heading, table1);
  EXPECT_TRUE(risk->At(heading, 0)->bold);
  EXPECT_GT(risk->FindRow("Tabell 2. Mange rader"), heading);
  EXPECT_GE(risk->FindRow("Rad 60"), 0);
  // Captions and column headings are bold; a blank row separates blocks.
  EXPECT_TRUE(risk->At(table1, 0)->bold);
  EXPECT_TRUE(risk->At(table1 + 1, 1)->bold);
  EXPECT_EQ(risk->Text(table1 - 1, 0), "");
}

TEST(XlsxRendererSheetNames, AreSanitisedTruncatedAndUnique) {
  Document doc;
  doc.title = "Arknavn";
  const std::string forty = "Kompetanse og samhandling i kommunene 12";  // 40 characters
  ASSERT_EQ(forty.size(), 40u);
  for (const std::string& title :
       {std::string("Mål/resultat: [2024]*?\\"), forty, forty, std::string("Sammendrag"),
        std::string("sammendrag"), std::string("Sammendrag"), std::string("Om rapporten"),
        std::string("'Sitat'"), std::string("[]:*?/\\"), std::string("Ærlig øving på Å")}) {
    doc.sections.push_back({"id", title, 1, {Paragraph{"Tekst"}}});
  }
  testing_support::ScratchDir scratch;
  const fs::path path = scratch / "navn.xlsx";
  const auto written = WriteXlsx(doc, path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  const Workbook book = ReadWorkbook(path);
  ASSERT_EQ(book.error, "");
  EXPECT_EQ(book.Names(), (std::vector<std::string>{
                              "Om rapporten",
                              "Målresultat 2024",
                              "Kompetanse og samhandling i kom",  // 31 characters
                              "Kompetanse og samhandling i (2)",
                              "Sammendrag",
                              "sammendrag (2)",
                              "Sammendrag (3)",
                              "Om rapporten (2)",
                              "Sitat",
                              "Kapittel 9",
                              "Ærlig øving på Å",
                          }));
  // Each sheet still opens with the section's full title.
  EXPECT_EQ(book.sheets.at(2).Text(0, 0), forty);
  EXPECT_EQ(book.sheets.at(1).Text(0, 0), "Mål/resultat: [2024]*?\\");
}

TEST(XlsxRendererErrors, NameTheUnwritablePath) {
  testing_support::ScratchDir scratch;
  // A folder where the file should be, and a file where a folder should be.
  const fs::path folder = scratch / "mappe.xlsx";
  fs::create_directories(folder / "innhold");
  std::ofstream(scratch / "fil.txt") << "x";
  for (const fs::path& path :
       {folder, scratch / "fil.txt" / "rapport.xlsx", scratch / "finnes-ikke" / "rapport.xlsx"}) {
    const auto written = WriteXlsx(SampleDocument(), path);
    ASSERT_FALSE(written.ok()) << path;
    const std::string& message = written.error().message;
    EXPECT_EQ(message.rfind(path.string() + ": ", 0), 0u) << message;
    EXPECT_FALSE(fs::exists(path.string() + ".tmp")) << path;
  }
  const auto missing = WriteXlsx(SampleDocument(), scratch / "finnes-ikke" / "rapport.xlsx");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("finnes ikke"), std::string::npos)
      << missing.error().message;
  const auto in_file = WriteXlsx(SampleDocument(), scratch / "fil.txt" / "rapport.xlsx");
  ASSERT_FALSE(in_file.ok());
  EXPECT_NE(in_file.error().message.find("er ikke en mappe"), std::string::npos)
      << in_file.error().message;
  const auto on_folder = WriteXlsx(SampleDocument(), folder);
  ASSERT_FALSE(on_folder.ok());
  EXPECT_NE(on_folder.error().message.find("mappe med det navnet"), std::string::npos)
      << on_folder.error().message;
}

// A folder that exists but takes no files (even for root): libxlsxwriter
// only fails at workbook_close.
TEST(XlsxRendererErrors, ReportFailureToCreateTheFile) {
  ASSERT_TRUE(fs::is_directory("/proc"));
  const fs::path path = "/proc/samkart-rapport.xlsx";
  const auto written = WriteXlsx(SampleDocument(), path);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().message.rfind(path.string() + ": Excel-filen kan ikke skrives (", 0),
            0u)
      << written.error().message;
  EXPECT_FALSE(fs::exists(path));
}

TEST(XlsxRendererEdgeCases, OddInputStillWritesAReadableWorkbook) {
  Document doc;
  doc.title = std::string("Ugyldig \xC3\x28 UTF-8 og \x01 kontrolltegn");
  doc.sections.push_back({"a", "Underavsnitt først", 2, {Paragraph{"Tekst"}}});
  doc.sections.push_back({"b", "Kapittel", 1, {DataTable{}, Chart{}, KeyFigures{}}});
  doc.sections.push_back({"c", "Tomt", 2, {}});
  testing_support::ScratchDir scratch;
  const fs::path path = scratch / "rar.xlsx";
  const auto written = WriteXlsx(doc, path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  const Workbook book = ReadWorkbook(path);
  ASSERT_EQ(book.error, "");
  EXPECT_EQ(book.Names(),
            (std::vector<std::string>{"Om rapporten", "Underavsnitt først", "Kapittel"}));
  EXPECT_NE(book.sheets.at(0).Text(0, 0).find("\uFFFD"), std::string::npos);
}

}  // namespace
}  // namespace samkart::report
