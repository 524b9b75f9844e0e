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

#include "samkart/report/theme.h"

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
  // So are the share's N and interval beside it.
  for (const char* column : {"Kommunen, N", "Kommunen, nedre grense", "Kommunen, øvre grense"}) {
    const Cell* cell = risk->At(row, table.columns.at(column));
    ASSERT_NE(cell, nullptr) << column;
    EXPECT_FALSE(cell->numeric) << column;
    EXPECT_EQ(cell->value, kSuppressedMark) << column;
  }
  std::vector<std::string> numbers;
  for (int col = 0; col < 16; ++col) {
    if (const Cell* cell = risk->At(row, col); cell != nullptr && cell->numeric) {
      numbers.push_back(cell->value);
    }
  }
  // The nation's share and its N; the sample carries no intervals.
  EXPECT_EQ(numbers, (std::vector<std::string>{"0.21", "24800"}));
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

TEST_F(XlsxRenderer, ChartsNotesDoNotDescribeAFigureTheWorkbookLacks) {
  const Sheet* risk = book_.Find("Kunnskap om risikofaktorer");
  ASSERT_NE(risk, nullptr);
  for (const auto& [place, cell] : risk->cells) {
    EXPECT_EQ(cell.value.find("Kommunen ligger over landet"), std::string::npos) << cell.value;
    EXPECT_NE(cell.value, "Fordeling av svar.");
  }
  // Under each chart's numbers, a plain note says where they come from.
  const SheetTable chart = FindTable(*risk, "Andel «i ganske stor grad» eller «i svært stor grad»");
  ASSERT_GE(chart.heading_row, 0);
  const int after = risk->FindRow("Tallene bak figuren i rapporten.", chart.heading_row);
  EXPECT_EQ(after, chart.heading_row + 4);  // right under its three rows
}

TEST_F(XlsxRenderer, HeadingsAndMarksUseTheReportTheme) {
  const Sheet* risk = book_.Find("Kunnskap om risikofaktorer");
  ASSERT_NE(risk, nullptr);
  const SheetTable table = FindTable(*risk, "Tabell 1. Andel etter tjenestested");
  ASSERT_GE(table.heading_row, 0);
  for (const auto& [name, column] : table.columns) {
    const Cell* heading = risk->At(table.heading_row, column);
    ASSERT_NE(heading, nullptr) << name;
    EXPECT_EQ(heading->fill, theme::kHeaderFill.Hex()) << name;
  }
  EXPECT_EQ(risk->At(0, 0)->font_colour, theme::kAccent.Hex());
  // «Samme størrelsesgruppe, nedre grense» wraps: its row is two lines tall.
  const SheetTable chart = FindTable(*risk, "Andel «i ganske stor grad» eller «i svært stor grad»");
  ASSERT_GE(chart.heading_row, 0);
  ASSERT_EQ(chart.columns.count("Samme størrelsesgruppe, nedre grense"), 1u);
  const std::string row = "<row r=\"" + std::to_string(chart.heading_row + 1) + "\"";
  const auto at = risk->xml.find(row);
  ASSERT_NE(at, std::string::npos);
  const std::string element = risk->xml.substr(at, risk->xml.find('>', at) - at);
  EXPECT_NE(element.find("ht=\"30\""), std::string::npos) << element;
  EXPECT_NE(element.find("customHeight=\"1\""), std::string::npos) << element;
}

// A table whose shares carry N and interval, one of them hidden, and
// differences that are better, worse and neither.
Document IntervalDocument() {
  Number share = SampleShare(0.62, 300);
  share.interval = {0.5625, 0.6875};
  Number nation = SampleShare(0.58, 25000);
  nation.interval = {0.574, 0.586};
  DataTable table;
  table.caption = "Andel etter tjenestested";
  table.columns = {"Tjeneste", "Kommunen", "Landet", "Forskjell"};
  TableCell better = PointsCell(SampleShare(4, 0), true);
  better.direction = Direction::kBetter;
  TableCell worse = PointsCell(SampleShare(-9, 0), true);
  worse.direction = Direction::kWorse;
  table.rows.push_back({TextCell("Skole", true), PercentCell(share), PercentCell(nation), better});
  table.rows.push_back({TextCell("Barnevern", true), PercentCell(Hidden()), PercentCell(nation),
                        PointsCell(Hidden(), false)});
  table.rows.push_back(
      {TextCell("Helsestasjon", true), PercentCell(share), PercentCell(nation), worse});
  table.rows.push_back({TextCell("Tannhelse", true), PercentCell(share), PercentCell(nation),
                        PointsCell(SampleShare(1, 0), false)});
  Document doc;
  doc.title = "Intervaller";
  doc.sections.push_back({"a", "Kapittel", 1, {table}});
  return doc;
}

