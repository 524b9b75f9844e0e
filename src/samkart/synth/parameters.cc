#include "samkart/synth/parameters.h"

#include <algorithm>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/io/csv_reader.h"

namespace samkart::synth {

namespace {

// A CSV file read by column name; the first error names file, line and column.
class Sheet {
 public:
  static Result<Sheet> Open(const std::vector<io::TextFile>& files, const std::string& name) {
    const auto it = std::find_if(files.begin(), files.end(),
                                 [&](const io::TextFile& f) { return f.path == name; });
    if (it == files.end()) return Error{fmt::format("data/synth/{}: filen mangler", name)};
    auto table = io::ParseCsv(it->content);
    if (!table) return Error{fmt::format("data/synth/{}: {}", name, table.error().message)};
    return Sheet(name, std::move(table.value()));
  }

  const std::vector<io::CsvRecord>& rows() const { return table_.rows; }

  Result<std::string> Text(const io::CsvRecord& row, const std::string& column) const {
    const auto it = std::find(table_.header.begin(), table_.header.end(), column);
    if (it == table_.header.end())
      return Error{fmt::format("data/synth/{}: mangler kolonnen «{}»", name_, column)};
    const auto index = static_cast<std::size_t>(it - table_.header.begin());
    return index < row.fields.size() ? std::string(text::Trim(row.fields[index])) : std::string();
  }

  Result<double> Number(const io::CsvRecord& row, const std::string& column) const {
    auto value = Text(row, column);
    if (!value) return value.error();
    try {
      std::size_t used = 0;
      const double number = std::stod(*value, &used);
      if (used == value->size()) return number;
    } catch (const std::exception&) {
    }
    return Error{fmt::format("data/synth/{}:{}: «{}» = «{}» er ikke et tall", name_, row.line,
                             column, *value)};
  }

 private:
  Sheet(std::string name, io::CsvTable table) : name_(std::move(name)), table_(std::move(table)) {}
  std::string name_;
  io::CsvTable table_;
};

}  // namespace

Result<std::vector<BreakdownPart>> ParseBreakdown(const std::string& breakdown) {
  std::vector<BreakdownPart> parts;
  if (breakdown.empty()) return parts;
  for (const auto& piece : text::Split(breakdown, '&')) {
    const std::string condition(text::Trim(piece));
    const auto eq = condition.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == condition.size()) {
      return Error{fmt::format("breakdown «{}»: «{}» er ikke nøkkel=verdi", breakdown, condition)};
    }
    BreakdownPart part{condition.substr(0, eq), condition.substr(eq + 1)};
    if (part.key != "service" && part.key != "position" && part.key != "size_group") {
      return Error{
          fmt::format("breakdown «{}»: ukjent nøkkel «{}» (kjente: service, position, size_group)",
                      breakdown, part.key)};
    }
    if (part.key == "size_group" && !text::ParseInt(part.value)) {
      return Error{
          fmt::format("breakdown «{}»: size_group «{}» er ikke et heltall", breakdown, part.value)};
    }
    for (const auto& other : parts) {
      if (other.key == part.key)
        return Error{fmt::format("breakdown «{}»: «{}» står to ganger", breakdown, part.key)};
    }
    parts.push_back(std::move(part));
  }
  return parts;
}

double Parameters::ServiceOffset(const std::string& family, const std::string& item,
                                 const std::string& service) const {
  for (const std::string& key : {family + "." + item, family, std::string("*")}) {
    const auto f = service_offsets.find(key);
    if (f == service_offsets.end()) continue;
    const auto s = f->second.find(service);
    if (s != f->second.end()) return s->second;
  }
  return 0;
}

const std::vector<CategoryWeight>* Parameters::Weights(const std::string& family,
                                                       const std::string& item,
                                                       const std::string& scale) const {
  for (const std::string& key : {family + "." + item, family, scale}) {
    const auto it = category_weights.find(key);
    if (it != category_weights.end()) return &it->second;
  }
  return nullptr;
}

