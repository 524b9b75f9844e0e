#include "samkart/report/xlsx_renderer.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <deque>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <xlsxwriter.h>

#include "samkart/core/text.h"
#include "samkart/present/table_format.h"
#include "samkart/report/output_file.h"
#include "samkart/report/theme.h"

namespace samkart::report {

namespace {

namespace fs = std::filesystem;

constexpr const char* kAboutSheet = "Om rapporten";
constexpr std::size_t kSheetNameMax = 31;    // Excel's limit, in UTF-16 code units
constexpr std::size_t kCellTextMax = 32767;  // Excel's limit per cell
constexpr double kFirstColumnMin = 24;
constexpr double kFirstColumnMax = 60;
constexpr double kColumnMin = 10;
constexpr double kColumnMax = 30;
constexpr double kLineHeight = 15;  // points, one line of the default font
constexpr const char* kIntervalNote =
    "N er antall svar andelen bygger på. Nedre og øvre grense er et 95 %-konfidensintervall "
    "for andelen.";
constexpr const char* kChartNote = "Tallene bak figuren i rapporten.";

// What a sheet column holds of a table column: the value itself, or, beside
// a share, its N and the bounds of its 95 % interval.
enum class Part { kValue, kN, kLow, kHigh };

struct SheetColumn {
  std::size_t source = 0;  // the table column
  Part part = Part::kValue;
};

// libxlsxwriter copies bytes as they are, so invalid UTF-8 would make the
// sheet XML unreadable: it becomes U+FFFD.
std::string ValidUtf8(std::string_view s) {
  if (text::IsValidUtf8(s)) return std::string(s);
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    char32_t code_point = 0;
    const std::size_t length = text::DecodeUtf8(s, i, code_point);
    if (length == 0) {
      out += "\uFFFD";
      ++i;
    } else {
      out.append(s, i, length);
      i += length;
    }
  }
  return out;
}

std::string TruncateUtf8(std::string s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  s.resize(end);
  return s;
}

// Every text cell: valid, within Excel's limit, and never read as a formula.
std::string CellText(std::string_view s) {
  return present::NeutraliseFormula(TruncateUtf8(ValidUtf8(s), kCellTextMax));
}

// Width in Excel's units (characters of the default font), roughly.
double TextWidth(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return static_cast<double>(n) + 2;
}

// The longest prefix of at most `units` UTF-16 code units (Excel counts sheet
// names in them), without trailing spaces.
std::string Utf16Prefix(std::string_view s, std::size_t units) {
  std::size_t n = 0;
  std::size_t end = 0;
  while (end < s.size()) {
    char32_t code_point = 0;
    const std::size_t length = std::max<std::size_t>(1, text::DecodeUtf8(s, end, code_point));
    const std::size_t width = code_point > 0xFFFF ? 2 : 1;
    if (n + width > units) break;
    n += width;
    end += length;
  }
  return std::string(text::Trim(s.substr(0, end)));
}

// Words a shortened name should not end on: it would read as cut off.
bool IsDanglingWord(std::string_view word) {
  static constexpr std::string_view kWords[] = {"og",  "i",     "på",  "av", "for",
                                                "fra", "med",   "til", "om", "mot",
                                                "ved", "eller", "en",  "et", "etter"};
  return std::find(std::begin(kWords), std::end(kWords), word) != std::end(kWords);
}

// `text` without a trailing separator or a word that leaves it hanging
// («Kunnskap om barn og unge fra» → «Kunnskap om barn og unge»).
std::string WithoutDanglingEnd(std::string text) {
  for (;;) {
    text = std::string(text::Trim(text));
    while (!text.empty() && std::string_view(",;-").find(text.back()) != std::string_view::npos) {
      text.pop_back();
    }
    if (text.ends_with(" \u2013")) text.resize(text.size() - 4);
    const std::size_t last = text.rfind(' ');
    if (last == std::string::npos || !IsDanglingWord(std::string_view(text).substr(last + 1))) {
      return std::string(text::Trim(text));
    }
    text.resize(last);
  }
}

// «beskyttelsesfaktorer» as «Beskyttelsesfaktorer» (ASCII and Latin-1 letters).
std::string Capitalised(std::string word) {
  if (word.empty()) return word;
  const auto first = static_cast<unsigned char>(word[0]);
  if (first >= 'a' && first <= 'z') {
    word[0] = static_cast<char>(first - 'a' + 'A');
  } else if (first == 0xC3 && word.size() > 1) {
    const auto second = static_cast<unsigned char>(word[1]);
    if (second >= 0xA0 && second <= 0xBE && second != 0xB7) {
      word[1] = static_cast<char>(second - 0x20);
    }
  }
  return word;
}

// At most `units` UTF-16 code units of `name`, ending at a word boundary
// (a space or a hyphen) and not on a dangling word or separator. When that
// leaves little («Kunnskap» of «Kunnskap om beskyttelsesfaktorer»), the
// last word alone says more: «Beskyttelsesfaktorer». A single word longer
// than the limit is cut.
std::string ShortenAtWord(std::string_view name, std::size_t units) {
  const std::string prefix = Utf16Prefix(name, units);
  if (prefix.size() == name.size()) return prefix;
  std::string shortened = prefix;
  if (name[prefix.size()] != ' ' && name[prefix.size()] != '-') {  // cut inside a word: drop it
    const std::size_t boundary = prefix.find_last_of(" -");
    if (boundary == std::string::npos) return prefix;
    shortened.resize(boundary);
  }
  shortened = WithoutDanglingEnd(shortened);
  const std::size_t boundary = name.find_last_of(" -");
  const std::string_view last_word =
      boundary == std::string_view::npos ? name : name.substr(boundary + 1);
  if (2 * shortened.size() < units && last_word.size() > shortened.size() &&
      Utf16Prefix(last_word, units).size() == last_word.size()) {
    return Capitalised(std::string(last_word));
  }
  return shortened.empty() ? prefix : shortened;
}

// A title with the characters Excel forbids in sheet names ([]:*?/\, and
// apostrophes, which would need quoting in every link to the sheet) turned
// into separators rather than dropped, so «barn/unge» stays two words:
// «barn-unge». Control characters become spaces; runs of spaces collapse.
std::string SheetNameText(std::string_view title) {
  std::string clean;
  for (const char c : ValidUtf8(title)) {
    if (c == '/' || c == '\\') {
      clean += '-';
    } else if (std::string_view("[]:*?'").find(c) != std::string_view::npos ||
               static_cast<unsigned char>(c) < 0x20) {
      clean += ' ';
    } else {
      clean += c;
    }
  }
  std::string collapsed;
  for (const char c : clean) {
    if (c == ' ' && (collapsed.empty() || collapsed.back() == ' ')) continue;
    collapsed += c;
  }
  std::string_view trimmed = text::Trim(collapsed);
  while (!trimmed.empty() && (trimmed.front() == '-' || trimmed.front() == ' ')) {
    trimmed.remove_prefix(1);
  }
  while (!trimmed.empty() && (trimmed.back() == '-' || trimmed.back() == ' ')) {
    trimmed.remove_suffix(1);
  }
  return std::string(trimmed);
}

// Hands out sheet names Excel accepts: at most 31 characters, shortened at
// a word boundary, none of the forbidden characters, unique ignoring case,
// with « (2)», « (3)» … after a repeated name.
class SheetNames {
 public:
  SheetNames() {
    used_.insert(Fold("History"));  // reserved by Excel
  }

