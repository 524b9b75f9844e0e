// The PostgreSQL dialect of sql_session.h.
#pragma once

#include <memory>
#include <string>

#include "samkart/store/sql_session.h"

namespace pqxx {
class transaction_base;
}  // namespace pqxx

namespace samkart::store {

// Inside a transaction the caller holds and commits; InTransaction runs
// `work` in it. libpqxx's exceptions pass through, for the store to turn
// into errors and to retry where that is safe. `where` names the database
// in messages.
std::unique_ptr<SqlSession> MakePostgresSession(pqxx::transaction_base& tx, std::string where);

}  // namespace samkart::store
