#include "samkart/report/pdf_renderer.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "samkart/present/hyphenation.h"
#include "samkart/report/theme.h"

#include "support/run_samkart.h"
#include "support/sample_document.h"
#include "support/scratch_dir.h"

namespace samkart::report {
namespace {

namespace fs = std::filesystem;
using testing_support::kHostileText;
using testing_support::ReadWholeFile;
using testing_support::RunShell;
using testing_support::SampleDocument;
using testing_support::ScratchDir;

// The page geometry the renderer promises (points).
constexpr double kPageWidth = 595.276;
constexpr double kPageHeight = 841.89;
constexpr double kMargin = 56.69;

std::string Quote(const fs::path& path) { return "'" + path.string() + "'"; }

// poppler-utils are part of the build environment; their absence is a failure.
::testing::AssertionResult PopplerTools() {
  for (const char* tool : {"pdfinfo", "pdftotext", "pdffonts", "pdftoppm", "pdftohtml"}) {
    if (RunShell(std::string("command -v ") + tool).exit_code != 0) {
      return ::testing::AssertionFailure()
             << tool << " is missing: install poppler-utils to run the PDF tests";
    }
  }
  return ::testing::AssertionSuccess();
}

std::string Tool(const std::string& command) {
  const auto run = RunShell(command);
  EXPECT_EQ(run.exit_code, 0) << command << "\n" << run.output;
  return run.output;
}

int PdfinfoPages(const fs::path& pdf) {
  std::istringstream in(Tool("pdfinfo " + Quote(pdf)));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Pages:", 0) == 0) return std::atoi(line.substr(6).c_str());
  }
  return -1;
}

// The text of each page in layout mode; pages are separated by form feeds.
std::vector<std::string> PageTexts(const fs::path& pdf) {
  std::string text = Tool("pdftotext -layout " + Quote(pdf) + " -");
  std::vector<std::string> pages;
  std::size_t start = 0;
  for (std::size_t ff; (ff = text.find('\f', start)) != std::string::npos; start = ff + 1) {
    pages.push_back(text.substr(start, ff - start));
  }
  return pages;
}

std::string Collapse(const std::string& line) {
  std::string out;
  std::istringstream words(line);
  for (std::string word; words >> word;) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// ---- words with their boxes (pdftotext -bbox)

struct Word {
  std::string text;
  double x_min, y_min, x_max, y_max;
};

std::string Attribute(const std::string& tag, const std::string& name) {
  const std::size_t at = tag.find(name + "=\"");
  if (at == std::string::npos) return "";
  const std::size_t start = at + name.size() + 2;
  return tag.substr(start, tag.find('"', start) - start);
}

std::string Unescape(std::string s) {
  const std::pair<const char*, const char*> entities[] = {{"&lt;", "<"},    {"&gt;", ">"},
                                                          {"&quot;", "\""}, {"&apos;", "'"},
                                                          {"&#39;", "'"},   {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (std::size_t at; (at = s.find(from)) != std::string::npos;) s.replace(at, strlen(from), to);
  }
  return s;
}

std::vector<std::vector<Word>> PageWords(const fs::path& pdf, const ScratchDir& scratch) {
  const fs::path html = scratch / "bbox.html";
  Tool("pdftotext -bbox " + Quote(pdf) + " " + Quote(html));
  const std::string text = ReadWholeFile(html);
  std::vector<std::vector<Word>> pages;
  std::size_t at = 0;
  while (true) {
    const std::size_t page = text.find("<page ", at);
    const std::size_t word = text.find("<word ", at);
    if (page == std::string::npos && word == std::string::npos) break;
    if (page != std::string::npos && page < word) {
      pages.emplace_back();
      at = page + 1;
      continue;
    }
    const std::size_t tag_end = text.find('>', word);
    const std::size_t close = text.find("</word>", tag_end);
    const std::string tag = text.substr(word, tag_end - word);
    if (!pages.empty()) {
      pages.back().push_back({Unescape(text.substr(tag_end + 1, close - tag_end - 1)),
                              std::stod(Attribute(tag, "xMin")), std::stod(Attribute(tag, "yMin")),
                              std::stod(Attribute(tag, "xMax")),
                              std::stod(Attribute(tag, "yMax"))});
    }
    at = close;
  }
  return pages;
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// Pages (1-based) where `title` stands as words taller than `min_height` points.
std::set<int> PagesWithHeading(const std::vector<std::vector<Word>>& pages,
                               const std::string& title, double min_height) {
  const std::vector<std::string> wanted = Split(title);
  std::set<int> found;
  for (std::size_t p = 0; p < pages.size(); ++p) {
    const auto& words = pages[p];
    for (std::size_t i = 0; i + wanted.size() <= words.size(); ++i) {
      bool match = true;
      for (std::size_t k = 0; k < wanted.size() && match; ++k) {
        const Word& w = words[i + k];
        match = w.text == wanted[k] && w.y_max - w.y_min > min_height;
      }
      if (match) found.insert(static_cast<int>(p) + 1);
    }
  }
  return found;
}

// ---- rendered pages (pdftoppm -gray, binary PGM)

struct Gray {
  int width = 0, height = 0;
  std::vector<unsigned char> pixels;
  int at(int x, int y) const { return pixels[static_cast<std::size_t>(y * width + x)]; }
};

Gray ReadPgm(const fs::path& file) {
  const std::string bytes = ReadWholeFile(file);
  Gray image;
  std::istringstream in(bytes);
  std::string magic;
  int max = 0;
  in >> magic >> image.width >> image.height >> max;
  in.get();  // the single whitespace before the raster
  if (magic != "P5" || max != 255) return {};
  const auto offset = static_cast<std::size_t>(in.tellg());
  image.pixels.assign(bytes.begin() + static_cast<long>(offset), bytes.end());
  if (image.pixels.size() != static_cast<std::size_t>(image.width * image.height)) return {};
  return image;
}

Document WithTitle(Document document, const std::string& title) {
  document.title = title;
  return document;
}

class PdfRenderer : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(PopplerTools()); }

  // Renders and checks the basics every test relies on.
  int Render(const Document& document, const fs::path& pdf) {
    const auto pages = WritePdf(document, pdf);
    EXPECT_TRUE(pages.ok()) << pages.error().message;
    return pages.ok() ? *pages : -1;
  }

  ScratchDir scratch_;
};

TEST_F(PdfRenderer, WritesA4PdfWithThePageCountPdfinfoReads) {
  const fs::path pdf = scratch_ / "rapport.pdf";
  const int pages = Render(SampleDocument(60), pdf);
  ASSERT_GT(pages, 3);  // title, contents and a body that spans pages
  EXPECT_EQ(ReadWholeFile(pdf).substr(0, 5), "%PDF-");
  EXPECT_EQ(PdfinfoPages(pdf), pages);

  // Every page is A4 portrait.
  const std::string sizes = Tool("pdfinfo -f 1 -l " + std::to_string(pages) + " " + Quote(pdf) +
                                 " | grep '^Page .* size:'");
  const auto lines = Lines(sizes);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(pages)) << sizes;
  for (const auto& line : lines) {
    EXPECT_NE(line.find("595.276 x 841.89 pts (A4)"), std::string::npos) << line;
  }
  std::map<std::string, std::string> info;
  for (const auto& line : Lines(Tool("pdfinfo " + Quote(pdf)))) {
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) info[line.substr(0, colon)] = Collapse(line.substr(colon + 1));
  }
  EXPECT_EQ(info["Title"], "Kompetanse og samhandling – Øvre Ærø kommune (syntetisk)");
  EXPECT_EQ(info["Creator"], "Samkart");