  std::string Take(std::string_view title, std::string_view fallback) {
    std::string base = SheetNameText(title);
    if (base.empty()) base = std::string(fallback);
    std::string name = ShortenAtWord(base, kSheetNameMax);
    for (int copy = 2; used_.count(Fold(name)) > 0; ++copy) {
      const std::string suffix = fmt::format(" ({})", copy);
      name = ShortenAtWord(base, kSheetNameMax - suffix.size()) + suffix;
    }
    used_.insert(Fold(name));
    return name;
  }

 private:
  static std::string Fold(std::string_view name) { return text::FoldLabel(name); }

  std::set<std::string> used_;
};

class WorkbookWriter {
 public:
  WorkbookWriter(lxw_workbook* workbook, const Document& document, std::string path)
      : workbook_(workbook), document_(document), path_(std::move(path)) {}

  Status Fill() {
    CreateFormats();
    SetProperties();
    // Name every sheet first: the front sheet links to them.
    std::vector<std::size_t> chapter_of(document_.sections.size());
    names_.push_back(sheet_names_.Take(kAboutSheet, kAboutSheet));
    for (std::size_t i = 0; i < document_.sections.size(); ++i) {
      const Section& section = document_.sections[i];
      // A subsection goes on its chapter's sheet; one before any chapter gets its own.
      if (section.level <= 1 || names_.size() == 1) {
        names_.push_back(
            sheet_names_.Take(section.title, fmt::format("Kapittel {}", names_.size())));
        first_section_.push_back(i);
      }
      chapter_of[i] = names_.size() - 1;
      NameExhibitSheets(section);
    }
    if (!AboutSheet()) return Failure();
    std::size_t current = 0;
    for (std::size_t i = 0; i < document_.sections.size(); ++i) {
      const Section& section = document_.sections[i];
      if (chapter_of[i] != current) {
        if (current > 0) FinishChapter();
        current = chapter_of[i];
        if (!StartSheet(names_[current])) return Failure();
        Write(0, 0, section.title, title_);
        row_ = 2;
      } else {
        Write(row_, 0, section.title, heading_);
        row_ += 2;
      }
      for (const Block& block : section.blocks) {
        std::visit([this](const auto& b) { Emit(b); }, block);
        ++row_;  // a blank row between blocks
      }
    }
    if (current > 0) FinishChapter();
    if (error_ != LXW_NO_ERROR || !message_.empty()) return Failure();
    return Ok();
  }

