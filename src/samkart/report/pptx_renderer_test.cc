#include "samkart/report/pptx_renderer.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <zip.h>

#include "support/sample_document.h"
#include "support/scratch_dir.h"
#include "support/xlsx_workbook.h"

namespace samkart::report {
namespace {

namespace fs = std::filesystem;
using testing_support::Element;
using testing_support::kHostileText;
using testing_support::ParseXml;
using testing_support::SampleDocument;
using testing_support::SampleShare;

// Every part of a zip by name; empty when it cannot be opened.
std::map<std::string, std::string> ReadParts(const fs::path& path) {
  std::map<std::string, std::string> parts;
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (archive == nullptr) return parts;
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t stat;
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat) != 0) continue;
    zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
    if (file == nullptr) continue;
    std::string data(stat.size, '\0');
    zip_fread(file, data.data(), stat.size);
    zip_fclose(file);
    parts[stat.name] = std::move(data);
  }
  zip_close(archive);
  return parts;
}

std::size_t CountPrefix(const std::map<std::string, std::string>& parts, const std::string& dir) {
  std::size_t n = 0;
  for (const auto& [name, data] : parts) {
    n += name.rfind(dir, 0) == 0 && name.find("/_rels/") == std::string::npos &&
         name.ends_with(".xml");
  }
  return n;
}

// The text of every a:t (slides) and c:v (chart caches) in a part, a line each.
std::string SlideText(const std::string& xml) {
  const auto root = ParseXml(xml);
  if (root == nullptr) return "";
  std::string text;
  for (const Element* t : root->FindAll("a:t")) text += t->text + "\n";
  for (const Element* v : root->FindAll("c:v")) text += v->text + "\n";
  return text;
}

class PptxRenderer : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = scratch_ / "rapport.pptx";
    const auto written = WritePptx(document_, path_);
    ASSERT_TRUE(written.ok()) << written.error().message;
    parts_ = ReadParts(path_);
    ASSERT_FALSE(parts_.empty());
  }

  std::string Slide(std::size_t n) const {
    const auto found = parts_.find("ppt/slides/slide" + std::to_string(n) + ".xml");
    return found == parts_.end() ? "" : found->second;
  }

  Document document_ = SampleDocument();
  testing_support::ScratchDir scratch_;
  fs::path path_;
  std::map<std::string, std::string> parts_;
};

TEST_F(PptxRenderer, HasThePartsOfAPresentationAndEveryPartIsWellFormed) {
  for (const char* name :
       {"[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml",
        "ppt/presentation.xml", "ppt/_rels/presentation.xml.rels",
        "ppt/slideMasters/slideMaster1.xml", "ppt/slideLayouts/slideLayout1.xml",
        "ppt/theme/theme1.xml", "ppt/slides/slide1.xml", "ppt/charts/chart1.xml"}) {
    EXPECT_TRUE(parts_.contains(name)) << name;
  }
  for (const auto& [name, data] : parts_) {
    if (name.ends_with(".xlsx")) continue;  // a chart's workbook: binary
    EXPECT_NE(ParseXml(data), nullptr) << name;
  }
  EXPECT_FALSE(fs::exists(path_.string() + ".tmp"));
  EXPECT_EQ(std::distance(fs::directory_iterator(scratch_.path()), fs::directory_iterator()), 1)
      << "the charts' temporary workbooks are gone";
  // Each slide and chart is declared and related.
  const std::string& types = parts_.at("[Content_Types].xml");
  const std::string& rels = parts_.at("ppt/_rels/presentation.xml.rels");
  const std::size_t slides = CountPrefix(parts_, "ppt/slides/");
  for (std::size_t i = 1; i <= slides; ++i) {
    const std::string slide = "slides/slide" + std::to_string(i) + ".xml";
    EXPECT_NE(types.find("/ppt/" + slide), std::string::npos) << slide;
    EXPECT_NE(rels.find("Target=\"" + slide + "\""), std::string::npos) << slide;
  }
  for (std::size_t i = 1; i <= CountPrefix(parts_, "ppt/charts/"); ++i) {
    EXPECT_NE(types.find("/ppt/charts/chart" + std::to_string(i) + ".xml"), std::string::npos);
  }
}