  // No temporary left beside the file.
  EXPECT_EQ(std::distance(fs::directory_iterator(scratch_.path()), fs::directory_iterator()), 1);

  const fs::path longer = scratch_ / "lang.pdf";
  const int long_pages = Render(SampleDocument(400), longer);
  EXPECT_GT(long_pages, pages + 3);
  EXPECT_EQ(PdfinfoPages(longer), long_pages);
}

TEST_F(PdfRenderer, TextHasTitlesNorwegianLettersHostileTextAndFooters) {
  const fs::path pdf = scratch_ / "rapport.pdf";
  const Document document = SampleDocument(60);
  const int pages = Render(document, pdf);
  ASSERT_GT(pages, 0);
  const std::string text = Tool("pdftotext " + Quote(pdf) + " -");
  for (const std::string& wanted :
       {document.title, document.subtitle, std::string("Innhold"), std::string("Tegnforklaring"),
        std::string("Åtti prosent har vært bekymret"), std::string("færre enn 10 svar"),
        std::string("«i ganske stor grad»"), std::string("Samme størrelsesgruppe"),
        std::string(kHostileText), std::string("Tabell 2. Mange rader"),
        std::string("Kommunen ligger over landet")}) {
    EXPECT_NE(text.find(wanted), std::string::npos) << "missing: " << wanted;
  }
  for (const auto& section : document.sections) {
    EXPECT_NE(text.find(section.title), std::string::npos) << "missing: " << section.title;
  }

  // Every page but the title page has «Side X av Y».
  const auto texts = PageTexts(pdf);
  ASSERT_EQ(texts.size(), static_cast<std::size_t>(pages));
  EXPECT_EQ(texts[0].find("Side "), std::string::npos);
  for (int p = 2; p <= pages; ++p) {
    const std::string footer = "Side " + std::to_string(p) + " av " + std::to_string(pages);
    EXPECT_NE(texts[static_cast<std::size_t>(p - 1)].find(footer), std::string::npos)
        << "page " << p;
  }
}

