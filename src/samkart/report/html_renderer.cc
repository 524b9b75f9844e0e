#include "samkart/report/html_renderer.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/report/theme.h"

namespace samkart::report {

namespace {

// The output is also well-formed XML (a polyglot document), so an XML parser
// can check it: invalid UTF-8 and the control characters XML 1.0 forbids
// become U+FFFD before the usual escaping.
std::string XmlSafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto byte = static_cast<unsigned char>(s[i]);
    if (byte < 0x80) {
      const bool allowed = byte >= 0x20 || byte == '\t' || byte == '\n' || byte == '\r';
      out += allowed ? std::string_view(&s[i], 1) : std::string_view("\uFFFD");
      ++i;
      continue;
    }
    char32_t code_point = 0;
    const std::size_t length = text::DecodeUtf8(s, i, code_point);
    if (length == 0 || code_point == 0xFFFE || code_point == 0xFFFF) {
      out += "\uFFFD";
      i += length == 0 ? 1 : length;
    } else {
      out.append(s, i, length);
      i += length;
    }
  }
  return out;
}

std::string Escape(std::string_view s) { return text::HtmlEscape(XmlSafe(s)); }

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// The first `count` code points of s.
std::string_view Utf8Prefix(std::string_view s, std::size_t count) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == count) return s.substr(0, i);
      ++seen;
    }
  }
  return s;
}

// ------------------------------------------------------------------ marks

const std::string& SuppressedHtml() {
  static const std::string html = fmt::format(
      "<abbr class=\"mark\" title=\"Vises ikke (publiseringsregler)\">{}</abbr>", kSuppressedMark);
  return html;
}

const std::string& MissingHtml() {
  static const std::string html =
      fmt::format("<abbr class=\"mark\" title=\"Ingen tall å vise\">{}</abbr>", kMissingMark);
  return html;
}

const std::string& SignificantHtml() {
  static const std::string html =
      fmt::format("<abbr class=\"mark\" title=\"Statistisk signifikant forskjell\">{}</abbr>",
                  kSignificantMark);
  return html;
}

// A cell's text as FormatCell prints it, with the marks explained on hover.
// A difference that means better or worse is coloured and bold, and says so
// in words for those who cannot see the colour.
std::string CellHtml(const TableCell& cell) {
  if (cell.format == CellFormat::kText) return Escape(cell.text);
  if (cell.number.suppressed) return SuppressedHtml();
  if (cell.number.missing) return MissingHtml();
  std::string formatted = FormatCell(cell);
  const std::string_view mark = kSignificantMark;
  std::string html;
  if (cell.significant && formatted.ends_with(mark)) {
    formatted.resize(formatted.size() - mark.size());
    html = Escape(formatted) + SignificantHtml();
  } else {
    html = Escape(formatted);
  }
  if (cell.format != CellFormat::kPoints || cell.direction == Direction::kNeutral) return html;
  const char* meaning = cell.direction == Direction::kBetter ? "bedre" : "verre";
  return fmt::format("<span class=\"{0}\">{1}<span class=\"skjult\"> ({0})</span></span>", meaning,
                     html);
}

bool HasDirections(const Document& document) {
  for (const auto& section : document.sections) {
    for (const auto& block : section.blocks) {
      const auto* table = std::get_if<DataTable>(&block);
      if (table == nullptr) continue;
      for (const auto& row : table->rows) {
        for (const auto& cell : row) {
          if (cell.format == CellFormat::kPoints && cell.direction != Direction::kNeutral) {
            return true;
          }
        }
      }
    }
  }
  return false;
}

// ------------------------------------------------------------------ style

// Colours meet WCAG AA: text at least 4.5:1 against its background, bars and
// ticks at least 3:1 against white. Every colour comes from the report theme
// (the @names below), so HTML, PDF and XLSX agree.
constexpr std::string_view kStyleTemplate = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 1.5rem 1rem 3rem; max-width: 60rem; color: @ink;
  background: @white; font: 16px/1.5 system-ui, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
  Arial, sans-serif; overflow-wrap: break-word; }
