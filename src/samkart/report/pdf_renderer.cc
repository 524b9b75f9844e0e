#include "samkart/report/pdf_renderer.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <unistd.h>

#include "samkart/present/hyphenation.h"
#include "samkart/report/theme.h"

#include "fmt/format.h"

namespace samkart::report {
namespace {

namespace fs = std::filesystem;

// ------------------------------------------------------------ page geometry
// Points throughout (1/72 inch); cairo's origin is the top left corner.

constexpr double kPageWidth = 595.276;  // A4
constexpr double kPageHeight = 841.89;
constexpr double kMarginX = 56.69;  // 20 mm
constexpr double kTop = 56.69;
constexpr double kBottom = kPageHeight - 70.0;  // the body stops here; the footer sits below
constexpr double kFooterY = kPageHeight - 46.0;
constexpr double kWidth = kPageWidth - 2 * kMarginX;
constexpr double kBlockGap = 12;
constexpr int kMaxCellLines = 24;  // a runaway cell is ellipsized rather than taller than a page

using Colour = theme::Colour;
using theme::kAccent;
using theme::kAxis;
using theme::kBoxFill;
using theme::kGrid;
using theme::kHeaderFill;
using theme::kInk;
using theme::kMuted;
using theme::kRule;
using theme::kWhite;

int ToPango(double points) { return static_cast<int>(std::lround(points * PANGO_SCALE)); }
double FromPango(int units) { return static_cast<double>(units) / PANGO_SCALE; }

// ------------------------------------------------------- GLib/cairo owners

// A counted reference to a GObject (PangoLayout): copies share the object.
template <typename T>
class GRef {
 public:
  GRef() = default;
  explicit GRef(T* adopted) : p_(adopted) {}
  GRef(const GRef& other) : p_(other.p_) {
    if (p_ != nullptr) g_object_ref(p_);
  }
  GRef(GRef&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  GRef& operator=(GRef other) noexcept {
    std::swap(p_, other.p_);
    return *this;
  }
  ~GRef() {
    if (p_ != nullptr) g_object_unref(p_);
  }
  T* get() const { return p_; }

 private:
  T* p_ = nullptr;
};
using Layout = GRef<PangoLayout>;

struct FontFree {
  void operator()(PangoFontDescription* font) const { pango_font_description_free(font); }
};
using Font = std::unique_ptr<PangoFontDescription, FontFree>;

Font MakeFont(double size, bool bold) {
  Font font(pango_font_description_new());
  pango_font_description_set_family_static(font.get(), "DejaVu Sans");
  pango_font_description_set_size(font.get(), ToPango(size));
  pango_font_description_set_weight(font.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  return font;
}

struct Fonts {
  Font title = MakeFont(24, true);
  Font subtitle = MakeFont(14, false);
  Font h1 = MakeFont(17, true);
  Font h2 = MakeFont(12.5, true);
  Font body = MakeFont(10, false);
  Font body_bold = MakeFont(10, true);
  Font caption = MakeFont(9.5, true);
  Font table = MakeFont(8.5, false);
  Font table_bold = MakeFont(8.5, true);
  Font figure = MakeFont(22, true);
  Font chart = MakeFont(8.5, false);
  Font value = MakeFont(7.5, false);
  Font small = MakeFont(7.5, false);
};

// --------------------------------------------------------------- page content
// The body is laid out once into a display list per page; the table of
// contents' page numbers and the footers' «av Y» are filled in afterwards,
// so nothing is laid out twice.

struct TextOp {
  Layout layout;
  double x, y;  // the layout's top left corner
  Colour colour;
};
struct RectOp {
  double x, y, w, h;
  Colour fill;
  bool outline = false;  // a thin edge, for a light bar on white
};
struct LineOp {
  double x1, y1, x2, y2, width;
  Colour colour;
  bool dotted = false;
};
using theme::Shape;
struct MarkerOp {
  Shape shape;
  double cx, cy, half;  // centre and half height
  Colour colour;
};
struct DotOp {  // a filled circle: the value before, in a change
  double cx, cy, r;
  Colour fill;
};
struct ArrowOp {  // an arrowhead with its tip at (x, y), pointing right (+1) or left (-1)
  double x, y, direction, size;
  Colour fill;
};
struct LinkOp {  // a clickable area leading to another page
  double x, y, w, h;
  int page;
  double target_y;
};
using Op = std::variant<TextOp, RectOp, LineOp, MarkerOp, DotOp, ArrowOp, LinkOp>;

struct Anchor {
  int page = 0;  // 1-based
  double y = 0;
};

struct LegendItem;

struct TocEntry {
  std::size_t section;
  int page;  // the contents page the entry is on
  double x, y, h;
  double line_end;  // x where the title's last line ends: the leader starts there
  double baseline;  // of the last line, from the page top
};

class Composer {
 public:
  explicit Composer(cairo_t* cr) : context_(pango_cairo_create_context(cr)) {
    // Layout in points: cairo's PDF user unit is the point, pango's default 96 dpi.
    pango_cairo_context_set_resolution(context_, 72);
    pango_context_set_round_glyph_positions(context_, FALSE);
  }
  ~Composer() { g_object_unref(context_); }
  Composer(const Composer&) = delete;
  Composer& operator=(const Composer&) = delete;

  void Compose(const Document& document);
  void Draw(cairo_t* cr) const;
  void AddOutline(cairo_surface_t* surface, const Document& document) const;
  int PageCount() const { return static_cast<int>(pages_.size()); }

 private:
  // Text
  Layout MakeLayout(std::string_view text, const Font& font, double width = 0,
                    PangoAlignment align = PANGO_ALIGN_LEFT) const;
  static double Width(const Layout& layout);
  static double Height(const Layout& layout);

  // Flow
  void NewPage() {
    pages_.emplace_back();
    y_ = kTop;
  }
  double Room() const { return kBottom - y_; }
  bool AtTop() const { return y_ <= kTop + 0.01; }
  void EnsureRoom(double height) {
    if (height > Room() && !AtTop()) NewPage();
  }
  std::vector<Op>& Ops() { return pages_.back(); }
  int Page() const { return static_cast<int>(pages_.size()); }
  void Text(Layout layout, double x, double y, Colour colour) {
    Ops().push_back(TextOp{std::move(layout), x, y, colour});
  }
  void Rect(double x, double y, double w, double h, Colour fill) {
    Ops().push_back(RectOp{x, y, w, h, fill});
  }
  // A bar or a shaded cell: a light fill gets an edge so it shows on white.
  void Bar(double x, double y, double w, double h, Colour fill) {
    Ops().push_back(RectOp{x, y, w, h, fill, theme::Contrast(fill, kWhite) < 3});
  }
  void Line(double x1, double y1, double x2, double y2, double width, Colour colour,
            bool dotted = false) {
    Ops().push_back(LineOp{x1, y1, x2, y2, width, colour, dotted});
  }
  void FlowText(std::string_view text, const Font& font, double x, double width, Colour colour,
                const Layout* bullet = nullptr, double bullet_x = 0);

  // Parts
  void TitlePage(const Document& document);
  void Contents(const Document& document);
  void SectionHeading(const Section& section);
  void AddBlock(const Paragraph& paragraph);
  void AddBlock(const BulletList& list);
  void AddBlock(const KeyFigures& figures);
  void AddBlock(const DataTable& table);
  void AddBlock(const Chart& chart);
  struct TableLayout;
  TableLayout LayOutTable(const DataTable& table) const;
  void DrawTableRow(const TableLayout& layout, std::size_t r);
  struct ChartLayout;
  ChartLayout LayOutChart(const Chart& chart) const;
  std::vector<LegendItem> LegendItems(const Chart& chart) const;
  void LayOutLegend(const Chart& chart, ChartLayout& layout) const;
  void LayOutGridColumns(const Chart& chart, ChartLayout& layout) const;
  void DrawChartPart(const Chart& chart, const ChartLayout& layout, std::size_t first,
                     std::size_t last, bool continued, bool final_part);
  void DrawStackedRow(const Chart& chart, const ChartLayout& layout, std::size_t i, double centre);
  void DrawGroupedRow(const Chart& chart, const ChartLayout& layout, std::size_t i, double centre);
  void DrawBarRow(const Chart& chart, const ChartLayout& layout, std::size_t i, double centre);
  void DrawChangeRow(const Chart& chart, const ChartLayout& layout, std::size_t i, double centre);
  void DrawGridRow(const Chart& chart, const ChartLayout& layout, std::size_t i, double centre);
  void DrawGridHeadings(const ChartLayout& layout);
  void DrawChartAxisAndLegend(const ChartLayout& layout, bool ticks);
  void ValueText(const std::string& text, double x, double cy, Colour colour);
  void FillContents(const Document& document);
  void Footers(const Document& document);

  PangoContext* context_;
  Fonts fonts_;
  std::vector<std::vector<Op>> pages_;
  double y_ = kTop;
  std::vector<TocEntry> toc_;
  std::vector<Anchor> anchors_;  // one per section
  // A numbered table or figure, bookmarked under its section.
  struct Exhibit {
    std::size_t section;
    std::string caption;
    Anchor at;
  };
  std::vector<Exhibit> exhibits_;
  void MarkExhibit(const std::string& number, const std::string& caption) {
    if (number.empty() || anchors_.empty()) return;
    exhibits_.push_back({anchors_.size() - 1, ExhibitCaption(number, caption), {Page(), y_}});
  }
};

Layout Composer::MakeLayout(std::string_view text, const Font& font, double width,
                            PangoAlignment align) const {
  Layout layout(pango_layout_new(context_));
  pango_layout_set_font_description(layout.get(), font.get());
  // Plain text, never markup: report text may hold «<» and «&».
  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  if (width > 0) {
    pango_layout_set_width(layout.get(), ToPango(width));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout.get(), align);
  }
  return layout;
}

double Composer::Width(const Layout& layout) {
  PangoRectangle logical;
  pango_layout_get_extents(layout.get(), nullptr, &logical);
  return FromPango(logical.width);
}

double Composer::Height(const Layout& layout) {
  PangoRectangle logical;
  pango_layout_get_extents(layout.get(), nullptr, &logical);
  return FromPango(logical.height);
}

// Places wrapped text at the cursor. Text taller than the room left is split
// between lines and continues on the next page, with no single line left
// alone at the foot or the head of a page.
void Composer::FlowText(std::string_view text, const Font& font, double x, double width,
                        Colour colour, const Layout* bullet, double bullet_x) {
  std::string rest(text);
  while (true) {
    Layout layout = MakeLayout(rest, font, width);
    const double height = Height(layout);
    int lines = 1;
    int fitting = 1;
    int split = 0;
    if (height > Room()) {
      fitting = 0;
      std::vector<int> starts;  // byte index where each line begins
      PangoLayoutIter* it = pango_layout_get_iter(layout.get());
      do {
        PangoRectangle line;
        pango_layout_iter_get_line_extents(it, nullptr, &line);
        starts.push_back(pango_layout_iter_get_line_readonly(it)->start_index);
        if (FromPango(line.y + line.height) <= Room()) ++fitting;
      } while (pango_layout_iter_next_line(it));
      pango_layout_iter_free(it);
      // Nor a single line alone at the top of the next page.
      lines = static_cast<int>(starts.size());
      if (fitting >= 3 && lines - fitting == 1) --fitting;
      if (fitting < lines) split = starts[static_cast<std::size_t>(fitting)];
    }
    if (fitting >= lines || (fitting == 0 && AtTop())) {
      if (bullet != nullptr) Text(*bullet, bullet_x, y_, colour);
      Text(std::move(layout), x, y_, colour);
      y_ += height;
      return;
    }
    if (fitting < 2 && !AtTop()) {
      NewPage();
      continue;
    }
    if (bullet != nullptr) Text(*bullet, bullet_x, y_, colour);
    bullet = nullptr;
    Text(MakeLayout(std::string_view(rest).substr(0, static_cast<std::size_t>(split)), font, width),
         x, y_, colour);
    rest.erase(0, static_cast<std::size_t>(split));
    NewPage();
  }
}

// ------------------------------------------------------------------ title

void Composer::TitlePage(const Document& document) {
  NewPage();
  y_ = kTop + 140;
  Rect(kMarginX, y_ - 22, 56, 5, kAccent);
  FlowText(document.title, fonts_.title, kMarginX, kWidth, kAccent);
  y_ += 10;
  if (!document.subtitle.empty()) {
    FlowText(document.subtitle, fonts_.subtitle, kMarginX, kWidth, kMuted);
  }
  y_ += 28;
  for (const auto& line : document.front_matter) {
    FlowText(line, fonts_.body, kMarginX, kWidth, kInk);
    y_ += 3;
  }
  if (document.legend.empty()) return;

  // The legend sits at the foot of the title page when there is room.
  Layout heading = MakeLayout("Tegnforklaring", fonts_.body_bold, kWidth);
  std::vector<Layout> lines;
  double height = Height(heading) + 4;
  for (const auto& line : document.legend) {
    lines.push_back(MakeLayout(line, fonts_.chart, kWidth));
    height += Height(lines.back()) + 2;
  }
  y_ = std::max(y_ + 30, kBottom - height);
  EnsureRoom(height);
  const double heading_height = Height(heading);
  Line(kMarginX, y_ - 8, kMarginX + kWidth, y_ - 8, 0.5, kRule);
  Text(std::move(heading), kMarginX, y_, kInk);
  y_ += heading_height + 4;
  for (auto& line : lines) {
    const double h = Height(line);
    EnsureRoom(h);
    Text(std::move(line), kMarginX, y_, kInk);
    y_ += h + 2;
  }
}

// ------------------------------------------------------- table of contents

constexpr double kTocNumberWidth = 32;

void Composer::Contents(const Document& document) {
  NewPage();
  Layout heading = MakeLayout("Innhold", fonts_.h1, kWidth);
  const double heading_height = Height(heading);
  Text(std::move(heading), kMarginX, y_, kAccent);
  y_ += heading_height + 14;
  for (std::size_t i = 0; i < document.sections.size(); ++i) {
    const Section& section = document.sections[i];
    const bool chapter = section.level <= 1;
    if (section.level > 2) continue;
    const double indent = chapter ? 0 : 16;
    const double x = kMarginX + indent;
    Layout layout = MakeLayout(section.title, chapter ? fonts_.body_bold : fonts_.body,
                               kWidth - indent - kTocNumberWidth - 12);
    const double height = Height(layout);
    if (chapter && !AtTop()) y_ += 6;
    EnsureRoom(height);
    TocEntry entry{i, Page(), x, y_, height, x, y_};
    PangoLayoutIter* it = pango_layout_get_iter(layout.get());
    while (pango_layout_iter_next_line(it)) {
    }
    PangoRectangle line;
    pango_layout_iter_get_line_extents(it, nullptr, &line);
    entry.line_end = x + FromPango(line.x + line.width);
    entry.baseline = y_ + FromPango(pango_layout_iter_get_baseline(it));
    pango_layout_iter_free(it);
    toc_.push_back(entry);
    Text(std::move(layout), x, y_, kInk);
    y_ += height + 4;
  }
}

void Composer::FillContents(const Document& document) {
  for (const TocEntry& entry : toc_) {
    const Anchor& anchor = anchors_[entry.section];
    const bool chapter = document.sections[entry.section].level <= 1;
    Layout number =
        MakeLayout(std::to_string(anchor.page), chapter ? fonts_.body_bold : fonts_.body);
    const double number_x = kMarginX + kWidth - Width(number);
    const double number_y = entry.baseline - FromPango(pango_layout_get_baseline(number.get()));
    std::vector<Op>& ops = pages_[static_cast<std::size_t>(entry.page - 1)];
    if (number_x - 6 > entry.line_end + 6) {
      ops.push_back(LineOp{entry.line_end + 6, entry.baseline - 1.5, number_x - 6,
                           entry.baseline - 1.5, 0.9, kAxis, true});
    }
    ops.push_back(TextOp{std::move(number), number_x, number_y, kInk});
    ops.push_back(
        LinkOp{entry.x, entry.y, kMarginX + kWidth - entry.x, entry.h, anchor.page, anchor.y});
  }
}

// ------------------------------------------------------------------ body

void Composer::SectionHeading(const Section& section) {
  if (section.level <= 1) {
    if (!AtTop()) NewPage();
    Layout layout = MakeLayout(section.title, fonts_.h1, kWidth);
    const double height = Height(layout);
    anchors_.push_back({Page(), y_});
    Text(std::move(layout), kMarginX, y_, kAccent);
    y_ += height + 5;
    Line(kMarginX, y_, kMarginX + kWidth, y_, 1.0, kAccent);
    y_ += 12;
    if (!section.takeaway.empty()) {
      FlowText(section.takeaway, fonts_.body_bold, kMarginX, kWidth, kInk);
      y_ += kBlockGap;
    }
    return;
  }
  if (!AtTop()) y_ += 8;
  Layout layout = MakeLayout(section.title, fonts_.h2, kWidth);
  const double height = Height(layout);
  EnsureRoom(height + 70);  // keep the heading with what follows
  anchors_.push_back({Page(), y_});
  Text(std::move(layout), kMarginX, y_, kAccent);
  y_ += height + 8;
  if (!section.takeaway.empty()) {
    FlowText(section.takeaway, fonts_.body_bold, kMarginX, kWidth, kInk);
    y_ += kBlockGap;
  }
}

void Composer::AddBlock(const Paragraph& paragraph) {
  FlowText(paragraph.text, fonts_.body, kMarginX, kWidth, kInk);
}

void Composer::AddBlock(const BulletList& list) {
  const Layout bullet = MakeLayout("•", fonts_.body);
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    if (i > 0) y_ += 3;
    const Layout number =
        list.numbered ? MakeLayout(fmt::format("{}.", i + 1), fonts_.body) : Layout();
    const double indent = list.numbered ? 20 : 14;
    FlowText(list.items[i], fonts_.body, kMarginX + indent, kWidth - indent, kInk,
             list.numbered ? &number : &bullet, kMarginX + 3);
  }
}

void Composer::AddBlock(const KeyFigures& block) {
  const auto& figures = block.figures;
  if (figures.empty()) return;
  const std::size_t per_row = figures.size() <= 4 ? figures.size() : 3;
  constexpr double kGap = 10;
  constexpr double kPad = 9;
  constexpr double kStripe = 3;
  const double box_width =
      (kWidth - kGap * static_cast<double>(per_row - 1)) / static_cast<double>(per_row);
  const double inner = box_width - 2 * kPad - kStripe;
  for (std::size_t start = 0; start < figures.size(); start += per_row) {
    const std::size_t end = std::min(figures.size(), start + per_row);
    std::vector<Layout> numbers, labels;
    double box_height = 0;
    for (std::size_t i = start; i < end; ++i) {
      TableCell cell;
      cell.format = figures[i].format;
      cell.number = figures[i].number;
      numbers.push_back(MakeLayout(FormatCell(cell), fonts_.figure, inner));
      labels.push_back(MakeLayout(figures[i].label, fonts_.chart, inner));
      pango_layout_set_height(labels.back().get(), -6);
      pango_layout_set_ellipsize(labels.back().get(), PANGO_ELLIPSIZE_END);
      box_height =
          std::max(box_height, 2 * kPad + Height(numbers.back()) + 3 + Height(labels.back()));
    }
    if (start > 0) y_ += kGap;
    EnsureRoom(box_height);
    for (std::size_t k = 0; k < numbers.size(); ++k) {
      const double x = kMarginX + static_cast<double>(k) * (box_width + kGap);
      Rect(x, y_, box_width, box_height, kBoxFill);
      Rect(x, y_, kStripe, box_height, kAccent);
      const double number_height = Height(numbers[k]);
      Text(std::move(numbers[k]), x + kStripe + kPad, y_ + kPad, kAccent);
      Text(std::move(labels[k]), x + kStripe + kPad, y_ + kPad + number_height + 3, kInk);
    }
    y_ += box_height;
  }
}

// ------------------------------------------------------------------ tables

// The narrowest width `layout` (one unwrapped line) takes without breaking
// inside a word: its widest run between allowed line breaks.
double WidestWord(PangoLayout* layout, double natural) {
  // The layout's own text: pango replaces invalid UTF-8, which moves byte indices.
  const std::string_view text = pango_layout_get_text(layout);
  if (text.find('\n') != std::string_view::npos) return natural;
  int count = 0;
  const PangoLogAttr* attrs = pango_layout_get_log_attrs_readonly(layout, &count);
  double widest = 0;
  double start = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 1; i < count - 1 && p < end; ++i) {
    p = g_utf8_next_char(p);
    if (!attrs[i].is_line_break || p >= end) continue;
    int line = 0;
    int x = 0;
    pango_layout_index_to_line_x(layout, static_cast<int>(p - text.data()), FALSE, &line, &x);
    widest = std::max(widest, FromPango(x) - start);
    start = FromPango(x);
  }
  return std::max(widest, natural - start);
}

constexpr double kCellPadX = 4;
constexpr double kCellPadY = 3;

// A table measured and wrapped to its columns: cells[0] is the header row.
struct Composer::TableLayout {
  std::vector<std::vector<Layout>> cells;
  std::vector<std::vector<Colour>> colours;  // a difference's by its meaning, else ink
  std::vector<double> lefts, heights;
  double width = 0;
};

// Column widths as a browser fits an automatic table: natural widths if
// they fit, else each column shrinks towards its widest word in proportion
// to how much it can give; only if whole words cannot fit does it shrink
// towards its widest hyphenated part, and only then are words broken anywhere.
std::vector<double> ColumnWidths(std::vector<double> natural, std::vector<double> words,
                                 std::vector<double> parts) {
  const std::size_t columns = natural.size();
  std::vector<std::vector<double>*> levels = {&natural, &words, &parts};
  std::vector<double> sums(levels.size(), 0);
  for (std::size_t c = 0; c < columns; ++c) {
    natural[c] = std::ceil(natural[c]) + 2 * kCellPadX + 1;
    for (std::size_t k = 1; k < levels.size(); ++k) {
      double& width = (*levels[k])[c];
      width = std::min({std::ceil(width) + 2 * kCellPadX + 1, (*levels[k - 1])[c], 0.45 * kWidth});
    }
    for (std::size_t k = 0; k < levels.size(); ++k) sums[k] += (*levels[k])[c];
  }
  std::vector<double> widths(columns);
  std::size_t fitting = 0;
  while (fitting < levels.size() && sums[fitting] > kWidth) ++fitting;
  for (std::size_t c = 0; c < columns; ++c) {
    if (fitting == 0) {
      widths[c] = natural[c];
    } else if (fitting < levels.size()) {
      const double wide = (*levels[fitting - 1])[c];
      const double narrow = (*levels[fitting])[c];
      widths[c] =
          narrow + (wide - narrow) * (kWidth - sums[fitting]) / (sums[fitting - 1] - sums[fitting]);
    } else {
      widths[c] = parts[c] * kWidth / sums.back();
    }
  }
  // A very narrow table is widened a little so that it reads as a table.
  if (columns > 1 && sums[0] < 0.55 * kWidth) {
    const double extra = (0.55 * kWidth - sums[0]) / static_cast<double>(columns);
    for (double& width : widths) width += extra;
  }
  return widths;
}

// A column of numbers is right-aligned, headings included.
std::vector<bool> NumericColumns(const DataTable& table) {
  const std::size_t columns = table.columns.size();
  std::vector<bool> numeric(columns, false);
  for (const auto& row : table.rows) {
    for (std::size_t c = 1; c < columns && c < row.size(); ++c) {
      if (row[c].format != CellFormat::kText) numeric[c] = true;
    }
  }
  return numeric;
}

// A difference coloured by what it means; other cells in ink.
Colour CellColour(const TableCell& cell) {
  if (cell.format != CellFormat::kPoints || !cell.number.Visible() ||
      cell.direction == Direction::kNeutral) {
    return kInk;
  }
  return theme::ForDirection(cell.direction);
}

Composer::TableLayout Composer::LayOutTable(const DataTable& table) const {
  const std::size_t columns = table.columns.size();
  const std::vector<bool> numeric = NumericColumns(table);
  // Every cell laid out once, unwrapped, to measure; then wrapped to its column.
  TableLayout out;
  // Per column: its widest cell unwrapped, its widest word, and its widest
  // part of a word between soft hyphens.
  std::vector<double> natural(columns, 0), words(columns, 0), narrowest(columns, 0);
  // Each cell's text without soft hyphens and its widest word, so that words
  // are hyphenated only in a cell too narrow for them.
  std::vector<std::vector<std::pair<std::string, double>>> plain;
  // A break at a soft hyphen adds a hyphen to the line.
  const double hyphen = Width(MakeLayout("-", fonts_.table_bold));
  auto measure = [&](std::size_t c, const std::string& text, bool bold, bool may_wrap) {
    const Font& font = bold ? fonts_.table_bold : fonts_.table;
    const std::string shown = may_wrap ? present::Hyphenate(text) : text;
    Layout layout = MakeLayout(shown, font);
    const double width = Width(layout);
    double word = width, part = width;
    if (may_wrap) {
      part = WidestWord(layout.get(), width);
      word = part;
      if (shown.size() > text.size()) {
        part = std::min(part + hyphen, width);
        word = WidestWord(MakeLayout(text, font).get(), width);
      }
    }
    natural[c] = std::max(natural[c], width);
    words[c] = std::max(words[c], word);
    narrowest[c] = std::max(narrowest[c], part);
    out.cells.back().push_back(std::move(layout));
    plain.back().emplace_back(shown.size() > text.size() ? text : std::string(), word);
  };
  if (columns > 0) {
    out.cells.emplace_back();
    plain.emplace_back();
    out.colours.emplace_back(columns, kInk);
    for (std::size_t c = 0; c < columns; ++c) measure(c, table.columns[c], true, true);
    for (const auto& row : table.rows) {
      out.cells.emplace_back();
      plain.emplace_back();
      out.colours.emplace_back();
      for (std::size_t c = 0; c < columns; ++c) {
        const TableCell empty;
        const TableCell& cell = c < row.size() ? row[c] : empty;
        const Colour colour = CellColour(cell);
        // Colour never carries a meaning alone: a difference that has one is bold too.
        const bool bold = (cell.header && c > 0) || colour.hex != kInk.hex;
        out.colours.back().push_back(colour);
        measure(c, FormatCell(cell), bold, cell.format == CellFormat::kText);
      }
    }
  }
  const std::vector<double> widths = ColumnWidths(natural, words, narrowest);
  out.lefts.resize(columns);
  for (std::size_t c = 0; c < columns; ++c) {
    out.lefts[c] = kMarginX + out.width;
    out.width += widths[c];
  }
  out.heights.assign(out.cells.size(), 0);
  for (std::size_t r = 0; r < out.cells.size(); ++r) {
    for (std::size_t c = 0; c < columns; ++c) {
      PangoLayout* layout = out.cells[r][c].get();
      if (const auto& [text, word] = plain[r][c];
          !text.empty() && word <= widths[c] - 2 * kCellPadX) {
        pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
      }
      pango_layout_set_width(layout, ToPango(widths[c] - 2 * kCellPadX));
      // Lines break between words and at soft hyphens; inside a word only
      // when the column is narrower than its longest part.
      const bool fits = widths[c] + 0.5 >= std::ceil(narrowest[c]) + 2 * kCellPadX + 1;
      pango_layout_set_wrap(layout, fits ? PANGO_WRAP_WORD : PANGO_WRAP_WORD_CHAR);
      pango_layout_set_alignment(layout, numeric[c] ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
      pango_layout_set_height(layout, -kMaxCellLines);
      pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
      out.heights[r] = std::max(out.heights[r], Height(out.cells[r][c]) + 2 * kCellPadY);
    }
  }
  return out;
}

void Composer::DrawTableRow(const TableLayout& layout, std::size_t r) {
  if (r == 0) Rect(kMarginX, y_, layout.width, layout.heights[0], kHeaderFill);
  for (std::size_t c = 0; c < layout.lefts.size(); ++c) {
    Text(layout.cells[r][c], layout.lefts[c] + kCellPadX, y_ + kCellPadY, layout.colours[r][c]);
  }
  y_ += layout.heights[r];
  const bool edge = r == 0 || r + 1 == layout.cells.size();
  Line(kMarginX, y_, kMarginX + layout.width, y_, edge ? 0.8 : 0.4, edge ? kAccent : kRule);
}

void Composer::AddBlock(const DataTable& table) {
  const TableLayout layout = LayOutTable(table);
  const std::string caption_text = ExhibitCaption(table.number, table.caption);
  Layout caption;
  double caption_height = 0;
  if (!caption_text.empty()) {
    caption = MakeLayout(caption_text, fonts_.caption, kWidth);
    caption_height = Height(caption) + 5;
  }
  // The caption stays with the header and the first row.
  double opening = caption_height;
  for (std::size_t r = 0; r < std::min<std::size_t>(2, layout.cells.size()); ++r) {
    opening += layout.heights[r];
  }
  EnsureRoom(opening);
  MarkExhibit(table.number, table.caption);
  if (caption.get() != nullptr) {
    Text(std::move(caption), kMarginX, y_, kInk);
    y_ += caption_height;
  }
  if (!layout.cells.empty()) {
    Line(kMarginX, y_, kMarginX + layout.width, y_, 0.8, kAccent);
    DrawTableRow(layout, 0);
  }
  for (std::size_t r = 1; r < layout.cells.size(); ++r) {
    if (layout.heights[r] > Room()) {
      NewPage();
      if (!caption_text.empty()) {
        Layout continued = MakeLayout(caption_text + " (forts.)", fonts_.caption, kWidth);
        const double h = Height(continued);
        Text(std::move(continued), kMarginX, y_, kMuted);
        y_ += h + 5;
      }
      Line(kMarginX, y_, kMarginX + layout.width, y_, 0.8, kAccent);
      DrawTableRow(layout, 0);  // the header row again on every page of the table
    }
    DrawTableRow(layout, r);
  }
  if (!table.notes.empty()) y_ += 4;
  for (const auto& note : table.notes) {
    FlowText(note, fonts_.small, kMarginX, kWidth, kMuted);
    y_ += 1.5;
  }
}

// ------------------------------------------------------------------ charts

// What a legend entry shows before its name.
enum class Glyph { kSwatch, kMarker, kDot, kArrow };

struct LegendItem {
  Layout name;
  Glyph glyph;
  Shape shape;
  Colour colour;
};

const char* MarkFor(const Number& number) {
  return number.suppressed ? kSuppressedMark : kMissingMark;
}

Number ValueAt(const ChartSeries& series, std::size_t i) {
  return i < series.values.size() ? series.values[i] : Missing();
}

double Clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

Colour SeriesFill(const Chart& chart, std::size_t s) {
  return theme::SeriesColour(s, chart.series.size(), chart.ordered);
}

Colour DirectionColour(const Chart& chart, std::size_t i) {
  return theme::ForDirection(i < chart.directions.size() ? chart.directions[i]
                                                         : Direction::kNeutral);
}

constexpr double kChartLabelGap = 8;
constexpr double kChartRowGap = 7;
constexpr double kChartAxisGap = 3;

// A chart measured once: its label column, plot, bars and legend, drawn
// in one part or split between pages.
struct Composer::ChartLayout {
  std::vector<Layout> labels;
  double x0 = 0, plot_width = 0;
  // A bar's thickness, and the distance from one bar of a group to the next.
  double bar = 16, pitch = 0, group = 0;
  std::vector<double> row_heights;
  struct Placed {
    double x, dy;
  };
  std::vector<LegendItem> items;
  std::vector<Placed> placed;
  double legend_height = 0;
  Layout axis_probe;
  double axis_height = 0;
  Layout description;
  double description_height = 0;
  Layout title;
  double title_height = 0;  // room for the longer «(forts.)» title, should the chart split
  double frame = 0;         // everything but the rows
  // kGrid: the column headings, the width of a column and the headings' height.
  std::vector<Layout> headings;
  double cell = 0, headings_height = 0;
};

std::vector<LegendItem> Composer::LegendItems(const Chart& chart) const {
  std::vector<LegendItem> items;
  auto add = [&](const std::string& name, Glyph glyph, Colour colour, Shape shape = Shape::kLine) {
    items.push_back({MakeLayout(name, fonts_.chart), glyph, shape, colour});
  };
  switch (chart.kind) {
    case ChartKind::kBars:
      if (!chart.series.empty()) add(chart.series[0].name, Glyph::kSwatch, kAccent);
      for (const auto& marker : chart.markers) {
        const theme::MarkerStyle style = theme::MarkerFor(marker.reference);
        add(marker.name, Glyph::kMarker, style.colour, style.shape);
      }
      break;
    case ChartKind::kGroupedBars:
    case ChartKind::kStackedBars:
      for (std::size_t s = 0; s < chart.series.size(); ++s) {
        add(chart.series[s].name, Glyph::kSwatch, SeriesFill(chart, s));
      }
      break;
    case ChartKind::kChange:
      if (chart.series.size() >= 2) {
        add(chart.series[0].name, Glyph::kDot, kInk);
        add(chart.series[1].name, Glyph::kArrow, kInk);
      }
      add("Bedre", Glyph::kSwatch, theme::kBetter);
      add("Verre", Glyph::kSwatch, theme::kWorse);
      add("Ingen sikker endring", Glyph::kSwatch, theme::kNoChange);
      break;
    case ChartKind::kGrid: {
      for (const auto& band : theme::GridShadeBands()) {
        add(band.label, Glyph::kSwatch, band.colour);
      }
      break;
    }
  }
  return items;
}

// Legend, flowed in lines across the text width.
void Composer::LayOutLegend(const Chart& chart, ChartLayout& out) const {
  out.items = LegendItems(chart);
  double x = kMarginX, line_top = 0, line_height = 0;
  for (auto& item : out.items) {
    pango_layout_set_width(item.name.get(), ToPango(kWidth - 16));
    pango_layout_set_wrap(item.name.get(), PANGO_WRAP_WORD_CHAR);
    const double w = 14 + Width(item.name);
    if (x > kMarginX && x + w > kMarginX + kWidth) {
      x = kMarginX;
      line_top += line_height + 3;
      line_height = 0;
    }
    out.placed.push_back({x, line_top});
    line_height = std::max(line_height, Height(item.name));
    x += w + 16;
  }
  out.legend_height = out.items.empty() ? 0 : line_top + line_height;
}

// kGrid: one column per series, headed by its name wrapped (and hyphenated)
// to the column's width.
void Composer::LayOutGridColumns(const Chart& chart, ChartLayout& out) const {
  const double columns = std::max<double>(1, static_cast<double>(chart.series.size()));
  out.cell = std::min(64.0, (kMarginX + kWidth - out.x0) / columns);
  for (const auto& series : chart.series) {
    out.headings.push_back(MakeLayout(present::Hyphenate(series.name), fonts_.value, out.cell - 4,
                                      PANGO_ALIGN_CENTER));
    pango_layout_set_wrap(out.headings.back().get(), PANGO_WRAP_WORD);
    out.headings_height = std::max(out.headings_height, Height(out.headings.back()) + 4);
  }
  out.plot_width = out.cell * columns;
}

Composer::ChartLayout Composer::LayOutChart(const Chart& chart) const {
  ChartLayout out;
  // Label column: as wide as the labels need, at most about a third.
  double label_width = 40;
  for (const auto& text : chart.labels) {
    out.labels.push_back(MakeLayout(present::Hyphenate(text), fonts_.chart));
    label_width = std::max(label_width, std::ceil(Width(out.labels.back())) + 1);
  }
  label_width = std::min(label_width, 0.34 * kWidth);
  for (std::size_t i = 0; i < out.labels.size(); ++i) {
    // Hyphenated only where a word is wider than the column.
    const Layout whole = MakeLayout(chart.labels[i], fonts_.chart);
    if (WidestWord(whole.get(), Width(whole)) <= label_width) out.labels[i] = whole;
  }
  for (auto& label : out.labels) {
    pango_layout_set_width(label.get(), ToPango(label_width));
    pango_layout_set_wrap(label.get(), PANGO_WRAP_WORD);
    pango_layout_set_height(label.get(), -4);
    pango_layout_set_ellipsize(label.get(), PANGO_ELLIPSIZE_END);
  }
  // Room after the plot for «100 %» pushed past a marker.
  const double value_room = std::ceil(Width(MakeLayout(FormatPercent(1), fonts_.value))) + 12;
  out.x0 = kMarginX + label_width + kChartLabelGap;
  out.plot_width = kMarginX + kWidth - value_room - out.x0;
  std::size_t bars_per_row = 1;
  if (chart.kind == ChartKind::kBars) {
    out.bar = 13;
  } else if (chart.kind == ChartKind::kGroupedBars) {
    out.bar = 8;
    out.pitch = 10;
    bars_per_row = std::max<std::size_t>(1, chart.series.size());
  } else if (chart.kind == ChartKind::kChange) {
    out.bar = 10;
  } else if (chart.kind == ChartKind::kGrid) {
    out.bar = 16;
    LayOutGridColumns(chart, out);
  }
  out.group = out.bar + out.pitch * static_cast<double>(bars_per_row - 1);
  out.row_heights.resize(chart.labels.size());
  const double gap = chart.kind == ChartKind::kGrid ? 2 : kChartRowGap;
  for (std::size_t i = 0; i < chart.labels.size(); ++i) {
    out.row_heights[i] = std::max({Height(out.labels[i]), out.group, out.bar + 6}) + gap;
  }
  LayOutLegend(chart, out);
  out.axis_probe = MakeLayout(FormatPercent(0), fonts_.value);
  out.axis_height =
      chart.kind == ChartKind::kGrid ? kChartAxisGap : Height(out.axis_probe) + kChartAxisGap;
  if (!chart.description.empty()) {
    out.description = MakeLayout(chart.description, fonts_.small, kWidth);
    out.description_height = Height(out.description) + 5;
  }
  const std::string title = ExhibitCaption(chart.number, chart.title);
  if (!title.empty()) {
    out.title = MakeLayout(title, fonts_.caption, kWidth);
    out.title_height = Height(MakeLayout(title + " (forts.)", fonts_.caption, kWidth)) + 6;
  }
  out.frame = out.title_height + out.headings_height + out.axis_height +
              (out.items.empty() ? 0 : out.legend_height + 8) + out.description_height + 2;
  return out;
}

void Composer::ValueText(const std::string& text, double x, double cy, Colour colour) {
  Layout layout = MakeLayout(text, fonts_.value);
  Text(layout, x, cy - Height(layout) / 2, colour);
}

void Composer::DrawStackedRow(const Chart& chart, const ChartLayout& layout, std::size_t i,
                              double centre) {
  const double bar_top = centre - layout.bar / 2;
  double cumulative = 0;
  bool any = false;
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const Number v = ValueAt(chart.series[s], i);
    if (!v.Visible()) continue;
    const double from = Clamp01(cumulative);
    const double to = Clamp01(cumulative + v.value);
    cumulative += v.value;
    if (to <= from) continue;
    any = true;
    const Colour colour = SeriesFill(chart, s);
    const double x = layout.x0 + from * layout.plot_width;
    const double w = (to - from) * layout.plot_width;
    Bar(x, bar_top, w, layout.bar, colour);
    if (s > 0) Line(x, bar_top, x, bar_top + layout.bar, 0.75, kWhite);
    Layout text = MakeLayout(FormatPercent(v.value), fonts_.value);
    const double tw = Width(text);
    if (tw + 4 <= w) {
      Text(text, x + (w - tw) / 2, centre - Height(text) / 2, theme::TextOn(colour));
    }
  }
  if (!any) {
    const Number first_value = !chart.series.empty() ? ValueAt(chart.series[0], i) : Missing();
    ValueText(MarkFor(first_value), layout.x0 + 3, centre, kInk);
  }
}

void Composer::DrawGroupedRow(const Chart& chart, const ChartLayout& layout, std::size_t i,
                              double centre) {
  const double group_top = centre - layout.group / 2;
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const Number v = ValueAt(chart.series[s], i);
    const double bar_top = group_top + layout.pitch * static_cast<double>(s);
    if (!v.Visible()) {
      ValueText(MarkFor(v), layout.x0 + 3, bar_top + layout.bar / 2, kInk);
      continue;
    }
    const double w = Clamp01(v.value) * layout.plot_width;
    Bar(layout.x0, bar_top, w, layout.bar, SeriesFill(chart, s));
    ValueText(FormatPercent(v.value), layout.x0 + w + 3, bar_top + layout.bar / 2, kInk);
  }
}