TEST_F(PdfRenderer, ContentsGivesThePageWhereEachSectionHeadingIs) {
  const fs::path pdf = scratch_ / "rapport.pdf";
  const Document document = SampleDocument(60);
  const int pages = Render(document, pdf);
  ASSERT_GT(pages, 2);
  const std::string contents = Tool("pdftotext -layout -f 2 -l 2 " + Quote(pdf) + " -");
  ASSERT_NE(contents.find("Innhold"), std::string::npos) << contents;

  // Headings are set larger than body text and chart titles (the chart
  // «Etter tjenestested» shares its title with a section).
  const auto words = PageWords(pdf, scratch_);
  ASSERT_EQ(words.size(), static_cast<std::size_t>(pages));
  std::vector<int> listed_pages;
  for (const auto& section : document.sections) {
    int listed = -1;
    for (const auto& line : Lines(contents)) {
      const std::string collapsed = Collapse(line);
      const std::size_t space = collapsed.rfind(' ');
      if (space == std::string::npos || collapsed.substr(0, space) != section.title) continue;
      listed = std::atoi(collapsed.substr(space + 1).c_str());
    }
    ASSERT_GT(listed, 2) << section.title << " not in the contents:\n" << contents;
    EXPECT_EQ(PagesWithHeading(words, section.title, 13.0), std::set<int>{listed}) << section.title;
    const std::string page_text = Tool("pdftotext -f " + std::to_string(listed) + " -l " +
                                       std::to_string(listed) + " " + Quote(pdf) + " -");
    EXPECT_NE(page_text.find(section.title), std::string::npos) << section.title;
    listed_pages.push_back(listed);
  }
  // Sections run in order; each chapter opens a page of its own, while the
  // level-2 section continues on its chapter's page.
  ASSERT_EQ(listed_pages.size(), document.sections.size());
  EXPECT_TRUE(std::is_sorted(listed_pages.begin(), listed_pages.end()));
  std::set<int> chapter_pages;
  for (std::size_t i = 0; i < document.sections.size(); ++i) {
    if (document.sections[i].level == 1) chapter_pages.insert(listed_pages[i]);
  }
  EXPECT_EQ(chapter_pages.size(), 3u);
  EXPECT_EQ(listed_pages[2],
            listed_pages[1]);  // «Etter tjenestested» follows on its chapter's page
}