TEST_F(PptxRenderer, HasTheSlidesTheSampleDocumentCallsFor) {
  // Title; Sammendrag (paragraph, list and key figures on one slide); risk:
  // paragraph with the bars, then the grouped and the stacked chart (its
  // table is not repeated); cooperation. The subsection «Etter
  // tjenestested» holds only a table of detail: it stays in the PDF and
  // XLSX, one slide per chapter is what a meeting can take.
  EXPECT_EQ(CountPrefix(parts_, "ppt/slides/"), 1u + 1 + 3 + 1);
  EXPECT_EQ(CountPrefix(parts_, "ppt/charts/"), 3u);
  const std::string title = SlideText(Slide(1));
  EXPECT_NE(title.find(document_.title), std::string::npos);
  EXPECT_NE(title.find(document_.subtitle), std::string::npos);
  EXPECT_NE(title.find("N = 312 svar"), std::string::npos);
  EXPECT_NE(SlideText(Slide(2)).find("Sammendrag"), std::string::npos);
  EXPECT_NE(SlideText(Slide(4)).find("Kunnskap om risikofaktorer (forts.)"), std::string::npos);
  for (std::size_t i = 1; i <= 6; ++i) {
    EXPECT_EQ(SlideText(Slide(i)).find("Rad 1\n"), std::string::npos) << i;
  }
  EXPECT_NE(SlideText(Slide(6)).find("Samarbeid mellom tjenestene"), std::string::npos);
}

struct ChartData {
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> categories;        // per series
  std::vector<std::map<std::string, std::string>> values;  // per series: index → value
  bool top_down = false;
};

ChartData ReadChart(const std::string& xml) {
  ChartData data;
  const auto root = ParseXml(xml);
  if (root == nullptr) return data;
  for (const Element* ser : root->FindAll("c:ser")) {
    data.names.push_back(ser->FindAll("c:tx").at(0)->FindAll("c:v").at(0)->text);
    std::vector<std::string> categories;
    for (const Element* v : ser->FindAll("c:cat").at(0)->FindAll("c:v")) {
      categories.push_back(v->text);
    }
    data.categories.push_back(categories);
    std::map<std::string, std::string> values;
    for (const Element* pt : ser->FindAll("c:val").at(0)->FindAll("c:pt")) {
      values[pt->Attribute("idx")] = pt->FindAll("c:v").at(0)->text;
    }
    data.values.push_back(values);
  }
  for (const Element* axis : root->FindAll("c:catAx")) {
    data.top_down = axis->FindAll("c:orientation").at(0)->Attribute("val") == "maxMin";
  }
  return data;
}

