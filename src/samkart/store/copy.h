// Moving a whole database between stores (`samkart copy`), from SQLite to
// PostgreSQL or back, verified afterwards by counting and checksumming every
// table on both sides.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/store/store.h"

namespace samkart::store {

// One table's row count and SHA-256 over its rows in key order, each cell in
// the text form both backends agree on (tables.h), length-prefixed so no two
// different tables hash alike.
struct TableDigest {
  std::string table;
  std::size_t rows = 0;
  std::string sha256;
};

Result<std::vector<TableDigest>> DigestTables(Store& store);

// Called after each table: its name and the rows copied.
using CopyProgress = std::function<void(const std::string& table, std::size_t rows)>;

struct CopyResult {
  std::vector<TableDigest> source;  // computed while reading
  std::vector<TableDigest> target;  // read back after the copy committed
};

// Copies every table of `from` into the empty store `to` in one transaction,
// then reads `to` back and compares counts and checksums. Both stores must
// have the same schema version.
Result<CopyResult> CopyStore(Store& from, Store& to, const CopyProgress& progress = nullptr);

}  // namespace samkart::store
