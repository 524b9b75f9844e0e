#include "samkart/analysis/dataset.h"

#include <array>

#include <fmt/format.h>

namespace samkart::analysis {

namespace {

struct VariableInfo {
  Variable variable;
  const char* name;
  const char* label;
};

constexpr std::array<VariableInfo, 8> kVariables = {{
    {Variable::kMunicipality, "municipality", "Kommune"},
    {Variable::kYear, "year", "År"},
    {Variable::kRoundType, "round_type", "Undersøkelsesrunde"},
    {Variable::kGeneration, "generation", "Spørreskjema-generasjon"},
    {Variable::kRegion, "region", "KORUS-region"},
    {Variable::kSizeGroup, "size_group", "Kommunestørrelse"},
    {Variable::kService, "service", "Tjenestested"},
    {Variable::kPosition, "position", "Stilling"},
}};

template <typename T>
int CodeOf(const std::vector<T>& codes, const std::string& key) {
  for (const auto& c : codes) {
    if (c.key == key) return c.code;
  }
  return 0;
}

}  // namespace

std::optional<Variable> ParseVariable(const std::string& name) {
  for (const auto& v : kVariables) {
    if (name == v.name) return v.variable;
  }
  return std::nullopt;
}

const char* VariableName(Variable variable) {
  for (const auto& v : kVariables) {
    if (v.variable == variable) return v.name;
  }
  return "?";
}

const char* VariableLabel(Variable variable) {
  for (const auto& v : kVariables) {
    if (v.variable == variable) return v.label;
  }
  return "?";
}

std::optional<std::size_t> Dataset::ItemIndex(const std::string& qualified_id) const {
  for (std::size_t i = 0; i < item_refs.size(); ++i) {
    if (item_refs[i].QualifiedId() == qualified_id) return i;
  }
  return std::nullopt;
}

ColumnView Dataset::Column(Variable variable) const {
  switch (variable) {
    case Variable::kMunicipality:
      return {nullptr, municipality.data()};
    case Variable::kYear:
      return {nullptr, year.data()};
    case Variable::kRoundType:
      return {round_type.data(), nullptr};
    case Variable::kGeneration:
      return {generation.data(), nullptr};
    case Variable::kRegion:
      return {region.data(), nullptr};
    case Variable::kSizeGroup:
      return {size_group.data(), nullptr};
    case Variable::kService:
      return {service.data(), nullptr};
    case Variable::kPosition:
      return {position.data(), nullptr};
  }
  return {};
}

RoundIndex IndexRounds(const Dataset& data) {
  // A round's key sorts by municipality, then year, then round type.
  auto key_of = [&](std::size_t r) {
    return (static_cast<uint64_t>(data.municipality[r]) << 24) |
           (static_cast<uint64_t>(data.year[r]) << 8) | data.round_type[r];
  };
  std::map<uint64_t, uint32_t> round_of_key;
  for (std::size_t r = 0; r < data.rows; ++r) round_of_key.emplace(key_of(r), 0);
  RoundIndex index;
  for (auto& [key, round] : round_of_key) {
    round = static_cast<uint32_t>(index.municipality.size());
    index.municipality.push_back(static_cast<int>(key >> 24));
  }
  // Counting sort of the rows by round.
  std::vector<uint32_t> round_of_row(data.rows);
  index.starts.assign(index.Count() + 1, 0);
  uint64_t last_key = UINT64_MAX;
  uint32_t last_round = 0;
  for (std::size_t r = 0; r < data.rows; ++r) {
    const uint64_t key = key_of(r);
    if (key != last_key) {
      last_key = key;
      last_round = round_of_key[key];
    }
    round_of_row[r] = last_round;
    ++index.starts[last_round + 1];
  }
  for (std::size_t k = 0; k < index.Count(); ++k) index.starts[k + 1] += index.starts[k];
  index.rows.resize(data.rows);
  std::vector<uint32_t> next(index.starts.begin(), index.starts.end() - 1);
  for (std::size_t r = 0; r < data.rows; ++r) {
    index.rows[next[round_of_row[r]]++] = static_cast<uint32_t>(r);
  }
  return index;
}

Result<Dataset> LoadDataset(store::Store& store, const instrument::Instrument& instrument) {
  auto stored_ids = store.ItemIds();
  if (!stored_ids.ok()) return stored_ids.error();
  auto municipalities = store.Municipalities();
  if (!municipalities.ok()) return municipalities.error();

  Dataset data;
  data.item_refs = instrument.ItemsInOrder();
  // Where each instrument item sits in the stored answers, if anywhere.
  std::vector<std::ptrdiff_t> slot(data.item_refs.size(), -1);
  for (std::size_t i = 0; i < data.item_refs.size(); ++i) {
    const std::string id = data.item_refs[i].QualifiedId();
    for (std::size_t s = 0; s < stored_ids->size(); ++s) {
      if ((*stored_ids)[s] == id) slot[i] = static_cast<std::ptrdiff_t>(s);
    }
  }
  std::map<int, std::pair<uint8_t, uint8_t>> region_and_size;
  for (const auto& m : *municipalities) {
    data.municipality_names[m.number] = m.name;
    region_and_size[m.number] = {
        static_cast<uint8_t>(CodeOf(instrument.regions, m.region)),
        static_cast<uint8_t>(CodeOf(instrument.size_groups, m.size_group))};
  }
  std::map<std::string, uint8_t> generation_index;
  for (std::size_t g = 0; g < instrument.generations.size(); ++g) {
    generation_index[instrument.generations[g].id] = static_cast<uint8_t>(g + 1);
  }
  const uint8_t baseline = static_cast<uint8_t>(CodeOf(instrument.round_types, "baseline"));
  const uint8_t follow_up = static_cast<uint8_t>(CodeOf(instrument.round_types, "follow_up"));

  data.items.assign(data.item_refs.size(), {});
  auto scanned =
      store.ScanRespondents([&](const store::RespondentRecord& r, const std::string& round_type,
                                const std::string& generation) {
        data.municipality.push_back(static_cast<uint16_t>(r.municipality));
        data.year.push_back(static_cast<uint16_t>(r.year));
        data.round_type.push_back(round_type == "follow_up" ? follow_up : baseline);
        const auto g = generation_index.find(generation);
        data.generation.push_back(g == generation_index.end() ? 0 : g->second);
        const auto where = region_and_size.find(r.municipality);
        data.region.push_back(where == region_and_size.end() ? 0 : where->second.first);
        data.size_group.push_back(where == region_and_size.end() ? 0 : where->second.second);
        data.service.push_back(static_cast<uint8_t>(r.service));
        data.position.push_back(static_cast<uint8_t>(r.position));
        for (std::size_t i = 0; i < slot.size(); ++i) {
          const auto s = slot[i];
          data.items[i].push_back(s >= 0 && static_cast<std::size_t>(s) < r.answers.size()
                                      ? r.answers[static_cast<std::size_t>(s)]
                                      : instrument::kNotAsked);
        }
        return true;
      });
  if (!scanned.ok()) return scanned.error();
  data.rows = data.service.size();
  for (const auto& v : kVariables) {
    std::vector<uint8_t> present(1u << 16, 0);
    for (std::size_t r = 0; r < data.rows; ++r) {
      present[static_cast<std::size_t>(data.Value(v.variable, r))] = 1;
    }
    auto& values = data.distinct_values[v.variable];
    for (std::size_t value = 0; value < present.size(); ++value) {
      if (present[value]) values.push_back(static_cast<int>(value));
    }
  }
  data.rounds = IndexRounds(data);
  return data;
}

}  // namespace samkart::analysis
