#include "samkart/harmonise/harmoniser.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "samkart/core/text.h"

namespace samkart::harmonise {

namespace {

using instrument::Crosswalk;
using instrument::Instrument;
using instrument::SourceRole;
using instrument::SourceVariable;

std::string FoldName(std::string_view name) {
  std::string out(text::Trim(name));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::map<std::string, const SourceVariable*> VariablesByFoldedName(const Crosswalk& crosswalk) {
  std::map<std::string, const SourceVariable*> out;
  for (const auto& v : crosswalk.variables) out.emplace(FoldName(v.name), &v);
  return out;
}

std::string Quoted(const std::vector<std::string>& names, std::size_t max_shown = 8) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < max_shown; ++i) {
    if (i > 0) out += ", ";
    out += "«" + names[i] + "»";
  }
  if (names.size() > max_shown) out += fmt::format(" og {} til", names.size() - max_shown);
  return out;
}

bool YearInGeneration(const instrument::Generation& g, int year) {
  return year >= g.first_year && (!g.last_year || year <= *g.last_year);
}

// "3", "3.0" and "3,0" (decimal comma from Norwegian Excel) are the code 3.
std::optional<int> ParseCode(std::string_view text) {
  text = text::Trim(text);
  std::string normalised(text);
  std::replace(normalised.begin(), normalised.end(), ',', '.');
  const std::size_t dot = normalised.find('.');
  if (dot != std::string::npos) {
    if (normalised.find_first_not_of('0', dot + 1) != std::string::npos) return std::nullopt;
    normalised.resize(dot);
  }
  const auto value = text::ParseInt(normalised);
  if (!value) return std::nullopt;
  return *value;
}

// UTF-8 text decoded as Windows-1252 shows æ ø å as Ã¦ Ã¸ Ã¥.
bool LooksLikeMojibake(std::string_view value) {
  return value.find("Ã¦") != std::string_view::npos || value.find("Ã¸") != std::string_view::npos ||
         value.find("Ã¥") != std::string_view::npos || value.find("Ã˜") != std::string_view::npos;
}

std::string Abbreviate(std::string_view value) {
  constexpr std::size_t kShown = 60;
  if (value.size() <= kShown) return std::string(value);
  std::size_t cut = kShown;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return std::string(value.substr(0, cut)) + "…";
}

std::string FormatNumber(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

}  // namespace

bool LooksLikeEmail(std::string_view value) {
  value = text::Trim(value);
  const std::size_t at = value.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= value.size()) return false;
  if (value.find_first_of(" \t") != std::string_view::npos) return false;
  const std::size_t dot = value.find('.', at + 2);
  return dot != std::string_view::npos && dot + 1 < value.size();
}

bool LooksLikePhoneNumber(std::string_view value) {
  value = text::Trim(value);
  if (value.starts_with("+47")) {
    value.remove_prefix(3);
  } else if (value.starts_with("0047")) {
    value.remove_prefix(4);
  }
  std::string digits;
  for (const char c : value) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != ' ' && c != '-') {
      return false;
    }
  }
  // Norwegian numbers have eight digits and never start with 0 or 1.
  return digits.size() == 8 && digits[0] >= '2';
}

std::string Mask(std::string_view value) {
  value = text::Trim(value);
  std::string out;
  bool keep_next = true;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '@' || c == '.' || c == ' ' || c == '+') {
      out += c;
      keep_next = true;
    } else if (keep_next) {
      // Copy a whole UTF-8 sequence.
      out += c;
      while (i + 1 < value.size() && (static_cast<unsigned char>(value[i + 1]) & 0xC0) == 0x80) {
        out += value[++i];
      }
      keep_next = false;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      out += '*';
    }
  }
  return out;
}

// Enough to name every column of a questionnaire's export.
constexpr std::size_t kMaxUnknownColumnsShown = 200;

