#include "samkart/describe/file_profile.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "samkart/core/text.h"
#include "samkart/describe/text_match.h"
#include "samkart/harmonise/harmoniser.h"

#include "fmt/format.h"

namespace samkart::describe {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// «2020-03-04», «04.03.2020 12:33», «12:33:05»: a date or a clock time.
bool LooksLikeTimestamp(std::string_view value) {
  value = text::Trim(value);
  for (std::size_t i = 0; i + 4 < value.size(); ++i) {
    // d{1,2}:dd — a clock time
    if (IsDigit(value[i]) && value[i + 1] == ':' && IsDigit(value[i + 2]) &&
        IsDigit(value[i + 3])) {
      return true;
    }
  }
  std::size_t groups = 0, digits = 0;
  char separator = 0;
  for (const char c : value) {
    if (IsDigit(c)) {
      ++digits;
      continue;
    }
    if ((c == '-' || c == '.' || c == '/') && digits > 0 && (separator == 0 || separator == c)) {
      separator = c;
      ++groups;
      digits = 0;
      continue;
    }
    break;
  }
  return groups == 2 && digits >= 2;
}

bool IsNumber(std::string_view value) {
  value = text::Trim(value);
  if (value.empty()) return false;
  bool digit = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (IsDigit(c)) {
      digit = true;
    } else if (!((c == '-' && i == 0) || c == '.' || c == ',')) {
      return false;
    }
  }
  return digit;
}

// «192.0.2.10»: four numbers up to 255 joined by dots.
bool LooksLikeIpAddress(std::string_view value) {
  value = text::Trim(value);
  int parts = 0, digits = 0, number = 0;
  for (const char c : value) {
    if (IsDigit(c)) {
      number = number * 10 + (c - '0');
      if (++digits > 3 || number > 255) return false;
    } else if (c == '.' && digits > 0) {
      ++parts;
      digits = number = 0;
    } else {
      return false;
    }
  }
  return parts == 3 && digits > 0;
}

// Header words that name a background variable or an identifier.
struct NamedColumn {
  std::string_view word;  // folded, as Words() gives it
  ColumnKind kind;
  std::string_view target;
};
constexpr NamedColumn kNamedColumns[] = {
    {"kommune", ColumnKind::kBackground, "municipality"},
    {"kommunenummer", ColumnKind::kBackground, "municipality"},
    {"kommunenr", ColumnKind::kBackground, "municipality"},
    {"municipality", ColumnKind::kBackground, "municipality"},
    {"ar", ColumnKind::kBackground, "year"},
    {"aar", ColumnKind::kBackground, "year"},
    {"arstall", ColumnKind::kBackground, "year"},
    {"year", ColumnKind::kBackground, "year"},
    {"tjeneste", ColumnKind::kBackground, "service"},
    {"tjenestested", ColumnKind::kBackground, "service"},
    {"arbeidssted", ColumnKind::kBackground, "service"},
    {"arbeidsplass", ColumnKind::kBackground, "service"},
    {"service", ColumnKind::kBackground, "service"},
    {"stilling", ColumnKind::kBackground, "position"},
    {"stillingskategori", ColumnKind::kBackground, "position"},
    {"position", ColumnKind::kBackground, "position"},
    {"korus", ColumnKind::kBackground, "region"},
    {"region", ColumnKind::kBackground, "region"},
    {"navn", ColumnKind::kIdentifier, "name"},
    {"name", ColumnKind::kIdentifier, "name"},
    {"epost", ColumnKind::kIdentifier, "email"},
    {"email", ColumnKind::kIdentifier, "email"},
    {"mail", ColumnKind::kIdentifier, "email"},
    {"telefon", ColumnKind::kIdentifier, "phone"},
    {"mobil", ColumnKind::kIdentifier, "phone"},
    {"phone", ColumnKind::kIdentifier, "phone"},
    {"tidspunkt", ColumnKind::kIdentifier, "timestamp"},
    {"starttid", ColumnKind::kIdentifier, "timestamp"},
    {"sluttid", ColumnKind::kIdentifier, "timestamp"},
    {"startdate", ColumnKind::kIdentifier, "timestamp"},
    {"enddate", ColumnKind::kIdentifier, "timestamp"},
    {"timestamp", ColumnKind::kIdentifier, "timestamp"},
    {"dato", ColumnKind::kIdentifier, "timestamp"},
    {"date", ColumnKind::kIdentifier, "timestamp"},
    {"respondent", ColumnKind::kIdentifier, "respondent_id"},
    {"respondentid", ColumnKind::kIdentifier, "respondent_id"},
    {"responseid", ColumnKind::kIdentifier, "respondent_id"},
    {"svarid", ColumnKind::kIdentifier, "respondent_id"},
    {"lopenummer", ColumnKind::kIdentifier, "respondent_id"},
    {"ipaddress", ColumnKind::kIdentifier, "ip_address"},
    {"ip", ColumnKind::kIdentifier, "ip_address"},
    {"kommentar", ColumnKind::kIdentifier, "free_text"},
    {"kommentarer", ColumnKind::kIdentifier, "free_text"},
    {"fritekst", ColumnKind::kIdentifier, "free_text"},
    {"comment", ColumnKind::kIdentifier, "free_text"},
    {"status", ColumnKind::kTechnical, ""},
    {"language", ColumnKind::kTechnical, ""},
    {"sprak", ColumnKind::kTechnical, ""},
};

