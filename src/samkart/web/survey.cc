#include "samkart/web/survey.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "samkart/analysis/linked_cells.h"
#include "samkart/anonymise/k_anonymity.h"
#include "samkart/core/sha256.h"
#include "samkart/core/text.h"
#include "samkart/import/batch_builder.h"
#include "samkart/import/content_fingerprint.h"
#include "samkart/io/source_reader.h"
#include "samkart/web/app.h"

namespace samkart::web {

namespace {

using instrument::SourceRole;
using instrument::SourceVariable;

// The draft as a one-row source file: the crosswalk's own column names, so
// the harmoniser treats it exactly as a row of an imported export.
class DraftSource final : public io::SourceReader {
 public:
  DraftSource(std::vector<io::SourceColumn> columns, std::vector<std::string> values)
      : columns_(std::move(columns)), values_(std::move(values)) {}

  const io::SourceInfo& info() const override { return info_; }
  const std::vector<io::SourceColumn>& columns() const override { return columns_; }
  bool Next(io::SourceRow& row) override {
    if (done_) return false;
    done_ = true;
    row.number = 1;
    row.text = values_;
    row.numbers.assign(values_.size(), std::nullopt);
    return true;
  }
  const std::string& error() const override { return error_; }
  double progress() const override { return done_ ? 1.0 : 0.0; }