a { color: @accent; }
a:focus-visible, .table-scroll:focus-visible, summary:focus-visible {
  outline: 3px solid @accent; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { position: static; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 0.25rem; }
h2 { font-size: 1.5rem; line-height: 1.25; margin: 2.5rem 0 0.75rem; }
h3 { font-size: 1.2rem; line-height: 1.3; margin: 2rem 0 0.5rem; }
.report-header { border-bottom: 4px solid @accent; padding-bottom: 1rem; margin-bottom: 1.5rem; }
.subtitle { font-size: 1.2rem; color: @muted; margin: 0 0 0.75rem; }
.front-matter { list-style: none; padding: 0; margin: 0; color: @muted; }
.legend { border: 1px solid @rule; border-radius: 4px; padding: 0.25rem 1rem 0.5rem;
  margin: 0 0 1.5rem; }
.legend h2, .toc h2 { font-size: 1rem; margin: 0.5rem 0 0.25rem; }
.legend ul { margin: 0; padding-left: 1.25rem; }
.toc { background: @box; border-radius: 4px; padding: 0.25rem 1rem 0.75rem; }
.toc ol { margin: 0; padding-left: 1.5rem; }
.toc summary h2 { display: inline; }
.takeaway { font-weight: 600; font-size: 1.05rem; }
.toc ol ol { list-style: lower-alpha; }
.key-figures { display: flex; flex-wrap: wrap; gap: 0.75rem; list-style: none; padding: 0;
  margin: 1rem 0; }
.key-figure { flex: 1 1 12rem; background: @box; border-left: 6px solid @accent;
  padding: 0.75rem 1rem; }
.key-value { display: block; font-size: 2.25rem; font-weight: 700; line-height: 1.1;
  color: @accent; font-variant-numeric: tabular-nums; }
.key-label { display: block; margin-top: 0.25rem; }
.table-scroll { overflow-x: auto; margin: 1rem 0 0.25rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; min-width: 50%; }
caption { caption-side: top; text-align: left; font-weight: 700; padding-bottom: 0.4rem; }
th, td { padding: 0.3rem 0.6rem; border-bottom: 1px solid @rule; vertical-align: top; }
thead th, thead td { border-bottom: 2px solid @ink; text-align: left; }
thead th { -webkit-hyphens: auto; hyphens: auto; }
th[scope="row"] { text-align: left; font-weight: 600; }
.num { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: #f7f8fa; }
abbr.mark { text-decoration: none; cursor: help; }
.bedre { color: @better; font-weight: 700; }
.verre { color: @worse; font-weight: 700; }
.skjult, .chart-data caption { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
.notes { font-size: 0.875rem; color: @muted; margin: 0.25rem 0 1rem; }
.notes p { margin: 0.15rem 0; }
figure { margin: 1.5rem 0; }
figcaption { font-weight: 700; margin-bottom: 0.5rem; }
svg.chart { display: block; width: 100%; max-width: 720px; height: auto;
  font: 12px system-ui, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
svg.chart text { fill: @ink; }
svg.chart .axis text { fill: @muted; }
svg.chart .value { font-variant-numeric: tabular-nums; }
svg.chart .label { paint-order: stroke; stroke: @white; stroke-width: 3px;
  stroke-linejoin: round; }
svg.chart-narrow { display: none; max-width: 480px; }
@media screen and (max-width: 700px) {
  svg.chart-wide { display: none; }
  svg.chart-narrow { display: block; }
}
details { margin-top: 0.5rem; }
summary { cursor: pointer; color: @accent; }
@page { size: A4; margin: 18mm 16mm 20mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .skip, details.chart-data { display: none; }
  .toc { background: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  section.chapter { break-before: page; }
  figure, .key-figures, .key-figure, tr, .notes { break-inside: avoid; }
  h2, h3, caption, figcaption { break-after: avoid; }
  thead { display: table-header-group; }
  .table-scroll { overflow: visible; }
  tbody tr:nth-child(even) { background: none; }
  svg.chart { max-width: 100%; }
}
)css";

const std::string& Style() {
  static const std::string style = [] {
    const std::pair<std::string_view, theme::Colour> colours[] = {
        {"@ink", theme::kInk},       {"@muted", theme::kMuted}, {"@accent", theme::kAccent},
        {"@rule", theme::kRule},     {"@box", theme::kBoxFill}, {"@white", theme::kWhite},
        {"@better", theme::kBetter}, {"@worse", theme::kWorse}};
    std::string css(kStyleTemplate);
    for (const auto& [name, colour] : colours) {
      for (auto at = css.find(name); at != std::string::npos; at = css.find(name, at)) {
        css.replace(at, name.size(), colour.Css());
      }
    }
    return css;
  }();
  return style;
}

// ------------------------------------------------------------------ charts

// Every chart is drawn twice: wide, labels beside the bars, and narrow,
// labels above them, so that on a phone the narrow drawing is shown near its
// own size and its text stays as large as the page's small print.
struct Frame {
  double width;   // of the viewBox
  double plot_x;  // left edge of the 0–100 % scale
  double plot_width;
  bool labels_above;  // labels on a line of their own above each row's bars
  std::size_t label_chars;
};
constexpr Frame kWide{720, 244, 416, false, 34};  // 34 ≈ (244 - 8) / 6.7 units per character
constexpr Frame kNarrow{360, 14, 290, true, 50};

constexpr double kFontSize = 12;  // the chart's text, as the style sets it
constexpr double kLabelGap = 8;
constexpr std::size_t kLabelMaxLines = 3;
constexpr double kLineHeight = 14;
constexpr double kLegendRowHeight = 20;

std::string Css(theme::Colour colour) { return colour.Css(); }

// A fill's attributes; a light fill gets a thin outline so its edge shows on white.
std::string Fill(theme::Colour colour) {
  if (theme::Contrast(colour, theme::kWhite) >= 3) return fmt::format("fill=\"{}\"", Css(colour));
  return fmt::format("fill=\"{}\" stroke=\"{}\" stroke-width=\"0.75\"", Css(colour),
                     Css(theme::kMuted));
}

double Clamp01(double share) { return std::clamp(share, 0.0, 1.0); }
double XFor(const Frame& f, double share) { return f.plot_x + Clamp01(share) * f.plot_width; }

// Rough width of text in the chart font; SVG cannot measure before layout.
double TextWidth(std::string_view s, double font_size = kFontSize) {
  return static_cast<double>(CodePoints(s)) * font_size * 0.56;
}

// SVG has no line wrapping: break a label into lines by character count,
// cutting words longer than a line and ending with «…» past the last line.
std::vector<std::string> WrapLabel(std::string_view label, std::size_t line_chars) {
  std::vector<std::string> words;
  for (const auto& word : text::Split(label, ' ')) {
    std::string_view rest = word;
    while (CodePoints(rest) > line_chars) {
      const std::string_view head = Utf8Prefix(rest, line_chars);
      words.emplace_back(head);
      rest.remove_prefix(head.size());
    }
    if (!rest.empty()) words.emplace_back(rest);
  }
  std::vector<std::string> lines;
  for (const auto& word : words) {
    if (!lines.empty() && CodePoints(lines.back()) + 1 + CodePoints(word) <= line_chars) {
      lines.back() += ' ';
      lines.back() += word;
    } else {
      lines.push_back(word);
    }
  }
  if (lines.size() > kLabelMaxLines) {
    lines.resize(kLabelMaxLines);
    std::string& last = lines.back();
    last = std::string(Utf8Prefix(last, line_chars - 1)) + "…";
  }
  if (lines.empty()) lines.emplace_back();
  return lines;
}

double LabelHeight(std::size_t lines) { return static_cast<double>(lines) * kLineHeight; }

// One label's row: its height and the centre line of its bars.
struct RowBox {
  double height;
  double centre;
};

RowBox PlaceRow(const Frame& f, std::size_t lines, double bars, double min_height, double top) {
  if (f.labels_above) {
    const double label = LabelHeight(lines);
    return {label + bars + 16, top + label + 8 + bars / 2};
  }
  const double height = std::max(min_height, LabelHeight(lines) + 10);
  return {height, top + height / 2};
}

void AppendLabel(std::string& out, const Frame& f, const std::vector<std::string>& lines,
                 double top, double centre) {
  double x = f.plot_x - kLabelGap;
  double first = centre - LabelHeight(lines.size()) / 2 + kLineHeight / 2 + 4;  // +4: baseline
  const char* anchor = "end";
  if (f.labels_above) {
    x = 0;
    first = top + kLineHeight - 2;
    anchor = "start";
  }
  fmt::format_to(std::back_inserter(out),
                 "<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\">", x, first,
                 anchor);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    fmt::format_to(std::back_inserter(out), "<tspan x=\"{:.1f}\" y=\"{:.1f}\">{}</tspan>", x,
                   first + static_cast<double>(i) * kLineHeight, Escape(lines[i]));
  }
  out += "</text>";
}

// A number's text in a chart: «62 %», or the mark when there is none.
std::string ShareText(const Number& number) {
  if (number.suppressed) return kSuppressedMark;
  if (number.missing) return kMissingMark;
  return FormatPercent(number.value);
}

void AppendValue(std::string& out, double x, double y, std::string_view value,
                 const char* anchor = "start") {
  fmt::format_to(std::back_inserter(out),
                 "<text class=\"value\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\">{}</text>", x,
                 y, anchor, Escape(value));
}

// A reference marker as the theme draws it, centred on (x, centre) and
// `half` tall on each side: a line, a diamond, a ring or a triangle, so
// references differ by shape as well as colour.
void AppendMarker(std::string& out, theme::MarkerStyle style, double x, double centre,
                  double half) {
  const std::string colour = Css(style.colour);
  const std::string white = Css(theme::kWhite);
  switch (style.shape) {
    case theme::Shape::kLine:
      // A white halo keeps the line visible on the bar and on the background.
      fmt::format_to(std::back_inserter(out),
                     "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
                     "stroke=\"{4}\" stroke-width=\"6\"/>"
                     "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
                     "stroke=\"{3}\" stroke-width=\"3\"/>",
                     x, centre - half, centre + half, colour, white);
      break;
    case theme::Shape::kDiamond:
      fmt::format_to(
          std::back_inserter(out),
          "<path d=\"M{0:.1f} {1:.1f}l{2:.1f} {3:.1f}l{4:.1f} {3:.1f}l{4:.1f} {5:.1f}z\" "
          "fill=\"{6}\" stroke=\"{7}\" stroke-width=\"1.5\"/>",
          x, centre - 0.8 * half, 0.6 * half, 0.8 * half, -0.6 * half, -0.8 * half, colour, white);
      break;
    case theme::Shape::kCircle:
      fmt::format_to(std::back_inserter(out),
                     "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{:.1f}\" fill=\"{}\" stroke=\"{}\" "
                     "stroke-width=\"2.5\"/>",
                     x, centre, 0.5 * half, white, colour);
      break;
    case theme::Shape::kTriangle:
      fmt::format_to(std::back_inserter(out),
                     "<path d=\"M{:.1f} {:.1f}h{:.1f}l{:.1f} {:.1f}z\" fill=\"{}\" stroke=\"{}\" "
                     "stroke-width=\"1\"/>",
                     x - 0.5 * half, centre - 0.5 * half, half, -0.5 * half, half, colour, white);
      break;
  }
}

// What a legend entry shows before its name.
enum class Glyph { kSwatch, kMarker, kDot, kArrow };

struct LegendItem {
  std::string name;
  theme::Colour colour;
  Glyph glyph = Glyph::kSwatch;
  theme::MarkerStyle marker{};
};

// A dot (the value before) and an arrowhead (the value after) for a change.
void AppendDot(std::string& out, double x, double y, theme::Colour colour) {
  fmt::format_to(std::back_inserter(out),
                 "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4.5\" fill=\"{}\"/>", x, y, Css(colour));
}

void AppendArrowHead(std::string& out, double x, double y, double direction, theme::Colour colour) {
  fmt::format_to(std::back_inserter(out),
                 "<path d=\"M{:.1f} {:.1f}l{:.1f} {:.1f}v{:.1f}z\" fill=\"{}\"/>", x, y,
                 -9 * direction, -6.0, 12.0, Css(colour));
}

// Legend items left to right, wrapping to new rows; returns the height used.
double AppendLegend(std::string& out, const Frame& f, const std::vector<LegendItem>& items,
                    double top) {
  if (items.empty()) return 0;
  double x = 0;
  double y = top;
  out += "<g class=\"legend\">";
  for (const auto& item : items) {
    const std::size_t most = f.labels_above ? 44 : 48;
    const std::string name(CodePoints(item.name) > most
                               ? std::string(Utf8Prefix(item.name, most - 1)) + "…"
                               : item.name);
    const double width = 18 + 6 + TextWidth(name) + 20;
    if (x > 0 && x + width > f.width) {
      x = 0;
      y += kLegendRowHeight;
    }
    const double mid = y + 10;
    switch (item.glyph) {
      case Glyph::kSwatch:
        fmt::format_to(std::back_inserter(out),
                       "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"16\" height=\"12\" {}/>", x, y + 4,
                       Fill(item.colour));
        break;
      case Glyph::kMarker:
        AppendMarker(out, item.marker, x + 8, mid, 8);
        break;
      case Glyph::kDot:
        AppendDot(out, x + 8, mid, item.colour);
        break;
      case Glyph::kArrow:
        fmt::format_to(
            std::back_inserter(out),
            "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
            "stroke-width=\"3\"/>",
            x, mid, x + 10, mid, Css(item.colour));
        AppendArrowHead(out, x + 18, mid, 1, item.colour);
        break;
    }
    fmt::format_to(std::back_inserter(out), "<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>", x + 24,
                   y + 14, Escape(name));
    x += width;
  }
  out += "</g>";
  return y + kLegendRowHeight - top + 8;
}

// Light grid lines at every 20 % and the axis labels below the plot.
void AppendAxis(std::string& out, const Frame& f, double top, double bottom) {
  out += "<g class=\"axis\">";
  for (int step = 0; step <= 5; ++step) {
    const double share = step / 5.0;
    const double x = XFor(f, share);
    fmt::format_to(std::back_inserter(out),
                   "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
                   "stroke=\"{3}\" stroke-width=\"1\"/>"
                   "<text x=\"{0:.1f}\" y=\"{4:.1f}\" text-anchor=\"middle\">{5}</text>",
                   x, top, bottom, Css(step == 0 ? theme::kAxis : theme::kGrid), bottom + 15,
                   Escape(FormatPercent(share)));
  }
  out += "</g>";
}

// A tooltip for one label's bars: «Opplever mobbing – Kommunen: 62 %, Landet: 58 %».
std::string RowTitle(const Chart& chart, std::size_t i) {
  std::string title = chart.labels[i] + " –";
  bool first = true;
  for (const auto* list : {&chart.series, &chart.markers}) {
    for (const auto& s : *list) {
      title += first ? " " : ", ";
      first = false;
      title += s.name + ": " + ShareText(i < s.values.size() ? s.values[i] : Missing());
    }
  }
  return "<title>" + Escape(title) + "</title>";
}

const Number& ValueAt(const ChartSeries& series, std::size_t i) {
  static const Number missing = Missing();
  return i < series.values.size() ? series.values[i] : missing;
}

struct ChartBody {
  std::string svg;  // the drawing inside <svg>
  double height = 0;
};

theme::Colour SeriesFill(const Chart& chart, std::size_t s) {
  return theme::SeriesColour(s, chart.series.size(), chart.ordered);
}

ChartBody DrawBars(const Chart& chart, const Frame& f) {
  ChartBody body;
  std::string& out = body.svg;
  std::vector<LegendItem> legend;
  if (!chart.series.empty()) legend.push_back({chart.series[0].name, theme::kAccent});
  for (const auto& marker : chart.markers) {
    legend.push_back(
        {marker.name, theme::kInk, Glyph::kMarker, theme::MarkerFor(marker.reference)});
  }
  const double plot_top = AppendLegend(out, f, legend, 4) + 4;
  std::string bars;
  double y = plot_top;
  constexpr double kBarHeight = 18;
  for (std::size_t i = 0; i < chart.labels.size(); ++i) {
    const auto lines = WrapLabel(chart.labels[i], f.label_chars);
    const RowBox row = PlaceRow(f, lines.size(), kBarHeight + 10, 34, y);
    const double center = row.centre;
    bars += "<g>" + RowTitle(chart, i);
    AppendLabel(bars, f, lines, y, center);
    const Number& value = chart.series.empty() ? Missing() : ValueAt(chart.series[0], i);
    double end = f.plot_x;
    if (value.Visible()) {
      end = XFor(f, value.value);
      fmt::format_to(std::back_inserter(bars),
                     "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" {}/>",
                     f.plot_x, center - kBarHeight / 2, end - f.plot_x, kBarHeight,
                     Fill(theme::kAccent));
    }
    std::vector<double> ticks;
    for (const auto& marker : chart.markers) {
      const Number& reference = ValueAt(marker, i);
      if (!reference.Visible()) continue;
      const double x = XFor(f, reference.value);
      AppendMarker(bars, theme::MarkerFor(marker.reference), x, center, kBarHeight / 2 + 5);
      ticks.push_back(x);
    }
    // The value sits at the bar end unless a marker would cross it; then it
    // moves past that marker.
    const std::string text = ShareText(value);
    double label_x = end + 6;
    std::sort(ticks.begin(), ticks.end());
    for (const double x : ticks) {
      if (x >= label_x - 8 && x <= label_x + TextWidth(text) + 8) label_x = x + 9;
    }
    AppendValue(bars, std::min(label_x, f.width - TextWidth(text)), center + 4, text);
    bars += "</g>";
    y += row.height;
  }
  AppendAxis(out, f, plot_top, y);
  out += bars;
  body.height = y + 24;
  return body;
}

// One legend entry per series, in the series' colours (grouped and stacked bars).
double AppendSeriesLegend(std::string& out, const Frame& f, const Chart& chart) {
  std::vector<LegendItem> legend;
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    legend.push_back({chart.series[s].name, SeriesFill(chart, s)});
  }
  return AppendLegend(out, f, legend, 4) + 4;
}

ChartBody DrawGroupedBars(const Chart& chart, const Frame& f) {
  ChartBody body;
  std::string& out = body.svg;
  const double plot_top = AppendSeriesLegend(out, f, chart);
  std::string bars;
  double y = plot_top;
  constexpr double kBarHeight = 13;
  constexpr double kBarStep = 16;
  const double group = std::max(1.0, static_cast<double>(chart.series.size())) * kBarStep - 3;
  for (std::size_t i = 0; i < chart.labels.size(); ++i) {
    const auto lines = WrapLabel(chart.labels[i], f.label_chars);
    const RowBox row = PlaceRow(f, lines.size(), group, group + 16, y);
    bars += "<g>" + RowTitle(chart, i);
    AppendLabel(bars, f, lines, y, row.centre);
    double bar_y = row.centre - group / 2;
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const Number& value = ValueAt(chart.series[s], i);
      double end = f.plot_x;
      if (value.Visible()) {
        end = XFor(f, value.value);
        fmt::format_to(std::back_inserter(bars),
                       "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" {}/>",
                       f.plot_x, bar_y, end - f.plot_x, kBarHeight, Fill(SeriesFill(chart, s)));
      }
      AppendValue(bars, end + 5, bar_y + kBarHeight - 2, ShareText(value));
      bar_y += kBarStep;
    }
    bars += "</g>";
    y += row.height;
  }
  AppendAxis(out, f, plot_top, y);
  out += bars;
  body.height = y + 24;
  return body;
}

ChartBody DrawStackedBars(const Chart& chart, const Frame& f) {
  ChartBody body;
  std::string& out = body.svg;
  const double plot_top = AppendSeriesLegend(out, f, chart);
  std::string bars;
  double y = plot_top;
  constexpr double kBarHeight = 24;
  for (std::size_t i = 0; i < chart.labels.size(); ++i) {
    const auto lines = WrapLabel(chart.labels[i], f.label_chars);
    const RowBox row = PlaceRow(f, lines.size(), kBarHeight, 36, y);
    const double center = row.centre;
    bars += "<g>" + RowTitle(chart, i);
    AppendLabel(bars, f, lines, y, center);
    double x = f.plot_x;
    std::string hidden;  // the mark of segments that cannot be drawn
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const Number& value = ValueAt(chart.series[s], i);
      if (!value.Visible()) {
        if (hidden.empty()) hidden = ShareText(value);
        continue;
      }
      const double width =
          std::min(Clamp01(value.value) * f.plot_width, f.plot_x + f.plot_width - x);
      if (width <= 0) continue;
      const theme::Colour colour = SeriesFill(chart, s);
      fmt::format_to(std::back_inserter(bars),
                     "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" {}/>", x,
                     center - kBarHeight / 2, width, kBarHeight, Fill(colour));
      const std::string text = FormatPercent(value.value);
      if (TextWidth(text) + 6 <= width) {
        fmt::format_to(std::back_inserter(bars),
                       "<text class=\"value\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" "
                       "style=\"fill:{}\">{}</text>",
                       x + width / 2, center + 4, Css(theme::TextOn(colour)), Escape(text));
      }
      x += width;
    }
    if (!hidden.empty()) AppendValue(bars, x + 6, center + 4, hidden);
    bars += "</g>";
    y += row.height;
  }
  AppendAxis(out, f, plot_top, y);
  out += bars;
  body.height = y + 24;
  return body;
}