// The labels a column's cells carry: its value labels, else its text values.
std::vector<std::string> SourceLabels(const ColumnProfile& column) {
  std::vector<std::string> labels;
  for (const auto& [code, label] : column.value_labels) labels.push_back(label);
  if (!labels.empty()) return labels;
  for (const ValueCount& v : column.values) {
    if (!IsNumber(v.value)) labels.push_back(v.value);
  }
  return labels;
}

// The share of the labels that match a category of `scale`.
double LabelsInScale(const std::vector<std::string>& labels, const instrument::Scale& scale,
                     const std::string& item_text) {
  if (labels.empty()) return 0;
  std::size_t matched = 0;
  for (const std::string& label : labels) {
    bool found = std::any_of(scale.categories.begin(), scale.categories.end(), [&](const auto& c) {
      return LabelSimilarity(label, c.label) >= kSameLabel;
    });
    // A ticked checkbox is often exported as the option's own text.
    found = found || LabelSimilarity(label, item_text) >= kSameLabel;
    matched += found ? 1 : 0;
  }
  return static_cast<double>(matched) / static_cast<double>(labels.size());
}

// The share of numeric values that are codes of `scale` (weaker evidence:
// 1–5 fits many scales).
double CodesInScale(const ColumnProfile& column, const instrument::Scale& scale) {
  std::size_t numeric = 0, matched = 0;
  for (const ValueCount& v : column.values) {
    if (!IsNumber(v.value)) continue;
    ++numeric;
    const auto code = text::ParseInt(text::Trim(v.value));
    if (code && scale.Find(*code) != nullptr) ++matched;
  }
  return numeric == 0 ? 0 : static_cast<double>(matched) / static_cast<double>(numeric);
}

struct ItemScore {
  const instrument::Family* family = nullptr;
  const instrument::Item* item = nullptr;
  double total = 0;
  double text_item = 0, text_stem = 0, scale = 0;
  bool labelled = false;  // the scale score rests on labels, not codes
};

ItemScore ScoreItem(const instrument::Instrument& instrument, const instrument::Family& family,
                    const instrument::Item& item, const std::vector<std::string>& header,
                    const std::vector<std::string>& stem, const std::vector<std::string>& labels,
                    const ColumnProfile& column) {
  ItemScore s{&family, &item};
  const std::vector<std::string> item_words = Words(item.text);
  // The question's text, its short label or its id («learning_difficulties»,
  // as analysts who know the codebook name their columns).
  s.text_item =
      std::max({Containment(item_words, header),
                item.short_label.empty() ? 0.0 : Containment(Words(item.short_label), header),
                Containment(Words(item.id), header)});
  s.text_stem = std::max(Containment(stem, header), Containment(Words(family.id), header));
  // How much of the header the question explains: of two items whose words
  // both occur in «… fra minoritetsfamilier om alvorlige forhold», the one
  // that also has «minoritetsfamilier» wins.
  std::vector<std::string> question = item_words;
  question.insert(question.end(), stem.begin(), stem.end());
  for (const std::string& id : {item.id, family.id}) {
    for (std::string& w : Words(id)) question.push_back(std::move(w));
  }
  const double explained = Containment(header, question);
  const double text_score = 0.6 * s.text_item + 0.2 * s.text_stem + 0.2 * explained;
  const instrument::Scale* scale = instrument.FindScale(family.scale);
  // Answer labels that are not the scale's (an older wording) need mapping,
  // but do not make the question another one: they weigh less than the text.
  if (scale != nullptr && !labels.empty()) {
    s.scale = LabelsInScale(labels, *scale, item.text);
    s.labelled = true;
    s.total = text_score * (0.55 + 0.45 * s.scale);
  } else if (scale != nullptr && !column.values.empty()) {
    s.scale = CodesInScale(column, *scale);
    s.total = text_score * (0.6 + 0.3 * s.scale);
  } else {
    s.total = text_score * 0.7;
  }
  return s;
}

