#include "samkart/report/indicators.h"

#include <algorithm>
#include <map>

#include "samkart/analysis/publication.h"
#include "samkart/instrument/codebook.h"

#include "fmt/format.h"

namespace samkart::report {

using analysis::Cell;
using analysis::Filter;
using analysis::Table;
using analysis::TableRow;

Result<Table> PublishedTable(const ReportInputs& inputs, const analysis::TableRequest& request) {
  auto table = analysis::ComputeTable(*inputs.data, *inputs.instrument, request);
  if (!table.ok()) return table.error();
  std::vector<Table> tables{std::move(table.value())};
  auto applied = inputs.publication->Apply(tables);
  if (!applied.ok()) return applied.error();
  return std::move(tables[0]);
}

const TableRow* FindRow(const Table& table, std::size_t item, const std::vector<int>& group,
                        std::optional<int> category) {
  for (const TableRow& row : table.rows) {
    if (row.item == item && row.group == group && row.category == category) return &row;
  }
  return nullptr;
}

std::vector<std::size_t> FamilyItems(const analysis::Dataset& data,
                                     const instrument::Family& family) {
  std::vector<std::size_t> items;
  for (std::size_t i = 0; i < data.item_refs.size(); ++i) {
    if (data.item_refs[i].family->id == family.id) items.push_back(i);
  }
  return items;
}

std::string ItemLabel(const analysis::Dataset& data, std::size_t item) {
  const instrument::Item& it = *data.item_refs[item].item;
  return it.short_label.empty() ? it.text : it.short_label;
}

Result<std::vector<ItemComparison>> CompareFamily(const ReportInputs& inputs,
                                                  const instrument::Family& family,
                                                  const std::vector<Filter>& subset,
                                                  const std::vector<Filter>& reference) {
  analysis::TableRequest request;
  request.family = family.id;
  request.where = subset;
  auto subset_table = PublishedTable(inputs, request);
  if (!subset_table.ok()) return subset_table.error();
  request.where = reference;
  auto reference_table = PublishedTable(inputs, request);
  if (!reference_table.ok()) return reference_table.error();

  std::vector<ItemComparison> out;
  for (const std::size_t item : FamilyItems(*inputs.data, family)) {
    const TableRow* s = FindRow(*subset_table, item);
    const TableRow* r = FindRow(*reference_table, item);
    if (s == nullptr || r == nullptr) continue;
    ItemComparison c{item, s->cell, r->cell, std::nullopt};
    if (!s->cell.suppressed && !r->cell.suppressed && s->cell.n > 0 && r->cell.n > 0) {
      c.difference =
          analysis::NewcombeDifference(s->cell.count, s->cell.n, r->cell.count, r->cell.n);
    }
    out.push_back(c);
  }
  return out;
}

Result<std::vector<GroupCount>> PublishedCounts(const ReportInputs& inputs,
                                                const std::vector<Filter>& where,
                                                analysis::Variable by) {
  auto counts = inputs.publication->Respondents(where, by);
  if (!counts.ok()) return counts.error();
  std::vector<GroupCount> out;
  for (const auto& [value, count] : *counts) {
    out.push_back({value, count.second ? 0 : count.first, count.second});
  }
  return out;
}

Result<GroupCount> PublishedCount(const ReportInputs& inputs, const std::vector<Filter>& where) {
  auto counts = inputs.publication->Respondents(where, std::nullopt);
  if (!counts.ok()) return counts.error();
  const auto& [value, count] = counts->front();
  return GroupCount{value, count.second ? 0 : count.first, count.second};
}

Number PointsNumber(const std::optional<analysis::Difference>& difference) {
  if (!difference) return Missing();
  Number number;
  number.value = difference->estimate * 100;
  return number;
}

std::vector<std::string> Legend(const analysis::PublicationRules& rules) {
  std::vector<std::string> legend = {
      fmt::format("{}  Vises ikke (publiseringsregler): færre enn {} svar i gruppen, eller skjult "
                  "for at en skjult gruppe ikke skal kunne regnes ut fra totalen.",
                  kSuppressedMark, rules.min_n),
      fmt::format("{}  Ikke noe å vise: spørsmålet ble ikke stilt, eller ingen svarte.",
                  kMissingMark),
      fmt::format("{}  Statistisk signifikant forskjell (95 % konfidensintervall etter "
                  "Newcombe som ikke omfatter 0).",
                  kSignificantMark),
      "Andeler er avrundet til hele prosent, forskjeller til hele prosentpoeng.",
  };
  if (rules.max_small_count) {
    legend.push_back(
        fmt::format("Grupper der antallet eller resten er {} eller mindre, vises ikke.",
                    *rules.max_small_count));
  }
  return legend;
}

int BaselineCode(const instrument::Instrument& instrument) {
  return instrument.round_types.empty() ? 1 : instrument.round_types[0].code;
}

std::string Quoted(const std::string& text) { return "«" + text + "»"; }

std::string ShareRule(const instrument::Instrument& instrument, const instrument::Family& family) {
  return fmt::format("Andelen er {}. Nevner: {}",
                     instrument::DescribeReportedShare(instrument, family),
                     instrument::DescribeDenominator(instrument, family));
}

}  // namespace samkart::report
