// The anonymous survey form behind /s/{token}: the pages built from the
// instrument (a background page, then one page per question family the
// round's generation asks), which pages apply to a respondent given the
// answers so far, the conversion of a finished draft through the same
// Harmoniser an import uses, and closing a round (k-anonymity, then one
// batch). Nothing here speaks HTTP.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/harmonise/harmoniser.h"
#include "samkart/instrument/instrument.h"
#include "samkart/store/store.h"

namespace samkart::web {

class App;

// What a respondent has answered so far. Codes are the harmonised ones (the
// categories of the item's scale; 0/1 for a checklist).
struct SurveyDraft {
  std::optional<int> service;          // service code
  std::optional<int> position;         // position code
  std::map<std::string, int> answers;  // «family.item» → code
  // The free-text comment typed so far; stored apart from the answer
  // (comments.h) when the draft is submitted.
  std::string comment{};

  std::string ToJson() const;
  // Unknown or malformed parts are left out: a draft is never trusted.
  static SurveyDraft FromJson(const std::string& json);
};

// One page of the form: the background page (family == nullptr) or one
// question family with the items the generation asks.
struct SurveyPage {
  const instrument::Family* family = nullptr;
  std::vector<const instrument::Item*> items;
};

class SurveyForm {
 public:
  // The form of a round: `generation` is the round's, `services` the keys
  // of its services (those a respondent on the general link may choose).
  static Result<SurveyForm> Create(const instrument::Instrument& instrument,
                                   const std::string& generation,
                                   const std::vector<std::string>& services);

  const instrument::Instrument& instrument() const { return *instrument_; }
  const instrument::Crosswalk& crosswalk() const { return *crosswalk_; }
  // Page 1 is the background page; pages()[n - 1] is page n.
  const std::vector<SurveyPage>& pages() const { return pages_; }
  const std::vector<const instrument::Service*>& services() const { return services_; }
  const std::vector<const instrument::Position*>& positions() const { return positions_; }

  // Whether page index `page` (0-based) is shown given the answers so far:
  // a family is skipped when it is not asked of the chosen service, or when
  // its condition (asked_if) is not met by the answer given.
  bool Applies(std::size_t page, const SurveyDraft& draft) const;
  // The 0-based indices of the pages shown, in order.
  std::vector<std::size_t> ApplicablePages(const SurveyDraft& draft) const;
  // The pages the counter «Side X av Y» counts on page `current`: those
  // shown, and those whose condition is not answered yet but still may be
  // (its question is on this page or later). A page thus never enters the
  // count late, so X grows by one per page and Y never grows.
  std::vector<std::size_t> PagesToCount(const SurveyDraft& draft, std::size_t current) const;
  // Items of a family page the respondent is asked: a family that excludes
  // the own service leaves out the item rating the chosen service.
  std::vector<const instrument::Item*> ItemsShown(std::size_t page, const SurveyDraft& draft) const;

  // «Familietittel: spørsmålstekst», for messages naming a question.
  std::string QuestionName(const std::string& qualified_item) const;
  // Why the draft cannot be submitted (an unknown question, a code that is
  // not a category of the item's scale, a service or position not offered),
  // naming the question; nullopt when it is valid.
  std::optional<std::string> Invalid(const SurveyDraft& draft) const;

  // The draft as the harmonised row an import of the same answers would
  // give: written as one row of the generation's crosswalk columns and
  // passed through harmonise::Harmoniser (recoding, routing, the
  // personal-data check). Fails with a Norwegian message.
  Result<harmonise::HarmonisedRow> Harmonise(const SurveyDraft& draft, int municipality,
                                             int year) const;
  // The row's answers in the order of `item_ids` (a round's), kNotAsked
  // for items the row lacks.
  std::vector<uint8_t> AnswersFor(const harmonise::HarmonisedRow& row,
                                  const std::vector<std::string>& item_ids) const;

