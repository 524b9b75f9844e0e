#include "samkart/report/html_renderer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <expat.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "samkart/core/text.h"
#include "samkart/report/theme.h"

#include "support/chromium_page.h"
#include "support/sample_document.h"
#include "support/scratch_dir.h"

namespace samkart::report {
namespace {

namespace fs = std::filesystem;
using testing_support::kHostileText;
using testing_support::SampleDocument;

// ------------------------------------------------------------ a small DOM

struct Node {
  std::string name;  // "#text" for text
  std::map<std::string, std::string> attributes;
  std::string text;
  std::vector<std::unique_ptr<Node>> children;
  Node* parent = nullptr;

  std::string Attribute(const std::string& key) const {
    const auto it = attributes.find(key);
    return it == attributes.end() ? "" : it->second;
  }
  std::string TextContent() const {
    if (name == "#text") return text;
    std::string out;
    for (const auto& child : children) out += child->TextContent();
    return out;
  }
  std::vector<const Node*> Elements() const {
    std::vector<const Node*> out;
    for (const auto& child : children) {
      if (child->name != "#text") out.push_back(child.get());
    }
    return out;
  }
  void FindAll(std::string_view tag, std::vector<const Node*>& out) const {
    for (const auto& child : children) {
      if (child->name == tag) out.push_back(child.get());
      child->FindAll(tag, out);
    }
  }
  std::vector<const Node*> FindAll(std::string_view tag) const {
    std::vector<const Node*> out;
    FindAll(tag, out);
    return out;
  }
  const Node* Ancestor(std::string_view tag) const {
    for (const Node* n = parent; n != nullptr; n = n->parent) {
      if (n->name == tag) return n;
    }
    return nullptr;
  }
};

struct ParsedXml {
  std::unique_ptr<Node> document = std::make_unique<Node>();
  std::string error;  // empty when well-formed
};

// Parses with expat: fails on anything that is not well-formed XML.
ParsedXml ParseXml(const std::string& xml) {
  ParsedXml parsed;
  parsed.document->name = "#document";
  Node* current = parsed.document.get();
  XML_Parser parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(parser, &current);
  XML_SetElementHandler(
      parser,
      [](void* data, const XML_Char* name, const XML_Char** attributes) {
        Node*& at = *static_cast<Node**>(data);
        auto node = std::make_unique<Node>();
        node->name = name;
        node->parent = at;
        for (int i = 0; attributes[i] != nullptr; i += 2) {
          node->attributes[attributes[i]] = attributes[i + 1];
        }
        at->children.push_back(std::move(node));
        at = at->children.back().get();
      },
      [](void* data, const XML_Char*) {
        Node*& at = *static_cast<Node**>(data);
        at = at->parent;
      });
  XML_SetCharacterDataHandler(parser, [](void* data, const XML_Char* s, int length) {
    Node*& at = *static_cast<Node**>(data);
    if (at->children.empty() || at->children.back()->name != "#text") {
      auto node = std::make_unique<Node>();
      node->name = "#text";
      node->parent = at;
      at->children.push_back(std::move(node));
    }
    at->children.back()->text.append(s, static_cast<std::size_t>(length));
  });
  if (XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_ERROR) {
    parsed.error = std::string(XML_ErrorString(XML_GetErrorCode(parser))) + " at line " +
                   std::to_string(XML_GetCurrentLineNumber(parser));
  }
  XML_ParserFree(parser);
  return parsed;
}

const Node* ById(const Node& root, const std::string& id) {
  if (root.Attribute("id") == id) return &root;
  for (const auto& child : root.children) {
    if (const Node* found = ById(*child, id)) return found;
  }
  return nullptr;
}

const Node* TableByCaption(const Node& root, std::string_view caption) {
  for (const Node* table : root.FindAll("table")) {
    const auto captions = table->FindAll("caption");
    if (!captions.empty() && captions[0]->TextContent() == caption) return table;
  }
  return nullptr;
}

// The cells (th and td) of a table's body rows.
std::vector<std::vector<const Node*>> BodyRows(const Node& table) {
  std::vector<std::vector<const Node*>> rows;
  for (const Node* body : table.FindAll("tbody")) {
    for (const Node* tr : body->FindAll("tr")) rows.push_back(tr->Elements());
  }
  return rows;
}

bool HasDigit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::size_t Count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string_view::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

// The charts drawn for one width: «chart-wide» beside the bars, «chart-narrow»
// with labels above them for a phone.
std::vector<const Node*> Svgs(const Node& root, std::string_view width_class) {
  std::vector<const Node*> out;
  for (const Node* svg : root.FindAll("svg")) {
    if (text::Split(svg->Attribute("class"), ' ').at(1) == width_class) out.push_back(svg);
  }
  return out;
}

class HtmlRenderer : public ::testing::Test {
 protected:
  void SetUp() override {
    html_ = RenderHtml(SampleDocument());
    parsed_ = ParseXml(html_);
    ASSERT_EQ(parsed_.error, "") << "not well-formed XML";
    const auto roots = parsed_.document->Elements();
    ASSERT_EQ(roots.size(), 1u);
    root_ = roots[0];
  }