std::string Percent(double share) { return fmt::format("{} %", std::lround(share * 100)); }

std::optional<ColumnGuess> GuessAnswer(const instrument::Instrument& instrument,
                                       const ColumnProfile& column) {
  const std::vector<std::string> header = Words(column.name + " " + column.label);
  if (header.empty()) return std::nullopt;
  const std::vector<std::string> labels = SourceLabels(column);
  ItemScore best, second;
  for (const auto& family : instrument.families) {
    const std::vector<std::string> stem = Words(family.stem + " " + family.title);
    for (const auto& item : family.items) {
      const ItemScore s = ScoreItem(instrument, family, item, header, stem, labels, column);
      if (s.total > best.total) {
        second = best;
        best = s;
      } else if (s.total > second.total) {
        second = s;
      }
    }
  }
  constexpr double kAnswerFloor = 0.4;
  if (best.family == nullptr || best.total < kAnswerFloor) return std::nullopt;
  ColumnGuess guess;
  guess.kind = ColumnKind::kAnswer;
  guess.target = best.family->id + "." + best.item->id;
  guess.confidence = best.total;
  // The runner-up's question inside the best one's («har psykiske vansker»
  // in «har foreldre/foresatte med psykiske vansker»), with all of the
  // longer one in the header: the more specific question is meant.
  const bool more_specific =
      second.family == best.family && second.item != nullptr && best.text_item >= 0.99 &&
      Containment(Words(second.item->text), Words(best.item->text)) >= 0.99 &&
      Words(best.item->text).size() > Words(second.item->text).size();
  // Sure only when the text fits, nothing else fits nearly as well, and the
  // answers need no translation (labels of the scale itself).
  const bool question_sure =
      best.total >= 0.7 && (best.total - second.total >= 0.1 || more_specific);
  const bool labels_fit = !best.labelled || best.scale >= 0.8;
  guess.sure = question_sure && labels_fit;
  guess.answers_need_mapping = question_sure && !labels_fit;
  guess.reason = fmt::format("teksten dekker spørsmålet «{}» ({}) og innledningen ({})",
                             best.item->text, Percent(best.text_item), Percent(best.text_stem));
  if (best.labelled && best.scale < 0.8) {
    guess.reason += fmt::format(
        "; bare {} av svarverdiene finnes i skalaen «{}» – de andre må oversettes til skalaens "
        "koder",
        Percent(best.scale), best.family->scale);
  } else if (best.labelled) {
    guess.reason += fmt::format("; {} av svarverdiene finnes i skalaen «{}»", Percent(best.scale),
                                best.family->scale);
  } else if (!column.values.empty()) {
    guess.reason += fmt::format("; {} av tallkodene finnes i skalaen «{}»", Percent(best.scale),
                                best.family->scale);
  }
  if (second.family != nullptr && best.total - second.total < 0.1 && !more_specific) {
    guess.reason += fmt::format("; nesten like godt: {}.{}", second.family->id, second.item->id);
  }
  return guess;
}

// The share of a column's values that name a service (or a position). A
// number that is one of their codes counts for less: codes are only
// Samkart's own if the export was coded with its codebook.
template <typename Codes>
double ValuesNaming(const ColumnProfile& column, const Codes& codes) {
  double named = 0;
  std::size_t all = 0;
  for (const ValueCount& v : column.values) {
    all += v.count;
    const auto code = text::ParseInt(text::Trim(v.value));
    const bool found = std::any_of(codes.begin(), codes.end(), [&](const auto& c) {
      return LabelSimilarity(v.value, c.label) >= kSameLabel ||
             (!c.short_label.empty() && LabelSimilarity(v.value, c.short_label) >= kSameLabel) ||
             text::FoldLabel(v.value) == c.key;
    });
    const bool coded = code && std::any_of(codes.begin(), codes.end(),
                                           [&](const auto& c) { return c.code == *code; });
    named += found ? static_cast<double>(v.count) : coded ? 0.6 * static_cast<double>(v.count) : 0;
  }
  return all == 0 ? 0 : named / static_cast<double>(all);
}