TEST_F(PptxRenderer, EveryChartHoldsTheDocumentsLabelsAndValues) {
  std::vector<const Chart*> charts;
  for (const auto& section : document_.sections) {
    for (const auto& block : section.blocks) {
      if (const auto* chart = std::get_if<Chart>(&block)) charts.push_back(chart);
    }
  }
  ASSERT_EQ(charts.size(), 3u);
  for (std::size_t c = 0; c < charts.size(); ++c) {
    const Chart& chart = *charts[c];
    const ChartData data =
        ReadChart(parts_.at("ppt/charts/chart" + std::to_string(c + 1) + ".xml"));
    EXPECT_TRUE(data.top_down) << "the first label at the top";
    std::vector<ChartSeries> expected = chart.series;
    if (chart.kind == ChartKind::kBars) {
      expected.insert(expected.end(), chart.markers.begin(), chart.markers.end());
    }
    ASSERT_EQ(data.names.size(), expected.size()) << chart.title;
    for (std::size_t s = 0; s < expected.size(); ++s) {
      EXPECT_EQ(data.names[s], expected[s].name);
      EXPECT_EQ(data.categories[s], chart.labels) << chart.title;
      for (std::size_t i = 0; i < chart.labels.size(); ++i) {
        const Number& number = expected[s].values[i];
        const auto found = data.values[s].find(std::to_string(i));
        if (!number.Visible()) {
          EXPECT_EQ(found, data.values[s].end()) << chart.title << " " << i;
        } else {
          ASSERT_NE(found, data.values[s].end()) << chart.title << " " << i;
          EXPECT_DOUBLE_EQ(std::strtod(found->second.c_str(), nullptr), number.value);
        }
      }
    }
  }
  // The embedded workbook holds the same numbers, for «Rediger data».
  EXPECT_NE(parts_.at("ppt/charts/_rels/chart1.xml.rels")
                .find("Target=\"../embeddings/Microsoft_Excel_Worksheet1.xlsx\""),
            std::string::npos);
  const fs::path book_path = scratch_ / "diagram1.xlsx";
  std::ofstream(book_path, std::ios::binary)
      << parts_.at("ppt/embeddings/Microsoft_Excel_Worksheet1.xlsx");
  const testing_support::Workbook book = testing_support::ReadWorkbook(book_path);
  ASSERT_EQ(book.error, "");
  const testing_support::Sheet& sheet = book.sheets.at(0);
  EXPECT_EQ(sheet.Text(0, 1), "Kommunen");
  EXPECT_EQ(sheet.Text(0, 3), "Samme størrelsesgruppe");
  EXPECT_EQ(sheet.Text(1, 0), "Opplever mobbing");
  ASSERT_NE(sheet.At(1, 1), nullptr);
  EXPECT_TRUE(sheet.At(1, 1)->numeric);
  EXPECT_EQ(sheet.At(1, 1)->value, "0.62");
  EXPECT_EQ(sheet.At(1, 1)->format, "0 %");
  EXPECT_EQ(sheet.Text(3, 1), kSuppressedMark);  // the hidden third label
  EXPECT_EQ(sheet.Text(2, 3), kMissingMark);

  const std::string bars = parts_.at("ppt/charts/chart1.xml");
  EXPECT_NE(bars.find("<c:barDir val=\"bar\"/>"), std::string::npos);
  EXPECT_NE(bars.find("<c:grouping val=\"clustered\"/>"), std::string::npos);
  EXPECT_NE(bars.find("formatCode=\"0 %\""), std::string::npos);
  const std::string stacked = parts_.at("ppt/charts/chart3.xml");
  EXPECT_NE(stacked.find("<c:grouping val=\"percentStacked\"/>"), std::string::npos);
  EXPECT_NE(stacked.find("<c:overlap val=\"100\"/>"), std::string::npos);
}

TEST(PptxRendererSuppression, AHiddenNumberAppearsNowhereInTheFile) {
  // A suppressed number that still carries a value: the renderer must
  // never read it, in a chart's cache, a label, a tile or a table.
  Number hidden = SampleShare(0.4321, 7);
  hidden.suppressed = true;
  Document doc;
  doc.title = "Skjult";
  Section section{"a", "Tall", 1, {}};
  section.blocks.push_back(KeyFigures{{{hidden, CellFormat::kPercent, "skjult andel"}}});
  Chart chart;
  chart.title = "Diagram";
  chart.labels = {"Synlig", "Skjult"};
  chart.series = {{"Kommunen", {SampleShare(0.5, 100), hidden}}};
  chart.markers = {{"Landet", {hidden, SampleShare(0.6, 1000)}, Reference::kNation}};
  section.blocks.push_back(chart);
  doc.sections.push_back(section);
  Section table_section{"b", "Tabell", 1, {}};
  DataTable table;
  table.columns = {"Rad", "Andel"};
  table.rows = {{TextCell("Skjult"), PercentCell(hidden)}};
  table_section.blocks.push_back(table);
  doc.sections.push_back(table_section);
  Chart grid = chart;
  grid.kind = ChartKind::kGrid;
  doc.sections.push_back({"c", "Rutenett", 1, {grid}});

  testing_support::ScratchDir scratch;
  const fs::path path = scratch / "skjult.pptx";
  ASSERT_TRUE(WritePptx(doc, path).ok());
  const auto parts = ReadParts(path);
  ASSERT_FALSE(parts.empty());
  std::size_t marks = 0;
  auto all = parts;
  // The charts' embedded workbooks are zips too: their parts are searched as well.
  for (const auto& [name, data] : parts) {
    if (!name.ends_with(".xlsx")) continue;
    const fs::path book = scratch / "innebygd.xlsx";
    std::ofstream(book, std::ios::binary) << data;
    for (auto& [inner, xml] : ReadParts(book)) all[name + "/" + inner] = xml;
  }
  EXPECT_GT(all.size(), parts.size());
  for (const auto& [name, data] : all) {
    if (name.ends_with(".xlsx")) continue;
    for (const char* leak : {"0.4321", "0.432", "43 %", "43\u00a0%", ">43<", ">7<"}) {
      EXPECT_EQ(data.find(leak), std::string::npos) << name << " holds " << leak;
    }
    if (name.rfind("ppt/slides/slide", 0) == 0 || name.rfind("ppt/charts/", 0) == 0) {
      for (std::size_t at = 0; (at = data.find(">:<", at)) != std::string::npos; ++at) ++marks;
    }
  }
  // The mark stands in the tile, the table, the grid and on both charts' bars.
  EXPECT_GE(marks, 5u);
}