void Composer::DrawBarRow(const Chart& chart, const ChartLayout& layout, std::size_t i,
                          double centre) {
  const Number v = !chart.series.empty() ? ValueAt(chart.series[0], i) : Missing();
  double end = layout.x0;
  if (v.Visible()) {
    const double w = Clamp01(v.value) * layout.plot_width;
    Bar(layout.x0, centre - layout.bar / 2, w, layout.bar, kAccent);
    end = layout.x0 + w;
  }
  // Markers are drawn over the bar; the value text steps past any in its way.
  std::vector<double> marker_x;
  for (const auto& marker : chart.markers) {
    const Number mv = ValueAt(marker, i);
    if (!mv.Visible()) continue;
    const double x = layout.x0 + Clamp01(mv.value) * layout.plot_width;
    marker_x.push_back(x);
    const theme::MarkerStyle style = theme::MarkerFor(marker.reference);
    Ops().push_back(MarkerOp{style.shape, x, centre, layout.bar / 2 + 3, style.colour});
  }
  std::sort(marker_x.begin(), marker_x.end());
  Layout text = MakeLayout(v.Visible() ? FormatPercent(v.value) : MarkFor(v), fonts_.value);
  const double tw = Width(text);
  double x = end + 3;
  for (double mx : marker_x) {
    if (mx + 5 > x && mx - 5 < x + tw) x = mx + 6;
  }
  x = std::min(x, kMarginX + kWidth - tw);
  Text(std::move(text), x, centre - Height(layout.axis_probe) / 2, kInk);
}

