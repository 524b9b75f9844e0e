#include <fstream>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "samkart/store/store.h"

#include "support/scratch_dir.h"

namespace samkart::store {
namespace {

namespace fs = std::filesystem;

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string Path() const { return (scratch_ / "db.sqlite").string(); }

  std::unique_ptr<Store> Open() {
    auto opened = OpenStore(Path());
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    return opened.ok() ? std::move(opened.value()) : nullptr;
  }

  static NewBatch Batch(const std::string& hash, std::size_t rows) {
    NewBatch b;
    b.file_name = "eksport.csv";
    b.content_sha256 = hash;
    b.format = "CSV";
    b.generation = "G5";
    b.report = "rapport";
    b.rows_read = rows;
    b.round_types[{9001, 2021}] = "baseline";
    b.item_ids = {"family.a", "family.b"};
    for (std::size_t i = 0; i < rows; ++i) b.respondents.push_back({9001, 2021, 1, 4, {3, 254}});
    return b;
  }

  int64_t Count(const char* table) {
    sqlite3* db = nullptr;
    sqlite3_open(Path().c_str(), &db);
    sqlite3_stmt* stmt = nullptr;
    const std::string sql = std::string("SELECT count(*) FROM ") + table;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
    sqlite3_step(stmt);
    const int64_t n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }

  testing_support::ScratchDir scratch_;
};

TEST_F(SqliteStoreTest, ANewFileGetsTheLatestSchemaOnce) {
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->SchemaVersion(), store->LatestSchemaVersion());
  EXPECT_GE(store->LatestSchemaVersion(), 1);
  auto again = store->Migrate();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(Count("schema_migrations"), store->LatestSchemaVersion());
}

// A user name typed at the login is logged as typed, but a newline cannot
// start a forged line and a direction mark cannot reorder what is shown.
TEST_F(SqliteStoreTest, TheAuditLogEscapesControlCharacters) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store
                  ->AppendAudit({0, "", "ola\nadmin login_ok", "login_failed",
                                 "fra \xE2\x80\xAE"
                                 "321 \\ \x01"})
                  .ok());
  auto log = store->AuditLog(10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ(log->front().username, "ola\\x0Aadmin login_ok");
  EXPECT_EQ(log->front().detail, "fra \\u{202E}321 \\\\ \\x01");
}

// Drafts hold a respondent's answers with their original service and
// position. Once the round is closed and anonymised, no copy may remain in
// the database file, its write-ahead log or its journal — also while the
// server that wrote them still has the database open.
TEST_F(SqliteStoreTest, AClosedRoundLeavesNoDraftInTheDatabaseFiles) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "gruppe_1", 2817}}).ok());
  SurveyRound round;
  round.municipality = 9001;
  round.year = 2021;
  round.round_type = "baseline";
  round.generation = "G5";
  round.token = "rundelenke";
  round.item_ids = {"family.a", "family.b"};
  round.created_by = "test";
  round.services = {{"barnehage", 10, "tjenestelenke"}};
  const auto id = store->CreateSurveyRound(round);
  ASSERT_TRUE(id.ok()) << id.error().message;
  const std::string secret = "UTKAST-MED-SVAR-7f3a9c";
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        store->SaveSurveyDraft("utkast" + std::to_string(i), *id, "{\"merke\":\"" + secret + "\"}")
            .ok());
  }
  NewBatch batch = Batch("lukket", 0);
  auto closed = store->CloseSurveyRound(*id, batch, 0);
  ASSERT_TRUE(closed.ok()) << closed.error().message;
  ASSERT_TRUE(closed->has_value());
  for (const char* suffix : {"", "-wal", "-journal"}) {
    const std::string file = Path() + suffix;
    if (!fs::exists(file)) continue;
    EXPECT_EQ(testing_support::ReadWholeFile(file).find(secret), std::string::npos) << file;
  }
}

TEST_F(SqliteStoreTest, ANewerSchemaIsRefused) {
  ASSERT_TRUE(Open());
  sqlite3* db = nullptr;
  sqlite3_open(Path().c_str(), &db);
  sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (999, 'fremtiden', 'x')", nullptr, nullptr,
               nullptr);
  sqlite3_close(db);
  auto opened = OpenStore(Path());
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("skjemaversjon 999"), std::string::npos)
      << opened.error().message;
}