Result<GenerationChoice> ChooseGeneration(const Instrument& instrument,
                                          const std::vector<io::SourceColumn>& columns,
                                          const std::string& display_name,
                                          const std::optional<std::string>& requested,
                                          std::optional<int> year) {
  struct Candidate {
    const Crosswalk* crosswalk;
    std::vector<std::string> unknown;
    std::size_t known = 0;
  };
  std::vector<Candidate> candidates;
  // A generation's own layout first, so it wins a tie with another layout.
  std::vector<const Crosswalk*> layouts;
  for (const Crosswalk& cw : instrument.crosswalks) {
    if (cw.IsMainLayout()) layouts.push_back(&cw);
  }
  for (const Crosswalk& cw : instrument.crosswalks) {
    if (!cw.IsMainLayout()) layouts.push_back(&cw);
  }
  for (const Crosswalk* layout : layouts) {
    const Crosswalk& cw = *layout;
    const auto variables = VariablesByFoldedName(cw);
    Candidate c{&cw, {}, 0};
    for (const auto& column : columns) {
      if (variables.count(FoldName(column.name))) {
        ++c.known;
      } else {
        c.unknown.push_back(column.name);
      }
    }
    candidates.push_back(std::move(c));
  }
  std::string scores;
  for (const auto& c : candidates) {
    if (!scores.empty()) scores += ", ";
    scores += fmt::format("{} {}", c.crosswalk->Label(), c.known);
  }
  // The best of the given candidates; among layouts of one generation the
  // first wins a tie, between generations a tie is the user's to settle.
  auto best_of = [](const std::vector<const Candidate*>& among) {
    std::vector<const Candidate*> tied;
    for (const auto* c : among) {
      if (!tied.empty() && c->known < tied.front()->known) continue;
      if (!tied.empty() && c->known > tied.front()->known) tied.clear();
      if (std::none_of(tied.begin(), tied.end(), [&](const Candidate* t) {
            return t->crosswalk->generation == c->crosswalk->generation;
          })) {
        tied.push_back(c);
      }
    }
    return tied;
  };

  const Candidate* chosen = nullptr;
  std::string reason;
  if (requested) {
    std::vector<const Candidate*> of_generation;
    for (const auto& c : candidates) {
      if (c.crosswalk->generation == *requested) of_generation.push_back(&c);
    }
    if (of_generation.empty()) {
      std::vector<std::string> known;
      for (const auto& g : instrument.generations) known.push_back(g.id);
      return Error{fmt::format("{}: generasjonen «{}» finnes ikke i instrumentet (kjente: {})",
                               display_name, *requested, Quoted(known))};
    }
    chosen = best_of(of_generation).front();
    reason = fmt::format("{} ble oppgitt (--generation); {} av {} kolonner er kjent i nøkkelen {}",
                         *requested, chosen->known, columns.size(), chosen->crosswalk->Label());
  } else {
    std::vector<const Candidate*> all;
    for (const auto& c : candidates) all.push_back(&c);
    std::vector<const Candidate*> tied = best_of(all);
    const std::size_t best = tied.front()->known;
    if (best == 0) {
      return Error{fmt::format(
          "{}: ingen av de {} kolonnene finnes i kryssnøkkelen til noen spørreskjema-generasjon "
          "(første kolonner: {}); er dette en eksport fra BTI/BTS-kartleggingen? «samkart "
          "describe» viser hva filen inneholder, og «samkart crosswalk suggest» lager et utkast "
          "til nøkkel",
          display_name, columns.size(),
          Quoted({columns[0].name, columns.size() > 1 ? columns[1].name : ""}, 2))};
    }
    if (tied.size() > 1 && year) {
      std::vector<const Candidate*> by_year;
      for (const auto* c : tied) {
        const auto* g = instrument.FindGeneration(c->crosswalk->generation);
        if (g && YearInGeneration(*g, *year)) by_year.push_back(c);
      }
      if (by_year.size() == 1) {
        chosen = by_year[0];
        reason = fmt::format(
            "{} kjenner {} av {} kolonner, like mange som en annen generasjon; året {} avgjorde "
            "(kjente kolonner per nøkkel: {})",
            chosen->crosswalk->Label(), best, columns.size(), *year, scores);
      }
    }
    if (chosen == nullptr && tied.size() > 1) {
      std::vector<std::string> ids;
      for (const auto* c : tied) ids.push_back(c->crosswalk->generation);
      return Error{
          fmt::format("{}: kolonnene passer like godt til generasjonene {}; oppgi --generation",
                      display_name, Quoted(ids))};
    }
    if (chosen == nullptr) {
      chosen = tied[0];
      reason = fmt::format("{} kjenner flest kolonner: {} av {} (kjente kolonner per nøkkel: {})",
                           chosen->crosswalk->Label(), best, columns.size(), scores);
    }
  }
  if (!chosen->unknown.empty()) {
    return Error{fmt::format(
        "{}: {} kolonne(r) finnes ikke i kryssnøkkelen {} ({}): {}. Legg dem til i nøkkelen i "
        "instrumentmappen med rollen answer, background, identifier eller ignore, eller lag et "
        "utkast til en ny nøkkel for filen med «samkart crosswalk suggest {} --out MAPPE»",
        display_name, chosen->unknown.size(), chosen->crosswalk->Label(), chosen->crosswalk->file,
        Quoted(chosen->unknown, kMaxUnknownColumnsShown), display_name)};
  }
  return GenerationChoice{chosen->crosswalk, reason};
}

