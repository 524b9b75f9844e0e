// The national database behind one interface: an embedded SQLite file by
// default, PostgreSQL for shared installations (issue 8), with identical
// behaviour. A store holds the municipality register, one batch per imported
// file (with its provenance and import report) and the anonymised
// respondents. Writing a batch is all or nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "samkart/core/result.h"

namespace samkart::store {

struct Municipality {
  int number = 0;
  std::string name;
  std::string region;      // region key (instrument background/regions.csv)
  std::string size_group;  // size group key
  std::optional<int> population;
};

// One anonymised respondent. `answers` follows the item order the batch (on
// write) or the store's item registry (on read) gives.
struct RespondentRecord {
  int municipality = 0;
  int year = 0;
  int service = 0;
  int position = 0;
  std::vector<uint8_t> answers;
};

struct NewBatch {
  std::string file_name;
  std::string content_sha256;
  std::string format;      // «CSV (UTF-8, semikolon)», «SPSS .sav» …
  std::string generation;  // G1 … G5
  std::string report;      // the import report, in Norwegian
  std::size_t rows_read = 0;
  std::size_t rows_generalised = 0;
  std::size_t rows_rejected = 0;
  // Round type (baseline / follow_up) of each (municipality, year) in the file.
  std::map<std::pair<int, int>, std::string> round_types;
  std::vector<std::string> item_ids;  // «family.item», the order of answers below
  std::vector<RespondentRecord> respondents;
};

struct BatchInfo {
  int64_t id = 0;
  std::string file_name;
  std::string content_sha256;
  std::string format;
  std::string generation;
  // Set when every row of the file belongs to one municipality, year and round type.
  std::optional<int> municipality;
  std::optional<int> year;
  std::optional<std::string> round_type;
  std::size_t rows_read = 0;
  std::size_t rows_imported = 0;
  std::size_t rows_generalised = 0;
  std::size_t rows_rejected = 0;
  std::string imported_at;  // UTC, ISO 8601
};

// What `samkart rounds` lists: one survey round of one municipality.
struct RoundInfo {
  int municipality = 0;
  std::string name;
  int year = 0;
  std::string round_type;
  std::string generation;
  std::size_t respondents = 0;
  int64_t batch_id = 0;
};

// Employees invited from one service in one survey round.
struct InvitedCount {
  int municipality = 0;
  int year = 0;
  std::string round_type;  // baseline / follow_up
  std::string service;     // service key
  int invited = 0;
};

// Called now and then while a batch is written: rows written so far.
using WriteProgress = std::function<void(std::size_t written, std::size_t total)>;

class Store {
 public:
  virtual ~Store() = default;

  // «SQLite-fil out/samkart.sqlite», for messages.
  virtual std::string Describe() const = 0;
  // The schema version the store has, and the one this build knows.
  virtual Result<int> SchemaVersion() = 0;
  virtual int LatestSchemaVersion() const = 0;
  // Applies the migrations the store lacks, each in its own transaction.
  // Returns the descriptions of those applied.
  virtual Result<std::vector<std::string>> Migrate() = 0;

  virtual Result<bool> UpsertMunicipalities(const std::vector<Municipality>& municipalities) = 0;
  virtual Result<std::vector<Municipality>> Municipalities() = 0;

  // Invited counts replace those stored for the same round and service, all
  // in one transaction; a municipality missing from the register fails it.
  virtual Result<bool> UpsertInvitedCounts(const std::vector<InvitedCount>& counts) = 0;
  virtual Result<std::vector<InvitedCount>> InvitedCounts() = 0;

  virtual Result<std::optional<BatchInfo>> FindBatchByHash(const std::string& content_sha256) = 0;
  // Writes the batch and its respondents in one transaction. Fails, leaving
  // the store as it was, when a batch with the same content hash exists or
  // a municipality is missing from the register.
  virtual Result<BatchInfo> WriteBatch(const NewBatch& batch, const WriteProgress& progress) = 0;
  virtual Result<std::vector<BatchInfo>> Batches() = 0;
  virtual Result<std::string> BatchReport(int64_t batch_id) = 0;
  virtual Result<std::vector<RoundInfo>> Rounds() = 0;

  // The item registry: every item ever stored, in the order of the answers
  // RespondentRecords carry when read back.
  virtual Result<std::vector<std::string>> ItemIds() = 0;
  // Visits every respondent with round type and generation; stops early when
  // `visit` returns false.
  virtual Result<bool> ScanRespondents(
      const std::function<bool(const RespondentRecord&, const std::string& round_type,
                               const std::string& generation)>& visit) = 0;
};

struct StoreOptions {
  bool migrate = true;  // bring an older schema up to date on open
};

// Opens the store at `location`: a file path (SQLite, created when missing)
// or, later, a postgresql:// URL.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location,
                                         const StoreOptions& options = {});
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options = {});

}  // namespace samkart::store
