// The publication rules hold in every format: the report of the smallest
// synthetic municipality round, and of a larger one whose tables by service
// mix large and small services, is rendered as HTML, PDF and XLSX, and no
// service with fewer answers than the minimum shows a share anywhere — found
// by reading the files back, not the document model.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "samkart/analysis/dataset.h"
#include "samkart/core/text.h"
#include "samkart/instrument/loader.h"
#include "samkart/io/text_file.h"
#include "samkart/report/municipality_report.h"
#include "samkart/report/report_writer.h"

#include "support/imported_store.h"
#include "support/run_samkart.h"
#include "support/scratch_dir.h"
#include "support/xlsx_workbook.h"

namespace samkart::report {
namespace {

namespace fs = std::filesystem;

std::string Trimmed(const std::string& s) { return std::string(text::Trim(s)); }

// The heading of the first column of every table that breaks a number down
// by service (the response rate and each family by service): only there is
// a row a group of respondents. Elsewhere a row named after a service is a
// cooperation item — the rating of that service by everyone.
constexpr const char* kByService = "Tjenestested";

// Text with tags removed and the entities the renderer writes decoded.
std::string CellText(const std::string& html) {
  std::string out;
  bool in_tag = false;
  for (const char c : html) {
    if (c == '<') in_tag = true;
    if (!in_tag) out += c;
    if (c == '>') in_tag = false;
  }
  for (const auto& [entity, plain] : std::vector<std::pair<std::string, std::string>>{
           {"&nbsp;", " "}, {"&#160;", " "}, {"\u00a0", " "}, {"&amp;", "&"}}) {
    for (std::size_t at; (at = out.find(entity)) != std::string::npos;) {
      out.replace(at, entity.size(), plain);
    }
  }
  return Trimmed(out);
}

// Cells of each <tr> as text.
std::vector<std::vector<std::string>> HtmlRows(const std::string& html) {
  std::vector<std::vector<std::string>> rows;
  std::size_t at = 0;
  while ((at = html.find("<tr", at)) != std::string::npos) {
    const std::size_t end = html.find("</tr>", at);
    if (end == std::string::npos) break;
    std::vector<std::string> cells;
    for (std::size_t cell = at; (cell = html.find("<t", cell)) < end;) {
      if (html.compare(cell, 3, "<th") != 0 && html.compare(cell, 3, "<td") != 0) {
        ++cell;
        continue;
      }
      const std::size_t open_end = html.find('>', cell);
      const std::size_t close =
          html.find(html.compare(cell, 3, "<th") == 0 ? "</th>" : "</td>", open_end);
      if (open_end == std::string::npos || close == std::string::npos || close > end) break;
      cells.push_back(CellText(html.substr(open_end + 1, close - open_end - 1)));
      cell = close;
    }
    rows.push_back(std::move(cells));
    at = end;
  }
  return rows;
}

class ReportSuppression : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing_support::ImportedStore();
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto loaded = instrument::LoadEmbeddedInstrument();
    ASSERT_TRUE(loaded.ok());
    instrument_ = std::move(*loaded.instrument);
    auto store = store::OpenStore(db->string());
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto data = analysis::LoadDataset(**store, instrument_);
    ASSERT_TRUE(data.ok()) << data.error().message;
    data_ = std::move(*data);
    inputs_.data = &data_;
    inputs_.instrument = &instrument_;
    inputs_ = WithPublication(std::move(inputs_));
    inputs_.invited = *(*store)->InvitedCounts();
    inputs_.source = "syntetiske testdata";
    inputs_.generated_on = "23.11.2026";
  }

  bool IsServiceLabel(const std::string& text) const {
    for (const auto& s : instrument_.services) {
      if (text == s.label || text == s.short_label) return true;
    }
    return false;
  }

  testing_support::ScratchDir scratch_;
  instrument::Instrument instrument_;
  analysis::Dataset data_;
  ReportInputs inputs_;