Harmoniser::Harmoniser(const Instrument& instrument, std::string display_name, std::string row_unit,
                       HarmoniseOptions options)
    : instrument_(&instrument),
      name_(std::move(display_name)),
      row_unit_(std::move(row_unit)),
      options_(options),
      items_(instrument.ItemsInOrder()) {}

Result<Harmoniser> Harmoniser::Create(const Instrument& instrument, const Crosswalk& crosswalk,
                                      const io::SourceReader& source,
                                      const std::string& display_name,
                                      const HarmoniseOptions& options) {
  Harmoniser h(instrument, display_name, source.info().row_unit, options);
  std::map<std::string, std::size_t> item_index;
  for (std::size_t i = 0; i < h.items_.size(); ++i) item_index[h.items_[i].QualifiedId()] = i;
  h.item_asked_.assign(h.items_.size(), false);
  h.BuildRoutes(item_index);
  h.unstated_service_ = instrument.UnstatedService().code;
  h.unstated_position_ = instrument.UnstatedPosition().code;

  const auto variables = VariablesByFoldedName(crosswalk);
  bool has_service = false, has_municipality = false, has_year = false;
  for (const io::SourceColumn& source_column : source.columns()) {
    Column column;
    column.name = source_column.name;
    const auto found = variables.find(FoldName(source_column.name));
    if (found == variables.end()) {
      return Error{fmt::format("{}: kolonnen «{}» finnes ikke i kryssnøkkelen for {}", display_name,
                               source_column.name, crosswalk.generation)};
    }
    const SourceVariable& v = *found->second;
    column.target = v.target;
    switch (v.role) {
      case SourceRole::kIdentifier:
        column.identifier_kind = v.target;
        break;
      case SourceRole::kIgnore:
        break;
      case SourceRole::kBackground:
        if (v.target == "municipality") column.kind = Kind::kMunicipality;
        if (v.target == "year") column.kind = Kind::kYear;
        if (v.target == "service") column.kind = Kind::kService;
        if (v.target == "position") column.kind = Kind::kPosition;
        break;
      case SourceRole::kAnswer: {
        const auto it = item_index.find(v.target);
        if (it == item_index.end()) {
          return Error{fmt::format("{}: kryssnøkkelen for {} sender «{}» til «{}», som ikke finnes",
                                   display_name, crosswalk.generation, v.name, v.target)};
        }
        column.kind = Kind::kAnswer;
        column.item = it->second;
        h.item_asked_[it->second] = true;
        break;
      }
    }
    has_service = has_service || column.kind == Kind::kService;
    has_municipality = has_municipality || column.kind == Kind::kMunicipality;
    has_year = has_year || column.kind == Kind::kYear;
    std::vector<std::string> known;
    for (const auto& m : v.categories) {
      if (m.source_code) column.by_code.emplace(*m.source_code, m.target_code);
      if (!m.source_label.empty()) {
        column.by_label.emplace(text::FoldLabel(m.source_label), m.target_code);
        known.push_back(m.source_label);
      }
    }
    column.known = Quoted(known, 12);
    for (const auto& [value, label] : source_column.value_labels) {
      column.value_labels.emplace(value, text::FoldLabel(label));
    }
    if (column.kind == Kind::kDrop) {
      column.report = v.role == SourceRole::kIdentifier
                          ? fmt::format("fjernet: identifiserende ({})", v.target)
                          : "fjernet: teknisk kolonne uten analyseverdi";
    } else {
      column.report = v.target;
    }
    h.plan_.push_back(std::move(column));
  }
  if (!has_service) {
    return Error{fmt::format("{}: filen har ingen kolonne for tjenestested (kryssnøkkel {})",
                             display_name, crosswalk.generation)};
  }
  if (!has_municipality && !options.municipality) {
    return Error{display_name +
                 ": filen har ingen kolonne for kommunenummer; oppgi --municipality"};
  }
  if (!has_year && !options.year) {
    return Error{display_name + ": filen har ingen kolonne for år; oppgi --year"};
  }
  return h;
}

