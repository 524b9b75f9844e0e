#include "samkart/report/pptx_renderer.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "samkart/core/text.h"
#include "samkart/present/hyphenation.h"
#include "samkart/present/table_format.h"
#include "samkart/report/output_file.h"
#include "samkart/report/theme.h"

namespace samkart::report {

namespace {

namespace fs = std::filesystem;
using Emu = std::int64_t;  // English Metric Units: 914400 to the inch, 12700 to the point

constexpr Emu kSlideWidth = 12192000;  // 16:9
constexpr Emu kSlideHeight = 6858000;
constexpr Emu kPoint = 12700;
constexpr Emu kMargin = 457200;
constexpr Emu kContentWidth = kSlideWidth - 2 * kMargin;
constexpr Emu kTitleTop = 274320;
constexpr Emu kTitleHeight = 777240;
constexpr Emu kTakeawayTop = kTitleTop + kTitleHeight;
constexpr Emu kTakeawayHeight = 411480;
constexpr Emu kBodyTop = 1554480;
constexpr Emu kBodyBottom = kSlideHeight - 320040;
constexpr Emu kGap = 137160;
constexpr Emu kTileHeight = 1554480;
constexpr Emu kTableRowHeight = 370840;
constexpr Emu kChartMinHeight = 3200400;

constexpr int kTitleSize = 28;
constexpr int kTakeawaySize = 18;
constexpr int kTextSize = 18;
constexpr int kTableSize = 14;
constexpr int kNoteSize = 12;

constexpr std::size_t kBulletsPerSlide = 7;
constexpr std::size_t kRowsPerSlide = 10;
// A deck is for a meeting: a chapter's tables get two slides, a section's
// one, a list two; the rest stays in the PDF and the XLSX.
constexpr std::size_t kTableSlidesPerChapter = 2;
constexpr std::size_t kTableSlidesPerSection = 1;
constexpr std::size_t kListSlidesMax = 2;
constexpr std::size_t kBarsPerSlide = 24;
constexpr std::size_t kLabelsPerSlide = 12;
constexpr double kThinSegment = 0.06;

constexpr const char* kContinued = " (forts.)";
constexpr const char* kRelationships =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
constexpr const char* kNamespaces =
    "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" "
    "xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"";
constexpr const char* kXmlDeclaration =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

// Text as XML character data: invalid UTF-8 becomes U+FFFD, line breaks
// and tabs become spaces, other control characters (not allowed in XML
// 1.0) are dropped, and markup characters are escaped.
std::string Xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t code_point = 0;
    const std::size_t length = text::DecodeUtf8(s, i, code_point);
    if (length == 0) {
      out += "\uFFFD";
      ++i;
      continue;
    }
    if (length == 1) {
      const char c = s[i];
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&apos;";
          break;
        case '\t':
        case '\n':
        case '\r':
          out += ' ';
          break;
        default:
          if (static_cast<unsigned char>(c) >= 0x20) out += c;
      }
    } else if (code_point != 0xFFFE && code_point != 0xFFFF) {
      out.append(s, i, length);
    }
    i += length;
  }
  return out;
}

std::size_t Characters(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Lines `s` takes at `size` points in a box `width` wide, with word wrap;
// a little pessimistic, so a frame sized by it holds its text.
std::size_t Lines(std::string_view s, int size, Emu width) {
  const double per_line = static_cast<double>(width - 2 * 91440) / kPoint / (0.55 * size);
  const auto chars = static_cast<double>(Characters(s));
  return std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(chars * 1.08 / per_line)));
}

Emu TextHeight(std::size_t lines, int size) {
  return static_cast<Emu>(lines) * size * kPoint * 6 / 5 + 2 * 45720;
}

std::string Decimal(double value) { return fmt::format("{}", value); }

struct Run {
  std::string text;
  int size = kTextSize;
  bool bold = false;
  theme::Colour colour = theme::kInk;
};

std::string RunXml(const Run& run) {
  return fmt::format(
      "<a:r><a:rPr lang=\"nb-NO\" sz=\"{}\" b=\"{}\" dirty=\"0\"><a:solidFill><a:srgbClr "
      "val=\"{}\"/></a:solidFill><a:latin typeface=\"+mn-lt\"/></a:rPr><a:t>{}</a:t></a:r>",
      run.size * 100, run.bold ? 1 : 0, run.colour.Hex(), Xml(run.text));
}

enum class Align { kLeft, kCentre, kRight };

// One paragraph of one run; `bullet` draws «•» hanging in the margin.
std::string ParagraphXml(const Run& run, Align align = Align::kLeft, bool bullet = false,
                         int space_before = 0) {
  std::string properties = fmt::format("<a:pPr algn=\"{}\"{}>",
                                       align == Align::kLeft     ? "l"
                                       : align == Align::kCentre ? "ctr"
                                                                 : "r",
                                       bullet ? " marL=\"342900\" indent=\"-342900\"" : "");
  if (space_before > 0) {
    properties += fmt::format("<a:spcBef><a:spcPts val=\"{}\"/></a:spcBef>", space_before * 100);
  }
  properties += bullet ? "<a:buFont typeface=\"Arial\"/><a:buChar char=\"•\"/>" : "<a:buNone/>";
  properties += "</a:pPr>";
  return "<a:p>" + properties + RunXml(run) + "</a:p>";
}

struct Box {
  Emu x = 0, y = 0, cx = 0, cy = 0;
};

std::string Transform(const Box& box, const char* tag = "a:xfrm") {
  return fmt::format("<{0}><a:off x=\"{1}\" y=\"{2}\"/><a:ext cx=\"{3}\" cy=\"{4}\"/></{0}>", tag,
                     box.x, box.y, box.cx, box.cy);
}

std::string Fill(std::optional<theme::Colour> colour) {
  return colour ? fmt::format("<a:solidFill><a:srgbClr val=\"{}\"/></a:solidFill>", colour->Hex())
                : "<a:noFill/>";
}

// One slide's shapes and the charts it shows (by chart number).
class Slide {
 public:
  void TextBox(const Box& box, const std::string& paragraphs, bool title = false,
               std::optional<theme::Colour> fill = std::nullopt, const char* anchor = "t") {
    const int id = next_id_++;
    shapes_ += fmt::format(
        "<p:sp><p:nvSpPr><p:cNvPr id=\"{}\" name=\"{} {}\"/>{}</p:nvSpPr><p:spPr>{}<a:prstGeom "
        "prst=\"rect\"><a:avLst/></a:prstGeom>{}</p:spPr><p:txBody><a:bodyPr wrap=\"square\" "
        "lIns=\"91440\" tIns=\"45720\" rIns=\"91440\" bIns=\"45720\" anchor=\"{}\" "
        "rtlCol=\"0\"><a:normAutofit/></a:bodyPr><a:lstStyle/>{}</p:txBody></p:sp>",
        id, title ? "Tittel" : "Tekst", id,
        title ? "<p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph "
                "type=\"title\"/></p:nvPr>"
              : "<p:cNvSpPr txBox=\"1\"/><p:nvPr/>",
        Transform(box), Fill(fill), anchor, paragraphs);
  }

  // A chart or a table in a graphic frame; `description` is its alt text.
  void Frame(const Box& box, const std::string& graphic, const std::string& description) {
    const int id = next_id_++;
    shapes_ += fmt::format(
        "<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id=\"{}\" name=\"Grafikk {}\" "
        "descr=\"{}\"/><p:cNvGraphicFramePr><a:graphicFrameLocks "
        "noGrp=\"1\"/></p:cNvGraphicFramePr><p:nvPr/></p:nvGraphicFramePr>{}<a:graphic>{}</"
        "a:graphic></p:graphicFrame>",
        id, id, Xml(description), Transform(box, "p:xfrm"), graphic);
  }

