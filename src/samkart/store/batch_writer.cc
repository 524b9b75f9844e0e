#include "samkart/store/batch_writer.h"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "samkart/core/utc_time.h"

namespace samkart::store {

namespace {

// The byte of an item the respondent was not asked (instrument::kNotAsked).
constexpr uint8_t kNotAsked = 255;
// Rows between two progress reports.
constexpr std::size_t kProgressEvery = 8192;

}  // namespace

BatchInfo ReadBatch(const SqlStatement& row) {
  BatchInfo b;
  b.id = row.Int(0);
  b.file_name = row.Text(1);
  b.content_sha256 = row.Text(2);
  b.format = row.Text(3);
  b.generation = row.Text(4);
  b.municipality = row.OptionalInt(5);
  b.year = row.OptionalInt(6);
  b.round_type = row.OptionalText(7);
  b.rows_read = static_cast<std::size_t>(row.Int(8));
  b.rows_imported = static_cast<std::size_t>(row.Int(9));
  b.rows_generalised = static_cast<std::size_t>(row.Int(10));
  b.rows_rejected = static_cast<std::size_t>(row.Int(11));
  b.imported_at = row.Text(12);
  b.content_fingerprint = row.OptionalText(13);
  return b;
}

Result<std::optional<BatchInfo>> FindBatch(SqlSession& session, const std::string& sha256) {
  const std::string what = "kan ikke lese importene";
  auto prepared = session.Prepare(
      fmt::format("SELECT {} FROM batches WHERE content_sha256 = ?", kBatchColumns));
  if (!prepared.ok()) return session.Fail(what, prepared.error());
  SqlStatement& find = **prepared;
  find.Bind(1, sha256);
  auto found = find.Step();
  if (!found.ok()) return session.Fail(what, found.error());
  if (!*found) return std::optional<BatchInfo>();
  return std::optional<BatchInfo>(ReadBatch(find));
}

Result<std::vector<BatchInfo>> ReadBatches(SqlSession& session) {
  return session.SelectAll(fmt::format("SELECT {} FROM batches ORDER BY id", kBatchColumns),
                           "kan ikke lese importene", ReadBatch);
}

Result<std::vector<std::string>> ReadItemIds(SqlSession& session) {
  return session.SelectAll("SELECT item_id FROM items ORDER BY position",
                           "kan ikke lese spørsmålsregisteret",
                           [](const SqlStatement& row) { return row.Text(0); });
}

namespace {

// Adds the batch's items the registry lacks; returns the registry.
Result<std::vector<std::string>> RegisterItems(SqlSession& session,
                                               const std::vector<std::string>& item_ids) {
  SAMKART_ASSIGN_OR_RETURN(std::vector<std::string> registry, ReadItemIds(session));
  const std::string what = "kan ikke registrere spørsmål";
  auto prepared = session.Prepare("INSERT INTO items (position, item_id) VALUES (?, ?)");
  if (!prepared.ok()) return session.Fail(what, prepared.error());
  SqlStatement& add = **prepared;
  for (const std::string& id : item_ids) {
    if (std::find(registry.begin(), registry.end(), id) != registry.end()) continue;
    add.Reset();
    add.Bind(1, registry.size()).Bind(2, id);
    if (auto added = add.Step(); !added.ok()) return session.Fail(what, added.error());
    registry.push_back(id);
  }
  return registry;
}

// Region and size group of every municipality in the register.
using RegisterByNumber = std::map<int, std::pair<std::string, std::string>>;

Result<RegisterByNumber> ReadRegister(SqlSession& session) {
  SAMKART_ASSIGN_OR_RETURN(
      const auto rows,
      session.SelectAll("SELECT number, region, size_group FROM municipalities",
                        "kan ikke lese kommuneregisteret", [](const SqlStatement& row) {
                          return std::make_pair(static_cast<int>(row.Int(0)),
                                                std::make_pair(row.Text(1), row.Text(2)));
                        }));
  return RegisterByNumber(rows.begin(), rows.end());
}

}  // namespace

namespace {

// The batch's own row; returns its id.
Result<int64_t> InsertBatchRow(SqlSession& session, const BatchInfo& info,
                               const std::string& report) {
  const std::string what = "kan ikke lagre importen";
  auto prepared = session.Prepare(
      "INSERT INTO batches (file_name, content_sha256, format, generation, municipality, year, "
      "round_type, rows_read, rows_imported, rows_generalised, rows_rejected, imported_at, "
      "report, content_fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "
      "id");
  if (!prepared.ok()) return session.Fail(what, prepared.error());
  SqlStatement& insert = **prepared;
  insert.Bind(1, info.file_name)
      .Bind(2, info.content_sha256)
      .Bind(3, info.format)
      .Bind(4, info.generation)
      .Bind(5, info.municipality)
      .Bind(6, info.year)
      .Bind(7, info.round_type)
      .Bind(8, info.rows_read)
      .Bind(9, info.rows_imported)
      .Bind(10, info.rows_generalised)
      .Bind(11, info.rows_rejected)
      .Bind(12, info.imported_at)
      .Bind(13, report)
      .Bind(14, info.content_fingerprint);
  auto inserted = insert.Step();
  if (!inserted.ok()) return session.Fail(what, inserted.error());
  const int64_t id = insert.Int(0);
  if (auto done = insert.Step(); !done.ok()) return session.Fail(what, done.error());
  return id;
}

// Every respondent of the batch, answers laid out in the registry's order.
Status InsertRespondents(SqlSession& session, const NewBatch& batch, int64_t batch_id,
                         const std::vector<std::string>& registry,
                         const RegisterByNumber& register_by_number,
                         const WriteProgress& progress) {
  std::vector<std::size_t> slot(batch.item_ids.size());
  for (std::size_t i = 0; i < batch.item_ids.size(); ++i) {
    slot[i] = static_cast<std::size_t>(
        std::find(registry.begin(), registry.end(), batch.item_ids[i]) - registry.begin());
  }
  const std::string what = "kan ikke lagre svar";
  auto opened = session.BulkInsert(
      "respondents", {"batch_id", "municipality", "year", "round_type", "generation", "region",
                      "size_group", "service", "position", "answers"});
  if (!opened.ok()) return session.Fail(what, opened.error());
  SqlBulkInsert& respondents = **opened;
  std::vector<uint8_t> answers;
  std::vector<SqlValue> values;
  const std::size_t total = batch.respondents.size();
  for (std::size_t r = 0; r < total; ++r) {
    const RespondentRecord& row = batch.respondents[r];
    const auto round = batch.round_types.find({row.municipality, row.year});
    const auto where = register_by_number.find(row.municipality);
    if (round == batch.round_types.end() || where == register_by_number.end()) {
      return Error{fmt::format("{}: kommune {} i {} mangler i kommuneregisteret eller runden",
                               batch.file_name, row.municipality, row.year)};
    }
    answers.assign(registry.size(), kNotAsked);
    for (std::size_t i = 0; i < slot.size() && i < row.answers.size(); ++i) {
      answers[slot[i]] = row.answers[i];
    }
    values = {batch_id,
              int64_t{row.municipality},
              int64_t{row.year},
              round->second,
              batch.generation,
              where->second.first,
              where->second.second,
              int64_t{row.service},
              int64_t{row.position},
              answers};
    if (auto added = respondents.Add(values); !added.ok()) return session.Fail(what, added.error());
    if (progress && (r % kProgressEvery == 0 || r + 1 == total)) progress(r + 1, total);
  }
  if (auto finished = respondents.Finish(); !finished.ok()) {
    return session.Fail(what, finished.error());
  }
  return Ok();
}

// The batch `replaced` goes as `samkart delete import` takes it, inside the
// caller's transaction: if writing the new batch fails, it stays.
Status DeleteReplacedBatch(SqlSession& session, const NewBatch& batch, int64_t replaced) {
  const std::string what = "kan ikke lese importene";
  auto prepared = session.Prepare("SELECT id FROM batches WHERE id = ?");
  if (!prepared.ok()) return session.Fail(what, prepared.error());
  SqlStatement& find = **prepared;
  find.Bind(1, replaced);
  auto found = find.Step();
  if (!found.ok()) return session.Fail(what, found.error());
  if (!*found) {
    return Error{fmt::format("{}: import {} finnes ikke (lenger); ingenting er endret",
                             batch.file_name, replaced),
                 ErrorCode::kNotFound};
  }
  DeletionTarget target;
  target.kind = DeletionTarget::Kind::kBatch;
  target.batch_id = replaced;
  return ApplyDeletion(session, target);
}

Result<std::optional<BatchInfo>> FindBatchByFingerprint(SqlSession& session,
                                                        const NewBatch& batch) {
  if (batch.content_fingerprint.empty()) return std::optional<BatchInfo>();
  const std::string what = "kan ikke lese importene";
  auto prepared = session.Prepare(fmt::format(
      "SELECT {} FROM batches WHERE content_fingerprint = ? ORDER BY id", kBatchColumns));
  if (!prepared.ok()) return session.Fail(what, prepared.error());
  SqlStatement& find = **prepared;
  find.Bind(1, batch.content_fingerprint);
  auto found = find.Step();
  if (!found.ok()) return session.Fail(what, found.error());
  if (!*found) return std::optional<BatchInfo>();
  return std::optional<BatchInfo>(ReadBatch(find));
}

// No round of the batch holds respondents of another batch (one it
// replaces is gone by now).
Status CheckRoundsAreEmpty(SqlSession& session, const NewBatch& batch) {
  const std::string what = "kan ikke lese rundene";
  auto prepared = session.Prepare(
      "SELECT batch_id FROM respondents WHERE municipality = ? AND year = ? AND round_type = ? "
      "LIMIT 1");
  if (!prepared.ok()) return session.Fail(what, prepared.error());
  SqlStatement& find = **prepared;
  for (const auto& [round, type] : batch.round_types) {
    find.Reset();
    find.Bind(1, round.first).Bind(2, round.second).Bind(3, type);
    auto found = find.Step();
    if (!found.ok()) return session.Fail(what, found.error());
    if (*found) {
      return Error{fmt::format("{}: runden {} {} har fått svar fra import {} i mellomtiden; "
                               "ingenting er lagret",
                               batch.file_name, round.first, round.second, find.Int(0)),
                   ErrorCode::kConflict};
    }
  }
  return Ok();
}

}  // namespace

Result<BatchInfo> WriteBatchInSession(SqlSession& session, const NewBatch& batch,
                                      const WriteProgress& progress) {
  if (batch.replaces) SAMKART_TRY(DeleteReplacedBatch(session, batch, *batch.replaces));
  // Checked again inside the transaction: another import may have won the race.
  SAMKART_ASSIGN_OR_RETURN(auto existing, FindBatch(session, batch.content_sha256));
  if (existing) {
    return Error{fmt::format("{}: filen er allerede importert (import {}, {})", batch.file_name,
                             existing->id, existing->imported_at),
                 ErrorCode::kConflict};
  }
  if (batch.unique_content) {
    SAMKART_ASSIGN_OR_RETURN(const auto same, FindBatchByFingerprint(session, batch));
    if (same) {
      return Error{fmt::format("{}: de samme svarene er allerede lagret (import {}, {})",
                               batch.file_name, same->id, same->imported_at),
                   ErrorCode::kConflict};
    }
  }
  if (batch.rounds_must_be_empty) SAMKART_TRY(CheckRoundsAreEmpty(session, batch));
  // The item registry only grows; answers are stored in its order.
  SAMKART_ASSIGN_OR_RETURN(const std::vector<std::string> registry,
                           RegisterItems(session, batch.item_ids));
  // Region and size group are copied from the register as they are at import.
  SAMKART_ASSIGN_OR_RETURN(const RegisterByNumber register_by_number, ReadRegister(session));

  BatchInfo info;
  info.file_name = batch.file_name;
  info.content_sha256 = batch.content_sha256;
  if (!batch.content_fingerprint.empty()) info.content_fingerprint = batch.content_fingerprint;
  info.format = batch.format;
  info.generation = batch.generation;
  if (batch.round_types.size() == 1) {
    info.municipality = batch.round_types.begin()->first.first;
    info.year = batch.round_types.begin()->first.second;
    info.round_type = batch.round_types.begin()->second;
  }
  info.rows_read = batch.rows_read;
  info.rows_imported = batch.respondents.size();
  info.rows_generalised = batch.rows_generalised;
  info.rows_rejected = batch.rows_rejected;
  info.imported_at = UtcTimestamp();
  SAMKART_ASSIGN_OR_RETURN(info.id, InsertBatchRow(session, info, batch.report));
  SAMKART_TRY(InsertRespondents(session, batch, info.id, registry, register_by_number, progress));
  return info;
}

}  // namespace samkart::store