double Share(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0 : static_cast<double>(part) / static_cast<double>(whole);
}

// Identities by content: e-mails, phone numbers, timestamps, ids, free text.
std::optional<ColumnGuess> GuessIdentity(const ColumnProfile& column) {
  const std::size_t filled = column.filled;
  if (filled == 0) return std::nullopt;
  auto guess = [](std::string target, double confidence, bool sure, std::string reason) {
    return ColumnGuess{ColumnKind::kIdentifier, std::move(target), confidence, sure,
                       std::move(reason)};
  };
  if (Share(column.emails, filled) >= 0.5) {
    return guess("email", Share(column.emails, filled), true,
                 fmt::format("{} av verdiene ser ut som e-postadresser",
                             Percent(Share(column.emails, filled))));
  }
  if (Share(column.phones, filled) >= 0.5) {
    return guess("phone", Share(column.phones, filled), true,
                 fmt::format("{} av verdiene ser ut som telefonnumre",
                             Percent(Share(column.phones, filled))));
  }
  if (Share(column.ip_addresses, filled) >= 0.5) {
    return guess(
        "ip_address", Share(column.ip_addresses, filled), true,
        fmt::format("{} av verdiene er IP-adresser", Percent(Share(column.ip_addresses, filled))));
  }
  if (Share(column.timestamps, filled) >= 0.8) {
    return guess("timestamp", Share(column.timestamps, filled), true,
                 fmt::format("{} av verdiene er datoer eller klokkeslett",
                             Percent(Share(column.timestamps, filled))));
  }
  const bool all_distinct = column.more_values || column.values.size() == filled;
  const double mean_length = Share(column.text_bytes, filled);
  if (all_distinct && filled >= 20 && mean_length >= 20 && column.numbers < filled / 2) {
    return guess("free_text", 0.8, true,
                 fmt::format("fritekst: ulike verdier, i snitt {} tegn", std::lround(mean_length)));
  }
  if (all_distinct && filled >= 20) {
    return guess("respondent_id", 0.7, false,
                 "hver rad har sin egen verdi (en løpenummer eller id)");
  }
  return std::nullopt;
}

}  // namespace

const char* KindName(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kAnswer:
      return "svar";
    case ColumnKind::kBackground:
      return "bakgrunn";
    case ColumnKind::kIdentifier:
      return "identifikator";
    case ColumnKind::kTechnical:
      return "teknisk";
    case ColumnKind::kUnknown:
      break;
  }
  return "ukjent";
}

ColumnGuess GuessColumn(const instrument::Instrument& instrument, const ColumnProfile& column,
                        std::size_t rows) {
  if (column.filled == 0) {
    return {ColumnKind::kTechnical, "", 1, true, "kolonnen er tom"};
  }
  // Personal data by content first: whatever the header says, it is dropped.
  if (auto identity = GuessIdentity(column);
      identity && (identity->target == "email" || identity->target == "phone" ||
                   identity->target == "ip_address")) {
    return *identity;
  }
  const std::vector<std::string> header = Words(column.name + " " + column.label, true);
  for (const NamedColumn& named : kNamedColumns) {
    if (std::none_of(header.begin(), header.end(),
                     [&](const std::string& w) { return SameWord(w, named.word); })) {
      continue;
    }
    // A name says what a column is only in a short header: a question may
    // mention «tjenester» or «language».
    if (named.kind != ColumnKind::kBackground) {
      if (header.size() > (named.kind == ColumnKind::kTechnical ? 1u : 3u)) continue;
      return {named.kind, std::string(named.target), 0.8, true,
              fmt::format("overskriften nevner «{}»", named.word)};
    }
    if (Words(column.name + " " + column.label).size() > 3) continue;
    // A background header: the content should agree.
    double agree = 0.5;
    if (named.target == "service") agree = ValuesNaming(column, instrument.services);
    if (named.target == "position") agree = ValuesNaming(column, instrument.positions);
    if (named.target == "year") agree = Share(column.numbers, column.filled);
    if (named.target == "municipality") agree = 1;
    // «kjenner_tjenester_…» answered Ja/Nei is not the service column.
    if ((named.target == "service" || named.target == "position") && agree < 0.5) continue;
    const std::string reason =
        named.target == "service" || named.target == "position"
            ? fmt::format("overskriften nevner «{}»; {} av svarene er kjente verdier", named.word,
                          Percent(agree))
            : fmt::format("overskriften nevner «{}»", named.word);
    return {ColumnKind::kBackground, std::string(named.target), 0.5 + 0.5 * agree, agree >= 0.8,
            reason};
  }
  if (const double services = ValuesNaming(column, instrument.services); services >= 0.7) {
    return {ColumnKind::kBackground, "service", services, services >= 0.9,
            fmt::format("{} av svarene er navn på tjenester", Percent(services))};
  }
  if (const double positions = ValuesNaming(column, instrument.positions); positions >= 0.7) {
    return {ColumnKind::kBackground, "position", positions, positions >= 0.9,
            fmt::format("{} av svarene er navn på stillinger", Percent(positions))};
  }
  if (auto answer = GuessAnswer(instrument, column)) return *answer;
  if (auto identity = GuessIdentity(column)) return *identity;
  if (column.values.size() == 1 && !column.more_values && column.filled == rows) {
    return {ColumnKind::kTechnical, "", 0.6, false,
            fmt::format("samme verdi på alle rader («{}»)", column.values[0].value)};
  }
  return {ColumnKind::kUnknown, "", 0, false, "ingen tekst eller verdi kjennes igjen"};
}