TEST_F(PdfRenderer, OutlineBookmarksEverySectionUnderItsChapter) {
  const fs::path pdf = scratch_ / "rapport.pdf";
  const int pages = Render(SampleDocument(60), pdf);
  ASSERT_GT(pages, 0);
  const std::string html = Tool("pdftohtml -stdout -i -q -noframes " + Quote(pdf));
  const std::size_t outline = html.find("Document Outline");
  ASSERT_NE(outline, std::string::npos) << "the PDF has no outline";
  std::string items;
  for (const auto& line : Lines(html.substr(outline))) {
    const std::size_t hash = line.find(".html#");
    if (line.find("<ul>") != std::string::npos) items += "[";
    if (hash != std::string::npos) {
      const std::size_t close = line.find("</a>");
      const std::size_t text = line.find('>', hash) + 1;
      items += line.substr(text, close - text) + "@" +
               line.substr(hash + 6, line.find('"', hash) - hash - 6) + ";";
    }
    if (line.find("</ul>") != std::string::npos) items += "]";
  }
  // The same pages as the table of contents (checked against the headings above).
  const std::string contents = Collapse(Tool("pdftotext -layout -f 2 -l 2 " + Quote(pdf) + " -"));
  auto page_of = [&](const std::string& title) {
    const std::size_t at = contents.find(title + " ");
    return at == std::string::npos ? std::string("?")
                                   : Split(contents.substr(at + title.size()))[0];
  };
  EXPECT_EQ(items, "[Sammendrag@" + page_of("Sammendrag") + ";Kunnskap om risikofaktorer@" +
                       page_of("Kunnskap om risikofaktorer") + ";[Etter tjenestested@" +
                       page_of("Etter tjenestested") + ";]Samarbeid mellom tjenestene@" +
                       page_of("Samarbeid mellom tjenestene") + ";]");
}

TEST_F(PdfRenderer, EmbedsEveryFont) {
  const fs::path pdf = scratch_ / "rapport.pdf";
  ASSERT_GT(Render(SampleDocument(60), pdf), 0);
  const auto lines = Lines(Tool("pdffonts " + Quote(pdf)));
  ASSERT_GT(lines.size(), 2u);  // heading, rule, then one line per font
  int fonts = 0;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    // name type encoding emb sub uni object ID
    const auto columns = Split(lines[i]);
    ASSERT_GE(columns.size(), 7u) << lines[i];
    EXPECT_NE(lines[i].find("DejaVuSans"), std::string::npos) << lines[i];
    EXPECT_EQ(columns[columns.size() - 5], "yes") << "not embedded: " << lines[i];
    ++fonts;
  }
  EXPECT_GE(fonts, 2);  // regular and bold
}

// Each page rendered (pdftoppm, 30 dpi, grey) is A4, carries ink, and has
// none in the margins or below the footer.
void ExpectPagesInkedWithinMargins(const fs::path& pdf, int pages, const fs::path& images) {
  fs::create_directories(images);
  Tool("pdftoppm -r 30 -gray " + Quote(pdf) + " " + Quote(images / "side"));
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(images)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), static_cast<std::size_t>(pages));
  const double scale = 30 / 72.0;
  for (std::size_t p = 0; p < files.size(); ++p) {
    const Gray image = ReadPgm(files[p]);
    ASSERT_GT(image.width, 0) << files[p];
    EXPECT_NEAR(image.width, kPageWidth * scale, 1.5);
    EXPECT_NEAR(image.height, kPageHeight * scale, 1.5);
    std::size_t inked = 0;
    for (unsigned char pixel : image.pixels) inked += pixel < 200;
    const double share = static_cast<double>(inked) / static_cast<double>(image.pixels.size());
    EXPECT_GT(share, 0.004) << "page " << p + 1 << " looks blank";
    const int margin = static_cast<int>(kMargin * scale) - 2;
    const int below_footer = static_cast<int>((kPageHeight - 22) * scale);
    for (int y = 0; y < image.height; ++y) {
      for (int x = 0; x < image.width; ++x) {
        const bool outside =
            x < margin || x >= image.width - margin || y < margin || y >= below_footer;
        if (outside && image.at(x, y) != 255) {
          ADD_FAILURE() << "page " << p + 1 << ": ink in the margin at pixel " << x << "," << y;
          y = image.height;
          break;
        }
      }
    }
  }
}

// Every word lies within the side margins, and either in the body or in the footer band.
void ExpectWordsInsideTheBodyOrTheFooter(const std::vector<std::vector<Word>>& words) {
  const double footer_top = kPageHeight - 50;
  for (std::size_t p = 0; p < words.size(); ++p) {
    for (const Word& w : words[p]) {
      EXPECT_GE(w.x_min, kMargin - 1) << "page " << p + 1 << ": " << w.text;
      EXPECT_LE(w.x_max, kPageWidth - kMargin + 1) << "page " << p + 1 << ": " << w.text;
      EXPECT_GE(w.y_min, kMargin - 1) << "page " << p + 1 << ": " << w.text;
      const bool body = w.y_max <= kPageHeight - 70 + 1;
      const bool footer = w.y_min >= footer_top && w.y_max <= kPageHeight - 25;
      EXPECT_TRUE(body || footer) << "page " << p + 1 << ": «" << w.text << "» at y " << w.y_min
                                  << "–" << w.y_max;
    }
  }
}