 private:
  // A numbered table or figure gets a sheet of its own after its chapter's
  // sheet, named by its number («Figur 3.28 Systemkunnskap …»), so a reader
  // finds the printed report's exhibits by number.
  struct ExhibitSheet {
    std::string number;
    std::string caption;
    std::string sheet;
    const DataTable* table = nullptr;
    const Chart* chart = nullptr;
  };

  void NameExhibitSheets(const Section& section) {
    for (const Block& block : section.blocks) {
      ExhibitSheet exhibit;
      if (const auto* table = std::get_if<DataTable>(&block); table && !table->number.empty()) {
        exhibit = {table->number, table->caption, "", table, nullptr};
      } else if (const auto* chart = std::get_if<Chart>(&block); chart && !chart->number.empty()) {
        exhibit = {chart->number, chart->title, "", nullptr, chart};
      } else {
        continue;
      }
      exhibit.sheet =
          sheet_names_.Take(ExhibitCaption(exhibit.number, exhibit.caption), exhibit.number);
      exhibits_.push_back(std::move(exhibit));
    }
  }

  // On the chapter's sheet, a link where the exhibit stands; the exhibit
  // itself follows on its own sheet.
  bool DeferExhibit(const std::string& number) {
    if (number.empty() || on_exhibit_sheet_) return false;
    const auto it = std::find_if(exhibits_.begin(), exhibits_.end(),
                                 [&](const ExhibitSheet& e) { return e.number == number; });
    if (it == exhibits_.end()) return false;
    if (RowFits()) {
      const std::string url = fmt::format("internal:'{}'!A1", it->sheet);
      Check(worksheet_write_url_opt(
          sheet_, row_++, 0, url.c_str(), link_,
          CellText(ExhibitCaption(it->number, it->caption) + " (eget ark)").c_str(), nullptr));
    }
    pending_.push_back(&*it);
    return true;
  }

  void FinishChapter() {
    FinishSheet();
    on_exhibit_sheet_ = true;
    for (const ExhibitSheet* exhibit : pending_) {
      if (!StartSheet(exhibit->sheet)) break;
      Write(0, 0, ExhibitCaption(exhibit->number, exhibit->caption), title_);
      row_ = 2;
      if (exhibit->table != nullptr) Emit(*exhibit->table);
      if (exhibit->chart != nullptr) Emit(*exhibit->chart);
      FinishSheet();
    }
    on_exhibit_sheet_ = false;
    pending_.clear();
  }

  Error Failure() const {
    if (!message_.empty()) return Error{message_};
    return Error{fmt::format("{}: Excel-arket kan ikke fylles ({})", path_, lxw_strerror(error_))};
  }