// One label's change: a dot at the value before, a line to the value after
// ending in an arrowhead, the two values written outside the ends.
void AppendChangeRow(std::string& out, const Chart& chart, const Frame& f, std::size_t i,
                     double centre) {
  const Number& before = chart.series.empty() ? Missing() : ValueAt(chart.series[0], i);
  const Number& after = chart.series.size() < 2 ? Missing() : ValueAt(chart.series[1], i);
  const theme::Colour colour =
      theme::ForDirection(i < chart.directions.size() ? chart.directions[i] : Direction::kNeutral);
  const double baseline = centre + 4;
  if (!before.Visible() || !after.Visible()) {
    // Nothing to connect: the value there is, as a dot, and the other's mark.
    const Number& shown = before.Visible() ? before : after;
    double x = f.plot_x;
    if (shown.Visible()) {
      x = XFor(f, shown.value);
      AppendDot(out, x, centre, colour);
    }
    AppendValue(out, x + 9, baseline, ShareText(before) + " → " + ShareText(after));
    return;
  }
  const double xb = XFor(f, before.value);
  const double xa = XFor(f, after.value);
  const double sign = xa >= xb ? 1 : -1;
  const std::string before_text = ShareText(before);
  const std::string after_text = ShareText(after);
  if (std::abs(xa - xb) > 9) {
    fmt::format_to(std::back_inserter(out),
                   "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
                   "stroke-width=\"3\"/>",
                   xb, centre, xa - 8 * sign, centre, Css(colour));
    AppendDot(out, xb, centre, colour);
    AppendArrowHead(out, xa, centre, sign, colour);
  } else {
    AppendDot(out, xb, centre, colour);
  }
  const double left = std::min(xa, xb) - 9;
  const double right = std::max(xa, xb) + 9;
  const std::string& left_text = sign > 0 ? before_text : after_text;
  const std::string& right_text = sign > 0 ? after_text : before_text;
  if (left - TextWidth(left_text) >= f.plot_x + 2 && std::abs(xa - xb) > 9) {
    AppendValue(out, left, baseline, left_text, "end");
    AppendValue(out, right, baseline, right_text);
  } else {
    // No room before the left end: both values after the right one.
    AppendValue(out, right, baseline, before_text + " → " + after_text);
  }
}

