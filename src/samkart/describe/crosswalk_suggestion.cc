#include "samkart/describe/crosswalk_suggestion.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/describe/text_match.h"
#include "samkart/io/csv_reader.h"

namespace samkart::describe {

namespace {

using instrument::Instrument;
using instrument::Scale;

bool IsNumberText(std::string_view value) {
  value = text::Trim(value);
  return !value.empty() && text::ParseInt(value).has_value();
}

std::string CodeText(double code) {
  return code == static_cast<int>(code) ? std::to_string(static_cast<int>(code))
                                        : fmt::format("{}", code);
}

// The category of `scale` a source label names, and how alike they are.
struct LabelMatch {
  const instrument::Category* category = nullptr;
  double similarity = 0;
  bool exact = false;  // the same label once case and spacing are folded
};

LabelMatch MatchLabel(const std::string& label, const Scale& scale) {
  LabelMatch best;
  for (const auto& c : scale.categories) {
    const double s = LabelSimilarity(label, c.label);
    if (s > best.similarity) best = {&c, s, text::FoldLabel(label) == text::FoldLabel(c.label)};
  }
  return best;
}

// Background variables whose values are categories of a classification.
template <typename Codes>
const instrument::Code* MatchCode(const std::string& value, const Codes& codes, double& score) {
  const instrument::Code* best = nullptr;
  score = 0;
  for (const auto& c : codes) {
    double s = std::max(LabelSimilarity(value, c.label),
                        c.short_label.empty() ? 0.0 : LabelSimilarity(value, c.short_label));
    if (text::FoldLabel(value) == c.key) s = 1;
    // «Helsestasjon» for «Helsestasjon og skolehelsetjeneste»: most of the
    // value's words in the label is a guess worth showing, not a sure one.
    const double words = Containment(Words(value), Words(c.label + " " + c.short_label));
    s = std::max(s, 0.8 * words);
    if (s > score) {
      score = s;
      best = &c;
    }
  }
  return best;
}

class Drafter {
 public:
  Drafter(const FileProfile& profile, const Instrument& instrument)
      : profile_(profile), instrument_(instrument) {}

  CrosswalkSuggestion Run(const std::optional<std::string>& generation) {
    out_.columns = profile_.columns.size();
    ChooseGeneration(generation);
    ClaimTargets();
    for (std::size_t c = 0; c < profile_.columns.size(); ++c) Column(c);
    for (auto& [scale, rows] : scale_rows_) {
      for (auto& row : rows) out_.rows.push_back(std::move(row.second));
    }
    return std::move(out_);
  }

 private:
  // The generation asking the most of the answers found; the current one on a tie.
  void ChooseGeneration(const std::optional<std::string>& requested) {
    if (requested) {
      out_.generation = *requested;
      out_.generation_reason = "oppgitt (--generation)";
      return;
    }
    std::size_t answers = 0;
    std::map<std::string, std::size_t> asked;
    for (const auto& column : profile_.columns) {
      if (column.guess.kind != ColumnKind::kAnswer) continue;
      ++answers;
      for (const auto& g : instrument_.generations) {
        const auto* crosswalk = instrument_.FindCrosswalk(g.id);
        const bool asks =
            crosswalk != nullptr &&
            std::any_of(crosswalk->variables.begin(), crosswalk->variables.end(),
                        [&](const auto& v) { return v.target == column.guess.target; });
        asked[g.id] += asks ? 1 : 0;
      }
    }
    const instrument::Generation* best = instrument_.CurrentGeneration();
    if (best == nullptr && !instrument_.generations.empty()) best = &instrument_.generations.back();
    if (best == nullptr) return;
    for (const auto& g : instrument_.generations) {
      if (asked[g.id] > asked[best->id]) best = &g;
    }
    out_.generation = best->id;
    out_.generation_reason =
        fmt::format("{} stiller {} av de {} spørsmålene filen ser ut til å besvare{}", best->id,
                    asked[best->id], answers, best->current ? " (den gjeldende generasjonen)" : "");
  }

