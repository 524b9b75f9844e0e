#include "samkart/store/copy.h"

#include <memory>

#include <fmt/format.h>

#include "samkart/core/sha256.h"

namespace samkart::store {

namespace {

// Feeds one row: a marker per cell (NULL or a length), then its bytes.
void HashRow(Sha256& hash, const Row& row) {
  for (const Cell& cell : row) {
    if (!cell) {
      hash.Update("N;");
      continue;
    }
    hash.Update(fmt::format("{}:", cell->size()));
    hash.Update(*cell);
  }
  hash.Update("\n");
}

}  // namespace

Result<std::vector<TableDigest>> DigestTables(Store& store) {
  std::vector<TableDigest> out;
  for (const TableSpec& table : PortableTables()) {
    Sha256 hash;
    std::size_t rows = 0;
    auto scanned = store.ScanTable(table, [&](const Row& row) {
      HashRow(hash, row);
      ++rows;
      return true;
    });
    if (!scanned.ok()) return scanned.error();
    out.push_back({table.name, rows, hash.FinishHex()});
  }
  return out;
}

Result<CopyResult> CopyStore(Store& from, Store& to, const CopyProgress& progress) {
  auto from_version = from.SchemaVersion();
  if (!from_version.ok()) return from_version.error();
  auto to_version = to.SchemaVersion();
  if (!to_version.ok()) return to_version.error();
  if (*from_version != *to_version) {
    return Error{fmt::format(
        "skjemaversjonene er ulike ({} har {}, {} har {}); kjør «samkart migrate» på begge først",
        from.Describe(), *from_version, to.Describe(), *to_version)};
  }

  CopyResult result;
  auto loaded = to.LoadTables([&](const TableSpec& table, const Store::RowWriter& write) {
    // A store may start over (PostgreSQL retries once after a lost connection).
    if (&table == &PortableTables().front()) result.source.clear();
    Sha256 hash;
    std::size_t rows = 0;
    std::optional<Error> failed;
    auto scanned = from.ScanTable(table, [&](const Row& row) {
      if (auto written = write(row); !written.ok()) {
        failed = written.error();
        return false;
      }
      HashRow(hash, row);
      ++rows;
      return true;
    });
    if (!scanned.ok()) return Status(scanned.error());
    if (failed) return Status(*failed);
    result.source.push_back({table.name, rows, hash.FinishHex()});
    if (progress) progress(table.name, rows);
    return Ok();
  });
  if (!loaded.ok()) return loaded.error();

  auto target = DigestTables(to);
  if (!target.ok()) return target.error();
  result.target = std::move(target).value();
  for (std::size_t i = 0; i < result.source.size() && i < result.target.size(); ++i) {
    const TableDigest& a = result.source[i];
    const TableDigest& b = result.target[i];
    if (a.rows != b.rows || a.sha256 != b.sha256) {
      return Error{fmt::format(
          "kontrollen etter kopieringen feilet for tabellen {}: {} rader (sjekksum {}) i kilden, "
          "{} rader (sjekksum {}) i målet; målet er ikke til å stole på og bør slettes",
          a.table, a.rows, a.sha256.substr(0, 12), b.rows, b.sha256.substr(0, 12))};
    }
  }
  return result;
}

}  // namespace samkart::store
