// The generated national report against the printed one: every table and
// figure of chapters 2–5 of the published report (the exhibits its numbers
// come from, testdata/published_national_report.json) has its counterpart
// in the report Samkart writes from the synthetic data — by its anchor in
// HTML, a sheet of its own in XLSX and a bookmark in PDF — and the
// counterpart holds numbers.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "samkart/report/document.h"

#include "fmt/format.h"
#include "support/imported_store.h"
#include "support/run_samkart.h"
#include "support/scratch_dir.h"
#include "support/xlsx_workbook.h"

namespace samkart::report {
namespace {

namespace fs = std::filesystem;
using testing_support::RunShell;
using testing_support::Samkart;

constexpr const char* kPublished =
    SAMKART_SOURCE_DIR "/src/samkart/report/testdata/published_national_report.json";

struct Exhibit {
  std::string kind;  // «Figur», «Tabell»
  int chapter = 0;   // 2 in «Figur 2.4»; 0 for «Tabell 1»
  int number = 0;

  std::string Name() const {
    return chapter == 0 ? fmt::format("{} {}", kind, number)
                        : fmt::format("{} {}.{}", kind, chapter, number);
  }
  bool operator<(const Exhibit& o) const {
    return std::tie(kind, chapter, number) < std::tie(o.kind, o.chapter, o.number);
  }
};

// Every exhibit of the printed report's chapters 2–5 the reference names,
// with the numbering filled in between (a figure without a printed number
// of its own, such as Figur 3.27, is still a figure of the report).
std::vector<Exhibit> PrintedExhibits() {
  std::ifstream in(kPublished);
  const nlohmann::json reference = nlohmann::json::parse(in);
  const std::regex pattern(R"((Figur|Tabell) (\d+)(?:\.(\d+))?)");
  std::set<Exhibit> named;
  for (const auto& record : reference["records"]) {
    const std::string source = record["source"].get<std::string>();
    if (!source.starts_with("004 ")) continue;  // the national report, not the slides
    for (std::sregex_iterator it(source.begin(), source.end(), pattern), end; it != end; ++it) {
      const auto& m = *it;
      Exhibit e;
      e.kind = m[1];
      if (m[3].matched) {
        e.chapter = std::stoi(m[2]);
        e.number = std::stoi(m[3]);
      } else {
        e.number = std::stoi(m[2]);
      }
      named.insert(e);
    }
  }
  std::map<std::pair<std::string, int>, int> highest;
  for (const Exhibit& e : named) {
    int& top = highest[{e.kind, e.chapter}];
    top = std::max(top, e.number);
  }
  std::vector<Exhibit> all;
  for (const auto& [key, top] : highest) {
    for (int i = 1; i <= top; ++i) all.push_back({key.first, key.second, i});
  }
  return all;
}

class NationalCoverage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    exhibits_ = new std::vector<Exhibit>(PrintedExhibits());
    auto db = testing_support::ImportedStore();
    ASSERT_TRUE(db.ok()) << db.error().message;
    dir_ = new testing_support::ScratchDir();
    const auto run =
        Samkart("--db '" + db->string() + "' report national --format html,pdf,xlsx --out '" +
                dir_->path().string() + "'");
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete exhibits_;
  }
  static fs::path File(const char* extension) {
    return dir_->path() / (std::string("nasjonal_rapport.") + extension);
  }

  static testing_support::ScratchDir* dir_;
  static std::vector<Exhibit>* exhibits_;
};

testing_support::ScratchDir* NationalCoverage::dir_ = nullptr;
std::vector<Exhibit>* NationalCoverage::exhibits_ = nullptr;

TEST_F(NationalCoverage, TheReferenceNamesEveryExhibitOfChaptersTwoToFive) {
  // Tabell 1–2, Figur 2.1–2.4, Tabell 3.1 and Figur 3.1–3.36.
  std::vector<std::string> names;
  for (const Exhibit& e : *exhibits_) names.push_back(e.Name());
  EXPECT_EQ(exhibits_->size(), 43u) << testing::PrintToString(names);
  EXPECT_NE(std::find(names.begin(), names.end(), "Figur 3.36"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "Tabell 2"), names.end());
}

TEST_F(NationalCoverage, EveryPrintedExhibitHasItsAnchorInHtml) {
  std::ifstream in(File("html"));
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> missing;
  for (const Exhibit& e : *exhibits_) {
    const std::string anchor = fmt::format("id=\"{}\"", ExhibitAnchor(e.Name()));
    const std::size_t at = html.find(anchor);
    if (at == std::string::npos || html.find(anchor, at + 1) != std::string::npos) {
      missing.push_back(e.Name());
      continue;
    }
    // The caption under the anchor names the exhibit; a visible number follows.
    const std::size_t caption = html.find(e.Name() + " ", at);
    // Its numbers: the table, or the chart's table of numbers, ends the exhibit.
    const std::size_t end = html.find("</table>", at);
    EXPECT_LT(caption, end) << e.Name();
    const std::string body = html.substr(at, end == std::string::npos ? 0 : end - at);
    EXPECT_TRUE(std::regex_search(body, std::regex(R"(class="num">\d)")))
        << e.Name() << " shows no number";
  }
  EXPECT_TRUE(missing.empty()) << "no single anchor for " << testing::PrintToString(missing);
}

TEST_F(NationalCoverage, EveryPrintedExhibitHasItsSheetInXlsx) {
  const auto book = testing_support::ReadWorkbook(File("xlsx"));
  ASSERT_TRUE(book.error.empty()) << book.error;
  std::vector<std::string> missing;
  for (const Exhibit& e : *exhibits_) {
    const std::string name = e.Name();
    const auto sheet = std::find_if(book.sheets.begin(), book.sheets.end(), [&](const auto& s) {
      return s.name == name || s.name.starts_with(name + " ");
    });
    if (sheet == book.sheets.end()) {
      missing.push_back(name);
      continue;
    }
    const bool numbers = std::any_of(sheet->cells.begin(), sheet->cells.end(),
                                     [](const auto& c) { return c.second.numeric; });
    EXPECT_TRUE(numbers) << sheet->name << " holds no number";
  }
  EXPECT_TRUE(missing.empty()) << "no sheet for " << testing::PrintToString(missing);
}

TEST_F(NationalCoverage, EveryPrintedExhibitHasItsBookmarkInPdf) {
  const auto run = RunShell("pdftohtml -stdout -i -q -noframes '" + File("pdf").string() + "'");
  ASSERT_EQ(run.exit_code, 0) << "pdftohtml (poppler-utils) is needed: " << run.output;
  const std::size_t outline = run.output.find("Document Outline");
  ASSERT_NE(outline, std::string::npos) << "the PDF has no outline";
  const std::string bookmarks = run.output.substr(outline);
  std::vector<std::string> missing;
  for (const Exhibit& e : *exhibits_) {
    // «>Figur 3.28 Systemkunnskap …</a>»: a bookmark whose title starts with the number.
    if (bookmarks.find(">" + e.Name() + " ") == std::string::npos) missing.push_back(e.Name());
  }
  EXPECT_TRUE(missing.empty()) << "no bookmark for " << testing::PrintToString(missing);
}

}  // namespace
}  // namespace samkart::report