  lxw_format* NewFormat() { return workbook_add_format(workbook_); }

  void CreateFormats() {
    title_ = NewFormat();
    format_set_bold(title_);
    format_set_font_size(title_, 14);
    format_set_font_color(title_, theme::kAccent.hex);
    heading_ = NewFormat();
    format_set_bold(heading_);
    format_set_font_size(heading_, 12);
    format_set_font_color(heading_, theme::kAccent.hex);
    bold_ = NewFormat();
    format_set_bold(bold_);
    column_heading_ = NewFormat();
    format_set_bold(column_heading_);
    format_set_bottom(column_heading_, LXW_BORDER_THIN);
    format_set_text_wrap(column_heading_);
    format_set_align(column_heading_, LXW_ALIGN_VERTICAL_BOTTOM);
    format_set_bg_color(column_heading_, theme::kHeaderFill.hex);
    format_set_font_color(column_heading_, theme::kInk.hex);
    number_heading_ = NewFormat();
    format_set_bold(number_heading_);
    format_set_bottom(number_heading_, LXW_BORDER_THIN);
    format_set_text_wrap(number_heading_);
    format_set_align(number_heading_, LXW_ALIGN_RIGHT);
    format_set_align(number_heading_, LXW_ALIGN_VERTICAL_BOTTOM);
    format_set_bg_color(number_heading_, theme::kHeaderFill.hex);
    format_set_font_color(number_heading_, theme::kInk.hex);
    note_ = NewFormat();
    format_set_italic(note_);
    format_set_font_color(note_, theme::kMuted.hex);
    mark_ = NewFormat();
    format_set_align(mark_, LXW_ALIGN_RIGHT);
    percent_ = NewFormat();
    format_set_num_format(percent_, "0 %");
    count_ = NewFormat();
    format_set_num_format(count_, "#,##0");
    // The mark is part of the format, so the cell stays a number; a
    // difference's colour says whether it is better or worse.
    for (const bool significant : {false, true}) {
      for (const Direction direction :
           {Direction::kNeutral, Direction::kBetter, Direction::kWorse}) {
        lxw_format* format = NewFormat();
        format_set_num_format(format, significant ? "+0\"*\";-0\"*\";0\"*\"" : "+0;-0;0");
        if (direction != Direction::kNeutral) {
          format_set_bold(format);
          format_set_font_color(
              format, (direction == Direction::kBetter ? theme::kBetter : theme::kWorse).hex);
        }
        points_[significant ? 1 : 0][static_cast<std::size_t>(direction)] = format;
      }
    }
    link_ = NewFormat();
    format_set_underline(link_, LXW_UNDERLINE_SINGLE);
    format_set_font_color(link_, theme::kAccent.hex);
  }

  void SetProperties() {
    lxw_doc_properties properties{};
    properties.title = Keep(ValidUtf8(document_.title));
    properties.subject = Keep(ValidUtf8(document_.subtitle));
    properties.author = Keep("Samkart");
    Check(workbook_set_properties(workbook_, &properties));
  }

  // lxw_doc_properties takes char*; the strings live as long as the writer.
  char* Keep(std::string s) {
    kept_.push_back(std::move(s));
    return kept_.back().data();
  }

  void Check(lxw_error error) {
    if (error != LXW_NO_ERROR && error_ == LXW_NO_ERROR) error_ = error;
  }

  bool StartSheet(const std::string& name) {
    if (const lxw_error error = workbook_validate_sheet_name(workbook_, name.c_str())) {
      message_ =
          fmt::format("{}: arknavnet «{}» er ugyldig ({})", path_, name, lxw_strerror(error));
      return false;
    }
    sheet_ = workbook_add_worksheet(workbook_, name.c_str());
    if (sheet_ == nullptr) {
      message_ = fmt::format("{}: kan ikke opprette arket «{}»", path_, name);
      return false;
    }
    worksheet_set_paper(sheet_, 9);  // A4
    worksheet_fit_to_pages(sheet_, 1, 0);
    row_ = 0;
    widths_.assign(1, kFirstColumnMin);
    return true;
  }

