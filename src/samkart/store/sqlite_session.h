// The SQLite dialect of sql_session.h, and how SQLite's errors are said.
#pragma once

#include <memory>
#include <string>

#include "samkart/core/result.h"
#include "samkart/store/sql_session.h"

struct sqlite3;

namespace samkart::store {

// SQLite's last error on `db`, said so an operator knows what to do: the
// causes outside Samkart (rights, a read-only or full file system, another
// process holding the lock) are named, with SQLite's own words after them.
std::string Explain(sqlite3* db);
// What kind of failure SQLite's last error on `db` is.
ErrorCode CodeOf(sqlite3* db);

// Over an open connection the caller keeps; `where` names the file in messages.
std::unique_ptr<SqlSession> MakeSqliteSession(sqlite3* db, std::string where);

}  // namespace samkart::store