  // Respondents per round (municipality, year), and per service in one.
  std::map<std::pair<int, int>, std::size_t> Rounds() const {
    std::map<std::pair<int, int>, std::size_t> rounds;
    for (std::size_t r = 0; r < data_.rows; ++r) ++rounds[{data_.municipality[r], data_.year[r]}];
    return rounds;
  }
  std::map<int, std::size_t> ByService(int municipality, int year) const {
    std::map<int, std::size_t> by_service;
    for (std::size_t r = 0; r < data_.rows; ++r) {
      if (data_.municipality[r] == municipality && data_.year[r] == year) {
        ++by_service[data_.service[r]];
      }
    }
    return by_service;
  }

  // Renders the round's report in all three formats and reads each back:
  // no service below the minimum (by a direct count) shows a share, and
  // at least `min_rows` rows of such services were found in each format.
  void ExpectNoHiddenShare(int municipality, int year, std::size_t min_rows);
};

TEST_F(ReportSuppression, TheSmallestMunicipalityShowsNoHiddenShareInHtmlPdfOrXlsx) {
  const auto rounds = Rounds();
  const auto [municipality, year] =
      std::min_element(rounds.begin(), rounds.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first;
  // So few answer that only the response-rate table has rows per service.
  ExpectNoHiddenShare(municipality, year, 1);
}

TEST_F(ReportSuppression, ALargerMunicipalityShowsItsLargeServicesAndHidesItsSmallOnes) {
  // The largest round that still has a service below the minimum: its
  // tables by service mix visible and hidden rows.
  // Only a municipality's latest round: that is the one its report describes.
  std::pair<int, int> chosen{0, 0};
  std::size_t chosen_size = 0;
  const auto rounds = Rounds();
  std::map<int, int> latest;  // municipality → latest year
  for (const auto& [round, size] : rounds)
    latest[round.first] = std::max(latest[round.first], round.second);
  for (const auto& [round, size] : rounds) {
    if (round.second != latest[round.first]) continue;
    bool small = false, large = false;
    for (const auto& [code, n] : ByService(round.first, round.second)) {
      small = small || (n > 0 && n < inputs_.rules.min_n);
      large = large || n >= 3 * inputs_.rules.min_n;
    }
    if (small && large && size > chosen_size) {
      chosen = round;
      chosen_size = size;
    }
  }
  ASSERT_GT(chosen_size, 0u);
  ExpectNoHiddenShare(chosen.first, chosen.second, 10);
}

void ReportSuppression::ExpectNoHiddenShare(int municipality, int year, std::size_t min_rows) {
  const auto rounds = Rounds();
  std::set<std::string> hidden;  // both labels of each small service
  for (const auto& [code, n] : ByService(municipality, year)) {
    if (n < inputs_.rules.min_n) {
      const instrument::Service* s = instrument_.FindServiceByCode(code);
      ASSERT_NE(s, nullptr);
      hidden.insert(s->label);
      hidden.insert(s->short_label);
    }
  }
  ASSERT_FALSE(hidden.empty()) << "the round has no small service: the test proves nothing";

  // This is the latest round of that municipality, which the report describes.
  for (const auto& [key, n] : rounds) {
    ASSERT_FALSE(key.first == municipality && key.second > year) << "not the latest round";
  }
  auto document = BuildMunicipalityReport(inputs_, municipality);
  ASSERT_TRUE(document.ok()) << document.error().message;
  auto files = WriteReportFiles(*document, scratch_.path(), "kommune",
                                {ReportFormat::kHtml, ReportFormat::kPdf, ReportFormat::kXlsx});
  ASSERT_TRUE(files.ok()) << files.error().message;

  auto hidden_row = [&](const std::vector<std::string>& cells) {
    return !cells.empty() && hidden.contains(cells[0]);
  };

  // HTML: the rows of each table by service.
  const std::string html = testing_support::ReadWholeFile(scratch_.path() / "kommune.html");
  std::vector<std::vector<std::string>> by_service_rows;
  for (std::size_t at = 0; (at = html.find("<table", at)) != std::string::npos;) {
    const std::size_t end = html.find("</table>", at);
    ASSERT_NE(end, std::string::npos);
    const auto rows = HtmlRows(html.substr(at, end - at));
    if (!rows.empty() && !rows[0].empty() && rows[0][0] == kByService) {
      by_service_rows.insert(by_service_rows.end(), rows.begin() + 1, rows.end());
    }
    at = end;
  }
  std::size_t html_rows = 0;
  for (const auto& cells : by_service_rows) {
    if (!hidden_row(cells)) continue;
    ++html_rows;
    std::string joined;
    for (const auto& c : cells) joined += c + " | ";
    EXPECT_EQ(joined.find('%'), std::string::npos) << "HTML: " << joined;
    EXPECT_NE(std::find(cells.begin() + 1, cells.end(), kSuppressedMark), cells.end())
        << "HTML: " << joined;
  }
  EXPECT_GE(html_rows, min_rows);

  // PDF text: after a line starting with the heading, past the wrapped
  // column headings, the rows that start with a service label or «Alle».
  const auto text = testing_support::RunShell(
      "pdftotext -layout '" + (scratch_.path() / "kommune.pdf").string() + "' - 2>&1");
  ASSERT_EQ(text.exit_code, 0) << "pdftotext (poppler-utils) feilet: " << text.output;
  auto row_label = [&](const std::string& line) -> std::string {
    std::string best;
    for (const auto& s : instrument_.services) {
      for (const std::string& label : {s.label, s.short_label}) {
        if (label.size() > best.size() && line.rfind(label + "  ", 0) == 0) best = label;
      }
    }
    if (line.rfind("Alle  ", 0) == 0) best = "Alle";
    return best;
  };
  enum { kOutside, kHeading, kRows } state = kOutside;
  std::size_t pdf_lines = 0;
  for (const auto& raw : text::Split(text.output, '\n')) {
    const std::string line = Trimmed(std::string(raw));
    const std::string label = row_label(line);
    if (line.rfind(std::string(kByService) + " ", 0) == 0) {
      state = kHeading;
      continue;
    }
    if (state == kHeading && !label.empty()) state = kRows;
    if (state == kRows && label.empty()) state = kOutside;
    if (state != kRows || !hidden.contains(label)) continue;
    {
      const std::string rest = Trimmed(line.substr(label.size()));
      ++pdf_lines;
      EXPECT_EQ(rest.find('%'), std::string::npos) << "PDF: " << line;
      EXPECT_NE(rest.find(kSuppressedMark), std::string::npos) << "PDF: " << line;
    }
  }
  EXPECT_GE(pdf_lines, min_rows);

  // XLSX: the rows right under a heading row, up to the first gap. Shares
  // are numbers below 1; a hidden row holds none.
  const testing_support::Workbook book =
      testing_support::ReadWorkbook(scratch_.path() / "kommune.xlsx");
  ASSERT_EQ(book.error, "");
  ASSERT_GT(book.sheets.size(), 3u);
  std::size_t xlsx_rows = 0;
  for (const auto& sheet : book.sheets) {
    // The cells of each row that has any, in column order; empty rows are absent.
    std::map<int, std::vector<const testing_support::Cell*>> rows;
    for (const auto& [place, cell] : sheet.cells) rows[place.first].push_back(&cell);
    int table_row = -1;  // the row number the table by service continues at
    for (const auto& [number, row] : rows) {
      std::vector<std::string> cells;
      for (const auto* c : row) cells.push_back(c->value);
      if (!cells.empty() && cells[0] == kByService) {
        table_row = number + 1;
        continue;
      }
      if (number != table_row) continue;
      ++table_row;
      if (!hidden_row(cells)) continue;
      ++xlsx_rows;
      bool marked = false;
      for (const auto* c : row) {
        marked = marked || c->value == kSuppressedMark;
        if (c->numeric) {
          const double value = std::stod(c->value);
          EXPECT_EQ(value, std::floor(value)) << "XLSX " << sheet.name << ": " << cells[0];
        }
      }
      EXPECT_TRUE(marked) << "XLSX " << sheet.name << ": " << cells[0];
    }
  }
  EXPECT_GE(xlsx_rows, min_rows);
}

}  // namespace
}  // namespace samkart::report
