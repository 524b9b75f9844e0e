#include "samkart/analysis/table.h"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "samkart/instrument/codebook.h"

namespace samkart::analysis {

namespace {

// Background values fit in 16 bits (municipality numbers, years, codes).
constexpr std::size_t kValues = 1u << 16;

// Counts per group and answer code: counts[group * 256 + code].
struct Counts {
  std::vector<uint32_t> by_group_and_code;
  std::size_t groups = 0;

  const uint32_t* Group(std::size_t g) const { return &by_group_and_code[g * 256]; }
};

// Adds each grouped row's answer to its group's counts.
void CountItem(const std::vector<uint8_t>& answers, const std::vector<uint32_t>& group_of_row,
               Counts& out) {
  constexpr uint32_t kNoGroup = UINT32_MAX;
  uint32_t* counts = out.by_group_and_code.data();
  const std::size_t rows = answers.size();
  for (std::size_t r = 0; r < rows; ++r) {
    const uint32_t g = group_of_row[r];
    if (g != kNoGroup) ++counts[g * 256u + answers[r]];
  }
}

// Filters as lookup tables over each column's values.
struct FilterTable {
  ColumnView column;
  std::vector<uint8_t> allowed;
};
using SideFilters = std::vector<FilterTable>;

SideFilters FilterTables(const Dataset& data, const std::vector<Filter>& filters) {
  SideFilters out;
  for (const Filter& f : filters) {
    FilterTable t{data.Column(f.variable), {}};
    const std::size_t size = t.column.narrow ? 256 : kValues;
    t.allowed.resize(size);
    for (std::size_t v = 0; v < size; ++v) t.allowed[v] = f.Matches(static_cast<int>(v));
    out.push_back(std::move(t));
  }
  return out;
}

bool Passes(const SideFilters& filters, std::size_t r) {
  for (const auto& f : filters) {
    if (!f.allowed[static_cast<std::size_t>(f.column[r])]) return false;
  }
  return true;
}

// Dense group numbers: each breakdown variable's values present in the
// data, numbered in code order, combined row-major.
struct Grouping {
  std::vector<std::vector<int>> values;
  std::vector<std::vector<uint32_t>> index_of;
  std::vector<ColumnView> columns;
  std::size_t groups = 1;

