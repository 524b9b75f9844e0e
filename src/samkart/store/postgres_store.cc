// The shared store: one PostgreSQL database for a whole installation, with
// the behaviour of sqlite_store.cc. Every statement has bound parameters;
// the only names spliced into SQL come from the compiled-in catalogue
// (tables.h) or are quoted by libpq (the application role).
//
// Writers that SQLite serialises with BEGIN IMMEDIATE are serialised here
// with a transaction-scoped advisory lock, so two servers importing at once
// queue instead of racing for the item registry. Text is ordered with
// COLLATE "C" (byte order), as SQLite orders it, whatever the database's
// own collation.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
#include <memory>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "samkart/core/utc_time.h"
#include "samkart/store/batch_writer.h"
#include "samkart/store/migrations.h"
#include "samkart/store/postgres_session.h"
#include "samkart/store/register_queries.h"
#include "samkart/store/store.h"

namespace samkart::store {

namespace {

// pg_advisory_xact_lock keys: one for migrations, one for batch writers.
constexpr int64_t kMigrationLock = 0x53414d4b00000001;  // "SAMK" 1
constexpr int64_t kBatchWriteLock = 0x53414d4b00000002;
// Rows fetched per round trip when scanning.
constexpr int kFetchRows = 20000;

// «postgresql://samkart_app@db.example:5432/samkart» without the password or
// the query (which may hold one).
std::string RedactedUrl(const std::string& url) {
  std::string out = url.substr(0, url.find('?'));
  const auto scheme = out.find("://");
  if (scheme == std::string::npos) return out;
  const auto at = out.find('@', scheme + 3);
  if (at == std::string::npos) return out;
  const auto colon = out.find(':', scheme + 3);
  if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
  return out;
}

// A bytea column as PostgreSQL's text form: «\x» then hex.
void DecodeBytea(const pqxx::field& field, std::vector<uint8_t>& out) {
  const std::string_view text(field.c_str(), field.size());
  auto bytes = HexDecode(text.size() >= 2 ? text.substr(2) : std::string_view());
  out = bytes ? std::move(*bytes) : std::vector<uint8_t>();
}

// An INTEGER column from a BINARY cursor: four bytes, most significant first.
int BinaryInt(const pqxx::field& field) {
  if (field.size() != 4) throw std::runtime_error("uventet heltallsformat fra PostgreSQL");
  const auto* b = reinterpret_cast<const unsigned char*>(field.c_str());
  return static_cast<int>((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) |
                          uint32_t{b[3]});
}

std::optional<int> OptionalInt(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<int>();
}

std::optional<std::string> OptionalText(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return std::string(field.c_str(), field.size());
}

std::string Text(const pqxx::field& field) { return std::string(field.c_str(), field.size()); }

User ReadUser(const pqxx::row& r) {
  User u;
  u.id = r[0].as<int64_t>();
  u.username = Text(r[1]);
  u.password_hash = Text(r[2]);
  u.role = Text(r[3]);
  u.region = OptionalText(r[4]);
  u.municipality = OptionalInt(r[5]);
  u.active = r[6].as<int>() != 0;
  u.created_at = Text(r[7]);
  return u;
}

constexpr const char* kUserColumns =
    "id, username, password_hash, role, region, municipality, active, created_at";

// What the application role may do per table: read and write rows, never
// the schema. The import tables and the audit log only grow.
struct TableGrant {
  const char* table;
  const char* privileges;
};
constexpr TableGrant kAppGrants[] = {
    {"schema_migrations", "SELECT"},
    {"municipalities", "SELECT, INSERT, UPDATE"},
    {"items", "SELECT, INSERT"},
    {"batches", "SELECT, INSERT"},
    {"respondents", "SELECT, INSERT"},
    {"invited", "SELECT, INSERT, UPDATE"},
    {"users", "SELECT, INSERT, UPDATE"},
    {"sessions", "SELECT, INSERT, DELETE"},
    {"audit_log", "SELECT, INSERT"},
    {"survey_rounds", "SELECT, INSERT, UPDATE"},
    {"survey_services", "SELECT, INSERT"},
    {"survey_drafts", "SELECT, INSERT, UPDATE, DELETE"},
    {"survey_responses", "SELECT, INSERT, DELETE"},
    {"login_failures", "SELECT, INSERT, UPDATE, DELETE"},
    {"privacy_contacts", "SELECT, INSERT, UPDATE"},
    {"survey_comment_questions", "SELECT, INSERT, UPDATE, DELETE"},
    {"survey_comments", "SELECT, INSERT, UPDATE, DELETE"},
};

// Throws pqxx::broken_connection when the server cannot be reached.
std::unique_ptr<pqxx::connection> Connect(const std::string& url) {
  auto connection = std::make_unique<pqxx::connection>(url);
  // Notices («… already exists, skipping») are not the user's business, and
  // text is UTF-8 whatever PGCLIENTENCODING says.
  pqxx::nontransaction setup(*connection);
  setup.exec0("SET client_min_messages = warning");
  setup.exec0("SET client_encoding = 'UTF8'");
  return connection;
}

class PostgresStore final : public Store {
 public:
  PostgresStore(std::unique_ptr<pqxx::connection> connection, std::string url, std::string app_role)
      : connection_(std::move(connection)),
        url_(std::move(url)),
        description_(RedactedUrl(url_)),
        app_role_(std::move(app_role)) {}

  std::string Describe() const override { return "PostgreSQL-databasen " + description_; }

 protected:
  Status InSession(const std::function<Status(SqlSession&)>& work) override {
    return Guard("kan ikke lese eller skrive", [&]() -> Status {
      pqxx::work tx(db());
      SAMKART_TRY(work(*MakePostgresSession(tx, description_)));
      tx.commit();
      return Ok();
    });
  }

