// The embedded store: one SQLite file in WAL mode. Every statement is
// prepared with bound parameters; nothing from a file or a user is ever
// spliced into SQL text.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>
#include <sqlite3.h>

#include "samkart/core/utc_time.h"
#include "samkart/store/batch_writer.h"
#include "samkart/store/migrations.h"
#include "samkart/store/register_queries.h"
#include "samkart/store/sqlite_session.h"
#include "samkart/store/store.h"

namespace samkart::store {

namespace {

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      error_ = Explain(db);
      stmt_ = nullptr;
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  const std::string& error() const { return error_; }

  Statement& Bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Statement& Bind(int index, const std::string& value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int index, const std::optional<int>& value) {
    if (value) return Bind(index, static_cast<int64_t>(*value));
    sqlite3_bind_null(stmt_, index);
    return *this;
  }
  Statement& Bind(int index, const std::optional<std::string>& value) {
    if (value) return Bind(index, *value);
    sqlite3_bind_null(stmt_, index);
    return *this;
  }
  Statement& BindBlob(int index, const std::vector<uint8_t>& value) {
    sqlite3_bind_blob(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    return *this;
  }

  // SQLITE_ROW, SQLITE_DONE or an error code (then error() says why).
  int Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) error_ = Explain(db_);
    return rc;
  }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string Text(int column) const {
    const auto* text = sqlite3_column_text(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
                : std::string();
  }
  std::optional<int> OptionalInt(int column) const {
    if (IsNull(column)) return std::nullopt;
    return static_cast<int>(Int(column));
  }
  std::optional<std::string> OptionalText(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Text(column);
  }
  void Blob(int column, std::vector<uint8_t>& out) const {
    const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
    const int size = sqlite3_column_bytes(stmt_, column);
    out.assign(data, data + size);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string error_;
};

// Rolls back unless committed: an error anywhere leaves the file as it was.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // IMMEDIATE takes the write lock at once, so two writers queue instead of
  // failing half-way.
  Status Begin() {
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error{fmt::format("{}: kan ikke starte en transaksjon: {}",
                               sqlite3_db_filename(db_, "main"), Explain(db_)),
                   CodeOf(db_)};
    }
    open_ = true;
    return Ok();
  }
  Status Commit() {
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error{fmt::format("{}: kan ikke fullføre transaksjonen: {}",
                               sqlite3_db_filename(db_, "main"), Explain(db_)),
                   CodeOf(db_)};
    }
    open_ = false;
    return Ok();
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteStore() override { sqlite3_close(db_); }

  std::string Describe() const override { return "SQLite-fil " + path_; }

 protected:
  Status InSession(const std::function<Status(SqlSession&)>& work) override {
    const auto session = MakeSqliteSession(db_, path_);
    return session->InTransaction([&] { return work(*session); });
  }

 public:
  Error Fail(const std::string& what, const std::string& detail) const {
    return Error{fmt::format("{}: {}: {}", path_, what, detail), CodeOf(db_)};
  }
  Error Fail(const std::string& what) const { return Fail(what, Explain(db_)); }