  uint32_t GroupOf(std::size_t r) const {
    uint32_t g = 0;
    for (std::size_t b = 0; b < columns.size(); ++b) {
      g = g * static_cast<uint32_t>(values[b].size()) +
          index_of[b][static_cast<std::size_t>(columns[b][r])];
    }
    return g;
  }
  // The breakdown values of a dense group number.
  std::vector<int> KeyOf(std::size_t g) const {
    std::vector<int> key(values.size());
    for (std::size_t b = values.size(); b-- > 0;) {
      key[b] = values[b][g % values[b].size()];
      g /= values[b].size();
    }
    return key;
  }
};

Grouping GroupBy(const Dataset& data, const std::vector<Variable>& by) {
  Grouping out;
  out.values.resize(by.size());
  out.index_of.resize(by.size());
  for (std::size_t b = 0; b < by.size(); ++b) {
    out.columns.push_back(data.Column(by[b]));
    const std::size_t size = out.columns[b].narrow ? 256 : kValues;
    std::vector<int>& values = out.values[b];
    const auto known = data.distinct_values.find(by[b]);
    if (known != data.distinct_values.end()) {
      values = known->second;
    } else {
      std::vector<uint8_t> present(size, 0);
      for (std::size_t r = 0; r < data.rows; ++r)
        present[static_cast<std::size_t>(out.columns[b][r])] = 1;
      for (std::size_t v = 0; v < size; ++v) {
        if (present[v]) values.push_back(static_cast<int>(v));
      }
    }
    out.index_of[b].assign(size, 0);
    for (std::size_t i = 0; i < values.size(); ++i) {
      out.index_of[b][static_cast<std::size_t>(values[i])] = static_cast<uint32_t>(i);
    }
    out.groups *= std::max<std::size_t>(values.size(), 1);
  }
  return out;
}

// The family's items the request asks for.
Result<std::vector<std::size_t>> ChooseItems(const Dataset& data, const instrument::Family& family,
                                             const TableRequest& request) {
  std::vector<std::size_t> items;
  for (std::size_t i = 0; i < data.item_refs.size(); ++i) {
    if (data.item_refs[i].family != &family) continue;
    if (request.item && data.item_refs[i].item->id != *request.item) continue;
    items.push_back(i);
  }
  if (items.empty()) {
    return Error{fmt::format("familien «{}» har ikke delspørsmålet «{}»", family.id,
                             request.item.value_or(""))};
  }
  return items;
}

// The rows each side of the comparison counts.
struct Sides {
  std::vector<Filter> primary;
  std::optional<std::vector<Filter>> reference;
  // A comparison with the rest: the rows of the reference that are also in
  // the compared unit, subtracted from the reference group by group.
  std::optional<std::vector<Filter>> excluded;
  std::string reference_label;
  bool rest_comparison = false;
  // Without its own rounds the excluded part is the compared unit itself.
  bool excluded_is_primary = false;
};

// The reference side's own rounds, when the request names them.
std::vector<Filter> WithReferenceRounds(const TableRequest& request, std::vector<Filter> filters) {
  if (request.reference_rounds.empty()) return filters;
  std::erase_if(filters, [](const Filter& f) {
    return f.variable == Variable::kYear || f.variable == Variable::kRoundType;
  });
  filters.insert(filters.end(), request.reference_rounds.begin(), request.reference_rounds.end());
  return filters;
}

// The size group of the one municipality a request is limited to.
Result<int> SizeGroupOfRequest(const Dataset& data, const TableRequest& request) {
  std::optional<int> municipality;
  for (const auto& f : request.where) {
    if (f.variable == Variable::kMunicipality && f.values.size() == 1) {
      municipality = f.values[0];
    }
  }
  if (!municipality) {
    return Error{
        "sammenligning med resten av størrelsesgruppen krever nøyaktig én kommune "
        "(--where municipality=NR)"};
  }
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (data.municipality[r] == *municipality) return data.size_group[r];
  }
  return Error{fmt::format("kommune {} har ingen svar", *municipality)};
}

// The follow-up rounds against the baseline, in the request's other filters.
void CompareWithBaseline(const instrument::Instrument& instrument, const TableRequest& request,
                         Sides& sides) {
  const int baseline = instrument.round_types.empty() ? 1 : instrument.round_types[0].code;
  std::vector<Filter> rest;
  for (const auto& f : request.where) {
    if (f.variable != Variable::kRoundType && f.variable != Variable::kYear) rest.push_back(f);
  }
  sides.primary = rest;
  std::vector<int> follow_ups;
  for (const auto& r : instrument.round_types) {
    if (r.code != baseline) follow_ups.push_back(r.code);
  }
  sides.primary.push_back({Variable::kRoundType, follow_ups, std::nullopt});
  rest.push_back({Variable::kRoundType, {baseline}, std::nullopt});
  sides.reference = rest;
  sides.reference_label = "0-punktsmåling";
}

Result<Sides> ChooseSides(const Dataset& data, const instrument::Instrument& instrument,
                          const TableRequest& request) {
  Sides sides;
  sides.primary = request.where;
  std::vector<Filter> geographic, other;
  for (const auto& f : request.where) (IsGeographic(f.variable) ? geographic : other).push_back(f);
  switch (request.compare) {
    case Comparison::kNone:
      break;
    case Comparison::kNation: {
      const bool geographic_breakdown =
          std::any_of(request.by.begin(), request.by.end(), IsGeographic);
      if (geographic.empty() && !geographic_breakdown) {
        return Error{
            "sammenligning med resten av landet krever en kommune, region eller "
            "størrelsesgruppe å sammenligne: avgrens med --where eller del med --by "
            "municipality, region eller size_group"};
      }
      sides.reference = WithReferenceRounds(request, other);
      sides.reference_label = "Resten av landet";
      break;
    }
    case Comparison::kSizeGroup: {
      SAMKART_ASSIGN_OR_RETURN(const int size_group, SizeGroupOfRequest(data, request));
      std::vector<Filter> rest = WithReferenceRounds(request, other);
      rest.push_back({Variable::kSizeGroup, {size_group}, std::nullopt});
      sides.reference = rest;
      sides.reference_label = "Resten av størrelsesgruppen";
      break;
    }
    case Comparison::kBaseline:
      CompareWithBaseline(instrument, request, sides);
      break;
  }
  sides.rest_comparison =
      request.compare == Comparison::kNation || request.compare == Comparison::kSizeGroup;
  if (sides.rest_comparison) {
    std::vector<Filter> part = *sides.reference;
    part.insert(part.end(), geographic.begin(), geographic.end());
    sides.excluded = part;
  }
  sides.excluded_is_primary = sides.rest_comparison && request.reference_rounds.empty();
  return sides;
}

// The categories a row reports (the reported share, or each category) and
// each answer code's slot: -1 outside the denominator, else 0 … slots−1
// (shares: 0 not reported, 1 reported; distributions: the category).
struct Categories {
  std::vector<std::optional<int>> list;
  std::vector<int> slot_of_code = std::vector<int>(256, -1);
  std::size_t slots = 0;
};

Categories CategoriesOf(const instrument::Scale& scale, const ShareRule& rule, bool distribution) {
  Categories out;
  if (distribution) {
    for (const auto& c : scale.categories) {
      if (rule.in_denominator[static_cast<std::size_t>(c.code)]) out.list.push_back(c.code);
    }
    for (std::size_t k = 0; k < out.list.size(); ++k) {
      out.slot_of_code[static_cast<std::size_t>(*out.list[k])] = static_cast<int>(k);
    }
    out.slots = out.list.size();
  } else {
    out.list.push_back(std::nullopt);
    for (std::size_t code = 0; code < 256; ++code) {
      if (rule.in_denominator[code]) out.slot_of_code[code] = rule.reported[code] ? 1 : 0;
    }
    out.slots = 2;
  }
  return out;
}

// What the passes over the rows count.
struct Tallies {
  std::vector<std::vector<Counts>> counts;  // [side][item]
  // sums[side][(item · (groups + 1) + group) · categories + category]; the
  // group number `groups` is the total. Empty without design sums.
  std::vector<std::vector<ClusterSums>> sums;
  std::size_t design_rounds = 0;
};

// The most common request — one item, at most one filter, one breakdown,
// all on byte columns — is the bare counting loop with two lookups.
bool OnByteColumnsOnly(const std::vector<SideFilters>& sides, const Grouping& grouping,
                       std::size_t items) {
  const SideFilters& primary = sides[0];
  return items == 1 && sides.size() == 1 && grouping.columns.size() == 1 &&
         grouping.columns[0].narrow && primary.size() <= 1 &&
         (primary.empty() || primary[0].column.narrow);
}

void CountOnByteColumns(const Dataset& data, std::size_t item, const SideFilters& filters,
                        const Grouping& grouping, Counts& counts) {
  const uint8_t* answers = data.items[item].data();
  const uint8_t* breakdown = grouping.columns[0].narrow;
  const uint32_t* index = grouping.index_of[0].data();
  uint32_t* out = counts.by_group_and_code.data();
  if (filters.empty()) {
    for (std::size_t r = 0; r < data.rows; ++r) ++out[index[breakdown[r]] * 256u + answers[r]];
  } else {
    const uint8_t* filter = filters[0].column.narrow;
    const uint8_t* allowed = filters[0].allowed.data();
    for (std::size_t r = 0; r < data.rows; ++r) {
      if (allowed[filter[r]]) ++out[index[breakdown[r]] * 256u + answers[r]];
    }
  }
}

// Several items share one pass that records each row's group.
void CountByGroupOfRow(const Dataset& data, const std::vector<std::size_t>& items,
                       const std::vector<SideFilters>& sides, const Grouping& grouping,
                       Tallies& tallies) {
  constexpr uint32_t kNoGroup = UINT32_MAX;
  std::vector<std::vector<uint32_t>> group_of_row(sides.size(),
                                                  std::vector<uint32_t>(data.rows, kNoGroup));
  for (std::size_t r = 0; r < data.rows; ++r) {
    std::optional<uint32_t> g;
    for (std::size_t s = 0; s < sides.size(); ++s) {
      if (!Passes(sides[s], r)) continue;
      if (!g) g = grouping.GroupOf(r);
      group_of_row[s][r] = *g;
    }
  }
  for (std::size_t s = 0; s < sides.size(); ++s) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      CountItem(data.items[items[i]], group_of_row[s], tallies.counts[s][i]);
    }
  }
}

