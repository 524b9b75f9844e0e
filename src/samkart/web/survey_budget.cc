#include "samkart/web/survey_budget.h"

namespace samkart::web {

std::size_t SurveyBudget::AnswersAllowed(const store::SurveyRound& round) const {
  std::size_t invited = 0;
  for (const store::SurveyService& service : round.services) {
    if (service.invited > 0) invited += static_cast<std::size_t>(service.invited);
  }
  return invited * rules_.answers_per_invited + rules_.answers_beyond_invited;
}

SurveyBudget::Day& SurveyBudget::DayOf(int64_t round_id, Clock::time_point now) {
  Day& day = days_[round_id];
  if (day.began == Clock::time_point{} || now - day.began >= std::chrono::hours(24)) {
    day = Day{now, 0, false};
  }
  return day;
}

bool SurveyBudget::TryStart(const store::SurveyRound& round, std::size_t held_answers,
                            Clock::time_point now) {
  const std::size_t allowed = AnswersAllowed(round);
  std::lock_guard lock(mutex_);
  Day& day = DayOf(round.id, now);
  if (held_answers >= allowed || day.starts >= allowed) return false;
  ++day.starts;
  return true;
}

bool SurveyBudget::FirstRefusalToday(int64_t round_id, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Day& day = DayOf(round_id, now);
  const bool first = !day.refused;
  day.refused = true;
  return first;
}

}  // namespace samkart::web