  std::string html_;
  ParsedXml parsed_;
  const Node* root_ = nullptr;
};

TEST_F(HtmlRenderer, IsWellFormedNorwegianHtml) {
  EXPECT_EQ(html_.rfind("<!DOCTYPE html>\n", 0), 0u);
  EXPECT_EQ(root_->name, "html");
  EXPECT_EQ(root_->Attribute("lang"), "nb");
  // Long Norwegian words in narrow column headings break by the language's rules.
  EXPECT_NE(html_.find("thead th { -webkit-hyphens: auto; hyphens: auto; }"), std::string::npos);
  const auto metas = root_->FindAll("meta");
  ASSERT_GE(metas.size(), 2u);
  EXPECT_EQ(metas[0]->Attribute("charset"), "utf-8");  // first, within the first 1024 bytes
  EXPECT_LT(html_.find("<meta charset=\"utf-8\" />"), 1024u);
  EXPECT_TRUE(std::any_of(metas.begin(), metas.end(),
                          [](const Node* m) { return m->Attribute("name") == "viewport"; }));
  const auto titles = root_->Elements()[0]->FindAll("title");
  ASSERT_EQ(titles.size(), 1u);
  EXPECT_EQ(titles[0]->TextContent(), SampleDocument().title);
  EXPECT_EQ(root_->FindAll("h1").at(0)->TextContent(), SampleDocument().title);
  // Void elements are self-closed, so an HTML parser and an XML parser agree.
  EXPECT_EQ(html_.find("<meta charset=\"utf-8\">"), std::string::npos);
}

TEST_F(HtmlRenderer, IsSelfContained) {
  std::string lower = html_;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  EXPECT_EQ(lower.find("<script"), std::string::npos);
  for (const char* tag : {"<link", "<img", "<iframe", "<object", "<embed", "<base", "@import",
                          "url(", "src=", "javascript:"}) {
    EXPECT_EQ(lower.find(tag), std::string::npos) << tag;
  }
  // The SVG namespace is a name, not a resource; nothing else names a URL.
  const std::string svg_namespace = "xmlns=\"http://www.w3.org/2000/svg\"";
  EXPECT_EQ(Count(html_, svg_namespace), root_->FindAll("svg").size());
  std::string without = html_;
  for (auto pos = without.find(svg_namespace); pos != std::string::npos;
       pos = without.find(svg_namespace)) {
    without.erase(pos, svg_namespace.size());
  }
  EXPECT_EQ(without.find("http:"), std::string::npos);
  EXPECT_EQ(without.find("https:"), std::string::npos);
  EXPECT_EQ(without.find("//"), std::string::npos);
  // No event-handler attributes, and every link stays inside the page.
  std::vector<const Node*> stack{root_};
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    for (const auto& [key, value] : node->attributes) {
      EXPECT_NE(key.rfind("on", 0), 0u) << node->name << " " << key;
      if (key == "href") {
        EXPECT_EQ(value.rfind("#", 0), 0u) << value;
      }
    }
    for (const auto& child : node->children) stack.push_back(child.get());
  }
}

TEST_F(HtmlRenderer, EscapesHostileText) {
  EXPECT_EQ(html_.find(kHostileText), std::string::npos);
  EXPECT_EQ(html_.find("<script>"), std::string::npos);
  EXPECT_EQ(html_.find("alert('"), std::string::npos);
  const std::string escaped = text::HtmlEscape(kHostileText);
  EXPECT_NE(html_.find(escaped), std::string::npos);
  // Parsed back, the text is exactly the document's: escaped once, not twice.
  std::size_t items = 0;
  for (const Node* li : root_->FindAll("li")) items += li->TextContent() == kHostileText;
  EXPECT_EQ(items, 1u);
  std::size_t row_headers = 0;
  for (const Node* th : root_->FindAll("th")) row_headers += th->TextContent() == kHostileText;
  EXPECT_EQ(row_headers, 3u);  // table 1 and the tables of the bar and grouped charts
  EXPECT_EQ(html_.find("&amp;amp;amp;"), std::string::npos);
}

TEST_F(HtmlRenderer, EveryChartIsAnAccessibleSvgFollowedByItsTable) {
  const auto figures = root_->FindAll("figure");
  ASSERT_EQ(root_->FindAll("svg").size(), 6u);  // each chart wide and narrow
  ASSERT_EQ(figures.size(), 3u);
  for (const char* width : {"chart-wide", "chart-narrow"}) {
    SCOPED_TRACE(width);
    const auto svgs = Svgs(*root_, width);
    const Document doc = SampleDocument();
    std::vector<const Chart*> charts;
    for (const auto& section : doc.sections) {
      for (const auto& block : section.blocks) {
        if (const auto* chart = std::get_if<Chart>(&block)) charts.push_back(chart);
      }
    }
    ASSERT_EQ(charts.size(), svgs.size());
    for (std::size_t i = 0; i < svgs.size(); ++i) {
      SCOPED_TRACE(charts[i]->title);
      const Node& svg = *svgs[i];
      EXPECT_EQ(svg.Attribute("role"), "img");
      EXPECT_NE(svg.Attribute("viewBox"), "");
      const auto ids = text::Split(svg.Attribute("aria-labelledby"), ' ');
      ASSERT_EQ(ids.size(), 2u);
      const Node* title = ById(svg, ids[0]);
      const Node* desc = ById(svg, ids[1]);
      ASSERT_NE(title, nullptr);
      ASSERT_NE(desc, nullptr);
      EXPECT_EQ(title->name, "title");
      EXPECT_EQ(desc->name, "desc");
      EXPECT_EQ(svg.Elements().at(0), title);  // the SVG's own name comes first
      EXPECT_EQ(title->TextContent(), charts[i]->title);
      if (!charts[i]->description.empty()) {
        EXPECT_EQ(desc->TextContent(), charts[i]->description);
      } else {
        EXPECT_NE(desc->TextContent(), "");
      }
      // Right after the drawings: their numbers as a table, folded away.
      const Node* figure = svg.parent;
      ASSERT_EQ(figure->name, "figure");
      const auto siblings = figure->Elements();
      auto at = std::find(siblings.begin(), siblings.end(), &svg);
      while (at != siblings.end() && (*at)->name == "svg") ++at;
      ASSERT_NE(at, siblings.end());
      const Node* details = *at;
      EXPECT_EQ(details->name, "details");
      ASSERT_EQ(details->FindAll("summary").size(), 1u);
      EXPECT_EQ(details->FindAll("summary")[0]->TextContent(), "Tall i figuren");
      const auto tables = details->FindAll("table");
      ASSERT_EQ(tables.size(), 1u);
      EXPECT_EQ(BodyRows(*tables[0]).size(), charts[i]->labels.size());
      ASSERT_FALSE(figure->FindAll("figcaption").empty());
      EXPECT_EQ(figure->FindAll("figcaption")[0]->TextContent(), charts[i]->title);
    }
  }
  // The two drawings of a chart have ids of their own.
  std::set<std::string> ids;
  for (const Node* svg : root_->FindAll("svg")) {
    for (const Node* child : svg->Elements()) {
      if (!child->Attribute("id").empty()) {
        EXPECT_TRUE(ids.insert(child->Attribute("id")).second);
      }
    }
  }
  // In the raw text too: every <svg is followed by </svg>, and a figure's
  // table comes before the next figure's drawings.
  for (auto pos = html_.find("<figure"); pos != std::string::npos;
       pos = html_.find("<figure", pos + 1)) {
    const auto end = html_.find("</svg>", html_.find("<svg", html_.find("<svg", pos) + 1));
    ASSERT_NE(end, std::string::npos);
    const auto table = html_.find("<table", end);
    ASSERT_NE(table, std::string::npos);
    if (const auto next = html_.find("<svg", end); next != std::string::npos) {
      EXPECT_LT(table, next);
    }
  }
}

TEST_F(HtmlRenderer, SuppressedAndMissingValuesDrawNoBar) {
  for (const char* width : {"chart-wide", "chart-narrow"}) {
    SCOPED_TRACE(width);
    const auto svgs = Svgs(*root_, width);
    ASSERT_EQ(svgs.size(), 3u);
    // Bars: «Kommunen» has 2 visible values of 3, plus one legend swatch.
    EXPECT_EQ(svgs[0]->FindAll("rect").size(), 3u);
    // Grouped: Barnehage and Skole draw 3 bars each, Barnevern (all
    // suppressed) none; 3 legend swatches.
    EXPECT_EQ(svgs[1]->FindAll("rect").size(), 9u);
    // Stacked: 2 labels × 3 segments + 3 swatches.
    EXPECT_EQ(svgs[2]->FindAll("rect").size(), 9u);
    // The suppressed third bar shows the mark where its value would be.
    std::size_t marks = 0;
    for (const Node* text : svgs[0]->FindAll("text")) {
      marks += text->Attribute("class") == "value" && text->TextContent() == kSuppressedMark;
    }
    EXPECT_EQ(marks, 1u);
    std::size_t grouped_marks = 0;
    for (const Node* text : svgs[1]->FindAll("text")) {
      grouped_marks +=
          text->Attribute("class") == "value" && text->TextContent() == kSuppressedMark;
    }
    EXPECT_EQ(grouped_marks, 3u);
    // Every value printed in a chart is one of its numbers as FormatPercent prints them.
    for (const Node* text : svgs[0]->FindAll("text")) {
      if (text->Attribute("class") == "value") {
        EXPECT_TRUE(text->TextContent() == "62 %" || text->TextContent() == "18 %" ||
                    text->TextContent() == kSuppressedMark)
            << text->TextContent();
      }
    }
  }
}

// A document with one chart of each new kind, references with a meaning,
// ordered series and differences coloured by what they mean.
Document ThemedDocument() {
  using testing_support::SampleShare;
  Document doc;
  doc.title = "Tema";
  Section section{"tema", "Tema", 1, {}};
  Chart bars;
  bars.kind = ChartKind::kBars;
  bars.title = "Søyler";
  bars.labels = {"Opplever mobbing"};
  bars.series = {{"Kommunen", {SampleShare(0.62, 300)}}};
  bars.markers = {{"Landet", {SampleShare(0.58, 25000)}, Reference::kNation},
                  {"Samme størrelsesgruppe", {SampleShare(0.40, 4000)}, Reference::kSizeGroup},
                  {"Startmåling", {SampleShare(0.30, 280)}, Reference::kBaseline}};
  section.blocks.push_back(bars);
  Chart ordered;
  ordered.kind = ChartKind::kStackedBars;
  ordered.title = "Ordnet";
  ordered.ordered = true;
  ordered.labels = {"Kommunen"};
  ordered.series = {{"Ingen", {SampleShare(0.5, 300)}},
                    {"Noe", {SampleShare(0.3, 300)}},
                    {"Alvorlig", {SampleShare(0.2, 300)}}};
  section.blocks.push_back(ordered);
  Chart change;
  change.kind = ChartKind::kChange;
  change.title = "Endring";
  change.labels = {"Opplever mobbing", "Utsettes for vold", "Rus i familien"};
  change.series = {{"2019", {SampleShare(0.40, 300), SampleShare(0.60, 300), SampleShare(0.5, 9)}},
                   {"2023", {SampleShare(0.55, 300), SampleShare(0.45, 300), Hidden()}}};
  change.directions = {Direction::kBetter, Direction::kWorse, Direction::kNeutral};
  section.blocks.push_back(change);
  Chart grid;
  grid.kind = ChartKind::kGrid;
  grid.title = "Samarbeid";
  grid.labels = {"Barnehage", "Skole", "Barneverntjenesten"};
  grid.series = {{"Barnehage", {Missing(), SampleShare(0.9, 50), SampleShare(0.1, 40)}},
                 {"Skole", {SampleShare(0.7, 60), Missing(), Hidden()}},
                 {"Barneverntjenesten", {SampleShare(0.3, 60), SampleShare(0.5, 50), Missing()}}};
  section.blocks.push_back(grid);
  DataTable table;
  table.caption = "Forskjeller";
  table.columns = {"Spørsmål", "Forskjell"};
  TableCell better = PointsCell(SampleShare(8, 0), true);
  better.direction = Direction::kBetter;
  TableCell worse = PointsCell(SampleShare(-6, 0), true);
  worse.direction = Direction::kWorse;
  table.rows = {{TextCell("Mobbing", true), better}, {TextCell("Vold", true), worse}};
  section.blocks.push_back(table);
  doc.sections.push_back(std::move(section));
  return doc;
}

class HtmlRendererTheme : public ::testing::Test {
 protected:
  void SetUp() override {
    html_ = RenderHtml(ThemedDocument());
    parsed_ = ParseXml(html_);
    ASSERT_EQ(parsed_.error, "") << "not well-formed XML";
    root_ = parsed_.document->Elements().at(0);
  }
  std::string html_;
  ParsedXml parsed_;
  const Node* root_ = nullptr;
};

// Every element in `root` with attribute `key` equal to `value`.
std::size_t CountWith(const Node& root, std::string_view tag, const std::string& key,
                      const std::string& value) {
  std::size_t n = 0;
  for (const Node* node : root.FindAll(tag)) n += node->Attribute(key) == value;
  return n;
}

TEST_F(HtmlRendererTheme, ColoursAndMarkersComeFromTheTheme) {
  for (const char* width : {"chart-wide", "chart-narrow"}) {
    SCOPED_TRACE(width);
    const auto svgs = Svgs(*root_, width);
    ASSERT_EQ(svgs.size(), 4u);
    // The municipality's bar in the accent colour; the nation a black line,
    // the size group an orange diamond, the baseline a ring: in the plot and
    // again in the legend.
    EXPECT_EQ(CountWith(*svgs[0], "rect", "fill", theme::kAccent.Css()), 2u);
    const auto nation = theme::MarkerFor(Reference::kNation);
    const auto size_group = theme::MarkerFor(Reference::kSizeGroup);
    const auto baseline = theme::MarkerFor(Reference::kBaseline);
    EXPECT_EQ(nation.shape, theme::Shape::kLine);
    EXPECT_EQ(CountWith(*svgs[0], "line", "stroke", nation.colour.Css()), 2u);
    EXPECT_EQ(CountWith(*svgs[0], "path", "fill", size_group.colour.Css()), 2u);
    EXPECT_EQ(CountWith(*svgs[0], "circle", "stroke", baseline.colour.Css()), 2u);
    // Ordered series light to dark; the light one outlined so its edge shows.
    for (std::size_t s = 0; s < 3; ++s) {
      const theme::Colour colour = theme::SeriesColour(s, 3, true);
      EXPECT_EQ(CountWith(*svgs[1], "rect", "fill", colour.Css()), 2u) << s;
    }
    EXPECT_EQ(CountWith(*svgs[1], "rect", "stroke", theme::kMuted.Css()), 2u);
  }
  // No colour of a palette of the renderer's own.
  for (const char* old : {"#0072B2", "#D55E00", "#009E73", "#0b5394", "#0b3d6e"}) {
    EXPECT_EQ(html_.find(old), std::string::npos) << old;
  }
  EXPECT_NE(html_.find(theme::kBetter.Css()), std::string::npos);
}

TEST_F(HtmlRendererTheme, DifferencesSayBetterOrWorseInColourAndWords) {
  const Node* table = TableByCaption(*root_, "Forskjeller");
  ASSERT_NE(table, nullptr);
  const auto rows = BodyRows(*table);
  ASSERT_EQ(rows.size(), 2u);
  const auto better = rows[0][1]->FindAll("span");
  ASSERT_EQ(better.size(), 2u);
  EXPECT_EQ(better[0]->Attribute("class"), "bedre");
  EXPECT_EQ(better[1]->Attribute("class"), "skjult");
  EXPECT_EQ(better[1]->TextContent(), " (bedre)");
  EXPECT_EQ(rows[0][1]->TextContent(), "+8* (bedre)");
  EXPECT_EQ(rows[1][1]->FindAll("span").at(0)->Attribute("class"), "verre");
  EXPECT_EQ(rows[1][1]->TextContent(), "-6* (verre)");
  EXPECT_NE(html_.find(".bedre { color: " + theme::kBetter.Css() + "; font-weight: 700; }"),
            std::string::npos);
  EXPECT_NE(html_.find(".verre { color: " + theme::kWorse.Css() + "; font-weight: 700; }"),
            std::string::npos);
  // The legend explains the colours.
  const auto asides = root_->FindAll("aside");
  ASSERT_EQ(asides.size(), 1u);
  EXPECT_NE(asides[0]->TextContent().find("sikkert bedre"), std::string::npos);
}

TEST_F(HtmlRendererTheme, ChangeRunsFromBeforeToAfterInTheColourOfItsMeaning) {
  for (const char* width : {"chart-wide", "chart-narrow"}) {
    SCOPED_TRACE(width);
    const Node& svg = *Svgs(*root_, width).at(2);
    // Per row with both values: a line and a dot in its direction's colour.
    for (const theme::Colour colour : {theme::kBetter, theme::kWorse}) {
      EXPECT_EQ(CountWith(svg, "line", "stroke", colour.Css()), 1u);
      EXPECT_GE(CountWith(svg, "circle", "fill", colour.Css()), 1u);
    }
    // Both ends carry their values; the hidden one shows its mark.
    std::vector<std::string> values;
    for (const Node* text : svg.FindAll("text")) {
      if (text->Attribute("class") == "value") values.push_back(text->TextContent());
    }
    for (const char* value : {"40 %", "55 %", "60 %", "45 %"}) {
      EXPECT_NE(std::find(values.begin(), values.end(), value), values.end()) << value;
    }
    EXPECT_NE(std::find(values.begin(), values.end(), "50 % → :"), values.end());
    // The legend names before, after and what the colours mean.
    const std::string all = svg.TextContent();
    for (const char* name : {"2019", "2023", "Bedre", "Verre", "Ingen sikker endring"}) {
      EXPECT_NE(all.find(name), std::string::npos) << name;
    }
  }
}

TEST_F(HtmlRendererTheme, GridShadesEachCellAndWritesItsValue) {
  for (const char* width : {"chart-wide", "chart-narrow"}) {
    SCOPED_TRACE(width);
    const Node& svg = *Svgs(*root_, width).at(3);
    std::vector<std::string> cells;
    for (const Node* text : svg.FindAll("text")) {
      if (text->Attribute("class") == "value") cells.push_back(text->TextContent());
    }
    // Row by row: the diagonal missing, the hidden cell as its mark.
    EXPECT_EQ(cells, (std::vector<std::string>{".", "70 %", "30 %", "90 %", ".", "50 %", "10 %",
                                               ":", "."}));
    // 90 % is the darkest shade (as in the legend), written in white; 10 %
    // the lightest, in black.
    EXPECT_EQ(CountWith(svg, "rect", "fill", theme::kOrdered[5].Css()), 2u);
    // The missing diagonal grey, the hidden cell white.
    EXPECT_EQ(CountWith(svg, "rect", "fill", theme::kGrid.Css()), 3u);
    EXPECT_EQ(CountWith(svg, "rect", "fill", theme::kWhite.Css()), 1u);
    for (const Node* text : svg.FindAll("text")) {
      if (text->TextContent() == "90 %") {
        EXPECT_EQ(text->Attribute("style"), "fill:#FFFFFF");
      }
      if (text->TextContent() == "10 %") {
        EXPECT_EQ(text->Attribute("style"), "fill:#000000");
      }
    }
    // Column headings are the series' names.
    std::size_t headings = 0;
    for (const Node* text : svg.FindAll("text")) {
      headings += text->Attribute("transform").find("rotate(-90)") != std::string::npos;
    }
    EXPECT_EQ(headings, 3u);
  }
  // And its numbers as a table, as for every chart.
  EXPECT_NE(TableByCaption(*root_, "Samarbeid"), nullptr);
}

TEST_F(HtmlRenderer, TocLinksEverySection) {
  const auto navs = root_->FindAll("nav");
  ASSERT_EQ(navs.size(), 1u);
  std::vector<std::string> links;
  for (const Node* a : navs[0]->FindAll("a")) links.push_back(a->Attribute("href"));
  const auto sections = root_->FindAll("section");
  const Document doc = SampleDocument();
  ASSERT_EQ(sections.size(), doc.sections.size());
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const std::string id = sections[i]->Attribute("id");
    EXPECT_EQ(id, doc.sections[i].id);
    EXPECT_NE(std::find(links.begin(), links.end(), "#" + id), links.end()) << id;
    const auto headings = sections[i]->Elements();
    ASSERT_FALSE(headings.empty());
    EXPECT_EQ(headings[0]->name, doc.sections[i].level == 1 ? "h2" : "h3");
    EXPECT_EQ(headings[0]->TextContent(), doc.sections[i].title);
  }
  for (const auto& link : links) EXPECT_NE(ById(*root_, link.substr(1)), nullptr) << link;
  // The subsection sits inside its chapter, in the page and in the contents.
  const Node* detail = ById(*root_, "risiko-tjeneste");
  ASSERT_NE(detail, nullptr);
  EXPECT_EQ(detail->parent->Attribute("id"), "risiko");
  for (const Node* a : navs[0]->FindAll("a")) {
    if (a->Attribute("href") == "#risiko-tjeneste") {
      EXPECT_NE(a->parent->parent->parent->FindAll("a").at(0)->Attribute("href"), "");
      EXPECT_EQ(a->parent->parent->name, "ol");
      EXPECT_EQ(a->parent->parent->parent->name, "li");
    }
  }
}

