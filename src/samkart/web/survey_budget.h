// How many answers an open survey round takes. Its link is anonymous, so a
// script with fresh cookies could otherwise start and submit answers
// without end: they would fill the database and, worse, the municipality's
// results. A round takes twice its invited staff and a margin (invited
// counts are often estimates); beyond that, starts and submissions are
// refused until the coordinator looks into it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

#include "samkart/store/store.h"

namespace samkart::web {

struct SurveyBudgetRules {
  std::size_t answers_per_invited = 2;
  std::size_t answers_beyond_invited = 50;
};

class SurveyBudget {
 public:
  using Clock = std::chrono::steady_clock;
  explicit SurveyBudget(SurveyBudgetRules rules = {}) : rules_(rules) {}

  // Answers the round may hold, and forms it may have started in a day.
  std::size_t AnswersAllowed(const store::SurveyRound& round) const;

  // Counts a start of the form; false when the round has had as many
  // starts in the last day as it may hold answers, or holds that many.
  bool TryStart(const store::SurveyRound& round, std::size_t held_answers,
                Clock::time_point now = Clock::now());
  bool MaySubmit(const store::SurveyRound& round, std::size_t held_answers) const {
    return held_answers < AnswersAllowed(round);
  }
  // True for the first refusal in a round's day, so the audit log gets one
  // entry, not one per refused request.
  bool FirstRefusalToday(int64_t round_id, Clock::time_point now = Clock::now());

 private:
  struct Day {
    Clock::time_point began;
    std::size_t starts = 0;
    bool refused = false;
  };
  Day& DayOf(int64_t round_id, Clock::time_point now);

  SurveyBudgetRules rules_;
  std::mutex mutex_;
  std::map<int64_t, Day> days_;
};

}  // namespace samkart::web