  // Returns the relationship id the slide's chart frame refers to.
  std::string AddChart(std::size_t number) {
    charts_.push_back(number);
    return fmt::format("rId{}", charts_.size() + 1);
  }

  std::string Content() const {
    return fmt::format(
        "{}<p:sld {}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/>"
        "<p:nvPr/></p:nvGrpSpPr><p:grpSpPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"0\" "
        "cy=\"0\"/><a:chOff x=\"0\" y=\"0\"/><a:chExt cx=\"0\" cy=\"0\"/></a:xfrm></p:grpSpPr>{}"
        "</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>",
        kXmlDeclaration, kNamespaces, shapes_);
  }

  std::string Rels() const {
    std::string rels = fmt::format(
        "<Relationship Id=\"rId1\" Type=\"{}/slideLayout\" "
        "Target=\"../slideLayouts/slideLayout1.xml\"/>",
        kRelationships);
    for (std::size_t i = 0; i < charts_.size(); ++i) {
      rels += fmt::format(
          "<Relationship Id=\"rId{}\" Type=\"{}/chart\" Target=\"../charts/chart{}.xml\"/>", i + 2,
          kRelationships, charts_[i]);
    }
    return rels;
  }

  bool Empty() const { return shapes_.empty(); }

 private:
  std::string shapes_;
  int next_id_ = 2;
  std::vector<std::size_t> charts_;
};

std::string TableCellXml(const std::string& text, const Run& style, Align align,
                         std::optional<theme::Colour> fill, bool rule) {
  Run run = style;
  run.text = text;
  const std::string line =
      rule ? fmt::format(
                 "<a:lnB w=\"12700\"><a:solidFill><a:srgbClr val=\"{}\"/></a:solidFill>"
                 "</a:lnB>",
                 theme::kRule.Hex())
           : "";
  return fmt::format(
      "<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{}</a:txBody><a:tcPr marL=\"68580\" "
      "marR=\"68580\" marT=\"22860\" marB=\"22860\" anchor=\"ctr\">{}{}</a:tcPr></a:tc>",
      ParagraphXml(run, align), line, Fill(fill));
}

// A native table: `widths` per column, a heading row, then the rows.
struct TableCells {
  std::vector<Emu> widths;
  std::vector<std::string> rows;  // <a:tr> elements
};

std::string TableXml(const TableCells& cells) {
  std::string grid;
  for (const Emu w : cells.widths) grid += fmt::format("<a:gridCol w=\"{}\"/>", w);
  std::string rows;
  for (const auto& row : cells.rows) rows += row;
  return fmt::format(
      "<a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/table\"><a:tbl>"
      "<a:tblPr firstRow=\"1\"/><a:tblGrid>{}</a:tblGrid>{}</a:tbl></a:graphicData>",
      grid, rows);
}

// The first column as wide as its longest text needs (within a fifth to
// two fifths of the table), the others share the rest.
std::vector<Emu> ColumnWidths(std::size_t columns, Emu width, std::size_t first_chars, int size) {
  if (columns <= 1) return {width};
  const Emu needed =
      static_cast<Emu>(static_cast<double>(first_chars) * 0.55 * size * kPoint) + 2 * 68580 + 91440;
  const Emu first = std::clamp(needed, width / 5, width * 2 / 5);
  std::vector<Emu> widths(columns, (width - first) / static_cast<Emu>(columns - 1));
  widths[0] = first;
  return widths;
}

std::string RowXml(const std::string& cells, Emu height = kTableRowHeight) {
  return fmt::format("<a:tr h=\"{}\">{}</a:tr>", height, cells);
}

std::string CellText(const Number& number) {
  if (number.suppressed) return kSuppressedMark;
  if (number.missing) return kMissingMark;
  return FormatPercent(number.value);
}

// ---------------------------------------------------------------- charts

struct ChartSeriesStyle {
  const ChartSeries* series;
  theme::Colour colour;
};

std::vector<ChartSeriesStyle> StyledSeries(const Chart& chart) {
  std::vector<ChartSeriesStyle> out;
  const std::size_t count = chart.series.size();
  for (std::size_t i = 0; i < count; ++i) {
    theme::Colour colour = theme::SeriesColour(i, count, chart.ordered);
    if (chart.kind == ChartKind::kBars && i == 0) colour = theme::kAccent;
    if (chart.kind == ChartKind::kChange) {
      colour = i == 0 ? theme::MarkerFor(Reference::kBaseline).colour : theme::kAccent;
    }
    out.push_back({&chart.series[i], colour});
  }
  if (chart.kind == ChartKind::kBars) {
    // A reference of no known kind takes the next unordered colour, so
    // two of them never share one.
    for (std::size_t i = 0; i < chart.markers.size(); ++i) {
      const ChartSeries& marker = chart.markers[i];
      out.push_back({&marker, marker.reference == Reference::kOther
                                  ? theme::SeriesColour(i + 1, 0, false)
                                  : theme::MarkerFor(marker.reference).colour});
    }
  }
  return out;
}

std::string TextProperties(int size, theme::Colour colour, bool bold = false) {
  return fmt::format(
      "<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz=\"{}\" b=\"{}\"><a:solidFill>"
      "<a:srgbClr val=\"{}\"/></a:solidFill><a:latin typeface=\"+mn-lt\"/></a:defRPr></a:pPr>"
      "<a:endParaRPr lang=\"nb-NO\"/></a:p></c:txPr>",
      size * 100, bold ? 1 : 0, colour.Hex());
}

std::string Flags(bool value) {
  return fmt::format(
      "<c:showLegendKey val=\"0\"/><c:showVal val=\"{}\"/><c:showCatName val=\"0\"/>"
      "<c:showSerName val=\"0\"/><c:showPercent val=\"0\"/><c:showBubbleSize val=\"0\"/>",
      value ? 1 : 0);
}

// «0 %» on each bar; a hidden or missing point has no bar, only its mark.
std::string DataLabels(const std::vector<Number>& values, std::size_t first, std::size_t count,
                       bool stacked, theme::Colour colour) {
  const char* position = stacked ? "ctr" : "outEnd";
  const theme::Colour text = stacked ? theme::TextOn(colour) : theme::kInk;
  std::string labels;
  for (std::size_t i = 0; i < count; ++i) {
    const Number& number = values[first + i];
    // A stacked segment too thin for its label shows none.
    if (stacked && number.Visible() && number.value < kThinSegment) {
      labels += fmt::format("<c:dLbl><c:idx val=\"{}\"/><c:delete val=\"1\"/></c:dLbl>", i);
    }
    if (number.Visible() || stacked) continue;
    labels += fmt::format(
        "<c:dLbl><c:idx val=\"{}\"/><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:r><a:rPr "
        "lang=\"nb-NO\"/><a:t>{}</a:t></a:r></a:p></c:rich></c:tx><c:dLblPos val=\"{}\"/>{}"
        "</c:dLbl>",
        i, CellText(number), position, Flags(true));
  }
  return fmt::format(
      "<c:dLbls>{}<c:numFmt formatCode=\"0 %\" sourceLinked=\"0\"/><c:spPr><a:noFill/><a:ln>"
      "<a:noFill/></a:ln></c:spPr>{}<c:dLblPos val=\"{}\"/>{}</c:dLbls>",
      labels, TextProperties(12, text), position, Flags(true));
}