 private:
  io::SourceInfo info_{"Samkart nettskjema", "ett svar fra nettskjemaet", "svar"};
  std::vector<io::SourceColumn> columns_;
  std::vector<std::string> values_;
  std::string error_;
  bool done_ = false;
};

// The source value the crosswalk recodes to `code`: its source code, else
// its label; the code itself when the crosswalk has no such category (the
// harmoniser then refuses it, naming the categories it knows).
std::string SourceValue(const SourceVariable& variable, int code) {
  for (const auto& m : variable.categories) {
    if (m.target_code != code) continue;
    if (m.source_code) return std::to_string(*m.source_code);
    if (!m.source_label.empty()) return m.source_label;
  }
  return std::to_string(code);
}

bool Contains(const std::vector<std::string>& keys, const std::string& key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

bool Contains(const std::vector<int>& codes, int code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

constexpr const char* kAlreadyClosed = "Runden er allerede avsluttet.";

}  // namespace

std::string SurveyDraft::ToJson() const {
  nlohmann::json out = nlohmann::json::object();
  if (service) out["tjeneste"] = *service;
  if (position) out["stilling"] = *position;
  nlohmann::json svar = nlohmann::json::object();
  for (const auto& [item, code] : answers) svar[item] = code;
  out["svar"] = std::move(svar);
  if (!comment.empty()) out["kommentar"] = comment;
  return out.dump();
}

SurveyDraft SurveyDraft::FromJson(const std::string& json) {
  SurveyDraft draft;
  const nlohmann::json in = nlohmann::json::parse(json, nullptr, false);
  if (in.is_discarded() || !in.is_object()) return draft;
  if (in.contains("tjeneste") && in["tjeneste"].is_number_integer()) {
    draft.service = in["tjeneste"].get<int>();
  }
  if (in.contains("stilling") && in["stilling"].is_number_integer()) {
    draft.position = in["stilling"].get<int>();
  }
  if (in.contains("svar") && in["svar"].is_object()) {
    for (const auto& [item, code] : in["svar"].items()) {
      if (code.is_number_integer()) draft.answers[item] = code.get<int>();
    }
  }
  if (in.contains("kommentar") && in["kommentar"].is_string()) {
    draft.comment = in["kommentar"].get<std::string>();
  }
  return draft;
}

Result<SurveyForm> SurveyForm::Create(const instrument::Instrument& instrument,
                                      const std::string& generation,
                                      const std::vector<std::string>& services) {
  SurveyForm form;
  form.instrument_ = &instrument;
  form.crosswalk_ = instrument.FindCrosswalk(generation);
  if (form.crosswalk_ == nullptr) {
    return Error{
        fmt::format("spørreskjema-generasjonen «{}» finnes ikke i instrumentet", generation)};
  }
  for (const SourceVariable& v : form.crosswalk_->variables) {
    if (v.role == SourceRole::kAnswer) form.variables_.emplace(v.target, &v);
    if (v.role == SourceRole::kBackground && v.target == "service" && !form.service_variable_) {
      form.service_variable_ = &v;
    }
    if (v.role == SourceRole::kBackground && v.target == "position" && !form.position_variable_) {
      form.position_variable_ = &v;
    }
  }
  if (form.service_variable_ == nullptr) {
    return Error{
        fmt::format("kryssnøkkelen for {} har ingen kolonne for tjenestested", generation)};
  }

  form.pages_.push_back({});  // the background page
  for (const instrument::Family& family : instrument.families) {
    SurveyPage page{&family, {}};
    for (const instrument::Item& item : family.items) {
      if (form.variables_.count(family.id + "." + item.id)) page.items.push_back(&item);
    }
    if (!page.items.empty()) form.pages_.push_back(std::move(page));
  }

  for (const instrument::Service& s : instrument.services) {
    if (s.answers_survey && Contains(services, s.key)) form.services_.push_back(&s);
  }
  // Positions the generation's questionnaire offers (the crosswalk's
  // categories), in the instrument's order.
  std::set<int> offered;
  if (form.position_variable_ != nullptr) {
    for (const auto& m : form.position_variable_->categories) offered.insert(m.target_code);
  }
  for (const instrument::Position& p : instrument.positions) {
    if (offered.count(p.code) && p.code != instrument.UnstatedPosition().code) {
      form.positions_.push_back(&p);
    }
  }
  return form;
}

std::vector<std::size_t> SurveyForm::ApplicablePages(const SurveyDraft& draft) const {
  const instrument::Service* service =
      draft.service ? instrument_->FindServiceByCode(*draft.service) : nullptr;
  std::set<std::string> skipped;  // families not shown: their answers do not count
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < pages_.size(); ++i) {
    const instrument::Family* family = pages_[i].family;
    bool shown = true;
    if (family != nullptr) {
      if (service != nullptr && Contains(family->not_asked_services, service->key)) shown = false;
      if (shown && family->asked_if) {
        const auto& condition = *family->asked_if;
        const auto answer = draft.answers.find(condition.family + "." + condition.item);
        shown = !skipped.count(condition.family) && answer != draft.answers.end() &&
                Contains(condition.codes, answer->second);
      }
      if (!shown) skipped.insert(family->id);
    }
    if (shown) out.push_back(i);
  }
  return out;
}

std::vector<std::size_t> SurveyForm::PagesToCount(const SurveyDraft& draft,
                                                  std::size_t current) const {
  const instrument::Service* service =
      draft.service ? instrument_->FindServiceByCode(*draft.service) : nullptr;
  std::map<std::string, std::size_t> page_of;  // family → its page
  for (std::size_t i = 0; i < pages_.size(); ++i) {
    if (pages_[i].family != nullptr) page_of[pages_[i].family->id] = i;
  }
  std::set<std::string> skipped, undecided;
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < pages_.size(); ++i) {
    const instrument::Family* family = pages_[i].family;
    bool shown = true, open = false;
    if (family != nullptr) {
      if (service != nullptr && Contains(family->not_asked_services, service->key)) shown = false;
      if (shown && family->asked_if) {
        const auto& condition = *family->asked_if;
        const auto answer = draft.answers.find(condition.family + "." + condition.item);
        const auto asked_on = page_of.find(condition.family);
        if (skipped.count(condition.family)) {
          shown = false;
        } else if (undecided.count(condition.family)) {
          open = true;
        } else if (answer != draft.answers.end()) {
          shown = Contains(condition.codes, answer->second);
        } else {
          // Not answered yet: the page may still come, until the
          // respondent has passed the question without answering it.
          shown = false;
          open = asked_on != page_of.end() && asked_on->second >= current;
        }
      }
      if (open) {
        undecided.insert(family->id);
      } else if (!shown) {
        skipped.insert(family->id);
      }
    }
    if (shown || open) out.push_back(i);
  }
  return out;
}

bool SurveyForm::Applies(std::size_t page, const SurveyDraft& draft) const {
  const auto shown = ApplicablePages(draft);
  return std::find(shown.begin(), shown.end(), page) != shown.end();
}

std::vector<const instrument::Item*> SurveyForm::ItemsShown(std::size_t page,
                                                            const SurveyDraft& draft) const {
  const SurveyPage& p = pages_.at(page);
  if (p.family == nullptr || !p.family->excludes_own_service || !draft.service) return p.items;
  const instrument::Service* service = instrument_->FindServiceByCode(*draft.service);
  std::vector<const instrument::Item*> out;
  for (const instrument::Item* item : p.items) {
    if (service == nullptr || item->partner_service != service->key) out.push_back(item);
  }
  return out;
}

std::string SurveyForm::QuestionName(const std::string& qualified_item) const {
  const instrument::Family* family = nullptr;
  const instrument::Item* item = instrument_->FindItem(qualified_item, &family);
  if (item == nullptr) return "«" + qualified_item + "»";
  return fmt::format("«{}: {}»", family->title, item->text);
}

std::optional<std::string> SurveyForm::Invalid(const SurveyDraft& draft) const {
  if (draft.service &&
      std::none_of(services_.begin(), services_.end(),
                   [&](const instrument::Service* s) { return s->code == *draft.service; })) {
    return "Spørsmålet «Hvor jobber du?» har et svar som ikke finnes i skjemaet.";
  }
  if (draft.position &&
      std::none_of(positions_.begin(), positions_.end(),
                   [&](const instrument::Position* p) { return p->code == *draft.position; })) {
    return "Spørsmålet «Hva er din stilling?» har et svar som ikke finnes i skjemaet.";
  }
  for (const auto& [id, code] : draft.answers) {
    if (!variables_.count(id)) {
      return fmt::format("Spørsmålet «{}» finnes ikke i dette skjemaet.", id);
    }
    const instrument::Family* family = nullptr;
    if (instrument_->FindItem(id, &family) == nullptr) {
      return fmt::format("Spørsmålet «{}» finnes ikke i dette skjemaet.", id);
    }
    const instrument::Scale* scale = instrument_->FindScale(family->scale);
    if (scale == nullptr || scale->Find(code) == nullptr) {
      return fmt::format("Spørsmålet {} har et svar ({}) som ikke er et av svaralternativene.",
                         QuestionName(id), code);
    }
  }
  return std::nullopt;
}

Result<harmonise::HarmonisedRow> SurveyForm::Harmonise(const SurveyDraft& draft, int municipality,
                                                       int year) const {
  std::vector<io::SourceColumn> columns;
  std::vector<std::string> values;
  auto add = [&](const SourceVariable& variable, std::string value) {
    columns.push_back({variable.name, variable.question, {}});
    values.push_back(std::move(value));
  };
  add(*service_variable_, draft.service ? SourceValue(*service_variable_, *draft.service) : "");
  if (position_variable_ != nullptr) {
    add(*position_variable_,
        draft.position ? SourceValue(*position_variable_, *draft.position) : "");
  }
  // Every question of the generation is a column; the unanswered are empty.
  std::set<std::string> named;
  for (const auto& [item, variable] : variables_) {
    if (!named.insert(variable->name).second) continue;
    const auto answer = draft.answers.find(item);
    add(*variable, answer == draft.answers.end() ? "" : SourceValue(*variable, answer->second));
  }
  DraftSource source(std::move(columns), std::move(values));
  const std::string name = "Nettskjema";
  auto harmoniser =
      harmonise::Harmoniser::Create(*instrument_, *crosswalk_, source, name, {municipality, year});
  if (!harmoniser.ok()) return harmoniser.error();
  io::SourceRow row;
  source.Next(row);
  harmonise::HarmonisedRow out;
  auto converted = harmoniser.value().Convert(row, out);
  if (!converted.ok()) return converted.error();
  if (auto problems = harmoniser.value().ProblemsFound()) return *problems;
  if (!*converted) {
    return Error{
        "Du har ikke svart på noen av spørsmålene. Svar på minst ett spørsmål før du "
        "sender inn."};
  }
  return out;
}

std::vector<uint8_t> SurveyForm::AnswersFor(const harmonise::HarmonisedRow& row,
                                            const std::vector<std::string>& item_ids) const {
  std::map<std::string, std::size_t> index;
  const auto refs = instrument_->ItemsInOrder();
  for (std::size_t i = 0; i < refs.size(); ++i) index[refs[i].QualifiedId()] = i;
  std::vector<uint8_t> out;
  out.reserve(item_ids.size());
  for (const std::string& id : item_ids) {
    const auto it = index.find(id);
    out.push_back(it == index.end() || it->second >= row.answers.size() ? instrument::kNotAsked
                                                                        : row.answers[it->second]);
  }
  return out;
}

std::vector<std::string> RoundItemIds(const instrument::Instrument& instrument,
                                      const std::string& generation) {
  std::set<std::string> asked;
  if (const auto* crosswalk = instrument.FindCrosswalk(generation)) {
    for (const SourceVariable& v : crosswalk->variables) {
      if (v.role == SourceRole::kAnswer) asked.insert(v.target);
    }
  }
  std::vector<std::string> out;
  for (const auto& ref : instrument.ItemsInOrder()) {
    if (asked.count(ref.QualifiedId())) out.push_back(ref.QualifiedId());
  }
  return out;
}

ResponseRate ComputeResponseRate(const instrument::Instrument& instrument,
                                 const store::SurveyRound& round,
                                 const std::map<int, std::size_t>& counts, std::size_t k) {
  ResponseRate out;
  out.k = k;
  for (const auto& [code, n] : counts) out.answered += n;
  for (const store::SurveyService& s : round.services) {
    ServiceRate rate;
    rate.service = s.service;
    const instrument::Service* service = instrument.FindService(s.service);
    rate.label = service ? service->label : s.service;
    rate.invited = s.invited;
    if (service != nullptr) {
      if (const auto it = counts.find(service->code); it != counts.end())
        rate.answered = it->second;
    }
    out.invited += s.invited;
    out.services.push_back(std::move(rate));
  }
  // The services and their total are linked cells like any published
  // table, and the publication's engine protects them: a service below k
  // is hidden, then partners until no hidden count can be worked out from
  // the total. The answers (layer 0) are counted
  // against the invited (layer 1), so a service nobody has answered yet is
  // a hidden group with people in it, not an empty one: that nobody of
  // those invited has answered is itself what must not show.
  const std::size_t total = out.services.size();
  analysis::LinkedCells cells;
  cells.cells = total + 1;
  cells.values.assign(2, std::vector<double>(cells.cells, 0));
  cells.at_most = {{0, 1}};
  analysis::LinkedCells::Sum sum{total, {}};
  double invited = 0;
  for (std::size_t i = 0; i < total; ++i) {
    // Answers beyond the invited count (a link shared further) still count.
    const double answered = static_cast<double>(out.services[i].answered);
    cells.values[0][i] = answered;
    cells.values[1][i] = std::max(answered, static_cast<double>(out.services[i].invited));
    invited += cells.values[1][i];
    sum.parts.push_back(i);
  }
  cells.values[0][total] = static_cast<double>(out.answered);
  cells.cost = cells.values[0];  // hiding a service costs its answers
  cells.values[1][total] = invited;
  cells.sums.push_back(std::move(sum));
  analysis::Sensitivity sensitivity;
  sensitivity.sensitive.assign(cells.cells, false);
  // «færre enn k» already says a hidden count is below k: what must not
  // show is its value (threshold 0: not pinned). The invited are shown.
  sensitivity.threshold = {0, -1};
  for (std::size_t i = 0; i < total; ++i) sensitivity.sensitive[i] = out.services[i].answered < k;
  std::vector<bool> hidden = sensitivity.sensitive;
  analysis::ProtectLinkedCells(cells, sensitivity, hidden);
  for (std::size_t i = 0; i < total; ++i) {
    ServiceRate& r = out.services[i];
    r.hidden = hidden[i];
    r.hidden_complementary = hidden[i] && !sensitivity.sensitive[i];
    if (r.hidden) r.answered = 0;
  }
  // The engine takes no partner without a value, so when the hidden
  // services hold no answers at all, the total minus the shown ones would
  // still say so (0 for each): then the total is hidden as well.
  std::size_t in_hidden = 0;
  bool any_hidden = false;
  for (std::size_t i = 0; i < total; ++i) {
    if (!hidden[i]) continue;
    any_hidden = true;
    in_hidden += static_cast<std::size_t>(cells.values[0][i]);
  }
  out.answered_hidden = hidden[total] || (any_hidden && in_hidden == 0);
  if (out.answered_hidden) out.answered = 0;
  return out;
}

std::string FormatRate(std::size_t answered, int invited) {
  if (invited <= 0) return "–";
  const double rate = 100.0 * static_cast<double>(answered) / static_cast<double>(invited);
  std::string text = fmt::format("{:.1f}", rate);
  std::replace(text.begin(), text.end(), '.', ',');
  return text + "\u00A0%";
}

Result<ClosedRound> CloseRound(App& app, int64_t round_id, const CloseOptions& options) {
  const instrument::Instrument& instrument = app.instrument();
  const std::size_t k = app.options().k;
  // Another server may take a submission between reading the answers and
  // closing; the store then refuses, and the answers are read again.
  auto attempt = [&](store::Store& store) -> Result<std::optional<ClosedRound>> {
    auto rounds = store.SurveyRounds();
    if (!rounds.ok()) return rounds.error();
    const auto found = std::find_if(rounds->begin(), rounds->end(),
                                    [&](const store::SurveyRound& r) { return r.id == round_id; });
    if (found == rounds->end()) return Error{fmt::format("Runden {} finnes ikke.", round_id)};
    const store::SurveyRound& round = *found;
    if (round.status != "open") return Error{kAlreadyClosed};
    auto municipalities = store.Municipalities();
    if (!municipalities.ok()) return municipalities.error();
    std::string name = std::to_string(round.municipality);
    for (const auto& m : *municipalities) {
      if (m.number == round.municipality) name = m.name;
    }

    auto held = store.HeldResponses(round_id);
    if (!held.ok()) return held.error();
    const std::size_t held_count = held->size();
    if (held->size() < k && options.closing_date_passed) {
      auto discarded = store.DiscardSurveyRound(round_id, held_count);
      if (!discarded.ok()) return discarded.error();
      if (!*discarded) return std::optional<ClosedRound>();  // answers came in meanwhile
      return std::optional<ClosedRound>(ClosedRound{{}, "", true});
    }
    if (held->size() < k) {
      return Error{fmt::format(
          "Runden har {} svar. Den kan ikke avsluttes før minst {} har svart, for ellers kan "
          "svarene spores til enkeltpersoner (k-anonymitet). Runden er fortsatt åpen, og ingenting "
          "er lagret.",
          held->size(), k)};
    }
    std::vector<harmonise::HarmonisedRow> rows;
    rows.reserve(held->size());
    for (std::size_t i = 0; i < held->size(); ++i) {
      rows.push_back({i + 1, round.municipality, round.year, (*held)[i].service,
                      (*held)[i].position, std::move((*held)[i].answers)});
    }
    const std::string label = instrument.RoundTypeLabel(round.round_type);
    store::NewBatch provenance;
    provenance.file_name = fmt::format("Nettskjema: {} {} ({})", name, round.year, label);
    provenance.format = "Samkart nettskjema";
    provenance.generation = round.generation;
    provenance.rows_read = rows.size();
    provenance.rows_rejected = 0;
    provenance.round_types[{round.municipality, round.year}] = round.round_type;
    provenance.item_ids = round.item_ids;
    // So an export of the same answers imported later is recognised.
    provenance.content_fingerprint = import::ContentFingerprint(rows);
    auto built = import::BuildBatch(std::move(rows), instrument, k, std::move(provenance));
    if (!built.ok()) {
      return Error{"Svarene kunne ikke anonymiseres: " + built.error().message +
                   ". Runden er fortsatt åpen."};
    }
    store::NewBatch& batch = built.value().batch;
    const anonymise::AnonymisationReport& anonymised = built->anonymisation;

    // The answers after anonymisation identify the batch, as a file's bytes do.
    std::string hashed = fmt::format("Samkart nettskjema\nrunde {}\n", round.id);
    for (const auto& r : batch.respondents) {
      hashed += fmt::format("{};{};{};{};", r.municipality, r.year, r.service, r.position);
      for (const uint8_t a : r.answers) hashed += fmt::format("{:02x}", a);
      hashed += '\n';
    }
    batch.content_sha256 = Sha256Hex(hashed);

    std::string report = fmt::format("Rapport for nettskjema: {} ({}) {}, {}\n", name,
                                     round.municipality, round.year, label);
    report += fmt::format("Runde {}, opprettet av {} {}; spørreskjema {}\n", round.id,
                          round.created_by, round.created_at, round.generation);
    report += fmt::format("Svar: {} mottatt og lagret, {} generalisert\n", batch.respondents.size(),
                          anonymised.rows_generalised);
    report +=
        "Identifiserende opplysninger: ingen samlet inn (ikke navn, e-postadresse, IP-adresse "
        "eller tidspunkt)\n";
    report += import::AnonymisationLine(k, anonymised);
    // Which groups were generalised, with their sizes, would show exactly
    // the small groups k-anonymity removed; the report leaves them out.
    batch.report = report;
    auto written = store.CloseSurveyRound(round_id, batch, held_count);
    if (!written.ok()) return written.error();
    if (!*written) return std::optional<ClosedRound>();  // answers came in meanwhile
    return std::optional<ClosedRound>(ClosedRound{**written, report});
  };
  std::optional<ClosedRound> closed;
  for (int tries = 0; tries < 5 && !closed; ++tries) {
    auto result = app.WithStore(attempt);
    if (!result.ok()) return result.error();
    closed = std::move(*result);
  }
  if (!closed) {
    return Error{
        "Det kommer stadig inn nye svar mens runden avsluttes. Prøv igjen om litt; "
        "runden er fortsatt åpen, og ingenting er lagret."};
  }
  if (closed->closed_unstored) return *closed;
  // The comments are written again in a random order under new keys, so
  // nothing in the database keeps which came when.
  if (auto shuffled =
          app.WithStore([&](store::Store& s) { return s.ShuffleSurveyComments(round_id); });
      !shuffled.ok()) {
    return Error{"Runden er avsluttet og lagret, men kommentarene kunne ikke stokkes: " +
                 shuffled.error().message};
  }
  if (auto reloaded = app.ReloadDataset(); !reloaded.ok()) {
    return Error{"Runden er avsluttet og lagret, men datasettet kunne ikke leses på nytt: " +
                 reloaded.error().message};
  }
  return *closed;
}

namespace {

using std::chrono::days;
using std::chrono::sys_days;

// The first moment of summer time in `year`: the last Sunday of March,
// 01:00 UTC; summer time ends on the last Sunday of October at 01:00 UTC.
std::chrono::system_clock::time_point SummerTimeEdge(std::chrono::year year,
                                                     std::chrono::month month) {
  const sys_days sunday{year / month / std::chrono::Sunday[std::chrono::last]};
  return sunday + std::chrono::hours(1);
}

}  // namespace

std::chrono::year_month_day NorwegianToday(std::chrono::system_clock::time_point now) {
  const std::chrono::year year = std::chrono::year_month_day(std::chrono::floor<days>(now)).year();
  const bool summer = now >= SummerTimeEdge(year, std::chrono::March) &&
                      now < SummerTimeEdge(year, std::chrono::October);
  return std::chrono::year_month_day(
      std::chrono::floor<days>(now + std::chrono::hours(summer ? 2 : 1)));
}

std::optional<std::chrono::year_month_day> ParseIsoDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto year = text::ParseInt(text.substr(0, 4));
  const auto month = text::ParseInt(text.substr(5, 2));
  const auto day = text::ParseInt(text.substr(8, 2));
  if (!year || !month || !day || *year < 1000 || *month < 1 || *day < 1) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(*year),
                                         std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string IsoDate(std::chrono::year_month_day day) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(day.year()),
                     static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
}

