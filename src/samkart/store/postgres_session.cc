#include "samkart/store/postgres_session.h"

#include <array>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "samkart/store/tables.h"

namespace samkart::store {

namespace {

// «?» placeholders as PostgreSQL numbers them: $1, $2 …
std::string Numbered(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 1;
  for (const char c : sql) {
    if (c == '?') {
      out += fmt::format("${}", next++);
    } else {
      out += c;
    }
  }
  return out;
}

// A value as PostgreSQL's text form takes it; nullopt is NULL.
std::optional<std::string> AsText(const SqlValue& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) return fmt::format("{}", *d);
  if (const auto* t = std::get_if<std::string>(&value)) return *t;
  if (const auto* b = std::get_if<std::vector<uint8_t>>(&value)) return "\\x" + HexEncode(*b);
  return std::nullopt;
}

class PostgresStatement final : public SqlStatement {
 public:
  PostgresStatement(pqxx::transaction_base& tx, std::string sql) : tx_(tx), sql_(std::move(sql)) {}

  SqlStatement& BindValue(int index, const SqlValue& value) override {
    const auto slot = static_cast<std::size_t>(index - 1);
    if (parameters_.size() <= slot) parameters_.resize(slot + 1);
    parameters_[slot] = AsText(value);
    return *this;
  }

  Result<bool> Step() override {
    if (!ran_) {
      rows_ = tx_.exec_params(sql_, pqxx::prepare::make_dynamic_params(parameters_));
      ran_ = true;
      next_ = 0;
    }
    if (next_ >= rows_.size()) return false;
    current_ = next_++;
    return true;
  }
  void Reset() override {
    parameters_.clear();
    rows_.clear();
    ran_ = false;
  }

  bool IsNull(int column) const override { return Field(column).is_null(); }
  int64_t Int(int column) const override { return Field(column).as<int64_t>(); }
  double Real(int column) const override { return Field(column).as<double>(); }
  std::string Text(int column) const override {
    const pqxx::field field = Field(column);
    return std::string(field.c_str(), field.size());
  }
  // bytea in its text form: «\x» then hex.
  void Blob(int column, std::vector<uint8_t>& out) const override {
    const pqxx::field field = Field(column);
    const std::string_view text(field.c_str(), field.size());
    auto bytes = HexDecode(text.size() >= 2 ? text.substr(2) : std::string_view());
    out = bytes ? std::move(*bytes) : std::vector<uint8_t>();
  }

 private:
  pqxx::field Field(int column) const {
    return rows_[static_cast<pqxx::result::size_type>(current_)]
                [static_cast<pqxx::row::size_type>(column)];
  }

  pqxx::transaction_base& tx_;
  std::string sql_;
  std::vector<std::optional<std::string>> parameters_;
  pqxx::result rows_;
  bool ran_ = false;
  pqxx::result::size_type next_ = 0;
  pqxx::result::size_type current_ = 0;
};

// COPY streams a row as a tuple of fixed width; the widest table Samkart
// bulk-inserts into has far fewer columns than this.
constexpr std::size_t kMaxBulkColumns = 24;

template <std::size_t... I>
void StreamRow(pqxx::stream_to& copy, const std::vector<const char*>& fields,
               std::index_sequence<I...>) {
  copy << std::array<const char*, sizeof...(I)>{fields[I]...};
}

template <std::size_t N = 1>
void StreamRowOfWidth(pqxx::stream_to& copy, const std::vector<const char*>& fields) {
  if constexpr (N > kMaxBulkColumns) {
    throw std::logic_error("for mange kolonner i én rad");
  } else if (fields.size() == N) {
    StreamRow(copy, fields, std::make_index_sequence<N>{});
  } else {
    StreamRowOfWidth<N + 1>(copy, fields);
  }
}

// COPY: one stream instead of a round trip per row.
class PostgresBulkInsert final : public SqlBulkInsert {
 public:
  PostgresBulkInsert(pqxx::transaction_base& tx, const std::string& table,
                     const std::vector<std::string>& columns)
      : copy_(tx, table, columns), width_(columns.size()) {}
  // A stream left open (a row failed) is closed before the transaction
  // rolls back.
  ~PostgresBulkInsert() override {
    if (open_) {
      try {
        copy_.complete();
      } catch (const std::exception&) {
        // The transaction is abandoned anyway.
      }
    }
  }

  Status Add(const std::vector<SqlValue>& row) override {
    if (row.size() != width_) {
      return Error{fmt::format("rad med {} verdier, ventet {}", row.size(), width_),
                   ErrorCode::kInternal};
    }
    texts_.resize(width_);
    fields_.resize(width_);
    for (std::size_t i = 0; i < width_; ++i) {
      texts_[i] = AsText(row[i]);
      fields_[i] = texts_[i] ? texts_[i]->c_str() : nullptr;
    }
    StreamRowOfWidth(copy_, fields_);
    return Ok();
  }
  Status Finish() override {
    open_ = false;
    copy_.complete();
    return Ok();
  }

 private:
  pqxx::stream_to copy_;
  std::size_t width_;
  bool open_ = true;
  std::vector<std::optional<std::string>> texts_;
  std::vector<const char*> fields_;
};

class PostgresSession final : public SqlSession {
 public:
  PostgresSession(pqxx::transaction_base& tx, std::string where)
      : tx_(tx), where_(std::move(where)) {}

  Result<std::unique_ptr<SqlStatement>> Prepare(std::string_view sql) override {
    return std::unique_ptr<SqlStatement>(std::make_unique<PostgresStatement>(tx_, Numbered(sql)));
  }
  Result<std::unique_ptr<SqlBulkInsert>> BulkInsert(
      const std::string& table, const std::vector<std::string>& columns) override {
    return std::unique_ptr<SqlBulkInsert>(
        std::make_unique<PostgresBulkInsert>(tx_, table, columns));
  }
  Status InTransaction(const std::function<Status()>& work) override { return work(); }
  Error Fail(const std::string& what, const Error& cause) const override {
    return Error{fmt::format("{}: {}: {}", where_, what, cause.message), cause.code};
  }

 private:
  pqxx::transaction_base& tx_;
  std::string where_;
};

}  // namespace

std::unique_ptr<SqlSession> MakePostgresSession(pqxx::transaction_base& tx, std::string where) {
  return std::make_unique<PostgresSession>(tx, std::move(where));
}

}  // namespace samkart::store