void Harmoniser::BuildRoutes(const std::map<std::string, std::size_t>& item_index) {
  std::size_t i = 0;
  while (i < items_.size()) {
    Route route;
    route.family = items_[i].family;
    route.first = i;
    while (i < items_.size() && items_[i].family == route.family) ++i;
    route.end = i;
    const instrument::Family& f = *route.family;
    route.not_asked_reason = fmt::format("«{}» stilles ikke til tjenesten", f.title);
    route.own_service_reason = fmt::format("«{}»: egen tjeneste vurderes ikke", f.title);
    if (f.asked_if) {
      const auto it = item_index.find(f.asked_if->family + "." + f.asked_if->item);
      if (it != item_index.end()) route.condition_item = it->second;
      route.condition_codes = f.asked_if->codes;
      std::vector<std::string> codes;
      for (const int code : f.asked_if->codes) codes.push_back(std::to_string(code));
      route.condition_reason =
          fmt::format("«{}» stilles bare når {}.{} er {}", f.title, f.asked_if->family,
                      f.asked_if->item, text::Join(codes, "/"));
    }
    routes_.push_back(std::move(route));
  }
}

std::vector<ColumnReport> Harmoniser::ColumnReports() const {
  std::vector<ColumnReport> out;
  for (const Column& c : plan_) {
    ColumnReport report{c.name, c.report, {}};
    for (const auto& [raw, seen] : c.seen) report.recodings[{raw, seen.code}] += seen.count;
    out.push_back(std::move(report));
  }
  return out;
}

std::vector<std::string> Harmoniser::dropped_identifiers() const {
  std::vector<std::string> out;
  for (const auto& c : plan_) {
    if (!c.identifier_kind.empty()) out.push_back(c.name);
  }
  return out;
}

// Enough to see every kind of problem a file has; the rest are counted.
constexpr std::size_t kMaxProblemsShown = 50;

std::string Harmoniser::Where(const io::SourceRow& row) const {
  if (row.spreadsheet_row != 0 && row.spreadsheet_row != row.number) {
    return fmt::format("rad {} (linje {} i teksten)", row.spreadsheet_row, row.number);
  }
  return fmt::format("{} {}", row_unit_, row.number);
}

void Harmoniser::Record(std::string where, const std::string& column, const std::string& key,
                        const std::string& what) const {
  ++problem_cells_;
  const auto [it, first] = problem_index_.emplace(std::pair(column, key), problems_.size());
  if (first) {
    problems_.push_back({std::move(where), column, what, 1});
  } else {
    ++problems_[it->second].rows;
  }
}

Error Harmoniser::CellError(const io::SourceRow& row, const Column& column, const std::string& what,
                            const std::string& same_problem) const {
  const std::string where = Where(row);
  Record(where, column.name, same_problem.empty() ? what : same_problem, what);
  return Error{fmt::format("{}: {}, kolonne «{}»: {}", name_, where, column.name, what)};
}

Error Harmoniser::RowError(const io::SourceRow& row, const std::string& what) const {
  const std::string where = Where(row);
  Record(where, "", what, what);
  return Error{fmt::format("{}: {}: {}", name_, where, what)};
}

std::optional<Error> Harmoniser::ProblemsFound() const {
  if (problems_.empty()) return std::nullopt;
  const std::size_t cells = problem_cells_;
  std::string message =
      problems_.size() == 1 && cells == 1
          ? fmt::format("{}: ", name_)
          : fmt::format(
                "{}: {} feil i {} rader; ingenting er lagret. Rett dem og importer på nytt:\n",
                name_, cells, problem_rows_);
  for (std::size_t i = 0; i < problems_.size() && i < kMaxProblemsShown; ++i) {
    const Problem& p = problems_[i];
    std::string line = p.where;
    if (!p.column.empty()) line += fmt::format(", kolonne «{}»", p.column);
    line += ": " + p.what;
    if (p.rows == 2) line += " (og i én rad til)";
    if (p.rows > 2) line += fmt::format(" (og i {} rader til)", p.rows - 1);
    message += (problems_.size() == 1 && cells == 1 ? "" : "  ") + line + "\n";
  }
  if (problems_.size() > kMaxProblemsShown) {
    message += fmt::format("  … og {} andre slags feil\n", problems_.size() - kMaxProblemsShown);
  }
  message.pop_back();
  return Error{message};
}