 public:
  // Runs `work`, turning libpqxx's exceptions into an Error that says what
  // failed. A unique or foreign-key violation gets `conflict` when given.
  template <typename Work>
  auto Guard(const std::string& what, Work&& work) -> decltype(work()) {
    return Guard(what, std::forward<Work>(work), std::string());
  }
  // `conflict` empty: a violation is reported like any other failure.
  template <typename Work>
  auto Guard(const std::string& what, Work&& work, const std::string& conflict)
      -> decltype(work()) {
    try {
      try {
        return work();
      } catch (const pqxx::in_doubt_error&) {
        throw;  // the commit may have happened: retrying could do it twice
      } catch (const pqxx::failure& e) {
        if (!ConnectionLost(e)) throw;
        // The server restarted or the connection was cut. The transaction
        // never committed (a commit whose fate is unknown throws
        // in_doubt_error), so it is safe to connect again and retry once.
        connection_ = Connect(url_);
        return work();
      }
    } catch (const pqxx::integrity_constraint_violation& e) {
      if (!conflict.empty()) return Error{conflict, ErrorCode::kConflict};
      return Fail(what, e.what(), ErrorCode::kConflict);
    } catch (const pqxx::insufficient_privilege& e) {
      return Fail(
          what,
          fmt::format("mangler rettighet ({}); sjekk rollen i tilkoblingen", FirstLine(e.what())),
          ErrorCode::kPermission);
    } catch (const pqxx::broken_connection& e) {
      return Fail(what,
                  fmt::format("forbindelsen til databasen er brutt ({})", FirstLine(e.what())),
                  ErrorCode::kUnavailable);
    } catch (const std::exception& e) {
      return Fail(what, e.what());
    }
  }

  // libpq reports a terminated backend either as a broken connection or,
  // when the server's last words arrive first, as an SQL error of class 57P
  // (admin_shutdown, crash_shutdown, cannot_connect_now).
  bool ConnectionLost(const pqxx::failure& e) const {
    if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
    if (!connection_->is_open()) return true;
    const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
    return sql != nullptr && sql->sqlstate().starts_with("57P0");
  }

  std::string LostMidRead() const {
    return fmt::format("{}: forbindelsen til databasen ble brutt midt i lesingen; prøv igjen",
                       description_);
  }

  static std::string FirstLine(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    if (line.starts_with("ERROR:  ")) line.erase(0, 8);
    return line;
  }

  Error Fail(const std::string& what, const std::string& detail,
             ErrorCode code = ErrorCode::kInvalidInput) const {
    return Error{fmt::format("{}: {}: {}", description_, what, FirstLine(detail)), code};
  }

  pqxx::connection& db() { return *connection_; }

  // --- Schema ---

  static int ReadVersion(pqxx::transaction_base& tx) {
    if (tx.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL")[0].as<bool>() == false) {
      return 0;
    }
    return tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
  }

  Result<int> SchemaVersion() override {
    return Guard("kan ikke lese skjemaversjonen", [&]() -> Result<int> {
      pqxx::read_transaction tx(db());
      return ReadVersion(tx);
    });
  }

  int LatestSchemaVersion() const override {
    return PostgresMigrations().empty() ? 0 : PostgresMigrations().back().version;
  }

  Result<std::vector<std::string>> Migrate() override {
    auto current = SchemaVersion();
    if (!current.ok()) return current.error();
    if (*current > LatestSchemaVersion()) {
      return Error{fmt::format(
          "{}: databasen har skjemaversjon {}, men denne Samkart kjenner bare til versjon {}; "
          "bruk en nyere Samkart",
          description_, *current, LatestSchemaVersion())};
    }
    std::vector<std::string> applied;
    for (const Migration& m : PostgresMigrations()) {
      if (m.version <= *current) continue;
      auto ran = Guard(
          fmt::format("migrering {} ({}) feilet", m.version, m.description), [&]() -> Result<bool> {
            pqxx::work tx(db());
            // Two servers starting at once: the second waits, then finds it done.
            tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
            if (ReadVersion(tx) >= m.version) return false;
            tx.exec0(m.sql);
            tx.exec_params0(
                "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, "
                "$3)",
                m.version, std::string(m.description), UtcTimestamp());
            tx.commit();
            return true;
          });
      if (!ran.ok()) {
        if (ran.error().code != ErrorCode::kPermission) return ran.error();
        return Error{ran.error().message +
                         "\n(migreringer kjøres som eierrollen: samkart --db postgresql://EIER@… "
                         "migrate)",
                     ErrorCode::kPermission};
      }
      if (*ran) applied.push_back(fmt::format("{}: {}", m.version, m.description));
    }
    if (!app_role_.empty()) {
      if (auto granted = GrantAppRole(); !granted.ok()) return granted.error();
    }
    return applied;
  }