TEST_F(PdfRenderer, EveryPageRendersWithBlankMargins) {
  const fs::path pdf = scratch_ / "rapport.pdf";
  const int pages = Render(SampleDocument(60), pdf);
  ASSERT_GT(pages, 0);
  ExpectPagesInkedWithinMargins(pdf, pages, scratch_ / "png");
  const auto words = PageWords(pdf, scratch_);
  ASSERT_EQ(words.size(), static_cast<std::size_t>(pages));
  ExpectWordsInsideTheBodyOrTheFooter(words);
}

TEST_F(PdfRenderer, LongContentWrapsAndBreaksAcrossPagesInsideTheMargins) {
  Document document = SampleDocument(150);
  // An unbreakable word in a table cell and in a paragraph must wrap.
  auto& table = std::get<DataTable>(document.sections[1].blocks[4]);
  table.rows[0][0].text = std::string(120, 'x') + " slutt";
  document.sections[0].blocks.push_back(Paragraph{std::string(300, 'y')});
  // A paragraph longer than a page, and a chart too tall for one.
  std::string long_text;
  for (int i = 1; i <= 700; ++i) long_text += "ord" + std::to_string(i) + " ";
  document.sections[3].blocks.push_back(Paragraph{long_text});
  Chart chart;
  chart.kind = ChartKind::kGroupedBars;
  chart.title = "Mange tjenester";
  chart.series = {{"Barnehage", {}}, {"Skole", {}}, {"Helsestasjon", {}}};
  for (int i = 1; i <= 60; ++i) {
    chart.labels.push_back("Tjeneste " + std::to_string(i));
    for (auto& series : chart.series) {
      series.values.push_back(testing_support::SampleShare(0.01 * i, 100));
    }
  }
  document.sections[3].blocks.push_back(chart);

  const fs::path pdf = scratch_ / "rapport.pdf";
  const int pages = Render(document, pdf);
  ASSERT_GT(pages, 0);
  const auto words = PageWords(pdf, scratch_);
  ASSERT_EQ(words.size(), static_cast<std::size_t>(pages));
  ExpectWordsInsideTheBodyOrTheFooter(words);
  ExpectPagesInkedWithinMargins(pdf, pages, scratch_ / "png");

  // Nothing lost or doubled where the paragraph and the chart break.
  std::map<std::string, int> seen;
  std::set<int> chart_pages;
  for (std::size_t p = 0; p < words.size(); ++p) {
    for (std::size_t k = 0; k < words[p].size(); ++k) {
      const std::string& w = words[p][k].text;
      if (w.rfind("ord", 0) == 0) ++seen[w];
      if (w == "Tjeneste" && k + 1 < words[p].size()) {
        ++seen[w + " " + words[p][k + 1].text];
        chart_pages.insert(static_cast<int>(p));
      }
    }
  }
  for (int i = 1; i <= 700; ++i) EXPECT_EQ(seen["ord" + std::to_string(i)], 1) << i;
  for (int i = 1; i <= 60; ++i) EXPECT_EQ(seen["Tjeneste " + std::to_string(i)], 1) << i;
  EXPECT_GE(chart_pages.size(), 2u);
  const std::string text = Tool("pdftotext " + Quote(pdf) + " -");
  EXPECT_NE(text.find("Mange tjenester (forts.)"), std::string::npos);
}

TEST_F(PdfRenderer, LongTableRepeatsItsHeaderRowOnEveryPage) {
  const fs::path pdf = scratch_ / "rapport.pdf";
  const int pages = Render(SampleDocument(400), pdf);
  ASSERT_GT(pages, 0);
  const auto texts = PageTexts(pdf);
  ASSERT_EQ(texts.size(), static_cast<std::size_t>(pages));
  int table_pages = 0;
  std::set<int> rows_seen;
  for (const auto& page : texts) {
    bool has_rows = false, has_header = false;
    for (const auto& line : Lines(page)) {
      const auto words = Split(line);
      if (words == std::vector<std::string>{"Rad", "Andel", "Antall"}) has_header = true;
      if (words.size() >= 2 && words[0] == "Rad" && std::isdigit(words[1][0])) {
        has_rows = true;
        rows_seen.insert(std::atoi(words[1].c_str()));
      }
    }
    if (has_rows) {
      ++table_pages;
      EXPECT_TRUE(has_header) << page;
    }
  }
  EXPECT_GT(table_pages, 5);
  EXPECT_EQ(rows_seen.size(), 400u);  // no row lost or doubled at a page break
  EXPECT_EQ(*rows_seen.begin(), 1);
  EXPECT_EQ(*rows_seen.rbegin(), 400);
}

