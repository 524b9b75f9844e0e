#include "samkart/report/blocks.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "samkart/analysis/cooperation.h"
#include "samkart/core/text.h"
#include "samkart/present/table_format.h"
#include "samkart/report/indicators.h"

#include "fmt/format.h"

namespace samkart::report {

using analysis::Filter;
using analysis::Variable;

std::string GroupLabel(const ReportInputs& inputs, Variable by, int value) {
  if (by == Variable::kService) {
    const instrument::Service* s = inputs.instrument->FindServiceByCode(value);
    if (s != nullptr) return s->short_label.empty() ? s->label : s->short_label;
  }
  return present::GroupValueLabel(*inputs.data, *inputs.instrument, by, value);
}

std::vector<int> GroupsOf(const analysis::Table& table) {
  std::set<int> values;
  for (const auto& row : table.rows) {
    if (row.group.size() == 1) values.insert(row.group[0]);
  }
  return {values.begin(), values.end()};
}

namespace {

std::string ServiceName(const instrument::Instrument& instrument, int code) {
  const instrument::Service* s = instrument.FindServiceByCode(code);
  if (s == nullptr) return std::to_string(code);
  return s->short_label.empty() ? s->label : s->short_label;
}

}  // namespace

bool IsCoarseService(const instrument::Instrument& instrument, int code) {
  const instrument::Service* s = instrument.FindServiceByCode(code);
  if (s == nullptr) return true;
  for (const auto& other : instrument.services) {
    if (other.generalises_to == s->key) return true;
  }
  return s->key == instrument.UnstatedService().key;
}

bool HasVisibleNumber(const DataTable& table, std::size_t skip_last_rows) {
  const std::size_t rows =
      table.rows.size() > skip_last_rows ? table.rows.size() - skip_last_rows : 0;
  for (std::size_t r = 0; r < rows; ++r) {
    for (const TableCell& cell : table.rows[r]) {
      if (cell.format != CellFormat::kText && cell.number.Visible()) return true;
    }
  }
  return false;
}

Result<DataTable> CountTable(const ReportInputs& inputs, const std::vector<Filter>& where,
                             Variable by, const std::string& caption) {
  auto counts = PublishedCounts(inputs, where, by);
  if (!counts.ok()) return counts.error();
  auto all_count = PublishedCount(inputs, where);
  if (!all_count.ok()) return all_count.error();
  const std::size_t total = all_count->count;
  DataTable table;
  table.caption = caption;
  table.columns = {analysis::VariableLabel(by), "Antall svar", "Andel av alle"};
  for (const auto& c : *counts) {
    Number share;
    share.suppressed = c.suppressed || all_count->suppressed;
    if (!share.suppressed && total > 0) {
      share.value = static_cast<double>(c.count) / static_cast<double>(total);
      share.n = total;
    }
    table.rows.push_back({TextCell(GroupLabel(inputs, by, c.value), true),
                          CountCell(c.count, c.suppressed), PercentCell(share)});
  }
  Number all;
  all.suppressed = all_count->suppressed;
  if (!all.suppressed) {
    all.value = total > 0 ? 1.0 : 0.0;
    all.n = total;
  }
  table.rows.push_back(
      {TextCell("Alle", true), CountCell(total, all_count->suppressed), PercentCell(all)});
  return table;
}

Result<std::vector<DataTable>> BreakdownTables(const ReportInputs& inputs,
                                               const instrument::Family& family,
                                               const std::vector<Filter>& where, Variable by,
                                               const std::string& caption,
                                               std::size_t max_columns) {
  analysis::TableRequest request;
  request.family = family.id;
  request.where = where;
  request.by = {by};
  auto table = PublishedTable(inputs, request);
  if (!table.ok()) return table.error();
  const std::vector<std::size_t> items = FamilyItems(*inputs.data, family);
  const std::vector<int> groups = GroupsOf(*table);
  std::vector<DataTable> out;
  const std::size_t parts = (items.size() + max_columns - 1) / max_columns;
  for (std::size_t part = 0; part < parts; ++part) {
    const std::size_t first = part * max_columns;
    const std::size_t last = std::min(items.size(), first + max_columns);
    DataTable t;
    t.caption = parts > 1 ? fmt::format("{} (del {} av {})", caption, part + 1, parts) : caption;
    t.columns.push_back(analysis::VariableLabel(by));
    for (std::size_t i = first; i < last; ++i) {
      t.columns.push_back(ItemLabel(*inputs.data, items[i]));
    }
    auto add_row = [&](const std::string& label, const std::vector<int>& group) {
      std::vector<TableCell> row{TextCell(label, true)};
      for (std::size_t i = first; i < last; ++i) {
        const analysis::TableRow* r = FindRow(*table, items[i], group);
        Number share = r != nullptr ? ShareOf(r->cell) : Missing();
        row.push_back(PercentCell(share));
      }
      t.rows.push_back(std::move(row));
    };
    for (const int g : groups) add_row(GroupLabel(inputs, by, g), {g});
    add_row("Alle", {});
    t.notes.push_back(ShareRule(*inputs.instrument, family));
    out.push_back(std::move(t));
  }
  return out;
}

Result<Chart> GroupedChart(const ReportInputs& inputs, const instrument::Family& family,
                           const std::vector<Filter>& where, Variable by,
                           const std::string& title) {
  analysis::TableRequest request;
  request.family = family.id;
  request.where = where;
  request.by = {by};
  auto table = PublishedTable(inputs, request);
  if (!table.ok()) return table.error();
  Chart chart;
  chart.kind = ChartKind::kGroupedBars;
  chart.title = title;
  const std::vector<std::size_t> items = FamilyItems(*inputs.data, family);
  for (const std::size_t item : items) chart.labels.push_back(ItemLabel(*inputs.data, item));
  for (const int g : GroupsOf(*table)) {
    ChartSeries series{GroupLabel(inputs, by, g), {}};
    for (const std::size_t item : items) {
      const analysis::TableRow* r = FindRow(*table, item, {g});
      series.values.push_back(r != nullptr ? ShareOf(r->cell) : Missing());
    }
    chart.series.push_back(std::move(series));
  }
  chart.ordered = by == Variable::kSizeGroup || by == Variable::kYear;
  chart.description = fmt::format(
      "Én søyle per gruppe ({}) for hvert spørsmål. Tallene står i tabellen under "
      "figuren.",
      text::LowerFirst(analysis::VariableLabel(by)));
  return chart;
}

Result<Chart> DistributionChart(const ReportInputs& inputs, const instrument::Family& family,
                                const std::vector<Subset>& subsets, const std::string& title) {
  const instrument::Scale* scale = inputs.instrument->FindScale(family.scale);
  const std::vector<std::size_t> items = FamilyItems(*inputs.data, family);
  if (scale == nullptr || items.empty()) {
    return Error{fmt::format("familien «{}» har ingen skala eller spørsmål", family.id)};
  }
  Chart chart;
  chart.kind = ChartKind::kStackedBars;
  chart.title = title;
  for (const auto& c : scale->categories) chart.series.push_back({c.label, {}});
  for (const Subset& subset : subsets) {
    analysis::TableRequest request;
    request.family = family.id;
    request.item = inputs.data->item_refs[items[0]].item->id;
    request.where = subset.where;
    request.distribution = true;
    auto table = PublishedTable(inputs, request);
    if (!table.ok()) return table.error();
    chart.labels.push_back(subset.label);
    for (std::size_t c = 0; c < scale->categories.size(); ++c) {
      const analysis::TableRow* r = FindRow(*table, items[0], {}, scale->categories[c].code);
      chart.series[c].values.push_back(r != nullptr ? ShareOf(r->cell) : Missing());
    }
  }
  chart.description = fmt::format("Fordelingen av svarene på «{}». Tallene står i tabellen.",
                                  ItemLabel(*inputs.data, items[0]));
  return chart;
}

Result<Chart> CooperationGrid(const ReportInputs& inputs, const std::vector<Filter>& where,
                              const std::string& title) {
  auto matrix = analysis::ComputeCooperationMatrix(*inputs.data, *inputs.instrument, where,
                                                   *inputs.publication);
  if (!matrix.ok()) return matrix.error();
  const instrument::Instrument& instrument = *inputs.instrument;
  auto visible = [&](int rater, int rated) {
    const analysis::CooperationPair* p = matrix->Find(rater, rated);
    return p != nullptr && ShareOf(p->rating).Visible();
  };
  std::vector<int> columns;
  for (const int rated : matrix->rated) {
    if (std::any_of(matrix->raters.begin(), matrix->raters.end(),
                    [&](int rater) { return visible(rater, rated); })) {
      columns.push_back(rated);
    }
  }
  // Rows in the columns' order first, so a service's two directions sit
  // mirrored across the diagonal; services only rating come last.
  std::vector<int> rows;
  auto add_row = [&](int rater) {
    if (IsCoarseService(instrument, rater) ||
        std::find(rows.begin(), rows.end(), rater) != rows.end()) {
      return;
    }
    if (std::any_of(columns.begin(), columns.end(),
                    [&](int rated) { return visible(rater, rated); })) {
      rows.push_back(rater);
    }
  };
  for (const int rated : columns) {
    if (std::find(matrix->raters.begin(), matrix->raters.end(), rated) != matrix->raters.end()) {
      add_row(rated);
    }
  }
  for (const int rater : matrix->raters) add_row(rater);

  Chart chart;
  chart.kind = ChartKind::kGrid;
  chart.title = title;
  for (const int rater : rows) chart.labels.push_back(ServiceName(instrument, rater));
  for (const int rated : columns) {
    ChartSeries column{ServiceName(instrument, rated), {}};
    for (const int rater : rows) {
      const analysis::CooperationPair* p = matrix->Find(rater, rated);
      column.values.push_back(p != nullptr ? ShareOf(p->rating) : Missing());
    }
    chart.series.push_back(std::move(column));
  }
  chart.description =
      "Hver rute er andelen ansatte i tjenesten til venstre som vurderer samarbeidet med "
      "tjenesten over som ganske eller svært godt. Den motsatte vurderingen står speilvendt "
      "om diagonalen.";
  return chart;
}

Result<DataTable> CooperationPairsTable(const ReportInputs& inputs,
                                        const std::vector<Filter>& where,
                                        const std::string& caption, std::string* summary) {
  auto matrix = analysis::ComputeCooperationMatrix(*inputs.data, *inputs.instrument, where,
                                                   *inputs.publication);
  if (!matrix.ok()) return matrix.error();
  const instrument::Instrument& instrument = *inputs.instrument;
  std::vector<const analysis::CooperationPair*> pairs;
  for (const auto& p : matrix->pairs) {
    // Each unordered pair once: from the side with the lower code, or the
    // only side when the other does not rate.
    const analysis::CooperationPair* back = matrix->Find(p.rated, p.rater);
    if (back != nullptr && p.rater > p.rated) continue;
    if (IsCoarseService(instrument, p.rater)) continue;
    // A pair with nothing to show in either direction is only marks.
    if (!ShareOf(p.rating).Visible() && (back == nullptr || !ShareOf(back->rating).Visible())) {
      continue;
    }
    pairs.push_back(&p);
  }
  auto magnitude = [](const analysis::CooperationPair* p) {
    return p->asymmetry_pp ? std::fabs(*p->asymmetry_pp) : -1.0;
  };
  std::stable_sort(pairs.begin(), pairs.end(),
                   [&](const auto* a, const auto* b) { return magnitude(a) > magnitude(b); });
  DataTable table;
  table.caption = caption;
  table.columns = {"Tjeneste A", "Tjeneste B", "A om samarbeidet med B", "B om samarbeidet med A",
                   "Forskjell"};
  for (const auto* p : pairs) {
    Number points = Missing();
    if (p->asymmetry_pp) {
      points = Number{};
      points.value = *p->asymmetry_pp;
    }
    table.rows.push_back(
        {TextCell(ServiceName(instrument, p->rater), true),
         TextCell(ServiceName(instrument, p->rated), true), PercentCell(ShareOf(p->rating)),
         PercentCell(p->reverse ? ShareOf(*p->reverse) : Missing()), PointsCell(points, false)});
  }
  table.notes.push_back("Andel som vurderer samarbeidet som ganske eller svært godt. Nevner: " +
                        matrix->denominator_rule);
  table.notes.push_back(
      "Forskjell = A om B minus B om A, i prosentpoeng; sortert etter størst forskjell.");
  table.notes.push_back(
      "En sammenslått gruppe (som «Skole (samlet)») eller en kombinert skole vurderer ikke "
      "tjenester den selv består av: de ansatte ville da vurdert sitt eget samarbeid.");
  if (summary != nullptr) {
    summary->clear();
    if (!pairs.empty() && pairs[0]->asymmetry_pp) {
      const auto* p = pairs[0];
      const bool a_higher = *p->asymmetry_pp > 0;
      const int high = a_higher ? p->rater : p->rated;
      const int low = a_higher ? p->rated : p->rater;
      const double high_share = a_higher ? p->rating.share : p->reverse->share;
      const double low_share = a_higher ? p->reverse->share : p->rating.share;
      *summary = fmt::format(
          "Størst forskjell mellom de to retningene: {} vurderer samarbeidet med {} som godt "
          "({}), mens {} vurderer samarbeidet med {} som godt ({}).",
          ServiceName(instrument, high), ServiceName(instrument, low), FormatPercent(high_share),
          ServiceName(instrument, low), ServiceName(instrument, high), FormatPercent(low_share));
    }
  }
  return table;
}

}  // namespace samkart::report