// One pass over the rounds that counts and sums each round's contribution
// to every group it touches, for the design-based intervals.
void CountOverRounds(const Dataset& data, const RoundIndex& rounds,
                     const std::vector<std::size_t>& items, const std::vector<SideFilters>& sides,
                     const Grouping& grouping, const Categories& categories, bool distribution,
                     Tallies& tallies) {
  const std::size_t groups = grouping.groups, slots = categories.slots;
  const std::size_t slices = items.size() * (groups + 1);
  std::vector<std::vector<uint32_t>> scratch(sides.size(), std::vector<uint32_t>(slices * slots));
  std::vector<std::vector<uint8_t>> touched(sides.size(), std::vector<uint8_t>(groups + 1));
  std::vector<std::vector<uint32_t>> touched_list(sides.size());
  std::vector<std::vector<int>> last_municipality(sides.size(), std::vector<int>(slices, -1));
  for (std::size_t k = 0; k < rounds.Count(); ++k) {
    for (uint32_t at = rounds.starts[k]; at < rounds.starts[k + 1]; ++at) {
      const std::size_t r = rounds.rows[at];
      std::optional<uint32_t> g;
      for (std::size_t s = 0; s < sides.size(); ++s) {
        if (!Passes(sides[s], r)) continue;
        if (!g) g = grouping.GroupOf(r);
        for (const uint32_t group : {*g, static_cast<uint32_t>(groups)}) {
          if (!touched[s][group]) {
            touched[s][group] = 1;
            touched_list[s].push_back(group);
          }
        }
        for (std::size_t i = 0; i < items.size(); ++i) {
          const uint8_t code = data.items[items[i]][r];
          ++tallies.counts[s][i].by_group_and_code[*g * 256u + code];
          const int slot = categories.slot_of_code[code];
          if (slot < 0) continue;
          uint32_t* base = scratch[s].data() + i * (groups + 1) * slots;
          ++base[*g * slots + static_cast<std::size_t>(slot)];
          ++base[groups * slots + static_cast<std::size_t>(slot)];
        }
      }
    }
    // The round's contribution to each group it touched.
    for (std::size_t s = 0; s < sides.size(); ++s) {
      for (const uint32_t group : touched_list[s]) {
        touched[s][group] = 0;
        for (std::size_t i = 0; i < items.size(); ++i) {
          const std::size_t slice = i * (groups + 1) + group;
          uint32_t* counted = scratch[s].data() + slice * slots;
          uint32_t n = 0;
          for (std::size_t slot = 0; slot < slots; ++slot) n += counted[slot];
          if (n == 0) continue;
          for (std::size_t c = 0; c < categories.list.size(); ++c) {
            const uint32_t y = distribution ? counted[c] : counted[1];
            ClusterSums& into = tallies.sums[s][slice * categories.list.size() + c];
            into.Add(n, y);
            if (last_municipality[s][slice] != rounds.municipality[k]) ++into.municipalities;
          }
          last_municipality[s][slice] = rounds.municipality[k];
          std::fill(counted, counted + slots, 0);
        }
      }
      touched_list[s].clear();
    }
  }
}

