#include "samkart/store/sqlite_session.h"

#include <fmt/format.h>
#include <sqlite3.h>

namespace samkart::store {

std::string Explain(sqlite3* db) {
  const std::string detail = sqlite3_errmsg(db);
  switch (sqlite3_errcode(db)) {
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return fmt::format(
          "Samkart får ikke skrive til databasefilen eller mappen den ligger i (SQLite trenger "
          "også å lage filer ved siden av den). Sjekk at brukeren som kjører Samkart har "
          "skrivetilgang til begge, og at filsystemet ikke er skrivebeskyttet ({})",
          detail);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return fmt::format(
          "databasen er låst av en annen prosess som skriver til den (en import, en migrering "
          "eller en server); prøv igjen når den er ferdig ({})",
          detail);
    case SQLITE_FULL:
      return fmt::format("disken er full; frigjør plass og prøv igjen ({})", detail);
    case SQLITE_IOERR:
      return fmt::format("lese- eller skrivefeil mot disken ({})", detail);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return fmt::format("filen er ikke en SQLite-database, eller den er skadet ({})", detail);
    default:
      return detail;
  }
}

ErrorCode CodeOf(sqlite3* db) {
  switch (sqlite3_errcode(db) & 0xff) {
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return ErrorCode::kPermission;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_IOERR:
      return ErrorCode::kUnavailable;
    case SQLITE_CONSTRAINT:
      return ErrorCode::kConflict;
    default:
      return ErrorCode::kInvalidInput;
  }
}

namespace {

class SqliteStatement final : public SqlStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqlStatement& BindValue(int index, const SqlValue& value) override {
    if (const auto* i = std::get_if<int64_t>(&value)) {
      sqlite3_bind_int64(stmt_, index, *i);
    } else if (const auto* d = std::get_if<double>(&value)) {
      sqlite3_bind_double(stmt_, index, *d);
    } else if (const auto* t = std::get_if<std::string>(&value)) {
      sqlite3_bind_text(stmt_, index, t->data(), static_cast<int>(t->size()), SQLITE_TRANSIENT);
    } else if (const auto* b = std::get_if<std::vector<uint8_t>>(&value)) {
      sqlite3_bind_blob(stmt_, index, b->data(), static_cast<int>(b->size()), SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(stmt_, index);
    }
    return *this;
  }

  Result<bool> Step() override {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return Error{Explain(db_), CodeOf(db_)};
  }
  void Reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  bool IsNull(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double Real(int column) const override { return sqlite3_column_double(stmt_, column); }
  std::string Text(int column) const override {
    const auto* text = sqlite3_column_text(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
                : std::string();
  }
  void Blob(int column, std::vector<uint8_t>& out) const override {
    const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
    const int size = sqlite3_column_bytes(stmt_, column);
    out.assign(data, data + size);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// One prepared INSERT, run again for every row.
class SqliteBulkInsert final : public SqlBulkInsert {
 public:
  explicit SqliteBulkInsert(std::unique_ptr<SqlStatement> insert) : insert_(std::move(insert)) {}

  Status Add(const std::vector<SqlValue>& row) override {
    insert_->Reset();
    for (std::size_t i = 0; i < row.size(); ++i) insert_->Bind(static_cast<int>(i + 1), row[i]);
    SAMKART_TRY(insert_->Step());
    return Ok();
  }
  Status Finish() override { return Ok(); }

 private:
  std::unique_ptr<SqlStatement> insert_;
};

class SqliteSession final : public SqlSession {
 public:
  SqliteSession(sqlite3* db, std::string where) : db_(db), where_(std::move(where)) {}

  Result<std::unique_ptr<SqlStatement>> Prepare(std::string_view sql) override {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
        SQLITE_OK) {
      return Error{Explain(db_), CodeOf(db_)};
    }
    return std::unique_ptr<SqlStatement>(std::make_unique<SqliteStatement>(db_, stmt));
  }

  Result<std::unique_ptr<SqlBulkInsert>> BulkInsert(
      const std::string& table, const std::vector<std::string>& columns) override {
    std::string names, marks;
    for (const std::string& column : columns) {
      names += (names.empty() ? "" : ", ") + column;
      marks += marks.empty() ? "?" : ", ?";
    }
    SAMKART_ASSIGN_OR_RETURN(
        auto insert, Prepare(fmt::format("INSERT INTO {} ({}) VALUES ({})", table, names, marks)));
    return std::unique_ptr<SqlBulkInsert>(std::make_unique<SqliteBulkInsert>(std::move(insert)));
  }

  // IMMEDIATE takes the write lock at once, so two writers queue instead of
  // failing half-way.
  Status InTransaction(const std::function<Status()>& work) override {
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error{fmt::format("{}: kan ikke starte en transaksjon: {}", where_, Explain(db_)),
                   CodeOf(db_)};
    }
    Status done = work();
    if (done.ok() && sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      done = Error{fmt::format("{}: kan ikke fullføre transaksjonen: {}", where_, Explain(db_)),
                   CodeOf(db_)};
    }
    if (!done.ok()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return done;
  }

  Error Fail(const std::string& what, const Error& cause) const override {
    return Error{fmt::format("{}: {}: {}", where_, what, cause.message), cause.code};
  }

 private:
  sqlite3* db_;
  std::string where_;
};

}  // namespace

std::unique_ptr<SqlSession> MakeSqliteSession(sqlite3* db, std::string where) {
  return std::make_unique<SqliteSession>(db, std::move(where));
}

}  // namespace samkart::store