// One label's change: a dot at the value before, a line to the value after
// ending in an arrowhead, each value written outside its end.
void Composer::DrawChangeRow(const Chart& chart, const ChartLayout& layout, std::size_t i,
                             double centre) {
  const Number before = !chart.series.empty() ? ValueAt(chart.series[0], i) : Missing();
  const Number after = chart.series.size() >= 2 ? ValueAt(chart.series[1], i) : Missing();
  const Colour colour = DirectionColour(chart, i);
  auto text_of = [](const Number& n) { return n.Visible() ? FormatPercent(n.value) : MarkFor(n); };
  auto x_of = [&](const Number& n) { return layout.x0 + Clamp01(n.value) * layout.plot_width; };
  if (!before.Visible() || !after.Visible()) {
    const Number& shown = before.Visible() ? before : after;
    double x = layout.x0;
    if (shown.Visible()) {
      x = x_of(shown);
      Ops().push_back(DotOp{x, centre, 3, colour});
    }
    ValueText(text_of(before) + " → " + text_of(after), x + 6, centre, kInk);
    return;
  }
  const double xb = x_of(before);
  const double xa = x_of(after);
  const double sign = xa >= xb ? 1 : -1;
  if (std::abs(xa - xb) > 6) {
    Line(xb, centre, xa - 5 * sign, centre, 2, colour);
    Ops().push_back(ArrowOp{xa, centre, sign, 6, colour});
  }
  Ops().push_back(DotOp{xb, centre, 3, colour});
  Layout left = MakeLayout(text_of(sign > 0 ? before : after), fonts_.value);
  const std::string right = text_of(sign > 0 ? after : before);
  const double left_x = std::min(xa, xb) - 5 - Width(left);
  if (left_x >= layout.x0 + 1 && std::abs(xa - xb) > 6) {
    Text(std::move(left), left_x, centre - Height(layout.axis_probe) / 2, kInk);
    ValueText(right, std::max(xa, xb) + 5, centre, kInk);
  } else {
    ValueText(text_of(before) + " → " + text_of(after), std::max(xa, xb) + 5, centre, kInk);
  }
}

