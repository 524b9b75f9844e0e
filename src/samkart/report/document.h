// A report as data, independent of its format: sections of paragraphs,
// lists, key figures, tables and charts. The national and municipality
// reports build a Document from the analysis engine; the HTML, PDF and XLSX
// renderers only draw what it holds. Every number in it has passed the
// publication rules, so a renderer cannot leak a hidden cell: a suppressed
// Number carries no value.
#pragma once

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include "samkart/analysis/statistics.h"
#include "samkart/analysis/table.h"

namespace samkart::report {

// One number as it leaves the publication gate.
struct Number {
  double value = 0;         // a share in [0, 1], a count, or percentage points
  std::size_t n = 0;        // the denominator behind a share; 0 for counts and differences
  bool suppressed = false;  // hidden by the publication rules; value and n are then 0
  bool missing = false;     // nothing to show: not asked, or no reference
  // A share's 95 % interval (Wilson, or design-based when the share pools
  // several rounds); both 0 for counts, differences and hidden numbers.
  analysis::Interval interval;

  bool Visible() const { return !suppressed && !missing; }
};

Number ShareOf(const analysis::Cell& cell);
Number CountOf(std::size_t count, bool suppressed);
Number Missing();
Number Hidden();

enum class CellFormat {
  kText,     // `text`
  kCount,    // a whole number: «25 909»
  kPercent,  // a share shown as whole percent: «79 %»
  kPoints,   // a difference in percentage points with its sign: «+4», «-12»
};

enum class Direction {
  kNeutral,  // not a finding, or a descriptive question
  kBetter,
  kWorse,
};

struct TableCell {
  CellFormat format = CellFormat::kText;
  std::string text;
  Number number;
  bool significant = false;  // kPoints: statistically significant at 95 % (marked «*»)
  // kPoints: what a real difference means for the family's polarity (a
  // barrier's rise is worse), so every format colours it by meaning.
  Direction direction = Direction::kNeutral;
  bool header = false;  // a row heading (first column) or a total row
};

TableCell TextCell(std::string text, bool header = false);
TableCell CountCell(std::size_t count, bool suppressed = false);
TableCell PercentCell(const Number& share);
TableCell PointsCell(const Number& points, bool significant);

// Marks used in every format, explained in the document's legend.
inline constexpr const char* kSuppressedMark = ":";  // Statistics Norway's «vises ikke»
inline constexpr const char* kMissingMark = ".";     // nothing to show
inline constexpr const char* kSignificantMark = "*";

// A cell as text, the same in every format: «79 %», «25 909», «+4*», «:».
std::string FormatCell(const TableCell& cell);
std::string FormatPercent(double share);     // «79 %»
std::string FormatCount(std::size_t count);  // «25 909» (no-break space between thousands)
std::string FormatPoints(double points);     // «+4», «-12», «0»

struct DataTable {
  std::string caption;
  // «Tabell 1», «Figur 3.28»: a numbered exhibit of the national report,
  // found by its anchor in every format (see ExhibitAnchor); empty if none.
  std::string number{};
  std::vector<std::string> columns;          // headings, one per column
  std::vector<std::vector<TableCell>> rows;  // each row as wide as `columns`
  std::vector<std::string> notes;            // question text, N, denominator rule, marks
};

enum class ChartKind {
  kBars,         // one horizontal bar per label from series[0]; markers as ticks across it
  kGroupedBars,  // per label, one bar per series (services, size groups …)
  kStackedBars,  // per label, one bar of the series' shares stacked to 100 % (a distribution)
  // Per label, series[0] (before) to series[1] (after) as a dot-and-arrow
  // on one line, coloured by `directions`; labels come ranked by the builder.
  kChange,
  // A matrix: labels are the rows, each series a column, every cell a share
  // shaded by its size with its value written in it. The cooperation grid:
  // row service's share rating the column service well, so the reverse
  // rating sits mirrored across the diagonal.
  kGrid,
};

// What a marker series stands for, so every format draws the same
// reference the same way (the theme owns the look).
enum class Reference {
  kOther,
  kNation,     // the rest of the nation
  kSizeGroup,  // the rest of the municipality's size group
  kBaseline,   // the municipality's own baseline round
};

struct ChartSeries {
  std::string name;
  std::vector<Number> values;  // one per label; shares in [0, 1]
  Reference reference = Reference::kOther;
};

struct Chart {
  ChartKind kind = ChartKind::kBars;
  std::string title;
  std::string number{};             // as DataTable::number
  std::vector<std::string> labels;  // one per bar or group of bars, top to bottom
  std::vector<ChartSeries> series;
  // Reference values drawn as a marker on each label's bar (kBars only),
  // e.g. the nation and the same size group beside a municipality.
  std::vector<ChartSeries> markers;
  // The series are ordered categories (size groups, levels of concern):
  // drawn light to dark rather than in unrelated colours.
  bool ordered = false;
  // kChange: whether each label's change is a real improvement or a real
  // worsening (by the family's polarity), or neither.
  std::vector<Direction> directions;
  std::string description;  // the text alternative, in Norwegian
};

// «figur-3-28» for «Figur 3.28»: the HTML anchor and the PDF bookmark's
// target, stable from one run to the next.
std::string ExhibitAnchor(const std::string& number);
// «Figur 3.28 Systemkunnskap etter stilling», or the title alone.
std::string ExhibitCaption(const std::string& number, const std::string& title);

// The chart's numbers as a table: labels down, series and markers across.
// HTML shows it as the chart's accessible alternative, XLSX stores it.
DataTable ChartAsTable(const Chart& chart);

struct Paragraph {
  std::string text;
};

struct BulletList {
  std::vector<std::string> items;
  bool numbered{};  // 1., 2., 3. … (recommendations) rather than bullets
};

struct KeyFigure {
  Number number;
  CellFormat format = CellFormat::kPercent;
  std::string label;  // «har vært bekymret for et barn eller en ungdom det siste året»
};

struct KeyFigures {
  std::vector<KeyFigure> figures;
};

using Block = std::variant<Paragraph, BulletList, KeyFigures, DataTable, Chart>;

struct Section {
  std::string id;  // stable, ASCII: the HTML anchor and the base of the XLSX sheet name
  std::string title;
  int level = 1;  // 1 for a chapter, 2 for a section inside the chapter before it
  std::vector<Block> blocks;
  // One line that says what the chapter finds («Over resten av landet på 2
  // av 12 spørsmål»): under a slide's title, first in the other formats.
  std::string takeaway{};
  // A section inside a chapter that a meeting works from (the sharing
  // pairs, the chain): it gets slides of its own in a deck.
  bool on_slides{};
};

struct Document {
  std::string title;
  std::string subtitle;
  std::vector<std::string> front_matter;  // lines under the title: source, date, N
  std::vector<std::string> legend;        // what «:», «.» and «*» mean, the rules applied
  std::vector<Section> sections;
  // Headings left empty for the local group's own words, as slides at the
  // end of a deck: «Hva tenker prosjektgruppa?».
  std::vector<std::string> workshop_prompts;
  // The first sections a reader needs before anything else (the summary
  // and the questions to discuss): printed before the table of contents.
  std::size_t lead_sections = 0;
};

// What the publication rules cost a document: the numbers it shows and
// those it hides (tables, key figures and chart values; a chart repeats a
// table's numbers, so it is left out to count each number once).
struct NumberCount {
  std::size_t shown = 0;
  std::size_t hidden = 0;
};
NumberCount CountNumbers(const Document& document);

}  // namespace samkart::report