namespace {

// One reader per file in data/synth, each filling its part of the parameters.
Status ReadMunicipalities(const std::vector<io::TextFile>& files, Parameters& p) {
  SAMKART_ASSIGN_OR_RETURN(auto sheet, Sheet::Open(files, "municipalities.csv"));
  for (const auto& row : sheet.rows()) {
    Municipality m;
    SAMKART_ASSIGN_OR_RETURN(auto number, sheet.Number(row, "municipality"));
    SAMKART_ASSIGN_OR_RETURN(auto name, sheet.Text(row, "name_nb"));
    SAMKART_ASSIGN_OR_RETURN(auto region, sheet.Text(row, "region"));
    SAMKART_ASSIGN_OR_RETURN(auto size, sheet.Number(row, "size_group"));
    SAMKART_ASSIGN_OR_RETURN(auto population, sheet.Number(row, "population"));
    SAMKART_ASSIGN_OR_RETURN(auto year, sheet.Number(row, "baseline_year"));
    SAMKART_ASSIGN_OR_RETURN(auto respondents, sheet.Number(row, "baseline_respondents"));
    SAMKART_ASSIGN_OR_RETURN(auto follow_up, sheet.Text(row, "follow_up_year"));
    SAMKART_ASSIGN_OR_RETURN(auto effect, sheet.Text(row, "follow_up_effect"));
    m.number = static_cast<int>(number);
    m.name = name;
    m.region = region;
    m.size_group = static_cast<int>(size);
    m.population = static_cast<int>(population);
    m.baseline_year = static_cast<int>(year);
    m.baseline_respondents = static_cast<int>(respondents);
    if (!follow_up.empty()) m.follow_up_year = text::ParseInt(follow_up);
    if (!effect.empty()) {
      SAMKART_ASSIGN_OR_RETURN(m.follow_up_effect, sheet.Number(row, "follow_up_effect"));
    }
    p.municipalities.push_back(std::move(m));
  }
  return Ok();
}

Status ReadTargets(const std::vector<io::TextFile>& files, Parameters& p) {
  SAMKART_ASSIGN_OR_RETURN(auto sheet, Sheet::Open(files, "targets.csv"));
  for (const auto& row : sheet.rows()) {
    Target t;
    SAMKART_ASSIGN_OR_RETURN(auto indicator, sheet.Text(row, "indicator"));
    SAMKART_ASSIGN_OR_RETURN(auto breakdown, sheet.Text(row, "breakdown"));
    SAMKART_ASSIGN_OR_RETURN(auto value, sheet.Number(row, "value_pct"));
    SAMKART_ASSIGN_OR_RETURN(auto tolerance, sheet.Number(row, "tolerance_pp"));
    SAMKART_ASSIGN_OR_RETURN(auto source, sheet.Text(row, "source"));
    SAMKART_ASSIGN_OR_RETURN(auto confidence, sheet.Text(row, "confidence"));
    auto parts = ParseBreakdown(breakdown);
    if (!parts) {
      return Error{fmt::format("data/synth/targets.csv:{}: {}", row.line, parts.error().message)};
    }
    p.targets.push_back(
        {indicator, breakdown, value, tolerance, source, confidence, std::move(parts.value())});
  }
  return Ok();
}

Status ReadServiceMix(const std::vector<io::TextFile>& files, Parameters& p) {
  SAMKART_ASSIGN_OR_RETURN(auto sheet, Sheet::Open(files, "service_mix.csv"));
  for (const auto& row : sheet.rows()) {
    SAMKART_ASSIGN_OR_RETURN(auto service, sheet.Text(row, "service"));
    SAMKART_ASSIGN_OR_RETURN(auto share, sheet.Number(row, "share"));
    p.service_mix.emplace_back(service, share);
  }
  return Ok();
}

Status ReadPositionMix(const std::vector<io::TextFile>& files, Parameters& p) {
  SAMKART_ASSIGN_OR_RETURN(auto sheet, Sheet::Open(files, "position_mix.csv"));
  for (const auto& row : sheet.rows()) {
    SAMKART_ASSIGN_OR_RETURN(auto service, sheet.Text(row, "service"));
    SAMKART_ASSIGN_OR_RETURN(auto position, sheet.Text(row, "position"));
    SAMKART_ASSIGN_OR_RETURN(auto weight, sheet.Number(row, "weight"));
    p.positions[service].emplace_back(position, weight);
  }
  return Ok();
}

Status ReadEffects(const std::vector<io::TextFile>& files, Parameters& p) {
  SAMKART_ASSIGN_OR_RETURN(auto sheet, Sheet::Open(files, "effects.csv"));
  for (const auto& row : sheet.rows()) {
    SAMKART_ASSIGN_OR_RETURN(auto kind, sheet.Text(row, "kind"));
    SAMKART_ASSIGN_OR_RETURN(auto key, sheet.Text(row, "key"));
    SAMKART_ASSIGN_OR_RETURN(auto effect, sheet.Number(row, "effect"));
    if (kind == "position") {
      p.position_effects[key] = effect;
    } else if (kind == "position_item") {
      // key: family.item|position
      const auto bar = key.find('|');
      if (bar == std::string::npos || bar == 0 || bar + 1 == key.size()) {
        return Error{fmt::format(
            "data/synth/effects.csv:{}: position_item «{}» skal være family.item|stilling",
            row.line, key)};
      }
      p.position_item_effects[key.substr(0, bar)][key.substr(bar + 1)] = effect;
    } else if (kind == "size_group") {
      p.size_effects[text::ParseInt(key).value_or(0)] = effect;
    } else if (kind == "size_scale") {
      p.size_scales[key] = effect;
    } else {
      return Error{fmt::format("data/synth/effects.csv:{}: ukjent kind «{}»", row.line, kind)};
    }
  }
  return Ok();
}

Status ReadServiceProfiles(const std::vector<io::TextFile>& files, Parameters& p) {
  SAMKART_ASSIGN_OR_RETURN(auto sheet, Sheet::Open(files, "service_profiles.csv"));
  for (const auto& row : sheet.rows()) {
    SAMKART_ASSIGN_OR_RETURN(auto family, sheet.Text(row, "family"));
    SAMKART_ASSIGN_OR_RETURN(auto service, sheet.Text(row, "service"));
    SAMKART_ASSIGN_OR_RETURN(auto offset, sheet.Number(row, "offset"));
    p.service_offsets[family][service] = offset;
  }
  return Ok();
}

Status ReadFamilyModels(const std::vector<io::TextFile>& files, Parameters& p) {
  SAMKART_ASSIGN_OR_RETURN(auto sheet, Sheet::Open(files, "families.csv"));
  for (const auto& row : sheet.rows()) {
    SAMKART_ASSIGN_OR_RETURN(auto family, sheet.Text(row, "family"));
    SAMKART_ASSIGN_OR_RETURN(auto loading, sheet.Number(row, "loading"));
    SAMKART_ASSIGN_OR_RETURN(auto response, sheet.Number(row, "response_rate"));
    SAMKART_ASSIGN_OR_RETURN(auto shift, sheet.Number(row, "follow_up_shift"));
    SAMKART_ASSIGN_OR_RETURN(auto sign, sheet.Number(row, "size_sign"));
    p.families[family] = {loading, response, shift, static_cast<int>(sign)};
  }
  return Ok();
}

Status ReadCategoryWeights(const std::vector<io::TextFile>& files, Parameters& p) {
  SAMKART_ASSIGN_OR_RETURN(auto sheet, Sheet::Open(files, "category_weights.csv"));
  for (const auto& row : sheet.rows()) {
    SAMKART_ASSIGN_OR_RETURN(auto key, sheet.Text(row, "key"));
    SAMKART_ASSIGN_OR_RETURN(auto code, sheet.Number(row, "code"));
    SAMKART_ASSIGN_OR_RETURN(auto weight, sheet.Number(row, "weight"));
    p.category_weights[key].push_back({static_cast<int>(code), weight});
  }
  return Ok();
}

}  // namespace

Result<Parameters> LoadParameters(const std::vector<io::TextFile>& files) {
  Parameters p;
  p.files = files;
  SAMKART_TRY(ReadMunicipalities(files, p));
  SAMKART_TRY(ReadTargets(files, p));
  SAMKART_TRY(ReadServiceMix(files, p));
  SAMKART_TRY(ReadPositionMix(files, p));
  SAMKART_TRY(ReadEffects(files, p));
  SAMKART_TRY(ReadServiceProfiles(files, p));
  SAMKART_TRY(ReadFamilyModels(files, p));
  SAMKART_TRY(ReadCategoryWeights(files, p));
  return p;
}

}  // namespace samkart::synth
