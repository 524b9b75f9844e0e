#pragma once
// One integer from a query on a SQLite database file, read-only: how the
// CLI tests look at what a command stored. -1 when the query fails.

#include <cstdint>
#include <filesystem>
#include <string>

#include <sqlite3.h>

namespace samkart::testing_support {

inline int64_t QueryInteger(const std::filesystem::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t value = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return value;
}

}  // namespace samkart::testing_support