TEST_F(HtmlRenderer, TablesHaveCaptionsAndHeaderCells) {
  const Node* table = TableByCaption(*root_, "Tabell 1. Andel etter tjenestested");
  ASSERT_NE(table, nullptr);
  const auto heads = table->FindAll("thead");
  ASSERT_EQ(heads.size(), 1u);
  const auto columns = heads[0]->FindAll("th");
  ASSERT_EQ(columns.size(), 4u);
  for (const Node* th : columns) EXPECT_EQ(th->Attribute("scope"), "col");
  EXPECT_EQ(columns[1]->Attribute("class"), "num");
  const auto rows = BodyRows(*table);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 4u);
    EXPECT_EQ(row[0]->name, "th");
    EXPECT_EQ(row[0]->Attribute("scope"), "row");
    for (std::size_t c = 1; c < row.size(); ++c) {
      EXPECT_EQ(row[c]->name, "td");
      EXPECT_EQ(row[c]->Attribute("class"), "num");
    }
  }
  // Notes follow the table, outside it.
  const std::string html_notes = html_.substr(html_.find("Tabell 1."));
  EXPECT_LT(html_notes.find("</table>"), html_notes.find("N = 312. Nevner"));
}

TEST_F(HtmlRenderer, CellsPrintWhatFormatCellPrints) {
  const Document doc = SampleDocument();
  std::vector<DataTable> expected;
  for (const auto& section : doc.sections) {
    for (const auto& block : section.blocks) {
      if (const auto* table = std::get_if<DataTable>(&block)) expected.push_back(*table);
      if (const auto* chart = std::get_if<Chart>(&block)) expected.push_back(ChartAsTable(*chart));
    }
  }
  const auto tables = root_->FindAll("table");
  ASSERT_EQ(tables.size(), expected.size());
  for (std::size_t t = 0; t < tables.size(); ++t) {
    SCOPED_TRACE(expected[t].caption);
    const auto rows = BodyRows(*tables[t]);
    ASSERT_EQ(rows.size(), expected[t].rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      ASSERT_EQ(rows[r].size(), expected[t].rows[r].size());
      for (std::size_t c = 0; c < rows[r].size(); ++c) {
        EXPECT_EQ(rows[r][c]->TextContent(), FormatCell(expected[t].rows[r][c]));
      }
    }
  }
}