TEST_F(PdfRenderer, RendersInParallelThreadsLikeInOne) {
  const std::vector<Document> documents = {WithTitle(SampleDocument(60), "Rapport A – Ålesund"),
                                           WithTitle(SampleDocument(200), "Rapport B – Bærum"),
                                           WithTitle(SampleDocument(400), "Rapport C – Øygarden"),
                                           WithTitle(SampleDocument(30), "Rapport D – Tromsø")};
  std::vector<int> alone, together(documents.size(), -1);
  std::vector<std::string> alone_text;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    const fs::path pdf = scratch_ / ("alene" + std::to_string(i) + ".pdf");
    alone.push_back(Render(documents[i], pdf));
    alone_text.push_back(Tool("pdftotext -layout " + Quote(pdf) + " -"));
  }
  std::vector<std::string> errors(documents.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    threads.emplace_back([&, i] {
      const auto pages =
          WritePdf(documents[i], scratch_ / ("samtidig" + std::to_string(i) + ".pdf"));
      if (pages.ok()) {
        together[i] = *pages;
      } else {
        errors[i] = pages.error().message;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t i = 0; i < documents.size(); ++i) {
    EXPECT_EQ(errors[i], "");
    EXPECT_GT(alone[i], 0);
    EXPECT_EQ(together[i], alone[i]) << documents[i].title;
    const fs::path pdf = scratch_ / ("samtidig" + std::to_string(i) + ".pdf");
    EXPECT_EQ(PdfinfoPages(pdf), alone[i]);
    EXPECT_EQ(Tool("pdftotext -layout " + Quote(pdf) + " -"), alone_text[i]) << documents[i].title;
  }
}

TEST_F(PdfRenderer, UnwritablePathGivesAnErrorNamingIt) {
  const fs::path missing = scratch_ / "finnes-ikke" / "rapport.pdf";
  const auto written = WritePdf(SampleDocument(10), missing);
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().message.find("kan ikke skrive PDF til «" + missing.string() + "»"),
            std::string::npos)
      << written.error().message;
  EXPECT_FALSE(fs::exists(missing.parent_path()));

  // A directory in the way: the rename fails, and the temporary is removed.
  const fs::path folder = scratch_ / "mappe.pdf";
  fs::create_directories(folder / "innhold");
  const auto blocked = WritePdf(SampleDocument(10), folder);
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.error().message.find("«" + folder.string() + "»"), std::string::npos)
      << blocked.error().message;
  EXPECT_EQ(std::distance(fs::directory_iterator(scratch_.path()), fs::directory_iterator()), 1);
}

TEST_F(PdfRenderer, SuppressedCellsShowTheMarkAndNoNumber) {
  Document document = SampleDocument(10);
  // A row suppressed in every cell: nothing in it may print a digit.
  auto& table = std::get<DataTable>(document.sections[1].blocks[4]);
  ASSERT_EQ(table.caption, "Tabell 1. Andel etter tjenestested");
  Number hidden;
  hidden.suppressed = true;
  table.rows.push_back({TextCell("Tannhelse", true), PercentCell(hidden), PercentCell(hidden),
                        PointsCell(hidden, true)});
  const fs::path pdf = scratch_ / "rapport.pdf";
  ASSERT_GT(Render(document, pdf), 0);
  const std::string text = Tool("pdftotext -layout " + Quote(pdf) + " -");

  std::vector<std::string> barnevern, tannhelse;
  for (const auto& line : Lines(text)) {
    const std::string collapsed = Collapse(line);
    if (collapsed.rfind("Barnevern ", 0) == 0) barnevern.push_back(collapsed);
    if (collapsed.rfind("Tannhelse", 0) == 0) tannhelse.push_back(collapsed);
  }
  // Barnevern: the municipality and the difference are hidden, the nation is not.
  EXPECT_EQ(barnevern, std::vector<std::string>{"Barnevern : 21 % :"}) << text;
  ASSERT_EQ(tannhelse.size(), 1u) << text;
  EXPECT_EQ(tannhelse[0], "Tannhelse : : :");
  EXPECT_FALSE(std::any_of(tannhelse[0].begin(), tannhelse[0].end(),
                           [](unsigned char c) { return std::isdigit(c); }));
  // The suppressed key figure shows the mark in its box, between its neighbours.
  const auto lines = Lines(text);
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
    return Collapse(line) == "79 % : 312";
  })) << text;
}