ChartBody DrawChange(const Chart& chart, const Frame& f) {
  ChartBody body;
  std::string& out = body.svg;
  std::vector<LegendItem> legend;
  if (chart.series.size() >= 2) {
    legend.push_back({chart.series[0].name, theme::kInk, Glyph::kDot});
    legend.push_back({chart.series[1].name, theme::kInk, Glyph::kArrow});
  }
  legend.push_back({"Bedre", theme::kBetter});
  legend.push_back({"Verre", theme::kWorse});
  legend.push_back({"Ingen sikker endring", theme::kNoChange});
  const double plot_top = AppendLegend(out, f, legend, 4) + 4;
  std::string rows;
  double y = plot_top;
  for (std::size_t i = 0; i < chart.labels.size(); ++i) {
    const auto lines = WrapLabel(chart.labels[i], f.label_chars);
    const RowBox row = PlaceRow(f, lines.size(), 14, 30, y);
    rows += "<g>" + RowTitle(chart, i);
    AppendLabel(rows, f, lines, y, row.centre);
    AppendChangeRow(rows, chart, f, i, row.centre);
    rows += "</g>";
    y += row.height;
  }
  AppendAxis(out, f, plot_top, y);
  out += rows;
  body.height = y + 24;
  return body;
}

std::vector<LegendItem> ShadeLegend() {
  std::vector<LegendItem> legend;
  for (const auto& band : theme::GridShadeBands()) legend.push_back({band.label, band.colour});
  return legend;
}