// One row of the grid: each column's share in a cell shaded by its size.
void Composer::DrawGridRow(const Chart& chart, const ChartLayout& layout, std::size_t i,
                           double centre) {
  for (std::size_t c = 0; c < chart.series.size(); ++c) {
    const Number v = ValueAt(chart.series[c], i);
    const double x = layout.x0 + static_cast<double>(c) * layout.cell;
    const double top = centre - layout.bar / 2;
    Colour text = kInk;
    if (v.Visible()) {
      const Colour fill = theme::GridShade(v.value);
      Bar(x + 0.75, top, layout.cell - 1.5, layout.bar, fill);
      text = theme::TextOn(fill);
    } else {
      // A missing cell (the diagonal, a pair not asked) is grey, a hidden one white.
      Ops().push_back(
          RectOp{x + 0.75, top, layout.cell - 1.5, layout.bar, v.missing ? kGrid : kWhite, true});
    }
    Layout value = MakeLayout(v.Visible() ? FormatPercent(v.value) : MarkFor(v), fonts_.value);
    Text(value, x + (layout.cell - Width(value)) / 2, centre - Height(value) / 2, text);
  }
}

void Composer::DrawGridHeadings(const ChartLayout& layout) {
  for (std::size_t c = 0; c < layout.headings.size(); ++c) {
    const double x = layout.x0 + static_cast<double>(c) * layout.cell + 2;
    const double h = Height(layout.headings[c]);
    Text(layout.headings[c], x, y_ + layout.headings_height - 4 - h, kInk);
  }
  y_ += layout.headings_height;
}