  void FinishSheet() {
    const double first = std::clamp(widths_[0], kFirstColumnMin, kFirstColumnMax);
    Check(worksheet_set_column(sheet_, 0, 0, first, nullptr));
    for (std::size_t c = 1; c < widths_.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      Check(worksheet_set_column(sheet_, col, col, std::clamp(widths_[c], kColumnMin, kColumnMax),
                                 nullptr));
    }
  }

  // Widens column `col` to fit `s`; text that may spill over empty cells
  // to its right (paragraphs, captions, notes) does not count.
  void Fit(std::size_t col, std::string_view s) {
    if (widths_.size() <= col) widths_.resize(col + 1, 0);
    widths_[col] = std::max(widths_[col], TextWidth(s));
  }

  bool RowFits() {
    if (row_ < LXW_ROW_MAX) return true;
    message_ = fmt::format("{}: arket har flere rader enn Excel tillater", path_);
    error_ = LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE;
    return false;
  }

  void Write(lxw_row_t row, std::size_t col, std::string_view s, lxw_format* format = nullptr) {
    if (s.empty() || row >= LXW_ROW_MAX || col >= LXW_COL_MAX) return;
    Check(worksheet_write_string(sheet_, row, static_cast<lxw_col_t>(col), CellText(s).c_str(),
                                 format));
  }

  void WriteNumber(lxw_row_t row, std::size_t col, double value, lxw_format* format) {
    if (row >= LXW_ROW_MAX || col >= LXW_COL_MAX) return;
    Check(worksheet_write_number(sheet_, row, static_cast<lxw_col_t>(col), value, format));
  }

  // A number as the value Excel computes with, formatted to read as
  // FormatCell prints it; a hidden or missing number is its mark as text.
  void WriteCell(lxw_row_t row, std::size_t col, const TableCell& cell) {
    if (cell.format == CellFormat::kText) {
      Write(row, col, cell.text, cell.header && col > 0 ? bold_ : nullptr);
      Fit(col, cell.text);
      return;
    }
    Fit(col, FormatCell(cell));
    if (cell.number.suppressed) return Write(row, col, kSuppressedMark, mark_);
    if (cell.number.missing) return Write(row, col, kMissingMark, mark_);
    switch (cell.format) {
      case CellFormat::kCount:
        return WriteNumber(row, col, std::round(cell.number.value), count_);
      case CellFormat::kPercent:
        return WriteNumber(row, col, cell.number.value, percent_);
      case CellFormat::kPoints:
        return WriteNumber(
            row, col, cell.number.value,
            points_[cell.significant ? 1 : 0][static_cast<std::size_t>(cell.direction)]);
      case CellFormat::kText:
        break;
    }
  }

  // A share's N or interval bound beside it; a hidden or missing share
  // hides them too, with the same mark.
  void WritePart(lxw_row_t row, std::size_t col, const TableCell& cell, Part part) {
    if (part == Part::kValue) return WriteCell(row, col, cell);
    if (cell.format != CellFormat::kPercent) return;
    const Number& number = cell.number;
    if (number.suppressed) return Write(row, col, kSuppressedMark, mark_);
    const bool known =
        part == Part::kN ? number.n > 0 : number.interval.low != 0 || number.interval.high != 0;
    if (number.missing || !known) return Write(row, col, kMissingMark, mark_);
    if (part == Part::kN) {
      Fit(col, FormatCount(number.n));
      return WriteNumber(row, col, static_cast<double>(number.n), count_);
    }
    const double bound = part == Part::kLow ? number.interval.low : number.interval.high;
    Fit(col, FormatPercent(bound));
    WriteNumber(row, col, bound, percent_);
  }