Result<int> Harmoniser::Integer(const Column& column, const io::SourceRow& row,
                                std::size_t index) const {
  if (const auto& number = row.numbers[index]) {
    if (*number == std::floor(*number) && std::fabs(*number) < 1e9) {
      return static_cast<int>(*number);
    }
  } else if (const auto parsed = ParseCode(row.text[index])) {
    return *parsed;
  }
  return CellError(row, column,
                   fmt::format("«{}» er ikke et heltall", Abbreviate(row.text[index])));
}

Status Harmoniser::CheckPersonalData(const io::SourceRow& row, const Column& column,
                                     std::size_t index) const {
  const std::string& text = row.text[index];
  if (text.find('@') == std::string::npos && text.size() < 8) return Ok();
  const bool email = LooksLikeEmail(text);
  if (!email && !LooksLikePhoneNumber(text)) return Ok();
  const bool ignored = column.kind == Kind::kDrop;
  // One entry per column and kind, whatever the address: the first is shown, masked.
  return CellError(
      row, column,
      fmt::format("verdien ser ut som {} ({}); kolonnen skal ikke inneholde personopplysninger, "
                  "så importen er avvist og ingenting er lagret{}",
                  email ? "en e-postadresse" : "et telefonnummer", Mask(text),
                  ignored ? ". Er kolonnen en identifikator, gi den rollen identifier i "
                            "kryssnøkkelen, så fjernes den ved import"
                          : ""),
      email ? "e-post" : "telefon");
}

// The target code of a cell, or -1 when it is empty.
Result<int> Harmoniser::Recode(Column& column, std::size_t index, const io::SourceRow& row) {
  const std::string& raw = row.text[index];
  const auto& number = row.numbers[index];
  if (raw.empty() && !number) return -1;
  for (const auto& [text, seen] : column.first_seen) {
    if (text == raw) {
      ++seen->count;
      return seen->code;
    }
  }
  if (column.first_seen.size() == Column::kFirstSeen) {
    if (const auto hit = column.seen.find(raw); hit != column.seen.end()) {
      ++hit->second.count;
      return hit->second.code;
    }
  }
  if (text::Trim(raw).empty() && !number) return -1;
  // Checked once per distinct value: a value in the cache passed already.
  if (auto clean = CheckPersonalData(row, column, index); !clean.ok()) return clean.error();
  std::optional<int> code;
  std::string described = "«" + Abbreviate(raw) + "»";
  if (number) {
    described = "koden " + FormatNumber(*number);
    if (const auto label = column.value_labels.find(*number); label != column.value_labels.end()) {
      described += " («" + Abbreviate(label->second) + "»)";
      if (const auto by_label = column.by_label.find(label->second);
          by_label != column.by_label.end()) {
        code = by_label->second;
      }
    }
    if (!code && *number == std::floor(*number) && std::fabs(*number) < 1e9) {
      if (const auto by_code = column.by_code.find(static_cast<int>(*number));
          by_code != column.by_code.end()) {
        code = by_code->second;
      }
    }
  } else {
    if (const auto by_label = column.by_label.find(text::FoldLabel(raw));
        by_label != column.by_label.end()) {
      code = by_label->second;
    } else if (const auto parsed = ParseCode(raw)) {
      if (const auto by_code = column.by_code.find(*parsed); by_code != column.by_code.end()) {
        code = by_code->second;
      }
    }
  }
  if (!code) {
    std::string hint;
    if (LooksLikeMojibake(raw)) {
      hint =
          "; teksten ser ut som UTF-8 lest som Windows-1252 («Ã¸» for «ø») — lagre filen "
          "på nytt som CSV UTF-8";
    }
    return CellError(
        row, column,
        fmt::format("ukjent kategori {}; kjente kategorier er {} (eller kodene deres){}", described,
                    column.known, hint));
  }
  const auto added = column.seen.emplace(raw, Column::Seen{*code, 1}).first;
  if (column.first_seen.size() < Column::kFirstSeen) {
    column.first_seen.emplace_back(added->first, &added->second);
  }
  return *code;
}