// The percent ticks under the plot, then the legend.
void Composer::DrawChartAxisAndLegend(const ChartLayout& layout, bool ticks) {
  if (ticks) {
    for (int t = 0; t <= 5; ++t) {
      Layout tick = MakeLayout(FormatPercent(t / 5.0), fonts_.value);
      const double x = layout.x0 + layout.plot_width * t / 5.0 - Width(tick) / 2;
      Text(std::move(tick), x, y_, kMuted);
    }
  }
  y_ += layout.axis_height - kChartAxisGap;
  if (layout.items.empty()) return;
  y_ += 8;
  for (std::size_t k = 0; k < layout.items.size(); ++k) {
    const LegendItem& item = layout.items[k];
    const double x = layout.placed[k].x;
    const double item_top = y_ + layout.placed[k].dy;
    const double cy = item_top + Height(layout.axis_probe) / 2 + 1;
    switch (item.glyph) {
      case Glyph::kSwatch:
        Bar(x, cy - 4.5, 10, 9, item.colour);
        break;
      case Glyph::kMarker:
        Ops().push_back(MarkerOp{item.shape, x + 5, cy, 7, item.colour});
        break;
      case Glyph::kDot:
        Ops().push_back(DotOp{x + 5, cy, 3, item.colour});
        break;
      case Glyph::kArrow:
        Line(x, cy, x + 6, cy, 2, item.colour);
        Ops().push_back(ArrowOp{x + 11, cy, 1, 6, item.colour});
        break;
    }
    Text(item.name, x + 14, item_top, kInk);
  }
  y_ += layout.legend_height;
}

