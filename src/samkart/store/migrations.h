// Versioned schema migrations. Each runs once, in its own transaction, and is
// recorded in schema_migrations; a store newer than the code is refused.
// Both backends have the same versions with the same descriptions, creating
// the same tables and columns in each one's dialect (checked by a test
// against store/tables.h).
#pragma once

#include <vector>

namespace samkart::store {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

const std::vector<Migration>& SqliteMigrations();
const std::vector<Migration>& PostgresMigrations();

}  // namespace samkart::store