std::string SeriesXml(const Chart& chart, const ChartSeriesStyle& style, std::size_t index,
                      std::size_t first, std::size_t count, bool stacked) {
  const auto column = static_cast<char>('B' + std::min<std::size_t>(index, 24));
  std::string categories, values, points;
  for (std::size_t i = 0; i < count; ++i) {
    categories +=
        fmt::format("<c:pt idx=\"{}\"><c:v>{}</c:v></c:pt>", i, Xml(chart.labels[first + i]));
    const Number& number = style.series->values[first + i];
    // A hidden number is absent from the cache: no value can leak from it.
    if (number.Visible() && std::isfinite(number.value)) {
      values += fmt::format("<c:pt idx=\"{}\"><c:v>{}</c:v></c:pt>", i, Decimal(number.value));
    }
    if (chart.kind == ChartKind::kChange && index == 1 && first + i < chart.directions.size()) {
      const Direction d = chart.directions[first + i];
      const theme::Colour c = theme::ForDirection(d);
      points += fmt::format(
          "<c:dPt><c:idx val=\"{}\"/><c:invertIfNegative val=\"0\"/><c:bubble3D val=\"0\"/>"
          "<c:spPr>{}</c:spPr></c:dPt>",
          i, Fill(c));
    }
  }
  const std::size_t last = count + 1;
  return fmt::format(
      "<c:ser><c:idx val=\"{0}\"/><c:order val=\"{0}\"/><c:tx><c:strRef><c:f>Ark1!${1}$1</c:f>"
      "<c:strCache><c:ptCount val=\"1\"/><c:pt idx=\"0\"><c:v>{2}</c:v></c:pt></c:strCache>"
      "</c:strRef></c:tx><c:spPr>{3}</c:spPr><c:invertIfNegative val=\"0\"/>{4}{5}"
      "<c:cat><c:strRef><c:f>Ark1!$A$2:$A${6}</c:f><c:strCache><c:ptCount val=\"{7}\"/>{8}"
      "</c:strCache></c:strRef></c:cat><c:val><c:numRef><c:f>Ark1!${1}$2:${1}${6}</c:f>"
      "<c:numCache><c:formatCode>0 %</c:formatCode><c:ptCount val=\"{7}\"/>{9}</c:numCache>"
      "</c:numRef></c:val></c:ser>",
      index, column, Xml(style.series->name), Fill(style.colour), points,
      DataLabels(style.series->values, first, count, stacked, style.colour), last, count,
      categories, values);
}

// The value axis ends a little past the longest bar, so its label fits.
double AxisMax(const std::vector<ChartSeriesStyle>& series, std::size_t first, std::size_t count) {
  double top = 0;
  for (const auto& s : series) {
    for (std::size_t i = first; i < first + count; ++i) {
      if (s.series->values[i].Visible()) top = std::max(top, s.series->values[i].value);
    }
  }
  return std::min(1.0, std::ceil(top * 10 + 1.5) / 10);
}

std::string Axes(double max, bool stacked, int label_size) {
  return fmt::format(
      "<c:catAx><c:axId val=\"1001\"/><c:scaling><c:orientation val=\"maxMin\"/></c:scaling>"
      "<c:delete val=\"0\"/><c:axPos val=\"l\"/><c:numFmt formatCode=\"General\" "
      "sourceLinked=\"0\"/><c:majorTickMark val=\"none\"/><c:minorTickMark val=\"none\"/>"
      "<c:tickLblPos val=\"nextTo\"/><c:spPr><a:ln w=\"9525\"><a:solidFill><a:srgbClr "
      "val=\"{0}\"/></a:solidFill></a:ln></c:spPr>{1}<c:crossAx val=\"1002\"/><c:crosses "
      "val=\"autoZero\"/><c:auto val=\"1\"/><c:lblAlgn val=\"ctr\"/><c:lblOffset val=\"100\"/>"
      "<c:noMultiLvlLbl val=\"0\"/></c:catAx>"
      "<c:valAx><c:axId val=\"1002\"/><c:scaling><c:orientation val=\"minMax\"/><c:max "
      "val=\"{2}\"/><c:min val=\"0\"/></c:scaling><c:delete val=\"1\"/><c:axPos val=\"b\"/>"
      "<c:numFmt formatCode=\"0 %\" sourceLinked=\"0\"/><c:majorTickMark val=\"none\"/>"
      "<c:minorTickMark val=\"none\"/><c:tickLblPos val=\"nextTo\"/><c:crossAx val=\"1001\"/>"
      "<c:crosses val=\"max\"/><c:crossBetween val=\"between\"/></c:valAx>",
      theme::kAxis.Hex(), TextProperties(label_size, theme::kInk), Decimal(stacked ? 1.0 : max));
}

// A horizontal bar chart of labels [first, first + count), top to bottom
// as in the Document (the category axis runs max to min).
std::string ChartXml(const Chart& chart, std::size_t first, std::size_t count, bool embedded) {
  const bool stacked = chart.kind == ChartKind::kStackedBars;
  const std::vector<ChartSeriesStyle> series = StyledSeries(chart);
  std::string body;
  for (std::size_t i = 0; i < series.size(); ++i) {
    body += SeriesXml(chart, series[i], i, first, count, stacked);
  }
  const std::string legend = series.size() > 1
                                 ? fmt::format(
                                       "<c:legend><c:legendPos val=\"t\"/><c:overlay val=\"0\"/>{}"
                                       "</c:legend>",
                                       TextProperties(14, theme::kInk))
                                 : "";
  return fmt::format(
      "{}<c:chartSpace xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\" "
      "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
      "<c:date1904 val=\"0\"/><c:lang val=\"nb-NO\"/><c:roundedCorners val=\"0\"/><c:chart>"
      "<c:autoTitleDeleted val=\"1\"/><c:plotArea><c:layout/><c:barChart><c:barDir "
      "val=\"bar\"/><c:grouping val=\"{}\"/><c:varyColors val=\"0\"/>{}<c:gapWidth val=\"{}\"/>"
      "<c:overlap val=\"{}\"/><c:axId val=\"1001\"/><c:axId val=\"1002\"/></c:barChart>{}"
      "<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr></c:plotArea>{}<c:plotVisOnly "
      "val=\"1\"/><c:dispBlanksAs val=\"gap\"/></c:chart><c:spPr><a:noFill/><a:ln><a:noFill/>"
      "</a:ln></c:spPr>{}{}</c:chartSpace>",
      kXmlDeclaration, stacked ? "percentStacked" : "clustered", body, stacked ? 50 : 60,
      stacked ? 100 : 0, Axes(AxisMax(series, first, count), stacked, count > 6 ? 12 : 14), legend,
      TextProperties(12, theme::kInk),
      embedded ? "<c:externalData r:id=\"rId1\"><c:autoUpdate val=\"0\"/></c:externalData>" : "");
}

// Text as a workbook cell: valid UTF-8 without control characters, never
// read as a formula.
std::string SheetText(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    char32_t code_point = 0;
    const std::size_t length = text::DecodeUtf8(s, i, code_point);
    if (length == 0) {
      out += "\uFFFD";
      ++i;
      continue;
    }
    if (length > 1 || static_cast<unsigned char>(s[i]) >= 0x20) out.append(s, i, length);
    i += length;
  }
  return present::NeutraliseFormula(out);
}