  Status GrantAppRole() {
    return Guard(fmt::format("kan ikke gi rollen «{}» rettigheter", app_role_), [&]() -> Status {
      pqxx::work tx(db());
      // GRANT and REVOKE by someone who does not own a table only warn,
      // and a role that already has its rights would hide that: only an
      // owner (or a member of the owning role) may go on.
      const auto foreign = tx.exec(
          "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND NOT "
          "pg_has_role(current_user, tableowner, 'USAGE') ORDER BY tablename LIMIT 1");
      if (!foreign.empty()) {
        return Error{fmt::format(
            "{}: bare eieren av tabellene kan gi rollen «{}» rettigheter, og {} eies av en "
            "annen rolle (kjør migrate --grant som eierrollen)",
            description_, app_role_, foreign[0][0].c_str())};
      }
      const std::string role = tx.quote_name(app_role_);
      tx.exec0(fmt::format("GRANT USAGE ON SCHEMA {} TO {}",
                           tx.quote_name(tx.exec1("SELECT current_schema()")[0].c_str()), role));
      for (const TableGrant& g : kAppGrants) {
        tx.exec0(fmt::format("REVOKE ALL ON {} FROM {}", g.table, role));
        tx.exec0(fmt::format("GRANT {} ON {} TO {}", g.privileges, g.table, role));
      }
      // Identity columns: the sequences behind them.
      for (const TableSpec& t : PortableTables()) {
        if (!t.identity) continue;
        const auto sequence =
            tx.exec_params1("SELECT pg_get_serial_sequence($1, 'id')", std::string(t.name));
        tx.exec0(
            fmt::format("GRANT USAGE, SELECT ON SEQUENCE {} TO {}", sequence[0].c_str(), role));
      }
      // GRANT by someone who does not own the tables only warns; check
      // that it took.
      for (const TableGrant& g : kAppGrants) {
        const bool granted = tx.exec_params1("SELECT has_table_privilege($1, $2, 'SELECT')",
                                             app_role_, std::string(g.table))[0]
                                 .as<bool>();
        if (!granted) {
          return Error{
              fmt::format("{}: rollen «{}» fikk ikke rettigheter til tabellen {}; bare eieren av "
                          "tabellene kan gi dem (kjør migrate som eierrollen)",
                          description_, app_role_, g.table)};
        }
      }
      tx.commit();
      return Ok();
    });
  }

  // --- Register, invited counts ---

  Status UpsertMunicipalities(const std::vector<Municipality>& municipalities) override {
    return Guard("kan ikke lagre kommuneregisteret", [&]() -> Status {
      pqxx::work tx(db());
      SAMKART_TRY(WriteMunicipalities(*MakePostgresSession(tx, description_), municipalities));
      tx.commit();
      return Ok();
    });
  }

  Result<std::vector<Municipality>> Municipalities() override {
    return Guard("kan ikke lese kommuneregisteret", [&]() -> Result<std::vector<Municipality>> {
      pqxx::read_transaction tx(db());
      return ReadMunicipalities(*MakePostgresSession(tx, description_));
    });
  }

  Status UpsertInvitedCounts(const std::vector<InvitedCount>& counts) override {
    return Guard("kan ikke lagre inviterte", [&]() -> Status {
      pqxx::work tx(db());
      SAMKART_TRY(WriteInvitedCounts(*MakePostgresSession(tx, description_), counts));
      tx.commit();
      return Ok();
    });
  }

  Result<std::vector<InvitedCount>> InvitedCounts() override {
    return Guard("kan ikke lese inviterte", [&]() -> Result<std::vector<InvitedCount>> {
      pqxx::read_transaction tx(db());
      return ReadInvitedCounts(*MakePostgresSession(tx, description_));
    });
  }

  // --- Batches and respondents ---

  Result<std::optional<BatchInfo>> FindBatchByHash(const std::string& sha256) override {
    return Guard("kan ikke lese importene", [&]() -> Result<std::optional<BatchInfo>> {
      pqxx::read_transaction tx(db());
      return FindBatch(*MakePostgresSession(tx, description_), sha256);
    });
  }

  Result<std::vector<std::string>> ItemIds() override {
    return Guard("kan ikke lese spørsmålsregisteret", [&]() -> Result<std::vector<std::string>> {
      pqxx::read_transaction tx(db());
      return ReadItemIds(*MakePostgresSession(tx, description_));
    });
  }

  Result<BatchInfo> WriteBatch(const NewBatch& batch, const WriteProgress& progress) override {
    return Guard(
        "kan ikke lagre importen",
        [&]() -> Result<BatchInfo> {
          pqxx::work tx(db());
          auto written = WriteBatchInTransaction(tx, batch, progress);
          if (!written.ok()) return written.error();
          tx.commit();
          return written;
        },
        DuplicateMessage(batch));
  }

  // Another server may commit the same file between our check and our
  // insert; the unique hash then says so in the same words.
  static std::string DuplicateMessage(const NewBatch& batch) {
    return fmt::format("{}: filen er allerede importert", batch.file_name);
  }

  Result<BatchInfo> WriteBatchInTransaction(pqxx::work& tx, const NewBatch& batch,
                                            const WriteProgress& progress) {
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kBatchWriteLock);
    return WriteBatchInSession(*MakePostgresSession(tx, description_), batch, progress);
  }

  Result<std::vector<BatchInfo>> Batches() override {
    return Guard("kan ikke lese importene", [&]() -> Result<std::vector<BatchInfo>> {
      pqxx::read_transaction tx(db());
      return ReadBatches(*MakePostgresSession(tx, description_));
    });
  }

  Result<std::string> BatchReport(int64_t batch_id) override {
    return Guard("kan ikke lese importrapporten", [&]() -> Result<std::string> {
      pqxx::read_transaction tx(db());
      const auto r = tx.exec_params("SELECT report FROM batches WHERE id = $1", batch_id);
      if (r.empty())
        return Error{fmt::format("{}: ingen import med nummer {}", description_, batch_id),
                     ErrorCode::kNotFound};
      return Text(r[0][0]);
    });
  }

  Result<std::vector<RoundInfo>> Rounds() override {
    return Guard("kan ikke lese rundene", [&]() -> Result<std::vector<RoundInfo>> {
      pqxx::read_transaction tx(db());
      std::vector<RoundInfo> out;
      for (const auto& r : tx.exec(
               "SELECT r.municipality, coalesce(m.name, ''), r.year, r.round_type, r.generation, "
               "count(*), r.batch_id FROM respondents r LEFT JOIN municipalities m ON m.number = "
               "r.municipality GROUP BY r.batch_id, r.municipality, m.name, r.year, r.round_type, "
               "r.generation ORDER BY r.municipality, r.year, r.batch_id")) {
        out.push_back({r[0].as<int>(), Text(r[1]), r[2].as<int>(), Text(r[3]), Text(r[4]),
                       r[5].as<std::size_t>(), r[6].as<int64_t>()});
      }
      return out;
    });
  }

