// The privacy contacts and the rounds' free-text comments, said once for
// every backend over sql_session.h.
#include <algorithm>
#include <random>
#include <tuple>

#include <fmt/format.h>

#include "samkart/store/sql_session.h"
#include "samkart/store/store.h"

namespace samkart::store {

namespace {

// 128 random bits in hex: a key that orders rows at random.
std::string RandomKey() {
  std::random_device device;
  std::string key;
  for (int i = 0; i < 4; ++i) key += fmt::format("{:08x}", device());
  return key;
}

}  // namespace

Result<std::optional<PrivacyContact>> SurveyTextStore::FindPrivacyContact(int municipality) {
  std::optional<PrivacyContact> found;
  auto done = InSession([&](SqlSession& session) -> Status {
    auto prepared = session.Prepare(
        "SELECT controller, contact_name, email, phone, updated_by FROM privacy_contacts WHERE "
        "municipality = ?");
    if (!prepared.ok()) return session.Fail("kan ikke lese personvernkontakten", prepared.error());
    SqlStatement& select = **prepared;
    select.Bind(1, municipality);
    auto row = select.Step();
    if (!row.ok()) return session.Fail("kan ikke lese personvernkontakten", row.error());
    if (*row) {
      found = PrivacyContact{municipality,   select.Text(0), select.Text(1),
                             select.Text(2), select.Text(3), select.Text(4)};
    }
    return Ok();
  });
  if (!done.ok()) return done.error();
  return found;
}

Status SurveyTextStore::SavePrivacyContact(const PrivacyContact& c) {
  return InSession([&](SqlSession& session) {
    return session.Execute(
        "INSERT INTO privacy_contacts (municipality, controller, contact_name, email, phone, "
        "updated_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (municipality) DO UPDATE SET "
        "controller = excluded.controller, contact_name = excluded.contact_name, email = "
        "excluded.email, phone = excluded.phone, updated_by = excluded.updated_by",
        {int64_t{c.municipality}, c.controller, c.contact_name, c.email, c.phone, c.updated_by},
        "kan ikke lagre personvernkontakten");
  });
}

Result<std::optional<std::string>> SurveyTextStore::CommentQuestion(int64_t round_id) {
  std::optional<std::string> question;
  auto done = InSession([&](SqlSession& session) -> Status {
    auto prepared =
        session.Prepare("SELECT question FROM survey_comment_questions WHERE round_id = ?");
    if (!prepared.ok()) return session.Fail("kan ikke lese fritekstspørsmålet", prepared.error());
    SqlStatement& select = **prepared;
    select.Bind(1, round_id);
    auto row = select.Step();
    if (!row.ok()) return session.Fail("kan ikke lese fritekstspørsmålet", row.error());
    if (*row) question = select.Text(0);
    return Ok();
  });
  if (!done.ok()) return done.error();
  return question;
}

Status SurveyTextStore::SetCommentQuestion(int64_t round_id, const std::string& question) {
  return InSession([&](SqlSession& session) -> Status {
    const std::string what = "kan ikke lagre fritekstspørsmålet";
    if (question.empty()) {
      return session.Execute("DELETE FROM survey_comment_questions WHERE round_id = ?", {round_id},
                             what);
    }
    return session.Execute(
        "INSERT INTO survey_comment_questions (round_id, question) VALUES (?, ?) ON CONFLICT "
        "(round_id) DO UPDATE SET question = excluded.question",
        {round_id, question}, what);
  });
}

Status SurveyTextStore::AddSurveyComment(int64_t round_id, const std::string& text) {
  return InSession([&](SqlSession& session) {
    return session.Execute(
        "INSERT INTO survey_comments (comment_key, round_id, text, state) VALUES (?, ?, ?, "
        "'new')",
        {RandomKey(), round_id, text}, "kan ikke lagre kommentaren");
  });
}

namespace {

Result<std::vector<SurveyComment>> ReadComments(SqlSession& session, int64_t round_id) {
  const std::string what = "kan ikke lese kommentarene";
  auto prepared = session.Prepare(
      "SELECT comment_key, text, state FROM survey_comments WHERE round_id = ? ORDER BY "
      "comment_key");
  if (!prepared.ok()) return session.Fail(what, prepared.error());
  SqlStatement& select = **prepared;
  select.Bind(1, round_id);
  std::vector<SurveyComment> out;
  for (;;) {
    auto row = select.Step();
    if (!row.ok()) return session.Fail(what, row.error());
    if (!*row) return out;
    out.push_back({select.Text(0), round_id, select.Text(1), select.Text(2)});
  }
}

}  // namespace

Result<std::vector<SurveyComment>> SurveyTextStore::SurveyComments(int64_t round_id) {
  std::vector<SurveyComment> comments;
  auto done = InSession([&](SqlSession& session) -> Status {
    auto read = ReadComments(session, round_id);
    if (!read.ok()) return read.error();
    comments = std::move(read).value();
    return Ok();
  });
  if (!done.ok()) return done.error();
  return comments;
}

Status SurveyTextStore::ShuffleSurveyComments(int64_t round_id) {
  return InSession([&](SqlSession& session) -> Status {
    auto read = ReadComments(session, round_id);
    if (!read.ok()) return read.error();
    std::vector<SurveyComment> comments = std::move(read).value();
    for (auto& c : comments) c.key = RandomKey();
    // Inserted in the order of the new keys: the order of the rows is random too.
    std::sort(comments.begin(), comments.end(),
              [](const SurveyComment& a, const SurveyComment& b) { return a.key < b.key; });
    const std::string what = "kan ikke stokke kommentarene";
    SAMKART_TRY(
        session.Execute("DELETE FROM survey_comments WHERE round_id = ?", {round_id}, what));
    for (const auto& c : comments) {
      SAMKART_TRY(session.Execute(
          "INSERT INTO survey_comments (comment_key, round_id, text, state) VALUES (?, ?, ?, ?)",
          {c.key, round_id, c.text, c.state}, what));
    }
    return Ok();
  });
}

Result<bool> SurveyTextStore::ReviewSurveyComment(int64_t round_id, const std::string& key,
                                                  const std::string& state,
                                                  const std::string& text) {
  bool found = false;
  auto done = InSession([&](SqlSession& session) -> Status {
    const std::string what = "kan ikke lagre vurderingen av kommentaren";
    auto prepared =
        session.Prepare("SELECT 1 FROM survey_comments WHERE round_id = ? AND comment_key = ?");
    if (!prepared.ok()) return session.Fail(what, prepared.error());
    SqlStatement& select = **prepared;
    select.Bind(1, round_id).Bind(2, key);
    auto row = select.Step();
    if (!row.ok()) return session.Fail(what, row.error());
    found = *row;
    select.Reset();
    if (!found) return Ok();
    return session.Execute(
        "UPDATE survey_comments SET state = ?, text = ? WHERE round_id = ? AND comment_key = ?",
        {state, text, round_id, key}, what);
  });
  if (!done.ok()) return done.error();
  return found;
}

Result<std::map<int, std::vector<std::string>>> SurveyTextStore::ApprovedSurveyComments() {
  std::map<int, std::vector<std::string>> out;
  auto done = InSession([&](SqlSession& session) -> Status {
    out.clear();
    auto rows = session.SelectAll(
        "SELECT r.municipality, r.id, c.text FROM survey_comments c JOIN survey_rounds r ON "
        "r.id = c.round_id WHERE r.status = 'closed' AND c.state = 'approved' ORDER BY "
        "r.municipality, r.year, r.id, c.comment_key",
        "kan ikke lese kommentarene", [](const SqlStatement& row) {
          return std::tuple<int, int64_t, std::string>(static_cast<int>(row.Int(0)), row.Int(1),
                                                       row.Text(2));
        });
    if (!rows.ok()) return rows.error();
    std::map<int64_t, std::size_t> per_round;
    for (const auto& [municipality, round, text] : *rows) ++per_round[round];
    for (const auto& [municipality, round, text] : *rows) {
      if (per_round[round] >= kMinCommentsShown) out[municipality].push_back(text);
    }
    return Ok();
  });
  if (!done.ok()) return done.error();
  return out;
}

}  // namespace samkart::store