// The chart's numbers as the small workbook PowerPoint opens for «Rediger
// data»: labels in A, a series per column from B, as the chart's formulas
// say. A hidden number is its mark as text, never its value.
Result<std::string> ChartWorkbook(const Chart& chart, std::size_t first, std::size_t count,
                                  const std::string& path) {
  lxw_workbook* workbook = workbook_new(path.c_str());
  if (workbook == nullptr) return Error{"kan ikke lage arbeidsboken til et diagram"};
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, "Ark1");
  lxw_format* percent = workbook_add_format(workbook);
  format_set_num_format(percent, "0 %");
  const std::vector<ChartSeriesStyle> series = StyledSeries(chart);
  for (std::size_t c = 0; c < series.size() && c < 25; ++c) {
    const auto col = static_cast<lxw_col_t>(c + 1);
    worksheet_write_string(sheet, 0, col, SheetText(series[c].series->name).c_str(), nullptr);
    for (std::size_t i = 0; i < count; ++i) {
      const Number& number = series[c].series->values[first + i];
      const auto row = static_cast<lxw_row_t>(i + 1);
      if (number.Visible()) {
        worksheet_write_number(sheet, row, col, number.value, percent);
      } else {
        worksheet_write_string(sheet, row, col, CellText(number).c_str(), nullptr);
      }
    }
  }
  for (std::size_t i = 0; i < count; ++i) {
    worksheet_write_string(sheet, static_cast<lxw_row_t>(i + 1), 0,
                           SheetText(chart.labels[first + i]).c_str(), nullptr);
  }
  worksheet_set_column(sheet, 0, 0, 40, nullptr);
  if (const lxw_error error = workbook_close(workbook); error != LXW_NO_ERROR) {
    return Error{
        fmt::format("arbeidsboken til et diagram kan ikke skrives ({})", lxw_strerror(error))};
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::error_code ec;
  fs::remove(path, ec);
  if (bytes.empty()) return Error{"arbeidsboken til et diagram kan ikke leses"};
  return bytes;
}

// ---------------------------------------------------------------- the deck

struct Part {
  std::string name;
  std::string data;
};

struct TableLayout;

class DeckWriter {
 public:
  // `scratch` names the temporary files of the charts' workbooks.
  DeckWriter(const Document& document, std::string scratch)
      : document_(document), scratch_(std::move(scratch)) {}

  const std::string& error() const { return error_; }

  void Build() {
    TitleSlide();
    for (const Section& section : document_.sections) SectionSlides(section);
    for (const auto& prompt : document_.workshop_prompts) {
      Slide& slide = NewSlide();
      Title(slide, prompt, "");
    }
  }

  std::vector<Part> Parts() const;

 private:
  Slide& NewSlide() {
    slides_.emplace_back();
    return slides_.back();
  }

  void Title(Slide& slide, const std::string& title, const std::string& takeaway) {
    const int size = Characters(title) > 58 ? 24 : kTitleSize;
    slide.TextBox({kMargin, kTitleTop, kContentWidth, kTitleHeight},
                  ParagraphXml({title, size, true, theme::kAccent}), true, std::nullopt, "b");
    if (!takeaway.empty()) {
      slide.TextBox({kMargin, kTakeawayTop, kContentWidth, kTakeawayHeight},
                    ParagraphXml({takeaway, kTakeawaySize, false, theme::kMuted}));
    }
  }

  void TitleSlide() {
    Slide& slide = NewSlide();
    slide.TextBox({kMargin, 1600200, kContentWidth, 1554480},
                  ParagraphXml({document_.title, 36, true, theme::kAccent}), true, std::nullopt,
                  "b");
    if (!document_.subtitle.empty()) {
      slide.TextBox({kMargin, 3246120, kContentWidth, 640080},
                    ParagraphXml({document_.subtitle, 24, false, theme::kInk}));
    }
    std::string lines;
    std::size_t count = 0;
    for (const auto& line : document_.front_matter) {
      lines += ParagraphXml({line, 14, false, theme::kMuted});
      count += Lines(line, 14, kContentWidth);
    }
    if (!lines.empty()) {
      const Emu height = TextHeight(count, 14);
      slide.TextBox({kMargin, kSlideHeight - 365760 - height, kContentWidth, height}, lines);
    }
  }

  // Starts the section's next slide; later ones say «(forts.)».
  void StartSlide() {
    FlushNote();
    Slide& slide = NewSlide();
    Title(slide, pages_ == 0 ? section_->title : section_->title + kContinued,
          pages_ == 0 ? section_->takeaway : "");
    ++pages_;
    y_ = kBodyTop;
  }

  // Room for `height` on the current slide, or a new slide.
  Slide& Room(Emu height) {
    if (pages_ == 0 || (y_ > kBodyTop && y_ + height > kBodyBottom)) StartSlide();
    return slides_.back();
  }

  void SectionSlides(const Section& section);
  void Emit(const Paragraph& paragraph);
  void Emit(const BulletList& list);
  void Emit(const KeyFigures& figures);
  void Emit(const Chart& chart);
  std::size_t EmitTable(const DataTable& table, std::size_t slides);
  void ChartSlide(const Chart& chart, std::size_t first, std::size_t count, bool continued);
  void GridSlide(const Chart& chart, std::size_t first, std::size_t count, bool continued);
  void TableSlide(const DataTable& table, const TableLayout& layout, std::size_t first,
                  std::size_t count, bool continued);
  void Caption(const std::string& caption, bool continued);
  void Note(const std::string& note);
  void FlushNote();

  const Document& document_;
  std::vector<Slide> slides_;
  std::string scratch_;
  std::string error_;                   // the first chart workbook that failed
  std::vector<std::string> charts_;     // chart part XML, chart N at N - 1
  std::vector<std::string> workbooks_;  // chart N's embedded workbook
  const Section* section_ = nullptr;
  int pages_ = 0;  // slides so far for the current section
  Emu y_ = kBodyTop;
  std::string note_;  // for the foot of the current slide
};

Emu ParagraphHeight(const Paragraph& paragraph) {
  return TextHeight(Lines(paragraph.text, kTextSize, kContentWidth), kTextSize);
}

// The height of the slide's share of `list` from item `first` on.
Emu ListHeight(const BulletList& list, std::size_t first) {
  const std::size_t last = std::min(list.items.size(), first + kBulletsPerSlide);
  std::size_t lines = 0;
  for (std::size_t i = first; i < last; ++i) {
    lines += Lines(list.items[i], kTextSize, kContentWidth - 342900);
  }
  return TextHeight(lines, kTextSize) + static_cast<Emu>(last - first) * 6 * kPoint;
}

bool HasContent(const Section& section) {
  for (const Block& block : section.blocks) {
    if (const auto* list = std::get_if<BulletList>(&block); list && list->items.empty()) continue;
    if (const auto* figures = std::get_if<KeyFigures>(&block); figures && figures->figures.empty())
      continue;
    if (const auto* chart = std::get_if<Chart>(&block); chart && chart->labels.empty()) continue;
    if (const auto* table = std::get_if<DataTable>(&block); table && table->rows.empty()) continue;
    if (const auto* p = std::get_if<Paragraph>(&block); p && p->text.empty()) continue;
    return true;
  }
  return false;
}

