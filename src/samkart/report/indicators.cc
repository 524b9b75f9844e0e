#include "samkart/report/indicators.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "samkart/analysis/publication.h"
#include "samkart/instrument/codebook.h"

#include "fmt/format.h"
#include "fmt/ranges.h"

namespace samkart::report {

using analysis::Cell;
using analysis::Filter;
using analysis::Table;
using analysis::TableRow;

namespace {

std::string FiltersKey(const std::vector<Filter>& filters) {
  std::string key;
  for (const Filter& f : filters) {
    key += fmt::format("{}:{}", static_cast<int>(f.variable), fmt::join(f.values, ","));
    if (f.range) key += fmt::format("[{}-{}]", f.range->first, f.range->second);
    key += ';';
  }
  return key;
}

// Everything that decides a table's content.
std::string RequestKey(const analysis::TableRequest& request) {
  std::vector<int> by;
  for (const analysis::Variable v : request.by) by.push_back(static_cast<int>(v));
  return fmt::format("{}|{}|{}|{}|{}|{}|{}", request.family, request.item.value_or("*"),
                     fmt::join(by, ","), FiltersKey(request.where),
                     static_cast<int>(request.compare), request.distribution,
                     FiltersKey(request.reference_rounds));
}

}  // namespace

Result<Table> PublishedTable(const ReportInputs& inputs, const analysis::TableRequest& request) {
  std::string key;
  if (inputs.memo) {
    key = RequestKey(request);
    const std::lock_guard lock(inputs.memo->mutex);
    const auto it = inputs.memo->tables.find(key);
    if (it != inputs.memo->tables.end()) return it->second;
  }
  auto table = analysis::ComputeTable(*inputs.data, *inputs.instrument, request);
  if (!table.ok()) return table.error();
  std::vector<Table> tables{std::move(table.value())};
  auto applied = inputs.publication->Apply(tables);
  if (!applied.ok()) return applied.error();
  if (inputs.memo) {
    const std::lock_guard lock(inputs.memo->mutex);
    inputs.memo->tables.emplace(key, tables[0]);
  }
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
          analysis::CompareShares(analysis::SampleOf(s->cell), analysis::SampleOf(r->cell));
    }
    out.push_back(c);
  }
  return out;
}

Result<std::vector<ItemComparison>> CompareFamilyWithRest(
    const ReportInputs& inputs, const instrument::Family& family, const std::vector<Filter>& subset,
    analysis::Comparison compare, const std::vector<Filter>& reference_rounds) {
  analysis::TableRequest request;
  request.family = family.id;
  request.where = subset;
  request.compare = compare;
  request.reference_rounds = reference_rounds;
  auto table = PublishedTable(inputs, request);
  if (!table.ok()) return table.error();
  std::vector<ItemComparison> out;
  for (const std::size_t item : FamilyItems(*inputs.data, family)) {
    const TableRow* row = FindRow(*table, item);
    if (row == nullptr || !row->reference) continue;
    out.push_back({item, row->cell, *row->reference, row->difference});
  }
  return out;
}

std::size_t MarkDiscoveries(const std::vector<std::optional<analysis::Difference>*>& tested) {
  std::vector<analysis::Difference*> differences;
  differences.reserve(tested.size());
  for (auto* d : tested) differences.push_back(&**d);
  const std::size_t before = CountDiscoveries(tested);
  analysis::ControlFalseDiscoveries(differences);
  return before;
}

std::size_t CountDiscoveries(const std::vector<std::optional<analysis::Difference>*>& tested) {
  return static_cast<std::size_t>(
      std::count_if(tested.begin(), tested.end(), [](const auto* d) { return (*d)->significant; }));
}

bool IsFinding(const std::optional<analysis::Difference>& difference) {
  return difference && analysis::IsFinding(*difference);
}

bool IsImprovement(const instrument::Family& family, double estimate) {
  return family.polarity == instrument::Polarity::kHigherIsWorse ? estimate < 0 : estimate > 0;
}

std::string MaterialPoints() { return fmt::format("{:.0f}", analysis::kMaterialDifference * 100); }

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
      fmt::format("{}  Statistisk signifikant forskjell: 95 % konfidensintervallet for "
                  "forskjellen omfatter ikke 0. En kommune sammenlignes med resten av landet "
                  "eller størrelsesgruppen, ikke med en helhet den selv er med i. Andeler fra "
                  "flere kommuner har intervaller der hver kommunes runde er en klynge (svarene "
                  "i en kommune ligner hverandre); andeler i én kommune har Wilsons intervall. "
                  "Kommunerapporter justerer i tillegg for mange sammenligninger "
                  "(Benjamini–Hochberg).",
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