TEST_F(HtmlRenderer, SuppressedCellsShowOnlyTheMark) {
  const Node* table = TableByCaption(*root_, "Tabell 1. Andel etter tjenestested");
  ASSERT_NE(table, nullptr);
  const auto rows = BodyRows(*table);
  ASSERT_EQ(rows.size(), 3u);
  const auto& barnevern = rows[1];
  ASSERT_EQ(barnevern[0]->TextContent(), "Barnevern");
  // The municipality's share and the difference are hidden; the nation's
  // share (column «Landet») is not subject to the municipality's rules.
  for (const std::size_t c : {1u, 3u}) {
    EXPECT_EQ(barnevern[c]->TextContent(), kSuppressedMark);
    EXPECT_FALSE(HasDigit(barnevern[c]->TextContent()));
    const auto abbrs = barnevern[c]->FindAll("abbr");
    ASSERT_EQ(abbrs.size(), 1u);
    EXPECT_NE(abbrs[0]->Attribute("title"), "");
  }
  EXPECT_EQ(barnevern[2]->TextContent(), "21 %");
  EXPECT_EQ(rows[0][3]->TextContent(), "+4*");
  EXPECT_EQ(rows[2][1]->TextContent(), kMissingMark);
  // «Barnevern» in the grouped chart is suppressed throughout: no digit in
  // its column of the chart's table.
  const Node* grouped = TableByCaption(*root_, "Etter tjenestested");
  ASSERT_NE(grouped, nullptr);
  const auto headings = grouped->FindAll("thead").at(0)->Elements().at(0)->Elements();
  std::size_t column = 0;
  while (column < headings.size() && headings[column]->TextContent() != "Barnevern") ++column;
  ASSERT_LT(column, headings.size());
  for (const auto& row : BodyRows(*grouped)) {
    EXPECT_EQ(row.at(column)->TextContent(), kSuppressedMark);
  }
  // The suppressed key figure.
  const auto values = root_->FindAll("span");
  std::vector<std::string> key_values;
  for (const Node* span : values) {
    if (span->Attribute("class") == "key-value") key_values.push_back(span->TextContent());
  }
  EXPECT_EQ(key_values, (std::vector<std::string>{"79 %", kSuppressedMark, "312"}));
}