// Counts per item and side. With design sums the pass over rounds counts
// as well; one item (the common interactive request) is counted in the
// same pass that filters and groups.
Tallies CountTable(const Dataset& data, const std::vector<std::size_t>& items,
                   const std::vector<SideFilters>& sides, const Grouping& grouping,
                   const Categories& categories, bool need_design, bool distribution) {
  const std::size_t groups = grouping.groups;
  Tallies tallies;
  tallies.counts.assign(sides.size(), std::vector<Counts>(items.size()));
  for (auto& side : tallies.counts) {
    for (Counts& c : side) {
      c.groups = groups;
      c.by_group_and_code.assign(groups * 256, 0);
    }
  }
  const std::size_t slices = items.size() * (groups + 1);
  tallies.sums.assign(sides.size(),
                      std::vector<ClusterSums>(need_design ? slices * categories.list.size() : 0));
  if (!need_design) {
    if (OnByteColumnsOnly(sides, grouping, items.size())) {
      CountOnByteColumns(data, items[0], sides[0], grouping, tallies.counts[0][0]);
    } else {
      CountByGroupOfRow(data, items, sides, grouping, tallies);
    }
    return tallies;
  }
  const RoundIndex local_rounds = data.rounds.Count() == 0 ? IndexRounds(data) : RoundIndex{};
  const RoundIndex& rounds = data.rounds.Count() > 0 ? data.rounds : local_rounds;
  CountOverRounds(data, rounds, items, sides, grouping, categories, distribution, tallies);
  tallies.design_rounds = rounds.Count();
  return tallies;
}