TEST(PptxRendererText, IsEscapedAndValid) {
  Document doc = SampleDocument();
  doc.title = "Tittel <&> «med» \"sitat\"";
  doc.subtitle = std::string("Ugyldig \xC3\x28 UTF-8 og \x01 kontrolltegn");
  testing_support::ScratchDir scratch;
  const fs::path path = scratch / "tekst.pptx";
  ASSERT_TRUE(WritePptx(doc, path).ok());
  const auto parts = ReadParts(path);
  const std::string& slide = parts.at("ppt/slides/slide1.xml");
  EXPECT_NE(slide.find("Tittel &lt;&amp;&gt; «med» &quot;sitat&quot;"), std::string::npos);
  const std::string text = SlideText(slide);
  EXPECT_NE(text.find(doc.title), std::string::npos);
  EXPECT_NE(text.find("Ugyldig \uFFFD( UTF-8 og  kontrolltegn"), std::string::npos) << text;
  EXPECT_NE(parts.at("docProps/core.xml").find("Tittel &lt;&amp;&gt;"), std::string::npos);
  // The hostile string survives as text in a bullet and two charts' categories.
  std::size_t hostile = 0;
  for (const auto& [name, data] : parts) {
    if (name.ends_with(".xlsx")) continue;  // a chart's workbook: binary
    ASSERT_NE(ParseXml(data), nullptr) << name;
    EXPECT_EQ(data.find("<script>"), std::string::npos) << name;
    if (SlideText(data).find(kHostileText) != std::string::npos) ++hostile;
  }
  EXPECT_GE(hostile, 3u);
}