  bool AboutSheet() {
    if (!StartSheet(names_[0])) return false;
    Write(0, 0, document_.title, title_);
    row_ = 1;
    if (!document_.subtitle.empty()) Write(row_++, 0, document_.subtitle, heading_);
    ++row_;
    for (const auto& line : document_.front_matter) Write(row_++, 0, line);
    if (!document_.legend.empty()) {
      ++row_;
      Write(row_++, 0, "Tegnforklaring", bold_);
      for (const auto& line : document_.legend) Write(row_++, 0, line);
    }
    if (names_.size() > 1) {
      ++row_;
      Write(row_++, 0, "Innhold", bold_);
      for (std::size_t i = 1; i < names_.size(); ++i) {
        const std::string& title = document_.sections[first_section_[i - 1]].title;
        // Sheet names carry no apostrophes, so quoting them is enough.
        const std::string url = fmt::format("internal:'{}'!A1", names_[i]);
        Check(worksheet_write_url_opt(sheet_, row_++, 0, url.c_str(), link_,
                                      CellText(title.empty() ? names_[i] : title).c_str(),
                                      nullptr));
      }
    }
    if (!exhibits_.empty()) {
      ++row_;
      Write(row_++, 0, "Tabeller og figurer", bold_);
      for (const ExhibitSheet& exhibit : exhibits_) {
        const std::string url = fmt::format("internal:'{}'!A1", exhibit.sheet);
        Check(worksheet_write_url_opt(
            sheet_, row_++, 0, url.c_str(), link_,
            CellText(ExhibitCaption(exhibit.number, exhibit.caption)).c_str(), nullptr));
      }
    }
    widths_[0] = 70;
    FinishSheet();
    return error_ == LXW_NO_ERROR;
  }

  void Emit(const Paragraph& paragraph) {
    if (RowFits()) Write(row_++, 0, paragraph.text);
  }

  void Emit(const BulletList& list) {
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      const std::string mark = list.numbered ? fmt::format("{}. ", i + 1) : "• ";
      if (RowFits()) Write(row_++, 0, mark + list.items[i]);
    }
  }

  void Emit(const KeyFigures& figures) {
    for (const auto& figure : figures.figures) {
      if (!RowFits()) return;
      Write(row_, 0, figure.label);
      Fit(0, figure.label);
      TableCell cell;
      cell.format = figure.format;
      cell.number = figure.number;
      WriteCell(row_++, 1, cell);
    }
  }

