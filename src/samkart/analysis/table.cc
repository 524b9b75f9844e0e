#include "samkart/analysis/table.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "samkart/instrument/codebook.h"

namespace samkart::analysis {

namespace {

bool IsGeographic(Variable v) {
  return v == Variable::kMunicipality || v == Variable::kRegion || v == Variable::kSizeGroup;
}

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

Cell MakeCell(std::size_t count, std::size_t n) {
  Cell cell;
  cell.n = n;
  cell.count = count;
  cell.share = n ? static_cast<double>(count) / static_cast<double>(n) : 0;
  cell.interval = WilsonInterval(count, n);
  return cell;
}

}  // namespace

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
  Table table;
  table.family = family;
  table.by = request.by;
  table.compare = request.compare;
  const int baseline = instrument.round_types.empty() ? 1 : instrument.round_types[0].code;
  switch (request.compare) {
    case Comparison::kNone:
      break;
    case Comparison::kNation: {
      std::vector<Filter> rest;
      for (const auto& f : request.where) {
        if (!IsGeographic(f.variable)) rest.push_back(f);
      }
      reference = rest;
      table.reference_label = "Landet";
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
            "sammenligning med samme størrelsesgruppe krever nøyaktig én kommune "
            "(--where municipality=NR)"};
      }
      std::optional<int> size_group;
      for (std::size_t r = 0; r < data.rows && !size_group; ++r) {
        if (data.municipality[r] == *municipality) size_group = data.size_group[r];
      }
      if (!size_group) return Error{fmt::format("kommune {} har ingen svar", *municipality)};
      std::vector<Filter> rest;
      for (const auto& f : request.where) {
        if (!IsGeographic(f.variable)) rest.push_back(f);
      }
      rest.push_back({Variable::kSizeGroup, {*size_group}, std::nullopt});
      reference = rest;
      table.reference_label = "Kommuner i samme størrelsesgruppe";
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
  const std::vector<FilterTable> primary_filters = filter_tables(primary);
  const std::vector<FilterTable> reference_filters =
      reference ? filter_tables(*reference) : std::vector<FilterTable>();
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

  // Counts per item and side. One item (the common interactive request) is
  // counted in the same pass that filters and groups; several items share
  // one pass that records each row's group.
  std::vector<Counts> primary_counts(items.size()), reference_counts(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    primary_counts[i].groups = groups;
    primary_counts[i].by_group_and_code.assign(groups * 256, 0);
    if (reference) {
      reference_counts[i].groups = groups;
      reference_counts[i].by_group_and_code.assign(groups * 256, 0);
    }
  }
  // The most common request — one item, at most one filter, one breakdown,
  // all on byte columns — is the bare counting loop with two lookups.
  const bool byte_columns_only = items.size() == 1 && !reference && columns.size() == 1 &&
                                 columns[0].narrow && primary_filters.size() <= 1 &&
                                 (primary_filters.empty() || primary_filters[0].column.narrow);
  if (byte_columns_only) {
    const uint8_t* answers = data.items[items[0]].data();
    const uint8_t* breakdown = columns[0].narrow;
    const uint32_t* index = index_of[0].data();
    uint32_t* counts = primary_counts[0].by_group_and_code.data();
    if (primary_filters.empty()) {
      for (std::size_t r = 0; r < data.rows; ++r) ++counts[index[breakdown[r]] * 256u + answers[r]];
    } else {
      const uint8_t* filter = primary_filters[0].column.narrow;
      const uint8_t* allowed = primary_filters[0].allowed.data();
      for (std::size_t r = 0; r < data.rows; ++r) {
        if (allowed[filter[r]]) ++counts[index[breakdown[r]] * 256u + answers[r]];
      }
    }
  } else if (items.size() == 1) {
    const uint8_t* answers = data.items[items[0]].data();
    uint32_t* counts = primary_counts[0].by_group_and_code.data();
    uint32_t* reference_out = reference ? reference_counts[0].by_group_and_code.data() : nullptr;
    for (std::size_t r = 0; r < data.rows; ++r) {
      const bool in_primary = passes(primary_filters, r);
      const bool in_reference = reference_out && passes(reference_filters, r);
      if (!in_primary && !in_reference) continue;
      const std::size_t slot = group_of(r) * 256u + answers[r];
      if (in_primary) ++counts[slot];
      if (in_reference) ++reference_out[slot];
    }
  } else {
    constexpr uint32_t kNoGroup = UINT32_MAX;
    std::vector<uint32_t> primary_group(data.rows, kNoGroup);
    std::vector<uint32_t> reference_group(reference ? data.rows : 0, kNoGroup);
    for (std::size_t r = 0; r < data.rows; ++r) {
      const bool in_primary = passes(primary_filters, r);
      const bool in_reference = reference && passes(reference_filters, r);
      if (!in_primary && !in_reference) continue;
      const uint32_t g = group_of(r);
      if (in_primary) primary_group[r] = g;
      if (in_reference) reference_group[r] = g;
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      CountItem(data.items[items[i]], primary_group, primary_counts[i]);
      if (reference) CountItem(data.items[items[i]], reference_group, reference_counts[i]);
    }
  }