TEST_F(SqliteStoreTest, AFileThatIsNotADatabaseIsRefused) {
  std::ofstream(Path(), std::ios::binary) << std::string(4096, 'x');
  auto opened = OpenStore(Path());
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find(Path()), std::string::npos);
}

TEST_F(SqliteStoreTest, BatchesRoundTripWithTheirAnswers) {
  auto store = Open();
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "gruppe_1", 2817}}).ok());
  auto written = store->WriteBatch(Batch("abc", 3), {});
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(written->rows_imported, 3u);
  EXPECT_EQ(written->municipality, 9001);
  auto found = store->FindBatchByHash("abc");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, written->id);
  EXPECT_EQ(*store->BatchReport(written->id), "rapport");
  EXPECT_EQ(*store->ItemIds(), (std::vector<std::string>{"family.a", "family.b"}));
  std::size_t seen = 0;
  ASSERT_TRUE(store
                  ->ScanRespondents([&](const RespondentRecord& r, const std::string& round,
                                        const std::string& generation) {
                    EXPECT_EQ(r.answers, (std::vector<uint8_t>{3, 254}));
                    EXPECT_EQ(round, "baseline");
                    EXPECT_EQ(generation, "G5");
                    ++seen;
                    return true;
                  })
                  .ok());
  EXPECT_EQ(seen, 3u);
  auto rounds = store->Rounds();
  ASSERT_TRUE(rounds.ok());
  ASSERT_EQ(rounds->size(), 1u);
  EXPECT_EQ((*rounds)[0].name, "Vikheim");
  EXPECT_EQ((*rounds)[0].respondents, 3u);
}

TEST_F(SqliteStoreTest, ANewItemIsAppendedToTheRegistryAndOldRowsReadAsNotAsked) {
  auto store = Open();
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "gruppe_1", {}}}).ok());
  ASSERT_TRUE(store->WriteBatch(Batch("one", 1), {}).ok());
  NewBatch later = Batch("two", 1);
  later.item_ids = {"family.c", "family.a"};  // a new item, and a different order
  later.respondents[0].answers = {7, 2};
  ASSERT_TRUE(store->WriteBatch(later, {}).ok());
  EXPECT_EQ(*store->ItemIds(), (std::vector<std::string>{"family.a", "family.b", "family.c"}));
  std::vector<std::vector<uint8_t>> answers;
  ASSERT_TRUE(store
                  ->ScanRespondents([&](const RespondentRecord& r, const auto&, const auto&) {
                    answers.push_back(r.answers);
                    return true;
                  })
                  .ok());
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0], (std::vector<uint8_t>{3, 254}));  // written before family.c existed
  EXPECT_EQ(answers[1], (std::vector<uint8_t>{2, 255, 7}));
}

TEST_F(SqliteStoreTest, AFailureHalfWayLeavesNothingBehind) {
  auto store = Open();
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "gruppe_1", {}}}).ok());
  NewBatch bad = Batch("bad", 5000);
  // The batch row and thousands of respondents are written before the
  // last respondent names a municipality the register does not have.
  bad.respondents.back().municipality = 9999;
  bad.round_types[{9999, 2021}] = "baseline";
  auto written = store->WriteBatch(bad, {});
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(Count("batches"), 0);
  EXPECT_EQ(Count("respondents"), 0);
  EXPECT_EQ(Count("items"), 0);
  // And the store still works.
  EXPECT_TRUE(store->WriteBatch(Batch("good", 2), {}).ok());
  EXPECT_EQ(Count("respondents"), 2);
}

// Another process holds the write lock longer than a write will wait: the
// error says so in words an operator can act on, and names the file.
TEST_F(SqliteStoreTest, AWriteThatWaitsTooLongForAnotherProcessSaysTheDatabaseIsLocked) {
  ASSERT_NE(Open(), nullptr);
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(Path().c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  StoreOptions options;
  options.lock_wait = std::chrono::milliseconds(100);
  auto store = OpenStore(Path(), options);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto written = (*store)->UpsertMunicipalities({{9001, "Vikheim (syntetisk)", "nord", "1", 2817}});
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().message.find(Path()), std::string::npos) << written.error().message;
  EXPECT_NE(written.error().message.find("låst av en annen prosess"), std::string::npos)
      << written.error().message;
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(holder);
  EXPECT_TRUE(
      (*store)->UpsertMunicipalities({{9001, "Vikheim (syntetisk)", "nord", "1", 2817}}).ok());
}