TEST(XlsxRendererIntervals, EveryShareHasItsNAndIntervalBeside) {
  testing_support::ScratchDir scratch;
  const fs::path path = scratch / "intervall.xlsx";
  const auto written = WriteXlsx(IntervalDocument(), path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  const Workbook book = ReadWorkbook(path);
  ASSERT_EQ(book.error, "");
  const Sheet& sheet = book.sheets.at(1);
  const SheetTable table = FindTable(sheet, "Andel etter tjenestested");
  ASSERT_GE(table.heading_row, 0);
  std::vector<std::string> headings(table.columns.size());
  for (const auto& [name, column] : table.columns) headings.at(column) = name;
  EXPECT_EQ(headings, (std::vector<std::string>{"Tjeneste", "Kommunen", "Kommunen, N",
                                                "Kommunen, nedre grense", "Kommunen, øvre grense",
                                                "Landet", "Landet, N", "Landet, nedre grense",
                                                "Landet, øvre grense", "Forskjell"}));
  auto expect = [&](const char* row, const std::string& column, const char* value,
                    const char* format) {
    const Cell* cell = table.Get(sheet, row, column);
    ASSERT_NE(cell, nullptr) << row << " " << column;
    EXPECT_TRUE(cell->numeric) << row << " " << column;
    EXPECT_EQ(cell->value, value) << row << " " << column;
    EXPECT_EQ(cell->format, format) << row << " " << column;
  };
  expect("Skole", "Kommunen", "0.62", "0 %");
  expect("Skole", "Kommunen, N", "300", "#,##0");
  expect("Skole", "Kommunen, nedre grense", "0.5625", "0 %");
  expect("Skole", "Kommunen, øvre grense", "0.6875", "0 %");
  expect("Skole", "Landet, N", "25000", "#,##0");
  expect("Barnevern", "Landet, øvre grense", "0.586", "0 %");
  // The hidden share hides its N and interval too.
  const int hidden = table.Row(sheet, "Barnevern");
  for (const std::string column : {"Kommunen", "Kommunen, N", "Kommunen, nedre grense",
                                   "Kommunen, øvre grense", "Forskjell"}) {
    const Cell* cell = sheet.At(hidden, table.columns.at(column));
    ASSERT_NE(cell, nullptr) << column;
    EXPECT_FALSE(cell->numeric) << column;
    EXPECT_EQ(cell->value, kSuppressedMark) << column;
  }
  // The note says what the new columns hold.
  EXPECT_GE(sheet.FindRow("N er antall svar andelen bygger på. Nedre og øvre grense er et "
                          "95 %-konfidensintervall for andelen."),
            table.heading_row);
}

TEST(XlsxRendererIntervals, DifferencesAreColouredByWhatTheyMean) {
  testing_support::ScratchDir scratch;
  const fs::path path = scratch / "retning.xlsx";
  ASSERT_TRUE(WriteXlsx(IntervalDocument(), path).ok());
  const Workbook book = ReadWorkbook(path);
  ASSERT_EQ(book.error, "");
  const Sheet& sheet = book.sheets.at(1);
  const SheetTable table = FindTable(sheet, "Andel etter tjenestested");
  const Cell* better = table.Get(sheet, "Skole", "Forskjell");
  const Cell* worse = table.Get(sheet, "Helsestasjon", "Forskjell");
  const Cell* neutral = table.Get(sheet, "Tannhelse", "Forskjell");
  ASSERT_TRUE(better != nullptr && worse != nullptr && neutral != nullptr);
  EXPECT_EQ(better->font_colour, theme::kBetter.Hex());
  EXPECT_TRUE(better->bold);
  EXPECT_EQ(better->format, "+0\"*\";-0\"*\";0\"*\"");
  EXPECT_EQ(worse->font_colour, theme::kWorse.Hex());
  EXPECT_TRUE(worse->bold);
  EXPECT_EQ(worse->value, "-9");
  EXPECT_NE(neutral->font_colour, theme::kBetter.Hex());
  EXPECT_NE(neutral->font_colour, theme::kWorse.Hex());
  EXPECT_FALSE(neutral->bold);
  EXPECT_EQ(neutral->format, "+0;-0;0");
}

// The sheet names a workbook with one chapter per title gets, the front sheet first.
std::vector<std::string> SheetNamesFor(const std::vector<std::string>& titles) {
  Document doc;
  doc.title = "Arknavn";
  for (const std::string& title : titles) {
    doc.sections.push_back({"id", title, 1, {Paragraph{"Tekst"}}});
  }
  testing_support::ScratchDir scratch;
  const fs::path path = scratch / "navn.xlsx";
  const auto written = WriteXlsx(doc, path);
  EXPECT_TRUE(written.ok()) << written.error().message;
  const Workbook book = ReadWorkbook(path);
  EXPECT_EQ(book.error, "");
  for (std::size_t i = 0; i < titles.size() && i + 1 < book.sheets.size(); ++i) {
    EXPECT_EQ(book.sheets[i + 1].Text(0, 0), titles[i]);  // the full title opens the sheet
  }
  return book.Names();
}

TEST(XlsxRendererSheetNames, AreSanitisedTruncatedAndUnique) {
  const std::string forty = "Kompetanse og samhandling i kommunene 12";  // 40 characters
  ASSERT_EQ(forty.size(), 40u);
  EXPECT_EQ(
      SheetNamesFor({"Mål/resultat: [2024]*?\\", forty, forty, "Sammendrag", "sammendrag",
                     "Sammendrag", "Om rapporten", "'Sitat'", "[]:*?/\\", "Ærlig øving på Å"}),
      (std::vector<std::string>{
          "Om rapporten",
          "Mål-resultat 2024",
          "Kompetanse og samhandling",  // not «… i kom», nor ending on «i»
          "Kompetanse og samhandling (2)",
          "Sammendrag",
          "sammendrag (2)",
          "Sammendrag (3)",
          "Om rapporten (2)",
          "Sitat",
          "Kapittel 9",
          "Ærlig øving på Å",
      }));
}

TEST(XlsxRendererSheetNames, KeepWhatTheInstrumentsTitlesSay) {
  const std::vector<std::string> names = SheetNamesFor(
      {"Kunnskap om barn og unge fra minoritetsfamilier", "Samtale med foreldre/foresatte",
       "Involvering av barn/unge", "Kjennskap til veilederen Barn som pårørende",
       "Barn\\unge: tiltak", "Kunnskap om barn og unge fra minoritetsfamilier",
       "Tverrfaglighetsbetraktningsomfangsvurderingene", "Samarbeid med foreldre/foresatte",
       "Kunnskap om beskyttelsesfaktorer", "Kunnskap om økonomistøtteordningene"});
  EXPECT_EQ(names, (std::vector<std::string>{
                       "Om rapporten",
                       "Kunnskap om barn og unge",
                       "Samtale med foreldre-foresatte",
                       "Involvering av barn-unge",
                       "Kjennskap til veilederen Barn",
                       "Barn-unge tiltak",
                       "Kunnskap om barn og unge (2)",
                       "Tverrfaglighetsbetraktningsomfa",  // one word: cut only where it must be
                       "Samarbeid med foreldre",           // at the hyphen that stood for «/»
                       "Beskyttelsesfaktorer",             // not «Kunnskap», which says little
                       "Økonomistøtteordningene",
                   }));
  for (const std::string& name : names) {
    const auto characters = std::count_if(name.begin(), name.end(), [](char c) {
      return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    });
    EXPECT_LE(characters, 31) << name;
  }
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
