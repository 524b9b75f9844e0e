// The schema as a catalogue of tables and columns, the same on every
// backend: what `samkart copy` moves and what its checksums cover. A test
// compares it with the tables the migrations create on SQLite and PostgreSQL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samkart::store {

enum class ColumnKind { kInteger, kText, kBlob };

struct ColumnSpec {
  const char* name;
  ColumnKind kind;
};

struct TableSpec {
  const char* name;
  std::vector<ColumnSpec> columns;
  std::vector<std::string> key;  // the primary key: rows are visited in its order
  bool identity = false;         // `id` is generated; a copy must move the counter on
};

// Every table except schema_migrations (each store migrates itself), parents
// before the tables that refer to them.
const std::vector<TableSpec>& PortableTables();

// A cell in the form both backends agree on: integers in decimal, text as
// is, blobs in lowercase hex; nullopt is NULL.
using Cell = std::optional<std::string>;
using Row = std::vector<Cell>;

std::string HexEncode(const std::vector<uint8_t>& bytes);
std::string HexEncode(const void* data, std::size_t size);
// Fails (returns nullopt) on an odd length or a non-hex character.
std::optional<std::vector<uint8_t>> HexDecode(std::string_view hex);

}  // namespace samkart::store