// Column headings standing on end above their columns, so that many
// services fit side by side.
double AppendGridHeadings(std::string& out, const Chart& chart, double grid_x, double cell,
                          double top) {
  constexpr std::size_t kMostChars = 26;
  double tallest = 0;
  std::vector<std::string> names;
  for (const auto& series : chart.series) {
    names.push_back(CodePoints(series.name) > kMostChars
                        ? std::string(Utf8Prefix(series.name, kMostChars - 1)) + "…"
                        : series.name);
    tallest = std::max(tallest, TextWidth(names.back()));
  }
  const double bottom = top + tallest + 4;
  for (std::size_t c = 0; c < names.size(); ++c) {
    const double x = grid_x + (static_cast<double>(c) + 0.5) * cell + 4;
    fmt::format_to(std::back_inserter(out),
                   "<text class=\"label\" transform=\"translate({:.1f} {:.1f}) rotate(-90)\">{}"
                   "</text>",
                   x, bottom, Escape(names[c]));
  }
  return bottom + 6;
}

ChartBody DrawGrid(const Chart& chart, const Frame& f) {
  ChartBody body;
  std::string& out = body.svg;
  const double columns = std::max<double>(1, static_cast<double>(chart.series.size()));
  const double grid_x = f.labels_above ? 0 : f.plot_x;
  const double cell = std::min(72.0, (f.width - grid_x) / columns);
  double y = AppendLegend(out, f, ShadeLegend(), 4) + 8;
  y = AppendGridHeadings(out, chart, grid_x, cell, y);
  constexpr double kCellHeight = 26;
  for (std::size_t i = 0; i < chart.labels.size(); ++i) {
    const auto lines = WrapLabel(chart.labels[i], f.label_chars);
    const RowBox row = PlaceRow(f, lines.size(), kCellHeight, kCellHeight + 4, y);
    out += "<g>" + RowTitle(chart, i);
    AppendLabel(out, f, lines, y, row.centre);
    for (std::size_t c = 0; c < chart.series.size(); ++c) {
      const Number& value = ValueAt(chart.series[c], i);
      const double x = grid_x + static_cast<double>(c) * cell + 1;
      // A missing cell (the diagonal, a pair not asked) is grey, a hidden one white.
      const theme::Colour fill = value.Visible() ? theme::GridShade(value.value)
                                 : value.missing ? theme::kGrid
                                                 : theme::kWhite;
      fmt::format_to(std::back_inserter(out),
                     "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" {}/>", x,
                     row.centre - kCellHeight / 2, cell - 2, kCellHeight,
                     value.Visible() ? Fill(fill)
                                     : fmt::format("fill=\"{}\" stroke=\"{}\" stroke-width=\"1\"",
                                                   Css(fill), Css(theme::kRule)));
      fmt::format_to(std::back_inserter(out),
                     "<text class=\"value\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" "
                     "style=\"fill:{}\">{}</text>",
                     x + cell / 2 - 1, row.centre + 4, Css(theme::TextOn(fill)),
                     Escape(ShareText(value)));
    }
    out += "</g>";
    y += row.height;
  }
  body.height = y + 8;
  return body;
}