// Draws rows [first, last) with the title, axis and legend.
void Composer::DrawChartPart(const Chart& chart, const ChartLayout& layout, std::size_t first,
                             std::size_t last, bool continued, bool final_part) {
  if (layout.title.get() != nullptr) {
    const Layout heading = continued
                               ? MakeLayout(ExhibitCaption(chart.number, chart.title) + " (forts.)",
                                            fonts_.caption, kWidth)
                               : layout.title;
    Text(heading, kMarginX, y_, kInk);
    y_ += Height(heading) + 6;
  }
  const bool grid = chart.kind == ChartKind::kGrid;
  if (grid) DrawGridHeadings(layout);
  double plot_height = 0;
  for (std::size_t i = first; i < last; ++i) plot_height += layout.row_heights[i];
  const double top = y_;
  const double bottom = top + plot_height - (grid ? 0 : kChartRowGap / 2);
  for (int t = 0; t <= 5 && !grid; ++t) {
    const double x = layout.x0 + layout.plot_width * t / 5.0;
    Line(x, top, x, bottom, t == 0 ? 0.8 : 0.5, t == 0 ? kAxis : kGrid);
  }
  for (std::size_t i = first; i < last; ++i) {
    const double content = layout.row_heights[i] - (grid ? 2 : kChartRowGap);
    const double centre = y_ + content / 2;
    Text(layout.labels[i], kMarginX, y_ + (content - Height(layout.labels[i])) / 2, kInk);
    switch (chart.kind) {
      case ChartKind::kStackedBars:
        DrawStackedRow(chart, layout, i, centre);
        break;
      case ChartKind::kGroupedBars:
        DrawGroupedRow(chart, layout, i, centre);
        break;
      case ChartKind::kChange:
        DrawChangeRow(chart, layout, i, centre);
        break;
      case ChartKind::kGrid:
        DrawGridRow(chart, layout, i, centre);
        break;
      case ChartKind::kBars:
        DrawBarRow(chart, layout, i, centre);
        break;
    }
    y_ += layout.row_heights[i];
  }
  y_ = bottom + kChartAxisGap;
  DrawChartAxisAndLegend(layout, !grid);
  if (final_part && layout.description.get() != nullptr) {
    y_ += 5;
    Text(layout.description, kMarginX, y_, kMuted);
    y_ += layout.description_height - 5;
  }
}