// Groups of a geographic breakdown that share the other breakdown
// values: the whole a rest is taken from sums over them.
std::vector<std::vector<std::size_t>> SameWhole(const std::vector<Variable>& by,
                                                const Grouping& grouping) {
  std::vector<std::vector<std::size_t>> same_whole(grouping.groups);
  std::map<std::vector<int>, std::vector<std::size_t>> by_other_values;
  for (std::size_t g = 0; g < grouping.groups; ++g) {
    std::vector<int> key = grouping.KeyOf(g);
    for (std::size_t b = 0; b < by.size(); ++b) {
      if (IsGeographic(by[b])) key[b] = 0;
    }
    by_other_values[key].push_back(g);
  }
  for (const auto& [key, members] : by_other_values) {
    for (const std::size_t g : members) same_whole[g] = members;
  }
  return same_whole;
}

std::vector<uint32_t> TotalOf(const Counts& c) {
  std::vector<uint32_t> total(256, 0);
  for (std::size_t g = 0; g < c.groups; ++g) {
    for (std::size_t code = 0; code < 256; ++code) total[code] += c.Group(g)[code];
  }
  return total;
}

std::size_t RowsIn(const uint32_t* codes) {
  std::size_t n = 0;
  for (std::size_t code = 0; code < 256; ++code) n += codes[code];
  return n;
}

// Turns the tallies into the table's rows, one item at a time: the cell,
// and against a reference its cell (the rest, where the comparison is
// with the rest) and the difference.
class RowBuilder {
 public:
  RowBuilder(const ShareRule& rule, const Sides& sides, const Grouping& grouping,
             const Categories& categories, const Tallies& tallies,
             std::vector<std::vector<std::size_t>> same_whole)
      : rule_(rule),
        sides_(sides),
        grouping_(grouping),
        categories_(categories.list),
        tallies_(tallies),
        groups_(grouping.groups),
        same_whole_(std::move(same_whole)),
        excluded_side_(sides.excluded_is_primary ? 0 : 2) {}

  void AddItem(std::size_t i, std::size_t item, Table& table) {
    totals_.clear();
    for (const auto& side : tallies_.counts) totals_.push_back(TotalOf(side[i]));
    Emit(i, item, {}, groups_, table);
    if (grouping_.values.empty()) return;
    for (std::size_t g = 0; g < groups_; ++g) {
      const bool in_primary = RowsIn(tallies_.counts[0][i].Group(g)) > 0;
      // Combinations nobody is in are not groups; nor, against the rest,
      // are groups outside the compared unit.
      const bool in_reference =
          sides_.reference && !sides_.rest_comparison && RowsIn(tallies_.counts[1][i].Group(g)) > 0;
      if (!in_primary && !in_reference) continue;
      Emit(i, item, grouping_.KeyOf(g), g, table);
    }
  }

 private:
  // The denominator and the count of a category (or the reported share).
  std::pair<std::size_t, std::size_t> Counted(const uint32_t* codes,
                                              std::optional<int> category) const {
    std::pair<std::size_t, std::size_t> n_and_count{0, 0};
    for (std::size_t code = 0; code < 256; ++code) {
      if (!rule_.in_denominator[code]) continue;
      n_and_count.first += codes[code];
      const bool hit = category ? static_cast<int>(code) == *category : rule_.reported[code];
      if (hit) n_and_count.second += codes[code];
    }
    return n_and_count;
  }

  ClusterSums SumsOf(std::size_t side, std::size_t i, std::size_t group, std::size_t c) const {
    return tallies_.sums[side].empty()
               ? ClusterSums{}
               : tallies_.sums[side][(i * (groups_ + 1) + group) * categories_.size() + c];
  }