ChartBody DrawChart(const Chart& chart, const Frame& f) {
  switch (chart.kind) {
    case ChartKind::kBars:
      return DrawBars(chart, f);
    case ChartKind::kGroupedBars:
      return DrawGroupedBars(chart, f);
    case ChartKind::kStackedBars:
      return DrawStackedBars(chart, f);
    case ChartKind::kChange:
      return DrawChange(chart, f);
    case ChartKind::kGrid:
      return DrawGrid(chart, f);
  }
  return {};
}

// ------------------------------------------------------------------ writer

class Writer {
 public:
  explicit Writer(const Document& document) : document_(document) {}

  std::string Render() {
    out_.reserve(64 * 1024);
    AssignIds();
    out_ += "<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\" />\n";
    out_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n";
    out_ += "<meta name=\"generator\" content=\"Samkart\" />\n";
    Line("<title>" + Escape(document_.title) + "</title>");
    out_ += "<style>";
    out_ += Style();
    out_ += "</style>\n</head>\n<body>\n";
    out_ += "<a class=\"skip\" href=\"#sk-innhold\">Hopp til innholdet</a>\n";
    Header();
    Toc();
    out_ += "<main id=\"sk-innhold\">\n";
    Sections();
    out_ += "</main>\n</body>\n</html>\n";
    return std::move(out_);
  }

