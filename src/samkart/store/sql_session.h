// What the stores need of a SQL database, said once: prepared statements
// with bound parameters, rows read column by column, transactions and a
// bulk insert. SQLite and PostgreSQL each implement it in their dialect,
// so logic whose SQL is the same in both is written once over it.
//
// SQL is written with «?» placeholders; a dialect that numbers them
// ($1, $2 …) rewrites them. No statement may hold a «?» of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "samkart/core/result.h"

namespace samkart::store {

// A parameter or a bulk-inserted value: NULL, an integer, a real, text or bytes.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string, std::vector<uint8_t>>;

class SqlStatement {
 public:
  virtual ~SqlStatement() = default;

  // Parameters count from 1, as in the SQL.
  virtual SqlStatement& BindValue(int index, const SqlValue& value) = 0;
  SqlStatement& Bind(int index, const SqlValue& value) { return BindValue(index, value); }
  SqlStatement& Bind(int index, int64_t value) { return Bind(index, SqlValue(value)); }
  SqlStatement& Bind(int index, int value) { return Bind(index, SqlValue(int64_t{value})); }
  SqlStatement& Bind(int index, std::size_t value) {
    return Bind(index, SqlValue(static_cast<int64_t>(value)));
  }
  SqlStatement& Bind(int index, const std::string& value) { return Bind(index, SqlValue(value)); }
  SqlStatement& Bind(int index, const std::optional<int>& value) {
    return value ? Bind(index, *value) : Bind(index, SqlValue());
  }
  SqlStatement& Bind(int index, const std::optional<std::string>& value) {
    return value ? Bind(index, *value) : Bind(index, SqlValue());
  }

  // Runs the statement on the first call; true while there is a row to
  // read, false when done.
  virtual Result<bool> Step() = 0;
  // Ready to run again, with no parameters bound.
  virtual void Reset() = 0;

  // Columns count from 0.
  virtual bool IsNull(int column) const = 0;
  virtual int64_t Int(int column) const = 0;
  virtual double Real(int column) const = 0;
  virtual std::string Text(int column) const = 0;
  virtual void Blob(int column, std::vector<uint8_t>& out) const = 0;

  std::optional<int> OptionalInt(int column) const {
    if (IsNull(column)) return std::nullopt;
    return static_cast<int>(Int(column));
  }
  std::optional<std::string> OptionalText(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Text(column);
  }
};

// Rows into one table, as fast as the database takes them.
class SqlBulkInsert {
 public:
  virtual ~SqlBulkInsert() = default;
  // One value per column, in the order the insert was opened with.
  virtual Status Add(const std::vector<SqlValue>& row) = 0;
  // Writes what is pending; call it before the transaction commits.
  virtual Status Finish() = 0;
};

class SqlSession {
 public:
  virtual ~SqlSession() = default;

  virtual Result<std::unique_ptr<SqlStatement>> Prepare(std::string_view sql) = 0;
  virtual Result<std::unique_ptr<SqlBulkInsert>> BulkInsert(
      const std::string& table, const std::vector<std::string>& columns) = 0;
  // Runs `work` in one transaction: committed when it succeeds, rolled back
  // when it fails, so the database is as it was.
  virtual Status InTransaction(const std::function<Status()>& work) = 0;

  // `cause` said with the database and what was being done: «out/samkart.sqlite:
  // kan ikke lagre svar: disken er full …».
  virtual Error Fail(const std::string& what, const Error& cause) const = 0;

  // Prepares, binds `parameters` and runs a statement that returns no rows.
  Status Execute(std::string_view sql, const std::vector<SqlValue>& parameters,
                 const std::string& what);

  // Runs a query without parameters and makes one value of each row with
  // `read`; `what` says what failed.
  template <typename Read>
  auto SelectAll(std::string_view sql, const std::string& what, Read read)
      -> Result<std::vector<decltype(read(std::declval<const SqlStatement&>()))>> {
    std::vector<decltype(read(std::declval<const SqlStatement&>()))> out;
    auto prepared = Prepare(sql);
    if (!prepared.ok()) return Fail(what, prepared.error());
    SqlStatement& select = **prepared;
    for (;;) {
      auto row = select.Step();
      if (!row.ok()) return Fail(what, row.error());
      if (!*row) return out;
      out.push_back(read(select));
    }
  }
};

}  // namespace samkart::store
