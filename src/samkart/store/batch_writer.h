// Writing a batch, said once for every backend over sql_session.h: the item
// registry grows by the batch's new items, each respondent's answers are
// laid out in the registry's order (items the batch lacks are «not asked»),
// region and size group are copied from the register as it is at import.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/store/sql_session.h"
#include "samkart/store/store.h"

namespace samkart::store {

// The columns ReadBatch reads, in its order.
inline constexpr const char* kBatchColumns =
    "id, file_name, content_sha256, format, generation, municipality, year, round_type, "
    "rows_read, rows_imported, rows_generalised, rows_rejected, imported_at, "
    "content_fingerprint";
BatchInfo ReadBatch(const SqlStatement& row);

Result<std::optional<BatchInfo>> FindBatch(SqlSession& session, const std::string& sha256);
Result<std::vector<BatchInfo>> ReadBatches(SqlSession& session);
Result<std::vector<std::string>> ReadItemIds(SqlSession& session);

// Writes the batch and its respondents inside a transaction the caller
// holds (and serialises against other writers): the caller commits, or
// rolls back on an error, so a batch is stored whole or not at all.
// Fails when a batch with the same content hash exists, a municipality
// is missing from the register or the batch's rounds, or what
// NewBatch::unique_content, rounds_must_be_empty or replaces ask for does
// not hold; a batch it replaces is deleted first, in the same transaction.
Result<BatchInfo> WriteBatchInSession(SqlSession& session, const NewBatch& batch,
                                      const WriteProgress& progress);

}  // namespace samkart::store