TEST_F(HtmlRenderer, HasAPrintStylesheet) {
  EXPECT_NE(html_.find("@media print"), std::string::npos);
  EXPECT_NE(html_.find("@page { size: A4;"), std::string::npos);
  EXPECT_NE(html_.find("break-before: page"), std::string::npos);
  EXPECT_NE(html_.find("break-inside: avoid"), std::string::npos);
}

TEST(HtmlRendererEdgeCases, OddInputStaysWellFormed) {
  Document doc;
  doc.title = std::string("Kontroll\x01tegn og ugyldig \xC3\x28 UTF-8 ]]> --> <!--");
  doc.sections.push_back({"", "Uten id", 2, {Paragraph{"Før første kapittel"}}});
  doc.sections.push_back({"dobbel", "A", 1, {}});
  doc.sections.push_back({"dobbel", "B", 1, {BulletList{}, KeyFigures{}}});
  Chart empty;
  empty.kind = ChartKind::kStackedBars;
  doc.sections.push_back({"tom", "Tom figur", 1, {empty, DataTable{}}});
  Chart long_label;
  long_label.labels = {std::string(200, 'x'), "ord " + std::string(100, 'y') + " ord"};
  long_label.series = {{"Serie", {testing_support::SampleShare(1.5, 10)}}};
  doc.sections.push_back({"lang", "Lang etikett", 2, {long_label}});
  const std::string html = RenderHtml(doc);
  const ParsedXml parsed = ParseXml(html);
  ASSERT_EQ(parsed.error, "") << html;
  // Every section still has its own anchor.
  const auto sections = parsed.document->FindAll("section");
  ASSERT_EQ(sections.size(), 5u);
  std::vector<std::string> ids;
  for (const Node* s : sections) ids.push_back(s->Attribute("id"));
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end());
  EXPECT_EQ(std::count(ids.begin(), ids.end(), ""), 0);
  // A label longer than three lines is cut with an ellipsis.
  EXPECT_NE(html.find("…</tspan>"), std::string::npos);
}