  // The chosen sections alone, each a <section> with an <h2>, in the
  // document's order, without the page frame and its stylesheet: for a page
  // whose own stylesheet draws them.
  std::string Fragment(const std::vector<std::string>& section_ids) {
    AssignIds();
    for (std::size_t i = 0; i < document_.sections.size(); ++i) {
      const Section& section = document_.sections[i];
      if (std::find(section_ids.begin(), section_ids.end(), section.id) == section_ids.end()) {
        continue;
      }
      fmt::format_to(std::back_inserter(out_), "<section id=\"{}\" class=\"chapter\">\n",
                     Escape(ids_[i]));
      Line("<h2>" + Escape(section.title) + "</h2>");
      if (!section.takeaway.empty()) {
        Line("<p class=\"takeaway\">" + Escape(section.takeaway) + "</p>");
      }
      for (const Block& block : section.blocks) {
        std::visit([this](const auto& b) { Emit(b); }, block);
      }
      out_ += "</section>\n";
    }
    return std::move(out_);
  }

 private:
  void Line(std::string_view s) {
    out_ += s;
    out_ += '\n';
  }

  // Anchors must be unique and non-empty; a clashing or empty id gets a
  // numbered one so every table-of-contents link still lands.
  void AssignIds() {
    std::set<std::string> used;
    for (std::size_t i = 0; i < document_.sections.size(); ++i) {
      std::string id = XmlSafe(document_.sections[i].id);
      if (id.empty() || id.find_first_of(" \t\n\r") != std::string::npos || used.count(id) > 0) {
        id = fmt::format("seksjon-{}", i + 1);
      }
      used.insert(id);
      ids_.push_back(std::move(id));
    }
  }

  void Header() {
    out_ += "<header class=\"report-header\">\n";
    Line("<h1>" + Escape(document_.title) + "</h1>");
    if (!document_.subtitle.empty()) {
      Line("<p class=\"subtitle\">" + Escape(document_.subtitle) + "</p>");
    }
    List(document_.front_matter, "front-matter");
    out_ += "</header>\n";
    std::vector<std::string> legend = document_.legend;
    if (HasDirections(document_)) {
      legend.push_back("Grønn, fet forskjell: sikkert bedre. Rød, fet forskjell: sikkert verre.");
    }
    if (!legend.empty()) {
      out_ += "<aside class=\"legend\" aria-labelledby=\"sk-tegnforklaring\">\n";
      out_ += "<h2 id=\"sk-tegnforklaring\">Tegnforklaring</h2>\n";
      List(legend, "");
      out_ += "</aside>\n";
    }
  }

  void List(const std::vector<std::string>& items, std::string_view css_class,
            bool numbered = false) {
    if (items.empty()) return;
    const char* tag = numbered ? "ol" : "ul";
    out_ += css_class.empty() ? fmt::format("<{}>", tag)
                              : fmt::format("<{} class=\"{}\">", tag, css_class);
    for (const auto& item : items) out_ += "<li>" + Escape(item) + "</li>";
    out_ += fmt::format("</{}>\n", tag);
  }

  static bool IsChapter(const Section& section) { return section.level <= 1; }

  void Toc() {
    if (document_.sections.empty()) return;
    // Folded, so the summary is what the reader meets first.
    out_ += "<nav class=\"toc\" aria-labelledby=\"sk-innholdsliste\">\n<details>";
    out_ += "<summary><h2 id=\"sk-innholdsliste\">Innhold</h2></summary>\n<ol>";
    bool item_open = false;
    bool sublist_open = false;
    for (std::size_t i = 0; i < document_.sections.size(); ++i) {
      const Section& section = document_.sections[i];
      const std::string link =
          fmt::format("<a href=\"#{}\">{}</a>", Escape(ids_[i]), Escape(section.title));
      if (IsChapter(section) || !item_open) {
        if (sublist_open) out_ += "</ol>";
        if (item_open) out_ += "</li>";
        sublist_open = false;
        out_ += "\n<li>" + link;
        item_open = true;
        // A subsection before any chapter stands as its own item.
        if (!IsChapter(section)) {
          out_ += "</li>";
          item_open = false;
        }
      } else {
        if (!sublist_open) out_ += "<ol>";
        sublist_open = true;
        out_ += "<li>" + link + "</li>";
      }
    }
    if (sublist_open) out_ += "</ol>";
    if (item_open) out_ += "</li>";
    out_ += "\n</ol>\n</details>\n</nav>\n";
  }

  // Subsections nest inside the chapter before them.
  void Sections() {
    bool chapter_open = false;
    for (std::size_t i = 0; i < document_.sections.size(); ++i) {
      const Section& section = document_.sections[i];
      const bool chapter = IsChapter(section);
      if (chapter && chapter_open) {
        out_ += "</section>\n";
        chapter_open = false;
      }
      const bool heading_3 = !chapter && chapter_open;
      fmt::format_to(std::back_inserter(out_), "<section id=\"{}\" class=\"{}\">\n",
                     Escape(ids_[i]), heading_3 ? "subsection" : "chapter");
      Line(fmt::format("<{0}>{1}</{0}>", heading_3 ? "h3" : "h2", Escape(section.title)));
      if (!section.takeaway.empty()) {
        Line("<p class=\"takeaway\">" + Escape(section.takeaway) + "</p>");
      }
      for (const Block& block : section.blocks) {
        std::visit([this](const auto& b) { Emit(b); }, block);
      }
      if (chapter) {
        chapter_open = true;
      } else {
        out_ += "</section>\n";
      }
    }
    if (chapter_open) out_ += "</section>\n";
  }