  Cell CellOf(const uint32_t* codes, std::size_t side, std::size_t i, std::size_t group,
              std::size_t c) const {
    const auto [n, count] = Counted(codes, categories_[c]);
    return MakeCell(count, n, SumsOf(side, i, group, c), tallies_.design_rounds);
  }

  const uint32_t* CodesOf(std::size_t side, std::size_t i, std::size_t group) const {
    return group == groups_ ? totals_[side].data() : tallies_.counts[side][i].Group(group);
  }

  // The reference cell of `group` (groups: the total).
  Cell ReferenceCell(std::size_t i, std::size_t group, std::size_t c) const {
    if (!sides_.rest_comparison) return CellOf(CodesOf(1, i, group), 1, i, group, c);
    Cell whole;
    if (group == groups_) {
      whole = CellOf(CodesOf(1, i, group), 1, i, group, c);
    } else {
      // Over the geographic values: their rounds are disjoint, so the
      // counts and the round sums add up.
      std::vector<uint32_t> added(256, 0);
      ClusterSums clusters;
      for (const std::size_t g : same_whole_[group]) {
        const uint32_t* part = tallies_.counts[1][i].Group(g);
        for (std::size_t code = 0; code < 256; ++code) added[code] += part[code];
        clusters += SumsOf(1, i, g, c);
      }
      const auto [n, count] = Counted(added.data(), categories_[c]);
      whole = MakeCell(count, n, clusters, tallies_.design_rounds);
    }
    return RestOf(whole, CellOf(CodesOf(excluded_side_, i, group), excluded_side_, i, group, c));
  }

  void Emit(std::size_t i, std::size_t item, const std::vector<int>& key, std::size_t group,
            Table& table) const {
    for (std::size_t c = 0; c < categories_.size(); ++c) {
      TableRow row;
      row.item = item;
      row.group = key;
      row.category = categories_[c];
      row.cell = CellOf(CodesOf(0, i, group), 0, i, group, c);
      if (sides_.reference) {
        row.reference = ReferenceCell(i, group, c);
        row.difference = CompareShares(SampleOf(row.cell), SampleOf(*row.reference));
      }
      table.rows.push_back(std::move(row));
    }
  }

  const ShareRule& rule_;
  const Sides& sides_;
  const Grouping& grouping_;
  const std::vector<std::optional<int>>& categories_;
  const Tallies& tallies_;
  const std::size_t groups_;
  const std::vector<std::vector<std::size_t>> same_whole_;
  const std::size_t excluded_side_;
  std::vector<std::vector<uint32_t>> totals_;  // per side, of the current item
};

// A request inside one municipality without a comparison has no use for
// the sums over rounds of the design-based intervals.
bool NeedsDesign(const std::vector<Filter>& primary, std::size_t sides) {
  std::optional<int> one_municipality;
  for (const auto& f : primary) {
    if (f.variable == Variable::kMunicipality && f.values.size() == 1 && !f.range) {
      one_municipality = f.values[0];
    }
  }
  return sides > 1 || !one_municipality;
}

}  // namespace

bool IsGeographic(Variable v) {
  return v == Variable::kMunicipality || v == Variable::kRegion || v == Variable::kSizeGroup;
}

Cell MakeCell(std::size_t count, std::size_t n, const ClusterSums& clusters,
              std::size_t design_rounds) {
  Cell cell;
  cell.n = n;
  cell.count = count;
  cell.share = n ? static_cast<double>(count) / static_cast<double>(n) : 0;
  cell.clusters = clusters;
  cell.design_rounds = design_rounds;
  const ShareSample sample = SampleOf(cell);
  cell.interval = ShareInterval(sample);
  cell.design_effect = DesignEffect(sample);
  return cell;
}

ShareSample SampleOf(const Cell& cell) {
  return {cell.count, cell.n, cell.clusters, cell.design_rounds};
}

Cell RestOf(const Cell& whole, const Cell& part) {
  ClusterSums clusters = whole.clusters;
  clusters -= part.clusters;
  return MakeCell(whole.count - std::min(whole.count, part.count),
                  whole.n - std::min(whole.n, part.n), clusters,
                  std::max(whole.design_rounds, part.design_rounds));
}