void DeckWriter::SectionSlides(const Section& section) {
  bool has_chart = false, has_grid = false;
  for (const Block& block : section.blocks) {
    if (const auto* chart = std::get_if<Chart>(&block); chart && !chart->labels.empty()) {
      has_chart = true;
      has_grid = has_grid || chart->kind == ChartKind::kGrid;
    }
  }
  // A deck shows one slide per chapter. Of the sections inside one, only a
  // grid (the cooperation between services, which has no chapter of its
  // own) and what a meeting works from earn slides; breakdowns by service
  // stay in the PDF and workbook.
  if (section.level > 1 && (!HasContent(section) || !(has_grid || section.on_slides))) return;
  section_ = &section;
  pages_ = 0;
  const std::size_t budget = section.level <= 1 ? kTableSlidesPerChapter : kTableSlidesPerSection;
  std::size_t table_slides = 0, tables_left = 0;
  for (const Block& block : section.blocks) {
    if (const auto* table = std::get_if<DataTable>(&block)) {
      // The chart is the numbers; the tables behind it stay in the PDF and XLSX.
      if (has_chart || table->rows.empty()) continue;
      if (table_slides == budget) {
        ++tables_left;
      } else {
        table_slides += EmitTable(*table, budget - table_slides);
      }
      continue;
    }
    // A paragraph that leads into a list stays on the list's slide.
    const auto* lead = std::get_if<Paragraph>(&block);
    const auto* list = &block + 1 < section.blocks.data() + section.blocks.size()
                           ? std::get_if<BulletList>(&block + 1)
                           : nullptr;
    if (lead != nullptr && list != nullptr && !list->items.empty()) {
      Room(ParagraphHeight(*lead) + ListHeight(*list, 0));
    }
    std::visit(
        [this](const auto& b) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(b)>, DataTable>) Emit(b);
        },
        block);
  }
  if (tables_left > 0) {
    Note(fmt::format("{} tabell{} til står i PDF- og Excel-rapporten.", tables_left,
                     tables_left == 1 ? "" : "er"));
  }
  if (pages_ == 0) StartSlide();  // a chapter with nothing to show still opens with its title
  FlushNote();
}

void DeckWriter::Emit(const Paragraph& paragraph) {
  if (paragraph.text.empty()) return;
  const Emu height = ParagraphHeight(paragraph);
  Slide& slide = Room(height);
  slide.TextBox({kMargin, y_, kContentWidth, std::min(height, kBodyBottom - y_)},
                ParagraphXml({paragraph.text, kTextSize}));
  y_ += height + kGap / 2;
}

// Whether the items number themselves («1. …»): then they get no bullet.
bool Numbered(const std::vector<std::string>& items) {
  return std::all_of(items.begin(), items.end(), [](const std::string& item) {
    std::size_t digits = 0;
    while (digits < item.size() && item[digits] >= '0' && item[digits] <= '9') ++digits;
    return digits > 0 && digits < item.size() && (item[digits] == '.' || item[digits] == ')');
  });
}

void DeckWriter::Emit(const BulletList& whole) {
  BulletList list = whole;
  if (list.numbered) {
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      list.items[i] = fmt::format("{}. {}", i + 1, list.items[i]);
    }
  }
  constexpr std::size_t kShown = kBulletsPerSlide * kListSlidesMax - 1;
  if (list.items.size() > kShown + 1) {
    const std::size_t rest = list.items.size() - kShown;
    list.items.resize(kShown);
    list.items.push_back(fmt::format("… og {} til i PDF-rapporten", rest));
  }
  const bool numbered = Numbered(list.items);
  for (std::size_t first = 0; first < list.items.size(); first += kBulletsPerSlide) {
    const std::size_t last = std::min(list.items.size(), first + kBulletsPerSlide);
    std::string paragraphs;
    for (std::size_t i = first; i < last; ++i) {
      paragraphs += ParagraphXml({list.items[i], kTextSize}, Align::kLeft, !numbered, 6);
    }
    const Emu height = ListHeight(list, first);
    Slide& slide = first > 0 ? (StartSlide(), slides_.back()) : Room(height);
    slide.TextBox({kMargin, y_, kContentWidth, std::min(height, kBodyBottom - y_)}, paragraphs);
    y_ += height + kGap / 2;
  }
}

void DeckWriter::Emit(const KeyFigures& figures) {
  const std::size_t n = figures.figures.size();
  if (n == 0) return;
  const std::size_t per_row = n <= 4 ? n : std::min<std::size_t>(4, (n + 1) / 2);
  for (std::size_t first = 0; first < n; first += per_row) {
    const std::size_t count = std::min(per_row, n - first);
    Slide& slide = Room(kTileHeight);
    const Emu width =
        (kContentWidth - static_cast<Emu>(per_row - 1) * kGap) / static_cast<Emu>(per_row);
    for (std::size_t i = 0; i < count; ++i) {
      const KeyFigure& figure = figures.figures[first + i];
      TableCell cell;
      cell.format = figure.format;
      cell.number = figure.number;
      const std::string paragraphs =
          ParagraphXml({FormatCell(cell), 40, true, theme::kAccent}, Align::kLeft) +
          ParagraphXml({figure.label, 14, false, theme::kInk}, Align::kLeft);
      slide.TextBox({kMargin + static_cast<Emu>(i) * (width + kGap), y_, width, kTileHeight},
                    paragraphs, false, theme::kBoxFill);
    }
    y_ += kTileHeight + kGap;
  }
}

void DeckWriter::Caption(const std::string& caption, bool continued) {
  if (caption.empty()) return;
  const std::string text = continued ? caption + kContinued : caption;
  const Emu height = TextHeight(Lines(text, 16, kContentWidth), 16);
  slides_.back().TextBox({kMargin, y_, kContentWidth, height},
                         ParagraphXml({text, 16, true, theme::kInk}));
  y_ += height;
}

// Notes gather at the foot of the current slide, written when it is done.
void DeckWriter::Note(const std::string& note) { note_ += (note_.empty() ? "" : " ") + note; }

void DeckWriter::FlushNote() {
  if (note_.empty() || slides_.empty()) return;
  const Emu height = TextHeight(Lines(note_, kNoteSize, kContentWidth), kNoteSize);
  slides_.back().TextBox({kMargin, kBodyBottom - height + 182880, kContentWidth, height},
                         ParagraphXml({note_, kNoteSize, false, theme::kMuted}));
  note_.clear();
}

// Each slide holds at most `kLabelsPerSlide` labels and about
// `kBarsPerSlide` bars, so labels stay readable at 12 points and more.
void DeckWriter::Emit(const Chart& chart) {
  if (chart.labels.empty()) return;
  std::size_t bars_per_label = chart.series.size();
  if (chart.kind == ChartKind::kBars) bars_per_label += chart.markers.size();
  // A stacked bar carries a label per segment and a legend of every
  // category above it: it needs the height of four.
  if (chart.kind == ChartKind::kStackedBars) bars_per_label = 4;
  std::size_t per_slide = std::clamp<std::size_t>(
      kBarsPerSlide / std::max<std::size_t>(1, bars_per_label), 3, kLabelsPerSlide);
  if (chart.kind == ChartKind::kGrid) per_slide = kRowsPerSlide;
  // Even slices: 13 labels become 7 and 6, not 12 and 1.
  const std::size_t slices = (chart.labels.size() + per_slide - 1) / per_slide;
  per_slide = (chart.labels.size() + slices - 1) / slices;
  for (std::size_t first = 0; first < chart.labels.size(); first += per_slide) {
    const std::size_t count = std::min(per_slide, chart.labels.size() - first);
    if (chart.kind == ChartKind::kGrid) {
      GridSlide(chart, first, count, first > 0);
    } else {
      ChartSlide(chart, first, count, first > 0);
    }
  }
}

