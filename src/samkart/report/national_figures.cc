#include "samkart/report/national_figures.h"

#include <algorithm>
#include <map>
#include <set>

#include "samkart/core/text.h"
#include "samkart/instrument/codebook.h"
#include "samkart/report/blocks.h"
#include "samkart/report/indicators.h"

#include "fmt/format.h"

namespace samkart::report {

using analysis::Filter;
using analysis::Variable;
using instrument::FigureSource;
using instrument::FigureView;
using instrument::ReportFigure;

namespace {

// The code of a background key as report_figures.csv names it (the loader
// has checked that it exists).
std::optional<int> KeyCode(const instrument::Instrument& instrument, Variable by,
                           const std::string& key) {
  auto keyed = [&](const auto& codes) -> std::optional<int> {
    for (const auto& c : codes) {
      if (c.key == key) return c.code;
    }
    return std::nullopt;
  };
  switch (by) {
    case Variable::kService:
      if (const auto* s = instrument.FindService(key)) return s->code;
      return std::nullopt;
    case Variable::kPosition:
      if (const auto* p = instrument.FindPosition(key)) return p->code;
      return std::nullopt;
    case Variable::kSizeGroup:
      return keyed(instrument.size_groups);
    case Variable::kRegion:
      return keyed(instrument.regions);
    case Variable::kYear:
      return text::ParseInt(key);
    default:
      return std::nullopt;
  }
}

// Everything an exhibit is drawn from, resolved once.
struct Plan {
  const ReportFigure& figure;
  const instrument::Family* family = nullptr;
  std::optional<Variable> by;
  std::vector<Filter> where;
  std::vector<int> groups;         // the chosen groups, in the file's order; empty: all
  std::vector<std::size_t> items;  // dataset item indexes
};

Result<Plan> Resolve(const ReportInputs& inputs, const std::vector<Filter>& rounds,
                     const ReportFigure& figure) {
  const instrument::Instrument& instrument = *inputs.instrument;
  Plan plan{figure, nullptr, std::nullopt, rounds, {}, {}};
  if (!figure.by.empty()) {
    plan.by = analysis::ParseVariable(figure.by);
    if (!plan.by) return Error{fmt::format("{}: ukjent inndeling «{}»", figure.number, figure.by)};
    for (const std::string& key : figure.groups) {
      if (const auto code = KeyCode(instrument, *plan.by, key)) plan.groups.push_back(*code);
    }
  }
  if (!figure.within_service.empty()) {
    const instrument::Service* service = instrument.FindService(figure.within_service);
    if (service == nullptr) {
      return Error{fmt::format("{}: ukjent tjeneste «{}»", figure.number, figure.within_service)};
    }
    plan.where.push_back({Variable::kService, {service->code}, std::nullopt});
  }
  if (figure.source == FigureSource::kFamily) {
    plan.family = instrument.FindFamily(figure.family);
    if (plan.family == nullptr) {
      return Error{fmt::format("{}: ukjent spørsmålsfamilie «{}»", figure.number, figure.family)};
    }
    for (const std::size_t item : FamilyItems(*inputs.data, *plan.family)) {
      const std::string& id = inputs.data->item_refs[item].item->id;
      if (figure.items.empty() ||
          std::find(figure.items.begin(), figure.items.end(), id) != figure.items.end()) {
        plan.items.push_back(item);
      }
    }
  }
  return plan;
}

// The groups to show: those chosen, or every group the table holds
// (coarse service groups left out, as elsewhere in the report).
std::vector<int> ShownGroups(const ReportInputs& inputs, const Plan& plan,
                             const analysis::Table& table) {
  if (!plan.groups.empty()) return plan.groups;
  std::vector<int> groups;
  for (const int g : GroupsOf(table)) {
    if (plan.by == Variable::kService && IsCoarseService(*inputs.instrument, g)) continue;
    groups.push_back(g);
  }
  return groups;
}

bool AnyVisible(const std::vector<Number>& values) {
  return std::any_of(values.begin(), values.end(), [](const Number& n) { return n.Visible(); });
}

std::string WhoText(const ReportInputs& inputs, const Plan& plan) {
  if (plan.figure.within_service.empty()) return "Alle respondenter";
  const instrument::Service* s = inputs.instrument->FindService(plan.figure.within_service);
  return fmt::format("Ansatte i {}", text::LowerFirst(s != nullptr ? s->label : ""));
}

// The family's published shares within the plan's filters, by its breakdown.
Result<analysis::Table> PlanTable(const ReportInputs& inputs, const Plan& plan) {
  analysis::TableRequest request;
  request.family = plan.family->id;
  request.where = plan.where;
  if (plan.by) request.by = {*plan.by};
  return PublishedTable(inputs, request);
}

Result<Chart> SharesChart(const ReportInputs& inputs, const Plan& plan) {
  SAMKART_ASSIGN_OR_RETURN(const analysis::Table table, PlanTable(inputs, plan));
  Chart chart;
  chart.title = plan.figure.title;
  const std::string share = instrument::DescribeReportedShare(*inputs.instrument, *plan.family);
  if (!plan.by) {
    chart.kind = ChartKind::kBars;
    ChartSeries series{"Alle", {}};
    for (const std::size_t item : plan.items) {
      const analysis::TableRow* row = FindRow(table, item);
      chart.labels.push_back(ItemLabel(*inputs.data, item));
      series.values.push_back(row != nullptr ? ShareOf(row->cell) : Missing());
    }
    chart.series.push_back(std::move(series));
    chart.description =
        fmt::format("Andel som svarer {}, per spørsmål. {}.", share, WhoText(inputs, plan));
    return chart;
  }
  const std::vector<int> groups = ShownGroups(inputs, plan, table);
  const std::string by_text = text::LowerFirst(analysis::VariableLabel(*plan.by));
  if (plan.items.size() == 1) {
    // One question: a bar per group reads better than one cluster of bars.
    chart.kind = ChartKind::kBars;
    ChartSeries series{ItemLabel(*inputs.data, plan.items[0]), {}};
    for (const int g : groups) {
      const analysis::TableRow* row = FindRow(table, plan.items[0], {g});
      const Number value = row != nullptr ? ShareOf(row->cell) : Missing();
      if (!value.Visible() && !value.suppressed) continue;  // not asked there
      chart.labels.push_back(GroupLabel(inputs, *plan.by, g));
      series.values.push_back(value);
    }
    chart.series.push_back(std::move(series));
    chart.description =
        fmt::format("Andel som svarer {}, etter {}. {}.", share, by_text, WhoText(inputs, plan));
    return chart;
  }
  chart.kind = ChartKind::kGroupedBars;
  chart.ordered = plan.by == Variable::kSizeGroup || plan.by == Variable::kYear;
  for (const std::size_t item : plan.items) chart.labels.push_back(ItemLabel(*inputs.data, item));
  for (const int g : groups) {
    ChartSeries series{GroupLabel(inputs, *plan.by, g), {}};
    for (const std::size_t item : plan.items) {
      const analysis::TableRow* row = FindRow(table, item, {g});
      series.values.push_back(row != nullptr ? ShareOf(row->cell) : Missing());
    }
    // A group the question never reached (child welfare is not asked about
    // concern) is left out rather than drawn empty.
    if (!AnyVisible(series.values) && std::none_of(series.values.begin(), series.values.end(),
                                                   [](const Number& n) { return n.suppressed; })) {
      continue;
    }
    chart.series.push_back(std::move(series));
  }
  chart.description = fmt::format(
      "Andel som svarer {}, én søyle per gruppe ({}) for hvert "
      "spørsmål. {}.",
      share, by_text, WhoText(inputs, plan));
  return chart;
}

Result<Chart> DistributionOf(const ReportInputs& inputs, const Plan& plan) {
  std::vector<Subset> subsets;
  if (!plan.by) {
    if (plan.items.size() > 1) {
      // Several statements: a stacked bar per statement.
      const instrument::Scale* scale = inputs.instrument->FindScale(plan.family->scale);
      if (scale == nullptr) return Error{fmt::format("{}: ingen skala", plan.figure.number)};
      Chart chart;
      chart.kind = ChartKind::kStackedBars;
      chart.title = plan.figure.title;
      for (const auto& c : scale->categories) chart.series.push_back({c.label, {}});
      for (const std::size_t item : plan.items) {
        analysis::TableRequest request;
        request.family = plan.family->id;
        request.item = inputs.data->item_refs[item].item->id;
        request.where = plan.where;
        request.distribution = true;
        SAMKART_ASSIGN_OR_RETURN(const analysis::Table table, PublishedTable(inputs, request));
        chart.labels.push_back(ItemLabel(*inputs.data, item));
        for (std::size_t c = 0; c < scale->categories.size(); ++c) {
          const analysis::TableRow* r = FindRow(table, item, {}, scale->categories[c].code);
          chart.series[c].values.push_back(r != nullptr ? ShareOf(r->cell) : Missing());
        }
      }
      chart.description =
          fmt::format("Fordelingen av svarene på hver påstand. {}.", WhoText(inputs, plan));
      return chart;
    }
    subsets.push_back({"Alle", plan.where});
  } else {
    // The groups come from the respondent counts: those with answers.
    SAMKART_ASSIGN_OR_RETURN(const std::vector<GroupCount> counts,
                             PublishedCounts(inputs, plan.where, *plan.by));
    std::vector<int> groups = plan.groups;
    if (groups.empty()) {
      for (const GroupCount& c : counts) {
        if (plan.by == Variable::kService && IsCoarseService(*inputs.instrument, c.value)) continue;
        groups.push_back(c.value);
      }
    }
    for (const int g : groups) {
      std::vector<Filter> where = plan.where;
      where.push_back({*plan.by, {g}, std::nullopt});
      subsets.push_back({GroupLabel(inputs, *plan.by, g), std::move(where)});
    }
  }
  SAMKART_ASSIGN_OR_RETURN(Chart chart,
                           DistributionChart(inputs, *plan.family, subsets, plan.figure.title));
  // A group the question never reached has no bar.
  for (std::size_t i = chart.labels.size(); i-- > 0;) {
    bool any = false;
    for (const auto& s : chart.series) any = any || s.values[i].Visible() || s.values[i].suppressed;
    if (any || chart.labels.size() == 1) continue;
    chart.labels.erase(chart.labels.begin() + static_cast<std::ptrdiff_t>(i));
    for (auto& s : chart.series) s.values.erase(s.values.begin() + static_cast<std::ptrdiff_t>(i));
  }
  return chart;
}

// Items down, groups (or everyone) across: the printed report's Tabell 3.1.
Result<DataTable> SharesTable(const ReportInputs& inputs, const Plan& plan) {
  SAMKART_ASSIGN_OR_RETURN(const analysis::Table table, PlanTable(inputs, plan));
  const std::vector<int> groups = plan.by ? ShownGroups(inputs, plan, table) : std::vector<int>{};
  DataTable t;
  t.caption = plan.figure.title;
  t.columns.push_back("Spørsmål");
  for (const int g : groups) t.columns.push_back(GroupLabel(inputs, *plan.by, g));
  t.columns.push_back("Alle");
  for (const std::size_t item : plan.items) {
    std::vector<TableCell> row{TextCell(ItemLabel(*inputs.data, item), true)};
    for (const int g : groups) {
      const analysis::TableRow* r = FindRow(table, item, {g});
      row.push_back(PercentCell(r != nullptr ? ShareOf(r->cell) : Missing()));
    }
    const analysis::TableRow* all = FindRow(table, item);
    row.push_back(PercentCell(all != nullptr ? ShareOf(all->cell) : Missing()));
    t.rows.push_back(std::move(row));
  }
  t.notes.push_back(ShareRule(*inputs.instrument, *plan.family));
  return t;
}

// Respondents per group as a chart of shares of all, with the counts
// beside it in a table.
Result<std::vector<Block>> RespondentBlocks(const ReportInputs& inputs, const Plan& plan) {
  SAMKART_ASSIGN_OR_RETURN(
      DataTable counts,
      CountTable(
          inputs, plan.where, *plan.by,
          fmt::format("Svar etter {}", text::LowerFirst(analysis::VariableLabel(*plan.by)))));
  if (plan.figure.view == FigureView::kTable) {
    counts.number = plan.figure.number;
    counts.caption = plan.figure.title;
    return std::vector<Block>{std::move(counts)};
  }
  Chart chart;
  chart.kind = ChartKind::kBars;
  chart.number = plan.figure.number;
  chart.title = plan.figure.title;
  chart.ordered = plan.by == Variable::kSizeGroup || plan.by == Variable::kYear;
  ChartSeries series{"Andel av alle svar", {}};
  for (std::size_t r = 0; r + 1 < counts.rows.size(); ++r) {  // the last row is «Alle»
    chart.labels.push_back(counts.rows[r][0].text);
    series.values.push_back(counts.rows[r][2].number);
  }
  chart.series.push_back(std::move(series));
  chart.description = "Andelen av alle svar i hver gruppe; antallet står i tabellen etter figuren.";
  return std::vector<Block>{std::move(chart), std::move(counts)};
}

// An exhibit with no number to show keeps its place and says why.
DataTable EmptyExhibit(const ReportFigure& figure) {
  DataTable t;
  t.number = figure.number;
  t.caption = figure.title;
  t.notes.push_back(
      "Ingen tall å vise: spørsmålene er ikke stilt i dette materialet, eller alle gruppene er "
      "for små til å vises.");
  return t;
}

bool ChartHasNumbers(const Chart& chart) {
  return std::any_of(chart.series.begin(), chart.series.end(),
                     [](const ChartSeries& s) { return AnyVisible(s.values); });
}

}  // namespace

std::vector<std::size_t> RoundRows(const analysis::Dataset& data,
                                   const std::vector<Filter>& rounds) {
  const analysis::RoundIndex index =
      data.rounds.Count() > 0 ? data.rounds : analysis::IndexRounds(data);
  std::vector<std::size_t> rows;
  for (std::size_t k = 0; k < index.Count(); ++k) {
    const std::size_t row = index.rows[index.starts[k]];
    if (std::all_of(rounds.begin(), rounds.end(),
                    [&](const Filter& f) { return f.Matches(data.Value(f.variable, row)); })) {
      rows.push_back(row);
    }
  }
  return rows;
}

std::map<int, std::size_t> SurveysBy(const analysis::Dataset& data,
                                     const std::vector<Filter>& rounds, Variable by) {
  std::map<int, std::size_t> out;
  for (const std::size_t row : RoundRows(data, rounds)) ++out[data.Value(by, row)];
  return out;
}

DataTable SurveyCountTable(const ReportInputs& inputs, const std::vector<Filter>& rounds,
                           Variable by, const std::string& caption) {
  const std::map<int, std::size_t> per_value = SurveysBy(*inputs.data, rounds, by);
  std::size_t total = 0;
  for (const auto& [value, count] : per_value) total += count;
  DataTable t;
  t.caption = caption;
  t.columns = {analysis::VariableLabel(by), "Antall undersøkelser"};
  for (const auto& [value, count] : per_value) {
    t.rows.push_back({TextCell(GroupLabel(inputs, by, value), true), CountCell(count)});
  }
  t.rows.push_back({TextCell("Alle", true), CountCell(total)});
  t.notes.push_back(
      "En undersøkelse er én kommunes (eller bydels) kartlegging ett år. Antallet sier hvor "
      "mange kommuner som har kartlagt, ikke noe om den enkelte som svarte.");
  return t;
}

Result<std::vector<Block>> BuildReportFigure(const ReportInputs& inputs,
                                             const std::vector<Filter>& rounds,
                                             const ReportFigure& figure) {
  SAMKART_ASSIGN_OR_RETURN(const Plan plan, Resolve(inputs, rounds, figure));
  switch (figure.source) {
    case FigureSource::kSurveys: {
      DataTable t = SurveyCountTable(inputs, plan.where, *plan.by, figure.title);
      t.number = figure.number;
      return std::vector<Block>{std::move(t)};
    }
    case FigureSource::kRespondents:
      return RespondentBlocks(inputs, plan);
    case FigureSource::kFamily:
      break;
  }
  if (plan.items.empty()) return std::vector<Block>{EmptyExhibit(figure)};
  if (figure.view == FigureView::kTable) {
    SAMKART_ASSIGN_OR_RETURN(DataTable t, SharesTable(inputs, plan));
    if (!HasVisibleNumber(t)) return std::vector<Block>{EmptyExhibit(figure)};
    t.number = figure.number;
    return std::vector<Block>{std::move(t)};
  }
  SAMKART_ASSIGN_OR_RETURN(Chart chart, figure.view == FigureView::kDistribution
                                            ? DistributionOf(inputs, plan)
                                            : SharesChart(inputs, plan));
  if (!ChartHasNumbers(chart)) return std::vector<Block>{EmptyExhibit(figure)};
  chart.number = figure.number;
  return std::vector<Block>{std::move(chart)};
}

}  // namespace samkart::report