Result<bool> Harmoniser::Convert(const io::SourceRow& row, HarmonisedRow& out) {
  out.source_row = row.number;
  out.municipality = options_.municipality.value_or(0);
  out.year = options_.year.value_or(0);
  out.service = 0;
  out.position = 0;
  out.answers.resize(items_.size());
  for (std::size_t i = 0; i < items_.size(); ++i) {
    out.answers[i] = item_asked_[i] ? instrument::kBlank : instrument::kNotAsked;
  }

  // A bad cell is recorded by CellError and the row dropped once all its
  // cells are checked: one import shows every problem in the file.
  const std::size_t problems_before = problem_cells_;
  for (std::size_t c = 0; c < plan_.size(); ++c) {
    Column& column = plan_[c];
    const std::string& text = row.text[c];
    switch (column.kind) {
      case Kind::kDrop:
        // An identifier is dropped whatever it holds; a column mapped to
        // «ignore» must not hide personal data the user did not declare.
        if (column.identifier_kind.empty()) (void)CheckPersonalData(row, column, c);
        break;
      case Kind::kMunicipality:
      case Kind::kYear: {
        const bool is_municipality = column.kind == Kind::kMunicipality;
        const auto& given = is_municipality ? options_.municipality : options_.year;
        if (!CheckPersonalData(row, column, c).ok()) break;
        if (text::Trim(text).empty() && !row.numbers[c]) {
          if (!given) {
            (void)CellError(row, column,
                            is_municipality ? "kommunenummer mangler" : "årstall mangler");
          }
          break;
        }
        auto value = Integer(column, row, c);
        if (!value.ok()) break;
        if (given && *value != *given) {
          (void)CellError(row, column,
                          fmt::format("{} stemmer ikke med {} {} som ble oppgitt", *value,
                                      is_municipality ? "kommunenummeret" : "året", *given));
          break;
        }
        (is_municipality ? out.municipality : out.year) = *value;
        break;
      }
      case Kind::kService:
      case Kind::kPosition: {
        auto code = Recode(column, c, row);
        // A blank cell (-1) stays 0 and becomes «ikke oppgitt» below.
        if (code.ok() && *code >= 0) {
          (column.kind == Kind::kService ? out.service : out.position) = *code;
        }
        break;
      }
      case Kind::kAnswer: {
        auto code = Recode(column, c, row);
        if (code.ok() && *code >= 0) out.answers[column.item] = static_cast<uint8_t>(*code);
        break;
      }
    }
  }
  if (problem_cells_ == problems_before && (out.year < 1990 || out.year > 2100)) {
    (void)RowError(row,
                   fmt::format("året {} er ikke et gyldig årstall for en kartlegging", out.year));
  }
  // A blank service or position is stored as «ikke oppgitt», the end of its chain.
  if (out.service == 0) out.service = unstated_service_;
  if (out.position == 0) out.position = unstated_position_;
  const auto* service = instrument_->FindServiceByCode(out.service);
  if (service != nullptr && !service->answers_survey) {
    (void)RowError(row, fmt::format("{} svarer ikke på kartleggingen (den vurderes bare av "
                                    "andre tjenester)",
                                    service->label));
  }
  if (problem_cells_ != problems_before) {
    ++problem_rows_;
    return false;
  }
  ApplyRouting(out);
  const bool any_answer = std::any_of(out.answers.begin(), out.answers.end(), [](uint8_t a) {
    return a != instrument::kBlank && a != instrument::kNotAsked;
  });
  if (!any_answer) {
    ++rejected_["ingen spørsmål er besvart"];
    return false;
  }
  return true;
}

void Harmoniser::ApplyRouting(HarmonisedRow& out) {
  const auto* service = instrument_->FindServiceByCode(out.service);
  const std::string& service_key = service->key;
  auto route_away = [&](std::size_t i, const std::string& reason) {
    if (out.answers[i] == instrument::kNotAsked) return;
    if (out.answers[i] != instrument::kBlank) ++routed_away_[reason];
    out.answers[i] = instrument::kNotAsked;
  };
  for (const Route& route : routes_) {
    const instrument::Family& family = *route.family;
    const bool not_asked =
        std::find(family.not_asked_services.begin(), family.not_asked_services.end(),
                  service_key) != family.not_asked_services.end();
    const bool routed = route.condition_item &&
                        std::find(route.condition_codes.begin(), route.condition_codes.end(),
                                  static_cast<int>(out.answers[*route.condition_item])) ==
                            route.condition_codes.end();
    for (std::size_t k = route.first; k < route.end; ++k) {
      if (not_asked) {
        route_away(k, route.not_asked_reason);
      } else if (routed) {
        route_away(k, route.condition_reason);
      } else if (family.excludes_own_service && items_[k].item->partner_service == service_key) {
        route_away(k, route.own_service_reason);
      }
    }
  }
}

}  // namespace samkart::harmonise