Result<FileProfile> ProfileFile(const std::string& path, const instrument::Instrument& instrument,
                                const io::SourceOptions& options) {
  SAMKART_ASSIGN_OR_RETURN(auto source, io::OpenSourceFile(path, options));
  FileProfile profile;
  profile.file = path;
  profile.format = source->info().format;
  profile.details = source->info().details;
  profile.row_unit = source->info().row_unit;
  profile.sheets = source->info().sheets;
  const auto& columns = source->columns();
  std::vector<std::unordered_map<std::string, std::size_t>> counts(columns.size());
  for (const auto& c : columns) {
    ColumnProfile column;
    column.name = c.name;
    column.label = c.label;
    column.value_labels = c.value_labels;
    profile.columns.push_back(std::move(column));
  }
  io::SourceRow row;
  while (source->Next(row)) {
    ++profile.rows;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      ColumnProfile& column = profile.columns[i];
      std::string value = i < row.text.size() ? std::string(text::Trim(row.text[i])) : "";
      if (value.empty()) {
        ++column.empty;
        continue;
      }
      // A labelled number (SPSS) is listed by its label.
      if (i < row.numbers.size() && row.numbers[i]) {
        ++column.numbers;
        for (const auto& [code, label] : column.value_labels) {
          if (code == *row.numbers[i]) value = label;
        }
      } else if (IsNumber(value)) {
        ++column.numbers;
      }
      ++column.filled;
      column.text_bytes += value.size();
      if (harmonise::LooksLikeEmail(value)) ++column.emails;
      if (harmonise::LooksLikePhoneNumber(value)) ++column.phones;
      if (LooksLikeTimestamp(value)) ++column.timestamps;
      if (LooksLikeIpAddress(value)) ++column.ip_addresses;
      auto& seen = counts[i];
      if (auto it = seen.find(value); it != seen.end()) {
        ++it->second;
      } else if (seen.size() < kTrackedValues) {
        seen.emplace(std::move(value), 1);
      } else {
        column.more_values = true;
      }
    }
  }
  if (!source->error().empty()) return Error{source->error()};
  for (std::size_t i = 0; i < columns.size(); ++i) {
    ColumnProfile& column = profile.columns[i];
    for (auto& [value, count] : counts[i]) column.values.push_back({value, count});
    std::sort(column.values.begin(), column.values.end(), [](const auto& a, const auto& b) {
      return a.count != b.count ? a.count > b.count : a.value < b.value;
    });
    column.guess = GuessColumn(instrument, column, profile.rows);
    // Personal data stays in the file: an identifier's values are shown
    // masked («a…@e….org»), as the import's error messages show them.
    if (column.guess.kind == ColumnKind::kIdentifier) {
      for (ValueCount& v : column.values) v.value = harmonise::Mask(v.value);
    }
  }
  return profile;
}

}  // namespace samkart::describe