  Status Exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      sqlite3_free(message);
      return Fail("SQL feilet", Explain(db_));
    }
    return Ok();
  }

  Result<int> SchemaVersion() override {
    Statement exists(db_,
                     "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                     "'schema_migrations'");
    if (!exists.ok() || exists.Step() != SQLITE_ROW) return Fail("kan ikke lese skjemaet");
    if (exists.Int(0) == 0) return 0;
    Statement version(db_, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!version.ok() || version.Step() != SQLITE_ROW) return Fail("kan ikke lese skjemaversjonen");
    return static_cast<int>(version.Int(0));
  }

  int LatestSchemaVersion() const override {
    return SqliteMigrations().empty() ? 0 : SqliteMigrations().back().version;
  }

  Result<std::vector<std::string>> Migrate() override {
    auto current = SchemaVersion();
    if (!current.ok()) return current.error();
    if (*current > LatestSchemaVersion()) {
      return Error{fmt::format(
          "{}: databasen har skjemaversjon {}, men denne Samkart kjenner bare til versjon {}; "
          "bruk en nyere Samkart",
          path_, *current, LatestSchemaVersion())};
    }
    std::vector<std::string> applied;
    for (const Migration& m : SqliteMigrations()) {
      if (m.version <= *current) continue;
      Transaction tx(db_);
      if (auto begun = tx.Begin(); !begun.ok()) return begun.error();
      // Another process may have migrated while this one waited for the
      // lock: read the version again under it.
      auto locked = SchemaVersion();
      if (!locked.ok()) return locked.error();
      if (m.version <= *locked) continue;
      if (auto ran = Exec(m.sql); !ran.ok()) {
        return Error{fmt::format("migrering {} ({}) feilet: {}", m.version, m.description,
                                 ran.error().message),
                     ran.error().code};
      }
      Statement record(db_,
                       "INSERT INTO schema_migrations (version, description, applied_at) VALUES "
                       "(?, ?, ?)");
      record.Bind(1, int64_t{m.version})
          .Bind(2, std::string(m.description))
          .Bind(3, UtcTimestamp());
      if (record.Step() != SQLITE_DONE) return Fail("kan ikke registrere migreringen");
      if (auto committed = tx.Commit(); !committed.ok()) return committed.error();
      applied.push_back(fmt::format("{}: {}", m.version, m.description));
    }
    return applied;
  }

  Status UpsertMunicipalities(const std::vector<Municipality>& municipalities) override {
    const auto session = MakeSqliteSession(db_, path_);
    return session->InTransaction([&] { return WriteMunicipalities(*session, municipalities); });
  }

  Result<std::vector<Municipality>> Municipalities() override {
    return ReadMunicipalities(*MakeSqliteSession(db_, path_));
  }

  Status UpsertInvitedCounts(const std::vector<InvitedCount>& counts) override {
    const auto session = MakeSqliteSession(db_, path_);
    return session->InTransaction([&] { return WriteInvitedCounts(*session, counts); });
  }

  Result<std::vector<InvitedCount>> InvitedCounts() override {
    return ReadInvitedCounts(*MakeSqliteSession(db_, path_));
  }

  Result<std::optional<BatchInfo>> FindBatchByHash(const std::string& sha256) override {
    return FindBatch(*MakeSqliteSession(db_, path_), sha256);
  }

  Result<std::vector<std::string>> ItemIds() override {
    return ReadItemIds(*MakeSqliteSession(db_, path_));
  }

  Result<BatchInfo> WriteBatch(const NewBatch& batch, const WriteProgress& progress) override {
    Transaction tx(db_);
    if (auto begun = tx.Begin(); !begun.ok()) return begun.error();
    auto written = WriteBatchInTransaction(batch, progress);
    if (!written.ok()) return written.error();
    if (auto committed = tx.Commit(); !committed.ok()) return committed.error();
    return written;
  }

  // The body of WriteBatch, inside a transaction the caller holds.
  Result<BatchInfo> WriteBatchInTransaction(const NewBatch& batch, const WriteProgress& progress) {
    return WriteBatchInSession(*MakeSqliteSession(db_, path_), batch, progress);
  }

  Result<std::vector<BatchInfo>> Batches() override {
    return ReadBatches(*MakeSqliteSession(db_, path_));
  }

  Result<std::string> BatchReport(int64_t batch_id) override {
    Statement s(db_, "SELECT report FROM batches WHERE id = ?");
    s.Bind(1, batch_id);
    const int rc = s.Step();
    if (rc == SQLITE_ROW) return s.Text(0);
    if (rc == SQLITE_DONE)
      return Error{fmt::format("{}: ingen import med nummer {}", path_, batch_id),
                   ErrorCode::kNotFound};
    return Fail("kan ikke lese importrapporten", s.error());
  }

  Result<std::vector<RoundInfo>> Rounds() override {
    Statement s(db_,
                "SELECT r.municipality, coalesce(m.name, ''), r.year, r.round_type, r.generation, "
                "count(*), r.batch_id FROM respondents r LEFT JOIN municipalities m ON m.number "
                "= r.municipality GROUP BY r.batch_id, r.municipality, r.year, r.round_type, "
                "r.generation ORDER BY r.municipality, r.year, r.batch_id");
    if (!s.ok()) return Fail("kan ikke lese rundene", s.error());
    std::vector<RoundInfo> out;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      out.push_back({static_cast<int>(s.Int(0)), s.Text(1), static_cast<int>(s.Int(2)), s.Text(3),
                     s.Text(4), static_cast<std::size_t>(s.Int(5)), s.Int(6)});
    }
    if (rc != SQLITE_DONE) return Fail("kan ikke lese rundene", s.error());
    return out;
  }

  Status ScanRespondents(const std::function<bool(const RespondentRecord&, const std::string&,
                                                  const std::string&)>& visit) override {
    Statement s(db_,
                "SELECT municipality, year, service, position, answers, round_type, generation "
                "FROM respondents ORDER BY id");
    if (!s.ok()) return Fail("kan ikke lese svarene", s.error());
    RespondentRecord row;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      row.municipality = static_cast<int>(s.Int(0));
      row.year = static_cast<int>(s.Int(1));
      row.service = static_cast<int>(s.Int(2));
      row.position = static_cast<int>(s.Int(3));
      s.Blob(4, row.answers);
      if (!visit(row, s.Text(5), s.Text(6))) return Ok();
    }
    if (rc != SQLITE_DONE) return Fail("kan ikke lese svarene", s.error());
    return Ok();
  }

  // --- Users, sessions, audit log ---

  static User ReadUser(const Statement& s) {
    User u;
    u.id = s.Int(0);
    u.username = s.Text(1);
    u.password_hash = s.Text(2);
    u.role = s.Text(3);
    u.region = s.OptionalText(4);
    u.municipality = s.OptionalInt(5);
    u.active = s.Int(6) != 0;
    u.created_at = s.Text(7);
    return u;
  }
  static constexpr const char* kUserColumns =
      "id, username, password_hash, role, region, municipality, active, created_at";

  Result<int64_t> AddUser(const User& user) override {
    Statement s(db_,
                "INSERT INTO users (username, password_hash, role, region, municipality, active, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    s.Bind(1, user.username)
        .Bind(2, user.password_hash)
        .Bind(3, user.role)
        .Bind(4, user.region)
        .Bind(5, user.municipality)
        .Bind(6, int64_t{user.active ? 1 : 0})
        .Bind(7, user.created_at.empty() ? UtcTimestamp() : user.created_at);
    const int rc = s.Step();
    if (rc == SQLITE_CONSTRAINT) {
      return Error{fmt::format("brukernavnet «{}» finnes fra før, eller kommunen finnes ikke",
                               user.username),
                   ErrorCode::kConflict};
    }
    if (rc != SQLITE_DONE) return Fail("kan ikke lagre brukeren", s.error());
    return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
  }

  Status UpdateUser(const User& user) override {
    Statement s(db_,
                "UPDATE users SET password_hash = ?, role = ?, region = ?, municipality = ?, "
                "active = ? WHERE id = ?");
    s.Bind(1, user.password_hash)
        .Bind(2, user.role)
        .Bind(3, user.region)
        .Bind(4, user.municipality)
        .Bind(5, int64_t{user.active ? 1 : 0})
        .Bind(6, user.id);
    if (s.Step() != SQLITE_DONE) return Fail("kan ikke endre brukeren", s.error());
    if (sqlite3_changes(db_) == 0)
      return Error{fmt::format("ingen bruker med id {}", user.id), ErrorCode::kNotFound};
    return Ok();
  }

  Result<std::optional<User>> FindUserWhere(const char* where,
                                            const std::function<void(Statement&)>& bind) {
    const std::string sql = fmt::format("SELECT {} FROM users WHERE {}", kUserColumns, where);
    Statement s(db_, sql.c_str());
    if (!s.ok()) return Fail("kan ikke lese brukere", s.error());
    bind(s);
    const int rc = s.Step();
    if (rc == SQLITE_ROW) return std::optional<User>(ReadUser(s));
    if (rc != SQLITE_DONE) return Fail("kan ikke lese brukere", s.error());
    return std::optional<User>();
  }

  Result<std::optional<User>> FindUser(const std::string& username) override {
    return FindUserWhere("username = ?", [&](Statement& s) { s.Bind(1, username); });
  }

  Result<std::optional<User>> FindUserById(int64_t id) override {
    return FindUserWhere("id = ?", [&](Statement& s) { s.Bind(1, id); });
  }

  Result<std::vector<User>> Users() override {
    const std::string sql = fmt::format("SELECT {} FROM users ORDER BY username", kUserColumns);
    Statement s(db_, sql.c_str());
    if (!s.ok()) return Fail("kan ikke lese brukere", s.error());
    std::vector<User> out;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadUser(s));
    if (rc != SQLITE_DONE) return Fail("kan ikke lese brukere", s.error());
    return out;
  }

  Status AddSession(const Session& session) override {
    Statement prune(db_, "DELETE FROM sessions WHERE expires_at <= ?");
    prune.Bind(1, UtcTimestamp());
    if (prune.Step() != SQLITE_DONE) return Fail("kan ikke rydde økter", prune.error());
    Statement s(db_,
                "INSERT INTO sessions (token_sha256, user_id, csrf_token, expires_at) VALUES (?, "
                "?, ?, ?)");
    s.Bind(1, session.token_sha256)
        .Bind(2, session.user_id)
        .Bind(3, session.csrf_token)
        .Bind(4, session.expires_at);
    if (s.Step() != SQLITE_DONE) return Fail("kan ikke lagre økten", s.error());
    return Ok();
  }

  Result<std::optional<Session>> FindSession(const std::string& token_sha256) override {
    Statement s(db_,
                "SELECT token_sha256, user_id, csrf_token, expires_at FROM sessions WHERE "
                "token_sha256 = ? AND expires_at > ?");
    s.Bind(1, token_sha256).Bind(2, UtcTimestamp());
    const int rc = s.Step();
    if (rc == SQLITE_ROW) {
      return std::optional<Session>(Session{s.Text(0), s.Int(1), s.Text(2), s.Text(3)});
    }
    if (rc != SQLITE_DONE) return Fail("kan ikke lese økter", s.error());
    return std::optional<Session>();
  }

  Status DeleteSession(const std::string& token_sha256) override {
    Statement s(db_, "DELETE FROM sessions WHERE token_sha256 = ?");
    s.Bind(1, token_sha256);
    if (s.Step() != SQLITE_DONE) return Fail("kan ikke avslutte økten", s.error());
    return Ok();
  }

  Result<LoginFailures> CountLoginFailure(const std::string& key, int64_t at) override {
    Transaction tx(db_);
    if (auto begun = tx.Begin(); !begun.ok()) return begun.error();
    Statement quiet(db_, "DELETE FROM login_failures WHERE last_failure < ?");
    quiet.Bind(1, at - kQuietDay);
    if (quiet.Step() != SQLITE_DONE) {
      return Fail("kan ikke telle mislykkede innlogginger", quiet.error());
    }
    LoginFailures failures;
    {
      Statement count(db_,
                      "INSERT INTO login_failures (throttle_key, failures, last_failure) VALUES "
                      "(?1, 1, ?2) ON CONFLICT (throttle_key) DO UPDATE SET failures = "
                      "login_failures.failures + 1, last_failure = ?2 RETURNING failures, "
                      "last_failure");
      count.Bind(1, key).Bind(2, at);
      if (count.Step() != SQLITE_ROW) {
        return Fail("kan ikke telle mislykkede innlogginger", count.error());
      }
      failures = {static_cast<std::size_t>(count.Int(0)), count.Int(1)};
    }
    if (auto committed = tx.Commit(); !committed.ok()) return committed.error();
    return failures;
  }

  Result<LoginFailures> FindLoginFailures(const std::string& key) override {
    Statement find(db_, "SELECT failures, last_failure FROM login_failures WHERE throttle_key = ?");
    find.Bind(1, key);
    const int rc = find.Step();
    if (rc == SQLITE_DONE) return LoginFailures{};
    if (rc != SQLITE_ROW) return Fail("kan ikke lese mislykkede innlogginger", find.error());
    return LoginFailures{static_cast<std::size_t>(find.Int(0)), find.Int(1)};
  }

  Status ForgetLoginFailures(const std::string& key) override {
    Statement forget(db_, "DELETE FROM login_failures WHERE throttle_key = ?");
    forget.Bind(1, key);
    if (forget.Step() != SQLITE_DONE) {
      return Fail("kan ikke glemme mislykkede innlogginger", forget.error());
    }
    return Ok();
  }

  Status DeleteUser(int64_t user_id) override {
    Transaction tx(db_);
    if (auto begun = tx.Begin(); !begun.ok()) return begun.error();
    Statement sessions(db_, "DELETE FROM sessions WHERE user_id = ?");
    sessions.Bind(1, user_id);
    if (sessions.Step() != SQLITE_DONE) return Fail("kan ikke slette øktene", sessions.error());
    Statement user(db_, "DELETE FROM users WHERE id = ?");
    user.Bind(1, user_id);
    if (user.Step() != SQLITE_DONE) return Fail("kan ikke slette brukeren", user.error());
    if (sqlite3_changes(db_) == 0)
      return Error{fmt::format("ingen bruker med id {}", user_id), ErrorCode::kNotFound};
    if (auto committed = tx.Commit(); !committed.ok()) return committed.error();
    return Ok();
  }

  Result<Removal> DeleteData(const DeletionTarget& target, bool apply) override {
    Removal removal;
    {
      Transaction tx(db_);
      if (auto begun = tx.Begin(); !begun.ok()) return begun.error();
      for (const DeletionStep& step : DeletionSteps(target)) {
        Statement statement(db_, step.sql.c_str());
        if (step.Parameters() >= 1) {
          statement.Bind(1, target.kind == DeletionTarget::Kind::kBatch
                                ? target.batch_id
                                : int64_t{target.municipality});
        }
        if (step.Parameters() == 2) statement.Bind(2, int64_t{target.year});
        if (statement.Step() != SQLITE_DONE) return Fail("kan ikke slette", statement.error());
        if (step.counted) removal.*step.counted += static_cast<std::size_t>(sqlite3_changes(db_));
      }
      if (!apply) return removal;  // a preview: the transaction rolls back
      if (auto committed = tx.Commit(); !committed.ok()) return committed.error();
    }
    // Deleted answers are overwritten (secure_delete); their older pages
    // leave the write-ahead log too.
    if (auto scrubbed = Exec("PRAGMA wal_checkpoint(TRUNCATE)"); !scrubbed.ok()) {
      return scrubbed.error();
    }
    return removal;
  }

  Status DeleteSessionsOfUser(int64_t user_id) override {
    Statement s(db_, "DELETE FROM sessions WHERE user_id = ?");
    s.Bind(1, user_id);
    if (s.Step() != SQLITE_DONE) return Fail("kan ikke avslutte øktene", s.error());
    return Ok();
  }

  Status StoreAudit(const AuditEntry& entry) override {
    Statement s(db_, "INSERT INTO audit_log (at, username, action, detail) VALUES (?, ?, ?, ?)");
    s.Bind(1, entry.at.empty() ? UtcTimestamp() : entry.at)
        .Bind(2, entry.username)
        .Bind(3, entry.action)
        .Bind(4, entry.detail);
    if (s.Step() != SQLITE_DONE) return Fail("kan ikke skrive revisjonsloggen", s.error());
    return Ok();
  }

  Result<std::vector<AuditEntry>> AuditLog(std::size_t limit) override {
    Statement s(db_,
                "SELECT id, at, username, action, detail FROM audit_log ORDER BY id DESC LIMIT ?");
    s.Bind(1, static_cast<int64_t>(limit));
    std::vector<AuditEntry> out;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)});
    }
    if (rc != SQLITE_DONE) return Fail("kan ikke lese revisjonsloggen", s.error());
    return out;
  }

  // --- Survey rounds ---

  Result<int64_t> CreateSurveyRound(const SurveyRound& round) override {
    Transaction tx(db_);
    if (auto begun = tx.Begin(); !begun.ok()) return begun.error();
    Statement known(db_, "SELECT 1 FROM municipalities WHERE number = ?");
    known.Bind(1, int64_t{round.municipality});
    if (known.Step() != SQLITE_ROW) {
      return Error{fmt::format("kommune {} finnes ikke i kommuneregisteret", round.municipality)};
    }
    Statement insert(
        db_,
        "INSERT INTO survey_rounds (municipality, year, round_type, generation, "
        "token, status, item_ids, created_by, created_at, closes_on) VALUES (?, ?, ?, ?, "
        "?, 'open', ?, ?, ?, ?)");
    std::string item_ids;
    for (const std::string& id : round.item_ids) {
      if (!item_ids.empty()) item_ids += '\n';
      item_ids += id;
    }
    insert.Bind(1, int64_t{round.municipality})
        .Bind(2, int64_t{round.year})
        .Bind(3, round.round_type)
        .Bind(4, round.generation)
        .Bind(5, round.token)
        .Bind(6, item_ids)
        .Bind(7, round.created_by)
        .Bind(8, round.created_at.empty() ? UtcTimestamp() : round.created_at);
    insert.Bind(9, round.closes_on.empty() ? std::optional<std::string>()
                                           : std::optional<std::string>(round.closes_on));
    if (const int rc = insert.Step(); rc == SQLITE_CONSTRAINT) {
      return Error{fmt::format("kommune {} har allerede en runde for {} ({})", round.municipality,
                               round.year, round.round_type),
                   ErrorCode::kConflict};
    } else if (rc != SQLITE_DONE) {
      return Fail("kan ikke lagre runden", insert.error());
    }
    const int64_t id = sqlite3_last_insert_rowid(db_);
    Statement service(db_,
                      "INSERT INTO survey_services (round_id, service, invited, token, ordinal) "
                      "VALUES (?, ?, ?, ?, ?)");
    Statement invited(db_,
                      "INSERT INTO invited (municipality, year, round_type, service, invited) "
                      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (municipality, year, round_type, "
                      "service) DO UPDATE SET invited = excluded.invited");
    int64_t ordinal = 0;
    for (const SurveyService& s : round.services) {
      service.Reset();
      service.Bind(1, id).Bind(2, s.service).Bind(3, int64_t{s.invited}).Bind(4, s.token);
      service.Bind(5, ordinal++);
      if (service.Step() != SQLITE_DONE) {
        return Fail(fmt::format("kan ikke lagre tjenesten {} i runden", s.service),
                    service.error());
      }
      invited.Reset();
      invited.Bind(1, int64_t{round.municipality})
          .Bind(2, int64_t{round.year})
          .Bind(3, round.round_type)
          .Bind(4, s.service)
          .Bind(5, int64_t{s.invited});
      if (invited.Step() != SQLITE_DONE) return Fail("kan ikke lagre inviterte", invited.error());
    }
    if (auto committed = tx.Commit(); !committed.ok()) return committed.error();
    return id;
  }

  Result<std::vector<SurveyRound>> ReadSurveyRounds(const char* where, const std::string& arg) {
    const std::string sql = fmt::format(
        "SELECT id, municipality, year, round_type, generation, token, status, item_ids, "
        "batch_id, created_by, created_at, closes_on FROM survey_rounds {} ORDER BY id",
        where);
    Statement s(db_, sql.c_str());
    if (!s.ok()) return Fail("kan ikke lese rundene", s.error());
    if (!arg.empty()) s.Bind(1, arg).Bind(2, arg);
    std::vector<SurveyRound> out;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      SurveyRound r;
      r.id = s.Int(0);
      r.municipality = static_cast<int>(s.Int(1));
      r.year = static_cast<int>(s.Int(2));
      r.round_type = s.Text(3);
      r.generation = s.Text(4);
      r.token = s.Text(5);
      r.status = s.Text(6);
      const std::string item_ids = s.Text(7);
      for (std::string_view rest = item_ids; !rest.empty();) {
        const auto end = rest.find('\n');
        r.item_ids.emplace_back(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      }
      if (!s.IsNull(8)) r.batch_id = s.Int(8);
      r.created_by = s.Text(9);
      r.created_at = s.Text(10);
      if (!s.IsNull(11)) r.closes_on = s.Text(11);
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return Fail("kan ikke lese rundene", s.error());
    Statement services(
        db_,
        "SELECT service, invited, token FROM survey_services WHERE round_id = ? ORDER BY ordinal");
    for (SurveyRound& r : out) {
      services.Reset();
      services.Bind(1, r.id);
      while ((rc = services.Step()) == SQLITE_ROW) {
        r.services.push_back(
            {services.Text(0), static_cast<int>(services.Int(1)), services.Text(2)});
      }
      if (rc != SQLITE_DONE) return Fail("kan ikke lese rundene", services.error());
    }
    return out;
  }

  Result<std::vector<SurveyRound>> SurveyRounds() override { return ReadSurveyRounds("", ""); }

  Result<std::optional<SurveyRound>> FindSurveyRoundByToken(const std::string& token) override {
    if (token.empty()) return std::optional<SurveyRound>();
    auto rounds = ReadSurveyRounds(
        "WHERE token = ? OR id IN (SELECT round_id FROM survey_services WHERE token = ?)", token);
    if (!rounds.ok()) return rounds.error();
    if (rounds->empty()) return std::optional<SurveyRound>();
    return std::optional<SurveyRound>(std::move(rounds->front()));
  }

  Result<std::map<int, std::size_t>> SurveyResponseCounts(int64_t round_id) override {
    Statement s(db_,
                "SELECT service, count(*) FROM survey_responses WHERE round_id = ? GROUP BY "
                "service");
    s.Bind(1, round_id);
    std::map<int, std::size_t> out;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      out[static_cast<int>(s.Int(0))] = static_cast<std::size_t>(s.Int(1));
    }
    if (rc != SQLITE_DONE) return Fail("kan ikke telle svarene", s.error());
    return out;
  }

  Result<std::vector<HeldResponse>> HeldResponses(int64_t round_id) override {
    Statement s(db_,
                "SELECT service, position, answers FROM survey_responses WHERE round_id = ? "
                "ORDER BY response_key");
    s.Bind(1, round_id);
    std::vector<HeldResponse> out;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      HeldResponse r;
      r.service = static_cast<int>(s.Int(0));
      r.position = static_cast<int>(s.Int(1));
      s.Blob(2, r.answers);
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return Fail("kan ikke lese svarene", s.error());
    return out;
  }

  Status SaveSurveyDraft(const std::string& draft_key, int64_t round_id,
                         const std::string& answers_json) override {
    Statement s(db_,
                "INSERT INTO survey_drafts (draft_key, round_id, answers, updated_on) VALUES (?, "
                "?, ?, ?) ON CONFLICT (draft_key) DO UPDATE SET answers = excluded.answers, "
                "updated_on = excluded.updated_on WHERE round_id = excluded.round_id");
    s.Bind(1, draft_key)
        .Bind(2, round_id)
        .Bind(3, answers_json)
        .Bind(4, UtcTimestamp().substr(0, 10));
    if (s.Step() != SQLITE_DONE) return Fail("kan ikke lagre svarutkastet", s.error());
    return Ok();
  }

  Result<bool> UpdateSurveyDraft(const std::string& draft_key, int64_t round_id,
                                 const std::string& answers_json) override {
    Statement s(db_,
                "UPDATE survey_drafts SET answers = ?, updated_on = ? WHERE draft_key = ? AND "
                "round_id = ?");
    s.Bind(1, answers_json)
        .Bind(2, UtcTimestamp().substr(0, 10))
        .Bind(3, draft_key)
        .Bind(4, round_id);
    if (s.Step() != SQLITE_DONE) return Fail("kan ikke lagre svarutkastet", s.error());
    return sqlite3_changes(db_) > 0;
  }

  Result<std::optional<std::string>> LoadSurveyDraft(const std::string& draft_key,
                                                     int64_t round_id) override {
    Statement s(db_, "SELECT answers FROM survey_drafts WHERE draft_key = ? AND round_id = ?");
    s.Bind(1, draft_key).Bind(2, round_id);
    const int rc = s.Step();
    if (rc == SQLITE_ROW) return std::optional<std::string>(s.Text(0));
    if (rc != SQLITE_DONE) return Fail("kan ikke lese svarutkastet", s.error());
    return std::optional<std::string>();
  }

  Result<SubmitStatus> SubmitSurveyResponse(const std::string& draft_key, int64_t round_id,
                                            const HeldResponse& response) override {
    Transaction tx(db_);
    if (auto begun = tx.Begin(); !begun.ok()) return begun.error();
    Statement status(db_, "SELECT status FROM survey_rounds WHERE id = ?");
    status.Bind(1, round_id);
    if (status.Step() != SQLITE_ROW || status.Text(0) != "open") return SubmitStatus::kRoundClosed;
    Statement drop(db_, "DELETE FROM survey_drafts WHERE draft_key = ? AND round_id = ?");
    drop.Bind(1, draft_key).Bind(2, round_id);
    if (drop.Step() != SQLITE_DONE) return Fail("kan ikke lagre svaret", drop.error());
    // The draft is the ticket: without it the answer was already submitted.
    if (sqlite3_changes(db_) == 0) return SubmitStatus::kAlreadySubmitted;
    Statement insert(db_,
                     "INSERT INTO survey_responses (response_key, round_id, service, position, "
                     "answers) VALUES (lower(hex(randomblob(16))), ?, ?, ?, ?)");
    insert.Bind(1, round_id)
        .Bind(2, int64_t{response.service})
        .Bind(3, int64_t{response.position})
        .BindBlob(4, response.answers);
    if (insert.Step() != SQLITE_DONE) return Fail("kan ikke lagre svaret", insert.error());
    if (auto committed = tx.Commit(); !committed.ok()) return committed.error();
    return SubmitStatus::kStored;
  }

  Result<std::optional<BatchInfo>> CloseSurveyRound(int64_t round_id, const NewBatch& batch,
                                                    std::size_t held_responses) override {
    auto closed = CloseSurveyRoundInTransaction(round_id, batch, held_responses);
    if (!closed.ok() || !closed->has_value()) return closed;
    // The drafts' and answers' rows are overwritten (secure_delete), but
    // older copies of their pages stay in the write-ahead log until it is
    // checkpointed: move it into the database and cut it to nothing. (After
    // the transaction's statements are gone: they would hold the tables.)
    if (auto scrubbed = Exec("PRAGMA wal_checkpoint(TRUNCATE)"); !scrubbed.ok()) {
      return Error{
          "runden er avsluttet, men kopier av utkastene kunne ikke fjernes fra "
          "databasens logg: " +
          scrubbed.error().message};
    }
    return closed;
  }

  Result<std::optional<BatchInfo>> CloseSurveyRoundInTransaction(int64_t round_id,
                                                                 const NewBatch& batch,
                                                                 std::size_t held_responses) {
    Transaction tx(db_);
    if (auto begun = tx.Begin(); !begun.ok()) return begun.error();
    Statement status(db_, "SELECT status FROM survey_rounds WHERE id = ?");
    status.Bind(1, round_id);
    if (status.Step() != SQLITE_ROW)
      return Error{fmt::format("ingen runde med id {}", round_id), ErrorCode::kNotFound};
    if (status.Text(0) != "open")
      return Error{"runden er allerede avsluttet", ErrorCode::kConflict};
    Statement held(db_, "SELECT count(*) FROM survey_responses WHERE round_id = ?");
    held.Bind(1, round_id);
    if (held.Step() != SQLITE_ROW) return Fail("kan ikke telle svarene", held.error());
    if (static_cast<std::size_t>(held.Int(0)) != held_responses) return std::optional<BatchInfo>();
    auto written = WriteBatchInTransaction(batch, nullptr);
    if (!written.ok()) return written.error();
    for (const char* sql : {"DELETE FROM survey_responses WHERE round_id = ?",
                            "DELETE FROM survey_drafts WHERE round_id = ?"}) {
      Statement s(db_, sql);
      s.Bind(1, round_id);
      if (s.Step() != SQLITE_DONE) return Fail("kan ikke avslutte runden", s.error());
    }
    Statement close(db_, "UPDATE survey_rounds SET status = 'closed', batch_id = ? WHERE id = ?");
    close.Bind(1, written->id).Bind(2, round_id);
    if (close.Step() != SQLITE_DONE) return Fail("kan ikke avslutte runden", close.error());
    if (auto committed = tx.Commit(); !committed.ok()) return committed.error();
    return std::optional<BatchInfo>(*written);
  }

  Result<bool> DiscardSurveyRound(int64_t round_id, std::size_t held_responses) override {
    {
      Transaction tx(db_);
      if (auto begun = tx.Begin(); !begun.ok()) return begun.error();
      Statement status(db_, "SELECT status FROM survey_rounds WHERE id = ?");
      status.Bind(1, round_id);
      if (status.Step() != SQLITE_ROW || status.Text(0) != "open") return false;
      Statement held(db_, "SELECT count(*) FROM survey_responses WHERE round_id = ?");
      held.Bind(1, round_id);
      if (held.Step() != SQLITE_ROW) return Fail("kan ikke telle svarene", held.error());
      if (static_cast<std::size_t>(held.Int(0)) != held_responses) return false;
      for (const char* sql : {"DELETE FROM survey_responses WHERE round_id = ?",
                              "DELETE FROM survey_drafts WHERE round_id = ?",
                              "DELETE FROM survey_comments WHERE round_id = ?",
                              "UPDATE survey_rounds SET status = 'closed' WHERE id = ?"}) {
        Statement s(db_, sql);
        s.Bind(1, round_id);
        if (s.Step() != SQLITE_DONE) return Fail("kan ikke avslutte runden", s.error());
      }
      if (auto committed = tx.Commit(); !committed.ok()) return committed.error();
    }
    // As when a round is closed: no copy of the deleted answers stays in the log.
    if (auto scrubbed = Exec("PRAGMA wal_checkpoint(TRUNCATE)"); !scrubbed.ok()) {
      return Error{
          "runden er avsluttet, men kopier av svarene kunne ikke fjernes fra databasens logg: " +
          scrubbed.error().message};
    }
    return true;
  }

  // --- Whole-database copy ---

  Status ScanTable(const TableSpec& table, const std::function<bool(const Row&)>& visit) override {
    std::string columns, key;
    for (const ColumnSpec& c : table.columns)
      columns += (columns.empty() ? "" : ", ") + std::string(c.name);
    for (const std::string& k : table.key) key += (key.empty() ? "" : ", ") + k;
    // Names come from the compiled-in catalogue, never from input.
    const std::string sql = fmt::format("SELECT {} FROM {} ORDER BY {}", columns, table.name, key);
    Statement s(db_, sql.c_str());
    if (!s.ok()) return Fail(fmt::format("kan ikke lese tabellen {}", table.name), s.error());
    Row row(table.columns.size());
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      for (std::size_t i = 0; i < table.columns.size(); ++i) {
        const int column = static_cast<int>(i);
        if (s.IsNull(column)) {
          row[i].reset();
        } else if (table.columns[i].kind == ColumnKind::kInteger) {
          row[i] = std::to_string(s.Int(column));
        } else if (table.columns[i].kind == ColumnKind::kBlob) {
          std::vector<uint8_t> bytes;
          s.Blob(column, bytes);
          row[i] = HexEncode(bytes);
        } else {
          row[i] = s.Text(column);
        }
      }
      if (!visit(row)) return Ok();
    }
    if (rc != SQLITE_DONE)
      return Fail(fmt::format("kan ikke lese tabellen {}", table.name), s.error());
    return Ok();
  }

  Status LoadTables(
      const std::function<Status(const TableSpec&, const RowWriter&)>& fill) override {
    Transaction tx(db_);
    if (auto begun = tx.Begin(); !begun.ok()) return begun.error();
    for (const TableSpec& table : PortableTables()) {
      const std::string sql = fmt::format("SELECT EXISTS (SELECT 1 FROM {})", table.name);
      Statement any(db_, sql.c_str());
      if (!any.ok() || any.Step() != SQLITE_ROW)
        return Fail("kan ikke lese databasen", any.error());
      if (any.Int(0) != 0) {
        return Error{
            fmt::format("{}: databasen er ikke tom (tabellen {} har rader); kopier bare til "
                        "en ny database",
                        path_, table.name)};
      }
    }
    for (const TableSpec& table : PortableTables()) {
      std::string columns, marks;
      for (const ColumnSpec& c : table.columns) {
        columns += (columns.empty() ? "" : ", ") + std::string(c.name);
        marks += marks.empty() ? "?" : ", ?";
      }
      const std::string sql =
          fmt::format("INSERT INTO {} ({}) VALUES ({})", table.name, columns, marks);
      Statement insert(db_, sql.c_str());
      if (!insert.ok())
        return Fail(fmt::format("kan ikke skrive tabellen {}", table.name), insert.error());
      std::vector<uint8_t> blob;
      auto write = [&](const Row& row) -> Status {
        if (row.size() != table.columns.size()) {
          return Error{fmt::format("{}: rad med {} verdier, ventet {}", table.name, row.size(),
                                   table.columns.size())};
        }
        insert.Reset();
        for (std::size_t i = 0; i < row.size(); ++i) {
          const int index = static_cast<int>(i) + 1;
          const ColumnSpec& column = table.columns[i];
          if (!row[i]) {
            insert.Bind(index, std::optional<std::string>());
          } else if (column.kind == ColumnKind::kInteger) {
            int64_t value = 0;
            const std::string& text = *row[i];
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc() || end != text.data() + text.size()) {
              return Error{
                  fmt::format("{}.{}: «{}» er ikke et heltall", table.name, column.name, text)};
            }
            insert.Bind(index, value);
          } else if (column.kind == ColumnKind::kBlob) {
            auto bytes = HexDecode(*row[i]);
            if (!bytes)
              return Error{fmt::format("{}.{}: ugyldig binærverdi", table.name, column.name)};
            blob = std::move(*bytes);
            insert.BindBlob(index, blob);
          } else {
            insert.Bind(index, *row[i]);
          }
        }
        if (insert.Step() != SQLITE_DONE) {
          return Fail(fmt::format("kan ikke skrive tabellen {}", table.name), insert.error());
        }
        return Ok();
      };
      if (auto filled = fill(table, write); !filled.ok()) return filled.error();
    }
    if (auto committed = tx.Commit(); !committed.ok()) return committed.error();
    return Ok();
  }

 private:
  sqlite3* db_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options) {
  if (const auto parent = std::filesystem::path(path).parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
  }
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? Explain(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Error{fmt::format("{}: kan ikke åpne databasen: {}", path, message)};
  }
  auto store = std::make_unique<SqliteStore>(db, path);
  sqlite3_busy_timeout(db, static_cast<int>(options.lock_wait.count()));
  // WAL: readers never block the writer, and a killed writer leaves only
  // uncommitted frames that the next open ignores.
  // secure_delete: deleted rows (drafts, held answers) are overwritten
  // with zeros, not left in free space.
  for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL",
                             "PRAGMA foreign_keys = ON", "PRAGMA secure_delete = ON"}) {
    if (sqlite3_exec(db, pragma, nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error{fmt::format("{}: kan ikke åpne databasen: {}", path, Explain(db))};
    }
  }
  auto version = store->SchemaVersion();
  if (!version.ok()) return version.error();
  if (*version > store->LatestSchemaVersion() ||
      (options.migrate && *version < store->LatestSchemaVersion())) {
    auto migrated = store->Migrate();
    if (!migrated.ok()) return migrated.error();
  } else if (*version < store->LatestSchemaVersion() && !options.open_outdated) {
    return Error{
        fmt::format("{}: databasen har skjemaversjon {}; kjør «samkart migrate»", path, *version)};
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace samkart::store
