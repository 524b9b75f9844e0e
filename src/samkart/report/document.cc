#include "samkart/report/document.h"

#include <cmath>
#include <cstdio>

#include "fmt/format.h"

namespace samkart::report {

Number ShareOf(const analysis::Cell& cell) {
  Number number;
  if (cell.suppressed) {
    number.suppressed = true;
  } else if (cell.n == 0) {
    number.missing = true;
  } else {
    number.value = cell.share;
    number.n = cell.n;
    number.interval = cell.interval;
  }
  return number;
}

Number CountOf(std::size_t count, bool suppressed) {
  Number number;
  number.suppressed = suppressed;
  if (!suppressed) number.value = static_cast<double>(count);
  return number;
}

Number Hidden() {
  Number number;
  number.suppressed = true;
  return number;
}

Number Missing() {
  Number number;
  number.missing = true;
  return number;
}

TableCell TextCell(std::string text, bool header) {
  TableCell cell;
  cell.text = std::move(text);
  cell.header = header;
  return cell;
}

TableCell CountCell(std::size_t count, bool suppressed) {
  TableCell cell;
  cell.format = CellFormat::kCount;
  cell.number = CountOf(count, suppressed);
  return cell;
}

TableCell PercentCell(const Number& share) {
  TableCell cell;
  cell.format = CellFormat::kPercent;
  cell.number = share;
  return cell;
}

TableCell PointsCell(const Number& points, bool significant) {
  TableCell cell;
  cell.format = CellFormat::kPoints;
  cell.number = points;
  cell.significant = significant && points.Visible();
  return cell;
}

std::string FormatPercent(double share) {
  return fmt::format("{} %", static_cast<long>(std::lround(share * 100)));
}

std::string FormatCount(std::size_t count) {
  std::string digits = std::to_string(count);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += "\u00a0";
    out += digits[i];
  }
  return out;
}

std::string FormatPoints(double points) {
  const long rounded = std::lround(points);
  if (rounded == 0) return "0";
  return fmt::format("{:+d}", rounded);
}

std::string FormatCell(const TableCell& cell) {
  if (cell.format == CellFormat::kText) return cell.text;
  if (cell.number.suppressed) return kSuppressedMark;
  if (cell.number.missing) return kMissingMark;
  switch (cell.format) {
    case CellFormat::kCount:
      return FormatCount(static_cast<std::size_t>(std::llround(cell.number.value)));
    case CellFormat::kPercent:
      return FormatPercent(cell.number.value);
    case CellFormat::kPoints:
      return FormatPoints(cell.number.value) + (cell.significant ? kSignificantMark : "");
    case CellFormat::kText:
      break;
  }
  return cell.text;
}

std::string ExhibitAnchor(const std::string& number) {
  std::string anchor;
  for (const char c : number) {
    if (c >= 'A' && c <= 'Z') {
      anchor += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      anchor += c;
    } else if (!anchor.empty() && anchor.back() != '-') {
      anchor += '-';  // spaces, dots and anything else join the parts
    }
  }
  while (!anchor.empty() && anchor.back() == '-') anchor.pop_back();
  return anchor;
}

std::string ExhibitCaption(const std::string& number, const std::string& title) {
  return number.empty() ? title : number + " " + title;
}

DataTable ChartAsTable(const Chart& chart) {
  DataTable table;
  table.caption = chart.title;
  table.columns.push_back("");
  for (const auto& s : chart.series) table.columns.push_back(s.name);
  for (const auto& m : chart.markers) table.columns.push_back(m.name);
  for (std::size_t i = 0; i < chart.labels.size(); ++i) {
    std::vector<TableCell> row{TextCell(chart.labels[i], true)};
    for (const auto* list : {&chart.series, &chart.markers}) {
      for (const auto& s : *list) {
        row.push_back(PercentCell(i < s.values.size() ? s.values[i] : Missing()));
      }
    }
    table.rows.push_back(std::move(row));
  }
  if (!chart.description.empty()) table.notes.push_back(chart.description);
  return table;
}

NumberCount CountNumbers(const Document& document) {
  NumberCount count;
  auto add = [&](const Number& number) {
    if (number.suppressed) {
      ++count.hidden;
    } else if (!number.missing) {
      ++count.shown;
    }
  };
  for (const Section& section : document.sections) {
    for (const Block& block : section.blocks) {
      if (const auto* table = std::get_if<DataTable>(&block)) {
        for (const auto& row : table->rows) {
          for (const TableCell& cell : row) {
            if (cell.format != CellFormat::kText) add(cell.number);
          }
        }
      } else if (const auto* figures = std::get_if<KeyFigures>(&block)) {
        for (const KeyFigure& figure : figures->figures) add(figure.number);
      }
    }
  }
  return count;
}

}  // namespace samkart::report