// ------------------------------------------------------------ Chromium

// The report must also load cleanly in a real browser: no console errors, no
// failed or outside requests, nothing wider than the window.
using testing_support::LoadInChromium;
using testing_support::PageLoad;

TEST(HtmlRendererChromium, SampleLoadsWithoutErrors) {
  testing_support::ScratchDir scratch;
  const Document doc = SampleDocument();
  const fs::path page = scratch / "rapport.html";
  std::ofstream(page, std::ios::binary) << RenderHtml(doc);
  const PageLoad load = LoadInChromium(page, scratch.path());
  ASSERT_EQ(load.failure, "");
  EXPECT_EQ(load.title, doc.title);
  EXPECT_FALSE(load.HasErrors()) << load.Describe();
  // Nothing wider than the window, on a desktop or a phone (wide tables
  // scroll inside their own box). at() and get() throw on a missing
  // measurement, which fails the test.
  for (const nlohmann::json* layout : {&load.layout_wide, &load.layout_narrow}) {
    EXPECT_LE(layout->at("scrollWidth").get<double>(), layout->at("clientWidth").get<double>());
    // Each chart's wide or narrow drawing, whichever the width shows.
    ASSERT_EQ(layout->at("svgWidths").size(), 6u);
    std::size_t shown = 0;
    for (const auto& width : layout->at("svgWidths")) {
      if (width.get<double>() == 0) continue;
      EXPECT_GT(width.get<double>(), 300);
      ++shown;
    }
    EXPECT_EQ(shown, 3u);
  }
  EXPECT_EQ(load.layout_wide.at("svgWidths").at(0).get<double>(), 720);
}

