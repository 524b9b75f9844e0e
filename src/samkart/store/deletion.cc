#include "samkart/store/deletion.h"

#include <fmt/format.h>

#include "samkart/store/sql_session.h"

namespace samkart::store {

std::vector<DeletionStep> DeletionSteps(const DeletionTarget& target) {
  const bool batch = target.kind == DeletionTarget::Kind::kBatch;
  // The rounds run in Samkart that go too: the one whose answers became
  // the batch, or every round of the municipality that year.
  const std::string rounds = batch ? "SELECT id FROM survey_rounds WHERE batch_id = ?1"
                                   : "SELECT id FROM survey_rounds WHERE municipality = ?1 AND "
                                     "year = ?2";
  std::vector<DeletionStep> steps = {
      {"DELETE FROM survey_drafts WHERE round_id IN (" + rounds + ")", &Removal::drafts},
      {"DELETE FROM survey_responses WHERE round_id IN (" + rounds + ")", &Removal::held_answers},
      {"DELETE FROM survey_comments WHERE round_id IN (" + rounds + ")", nullptr},
      {"DELETE FROM survey_comment_questions WHERE round_id IN (" + rounds + ")", nullptr},
      {"DELETE FROM survey_services WHERE round_id IN (" + rounds + ")", nullptr},
      {"DELETE FROM survey_rounds WHERE id IN (" + rounds + ")", &Removal::survey_rounds},
  };
  if (batch) {
    steps.push_back({"DELETE FROM respondents WHERE batch_id = ?1", &Removal::respondents});
    steps.push_back({"DELETE FROM batches WHERE id = ?1", &Removal::batches});
    return steps;
  }
  // A batch may hold several rounds: it keeps the others, with its count
  // lowered, and goes only when nothing is left in it.
  steps.push_back(
      {"UPDATE batches SET rows_imported = rows_imported - (SELECT count(*) FROM respondents r "
       "WHERE r.batch_id = batches.id AND r.municipality = ?1 AND r.year = ?2) WHERE id IN "
       "(SELECT batch_id FROM respondents WHERE municipality = ?1 AND year = ?2)",
       nullptr});
  steps.push_back(
      {"DELETE FROM respondents WHERE municipality = ?1 AND year = ?2", &Removal::respondents});
  steps.push_back(
      {"DELETE FROM batches WHERE rows_imported = 0 AND id NOT IN (SELECT batch_id FROM "
       "survey_rounds WHERE batch_id IS NOT NULL)",
       &Removal::batches});
  steps.push_back({"DELETE FROM invited WHERE municipality = ?1 AND year = ?2", &Removal::invited});
  return steps;
}

Status ApplyDeletion(SqlSession& session, const DeletionTarget& target) {
  const std::string what = "kan ikke slette";
  const int64_t first =
      target.kind == DeletionTarget::Kind::kBatch ? target.batch_id : int64_t{target.municipality};
  const int64_t second = target.year;
  for (const DeletionStep& step : DeletionSteps(target)) {
    // The session takes plain «?» placeholders in order: ?1 and ?2 become
    // «?», each bound to its value where it stands.
    std::string sql;
    std::vector<int64_t> values;
    for (std::size_t i = 0; i < step.sql.size(); ++i) {
      const bool numbered = step.sql[i] == '?' && i + 1 < step.sql.size() &&
                            (step.sql[i + 1] == '1' || step.sql[i + 1] == '2');
      if (!numbered) {
        sql += step.sql[i];
        continue;
      }
      values.push_back(step.sql[++i] == '1' ? first : second);
      sql += '?';
    }
    auto prepared = session.Prepare(sql);
    if (!prepared.ok()) return session.Fail(what, prepared.error());
    SqlStatement& statement = **prepared;
    for (std::size_t v = 0; v < values.size(); ++v) {
      statement.Bind(static_cast<int>(v + 1), values[v]);
    }
    if (auto ran = statement.Step(); !ran.ok()) return session.Fail(what, ran.error());
  }
  return Ok();
}

std::string DescribeRemoval(const Removal& removal) {
  std::string out;
  auto add = [&](std::size_t n, const char* one, const char* many) {
    if (n == 0) return;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", n, n == 1 ? one : many);
  };
  add(removal.respondents, "respondent", "respondenter");
  add(removal.batches, "import", "importer");
  add(removal.survey_rounds, "runde i Samkart", "runder i Samkart");
  add(removal.held_answers, "innsendt svar i en åpen runde", "innsendte svar i åpne runder");
  add(removal.drafts, "påbegynt svar", "påbegynte svar");
  add(removal.invited, "antall inviterte", "antall inviterte");
  return out.empty() ? "ingenting" : out;
}

}  // namespace samkart::store