  // Each target once: the most confident column gets it, another column
  // guessed the same is left for review.
  void ClaimTargets() {
    std::map<std::string, std::size_t> best;
    for (std::size_t c = 0; c < profile_.columns.size(); ++c) {
      const ColumnGuess& g = profile_.columns[c].guess;
      if (g.kind != ColumnKind::kAnswer && g.kind != ColumnKind::kBackground) continue;
      auto [it, first] = best.emplace(g.target, c);
      if (!first && g.confidence > profile_.columns[it->second].guess.confidence) it->second = c;
    }
    for (const auto& [target, column] : best) owner_[target] = column;
  }

  SuggestedRow Row(const ColumnProfile& column, std::string role, std::string target) const {
    SuggestedRow row;
    row.source_variable = column.name;
    row.source_question = column.label.empty() ? column.name : column.label;
    row.role = std::move(role);
    row.target = std::move(target);
    return row;
  }

  void Column(std::size_t index) {
    const ColumnProfile& column = profile_.columns[index];
    const ColumnGuess& guess = column.guess;
    const std::size_t first_row = out_.rows.size();
    const bool owns =
        (guess.kind != ColumnKind::kAnswer && guess.kind != ColumnKind::kBackground) ||
        owner_.at(guess.target) == index;
    if (!owns) {
      SuggestedRow row = Row(column, "ignore", "");
      row.sure = false;
      row.reason = fmt::format("ser også ut som «{}», men kolonnen «{}» passer bedre; velg én",
                               guess.target, profile_.columns[owner_.at(guess.target)].name);
      out_.rows.push_back(std::move(row));
    } else {
      switch (guess.kind) {
        case ColumnKind::kAnswer:
          Answer(column);
          break;
        case ColumnKind::kBackground:
          Background(column);
          break;
        case ColumnKind::kIdentifier: {
          SuggestedRow row = Row(column, "identifier", guess.target);
          row.sure = guess.sure;
          row.reason = guess.reason + "; fjernes ved import";
          out_.rows.push_back(std::move(row));
          break;
        }
        case ColumnKind::kTechnical: {
          SuggestedRow row = Row(column, "ignore", "");
          row.sure = guess.sure;
          row.reason = guess.reason;
          out_.rows.push_back(std::move(row));
          break;
        }
        case ColumnKind::kUnknown: {
          SuggestedRow row = Row(column, "ignore", "");
          row.sure = false;
          row.reason = guess.reason +
                       "; ignoreres – er det et svar, skriv rollen answer og spørsmålet "
                       "(familie.spørsmål fra kodeboken)";
          out_.rows.push_back(std::move(row));
          break;
        }
      }
    }
    const bool checked =
        std::any_of(out_.rows.begin() + static_cast<std::ptrdiff_t>(first_row), out_.rows.end(),
                    [](const SuggestedRow& r) { return !r.sure; });
    if (checked) ++out_.columns_to_check;
  }

  // The values a column's cells hold, as the importer will see them: value
  // labels (with their codes) when the file has them, else the text.
  struct SourceValue {
    std::optional<double> code;
    std::string label;
  };
  static std::vector<SourceValue> Values(const ColumnProfile& column) {
    std::set<std::string> seen;
    for (const ValueCount& v : column.values) seen.insert(v.value);
    std::vector<SourceValue> values;
    std::set<std::string> labels;
    for (const auto& [code, label] : column.value_labels) {
      labels.insert(label);
      // A label no cell uses needs no decision.
      if (seen.contains(label) || column.more_values) values.push_back({code, label});
    }
    for (const ValueCount& v : column.values) {
      if (labels.contains(v.value)) continue;
      if (IsNumberText(v.value)) {
        values.push_back({static_cast<double>(*text::ParseInt(text::Trim(v.value))), ""});
      } else {
        values.push_back({std::nullopt, v.value});
      }
    }
    return values;
  }