 private:
  const instrument::Instrument* instrument_ = nullptr;
  const instrument::Crosswalk* crosswalk_ = nullptr;
  std::vector<SurveyPage> pages_;
  std::vector<const instrument::Service*> services_;
  std::vector<const instrument::Position*> positions_;
  // «family.item» → the crosswalk variable that asks it.
  std::map<std::string, const instrument::SourceVariable*> variables_;
  const instrument::SourceVariable* service_variable_ = nullptr;
  const instrument::SourceVariable* position_variable_ = nullptr;
};

// The item ids (family.item) a new round in `generation` asks, in the
// instrument's order.
std::vector<std::string> RoundItemIds(const instrument::Instrument& instrument,
                                      const std::string& generation);

// The response rate of a round as a coordinator may see it while the round
// is open. The rule (publication of counts, not of answers), applied by the
// publication's engine for linked cells:
//  1. A service with fewer than k answers (k = ServeOptions::k, 5 by
//     default; 0 included) shows «færre enn k», not its count: a count of 1
//     or 2 among a handful invited tells who has answered.
//  2. Further services are hidden (complementary suppression, the smallest
//     first) until the total minus the shown counts gives no hidden one.
//  3. The total is shown unless that alone would give a service away (a
//     round with one service).
// A service whose count is hidden also has its rate hidden.
struct ServiceRate {
  std::string service;  // key
  std::string label;
  int invited = 0;
  std::size_t answered = 0;  // 0 in what is shown when `hidden`
  bool hidden = false;
  bool hidden_complementary = false;  // hidden by rule 2
};

struct ResponseRate {
  std::vector<ServiceRate> services;  // in the round's order
  int invited = 0;
  std::size_t answered = 0;      // 0 when `answered_hidden`
  bool answered_hidden = false;  // the total would give a service away
  std::size_t k = 0;
};

ResponseRate ComputeResponseRate(const instrument::Instrument& instrument,
                                 const store::SurveyRound& round,
                                 const std::map<int, std::size_t>& counts, std::size_t k);

// «42,9 %», or «–» without anyone invited.
std::string FormatRate(std::size_t answered, int invited);

struct ClosedRound {
  store::BatchInfo batch;
  std::string report;
  bool closed_unstored = false;  // fewer than k answers at the closing date
};

// Closes an open round: k-anonymises its held answers (k from
// ServeOptions::k), writes them as one batch and marks the round closed in
// one transaction, shuffles the round's free-text comments (which never
// enter the batch), then reloads the dataset. A round with fewer than k
// answers is refused with a Norwegian message and stays open. An answer
// submitted (on another connection or server) between reading the held
// answers and closing makes the store refuse the close; the answers are
// then read again.
//
// With `closing_date_passed` (the server closes a round after its last day)
// a round with fewer than k answers is not refused but closed without
// storing anything: its answers are deleted, since k-anonymity cannot
// protect so few, and no one can answer any more. `closed_unstored` then
// says so and `batch` is empty.
struct CloseOptions {
  bool closing_date_passed = false;
};
Result<ClosedRound> CloseRound(App& app, int64_t round_id, const CloseOptions& options = {});

// --- Closing dates ---

// The day it is in Norway at `now` (CET, CEST from the last Sunday of March
// to the last Sunday of October, as the EU rule has it).
std::chrono::year_month_day NorwegianToday(
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
// «2027-01-15» as a date; nullopt for anything else (also 2027-02-30).
std::optional<std::chrono::year_month_day> ParseIsoDate(const std::string& text);
std::string IsoDate(std::chrono::year_month_day day);
// «15. januar 2027», as Norwegians write a date.
std::string NorwegianDate(std::chrono::year_month_day day);
// Whether the round is open and its last day is before `today`.
bool ClosingDatePassed(const store::SurveyRound& round, std::chrono::year_month_day today);

// Closes every open round whose last day has passed, as CloseRound with
// `closing_date_passed`; each close is written to the audit log. Called
// when rounds are listed or opened, when a respondent opens a link, and
// now and then by the server. Returns how many rounds it closed.
Result<std::size_t> CloseRoundsPastTheirDate(
    App& app, std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace samkart::web