void Composer::AddBlock(const Chart& chart) {
  const ChartLayout layout = LayOutChart(chart);
  const std::size_t rows = chart.labels.size();
  double total = layout.frame;
  for (double h : layout.row_heights) total += h;
  // Kept on one page when it can be; otherwise split between rows.
  if (total <= kBottom - kTop) {
    EnsureRoom(total);
    MarkExhibit(chart.number, chart.title);
    DrawChartPart(chart, layout, 0, rows, false, true);
    return;
  }
  std::size_t first = 0;
  bool continued = false;
  while (true) {
    EnsureRoom(layout.frame + (rows > 0 ? layout.row_heights[first] : 0));
    if (!continued) MarkExhibit(chart.number, chart.title);
    double room = Room() - layout.frame;
    std::size_t last = first;
    while (last < rows && (last == first || layout.row_heights[last] <= room)) {
      room -= layout.row_heights[last];
      ++last;
    }
    DrawChartPart(chart, layout, first, last, continued, last == rows);
    if (last == rows) break;
    NewPage();
    first = last;
    continued = true;
  }
}

// ------------------------------------------------------------------ footer

void Composer::Footers(const Document& document) {
  const int total = PageCount();
  Layout title;
  if (!document.title.empty()) {
    title = MakeLayout(document.title, fonts_.small, kWidth - 100);
    pango_layout_set_ellipsize(title.get(), PANGO_ELLIPSIZE_END);
    pango_layout_set_height(title.get(), -1);
  }
  for (int page = 2; page <= total; ++page) {
    std::vector<Op>& ops = pages_[static_cast<std::size_t>(page - 1)];
    Layout number = MakeLayout(fmt::format("Side {} av {}", page, total), fonts_.small);
    const double x = kMarginX + kWidth - Width(number);
    ops.push_back(LineOp{kMarginX, kFooterY - 5, kMarginX + kWidth, kFooterY - 5, 0.4, kRule});
    ops.push_back(TextOp{std::move(number), x, kFooterY, kMuted});
    if (title.get() != nullptr) ops.push_back(TextOp{title, kMarginX, kFooterY, kMuted});
  }
}

void Composer::Compose(const Document& document) {
  TitlePage(document);
  auto body = [this](const Section& section) {
    SectionHeading(section);
    for (std::size_t b = 0; b < section.blocks.size(); ++b) {
      if (b > 0) y_ += kBlockGap;
      std::visit([this](const auto& block) { AddBlock(block); }, section.blocks[b]);
    }
  };
  // What a leader reads first comes straight after the title page.
  const std::size_t lead = std::min(document.lead_sections, document.sections.size());
  for (std::size_t i = 0; i < lead; ++i) body(document.sections[i]);
  if (!document.sections.empty()) {
    Contents(document);
    NewPage();  // the body starts on a page of its own, whatever the first section's level
  }
  for (std::size_t i = lead; i < document.sections.size(); ++i) body(document.sections[i]);
  FillContents(document);
  Footers(document);
}

// ------------------------------------------------------------------ output

void SetColour(cairo_t* cr, const Colour& c) {
  cairo_set_source_rgb(cr, c.Red(), c.Green(), c.Blue());
}