  // Runs `sql` through a cursor, `kFetchRows` at a time, so a million
  // respondents never sit in memory at once. `visit` returns false to stop.
  // A BINARY cursor returns columns in PostgreSQL's wire format (see
  // BinaryInt, BinaryBytes) instead of text.
  static void Fetch(pqxx::transaction_base& tx, const std::string& sql,
                    const std::function<bool(const pqxx::row&)>& visit, bool binary = false) {
    tx.exec0(fmt::format("DECLARE samkart_scan {}NO SCROLL CURSOR FOR {}", binary ? "BINARY " : "",
                         sql));
    const std::string fetch = fmt::format("FETCH {} FROM samkart_scan", kFetchRows);
    for (;;) {
      const pqxx::result rows = tx.exec(fetch);
      if (rows.empty()) break;
      for (const auto& row : rows) {
        if (!visit(row)) return;
      }
    }
  }

  Status ScanRespondents(const std::function<bool(const RespondentRecord&, const std::string&,
                                                  const std::string&)>& visit) override {
    bool visited = false;
    return Guard("kan ikke lese svarene", [&]() -> Status {
      // Guard retries after a lost connection; rows already handed out
      // must not be handed out twice.
      if (visited) return Error{LostMidRead(), ErrorCode::kUnavailable};
      pqxx::read_transaction tx(db());
      // Binary: the answers come as bytes, not hex, which halves the time
      // the analyses take to load on this backend.
      RespondentRecord record;
      std::string round_type, generation;
      Fetch(
          tx,
          "SELECT municipality, year, service, position, answers, round_type, generation FROM "
          "respondents ORDER BY id",
          [&](const pqxx::row& r) {
            record.municipality = BinaryInt(r[0]);
            record.year = BinaryInt(r[1]);
            record.service = BinaryInt(r[2]);
            record.position = BinaryInt(r[3]);
            const auto* answers = reinterpret_cast<const uint8_t*>(r[4].c_str());
            record.answers.assign(answers, answers + r[4].size());
            round_type.assign(r[5].c_str(), r[5].size());
            generation.assign(r[6].c_str(), r[6].size());
            visited = true;
            return visit(record, round_type, generation);
          },
          true);
      return Ok();
    });
  }

  // --- Users, sessions, audit log ---

  Result<int64_t> AddUser(const User& user) override {
    return Guard(
        "kan ikke lagre brukeren",
        [&]() -> Result<int64_t> {
          pqxx::work tx(db());
          const int64_t id =
              tx.exec_params1(
                    "INSERT INTO users (username, password_hash, role, region, municipality, "
                    "active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    user.username, user.password_hash, user.role, user.region, user.municipality,
                    user.active ? 1 : 0,
                    user.created_at.empty() ? UtcTimestamp() : user.created_at)[0]
                  .as<int64_t>();
          tx.commit();
          return id;
        },
        fmt::format("brukernavnet «{}» finnes fra før, eller kommunen finnes ikke", user.username));
  }

  Status UpdateUser(const User& user) override {
    return Guard("kan ikke endre brukeren", [&]() -> Status {
      pqxx::work tx(db());
      const auto r = tx.exec_params(
          "UPDATE users SET password_hash = $1, role = $2, region = $3, municipality = $4, active "
          "= $5 WHERE id = $6",
          user.password_hash, user.role, user.region, user.municipality, user.active ? 1 : 0,
          user.id);
      if (r.affected_rows() == 0)
        return Error{fmt::format("ingen bruker med id {}", user.id), ErrorCode::kNotFound};
      tx.commit();
      return Ok();
    });
  }

  template <typename Key>
  Result<std::optional<User>> FindUserWhere(const char* where, const Key& key) {
    return Guard("kan ikke lese brukere", [&]() -> Result<std::optional<User>> {
      pqxx::read_transaction tx(db());
      const auto r =
          tx.exec_params(fmt::format("SELECT {} FROM users WHERE {}", kUserColumns, where), key);
      if (r.empty()) return std::optional<User>();
      return std::optional<User>(ReadUser(r[0]));
    });
  }

  Result<std::optional<User>> FindUser(const std::string& username) override {
    return FindUserWhere("username = $1", username);
  }

  Result<std::optional<User>> FindUserById(int64_t id) override {
    return FindUserWhere("id = $1", id);
  }

  Result<std::vector<User>> Users() override {
    return Guard("kan ikke lese brukere", [&]() -> Result<std::vector<User>> {
      pqxx::read_transaction tx(db());
      std::vector<User> out;
      for (const auto& r : tx.exec(
               fmt::format("SELECT {} FROM users ORDER BY username COLLATE \"C\"", kUserColumns))) {
        out.push_back(ReadUser(r));
      }
      return out;
    });
  }

  Status AddSession(const Session& session) override {
    return Guard("kan ikke lagre økten", [&]() -> Status {
      pqxx::work tx(db());
      tx.exec_params0("DELETE FROM sessions WHERE expires_at COLLATE \"C\" <= $1", UtcTimestamp());
      tx.exec_params0(
          "INSERT INTO sessions (token_sha256, user_id, csrf_token, expires_at) VALUES ($1, $2, "
          "$3, $4)",
          session.token_sha256, session.user_id, session.csrf_token, session.expires_at);
      tx.commit();
      return Ok();
    });
  }

