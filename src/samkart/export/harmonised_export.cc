#include "samkart/export/harmonised_export.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace samkart::exporting {

namespace {

// SPSS variable names: letters, digits and _, at most 64 bytes, starting with a letter.
std::string VariableName(const std::string& qualified_id) {
  std::string name;
  for (const char c : qualified_id) name += (c == '.') ? '_' : c;
  if (name.size() > 64) name.resize(64);
  return name;
}

template <typename T>
std::vector<std::pair<int, std::string>> LabelsOf(const std::vector<T>& codes) {
  std::vector<std::pair<int, std::string>> out;
  for (const auto& c : codes) out.push_back({c.code, c.label});
  return out;
}

}  // namespace

Result<std::size_t> ExportHarmonised(store::Store& store, const instrument::Instrument& instrument,
                                     io::ExportFormat format, const std::string& path) {
  auto item_ids = store.ItemIds();
  if (!item_ids.ok()) return item_ids.error();
  auto municipalities = store.Municipalities();
  if (!municipalities.ok()) return municipalities.error();

  io::ExportTable table;
  table.columns.push_back({"kommune", "Kommunenummer", true, {}});
  table.columns.push_back({"aar", "År", true, {}});
  table.columns.push_back({"runde", "Undersøkelsesrunde", true, LabelsOf(instrument.round_types)});
  table.columns.push_back({"generasjon", "Spørreskjema-generasjon", true, {}});
  table.columns.push_back({"region", "KORUS-region", true, LabelsOf(instrument.regions)});
  table.columns.push_back(
      {"storrelse", "Kommunestørrelse", true, LabelsOf(instrument.size_groups)});
  table.columns.push_back({"tjeneste", "Tjenestested", true, LabelsOf(instrument.services)});
  table.columns.push_back({"stilling", "Stillingskategori", true, LabelsOf(instrument.positions)});
  {
    auto& generation = table.columns[3];
    for (std::size_t i = 0; i < instrument.generations.size(); ++i) {
      generation.value_labels.push_back({static_cast<int>(i + 1), instrument.generations[i].id});
    }
  }
  // Items the instrument no longer has are still exported, without labels.
  std::vector<bool> has_labels;
  for (const std::string& id : *item_ids) {
    const instrument::Family* family = nullptr;
    const instrument::Item* item = instrument.FindItem(id, &family);
    io::ExportColumn column{VariableName(id), id, true, {}};
    if (item != nullptr) {
      column.label = fmt::format("{}: {}", family->title, item->text);
      if (const auto* scale = instrument.FindScale(family->scale)) {
        for (const auto& c : scale->categories) column.value_labels.push_back({c.code, c.label});
      }
    }
    table.columns.push_back(std::move(column));
  }

  std::map<int, std::pair<int, int>> region_and_size;  // municipality → codes
  for (const auto& m : *municipalities) {
    int region = 0, size = 0;
    for (const auto& r : instrument.regions) region = r.key == m.region ? r.code : region;
    for (const auto& g : instrument.size_groups) size = g.key == m.size_group ? g.code : size;
    region_and_size[m.number] = {region, size};
  }
  auto code_of = [](const auto& codes, const std::string& key) {
    for (const auto& c : codes) {
      if (c.key == key) return io::ExportCell::Code(c.code);
    }
    return io::ExportCell::Missing();
  };
  auto scanned =
      store.ScanRespondents([&](const store::RespondentRecord& r, const std::string& round_type,
                                const std::string& generation) {
        std::vector<io::ExportCell> row;
        row.reserve(table.columns.size());
        row.push_back(io::ExportCell::Code(r.municipality));
        row.push_back(io::ExportCell::Code(r.year));
        row.push_back(code_of(instrument.round_types, round_type));
        int generation_code = 0;
        for (std::size_t i = 0; i < instrument.generations.size(); ++i) {
          if (instrument.generations[i].id == generation) generation_code = static_cast<int>(i + 1);
        }
        row.push_back(generation_code ? io::ExportCell::Code(generation_code)
                                      : io::ExportCell::Missing());
        const auto where = region_and_size.find(r.municipality);
        row.push_back(where != region_and_size.end() ? io::ExportCell::Code(where->second.first)
                                                     : io::ExportCell::Missing());
        row.push_back(where != region_and_size.end() ? io::ExportCell::Code(where->second.second)
                                                     : io::ExportCell::Missing());
        row.push_back(io::ExportCell::Code(r.service));
        row.push_back(io::ExportCell::Code(r.position));
        for (std::size_t i = 0; i < item_ids->size(); ++i) {
          const uint8_t a = i < r.answers.size() ? r.answers[i] : instrument::kNotAsked;
          row.push_back(a == instrument::kBlank || a == instrument::kNotAsked
                            ? io::ExportCell::Missing()
                            : io::ExportCell::Code(a));
        }
        table.rows.push_back(std::move(row));
        return true;
      });
  if (!scanned.ok()) return scanned.error();
  auto written = io::WriteExport(table, format, path);
  if (!written.ok()) return written.error();
  return table.rows.size();
}

}  // namespace samkart::exporting