  void Answer(const ColumnProfile& column) {
    const ColumnGuess& guess = column.guess;
    const instrument::Family* family = nullptr;
    const instrument::Item* item = instrument_.FindItem(guess.target, &family);
    const Scale* scale = family != nullptr ? instrument_.FindScale(family->scale) : nullptr;
    SuggestedRow head = Row(column, "answer", guess.target);
    // Labels outside the scale get rows of their own, to check there.
    head.sure = guess.sure || guess.answers_need_mapping;
    head.reason = guess.reason;
    out_.rows.push_back(head);
    if (scale == nullptr || item == nullptr) return;
    for (const SourceValue& value : Values(column)) {
      if (!value.label.empty()) {
        const LabelMatch match = MatchLabel(value.label, *scale);
        if (match.exact) continue;  // the scale's own label: read without a row
        if (match.similarity >= kSameLabel) {
          AddScaleRow(*scale, value, std::to_string(match.category->code), true,
                      fmt::format("«{}» er skalaens «{}»", value.label, match.category->label));
          continue;
        }
        // A ticked checkbox exported as the option's own text.
        if (family->type == instrument::FamilyType::kMultipleChoice &&
            LabelSimilarity(value.label, item->text) >= kSameLabel && scale->Find(1) != nullptr) {
          SuggestedRow row = head;
          row.source_code = value.code ? CodeText(*value.code) : "";
          row.source_label = value.label;
          row.target_code = "1";
          row.sure = true;
          row.reason = "et kryss er skrevet som alternativets tekst";
          out_.rows.push_back(std::move(row));
          continue;
        }
        AddScaleRow(*scale, value, "", false,
                    fmt::format("«{}» finnes ikke i skalaen «{}» ({}); tom målkode regnes som "
                                "ikke besvart – skriv koden om den svarer til en kategori",
                                value.label, scale->id, Categories(*scale)));
        continue;
      }
      // A bare number: the scale's own code, if it has one, to be confirmed.
      const int code = static_cast<int>(*value.code);
      if (const auto* category = scale->Find(code)) {
        AddScaleRow(*scale, value, std::to_string(code), false,
                    fmt::format("tallkoden {} antas å bety skalaens {} «{}»; sjekk mot "
                                "verktøyets kodebok",
                                code, code, category->label));
      } else {
        AddScaleRow(*scale, value, "", false,
                    fmt::format("tallkoden {} finnes ikke i skalaen «{}» ({}); tom målkode regnes "
                                "som ikke besvart",
                                code, scale->id, Categories(*scale)));
      }
    }
  }

  static std::string Categories(const Scale& scale) {
    std::vector<std::string> parts;
    for (const auto& c : scale.categories)
      parts.push_back(fmt::format("{} = «{}»", c.code, c.label));
    return text::Join(parts, ", ");
  }

  // A label or code the layout writes for a scale's category: one row for
  // the whole layout, whichever column showed it first.
  void AddScaleRow(const Scale& scale, const SourceValue& value, const std::string& target_code,
                   bool sure, std::string reason) {
    const std::string key =
        value.label.empty() ? "#" + CodeText(*value.code) : text::FoldLabel(value.label);
    auto& rows = scale_rows_[scale.id];
    if (rows.contains(key)) return;
    SuggestedRow row;
    row.role = "scale";
    row.target = scale.id;
    row.source_code = value.code ? CodeText(*value.code) : "";
    row.source_label = value.label;
    row.target_code = target_code;
    row.sure = sure;
    row.reason = std::move(reason);
    rows.emplace(key, std::move(row));
  }