  Result<std::optional<Session>> FindSession(const std::string& token_sha256) override {
    return Guard("kan ikke lese økter", [&]() -> Result<std::optional<Session>> {
      pqxx::read_transaction tx(db());
      const auto r = tx.exec_params(
          "SELECT token_sha256, user_id, csrf_token, expires_at FROM sessions WHERE token_sha256 "
          "= $1 AND expires_at COLLATE \"C\" > $2",
          token_sha256, UtcTimestamp());
      if (r.empty()) return std::optional<Session>();
      return std::optional<Session>(
          Session{Text(r[0][0]), r[0][1].as<int64_t>(), Text(r[0][2]), Text(r[0][3])});
    });
  }

  Status DeleteSession(const std::string& token_sha256) override {
    return Guard("kan ikke avslutte økten", [&]() -> Status {
      pqxx::work tx(db());
      tx.exec_params0("DELETE FROM sessions WHERE token_sha256 = $1", token_sha256);
      tx.commit();
      return Ok();
    });
  }

  Status DeleteUser(int64_t user_id) override {
    return Guard("kan ikke slette brukeren", [&]() -> Status {
      pqxx::work tx(db());
      tx.exec_params0("DELETE FROM sessions WHERE user_id = $1", user_id);
      const auto r = tx.exec_params("DELETE FROM users WHERE id = $1", user_id);
      if (r.affected_rows() == 0)
        return Error{fmt::format("ingen bruker med id {}", user_id), ErrorCode::kNotFound};
      tx.commit();
      return Ok();
    });
  }

  Result<Removal> DeleteData(const DeletionTarget& target, bool apply) override {
    return Guard("kan ikke slette", [&]() -> Result<Removal> {
      pqxx::work tx(db());
      Removal removal;
      for (const DeletionStep& step : DeletionSteps(target)) {
        // ?1, ?2 → $1, $2
        std::string sql = step.sql;
        for (std::size_t at = sql.find('?'); at != std::string::npos; at = sql.find('?', at)) {
          sql[at] = '$';
        }
        const int parameters = step.Parameters();
        const pqxx::result r = parameters == 0 ? tx.exec(sql)
                               : parameters == 1
                                   ? (target.kind == DeletionTarget::Kind::kBatch
                                          ? tx.exec_params(sql, target.batch_id)
                                          : tx.exec_params(sql, target.municipality))
                                   : tx.exec_params(sql, target.municipality, target.year);
        if (step.counted) removal.*step.counted += static_cast<std::size_t>(r.affected_rows());
      }
      if (apply) tx.commit();  // else a preview: the transaction is aborted
      return removal;
    });
  }

  Status DeleteSessionsOfUser(int64_t user_id) override {
    return Guard("kan ikke avslutte øktene", [&]() -> Status {
      pqxx::work tx(db());
      tx.exec_params0("DELETE FROM sessions WHERE user_id = $1", user_id);
      tx.commit();
      return Ok();
    });
  }

  Result<LoginFailures> CountLoginFailure(const std::string& key, int64_t at) override {
    return Guard("kan ikke telle mislykkede innlogginger", [&]() -> Result<LoginFailures> {
      pqxx::work tx(db());
      tx.exec_params0("DELETE FROM login_failures WHERE last_failure < $1", at - kQuietDay);
      const auto row = tx.exec_params1(
          "INSERT INTO login_failures (throttle_key, failures, last_failure) VALUES ($1, 1, $2) "
          "ON CONFLICT (throttle_key) DO UPDATE SET failures = login_failures.failures + 1, "
          "last_failure = $2 RETURNING failures, last_failure",
          key, at);
      tx.commit();
      return LoginFailures{row[0].as<std::size_t>(), row[1].as<int64_t>()};
    });
  }

  Result<LoginFailures> FindLoginFailures(const std::string& key) override {
    return Guard("kan ikke lese mislykkede innlogginger", [&]() -> Result<LoginFailures> {
      pqxx::read_transaction tx(db());
      const auto r = tx.exec_params(
          "SELECT failures, last_failure FROM login_failures WHERE throttle_key = $1", key);
      if (r.empty()) return LoginFailures{};
      return LoginFailures{r[0][0].as<std::size_t>(), r[0][1].as<int64_t>()};
    });
  }

  Status ForgetLoginFailures(const std::string& key) override {
    return Guard("kan ikke glemme mislykkede innlogginger", [&]() -> Status {
      pqxx::work tx(db());
      tx.exec_params0("DELETE FROM login_failures WHERE throttle_key = $1", key);
      tx.commit();
      return Ok();
    });
  }

  Status StoreAudit(const AuditEntry& entry) override {
    return Guard("kan ikke skrive revisjonsloggen", [&]() -> Status {
      pqxx::work tx(db());
      tx.exec_params0(
          "INSERT INTO audit_log (at, username, action, detail) VALUES ($1, $2, $3, $4)",
          entry.at.empty() ? UtcTimestamp() : entry.at, entry.username, entry.action, entry.detail);
      tx.commit();
      return Ok();
    });
  }

  Result<std::vector<AuditEntry>> AuditLog(std::size_t limit) override {
    return Guard("kan ikke lese revisjonsloggen", [&]() -> Result<std::vector<AuditEntry>> {
      pqxx::read_transaction tx(db());
      std::vector<AuditEntry> out;
      for (const auto& r : tx.exec_params(
               "SELECT id, at, username, action, detail FROM audit_log ORDER BY id DESC LIMIT $1",
               static_cast<int64_t>(limit))) {
        out.push_back({r[0].as<int64_t>(), Text(r[1]), Text(r[2]), Text(r[3]), Text(r[4])});
      }
      return out;
    });
  }