ShareRule ShareRuleOf(const instrument::Instrument& instrument, const instrument::Family& family) {
  ShareRule rule{std::vector<bool>(256, false), std::vector<bool>(256, false)};
  if (const instrument::Scale* scale = instrument.FindScale(family.scale)) {
    for (const auto& c : scale->categories) {
      rule.in_denominator[static_cast<std::size_t>(c.code)] =
          c.kind == instrument::CategoryKind::kAnswer || family.dont_know_in_denominator;
    }
  }
  for (const int code : family.reported_share) rule.reported[static_cast<std::size_t>(code)] = true;
  return rule;
}

bool Filter::Matches(int value) const {
  if (range) return value >= range->first && value <= range->second;
  return std::find(values.begin(), values.end(), value) != values.end();
}

Result<std::vector<Filter>> LatestRoundOf(const Dataset& data, int municipality) {
  std::optional<std::pair<int, int>> latest;  // year, round type
  const ColumnView round_type = data.Column(Variable::kRoundType);
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (data.municipality[r] != municipality) continue;
    const std::pair<int, int> round{data.year[r], round_type[r]};
    if (!latest || round > *latest) latest = round;
  }
  if (!latest) {
    return Error{fmt::format("kommune {} har ingen svar i databasen", municipality),
                 ErrorCode::kNotFound};
  }
  return std::vector<Filter>{{Variable::kMunicipality, {municipality}, std::nullopt},
                             {Variable::kYear, {latest->first}, std::nullopt},
                             {Variable::kRoundType, {latest->second}, std::nullopt}};
}

bool MatchesAll(const Dataset& data, const std::vector<Filter>& where, std::size_t row) {
  return std::all_of(where.begin(), where.end(),
                     [&](const Filter& f) { return f.Matches(data.Value(f.variable, row)); });
}

Result<Table> ComputeTable(const Dataset& data, const instrument::Instrument& instrument,
                           const TableRequest& request) {
  const instrument::Family* family = instrument.FindFamily(request.family);
  if (family == nullptr) {
    return Error{fmt::format("ukjent spørsmålsfamilie «{}»", request.family)};
  }
  if (request.by.size() > 2) return Error{"høyst to inndelinger (--by VAR[,VAR])"};
  const instrument::Scale* scale = instrument.FindScale(family->scale);
  if (scale == nullptr) return Error{fmt::format("familien «{}» har ingen skala", family->id)};
  SAMKART_ASSIGN_OR_RETURN(const std::vector<std::size_t> items,
                           ChooseItems(data, *family, request));
  SAMKART_ASSIGN_OR_RETURN(const Sides sides, ChooseSides(data, instrument, request));

  Table table;
  table.family = family;
  table.by = request.by;
  table.compare = request.compare;
  table.reference_label = sides.reference_label;
  table.reference_is_rest = sides.rest_comparison;
  if (sides.excluded) table.excluded_where = *sides.excluded;
  table.where = sides.primary;
  if (sides.reference) table.reference_where = *sides.reference;

  // Sides: 0 the request, 1 the reference, 2 the excluded part when it is
  // not the request's own rows.
  std::vector<SideFilters> filters = {FilterTables(data, sides.primary)};
  if (sides.reference) filters.push_back(FilterTables(data, *sides.reference));
  if (sides.excluded && !sides.excluded_is_primary) {
    filters.push_back(FilterTables(data, *sides.excluded));
  }
  const Grouping grouping = GroupBy(data, request.by);
  const ShareRule share_rule = ShareRuleOf(instrument, *family);
  const Categories categories = CategoriesOf(*scale, share_rule, request.distribution);
  const bool need_design = NeedsDesign(sides.primary, filters.size());
  const Tallies tallies =
      CountTable(data, items, filters, grouping, categories, need_design, request.distribution);

  RowBuilder rows(share_rule, sides, grouping, categories, tallies,
                  sides.rest_comparison ? SameWhole(request.by, grouping)
                                        : std::vector<std::vector<std::size_t>>(grouping.groups));
  for (std::size_t i = 0; i < items.size(); ++i) rows.AddItem(i, items[i], table);
  table.denominator_rule = instrument::DescribeDenominator(instrument, *family);
  return table;
}

}  // namespace samkart::analysis