  void Background(const ColumnProfile& column) {
    const ColumnGuess& guess = column.guess;
    SuggestedRow head = Row(column, "background", guess.target);
    head.sure = guess.sure;
    head.reason = guess.reason;
    const std::string& target = guess.target;
    const bool categorical = target == "service" || target == "position" ||
                             target == "size_group" || target == "region" || target == "round_type";
    if (!categorical) {
      out_.rows.push_back(std::move(head));
      return;
    }
    for (const SourceValue& value : Values(column)) {
      SuggestedRow row = head;
      row.source_code = value.code ? CodeText(*value.code) : "";
      row.source_label = value.label;
      double score = 0;
      const instrument::Code* code = nullptr;
      const std::string shown = value.label.empty() ? row.source_code : value.label;
      if (target == "service") code = MatchCode(shown, instrument_.services, score);
      if (target == "position") code = MatchCode(shown, instrument_.positions, score);
      if (target == "size_group") code = MatchCode(shown, instrument_.size_groups, score);
      if (target == "region") code = MatchCode(shown, instrument_.regions, score);
      if (target == "round_type") code = MatchCode(shown, instrument_.round_types, score);
      if (code != nullptr && score >= kSameLabel && !value.label.empty()) {
        row.target_code = std::to_string(code->code);
        row.sure = true;
        row.reason = fmt::format("«{}» er «{}»", value.label, code->label);
      } else if (code != nullptr && score >= 0.5) {
        row.target_code = std::to_string(code->code);
        row.sure = false;
        row.reason = fmt::format("«{}» er trolig «{}»; sjekk", shown, code->label);
      } else {
        row.sure = false;
        row.reason = fmt::format(
            "«{}» kjennes ikke igjen; skriv koden (se kodeboken: samkart "
            "instrument show)",
            shown);
      }
      out_.rows.push_back(std::move(row));
    }
    if (column.more_values) {
      SuggestedRow& last = out_.rows.back();
      last.sure = false;
      last.reason += fmt::format("; kolonnen har flere enn {} ulike verdier, ikke alle er med",
                                 kTrackedValues);
    }
  }

  const FileProfile& profile_;
  const Instrument& instrument_;
  CrosswalkSuggestion out_;
  std::map<std::string, std::size_t> owner_;  // target → the column that gets it
  // Scale → its label variants and codes in this layout, by folded label or «#code».
  std::map<std::string, std::map<std::string, SuggestedRow>> scale_rows_;
};

}  // namespace

CrosswalkSuggestion SuggestCrosswalk(const FileProfile& profile, const Instrument& instrument,
                                     const std::optional<std::string>& generation) {
  return Drafter(profile, instrument).Run(generation);
}

std::string SuggestionSummary(const CrosswalkSuggestion& suggestion) {
  const auto to_check = std::count_if(suggestion.rows.begin(), suggestion.rows.end(),
                                      [](const SuggestedRow& row) { return !row.sure; });
  return fmt::format("{} kolonner, {} av dem sikre; {} rader, {} merket «sjekk»",
                     suggestion.columns, suggestion.columns - suggestion.columns_to_check,
                     suggestion.rows.size(), to_check);
}

std::string CrosswalkCsv(const CrosswalkSuggestion& suggestion) {
  auto cell = [](const std::string& value) {
    std::string quoted = text::NeutraliseFormula(value);
    if (quoted.find_first_of(";\"\r\n") != std::string::npos) {
      std::string escaped = "\"";
      for (const char c : quoted) {
        escaped += c;
        if (c == '"') escaped += '"';
      }
      return escaped + "\"";
    }
    return quoted;
  };
  std::string out = "\xEF\xBB\xBF";
  out +=
      "source_variable;source_question;role;target;source_code;source_label;target_code;note;"
      "generation\r\n";
  for (const SuggestedRow& row : suggestion.rows) {
    const std::string note = (row.sure ? "sikker: " : "sjekk: ") + row.reason;
    for (const std::string* field :
         {&row.source_variable, &row.source_question, &row.role, &row.target, &row.source_code,
          &row.source_label, &row.target_code, &note}) {
      out += cell(*field) + ";";
    }
    out += cell(suggestion.generation) + "\r\n";
  }
  return out;
}

std::string LayoutName(const std::string& generation, const std::string& file) {
  std::string name = text::FoldLabel(generation) + "-";
  const std::string stem = std::filesystem::path(file).stem().string();
  for (const std::string& word : Words(stem, true)) {
    if (name.back() != '-') name += '-';
    name += word;
  }
  if (name.back() == '-') name += "oppsett";
  return name;
}

}  // namespace samkart::describe
