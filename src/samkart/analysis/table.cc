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

std::vector<uint8_t> Mask(const Dataset& data, const std::vector<Filter>& filters) {
  std::vector<uint8_t> mask(data.rows, 1);
  for (const Filter& f : filters) {
    for (std::size_t r = 0; r < data.rows; ++r) {
      if (mask[r] && !f.Matches(data.Value(f.variable, r))) mask[r] = 0;
    }
  }
  return mask;
}

// Counts per group and answer code: counts[group * 256 + code].
struct Counts {
  std::vector<uint32_t> by_group_and_code;
  std::size_t groups = 0;

  const uint32_t* Group(std::size_t g) const { return &by_group_and_code[g * 256]; }
};

Counts CountItem(const std::vector<uint8_t>& answers, const std::vector<uint8_t>& mask,
                 const std::vector<uint32_t>& group_of_row, std::size_t groups) {
  Counts c;
  c.groups = groups;
  c.by_group_and_code.assign(groups * 256, 0);
  uint32_t* counts = c.by_group_and_code.data();
  const std::size_t rows = answers.size();
  for (std::size_t r = 0; r < rows; ++r) {
    if (mask[r]) ++counts[group_of_row[r] * 256 + answers[r]];
  }
  return c;
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

  // Which codes count in the denominator, and which make the reported share.
  std::vector<bool> in_denominator(256, false), reported(256, false);
  for (const auto& c : scale->categories) {
    in_denominator[static_cast<std::size_t>(c.code)] =
        c.kind == instrument::CategoryKind::kAnswer || family->dont_know_in_denominator;
  }
  for (const int code : family->reported_share) reported[static_cast<std::size_t>(code)] = true;

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
  const std::vector<uint8_t> mask = Mask(data, primary);
  const std::vector<uint8_t> reference_mask =
      reference ? Mask(data, *reference) : std::vector<uint8_t>();

  // Dense group numbers: the breakdown values present in either side.
  std::map<std::vector<int>, uint32_t> group_index;
  std::vector<uint32_t> group_of_row(data.rows, 0);
  {
    std::vector<int> key(request.by.size());
    for (std::size_t r = 0; r < data.rows; ++r) {
      if (!mask[r] && (reference_mask.empty() || !reference_mask[r])) continue;
      for (std::size_t b = 0; b < request.by.size(); ++b) key[b] = data.Value(request.by[b], r);
      group_index.emplace(key, 0);
    }
    uint32_t next = 0;
    for (auto& [key_values, index] : group_index) index = next++;
    for (std::size_t r = 0; r < data.rows; ++r) {
      if (!mask[r] && (reference_mask.empty() || !reference_mask[r])) continue;
      for (std::size_t b = 0; b < request.by.size(); ++b) key[b] = data.Value(request.by[b], r);
      group_of_row[r] = group_index.at(key);
    }
  }
  const std::size_t groups = std::max<std::size_t>(group_index.size(), 1);

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

  for (const std::size_t item : items) {
    const Counts counts = CountItem(data.items[item], mask, group_of_row, groups);
    Counts reference_counts;
    if (reference) {
      reference_counts = CountItem(data.items[item], reference_mask, group_of_row, groups);
    }
    auto total_of = [](const Counts& c) {
      std::vector<uint32_t> total(256, 0);
      for (std::size_t g = 0; g < c.groups; ++g) {
        for (std::size_t code = 0; code < 256; ++code) total[code] += c.Group(g)[code];
      }
      return total;
    };
    const std::vector<uint32_t> total = total_of(counts);
    const std::vector<uint32_t> reference_total =
        reference ? total_of(reference_counts) : std::vector<uint32_t>();
    auto emit = [&](const std::vector<int>& group, const uint32_t* primary_counts,
                    const uint32_t* reference_counts_or_null) {
      for (const auto& category : categories) {
        TableRow row;
        row.item = item;
        row.group = group;
        row.category = category;
        row.cell = cell_of(primary_counts, category);
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
    for (const auto& [key, index] : group_index) {
      emit(key, counts.Group(index), reference ? reference_counts.Group(index) : nullptr);
    }
  }
  table.denominator_rule = instrument::DescribeDenominator(instrument, *family);
  return table;
}

}  // namespace samkart::analysis