  // --- Survey rounds ---

  Result<int64_t> CreateSurveyRound(const SurveyRound& round) override {
    return Guard(
        "kan ikke lagre runden",
        [&]() -> Result<int64_t> {
          pqxx::work tx(db());
          if (tx.exec_params("SELECT 1 FROM municipalities WHERE number = $1", round.municipality)
                  .empty()) {
            return Error{
                fmt::format("kommune {} finnes ikke i kommuneregisteret", round.municipality)};
          }
          std::string item_ids;
          for (const std::string& id : round.item_ids) {
            if (!item_ids.empty()) item_ids += '\n';
            item_ids += id;
          }
          const int64_t id =
              tx.exec_params1(
                    "INSERT INTO survey_rounds (municipality, year, round_type, generation, token, "
                    "status, item_ids, created_by, created_at, closes_on) VALUES ($1, $2, $3, $4, "
                    "$5, 'open', $6, $7, $8, $9) RETURNING id",
                    round.municipality, round.year, round.round_type, round.generation, round.token,
                    item_ids, round.created_by,
                    round.created_at.empty() ? UtcTimestamp() : round.created_at,
                    round.closes_on.empty() ? std::optional<std::string>()
                                            : std::optional<std::string>(round.closes_on))[0]
                  .as<int64_t>();
          int ordinal = 0;
          for (const SurveyService& s : round.services) {
            tx.exec_params0(
                "INSERT INTO survey_services (round_id, service, invited, token, ordinal) VALUES "
                "($1, $2, $3, $4, $5)",
                id, s.service, s.invited, s.token, ordinal++);
            tx.exec_params0(
                "INSERT INTO invited (municipality, year, round_type, service, invited) VALUES "
                "($1, $2, $3, $4, $5) ON CONFLICT (municipality, year, round_type, service) DO "
                "UPDATE SET invited = excluded.invited",
                round.municipality, round.year, round.round_type, s.service, s.invited);
          }
          tx.commit();
          return id;
        },
        fmt::format("kommune {} har allerede en runde for {} ({})", round.municipality, round.year,
                    round.round_type));
  }