// Where Norwegian lets `word` break: the byte offsets of Hyphenate's soft hyphens.
std::set<std::size_t> AllowedBreaks(const std::string& word) {
  std::set<std::size_t> breaks;
  const std::string marked = present::Hyphenate(word);
  std::size_t removed = 0;
  for (auto at = marked.find("\u00AD"); at != std::string::npos;
       at = marked.find("\u00AD", at + 2)) {
    breaks.insert(at - removed);
    removed += 2;
  }
  return breaks;
}

// A word's piece at the end of a line, without the hyphen drawn at the break.
std::string WithoutHyphen(std::string piece) {
  for (const char* hyphen : {"-", "\u2010", "\u00AD"}) {
    if (piece.ends_with(hyphen)) return piece.substr(0, piece.size() - std::strlen(hyphen));
  }
  return piece;
}

TEST_F(PdfRenderer, NarrowColumnsBreakWordsOnlyWhereNorwegianAllows) {
  ASSERT_TRUE(present::HyphenationAvailable()) << present::kHyphenationDictionary;
  const std::vector<std::string> words = {"Tjenestested", "Omsorgssvikt", "levekårsutfordringer"};
  Document document;
  document.title = "Smale kolonner";
  DataTable table;
  table.caption = "Mange kolonner";
  for (int c = 0; c < 9; ++c) table.columns.push_back(words[c % 3]);
  for (int r = 0; r < 3; ++r) {
    table.rows.emplace_back();
    for (int c = 0; c < 9; ++c) table.rows.back().push_back(TextCell(words[(c + r) % 3]));
  }
  Section section{"smal", "Smal", 1, {table}};
  document.sections.push_back(section);
  const fs::path pdf = scratch_ / "smal.pdf";
  ASSERT_GT(Render(document, pdf), 0);

  std::size_t broken = 0;
  for (const auto& page : PageWords(pdf, scratch_)) {
    for (const Word& found : page) {
      const std::string piece = WithoutHyphen(found.text);
      for (const auto& word : words) {
        if (piece.empty() || piece.size() >= word.size() || !word.starts_with(piece)) continue;
        ++broken;
        EXPECT_EQ(AllowedBreaks(word).count(piece.size()), 1u)
            << "«" << word << "» broken after «" << piece << "»";
      }
    }
  }
  EXPECT_GT(broken, 0u) << "the columns should be too narrow for the whole words";
}

TEST_F(PdfRenderer, DrawsChangeAndGridWithTheirValues) {
  using testing_support::SampleShare;
  Document document;
  document.title = "Endring og samarbeid";
  Chart change;
  change.kind = ChartKind::kChange;
  change.title = "Endring siden startmålingen";
  change.labels = {"Opplever mobbing", "Utsettes for vold"};
  change.series = {{"2019", {SampleShare(0.40, 300), SampleShare(0.61, 300)}},
                   {"2023", {SampleShare(0.55, 300), Hidden()}}};
  change.directions = {Direction::kBetter, Direction::kNeutral};
  Chart grid;
  grid.kind = ChartKind::kGrid;
  grid.title = "Samarbeid";
  grid.labels = {"Barnehage", "Barneverntjenesten"};
  grid.series = {{"Barnehage", {Missing(), SampleShare(0.83, 50)}},
                 {"Barneverntjenesten", {Hidden(), Missing()}}};
  Section section{"tema", "Tema", 1, {change, grid}};
  document.sections.push_back(section);
  const fs::path pdf = scratch_ / "tema.pdf";
  ASSERT_GT(Render(document, pdf), 0);
  std::vector<std::string> lines;
  for (const auto& line : Lines(Tool("pdftotext -layout " + Quote(pdf) + " -"))) {
    if (!Collapse(line).empty()) lines.push_back(Collapse(line));
  }
  auto has = [&](const std::string& wanted) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
      return line.find(wanted) != std::string::npos;
    });
  };
  // The change: both ends' values, the hidden end's mark, and the legend.
  EXPECT_TRUE(has("Opplever mobbing 40 % 55 %"));
  EXPECT_TRUE(has("Utsettes for vold 61 % → :"));
  EXPECT_TRUE(has("2019 2023 Bedre Verre Ingen sikker endring"));
  // The grid: rows of cells, the diagonal missing, the hidden cell's mark.
  EXPECT_TRUE(has("Barnehage . :"));
  EXPECT_TRUE(has("83 % ."));
}