bool AnyHidden(const Chart& chart, std::size_t first, std::size_t count) {
  auto hidden = [&](const std::vector<ChartSeries>& list) {
    for (const auto& s : list) {
      for (std::size_t i = first; i < first + count && i < s.values.size(); ++i) {
        if (!s.values[i].Visible()) return true;
      }
    }
    return false;
  };
  return hidden(chart.series) || (chart.kind == ChartKind::kBars && hidden(chart.markers));
}

void DeckWriter::ChartSlide(const Chart& chart, std::size_t first, std::size_t count,
                            bool continued) {
  // Every series needs a value per label; a malformed chart is drawn without the short ones.
  Chart whole = chart;
  auto complete = [&](std::vector<ChartSeries>& list) {
    std::erase_if(list,
                  [&](const ChartSeries& s) { return s.values.size() < chart.labels.size(); });
  };
  complete(whole.series);
  complete(whole.markers);
  if (whole.series.empty()) return;
  Room(kChartMinHeight);
  Caption(ExhibitCaption(chart.number, chart.title), continued);
  const bool hidden = AnyHidden(whole, first, count);
  const bool change = chart.kind == ChartKind::kChange;
  std::string note;
  if (change) note = "Grønn: tydelig bedre. Rød: tydelig svakere. Grå: ingen tydelig endring.";
  if (hidden) {
    note += fmt::format("{}Søyler som mangler: «{}» vises ikke (for få svar), «{}» ingen tall.",
                        note.empty() ? "" : " ", kSuppressedMark, kMissingMark);
  }
  const Emu bottom = note.empty() ? kBodyBottom : kBodyBottom - TextHeight(1, kNoteSize);
  auto workbook =
      ChartWorkbook(whole, first, count, fmt::format("{}.{}.xlsx", scratch_, charts_.size() + 1));
  if (!workbook.ok() && error_.empty()) error_ = workbook.error().message;
  charts_.push_back(ChartXml(whole, first, count, workbook.ok()));
  workbooks_.push_back(workbook.ok() ? std::move(*workbook) : std::string());
  Slide& slide = slides_.back();
  const std::string id = slide.AddChart(charts_.size());
  slide.Frame({kMargin, y_, kContentWidth, bottom - y_},
              fmt::format("<a:graphicData "
                          "uri=\"http://schemas.openxmlformats.org/drawingml/2006/chart\"><c:chart "
                          "xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\" "
                          "r:id=\"{}\"/></a:graphicData>",
                          id),
              chart.description.empty() ? chart.title : chart.description);
  if (!note.empty()) Note(note);
  y_ = kBodyBottom;
}

void DeckWriter::GridSlide(const Chart& chart, std::size_t first, std::size_t count,
                           bool continued) {
  Room(TextHeight(1, 16) + static_cast<Emu>(count + 2) * kTableRowHeight);
  Caption(ExhibitCaption(chart.number, chart.title), continued);
  const Run heading{"", kNoteSize, true, theme::kInk};
  TableCells cells;
  std::size_t longest = 0;
  for (std::size_t i = first; i < first + count; ++i) {
    longest = std::max(longest, Characters(chart.labels[i]));
  }
  cells.widths = ColumnWidths(chart.series.size() + 1, kContentWidth, longest, kNoteSize);
  std::string row = TableCellXml("", heading, Align::kLeft, theme::kHeaderFill, true);
  for (const auto& s : chart.series) {
    // Narrow columns: the heading breaks where Norwegian allows, not anywhere.
    row +=
        TableCellXml(present::Hyphenate(s.name), heading, Align::kCentre, theme::kHeaderFill, true);
  }
  cells.rows.push_back(RowXml(row));
  for (std::size_t i = first; i < first + count; ++i) {
    row = TableCellXml(chart.labels[i], {"", kNoteSize, true, theme::kInk}, Align::kLeft,
                       std::nullopt, true);
    for (const auto& s : chart.series) {
      const Number number = i < s.values.size() ? s.values[i] : Missing();
      const std::optional<theme::Colour> shade =
          number.Visible() ? std::optional(theme::GridShade(number.value)) : std::nullopt;
      const Run value{"", kTableSize, false, shade ? theme::TextOn(*shade) : theme::kInk};
      row += TableCellXml(CellText(number), value, Align::kCentre, shade, false);
    }
    cells.rows.push_back(RowXml(row));
  }
  const Emu height = static_cast<Emu>(cells.rows.size()) * kTableRowHeight;
  slides_.back().Frame({kMargin, y_, kContentWidth, height}, TableXml(cells),
                       chart.description.empty() ? chart.title : chart.description);
  y_ = kBodyBottom;
}

// Shows the first rows of `table` on at most `slides` slides; returns the slides used.
// How a table is laid out on a slide: text size, column widths by how
// much text each column holds, and which columns hold numbers.
struct TableLayout {
  int size = kTableSize;
  std::vector<Emu> widths;
  std::vector<bool> numeric;
};

std::string CellString(const DataTable& table, std::size_t row, std::size_t col) {
  return col < table.rows[row].size() ? FormatCell(table.rows[row][col]) : "";
}

TableLayout LayOut(const DataTable& table) {
  TableLayout layout;
  const std::size_t columns = table.columns.size();
  // Many columns (services side by side) get smaller text, so headings wrap less.
  layout.size = columns > 5 ? kNoteSize : kTableSize;
  layout.numeric.assign(columns, false);
  std::vector<double> weight(columns, 0);
  for (std::size_t c = 0; c < columns; ++c) {
    // A heading may wrap between words, never inside one (bold is wider).
    std::size_t word = 0;
    for (const auto& part : text::Split(table.columns[c], ' ')) {
      word = std::max(word, Characters(part));
    }
    weight[c] =
        std::max(static_cast<double>(word) * 1.15 + 1,
                 static_cast<double>(std::min<std::size_t>(Characters(table.columns[c]), 16)));
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    for (std::size_t c = 0; c < columns && c < table.rows[r].size(); ++c) {
      layout.numeric[c] = layout.numeric[c] || table.rows[r][c].format != CellFormat::kText;
      const auto chars = static_cast<double>(Characters(CellString(table, r, c)));
      weight[c] = std::max(weight[c], std::min(chars, 45.0));
    }
  }
  double total = 0;
  for (double& w : weight) total += (w = std::max(w, 6.0));
  for (std::size_t c = 0; c < columns; ++c) {
    layout.widths.push_back(
        static_cast<Emu>(static_cast<double>(kContentWidth) * weight[c] / total));
  }
  return layout;
}

// A row as high as its most wrapped cell.
Emu RowHeight(const std::vector<std::string>& texts, const TableLayout& layout) {
  std::size_t lines = 1;
  for (std::size_t c = 0; c < texts.size() && c < layout.widths.size(); ++c) {
    lines = std::max(lines, Lines(texts[c], layout.size, layout.widths[c] - 2 * 68580 + 2 * 91440));
  }
  return std::max(kTableRowHeight, TextHeight(lines, layout.size));
}

std::vector<std::string> RowTexts(const DataTable& table, std::size_t row) {
  std::vector<std::string> texts;
  for (std::size_t c = 0; c < table.columns.size(); ++c) texts.push_back(CellString(table, row, c));
  return texts;
}

