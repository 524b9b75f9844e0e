#include "samkart/report/html_renderer.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "samkart/core/text.h"

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
std::string CellHtml(const TableCell& cell) {
  if (cell.format == CellFormat::kText) return Escape(cell.text);
  if (cell.number.suppressed) return SuppressedHtml();
  if (cell.number.missing) return MissingHtml();
  std::string formatted = FormatCell(cell);
  const std::string_view mark = kSignificantMark;
  if (cell.significant && formatted.ends_with(mark)) {
    formatted.resize(formatted.size() - mark.size());
    return Escape(formatted) + SignificantHtml();
  }
  return Escape(formatted);
}

// ------------------------------------------------------------------ style

// Colours meet WCAG AA: text at least 4.5:1 against its background, bars and
// ticks at least 3:1 against white.
constexpr std::string_view kStyle = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 1.5rem 1rem 3rem; max-width: 60rem; color: #1a1a1a;
  background: #fff; font: 16px/1.5 system-ui, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
  Arial, sans-serif; overflow-wrap: break-word; }
a { color: #0b5394; }
a:focus-visible, .table-scroll:focus-visible, summary:focus-visible {
  outline: 3px solid #0b5394; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { position: static; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 0.25rem; }
h2 { font-size: 1.5rem; line-height: 1.25; margin: 2.5rem 0 0.75rem; }
h3 { font-size: 1.2rem; line-height: 1.3; margin: 2rem 0 0.5rem; }
.report-header { border-bottom: 4px solid #0b5394; padding-bottom: 1rem; margin-bottom: 1.5rem; }
.subtitle { font-size: 1.2rem; color: #404040; margin: 0 0 0.75rem; }
.front-matter { list-style: none; padding: 0; margin: 0; color: #404040; }
.legend { border: 1px solid #c8ced6; border-radius: 4px; padding: 0.25rem 1rem 0.5rem;
  margin: 0 0 1.5rem; }
.legend h2, .toc h2 { font-size: 1rem; margin: 0.5rem 0 0.25rem; }
.legend ul { margin: 0; padding-left: 1.25rem; }
.toc { background: #f2f5f9; border-radius: 4px; padding: 0.25rem 1rem 0.75rem; }
.toc ol { margin: 0; padding-left: 1.5rem; }
.toc ol ol { list-style: lower-alpha; }
.key-figures { display: flex; flex-wrap: wrap; gap: 0.75rem; list-style: none; padding: 0;
  margin: 1rem 0; }
.key-figure { flex: 1 1 12rem; background: #f2f5f9; border-left: 6px solid #0b5394;
  padding: 0.75rem 1rem; }
.key-value { display: block; font-size: 2.25rem; font-weight: 700; line-height: 1.1;
  color: #0b3d6e; font-variant-numeric: tabular-nums; }
.key-label { display: block; margin-top: 0.25rem; }
.table-scroll { overflow-x: auto; margin: 1rem 0 0.25rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; min-width: 50%; }
caption { caption-side: top; text-align: left; font-weight: 700; padding-bottom: 0.4rem; }
th, td { padding: 0.3rem 0.6rem; border-bottom: 1px solid #d5d9de; vertical-align: top; }
thead th, thead td { border-bottom: 2px solid #1a1a1a; text-align: left; }
th[scope="row"] { text-align: left; font-weight: 600; }
.num { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: #f7f8fa; }
abbr.mark { text-decoration: none; cursor: help; }
.notes { font-size: 0.875rem; color: #404040; margin: 0.25rem 0 1rem; }
.notes p { margin: 0.15rem 0; }
figure { margin: 1.5rem 0; }
figcaption { font-weight: 700; margin-bottom: 0.5rem; }
svg.chart { display: block; width: 100%; max-width: 720px; height: auto;
  font: 12px system-ui, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
svg.chart text { fill: #1a1a1a; }
svg.chart .axis text { fill: #595959; }
svg.chart .value { font-variant-numeric: tabular-nums; }
details { margin-top: 0.5rem; }
.chart-data caption { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
summary { cursor: pointer; color: #0b5394; }
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

// ------------------------------------------------------------------ charts

constexpr double kChartWidth = 720;
constexpr double kPlotX = 244;  // left edge of the 0–100 % scale; labels to its left
constexpr double kPlotWidth = 416;
constexpr double kLabelGap = 8;
constexpr std::size_t kLabelLineChars = 34;  // ≈ (kPlotX - kLabelGap) / 6.5 px per character
constexpr std::size_t kLabelMaxLines = 3;
constexpr double kLineHeight = 14;
constexpr double kLegendRowHeight = 20;

// Okabe–Ito/Tol hues, each at least 3:1 against white and distinct for the
// common colour-vision deficiencies.
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73",
                                    "#AA4499", "#4D4D4D", "#8F6A00"};
constexpr const char* kMarkerColours[] = {"#1A1A1A", "#D55E00", "#AA4499", "#8F6A00"};
constexpr const char* kBarColour = "#0072B2";

const char* SeriesColour(std::size_t i) { return kPalette[i % std::size(kPalette)]; }
const char* MarkerColour(std::size_t i) { return kMarkerColours[i % std::size(kMarkerColours)]; }

// Text colour readable on a fill from the palette: white unless the fill is
// light (relative luminance per WCAG 2).
const char* TextOn(std::string_view hex) {
  auto channel = [&](std::size_t pos) {
    const double c = std::stoi(std::string(hex.substr(pos, 2)), nullptr, 16) / 255.0;
    return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  };
  const double luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  const double white = 1.05 / (luminance + 0.05);
  const double black = (luminance + 0.05) / 0.05;
  return white >= black ? "#FFFFFF" : "#000000";
}

double Clamp01(double share) { return std::clamp(share, 0.0, 1.0); }
double XFor(double share) { return kPlotX + Clamp01(share) * kPlotWidth; }

// Rough width of text in the chart font; SVG cannot measure before layout.
double TextWidth(std::string_view s, double font_size) {
  return static_cast<double>(CodePoints(s)) * font_size * 0.56;
}

// SVG has no line wrapping: break a label into lines by character count,
// cutting words longer than a line and ending with «…» past the last line.
std::vector<std::string> WrapLabel(std::string_view label) {
  std::vector<std::string> words;
  for (const auto& word : text::Split(label, ' ')) {
    std::string_view rest = word;
    while (CodePoints(rest) > kLabelLineChars) {
      const std::string_view head = Utf8Prefix(rest, kLabelLineChars);
      words.emplace_back(head);
      rest.remove_prefix(head.size());
    }
    if (!rest.empty()) words.emplace_back(rest);
  }
  std::vector<std::string> lines;
  for (const auto& word : words) {
    if (!lines.empty() && CodePoints(lines.back()) + 1 + CodePoints(word) <= kLabelLineChars) {
      lines.back() += ' ';
      lines.back() += word;
    } else {
      lines.push_back(word);
    }
  }
  if (lines.size() > kLabelMaxLines) {
    lines.resize(kLabelMaxLines);
    std::string& last = lines.back();
    last = std::string(Utf8Prefix(last, kLabelLineChars - 1)) + "…";
  }
  if (lines.empty()) lines.emplace_back();
  return lines;
}

double LabelHeight(std::size_t lines) { return static_cast<double>(lines) * kLineHeight; }

void AppendLabel(std::string& out, const std::vector<std::string>& lines, double center_y) {
  const double first =
      center_y - LabelHeight(lines.size()) / 2 + kLineHeight / 2 + 4;  // +4: baseline
  fmt::format_to(std::back_inserter(out), "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">",
                 kPlotX - kLabelGap, first);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    fmt::format_to(std::back_inserter(out), "<tspan x=\"{:.1f}\" y=\"{:.1f}\">{}</tspan>",
                   kPlotX - kLabelGap, first + static_cast<double>(i) * kLineHeight,
                   Escape(lines[i]));
  }
  out += "</text>";
}

// A number's text in a chart: «62 %», or the mark when there is none.
std::string ShareText(const Number& number) {
  if (number.suppressed) return kSuppressedMark;
  if (number.missing) return kMissingMark;
  return FormatPercent(number.value);
}

void AppendValue(std::string& out, double x, double y, std::string_view value, double size = 12) {
  fmt::format_to(std::back_inserter(out),
                 "<text class=\"value\" x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"{}\">{}</text>", x, y,
                 size, Escape(value));
}

// Ticks differ in shape as well as colour, so they are told apart without
// colour too: a plain line, then a line with a circle, square or triangle on top.
void AppendTick(std::string& out, std::size_t marker, double x, double top, double bottom) {
  const char* colour = MarkerColour(marker);
  // A white halo keeps the tick visible on the bar and on the background.
  fmt::format_to(std::back_inserter(out),
                 "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
                 "stroke=\"#FFFFFF\" stroke-width=\"6\"/>"
                 "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
                 "stroke=\"{3}\" stroke-width=\"3\"/>",
                 x, top, bottom, colour);
  switch (marker % 4) {
    case 1:
      fmt::format_to(std::back_inserter(out),
                     "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\" "
                     "stroke=\"#FFFFFF\" stroke-width=\"1\"/>",
                     x, top, colour);
      break;
    case 2:
      fmt::format_to(std::back_inserter(out),
                     "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"7\" height=\"7\" fill=\"{}\" "
                     "stroke=\"#FFFFFF\" stroke-width=\"1\"/>",
                     x - 3.5, top - 3.5, colour);
      break;
    case 3:
      fmt::format_to(std::back_inserter(out),
                     "<path d=\"M{:.1f} {:.1f}h8l-4 7z\" fill=\"{}\" stroke=\"#FFFFFF\" "
                     "stroke-width=\"1\"/>",
                     x - 4, top - 4, colour);
      break;
    default:
      break;
  }
}

struct LegendItem {
  std::string name;
  const char* colour;
  int tick = -1;  // marker index for a tick, -1 for a filled swatch
};

// Legend items left to right, wrapping to new rows; returns the height used.
double AppendLegend(std::string& out, const std::vector<LegendItem>& items, double top) {
  if (items.empty()) return 0;
  double x = 0;
  double y = top;
  out += "<g class=\"legend\">";
  for (const auto& item : items) {
    const std::string name(CodePoints(item.name) > 48 ? std::string(Utf8Prefix(item.name, 47)) + "…"
                                                      : item.name);
    const double width = 18 + 6 + TextWidth(name, 12) + 20;
    if (x > 0 && x + width > kChartWidth) {
      x = 0;
      y += kLegendRowHeight;
    }
    if (item.tick >= 0) {
      AppendTick(out, static_cast<std::size_t>(item.tick), x + 9, y + 3, y + 17);
    } else {
      fmt::format_to(std::back_inserter(out),
                     "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"16\" height=\"12\" fill=\"{}\"/>", x,
                     y + 4, item.colour);
    }
    fmt::format_to(std::back_inserter(out), "<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>", x + 24,
                   y + 14, Escape(name));
    x += width;
  }
  out += "</g>";
  return y + kLegendRowHeight - top + 8;
}

// Light grid lines at every 20 % and the axis labels below the plot.
void AppendAxis(std::string& out, double top, double bottom) {
  out += "<g class=\"axis\">";
  for (int step = 0; step <= 5; ++step) {
    const double share = step / 5.0;
    const double x = XFor(share);
    fmt::format_to(std::back_inserter(out),
                   "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
                   "stroke=\"{3}\" stroke-width=\"1\"/>"
                   "<text x=\"{0:.1f}\" y=\"{4:.1f}\" text-anchor=\"middle\">{5}</text>",
                   x, top, bottom, step == 0 ? "#767676" : "#DDDDDD", bottom + 15,
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

ChartBody DrawBars(const Chart& chart) {
  ChartBody body;
  std::string& out = body.svg;
  std::vector<LegendItem> legend;
  if (!chart.series.empty()) legend.push_back({chart.series[0].name, kBarColour});
  for (std::size_t m = 0; m < chart.markers.size(); ++m) {
    legend.push_back({chart.markers[m].name, MarkerColour(m), static_cast<int>(m)});
  }
  const double plot_top = AppendLegend(out, legend, 4) + 4;
  std::string bars;
  double y = plot_top;
  constexpr double kBarHeight = 18;
  for (std::size_t i = 0; i < chart.labels.size(); ++i) {
    const auto lines = WrapLabel(chart.labels[i]);
    const double row = std::max(34.0, LabelHeight(lines.size()) + 10);
    const double center = y + row / 2;
    bars += "<g>" + RowTitle(chart, i);
    AppendLabel(bars, lines, center);
    const Number& value = chart.series.empty() ? Missing() : ValueAt(chart.series[0], i);
    double end = kPlotX;
    if (value.Visible()) {
      end = XFor(value.value);
      fmt::format_to(std::back_inserter(bars),
                     "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                     "fill=\"{}\"/>",
                     kPlotX, center - kBarHeight / 2, end - kPlotX, kBarHeight, kBarColour);
    }
    std::vector<double> ticks;
    for (std::size_t m = 0; m < chart.markers.size(); ++m) {
      const Number& reference = ValueAt(chart.markers[m], i);
      if (!reference.Visible()) continue;
      const double x = XFor(reference.value);
      AppendTick(bars, m, x, center - kBarHeight / 2 - 5, center + kBarHeight / 2 + 5);
      ticks.push_back(x);
    }
    // The value sits at the bar end unless a tick would cross it; then it
    // moves past that tick.
    const std::string text = ShareText(value);
    double label_x = end + 6;
    std::sort(ticks.begin(), ticks.end());
    for (const double x : ticks) {
      if (x >= label_x - 4 && x <= label_x + TextWidth(text, 12) + 4) label_x = x + 8;
    }
    AppendValue(bars, label_x, center + 4, text);
    bars += "</g>";
    y += row;
  }
  AppendAxis(out, plot_top, y);
  out += bars;
  body.height = y + 24;
  return body;
}

// One legend entry per series, in the series' colours (grouped and stacked bars).
double AppendSeriesLegend(std::string& out, const Chart& chart) {
  std::vector<LegendItem> legend;
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    legend.push_back({chart.series[s].name, SeriesColour(s)});
  }
  return AppendLegend(out, legend, 4) + 4;
}

ChartBody DrawGroupedBars(const Chart& chart) {
  ChartBody body;
  std::string& out = body.svg;
  const double plot_top = AppendSeriesLegend(out, chart);
  std::string bars;
  double y = plot_top;
  constexpr double kBarHeight = 12;
  constexpr double kBarStep = 15;
  const double group = std::max(1.0, static_cast<double>(chart.series.size())) * kBarStep - 3;
  for (std::size_t i = 0; i < chart.labels.size(); ++i) {
    const auto lines = WrapLabel(chart.labels[i]);
    const double row = std::max(group + 16, LabelHeight(lines.size()) + 10);
    const double center = y + row / 2;
    bars += "<g>" + RowTitle(chart, i);
    AppendLabel(bars, lines, center);
    double bar_y = center - group / 2;
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const Number& value = ValueAt(chart.series[s], i);
      double end = kPlotX;
      if (value.Visible()) {
        end = XFor(value.value);
        fmt::format_to(std::back_inserter(bars),
                       "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                       "fill=\"{}\"/>",
                       kPlotX, bar_y, end - kPlotX, kBarHeight, SeriesColour(s));
      }
      AppendValue(bars, end + 5, bar_y + kBarHeight - 2, ShareText(value), 11);
      bar_y += kBarStep;
    }
    bars += "</g>";
    y += row;
  }
  AppendAxis(out, plot_top, y);
  out += bars;
  body.height = y + 24;
  return body;
}

ChartBody DrawStackedBars(const Chart& chart) {
  ChartBody body;
  std::string& out = body.svg;
  const double plot_top = AppendSeriesLegend(out, chart);
  std::string bars;
  double y = plot_top;
  constexpr double kBarHeight = 24;
  for (std::size_t i = 0; i < chart.labels.size(); ++i) {
    const auto lines = WrapLabel(chart.labels[i]);
    const double row = std::max(36.0, LabelHeight(lines.size()) + 10);
    const double center = y + row / 2;
    bars += "<g>" + RowTitle(chart, i);
    AppendLabel(bars, lines, center);
    double x = kPlotX;
    std::string hidden;  // the mark of segments that cannot be drawn
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const Number& value = ValueAt(chart.series[s], i);
      if (!value.Visible()) {
        if (hidden.empty()) hidden = ShareText(value);
        continue;
      }
      const double width = std::min(Clamp01(value.value) * kPlotWidth, kPlotX + kPlotWidth - x);
      if (width <= 0) continue;
      const char* colour = SeriesColour(s);
      fmt::format_to(std::back_inserter(bars),
                     "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                     "fill=\"{}\" stroke=\"#FFFFFF\" stroke-width=\"1\"/>",
                     x, center - kBarHeight / 2, width, kBarHeight, colour);
      const std::string text = FormatPercent(value.value);
      if (TextWidth(text, 12) + 8 <= width) {
        fmt::format_to(std::back_inserter(bars),
                       "<text class=\"value\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" "
                       "style=\"fill:{}\">{}</text>",
                       x + width / 2, center + 4, TextOn(colour), Escape(text));
      }
      x += width;
    }
    if (!hidden.empty()) AppendValue(bars, x + 6, center + 4, hidden);
    bars += "</g>";
    y += row;
  }
  AppendAxis(out, plot_top, y);
  out += bars;
  body.height = y + 24;
  return body;
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
    out_ += kStyle;
    out_ += "</style>\n</head>\n<body>\n";
    out_ += "<a class=\"skip\" href=\"#sk-innhold\">Hopp til innholdet</a>\n";
    Header();
    Toc();
    out_ += "<main id=\"sk-innhold\">\n";
    Sections();
    out_ += "</main>\n</body>\n</html>\n";
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
    if (!document_.legend.empty()) {
      out_ += "<aside class=\"legend\" aria-labelledby=\"sk-tegnforklaring\">\n";
      out_ += "<h2 id=\"sk-tegnforklaring\">Tegnforklaring</h2>\n";
      List(document_.legend, "");
      out_ += "</aside>\n";
    }
  }

  void List(const std::vector<std::string>& items, std::string_view css_class) {
    if (items.empty()) return;
    out_ += css_class.empty() ? "<ul>" : fmt::format("<ul class=\"{}\">", css_class);
    for (const auto& item : items) out_ += "<li>" + Escape(item) + "</li>";
    out_ += "</ul>\n";
  }

  static bool IsChapter(const Section& section) { return section.level <= 1; }

  void Toc() {
    if (document_.sections.empty()) return;
    out_ += "<nav class=\"toc\" aria-labelledby=\"sk-innholdsliste\">\n";
    out_ += "<h2 id=\"sk-innholdsliste\">Innhold</h2>\n<ol>";
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
    out_ += "\n</ol>\n</nav>\n";
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

  void Emit(const BulletList& list) { List(list.items, ""); }

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
    // the box is focusable so keyboard users can scroll it.
    fmt::format_to(std::back_inserter(out_),
                   "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" "
                   "aria-labelledby=\"{}\">\n<table>\n",
                   id);
    Line(fmt::format("<caption id=\"{}\">{}</caption>", id, Escape(table.caption)));
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
    const std::string id = fmt::format("sk-figur-{}", number);
    ChartBody body;
    switch (chart.kind) {
      case ChartKind::kBars:
        body = DrawBars(chart);
        break;
      case ChartKind::kGroupedBars:
      case ChartKind::kChange:
      case ChartKind::kGrid:
        body = DrawGroupedBars(chart);
        break;
      case ChartKind::kStackedBars:
        body = DrawStackedBars(chart);
        break;
    }
    const std::string description = chart.description.empty()
                                        ? "Tallene i figuren står i tabellen under den."
                                        : chart.description;
    fmt::format_to(std::back_inserter(out_), "<figure class=\"chart\" id=\"{0}\">\n", id);
    Line(fmt::format("<figcaption>{}</figcaption>", Escape(chart.title)));
    fmt::format_to(
        std::back_inserter(out_),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" "
        "aria-labelledby=\"{0}-tittel {0}-beskrivelse\" viewBox=\"0 0 {1:.0f} {2:.0f}\" "
        "width=\"{1:.0f}\" height=\"{2:.0f}\">\n"
        "<title id=\"{0}-tittel\">{3}</title>\n<desc id=\"{0}-beskrivelse\">{4}</desc>\n",
        id, kChartWidth, std::ceil(body.height), Escape(chart.title), Escape(description));
    out_ += body.svg;
    out_ += "\n</svg>\n<details class=\"chart-data\"><summary>Tall i figuren</summary>\n";
    Emit(ChartAsTable(chart));
    out_ += "</details>\n</figure>\n";
  }

  const Document& document_;
  std::vector<std::string> ids_;  // one anchor per section
  std::string out_;
  int tables_ = 0;
  int charts_ = 0;
};

}  // namespace

std::string RenderHtml(const Document& document) { return Writer(document).Render(); }

}  // namespace samkart::report