std::string NorwegianDate(std::chrono::year_month_day day) {
  static const char* const kMonths[] = {"januar",    "februar", "mars",     "april",
                                        "mai",       "juni",    "juli",     "august",
                                        "september", "oktober", "november", "desember"};
  return fmt::format("{}. {} {}", static_cast<unsigned>(day.day()),
                     kMonths[static_cast<unsigned>(day.month()) - 1], static_cast<int>(day.year()));
}

bool ClosingDatePassed(const store::SurveyRound& round, std::chrono::year_month_day today) {
  if (round.status != "open") return false;
  const auto last = ParseIsoDate(round.closes_on);
  return last && sys_days(*last) < sys_days(today);
}

Result<std::size_t> CloseRoundsPastTheirDate(App& app, std::chrono::system_clock::time_point now) {
  auto rounds = app.WithStore([](store::Store& store) { return store.SurveyRounds(); });
  if (!rounds.ok()) return rounds.error();
  const auto today = NorwegianToday(now);
  std::size_t closed_count = 0;
  for (const store::SurveyRound& round : *rounds) {
    if (!ClosingDatePassed(round, today)) continue;
    auto closed = CloseRound(app, round.id, {.closing_date_passed = true});
    if (!closed.ok()) {
      // Closed meanwhile by another request or server: nothing to do.
      if (closed.error().message == kAlreadyClosed) continue;
      app.Audit("(server)", "round_close_refused",
                fmt::format("runde {}: siste svardag {} er passert, men: {}", round.id,
                            round.closes_on, closed.error().message));
      continue;
    }
    ++closed_count;
    app.Audit(
        "(server)", "round_close",
        closed->closed_unstored
            ? fmt::format("runde {}: siste svardag {} er passert; færre enn {} svar, "
                          "avsluttet uten å lagre",
                          round.id, round.closes_on, app.options().k)
            : fmt::format("runde {}: siste svardag {} er passert; import {}, {} svar", round.id,
                          round.closes_on, closed->batch.id, closed->batch.rows_imported));
  }
  return closed_count;
}

}  // namespace samkart::web