// Shows the first rows of `table` on at most `slides` slides, as many on
// each as fit under what is above them; returns the slides used.
std::size_t DeckWriter::EmitTable(const DataTable& table, std::size_t slides) {
  const TableLayout layout = LayOut(table);
  const Emu heading = RowHeight(table.columns, layout);
  std::size_t first = 0, used = 0;
  while (first < table.rows.size() && used < slides) {
    Room(kChartMinHeight);
    Emu room = kBodyBottom - y_ - TextHeight(1, 16) - TextHeight(1, kNoteSize) - heading;
    std::size_t count = 0;
    while (first + count < table.rows.size() && count < kRowsPerSlide) {
      room -= RowHeight(RowTexts(table, first + count), layout);
      if (room < 0 && count > 0) break;
      ++count;
    }
    TableSlide(table, layout, first, count, first > 0);
    first += count;
    ++used;
  }
  if (first < table.rows.size()) {
    Note(fmt::format("Tabellen har {} rader til; hele tabellen står i PDF- og Excel-rapporten.",
                     table.rows.size() - first));
  }
  return used;
}

void DeckWriter::TableSlide(const DataTable& table, const TableLayout& layout, std::size_t first,
                            std::size_t count, bool continued) {
  Caption(ExhibitCaption(table.number, table.caption), continued);
  TableCells cells;
  cells.widths = layout.widths;
  std::string row;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    row += TableCellXml(present::Hyphenate(table.columns[c]), {"", layout.size, true, theme::kInk},
                        layout.numeric[c] ? Align::kRight : Align::kLeft, theme::kHeaderFill, true);
  }
  Emu height = RowHeight(table.columns, layout);
  cells.rows.push_back(RowXml(row, height));
  for (std::size_t i = first; i < first + count; ++i) {
    row.clear();
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const TableCell cell = c < table.rows[i].size() ? table.rows[i][c] : TextCell("");
      const bool bold = cell.header && c > 0;
      theme::Colour colour = theme::kInk;
      if (cell.format == CellFormat::kPoints && cell.number.Visible()) {
        if (cell.direction == Direction::kBetter) colour = theme::kBetter;
        if (cell.direction == Direction::kWorse) colour = theme::kWorse;
      }
      row += TableCellXml(FormatCell(cell), {"", layout.size, bold, colour},
                          layout.numeric[c] ? Align::kRight : Align::kLeft, std::nullopt, true);
    }
    const Emu row_height = RowHeight(RowTexts(table, i), layout);
    cells.rows.push_back(RowXml(row, row_height));
    height += row_height;
  }
  slides_.back().Frame({kMargin, y_, kContentWidth, height}, TableXml(cells), table.caption);
  y_ = kBodyBottom;
}

std::string Relationships(const std::string& body) {
  return fmt::format(
      "{}<Relationships "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{}</Relationships>",
      kXmlDeclaration, body);
}

std::string Relationship(int id, const char* type, const std::string& target) {
  return fmt::format("<Relationship Id=\"rId{}\" Type=\"{}/{}\" Target=\"{}\"/>", id,
                     kRelationships, type, target);
}

std::string ContentTypes(std::size_t slides, std::size_t charts) {
  constexpr const char* kPml = "application/vnd.openxmlformats-officedocument.presentationml";
  std::string overrides = fmt::format(
      "<Override PartName=\"/ppt/presentation.xml\" ContentType=\"{0}.presentation.main+xml\"/>"
      "<Override PartName=\"/ppt/slideMasters/slideMaster1.xml\" "
      "ContentType=\"{0}.slideMaster+xml\"/>"
      "<Override PartName=\"/ppt/slideLayouts/slideLayout1.xml\" "
      "ContentType=\"{0}.slideLayout+xml\"/>"
      "<Override PartName=\"/ppt/presProps.xml\" ContentType=\"{0}.presProps+xml\"/>"
      "<Override PartName=\"/ppt/viewProps.xml\" ContentType=\"{0}.viewProps+xml\"/>"
      "<Override PartName=\"/ppt/tableStyles.xml\" ContentType=\"{0}.tableStyles+xml\"/>"
      "<Override PartName=\"/ppt/theme/theme1.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>"
      "<Override PartName=\"/docProps/core.xml\" "
      "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
      "<Override PartName=\"/docProps/app.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>",
      kPml);
  for (std::size_t i = 1; i <= slides; ++i) {
    overrides += fmt::format(
        "<Override PartName=\"/ppt/slides/slide{}.xml\" ContentType=\"{}.slide+xml\"/>", i, kPml);
  }
  for (std::size_t i = 1; i <= charts; ++i) {
    overrides += fmt::format(
        "<Override PartName=\"/ppt/charts/chart{}.xml\" "
        "ContentType=\"application/vnd.openxmlformats-officedocument.drawingml.chart+xml\"/>",
        i);
  }
  return fmt::format(
      "{}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" "
      "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/><Default Extension=\"xlsx\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\"/>{}"
      "</Types>",
      kXmlDeclaration, overrides);
}

// The palette as the theme's colour scheme, so PowerPoint's own pickers
// offer the report's colours.
std::string Theme() {
  auto colour = [](const char* name, theme::Colour c) {
    return fmt::format("<a:{0}><a:srgbClr val=\"{1}\"/></a:{0}>", name, c.Hex());
  };
  std::string scheme = colour("dk1", theme::kInk) + colour("lt1", theme::kWhite) +
                       colour("dk2", theme::kAccent) + colour("lt2", theme::kBoxFill);
  for (int i = 0; i < 6; ++i) {
    scheme += colour(fmt::format("accent{}", i + 1).c_str(), theme::kCategorical[i]);
  }
  scheme += colour("hlink", theme::kAccent) + colour("folHlink", theme::kMuted);
  const std::string fill = "<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>";
  const std::string line =
      "<a:ln w=\"9525\"><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill></a:ln>";
  const std::string effect = "<a:effectStyle><a:effectLst/></a:effectStyle>";
  return fmt::format(
      "{4}<a:theme xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
      "name=\"Samkart\"><a:themeElements><a:clrScheme name=\"Samkart\">{0}</a:clrScheme>"
      "<a:fontScheme name=\"Samkart\"><a:majorFont><a:latin typeface=\"Arial\"/><a:ea "
      "typeface=\"\"/><a:cs typeface=\"\"/></a:majorFont><a:minorFont><a:latin "
      "typeface=\"Arial\"/><a:ea typeface=\"\"/><a:cs typeface=\"\"/></a:minorFont>"
      "</a:fontScheme><a:fmtScheme name=\"Samkart\"><a:fillStyleLst>{1}{1}{1}</a:fillStyleLst>"
      "<a:lnStyleLst>{2}{2}{2}</a:lnStyleLst><a:effectStyleLst>{3}{3}{3}</a:effectStyleLst>"
      "<a:bgFillStyleLst>{1}{1}{1}</a:bgFillStyleLst></a:fmtScheme></a:themeElements>"
      "<a:objectDefaults/><a:extraClrSchemeLst/></a:theme>",
      scheme, fill, line, effect, kXmlDeclaration);
}

constexpr const char* kEmptyTree =
    "<p:spTree><p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>"
    "<p:grpSpPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"0\" cy=\"0\"/><a:chOff x=\"0\" "
    "y=\"0\"/><a:chExt cx=\"0\" cy=\"0\"/></a:xfrm></p:grpSpPr></p:spTree>";

std::string Master() {
  return fmt::format(
      "{}<p:sldMaster {}><p:cSld><p:bg><p:bgPr><a:solidFill><a:srgbClr val=\"{}\"/>"
      "</a:solidFill><a:effectLst/></p:bgPr></p:bg>{}</p:cSld><p:clrMap bg1=\"lt1\" tx1=\"dk1\" "
      "bg2=\"lt2\" tx2=\"dk2\" accent1=\"accent1\" accent2=\"accent2\" accent3=\"accent3\" "
      "accent4=\"accent4\" accent5=\"accent5\" accent6=\"accent6\" hlink=\"hlink\" "
      "folHlink=\"folHlink\"/><p:sldLayoutIdLst><p:sldLayoutId id=\"2147483649\" r:id=\"rId1\"/>"
      "</p:sldLayoutIdLst></p:sldMaster>",
      kXmlDeclaration, kNamespaces, theme::kWhite.Hex(), kEmptyTree);
}