// On a 390 px phone every chart's text is drawn at 11 px or more: the
// smallest font size in each SVG shown, scaled by the width the browser
// gives it over the width of its viewBox.
TEST(HtmlRendererChromium, ChartTextIsLegibleOnAPhone) {
  testing_support::ScratchDir scratch;
  const Document doc = SampleDocument();
  const std::string html = RenderHtml(doc);
  const fs::path page = scratch / "rapport.html";
  std::ofstream(page, std::ios::binary) << html;
  const PageLoad load = LoadInChromium(page, scratch.path());
  ASSERT_EQ(load.failure, "");
  const ParsedXml parsed = ParseXml(html);
  ASSERT_EQ(parsed.error, "");
  const auto svgs = parsed.document->FindAll("svg");
  const auto& widths = load.layout_narrow.at("svgWidths");
  ASSERT_EQ(widths.size(), svgs.size());
  std::size_t shown = 0;
  double smallest = 1e9;
  for (std::size_t i = 0; i < svgs.size(); ++i) {
    const double rendered = widths.at(i).get<double>();
    if (rendered == 0) continue;  // hidden at this width
    ++shown;
    const auto view_box = text::Split(svgs[i]->Attribute("viewBox"), ' ');
    ASSERT_EQ(view_box.size(), 4u);
    const double scale = rendered / std::stod(view_box[2]);
    for (const Node* text : svgs[i]->FindAll("text")) {
      const std::string size = text->Attribute("font-size");
      const double font = size.empty() ? 12 : std::stod(size);  // 12: the style's chart font
      smallest = std::min(smallest, font * scale);
    }
  }
  EXPECT_EQ(shown, 3u);
  EXPECT_GE(smallest, 11.0);
}