  // The sheet's columns for `table`: each share column is followed by its
  // N and the bounds of its 95 % interval, so the uncertainty the report
  // draws travels with the numbers.
  static std::vector<SheetColumn> Layout(const DataTable& table) {
    std::vector<SheetColumn> layout;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      layout.push_back({c, Part::kValue});
      const bool shares = std::any_of(table.rows.begin(), table.rows.end(), [c](const auto& row) {
        return c < row.size() && row[c].format == CellFormat::kPercent;
      });
      if (!shares) continue;
      for (const Part part : {Part::kN, Part::kLow, Part::kHigh}) layout.push_back({c, part});
    }
    return layout;
  }

  static std::string Heading(const DataTable& table, const SheetColumn& column) {
    const std::string& name = table.columns[column.source];
    const char* part = "";
    switch (column.part) {
      case Part::kValue:
        return name;
      case Part::kN:
        part = "N";
        break;
      case Part::kLow:
        part = name.empty() ? "Nedre grense" : "nedre grense";
        break;
      case Part::kHigh:
        part = name.empty() ? "Øvre grense" : "øvre grense";
        break;
    }
    return name.empty() ? std::string(part) : fmt::format("{}, {}", name, part);
  }

  void Emit(const DataTable& table) {
    if (DeferExhibit(table.number) || !RowFits()) return;
    Write(row_++, 0, ExhibitCaption(table.number, table.caption), bold_);
    const std::vector<SheetColumn> layout = Layout(table);
    std::vector<bool> numeric(table.columns.size(), false);
    for (const auto& row : table.rows) {
      for (std::size_t c = 0; c < row.size() && c < numeric.size(); ++c) {
        if (row[c].format != CellFormat::kText) numeric[c] = true;
      }
    }
    if (!table.columns.empty() && RowFits()) {
      // Wrapped headings («Resten av landet, nedre grense») need a taller
      // row: libxlsxwriter sets no height, and not every reader adjusts it.
      double lines = 1;
      for (std::size_t col = 1; col < layout.size(); ++col) {
        lines = std::max(lines, std::ceil(TextWidth(Heading(table, layout[col])) / kColumnMax));
      }
      if (lines > 1) Check(worksheet_set_row(sheet_, row_, kLineHeight * lines, nullptr));
      for (std::size_t col = 0; col < layout.size(); ++col) {
        lxw_format* format = numeric[layout[col].source] ? number_heading_ : column_heading_;
        const std::string heading = Heading(table, layout[col]);
        if (heading.empty()) {
          Check(worksheet_write_blank(sheet_, row_, static_cast<lxw_col_t>(col), format));
        } else {
          Write(row_, col, heading, format);
          if (col > 0) Fit(col, heading);
        }
      }
      ++row_;
    }
    for (const auto& row : table.rows) {
      if (!RowFits()) return;
      for (std::size_t col = 0; col < layout.size(); ++col) {
        if (layout[col].source < row.size())
          WritePart(row_, col, row[layout[col].source], layout[col].part);
      }
      ++row_;
    }
    for (const auto& note : table.notes) {
      if (RowFits()) Write(row_++, 0, note, note_);
    }
    if (layout.size() > table.columns.size() && RowFits()) Write(row_++, 0, kIntervalNote, note_);
  }

  // Only the numbers: an Excel chart would draw a hidden value («:» is text
  // to Excel) as a zero-length bar labelled 0 %. The chart's description
  // speaks of bars the workbook does not have, so a plain note replaces it.
  void Emit(const Chart& chart) {
    if (DeferExhibit(chart.number)) return;
    DataTable table = ChartAsTable(chart);
    table.caption = ExhibitCaption(chart.number, chart.title);
    table.notes.clear();
    if (!table.rows.empty()) table.notes.push_back(kChartNote);
    Emit(table);
  }

  lxw_workbook* workbook_;
  const Document& document_;
  std::string path_;
  std::deque<std::string> kept_;  // strings libxlsxwriter may read until it closes
  SheetNames sheet_names_;
  std::vector<std::string> names_;            // the front sheet, then one per chapter
  std::vector<std::size_t> first_section_;    // the section that opens each chapter sheet
  std::vector<ExhibitSheet> exhibits_;        // in document order; addresses kept
  std::vector<const ExhibitSheet*> pending_;  // the chapter's, written after its sheet
  bool on_exhibit_sheet_ = false;
  lxw_worksheet* sheet_ = nullptr;
  lxw_row_t row_ = 0;
  std::vector<double> widths_;
  lxw_error error_ = LXW_NO_ERROR;
  std::string message_;

  lxw_format* title_ = nullptr;
  lxw_format* heading_ = nullptr;
  lxw_format* bold_ = nullptr;
  lxw_format* column_heading_ = nullptr;
  lxw_format* number_heading_ = nullptr;
  lxw_format* note_ = nullptr;
  lxw_format* mark_ = nullptr;
  lxw_format* percent_ = nullptr;
  lxw_format* count_ = nullptr;
  lxw_format* points_[2][3] = {};  // [significant][direction]
  lxw_format* link_ = nullptr;
};

}  // namespace

Status WriteXlsx(const Document& document, const std::filesystem::path& path) {
  const std::string target = path.string();
  // libxlsxwriter only finds out at workbook_close, and prints its own
  // English message then.
  SAMKART_TRY(CheckWritable(path, "Excel-filen"));
  // Written beside the target and renamed, so no one sees half a workbook.
  const std::string temporary = target + ".tmp";
  lxw_workbook* workbook = workbook_new(temporary.c_str());
  if (workbook == nullptr) {
    return Error{fmt::format("{}: libxlsxwriter kan ikke opprette arbeidsboken", target)};
  }
  WorkbookWriter writer(workbook, document, target);
  Status filled = writer.Fill();
  // workbook_close writes the file and frees the workbook, also after an error.
  const lxw_error closed = workbook_close(workbook);
  if (filled && closed != LXW_NO_ERROR) {
    filled = Error{fmt::format("{}: {} ({})", target, WhyNotWritable(path, "Excel-filen"),
                               lxw_strerror(closed))};
  }
  std::error_code ec;
  if (filled) {
    fs::rename(temporary, path, ec);
    if (!ec) return Ok();
    filled = Error{
        fmt::format("{}: {} ({})", target, WhyNotWritable(path, "Excel-filen"), ec.message())};
  }
  fs::remove(temporary, ec);  // best effort; the first error is the one to report
  return filled;
}

}  // namespace samkart::report
