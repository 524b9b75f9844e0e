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

Result<Table> ComputeTable(const Dataset& data, const instrument::Instrument& instrument,
                           const TableRequest& request) {
  const instrument::Family* family = instrument.FindFamily(request.family);
  if (family == nullptr) {
    return Error{fmt::format("ukjent spørsmålsfamilie «{}»", request.family)};
  }
  if (request.by.size() > 2) return Error{"høyst to inndelinger (--by VAR[,VAR])"};
  const instrument::Scale* scale = instrument.FindScale(family->scale);
  if (scale == nullptr) return Error{fmt::format("familien «{}» har ingen skala", family->id)};

  std::vector<std::size_t> items;
  for (std::size_t i = 0; i < data.item_refs.size(); ++i) {
    if (data.item_refs[i].family != family) continue;
    if (request.item && data.item_refs[i].item->id != *request.item) continue;
    items.push_back(i);
  }
  if (items.empty()) {
    return Error{fmt::format("familien «{}» har ikke delspørsmålet «{}»", family->id,
                             request.item.value_or(""))};
  }

  // Named copies, not a structured binding: clang before 16 cannot capture
  // a binding in the lambdas below.
  const ShareRule share_rule = ShareRuleOf(instrument, *family);
  const std::vector<bool>& in_denominator = share_rule.in_denominator;
  const std::vector<bool>& reported = share_rule.reported;

  // The rows each side of the comparison counts.
  std::vector<Filter> primary = request.where;
  std::optional<std::vector<Filter>> reference;
  // A comparison with the rest: the rows of the reference that are also in
  // the compared unit, subtracted from the reference group by group.
  std::optional<std::vector<Filter>> excluded;
  Table table;
  table.family = family;
  table.by = request.by;
  table.compare = request.compare;
  const int baseline = instrument.round_types.empty() ? 1 : instrument.round_types[0].code;
  std::vector<Filter> geographic, other;
  for (const auto& f : request.where) (IsGeographic(f.variable) ? geographic : other).push_back(f);
  // The reference side's own rounds, when the request names them.
  auto with_reference_rounds = [&](std::vector<Filter> filters) {
    if (request.reference_rounds.empty()) return filters;
    std::erase_if(filters, [](const Filter& f) {
      return f.variable == Variable::kYear || f.variable == Variable::kRoundType;
    });
    filters.insert(filters.end(), request.reference_rounds.begin(), request.reference_rounds.end());
    return filters;
  };
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
      reference = with_reference_rounds(other);
      table.reference_label = "Resten av landet";
      break;
    }
    case Comparison::kSizeGroup: {
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
      std::optional<int> size_group;
      for (std::size_t r = 0; r < data.rows && !size_group; ++r) {
        if (data.municipality[r] == *municipality) size_group = data.size_group[r];
      }
      if (!size_group) return Error{fmt::format("kommune {} har ingen svar", *municipality)};
      std::vector<Filter> rest = with_reference_rounds(other);
      rest.push_back({Variable::kSizeGroup, {*size_group}, std::nullopt});
      reference = rest;
      table.reference_label = "Resten av størrelsesgruppen";
      break;
    }
    case Comparison::kBaseline: {
      std::vector<Filter> rest;
      for (const auto& f : request.where) {
        if (f.variable != Variable::kRoundType && f.variable != Variable::kYear) {
          rest.push_back(f);
        }
      }
      primary = rest;
      std::vector<int> follow_ups;
      for (const auto& r : instrument.round_types) {
        if (r.code != baseline) follow_ups.push_back(r.code);
      }
      primary.push_back({Variable::kRoundType, follow_ups, std::nullopt});
      rest.push_back({Variable::kRoundType, {baseline}, std::nullopt});
      reference = rest;
      table.reference_label = "0-punktsmåling";
      break;
    }
  }
  const bool rest_comparison =
      request.compare == Comparison::kNation || request.compare == Comparison::kSizeGroup;
  if (rest_comparison) {
    std::vector<Filter> part = *reference;
    part.insert(part.end(), geographic.begin(), geographic.end());
    excluded = part;
    table.reference_is_rest = true;
    table.excluded_where = part;
  }
  // Without its own rounds the excluded part is the compared unit itself.
  const bool excluded_is_primary = rest_comparison && request.reference_rounds.empty();
  table.where = primary;
  if (reference) table.reference_where = *reference;
  // Filters as lookup tables over each column's values.
  struct FilterTable {
    ColumnView column;
    std::vector<uint8_t> allowed;
  };
  auto filter_tables = [&](const std::vector<Filter>& filters) {
    std::vector<FilterTable> out;
    for (const Filter& f : filters) {
      FilterTable t{data.Column(f.variable), {}};
      const std::size_t size = t.column.narrow ? 256 : kValues;
      t.allowed.resize(size);
      for (std::size_t v = 0; v < size; ++v) t.allowed[v] = f.Matches(static_cast<int>(v));
      out.push_back(std::move(t));
    }
    return out;
  };
  // Sides: 0 the request, 1 the reference, 2 the excluded part when it is
  // not the request's own rows.
  std::vector<std::vector<FilterTable>> sides = {filter_tables(primary)};
  if (reference) sides.push_back(filter_tables(*reference));
  if (excluded && !excluded_is_primary) sides.push_back(filter_tables(*excluded));
  const std::vector<FilterTable>& primary_filters = sides[0];
  auto passes = [](const std::vector<FilterTable>& filters, std::size_t r) {
    for (const auto& f : filters) {
      if (!f.allowed[static_cast<std::size_t>(f.column[r])]) return false;
    }
    return true;
  };

  // Dense group numbers: each breakdown variable's values present in the
  // data, numbered in code order, combined row-major.
  std::vector<std::vector<int>> values(request.by.size());
  std::vector<std::vector<uint32_t>> index_of(request.by.size());
  std::vector<ColumnView> columns;
  std::size_t groups = 1;
  for (std::size_t b = 0; b < request.by.size(); ++b) {
    columns.push_back(data.Column(request.by[b]));
    const std::size_t size = columns[b].narrow ? 256 : kValues;
    const auto known = data.distinct_values.find(request.by[b]);
    if (known != data.distinct_values.end()) {
      values[b] = known->second;
    } else {
      std::vector<uint8_t> present(size, 0);
      for (std::size_t r = 0; r < data.rows; ++r)
        present[static_cast<std::size_t>(columns[b][r])] = 1;
      for (std::size_t v = 0; v < size; ++v) {
        if (present[v]) values[b].push_back(static_cast<int>(v));
      }
    }
    index_of[b].assign(size, 0);
    for (std::size_t i = 0; i < values[b].size(); ++i) {
      index_of[b][static_cast<std::size_t>(values[b][i])] = static_cast<uint32_t>(i);
    }
    groups *= std::max<std::size_t>(values[b].size(), 1);
  }
  auto group_of = [&](std::size_t r) {
    uint32_t g = 0;
    for (std::size_t b = 0; b < columns.size(); ++b) {
      g = g * static_cast<uint32_t>(values[b].size()) +
          index_of[b][static_cast<std::size_t>(columns[b][r])];
    }
    return g;
  };
  // The breakdown values of a dense group number.
  auto key_of = [&](std::size_t g) {
    std::vector<int> key(request.by.size());
    for (std::size_t b = request.by.size(); b-- > 0;) {
      key[b] = values[b][g % values[b].size()];
      g /= values[b].size();
    }
    return key;
  };

  // The categories a row reports: the reported share, or each category.
  std::vector<std::optional<int>> categories;
  if (request.distribution) {
    for (const auto& c : scale->categories) {
      if (in_denominator[static_cast<std::size_t>(c.code)]) categories.push_back(c.code);
    }
  } else {
    categories.push_back(std::nullopt);
  }

  // Sums over rounds for the design-based intervals. A request inside one
  // municipality without a comparison has no use for them.
  std::optional<int> one_municipality;
  for (const auto& f : primary) {
    if (f.variable == Variable::kMunicipality && f.values.size() == 1 && !f.range) {
      one_municipality = f.values[0];
    }
  }
  const bool need_design = sides.size() > 1 || !one_municipality;
  const RoundIndex local_rounds =
      need_design && data.rounds.Count() == 0 ? IndexRounds(data) : RoundIndex{};
  const RoundIndex& rounds = data.rounds.Count() > 0 ? data.rounds : local_rounds;
  // Each answer code's slot: -1 outside the denominator, else 0 … slots−1
  // (shares: 0 not reported, 1 reported; distributions: the category).
  std::vector<int> slot_of_code(256, -1);
  std::size_t slots = 0;
  if (request.distribution) {
    for (std::size_t k = 0; k < categories.size(); ++k) {
      slot_of_code[static_cast<std::size_t>(*categories[k])] = static_cast<int>(k);
    }
    slots = categories.size();
  } else {
    for (std::size_t code = 0; code < 256; ++code) {
      if (in_denominator[code]) slot_of_code[code] = reported[code] ? 1 : 0;
    }
    slots = 2;
  }
  // Counts per item and side. One item (the common interactive request) is
  // counted in the same pass that filters and groups; several items share
  // one pass that records each row's group.
  std::vector<std::vector<Counts>> counts(sides.size(), std::vector<Counts>(items.size()));
  for (auto& side : counts) {
    for (Counts& c : side) {
      c.groups = groups;
      c.by_group_and_code.assign(groups * 256, 0);
    }
  }
  // With design sums the pass over rounds below counts as well. Without:
  // the most common request — one item, at most one filter, one breakdown,
  // all on byte columns — is the bare counting loop with two lookups.
  const bool byte_columns_only = !need_design && items.size() == 1 && sides.size() == 1 &&
                                 columns.size() == 1 && columns[0].narrow &&
                                 primary_filters.size() <= 1 &&
                                 (primary_filters.empty() || primary_filters[0].column.narrow);
  if (byte_columns_only) {
    const uint8_t* answers = data.items[items[0]].data();
    const uint8_t* breakdown = columns[0].narrow;
    const uint32_t* index = index_of[0].data();
    uint32_t* out = counts[0][0].by_group_and_code.data();
    if (primary_filters.empty()) {
      for (std::size_t r = 0; r < data.rows; ++r) ++out[index[breakdown[r]] * 256u + answers[r]];
    } else {
      const uint8_t* filter = primary_filters[0].column.narrow;
      const uint8_t* allowed = primary_filters[0].allowed.data();
      for (std::size_t r = 0; r < data.rows; ++r) {
        if (allowed[filter[r]]) ++out[index[breakdown[r]] * 256u + answers[r]];
      }
    }
  } else if (!need_design) {
    constexpr uint32_t kNoGroup = UINT32_MAX;
    std::vector<std::vector<uint32_t>> group_of_row(sides.size(),
                                                    std::vector<uint32_t>(data.rows, kNoGroup));
    for (std::size_t r = 0; r < data.rows; ++r) {
      std::optional<uint32_t> g;
      for (std::size_t s = 0; s < sides.size(); ++s) {
        if (!passes(sides[s], r)) continue;
        if (!g) g = group_of(r);
        group_of_row[s][r] = *g;
      }
    }
    for (std::size_t s = 0; s < sides.size(); ++s) {
      for (std::size_t i = 0; i < items.size(); ++i) {
        CountItem(data.items[items[i]], group_of_row[s], counts[s][i]);
      }
    }
  }

  // sums[side][(item · (groups + 1) + group) · categories + category]; the
  // group number `groups` is the total.
  const std::size_t slices = items.size() * (groups + 1);
  std::vector<std::vector<ClusterSums>> sums(
      sides.size(), std::vector<ClusterSums>(need_design ? slices * categories.size() : 0));
  if (need_design) {
    std::vector<std::vector<uint32_t>> scratch(sides.size(), std::vector<uint32_t>(slices * slots));
    std::vector<std::vector<uint8_t>> touched(sides.size(), std::vector<uint8_t>(groups + 1));
    std::vector<std::vector<uint32_t>> touched_list(sides.size());
    std::vector<std::vector<int>> last_municipality(sides.size(), std::vector<int>(slices, -1));
    for (std::size_t k = 0; k < rounds.Count(); ++k) {
      for (uint32_t at = rounds.starts[k]; at < rounds.starts[k + 1]; ++at) {
        const std::size_t r = rounds.rows[at];
        std::optional<uint32_t> g;
        for (std::size_t s = 0; s < sides.size(); ++s) {
          if (!passes(sides[s], r)) continue;
          if (!g) g = group_of(r);
          for (const uint32_t group : {*g, static_cast<uint32_t>(groups)}) {
            if (!touched[s][group]) {
              touched[s][group] = 1;
              touched_list[s].push_back(group);
            }
          }
          for (std::size_t i = 0; i < items.size(); ++i) {
            const uint8_t code = data.items[items[i]][r];
            ++counts[s][i].by_group_and_code[*g * 256u + code];
            const int slot = slot_of_code[code];
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
            for (std::size_t c = 0; c < categories.size(); ++c) {
              const uint32_t y = request.distribution ? counted[c] : counted[1];
              ClusterSums& into = sums[s][slice * categories.size() + c];
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
  const std::size_t design_rounds = need_design ? rounds.Count() : 0;
  // The denominator and the count of a category (or the reported share).
  auto counted = [&](const uint32_t* codes, std::optional<int> category) {
    std::pair<std::size_t, std::size_t> n_and_count{0, 0};
    for (std::size_t code = 0; code < 256; ++code) {
      if (!in_denominator[code]) continue;
      n_and_count.first += codes[code];
      const bool hit = category ? static_cast<int>(code) == *category : reported[code];
      if (hit) n_and_count.second += codes[code];
    }
    return n_and_count;
  };
  auto sums_of = [&](std::size_t side, std::size_t item_index, std::size_t group,
                     std::size_t category_index) {
    return need_design
               ? sums[side]
                     [(item_index * (groups + 1) + group) * categories.size() + category_index]
               : ClusterSums{};
  };
  auto cell_of = [&](const uint32_t* codes, std::optional<int> category, std::size_t side,
                     std::size_t item_index, std::size_t group, std::size_t category_index) {
    const auto [n, count] = counted(codes, category);
    return MakeCell(count, n, sums_of(side, item_index, group, category_index), design_rounds);
  };

  // Groups of a geographic breakdown that share the other breakdown
  // values: the whole a rest is taken from sums over them.
  std::vector<std::vector<std::size_t>> same_whole(groups);
  if (rest_comparison) {
    std::map<std::vector<int>, std::vector<std::size_t>> by_other_values;
    for (std::size_t g = 0; g < groups; ++g) {
      std::vector<int> key = key_of(g);
      for (std::size_t b = 0; b < request.by.size(); ++b) {
        if (IsGeographic(request.by[b])) key[b] = 0;
      }
      by_other_values[key].push_back(g);
    }
    for (const auto& [key, members] : by_other_values) {
      for (const std::size_t g : members) same_whole[g] = members;
    }
  }
  const std::size_t excluded_side = excluded_is_primary ? 0 : 2;

  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::size_t item = items[i];
    auto total_of = [](const Counts& c) {
      std::vector<uint32_t> total(256, 0);
      for (std::size_t g = 0; g < c.groups; ++g) {
        for (std::size_t code = 0; code < 256; ++code) total[code] += c.Group(g)[code];
      }
      return total;
    };
    std::vector<std::vector<uint32_t>> totals;
    for (std::size_t s = 0; s < sides.size(); ++s) totals.push_back(total_of(counts[s][i]));
    // The reference cell of `group` (groups: the total).
    auto reference_cell = [&](std::size_t group, std::optional<int> category,
                              std::size_t category_index) -> Cell {
      const uint32_t* codes = group == groups ? totals[1].data() : counts[1][i].Group(group);
      if (!rest_comparison) return cell_of(codes, category, 1, i, group, category_index);
      Cell whole;
      if (group == groups) {
        whole = cell_of(codes, category, 1, i, group, category_index);
      } else {
        // Over the geographic values: their rounds are disjoint, so the
        // counts and the round sums add up.
        std::vector<uint32_t> added(256, 0);
        ClusterSums clusters;
        for (const std::size_t g : same_whole[group]) {
          const uint32_t* part = counts[1][i].Group(g);
          for (std::size_t code = 0; code < 256; ++code) added[code] += part[code];
          clusters += sums_of(1, i, g, category_index);
        }
        const auto [n, count] = counted(added.data(), category);
        whole = MakeCell(count, n, clusters, design_rounds);
      }
      const uint32_t* part_codes =
          group == groups ? totals[excluded_side].data() : counts[excluded_side][i].Group(group);
      return RestOf(whole, cell_of(part_codes, category, excluded_side, i, group, category_index));
    };
    auto emit = [&](const std::vector<int>& key, std::size_t group) {
      const uint32_t* codes = group == groups ? totals[0].data() : counts[0][i].Group(group);
      for (std::size_t c = 0; c < categories.size(); ++c) {
        TableRow row;
        row.item = item;
        row.group = key;
        row.category = categories[c];
        row.cell = cell_of(codes, categories[c], 0, i, group, c);
        if (reference) {
          row.reference = reference_cell(group, categories[c], c);
          row.difference = CompareShares(SampleOf(row.cell), SampleOf(*row.reference));
        }
        table.rows.push_back(std::move(row));
      }
    };
    emit({}, groups);
    if (request.by.empty()) continue;
    auto rows_in = [](const uint32_t* c) {
      std::size_t n = 0;
      for (std::size_t code = 0; code < 256; ++code) n += c[code];
      return n;
    };
    for (std::size_t g = 0; g < groups; ++g) {
      const bool in_primary = rows_in(counts[0][i].Group(g)) > 0;
      // Combinations nobody is in are not groups; nor, against the rest,
      // are groups outside the compared unit.
      const bool in_reference = reference && !rest_comparison && rows_in(counts[1][i].Group(g)) > 0;
      if (!in_primary && !in_reference) continue;
      emit(key_of(g), g);
    }
  }
  table.denominator_rule = instrument::DescribeDenominator(instrument, *family);
  return table;
}

}  // namespace samkart::analysis