// The negative control: the same check must see a console error and a
// missing image, or a clean result above means nothing.
TEST(HtmlRendererChromium, DetectsABrokenPage) {
  testing_support::ScratchDir scratch;
  const fs::path page = scratch / "feil.html";
  std::ofstream(page, std::ios::binary)
      << "<!DOCTYPE html><html lang=\"nb\"><head><meta charset=\"utf-8\" />"
         "<title>Ødelagt side</title></head><body><p>Tekst</p>"
         "<script>console.error(\"feil\")</script><img src=\"mangler.png\" alt=\"\" />"
         "</body></html>";
  const PageLoad load = LoadInChromium(page, scratch.path());
  ASSERT_EQ(load.failure, "");
  EXPECT_EQ(load.title, "Ødelagt side");
  EXPECT_TRUE(load.HasErrors());
  EXPECT_EQ(load.console, (std::vector<std::string>{"error: feil"})) << load.Describe();
  ASSERT_EQ(load.failed_loads.size(), 1u) << load.Describe();
  EXPECT_NE(load.failed_loads[0].find("net::ERR_FILE_NOT_FOUND"), std::string::npos);
  EXPECT_NE(load.failed_loads[0].find("mangler.png"), std::string::npos);
  ASSERT_EQ(load.requests.size(), 1u) << load.Describe();
  EXPECT_NE(load.requests[0].find("mangler.png"), std::string::npos);
}

}  // namespace
}  // namespace samkart::report