std::string Layout() {
  return fmt::format(
      "{}<p:sldLayout {} preserve=\"1\"><p:cSld name=\"Samkart\">{}</p:cSld><p:clrMapOvr>"
      "<a:masterClrMapping/></p:clrMapOvr></p:sldLayout>",
      kXmlDeclaration, kNamespaces, kEmptyTree);
}

std::string Presentation(std::size_t slides) {
  std::string ids;
  for (std::size_t i = 0; i < slides; ++i) {
    ids += fmt::format("<p:sldId id=\"{}\" r:id=\"rId{}\"/>", 256 + i, i + 5);
  }
  return fmt::format(
      "{}<p:presentation {} saveSubsetFonts=\"1\"><p:sldMasterIdLst><p:sldMasterId "
      "id=\"2147483648\" r:id=\"rId1\"/></p:sldMasterIdLst><p:sldIdLst>{}</p:sldIdLst><p:sldSz "
      "cx=\"{}\" cy=\"{}\"/><p:notesSz cx=\"6858000\" cy=\"9144000\"/></p:presentation>",
      kXmlDeclaration, kNamespaces, ids, kSlideWidth, kSlideHeight);
}

std::string PresentationRels(std::size_t slides) {
  std::string rels = Relationship(1, "slideMaster", "slideMasters/slideMaster1.xml") +
                     Relationship(2, "theme", "theme/theme1.xml") +
                     Relationship(3, "presProps", "presProps.xml") +
                     Relationship(4, "viewProps", "viewProps.xml");
  for (std::size_t i = 0; i < slides; ++i) {
    rels +=
        Relationship(static_cast<int>(i + 5), "slide", fmt::format("slides/slide{}.xml", i + 1));
  }
  rels += Relationship(static_cast<int>(slides + 5), "tableStyles", "tableStyles.xml");
  return Relationships(rels);
}

std::string PackageRels() {
  return Relationships(
      Relationship(1, "officeDocument", "ppt/presentation.xml") +
      fmt::format("<Relationship Id=\"rId2\" "
                  "Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
                  "core-properties\" Target=\"docProps/core.xml\"/>") +
      Relationship(3, "extended-properties", "docProps/app.xml"));
}

std::string Core(const Document& document) {
  return fmt::format(
      "{}<cp:coreProperties "
      "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:subject>{}"
      "</dc:subject><dc:creator>Samkart</dc:creator><dc:language>nb-NO</dc:language>"
      "</cp:coreProperties>",
      kXmlDeclaration, Xml(document.title), Xml(document.subtitle));
}

std::string App(std::size_t slides) {
  return fmt::format(
      "{}<Properties "
      "xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">"
      "<Application>Samkart</Application><PresentationFormat>Widescreen</PresentationFormat>"
      "<Slides>{}</Slides></Properties>",
      kXmlDeclaration, slides);
}

std::vector<Part> DeckWriter::Parts() const {
  const std::size_t n = slides_.size();
  std::vector<Part> parts = {
      {"[Content_Types].xml", ContentTypes(n, charts_.size())},
      {"_rels/.rels", PackageRels()},
      {"docProps/core.xml", Core(document_)},
      {"docProps/app.xml", App(n)},
      {"ppt/presentation.xml", Presentation(n)},
      {"ppt/_rels/presentation.xml.rels", PresentationRels(n)},
      {"ppt/presProps.xml", fmt::format("{}<p:presentationPr {}/>", kXmlDeclaration, kNamespaces)},
      {"ppt/viewProps.xml", fmt::format("{}<p:viewPr {}/>", kXmlDeclaration, kNamespaces)},
      {"ppt/tableStyles.xml",
       fmt::format("{}<a:tblStyleLst "
                   "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
                   "def=\"{{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}}\"/>",
                   kXmlDeclaration)},
      {"ppt/theme/theme1.xml", Theme()},
      {"ppt/slideMasters/slideMaster1.xml", Master()},
      {"ppt/slideMasters/_rels/slideMaster1.xml.rels",
       Relationships(Relationship(1, "slideLayout", "../slideLayouts/slideLayout1.xml") +
                     Relationship(2, "theme", "../theme/theme1.xml"))},
      {"ppt/slideLayouts/slideLayout1.xml", Layout()},
      {"ppt/slideLayouts/_rels/slideLayout1.xml.rels",
       Relationships(Relationship(1, "slideMaster", "../slideMasters/slideMaster1.xml"))},
  };
  for (std::size_t i = 0; i < n; ++i) {
    parts.push_back({fmt::format("ppt/slides/slide{}.xml", i + 1), slides_[i].Content()});
    parts.push_back({fmt::format("ppt/slides/_rels/slide{}.xml.rels", i + 1),
                     Relationships(slides_[i].Rels())});
  }
  for (std::size_t i = 0; i < charts_.size(); ++i) {
    parts.push_back({fmt::format("ppt/charts/chart{}.xml", i + 1), charts_[i]});
    if (workbooks_[i].empty()) continue;
    const std::string name = fmt::format("Microsoft_Excel_Worksheet{}.xlsx", i + 1);
    parts.push_back({"ppt/embeddings/" + name, workbooks_[i]});
    parts.push_back({fmt::format("ppt/charts/_rels/chart{}.xml.rels", i + 1),
                     Relationships(Relationship(1, "package", "../embeddings/" + name))});
  }
  return parts;
}

// Writes the parts as a zip at `path`; the parts must outlive the call.
Status WriteZip(const std::vector<Part>& parts, const std::string& path) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (archive == nullptr) {
    zip_error_t reason;
    zip_error_init_with_code(&reason, error);
    std::string message = zip_error_strerror(&reason);
    zip_error_fini(&reason);
    return Error{message};
  }
  for (const Part& part : parts) {
    zip_source_t* source = zip_source_buffer(archive, part.data.data(), part.data.size(), 0);
    if (source == nullptr ||
        zip_file_add(archive, part.name.c_str(), source, ZIP_FL_ENC_UTF_8) < 0) {
      if (source != nullptr) zip_source_free(source);
      std::string message = zip_strerror(archive);
      zip_discard(archive);
      return Error{message};
    }
  }
  if (zip_close(archive) != 0) {
    std::string message = zip_strerror(archive);
    zip_discard(archive);
    return Error{message};
  }
  return Ok();
}

}  // namespace

Status WritePptx(const Document& document, const std::filesystem::path& path) {
  const std::string target = path.string();
  SAMKART_TRY(CheckWritable(path, "PowerPoint-filen"));
  // Written beside the target and renamed, so no one sees half a deck.
  const std::string temporary = target + ".tmp";
  DeckWriter deck(document, temporary);
  deck.Build();
  if (!deck.error().empty()) return Error{fmt::format("{}: {}", target, deck.error())};
  const std::vector<Part> parts = deck.Parts();
  std::error_code ec;
  Status written = WriteZip(parts, temporary);
  if (written) {
    fs::rename(temporary, path, ec);
    if (!ec) return Ok();
    written = Error{ec.message()};
  }
  fs::remove(temporary, ec);
  return Error{fmt::format("{}: {} ({})", target, WhyNotWritable(path, "PowerPoint-filen"),
                           written.error().message)};
}

}  // namespace samkart::report