// How many pixels of each page (pdftoppm, colour) have exactly `colour`.
std::size_t PixelsOf(const fs::path& pdf, int page, theme::Colour colour, const fs::path& dir) {
  const fs::path base = dir / ("farge" + std::to_string(page));
  Tool("pdftoppm -r 150 -f " + std::to_string(page) + " -l " + std::to_string(page) +
       " -singlefile " + Quote(pdf) + " " + Quote(base));
  const std::string bytes = ReadWholeFile(base.string() + ".ppm");
  std::istringstream in(bytes);
  std::string magic;
  int width = 0, height = 0, max = 0;
  in >> magic >> width >> height >> max;
  in.get();
  EXPECT_EQ(magic, "P6");
  std::size_t count = 0;
  for (auto i = static_cast<std::size_t>(in.tellg()); i + 2 < bytes.size(); i += 3) {
    const auto r = static_cast<unsigned char>(bytes[i]);
    const auto g = static_cast<unsigned char>(bytes[i + 1]);
    const auto b = static_cast<unsigned char>(bytes[i + 2]);
    count += ((colour.hex >> 16) & 0xffu) == r && ((colour.hex >> 8) & 0xffu) == g &&
             (colour.hex & 0xffu) == b;
  }
  return count;
}

TEST_F(PdfRenderer, ColoursComeFromTheThemeAndDifferencesByTheirMeaning) {
  using testing_support::SampleShare;
  Document document;
  document.title = "Farger";
  Chart bars;
  bars.kind = ChartKind::kBars;
  bars.title = "Søyler";
  bars.labels = {"Opplever mobbing"};
  bars.series = {{"Kommunen", {SampleShare(0.62, 300)}}};
  bars.markers = {{"Landet", {SampleShare(0.30, 25000)}, Reference::kNation},
                  {"Samme størrelsesgruppe", {SampleShare(0.85, 4000)}, Reference::kSizeGroup}};
  DataTable table;
  table.caption = "Forskjeller";
  table.columns = {"Spørsmål", "Forskjell"};
  TableCell better = PointsCell(SampleShare(8, 0), true);
  better.direction = Direction::kBetter;
  TableCell worse = PointsCell(SampleShare(-6, 0), true);
  worse.direction = Direction::kWorse;
  table.rows = {{TextCell("Mobbing", true), better}, {TextCell("Vold", true), worse}};
  document.sections.push_back(Section{"farger", "Farger", 1, {bars, table}});
  const fs::path pdf = scratch_ / "farger.pdf";
  ASSERT_EQ(Render(document, pdf), 3);
  EXPECT_GT(PixelsOf(pdf, 3, theme::kAccent, scratch_.path()), 500u);  // the bar and its swatch
  EXPECT_GT(PixelsOf(pdf, 3, theme::MarkerFor(Reference::kSizeGroup).colour, scratch_.path()), 20u);
  EXPECT_GT(PixelsOf(pdf, 3, theme::kBetter, scratch_.path()), 5u);  // «+8*», bold
  EXPECT_GT(PixelsOf(pdf, 3, theme::kWorse, scratch_.path()), 5u);   // «-6*», bold
  // Without a meaning the same difference stays in ink.
  std::get<DataTable>(document.sections[0].blocks[1]).rows[0][1].direction = Direction::kNeutral;
  ASSERT_EQ(Render(document, pdf), 3);
  EXPECT_EQ(PixelsOf(pdf, 3, theme::kBetter, scratch_.path()), 0u);
}

}  // namespace
}  // namespace samkart::report