  void Emit(const Paragraph& paragraph) { Line("<p>" + Escape(paragraph.text) + "</p>"); }

  void Emit(const BulletList& list) { List(list.items, "", list.numbered); }

  void Emit(const KeyFigures& figures) {
    if (figures.figures.empty()) return;
    out_ += "<ul class=\"key-figures\">\n";
    for (const auto& figure : figures.figures) {
      TableCell cell;
      cell.format = figure.format;
      cell.number = figure.number;
      Line("<li class=\"key-figure\"><span class=\"key-value\">" + CellHtml(cell) +
           "</span> <span class=\"key-label\">" + Escape(figure.label) + "</span></li>");
    }
    out_ += "</ul>\n";
  }

  void Emit(const DataTable& table) {
    const std::string id = fmt::format("sk-tabell-{}", ++tables_);
    // A wide table scrolls inside its own box instead of widening the page;
    // the box is focusable so keyboard users can scroll it. A numbered
    // table is found by its stable anchor.
    const std::string anchor =
        table.number.empty() ? "" : fmt::format(" id=\"{}\"", ExhibitAnchor(table.number));
    fmt::format_to(std::back_inserter(out_),
                   "<div class=\"table-scroll\"{} role=\"region\" tabindex=\"0\" "
                   "aria-labelledby=\"{}\">\n<table>\n",
                   anchor, id);
    Line(fmt::format("<caption id=\"{}\">{}</caption>", id,
                     Escape(ExhibitCaption(table.number, table.caption))));
    std::vector<bool> numeric(table.columns.size(), false);
    for (const auto& row : table.rows) {
      for (std::size_t c = 0; c < row.size() && c < numeric.size(); ++c) {
        if (row[c].format != CellFormat::kText) numeric[c] = true;
      }
    }
    out_ += "<thead><tr>";
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const std::string& heading = table.columns[c];
      if (heading.empty()) {
        out_ += "<td></td>";  // the corner above the row headings
      } else {
        fmt::format_to(std::back_inserter(out_), "<th scope=\"col\"{}>{}</th>",
                       numeric[c] ? " class=\"num\"" : "", Escape(heading));
      }
    }
    out_ += "</tr></thead>\n<tbody>\n";
    for (const auto& row : table.rows) {
      out_ += "<tr>";
      for (const auto& cell : row) {
        if (cell.format == CellFormat::kText && cell.header) {
          out_ += "<th scope=\"row\">" + CellHtml(cell) + "</th>";
        } else if (cell.format == CellFormat::kText) {
          out_ += "<td>" + CellHtml(cell) + "</td>";
        } else if (cell.header) {  // a total row's number
          out_ += "<td class=\"num\"><strong>" + CellHtml(cell) + "</strong></td>";
        } else {
          out_ += "<td class=\"num\">" + CellHtml(cell) + "</td>";
        }
      }
      out_ += "</tr>\n";
    }
    out_ += "</tbody>\n</table>\n</div>\n";
    if (!table.notes.empty()) {
      out_ += "<div class=\"notes\">";
      for (const auto& note : table.notes) out_ += "<p>" + Escape(note) + "</p>";
      out_ += "</div>\n";
    }
  }

  void Emit(const Chart& chart) {
    const int number = ++charts_;
    const std::string id =
        chart.number.empty() ? fmt::format("sk-figur-{}", number) : ExhibitAnchor(chart.number);
    const std::string title = ExhibitCaption(chart.number, chart.title);
    const std::string description = chart.description.empty()
                                        ? "Tallene i figuren står i tabellen under den."
                                        : chart.description;
    fmt::format_to(std::back_inserter(out_), "<figure class=\"chart\" id=\"{0}\">\n", id);
    Line(fmt::format("<figcaption>{}</figcaption>", Escape(title)));
    // The style shows one of the two drawings, so a screen reader meets one.
    Svg(DrawChart(chart, kWide), kWide, id, "chart-wide", title, description);
    Svg(DrawChart(chart, kNarrow), kNarrow, id + "-smal", "chart-narrow", title, description);
    out_ += "<details class=\"chart-data\"><summary>Tall i figuren</summary>\n";
    Emit(ChartAsTable(chart));
    out_ += "</details>\n</figure>\n";
  }

  void Svg(const ChartBody& body, const Frame& frame, const std::string& id,
           std::string_view css_class, const std::string& title, const std::string& description) {
    fmt::format_to(
        std::back_inserter(out_),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart {5}\" role=\"img\" "
        "aria-labelledby=\"{0}-tittel {0}-beskrivelse\" viewBox=\"0 0 {1:.0f} {2:.0f}\" "
        "width=\"{1:.0f}\" height=\"{2:.0f}\">\n"
        "<title id=\"{0}-tittel\">{3}</title>\n<desc id=\"{0}-beskrivelse\">{4}</desc>\n",
        id, frame.width, std::ceil(body.height), Escape(title), Escape(description), css_class);
    out_ += body.svg;
    out_ += "\n</svg>\n";
  }

  const Document& document_;
  std::vector<std::string> ids_;  // one anchor per section
  std::string out_;
  int tables_ = 0;
  int charts_ = 0;
};

}  // namespace

std::string RenderHtml(const Document& document) { return Writer(document).Render(); }

std::string RenderSectionsHtml(const Document& document,
                               const std::vector<std::string>& section_ids) {
  return Writer(document).Fragment(section_ids);
}

}  // namespace samkart::report