  // The categories a row reports: the reported share, or each category.
  std::vector<std::optional<int>> categories;
  if (request.distribution) {
    for (const auto& c : scale->categories) {
      if (in_denominator[static_cast<std::size_t>(c.code)]) categories.push_back(c.code);
    }
  } else {
    categories.push_back(std::nullopt);
  }
  auto cell_of = [&](const uint32_t* counts, std::optional<int> category) {
    std::size_t n = 0, count = 0;
    for (std::size_t code = 0; code < 256; ++code) {
      if (!in_denominator[code]) continue;
      n += counts[code];
      const bool hit = category ? static_cast<int>(code) == *category : reported[code];
      if (hit) count += counts[code];
    }
    return MakeCell(count, n);
  };

  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::size_t item = items[i];
    const Counts& counts = primary_counts[i];
    const Counts& reference_side = reference_counts[i];
    auto total_of = [](const Counts& c) {
      std::vector<uint32_t> total(256, 0);
      for (std::size_t g = 0; g < c.groups; ++g) {
        for (std::size_t code = 0; code < 256; ++code) total[code] += c.Group(g)[code];
      }
      return total;
    };
    const std::vector<uint32_t> total = total_of(counts);
    const std::vector<uint32_t> reference_total =
        reference ? total_of(reference_side) : std::vector<uint32_t>();
    auto emit = [&](const std::vector<int>& group, const uint32_t* primary_side,
                    const uint32_t* reference_counts_or_null) {
      for (const auto& category : categories) {
        TableRow row;
        row.item = item;
        row.group = group;
        row.category = category;
        row.cell = cell_of(primary_side, category);
        if (reference_counts_or_null != nullptr) {
          row.reference = cell_of(reference_counts_or_null, category);
          row.difference = NewcombeDifference(row.cell.count, row.cell.n, row.reference->count,
                                              row.reference->n);
        }
        table.rows.push_back(std::move(row));
      }
    };
    emit({}, total.data(), reference ? reference_total.data() : nullptr);
    if (request.by.empty()) continue;
    auto rows_in = [](const uint32_t* c) {
      std::size_t n = 0;
      for (std::size_t code = 0; code < 256; ++code) n += c[code];
      return n;
    };
    for (std::size_t g = 0; g < groups; ++g) {
      const uint32_t* reference_group = reference ? reference_side.Group(g) : nullptr;
      // Combinations nobody is in are not groups.
      if (rows_in(counts.Group(g)) == 0 && (!reference_group || rows_in(reference_group) == 0)) {
        continue;
      }
      emit(key_of(g), counts.Group(g), reference_group);
    }
  }
  table.denominator_rule = instrument::DescribeDenominator(instrument, *family);
  return table;
}

}  // namespace samkart::analysis