TEST(PptxRendererText, AChapterOfOnlyATableShowsWhatFitsAndSaysWhatIsLeft) {
  Document doc = SampleDocument();
  for (Section& section : doc.sections) {
    if (section.title == "Etter tjenestested") section.level = 1;
  }
  testing_support::ScratchDir scratch;
  const fs::path path = scratch / "tabell.pptx";
  ASSERT_TRUE(WritePptx(doc, path).ok());
  const auto parts = ReadParts(path);
  std::string text;
  for (std::size_t i = 1; i <= CountPrefix(parts, "ppt/slides/"); ++i) {
    text += SlideText(parts.at("ppt/slides/slide" + std::to_string(i) + ".xml"));
  }
  EXPECT_NE(text.find("Rad 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Rad 10\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("Rad 60\n"), std::string::npos) << text;
  EXPECT_NE(text.find("rader til"), std::string::npos) << text;
}

TEST(PptxRendererText, ASectionAMeetingWorksFromGetsSlidesInsideItsChapter) {
  Document doc;
  doc.title = "Kommune";
  Section chapter{"kompetansedeling", "Hvor kunnskapen er", 1, {Paragraph{"Innledning."}}};
  Section pairs{"delingspar", "Hvem kan dele med hvem", 2, {Paragraph{"PPT → Barnehage."}}};
  Section detail{"detalj", "Bare i PDF", 2, {Paragraph{"Detaljer."}}};
  doc.sections = {chapter, pairs, detail};
  testing_support::ScratchDir scratch;
  const fs::path without = scratch / "uten.pptx";
  ASSERT_TRUE(WritePptx(doc, without).ok());
  const std::size_t before = CountPrefix(ReadParts(without), "ppt/slides/");
  doc.sections[1].on_slides = true;
  const fs::path with = scratch / "med.pptx";
  ASSERT_TRUE(WritePptx(doc, with).ok());
  const auto parts = ReadParts(with);
  const std::size_t slides = CountPrefix(parts, "ppt/slides/");
  EXPECT_EQ(slides, before + 1);
  std::string text;
  for (std::size_t i = 1; i <= slides; ++i) {
    text += SlideText(parts.at("ppt/slides/slide" + std::to_string(i) + ".xml"));
  }
  EXPECT_NE(text.find("Hvem kan dele med hvem"), std::string::npos) << text;
  EXPECT_NE(text.find("PPT → Barnehage."), std::string::npos) << text;
  EXPECT_EQ(text.find("Bare i PDF"), std::string::npos) << text;
}

TEST(PptxRendererText, WorkshopPromptsEndTheDeckAsEmptySlides) {
  Document doc = SampleDocument();
  doc.workshop_prompts = {"Hva tenker prosjektgruppa om resultatene?", "Hva gjør vi nå?"};
  testing_support::ScratchDir scratch;
  const fs::path path = scratch / "verksted.pptx";
  ASSERT_TRUE(WritePptx(doc, path).ok());
  const auto parts = ReadParts(path);
  const std::size_t slides = CountPrefix(parts, "ppt/slides/");
  ASSERT_EQ(slides, 6u + 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string name = "ppt/slides/slide" + std::to_string(slides - 1 + i) + ".xml";
    EXPECT_EQ(SlideText(parts.at(name)), doc.workshop_prompts[i] + "\n") << name;
  }
}

TEST(PptxRendererText, LongListsAreSplitAndTakeawaysShown) {
  Document doc;
  doc.title = "Lister";
  Section section{"a", "Mange punkter", 1, {}};
  section.takeaway = "Over resten av landet på 2 av 12 spørsmål";
  BulletList list;
  for (int i = 1; i <= 16; ++i) list.items.push_back("Punkt " + std::to_string(i));
  section.blocks.push_back(list);
  section.blocks.push_back(BulletList{{"1. Først", "2. Så"}});
  doc.sections.push_back(section);
  testing_support::ScratchDir scratch;
  const fs::path path = scratch / "lister.pptx";
  ASSERT_TRUE(WritePptx(doc, path).ok());
  const auto parts = ReadParts(path);
  // 16 items: 13 of them over two slides, then a line saying 3 more are in the PDF.
  ASSERT_EQ(CountPrefix(parts, "ppt/slides/"), 1u + 2);
  const std::string first = parts.at("ppt/slides/slide2.xml");
  EXPECT_NE(SlideText(first).find(section.takeaway), std::string::npos);
  EXPECT_NE(SlideText(first).find("Punkt 7\n"), std::string::npos);
  EXPECT_EQ(SlideText(first).find("Punkt 8\n"), std::string::npos);
  const std::string second = SlideText(parts.at("ppt/slides/slide3.xml"));
  EXPECT_NE(second.find("Mange punkter (forts.)"), std::string::npos);
  EXPECT_EQ(second.find(section.takeaway), std::string::npos);
  EXPECT_NE(second.find("Punkt 13\n… og 3 til i PDF-rapporten\n"), std::string::npos) << second;
  // A list that numbers itself gets no bullet on top.
  const std::string last = parts.at("ppt/slides/slide3.xml");
  EXPECT_NE(last.find("<a:buNone/></a:pPr><a:r><a:rPr lang=\"nb-NO\" sz=\"1800\" b=\"0\""),
            std::string::npos);
  std::size_t bullets = 0;
  for (std::size_t at = 0; (at = last.find("<a:buChar", at)) != std::string::npos; ++at) ++bullets;
  EXPECT_EQ(bullets, 7u);  // «Punkt 8» to «Punkt 13» and the line about the rest
}

TEST(PptxRendererErrors, NameTheUnwritablePath) {
  testing_support::ScratchDir scratch;
  const auto written = WritePptx(SampleDocument(), scratch / "finnes-ikke" / "rapport.pptx");
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().message.find("finnes ikke"), std::string::npos)
      << written.error().message;
}

}  // namespace
}  // namespace samkart::report