TEST_F(SqliteStoreTest, TheSameContentCannotBeStoredTwice) {
  auto store = Open();
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "gruppe_1", {}}}).ok());
  ASSERT_TRUE(store->WriteBatch(Batch("same", 2), {}).ok());
  auto twice = store->WriteBatch(Batch("same", 2), {});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("allerede importert"), std::string::npos);
  EXPECT_EQ(Count("respondents"), 2);
}

// What the import asks of a batch is checked again in the write's
// transaction: the same answers, a round that holds another batch, and a
// swap that deletes the batch it replaces.
TEST_F(SqliteStoreTest, AWriteChecksTheContentAndTheRoundAndSwapsAReplacedBatch) {
  auto store = Open();
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "gruppe_1", {}}}).ok());
  NewBatch first = Batch("a", 2);
  first.content_fingerprint = "innhold-a";
  auto written = store->WriteBatch(first, {});
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(written->content_fingerprint, "innhold-a");
  EXPECT_EQ(store->Batches()->at(0).content_fingerprint, "innhold-a");

  NewBatch same = Batch("b", 2);
  same.content_fingerprint = "innhold-a";
  same.unique_content = true;
  auto refused = store->WriteBatch(same, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("de samme svarene er allerede lagret"), std::string::npos)
      << refused.error().message;

  NewBatch other = Batch("c", 3);
  other.content_fingerprint = "innhold-c";
  other.rounds_must_be_empty = true;
  auto taken = store->WriteBatch(other, {});
  ASSERT_FALSE(taken.ok());
  EXPECT_NE(taken.error().message.find("har fått svar fra import " + std::to_string(written->id)),
            std::string::npos)
      << taken.error().message;
  EXPECT_EQ(Count("respondents"), 2);

  NewBatch missing = other;
  missing.replaces = written->id + 100;
  auto not_there = store->WriteBatch(missing, {});
  ASSERT_FALSE(not_there.ok());
  EXPECT_EQ(not_there.error().code, ErrorCode::kNotFound);

  other.replaces = written->id;
  auto swapped = store->WriteBatch(other, {});
  ASSERT_TRUE(swapped.ok()) << swapped.error().message;
  EXPECT_EQ(Count("respondents"), 3);
  EXPECT_EQ(Count("batches"), 1);
  EXPECT_EQ(store->Batches()->at(0).id, swapped->id);

  // A batch written without a fingerprint (as before there was one) reads back without.
  auto plain = store->WriteBatch(Batch("d", 1), {});
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_FALSE(store->Batches()->back().content_fingerprint.has_value());
}

TEST_F(SqliteStoreTest, InvitedCountsAreReplacedPerRoundAndServiceAndCheckedAgainstTheRegister) {
  auto store = Open();
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "s1", 900}}).ok());
  ASSERT_TRUE(store
                  ->UpsertInvitedCounts({{9001, 2021, "baseline", "barnehage", 30},
                                         {9001, 2021, "baseline", "barneskole", 40}})
                  .ok());
  ASSERT_TRUE(store->UpsertInvitedCounts({{9001, 2021, "baseline", "barnehage", 35}}).ok());
  auto counts = store->InvitedCounts();
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[0].service, "barnehage");
  EXPECT_EQ((*counts)[0].invited, 35);
  EXPECT_EQ((*counts)[1].invited, 40);

  // One unknown municipality fails the whole set; the earlier rows stay.
  auto failed = store->UpsertInvitedCounts(
      {{9001, 2023, "follow_up", "barnehage", 31}, {4242, 2023, "baseline", "barnehage", 3}});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("4242"), std::string::npos) << failed.error().message;
  EXPECT_EQ(Count("invited"), 2);
}

}  // namespace
}  // namespace samkart::store
