#include "samkart/describe/profile_output.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "samkart/core/text.h"

#include "fmt/format.h"

namespace samkart::describe {

namespace {

// The Norwegian name of a crosswalk target word, shown before the word the
// crosswalk file uses.
std::string TargetName(const std::string& target) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"municipality", "kommune"},  {"year", "år"},
      {"service", "tjenestested"},  {"position", "stilling"},
      {"region", "KORUS-region"},   {"size_group", "kommunestørrelse"},
      {"round_type", "rundetype"},  {"email", "e-post"},
      {"phone", "telefonnummer"},   {"ip_address", "IP-adresse"},
      {"timestamp", "tidspunkt"},   {"free_text", "fritekst"},
      {"respondent_id", "svar-id"}, {"name", "navn"},
  };
  for (const auto& [word, name] : kNames) {
    if (target == word) return fmt::format("{} («{}»)", name, word);
  }
  return target;
}

std::string Quote(const std::string& value) {
  constexpr std::size_t kShown = 60;
  if (value.size() <= kShown) return "«" + value + "»";
  std::size_t cut = kShown;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return "«" + value.substr(0, cut) + "…»";
}

}  // namespace

// «svar på «Læringsvansker» i «Kunnskap om risikofaktorer»
// (risk_identification.learning_difficulties)»
std::string GuessDescription(const ColumnGuess& guess, const instrument::Instrument& instrument) {
  switch (guess.kind) {
    case ColumnKind::kAnswer: {
      const instrument::Family* family = nullptr;
      const instrument::Item* item = instrument.FindItem(guess.target, &family);
      if (item == nullptr || family == nullptr) return "svar på " + guess.target;
      return fmt::format("svar på «{}» i «{}» ({})", item->text, family->title, guess.target);
    }
    case ColumnKind::kBackground:
      return "bakgrunn: " + TargetName(guess.target);
    case ColumnKind::kIdentifier:
      return "identifikator: " + TargetName(guess.target) + ", fjernes ved import";
    case ColumnKind::kTechnical:
      return "teknisk, leses ikke";
    case ColumnKind::kUnknown:
      break;
  }
  return "ukjent – må avgjøres";
}

std::string ProfileText(const FileProfile& profile, const instrument::Instrument& instrument) {
  std::string out = fmt::format("{}: {}{}, {} rader og {} kolonner\n", profile.file, profile.format,
                                profile.details.empty() ? "" : " (" + profile.details + ")",
                                profile.rows, profile.columns.size());
  if (profile.sheets.size() > 1) {
    std::vector<std::string> sheets;
    for (const std::string& sheet : profile.sheets) sheets.push_back(Quote(sheet));
    out += fmt::format("Arbeidsboken har {} ark: {}; velg et annet med --sheet NAVN\n",
                       profile.sheets.size(), text::Join(sheets, ", "));
  }
  std::size_t sure = 0;
  for (std::size_t i = 0; i < profile.columns.size(); ++i) {
    const ColumnProfile& c = profile.columns[i];
    sure += c.guess.sure ? 1 : 0;
    out += fmt::format("\n[{}] {}\n", i + 1, Quote(c.name));
    if (!c.label.empty()) out += fmt::format("    etikett: {}\n", Quote(c.label));
    out +=
        fmt::format("    gjetning: {} – {} ({} %)\n", GuessDescription(c.guess, instrument),
                    c.guess.sure ? "sikker" : "må sjekkes", std::lround(c.guess.confidence * 100));
    out += fmt::format("    grunn: {}\n", c.guess.reason);
    out += fmt::format("    utfylt: {} av {}", c.filled, profile.rows);
    if (c.guess.kind == ColumnKind::kIdentifier) {
      out += fmt::format("; {}{} ulike verdier, vises ikke", c.more_values ? "over " : "",
                         c.values.size());
    } else if (!c.values.empty()) {
      std::vector<std::string> shown;
      for (std::size_t v = 0; v < c.values.size() && v < kValuesShown; ++v) {
        shown.push_back(fmt::format("{} {}", Quote(c.values[v].value), c.values[v].count));
      }
      const std::size_t rest = c.values.size() - shown.size();
      out += fmt::format("; verdier: {}{}", text::Join(shown, ", "),
                         rest > 0 || c.more_values
                             ? fmt::format(" og {}{} til", c.more_values ? "minst " : "", rest)
                             : "");
    }
    out += "\n";
  }
  out += fmt::format("\n{} av {} kolonner er gjettet sikkert; resten må sjekkes.\n", sure,
                     profile.columns.size());
  return out;
}

std::string ProfileJson(const FileProfile& profile) {
  nlohmann::json columns = nlohmann::json::array();
  for (std::size_t i = 0; i < profile.columns.size(); ++i) {
    const ColumnProfile& c = profile.columns[i];
    nlohmann::json values = nlohmann::json::array();
    for (const ValueCount& v : c.values) values.push_back({{"value", v.value}, {"count", v.count}});
    nlohmann::json labels = nlohmann::json::array();
    for (const auto& [code, label] : c.value_labels) {
      labels.push_back({{"code", code}, {"label", label}});
    }
    columns.push_back({
        {"index", i + 1},
        {"name", c.name},
        {"label", c.label},
        {"value_labels", labels},
        {"filled", c.filled},
        {"empty", c.empty},
        {"values", values},
        {"more_values", c.more_values},
        {"guess",
         {{"kind", KindName(c.guess.kind)},
          {"target", c.guess.target},
          {"confidence", std::round(c.guess.confidence * 100) / 100},
          {"sure", c.guess.sure},
          {"reason", c.guess.reason}}},
    });
  }
  const nlohmann::json out = {{"file", profile.file},       {"format", profile.format},
                              {"details", profile.details}, {"row_unit", profile.row_unit},
                              {"rows", profile.rows},       {"sheets", profile.sheets},
                              {"columns", columns}};
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace samkart::describe