  static std::vector<SurveyRound> ReadSurveyRounds(pqxx::transaction_base& tx,
                                                   const pqxx::result& rows) {
    std::vector<SurveyRound> out;
    for (const auto& row : rows) {
      SurveyRound r;
      r.id = row[0].as<int64_t>();
      r.municipality = row[1].as<int>();
      r.year = row[2].as<int>();
      r.round_type = Text(row[3]);
      r.generation = Text(row[4]);
      r.token = Text(row[5]);
      r.status = Text(row[6]);
      const std::string item_ids = Text(row[7]);
      for (std::string_view rest = item_ids; !rest.empty();) {
        const auto end = rest.find('\n');
        r.item_ids.emplace_back(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      }
      if (!row[8].is_null()) r.batch_id = row[8].as<int64_t>();
      r.created_by = Text(row[9]);
      r.created_at = Text(row[10]);
      if (!row[11].is_null()) r.closes_on = Text(row[11]);
      for (const auto& s : tx.exec_params(
               "SELECT service, invited, token FROM survey_services WHERE round_id = $1 ORDER BY "
               "ordinal",
               r.id)) {
        r.services.push_back({Text(s[0]), s[1].as<int>(), Text(s[2])});
      }
      out.push_back(std::move(r));
    }
    return out;
  }

  static constexpr const char* kRoundColumns =
      "id, municipality, year, round_type, generation, token, status, item_ids, batch_id, "
      "created_by, created_at, closes_on";

  Result<std::vector<SurveyRound>> SurveyRounds() override {
    return Guard("kan ikke lese rundene", [&]() -> Result<std::vector<SurveyRound>> {
      pqxx::read_transaction tx(db());
      const auto rows =
          tx.exec(fmt::format("SELECT {} FROM survey_rounds ORDER BY id", kRoundColumns));
      return ReadSurveyRounds(tx, rows);
    });
  }

  Result<std::optional<SurveyRound>> FindSurveyRoundByToken(const std::string& token) override {
    if (token.empty()) return std::optional<SurveyRound>();
    return Guard("kan ikke lese rundene", [&]() -> Result<std::optional<SurveyRound>> {
      pqxx::read_transaction tx(db());
      const auto rows = tx.exec_params(
          fmt::format("SELECT {} FROM survey_rounds WHERE token = $1 OR id IN (SELECT round_id "
                      "FROM survey_services WHERE token = $1) ORDER BY id",
                      kRoundColumns),
          token);
      auto rounds = ReadSurveyRounds(tx, rows);
      if (rounds.empty()) return std::optional<SurveyRound>();
      return std::optional<SurveyRound>(std::move(rounds.front()));
    });
  }

  Result<std::map<int, std::size_t>> SurveyResponseCounts(int64_t round_id) override {
    return Guard("kan ikke telle svarene", [&]() -> Result<std::map<int, std::size_t>> {
      pqxx::read_transaction tx(db());
      std::map<int, std::size_t> out;
      for (const auto& r : tx.exec_params(
               "SELECT service, count(*) FROM survey_responses WHERE round_id = $1 GROUP BY "
               "service",
               round_id)) {
        out[r[0].as<int>()] = r[1].as<std::size_t>();
      }
      return out;
    });
  }

  Result<std::vector<HeldResponse>> HeldResponses(int64_t round_id) override {
    return Guard("kan ikke lese svarene", [&]() -> Result<std::vector<HeldResponse>> {
      pqxx::read_transaction tx(db());
      std::vector<HeldResponse> out;
      for (const auto& r : tx.exec_params(
               "SELECT service, position, answers FROM survey_responses WHERE round_id = $1 "
               "ORDER BY response_key COLLATE \"C\"",
               round_id)) {
        HeldResponse h;
        h.service = r[0].as<int>();
        h.position = r[1].as<int>();
        DecodeBytea(r[2], h.answers);
        out.push_back(std::move(h));
      }
      return out;
    });
  }

  Status SaveSurveyDraft(const std::string& draft_key, int64_t round_id,
                         const std::string& answers_json) override {
    return Guard("kan ikke lagre svarutkastet", [&]() -> Status {
      pqxx::work tx(db());
      tx.exec_params0(
          "INSERT INTO survey_drafts (draft_key, round_id, answers, updated_on) VALUES ($1, $2, "
          "$3, $4) ON CONFLICT (draft_key) DO UPDATE SET answers = excluded.answers, updated_on "
          "= excluded.updated_on WHERE survey_drafts.round_id = excluded.round_id",
          draft_key, round_id, answers_json, UtcTimestamp().substr(0, 10));
      tx.commit();
      return Ok();
    });
  }

  Result<bool> UpdateSurveyDraft(const std::string& draft_key, int64_t round_id,
                                 const std::string& answers_json) override {
    return Guard("kan ikke lagre svarutkastet", [&]() -> Result<bool> {
      pqxx::work tx(db());
      const auto r = tx.exec_params(
          "UPDATE survey_drafts SET answers = $1, updated_on = $2 WHERE draft_key = $3 AND "
          "round_id = $4",
          answers_json, UtcTimestamp().substr(0, 10), draft_key, round_id);
      tx.commit();
      return r.affected_rows() > 0;
    });
  }

  Result<std::optional<std::string>> LoadSurveyDraft(const std::string& draft_key,
                                                     int64_t round_id) override {
    return Guard("kan ikke lese svarutkastet", [&]() -> Result<std::optional<std::string>> {
      pqxx::read_transaction tx(db());
      const auto r =
          tx.exec_params("SELECT answers FROM survey_drafts WHERE draft_key = $1 AND round_id = $2",
                         draft_key, round_id);
      if (r.empty()) return std::optional<std::string>();
      return std::optional<std::string>(Text(r[0][0]));
    });
  }

  Result<SubmitStatus> SubmitSurveyResponse(const std::string& draft_key, int64_t round_id,
                                            const HeldResponse& response) override {
    return Guard("kan ikke lagre svaret", [&]() -> Result<SubmitStatus> {
      pqxx::work tx(db());
      // FOR SHARE: submissions run side by side, but a closing round waits
      // for them, and a submission after the close sees it closed.
      const auto status =
          tx.exec_params("SELECT status FROM survey_rounds WHERE id = $1 FOR SHARE", round_id);
      if (status.empty() || Text(status[0][0]) != "open") return SubmitStatus::kRoundClosed;
      // The draft is the ticket: without it the answer was already submitted.
      const auto dropped = tx.exec_params(
          "DELETE FROM survey_drafts WHERE draft_key = $1 AND round_id = $2", draft_key, round_id);
      if (dropped.affected_rows() == 0) return SubmitStatus::kAlreadySubmitted;
      tx.exec_params0(
          "INSERT INTO survey_responses (response_key, round_id, service, position, answers) "
          "VALUES (replace(gen_random_uuid()::text, '-', ''), $1, $2, $3, $4)",
          round_id, response.service, response.position, "\\x" + HexEncode(response.answers));
      tx.commit();
      return SubmitStatus::kStored;
    });
  }

  Result<std::optional<BatchInfo>> CloseSurveyRound(int64_t round_id, const NewBatch& batch,
                                                    std::size_t held_responses) override {
    return Guard(
        "kan ikke avslutte runden",
        [&]() -> Result<std::optional<BatchInfo>> {
          pqxx::work tx(db());
          const auto status =
              tx.exec_params("SELECT status FROM survey_rounds WHERE id = $1 FOR UPDATE", round_id);
          if (status.empty())
            return Error{fmt::format("ingen runde med id {}", round_id), ErrorCode::kNotFound};
          if (Text(status[0][0]) != "open")
            return Error{"runden er allerede avsluttet", ErrorCode::kConflict};
          // The lock above keeps new submissions out (they take FOR SHARE);
          // one that committed before it is counted here.
          const auto held = tx.exec_params1(
              "SELECT count(*) FROM survey_responses WHERE round_id = $1", round_id)[0];
          if (held.as<std::size_t>() != held_responses) return std::optional<BatchInfo>();
          auto written = WriteBatchInTransaction(tx, batch, nullptr);
          if (!written.ok()) return written.error();
          tx.exec_params0("DELETE FROM survey_responses WHERE round_id = $1", round_id);
          tx.exec_params0("DELETE FROM survey_drafts WHERE round_id = $1", round_id);
          tx.exec_params0("UPDATE survey_rounds SET status = 'closed', batch_id = $1 WHERE id = $2",
                          written->id, round_id);
          tx.commit();
          return std::optional<BatchInfo>(*written);
        },
        DuplicateMessage(batch));
  }

  Result<bool> DiscardSurveyRound(int64_t round_id, std::size_t held_responses) override {
    return Guard("kan ikke avslutte runden", [&]() -> Result<bool> {
      pqxx::work tx(db());
      const auto status =
          tx.exec_params("SELECT status FROM survey_rounds WHERE id = $1 FOR UPDATE", round_id);
      if (status.empty() || Text(status[0][0]) != "open") return false;
      const auto held =
          tx.exec_params1("SELECT count(*) FROM survey_responses WHERE round_id = $1", round_id)[0];
      if (held.as<std::size_t>() != held_responses) return false;
      tx.exec_params0("DELETE FROM survey_responses WHERE round_id = $1", round_id);
      tx.exec_params0("DELETE FROM survey_drafts WHERE round_id = $1", round_id);
      tx.exec_params0("DELETE FROM survey_comments WHERE round_id = $1", round_id);
      tx.exec_params0("UPDATE survey_rounds SET status = 'closed' WHERE id = $1", round_id);
      tx.commit();
      return true;
    });
  }

  // --- Whole-database copy ---

  static std::string ColumnList(const TableSpec& table) {
    std::string out;
    for (const ColumnSpec& c : table.columns)
      out += (out.empty() ? "" : ", ") + std::string(c.name);
    return out;
  }

  Status ScanTable(const TableSpec& table, const std::function<bool(const Row&)>& visit) override {
    bool visited = false;
    return Guard(fmt::format("kan ikke lese tabellen {}", table.name), [&]() -> Status {
      if (visited) return Error{LostMidRead(), ErrorCode::kUnavailable};  // see ScanRespondents
      pqxx::read_transaction tx(db());
      std::string key;
      for (const std::string& k : table.key) {
        const auto column = std::find_if(table.columns.begin(), table.columns.end(),
                                         [&](const ColumnSpec& c) { return c.name == k; });
        const bool text = column != table.columns.end() && column->kind == ColumnKind::kText;
        key += (key.empty() ? "" : ", ") + k + (text ? " COLLATE \"C\"" : "");
      }
      Row row(table.columns.size());
      Fetch(tx, fmt::format("SELECT {} FROM {} ORDER BY {}", ColumnList(table), table.name, key),
            [&](const pqxx::row& r) {
              for (std::size_t i = 0; i < table.columns.size(); ++i) {
                const auto& field = r[static_cast<pqxx::row::size_type>(i)];
                if (field.is_null()) {
                  row[i].reset();
                } else if (table.columns[i].kind == ColumnKind::kBlob) {
                  row[i] = Text(field).substr(2);  // «\x» then hex
                } else {
                  row[i] = Text(field);
                }
              }
              visited = true;
              return visit(row);
            });
      return Ok();
    });
  }

  Status LoadTables(
      const std::function<Status(const TableSpec&, const RowWriter&)>& fill) override {
    return Guard("kan ikke fylle databasen", [&]() -> Status {
      pqxx::work tx(db());
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", kBatchWriteLock);
      for (const TableSpec& table : PortableTables()) {
        if (tx.exec1(fmt::format("SELECT EXISTS (SELECT 1 FROM {})", table.name))[0].as<bool>()) {
          return Error{fmt::format(
              "{}: databasen er ikke tom (tabellen {} har rader); kopier bare til en ny database",
              description_, table.name)};
        }
      }
      for (const TableSpec& table : PortableTables()) {
        // Many rows per INSERT: one round trip per ~1,000 rows, not per row.
        const std::size_t width = table.columns.size();
        const std::size_t rows_per_insert = std::max<std::size_t>(1, 16000 / width);
        Row pending;
        std::size_t pending_rows = 0;
        auto flush = [&]() {
          if (pending_rows == 0) return;
          std::string sql =
              fmt::format("INSERT INTO {} ({}) VALUES ", table.name, ColumnList(table));
          for (std::size_t r = 0; r < pending_rows; ++r) {
            sql += r == 0 ? "(" : ", (";
            for (std::size_t i = 0; i < width; ++i) {
              sql += fmt::format("{}${}", i == 0 ? "" : ", ", r * width + i + 1);
            }
            sql += ")";
          }
          tx.exec_params0(sql, pqxx::prepare::make_dynamic_params(pending));
          pending.clear();
          pending_rows = 0;
        };
        auto write = [&](const Row& row) -> Status {
          if (row.size() != width) {
            return Error{
                fmt::format("{}: rad med {} verdier, ventet {}", table.name, row.size(), width)};
          }
          for (std::size_t i = 0; i < width; ++i) {
            if (row[i] && table.columns[i].kind == ColumnKind::kBlob) {
              pending.push_back("\\x" + *row[i]);
            } else {
              pending.push_back(row[i]);
            }
          }
          if (++pending_rows == rows_per_insert) flush();
          return Ok();
        };
        if (auto filled = fill(table, write); !filled.ok()) return filled.error();
        flush();
        if (table.identity) {
          // Rows came with their ids; new ones continue after the highest.
          tx.exec_params(
              fmt::format("SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce((SELECT "
                          "max(id) FROM {}), 0) + 1, false)",
                          table.name),
              std::string(table.name));
        }
      }
      tx.commit();
      return Ok();
    });
  }

 private:
  std::unique_ptr<pqxx::connection> connection_;
  std::string url_;  // may hold the password: never shown
  std::string description_;
  std::string app_role_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const StoreOptions& options) {
  std::unique_ptr<pqxx::connection> connection;
  try {
    connection = Connect(url);
  } catch (const std::exception& e) {
    std::string message = e.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    return Error{fmt::format("{}: kan ikke koble til PostgreSQL ({})", RedactedUrl(url), message),
                 ErrorCode::kUnavailable};
  }
  auto store = std::make_unique<PostgresStore>(std::move(connection), url, options.app_role);
  auto version = store->SchemaVersion();
  if (!version.ok()) return version.error();
  if (*version > store->LatestSchemaVersion() ||
      (options.migrate && *version < store->LatestSchemaVersion())) {
    auto migrated = store->Migrate();
    if (!migrated.ok()) return migrated.error();
  } else if (*version < store->LatestSchemaVersion() && !options.open_outdated) {
    return Error{fmt::format("{}: databasen har skjemaversjon {}; kjør «samkart migrate»",
                             store->Describe(), *version)};
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace samkart::store