// The theme's marker shapes: the nation's line, the size group's diamond,
// the baseline's ring and a triangle for any other reference.
void DrawMarker(cairo_t* cr, const MarkerOp& marker) {
  const double h = marker.half;
  Colour fill = marker.colour;
  Colour edge = kWhite;
  double edge_width = 0.6;
  switch (marker.shape) {
    case Shape::kLine:
      cairo_rectangle(cr, marker.cx - 1.25, marker.cy - h, 2.5, 2 * h);
      break;
    case Shape::kDiamond:
      cairo_move_to(cr, marker.cx, marker.cy - 0.8 * h);
      cairo_line_to(cr, marker.cx + 0.6 * h, marker.cy);
      cairo_line_to(cr, marker.cx, marker.cy + 0.8 * h);
      cairo_line_to(cr, marker.cx - 0.6 * h, marker.cy);
      cairo_close_path(cr);
      break;
    case Shape::kCircle:
      cairo_new_sub_path(cr);
      cairo_arc(cr, marker.cx, marker.cy, 0.45 * h, 0, 2 * M_PI);
      fill = kWhite;
      edge = marker.colour;
      edge_width = 1.6;
      break;
    case Shape::kTriangle:
      cairo_move_to(cr, marker.cx - 0.5 * h, marker.cy - 0.5 * h);
      cairo_line_to(cr, marker.cx + 0.5 * h, marker.cy - 0.5 * h);
      cairo_line_to(cr, marker.cx, marker.cy + 0.5 * h);
      cairo_close_path(cr);
      break;
  }
  // A thin white edge keeps the marker visible on a bar of any colour.
  SetColour(cr, fill);
  cairo_fill_preserve(cr);
  SetColour(cr, edge);
  cairo_set_line_width(cr, edge_width);
  cairo_stroke(cr);
}

void Composer::Draw(cairo_t* cr) const {
  for (const auto& ops : pages_) {
    for (const Op& op : ops) {
      if (const auto* text = std::get_if<TextOp>(&op)) {
        SetColour(cr, text->colour);
        cairo_move_to(cr, text->x, text->y);
        pango_cairo_show_layout(cr, text->layout.get());
      } else if (const auto* rect = std::get_if<RectOp>(&op)) {
        SetColour(cr, rect->fill);
        cairo_rectangle(cr, rect->x, rect->y, rect->w, rect->h);
        if (rect->outline) {
          cairo_fill_preserve(cr);
          SetColour(cr, kMuted);
          cairo_set_line_width(cr, 0.5);
          cairo_stroke(cr);
        } else {
          cairo_fill(cr);
        }
      } else if (const auto* line = std::get_if<LineOp>(&op)) {
        SetColour(cr, line->colour);
        cairo_set_line_width(cr, line->width);
        if (line->dotted) {
          const double dash[] = {0.0, 3.0};
          cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
          cairo_set_dash(cr, dash, 2, 0);
        }
        cairo_move_to(cr, line->x1, line->y1);
        cairo_line_to(cr, line->x2, line->y2);
        cairo_stroke(cr);
        if (line->dotted) {
          cairo_set_dash(cr, nullptr, 0, 0);
          cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
        }
      } else if (const auto* marker = std::get_if<MarkerOp>(&op)) {
        DrawMarker(cr, *marker);
      } else if (const auto* dot = std::get_if<DotOp>(&op)) {
        cairo_new_sub_path(cr);
        cairo_arc(cr, dot->cx, dot->cy, dot->r, 0, 2 * M_PI);
        SetColour(cr, dot->fill);
        cairo_fill(cr);
      } else if (const auto* arrow = std::get_if<ArrowOp>(&op)) {
        cairo_move_to(cr, arrow->x, arrow->y);
        cairo_line_to(cr, arrow->x - arrow->direction * arrow->size, arrow->y - 0.7 * arrow->size);
        cairo_line_to(cr, arrow->x - arrow->direction * arrow->size, arrow->y + 0.7 * arrow->size);
        cairo_close_path(cr);
        SetColour(cr, arrow->fill);
        cairo_fill(cr);
      } else if (const auto* link = std::get_if<LinkOp>(&op)) {
        const std::string attributes =
            fmt::format("rect=[{:.2f} {:.2f} {:.2f} {:.2f}] page={} pos=[{:.2f} {:.2f}]", link->x,
                        link->y, link->w, link->h, link->page, kMarginX, link->target_y);
        cairo_tag_begin(cr, CAIRO_TAG_LINK, attributes.c_str());
        cairo_tag_end(cr, CAIRO_TAG_LINK);
      }
    }
    cairo_show_page(cr);
  }
}

void Composer::AddOutline(cairo_surface_t* surface, const Document& document) const {
  int chapter = CAIRO_PDF_OUTLINE_ROOT;
  for (std::size_t i = 0; i < document.sections.size() && i < anchors_.size(); ++i) {
    const Section& section = document.sections[i];
    const std::string link =
        fmt::format("page={} pos=[{:.2f} {:.2f}]", anchors_[i].page, kMarginX, anchors_[i].y);
    const bool top = section.level <= 1;
    const int id = cairo_pdf_surface_add_outline(surface, top ? CAIRO_PDF_OUTLINE_ROOT : chapter,
                                                 section.title.c_str(), link.c_str(),
                                                 CAIRO_PDF_OUTLINE_FLAG_OPEN);
    if (top) chapter = id;
    // The section's numbered tables and figures, folded under it.
    for (const Exhibit& exhibit : exhibits_) {
      if (exhibit.section != i) continue;
      const std::string target =
          fmt::format("page={} pos=[{:.2f} {:.2f}]", exhibit.at.page, kMarginX, exhibit.at.y);
      cairo_pdf_surface_add_outline(surface, id, exhibit.caption.c_str(), target.c_str(),
                                    static_cast<cairo_pdf_outline_flags_t>(0));
    }
  }
}

// The PDF goes to a file opened here rather than by cairo, so a failure can
// name its cause.
struct Sink {
  FILE* file = nullptr;
  int error = 0;
};

cairo_status_t WriteToSink(void* closure, const unsigned char* data, unsigned int length) {
  auto* sink = static_cast<Sink*>(closure);
  if (sink->error != 0) return CAIRO_STATUS_WRITE_ERROR;
  if (std::fwrite(data, 1, length, sink->file) != length) {
    sink->error = errno != 0 ? errno : EIO;
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

std::string ErrnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

}  // namespace

Result<int> WritePdf(const Document& document, const fs::path& path) {
  auto failure = [&](const std::string& why) {
    return Error{fmt::format("kan ikke skrive PDF til «{}»: {}", path.string(), why)};
  };
  // A temporary beside the target, renamed when complete, so no reader sees
  // half a PDF; unique per call, as reports are written from many threads.
  static std::atomic<unsigned> counter{0};
  const fs::path temporary =
      path.string() + fmt::format(".{}.{}.tmp", ::getpid(), counter.fetch_add(1));
  Sink sink;
  sink.file = std::fopen(temporary.c_str(), "wb");
  if (sink.file == nullptr) return failure(ErrnoText(errno));

  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(WriteToSink, &sink, kPageWidth, kPageHeight);
  cairo_t* cr = cairo_create(surface);
  int pages = 0;
  {
    Composer composer(cr);
    composer.Compose(document);
    if (!document.title.empty()) {
      cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, document.title.c_str());
    }
    if (!document.subtitle.empty()) {
      cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT,
                                     document.subtitle.c_str());
    }
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Samkart");
    composer.AddOutline(surface, document);
    composer.Draw(cr);
    pages = composer.PageCount();
  }
  const cairo_status_t drawn = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t finished = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  const bool closed = std::fclose(sink.file) == 0;
  const int close_error = errno;

  std::error_code ec;
  std::string why;
  if (sink.error != 0) {
    why = ErrnoText(sink.error);
  } else if (drawn != CAIRO_STATUS_SUCCESS || finished != CAIRO_STATUS_SUCCESS) {
    why = cairo_status_to_string(drawn != CAIRO_STATUS_SUCCESS ? drawn : finished);
  } else if (!closed) {
    why = ErrnoText(close_error);
  } else {
    fs::rename(temporary, path, ec);
    if (!ec) return pages;
    why = ec.message();
  }
  fs::remove(temporary, ec);
  return failure(why);
}

}  // namespace samkart::report
