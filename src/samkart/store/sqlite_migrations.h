// Versioned schema migrations. Each runs once, in its own transaction, and is
// recorded in schema_migrations; a store newer than the code is refused.
#pragma once

#include <vector>

namespace samkart::store {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

const std::vector<Migration>& SqliteMigrations();

}  // namespace samkart::store
