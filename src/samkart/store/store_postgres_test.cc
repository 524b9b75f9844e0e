// The store contract on both backends side by side: every test runs once on
// a SQLite file and once on a fresh PostgreSQL database, and must see the
// same behaviour. Rows are counted through ScanTable, so the checks are the
// same on both.
#include <algorithm>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <sqlite3.h>

#include "samkart/store/copy.h"
#include "samkart/store/migrations.h"
#include "samkart/store/store.h"

#include "support/postgres_database.h"
#include "support/scratch_dir.h"

namespace samkart::store {
namespace {

using testing_support::PostgresDatabase;

enum class Backend { kSqlite, kPostgres };

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "SQLite" : "PostgreSQL";
}

std::size_t Count(Store& store, const std::string& table) {
  for (const TableSpec& spec : PortableTables()) {
    if (spec.name != table) continue;
    std::size_t rows = 0;
    auto scanned = store.ScanTable(spec, [&](const Row&) {
      ++rows;
      return true;
    });
    EXPECT_TRUE(scanned.ok()) << scanned.error().message;
    return rows;
  }
  ADD_FAILURE() << "ukjent tabell " << table;
  return 0;
}

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      ASSERT_TRUE(postgres_.ok()) << postgres_.why();
    }
  }

  std::string Location() const {
    return GetParam() == Backend::kSqlite ? (scratch_.path() / "db.sqlite").string()
                                          : postgres_.owner_url();
  }

  std::unique_ptr<Store> Open(const StoreOptions& options = {}) {
    auto opened = OpenStore(Location(), options);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    return opened.ok() ? std::move(opened.value()) : nullptr;
  }

  static NewBatch Batch(const std::string& hash, std::size_t rows) {
    NewBatch b;
    b.file_name = "eksport.csv";
    b.content_sha256 = hash;
    b.format = "CSV";
    b.generation = "G5";
    b.report = "rapport «æøå»";
    b.rows_read = rows;
    b.round_types[{9001, 2021}] = "baseline";
    b.item_ids = {"family.a", "family.b"};
    for (std::size_t i = 0; i < rows; ++i) b.respondents.push_back({9001, 2021, 1, 4, {3, 254}});
    return b;
  }

  static SurveyRound Round(const std::string& token) {
    SurveyRound r;
    r.municipality = 9001;
    r.year = 2026;
    r.round_type = "baseline";
    r.generation = "G5";
    r.token = token;
    r.item_ids = {"family.a", "family.b"};
    r.created_by = "anne";
    // Not in alphabetical order: the order given must come back.
    r.services = {{"skole", 12, token + "-s"}, {"barnehage", 20, token + "-b"}};
    return r;
  }

  testing_support::ScratchDir scratch_;
  PostgresDatabase postgres_;
};

TEST_P(StoreContract, ANewStoreGetsTheLatestSchemaOnceAndAgreesOnTheVersion) {
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->SchemaVersion(), store->LatestSchemaVersion());
  EXPECT_EQ(store->LatestSchemaVersion(), SqliteMigrations().back().version);
  EXPECT_EQ(store->LatestSchemaVersion(), PostgresMigrations().back().version);
  auto again = store->Migrate();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->empty());
}

TEST_P(StoreContract, BatchesRoundTripWithTheirAnswersAndNewItemsReadAsNotAsked) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "gruppe_1", 2817}}).ok());
  auto written = store->WriteBatch(Batch("abc", 3), {});
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(written->rows_imported, 3u);
  EXPECT_EQ(written->municipality, 9001);
  auto found = store->FindBatchByHash("abc");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, written->id);
  EXPECT_EQ((*found)->imported_at, written->imported_at);
  EXPECT_EQ(*store->BatchReport(written->id), "rapport «æøå»");

  NewBatch later = Batch("two", 1);
  later.item_ids = {"family.c", "family.a"};  // a new item, and a different order
  later.respondents[0].answers = {7, 2};
  ASSERT_TRUE(store->WriteBatch(later, {}).ok());
  EXPECT_EQ(*store->ItemIds(), (std::vector<std::string>{"family.a", "family.b", "family.c"}));
  std::vector<std::vector<uint8_t>> answers;
  ASSERT_TRUE(store
                  ->ScanRespondents([&](const RespondentRecord& r, const std::string& round,
                                        const std::string& generation) {
                    EXPECT_EQ(round, "baseline");
                    EXPECT_EQ(generation, "G5");
                    answers.push_back(r.answers);
                    return true;
                  })
                  .ok());
  ASSERT_EQ(answers.size(), 4u);
  EXPECT_EQ(answers[0], (std::vector<uint8_t>{3, 254}));  // written before family.c existed
  EXPECT_EQ(answers[3], (std::vector<uint8_t>{2, 255, 7}));
  auto rounds = store->Rounds();
  ASSERT_TRUE(rounds.ok());
  ASSERT_EQ(rounds->size(), 2u);
  EXPECT_EQ((*rounds)[0].name, "Vikheim");
  EXPECT_EQ((*rounds)[0].respondents, 3u);
  EXPECT_EQ(store->Batches()->size(), 2u);
}

TEST_P(StoreContract, AFailureHalfWayLeavesNothingBehindAndTheSameFileCannotComeTwice) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "gruppe_1", {}}}).ok());
  NewBatch bad = Batch("bad", 5000);
  bad.respondents.back().municipality = 9999;
  bad.round_types[{9999, 2021}] = "baseline";
  auto written = store->WriteBatch(bad, {});
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().message.find("9999"), std::string::npos) << written.error().message;
  EXPECT_EQ(Count(*store, "batches"), 0u);
  EXPECT_EQ(Count(*store, "respondents"), 0u);
  EXPECT_EQ(Count(*store, "items"), 0u);

  ASSERT_TRUE(store->WriteBatch(Batch("good", 2), {}).ok());
  auto twice = store->WriteBatch(Batch("good", 2), {});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("allerede importert"), std::string::npos);
  EXPECT_EQ(Count(*store, "respondents"), 2u);
}

// A batch that replaces another deletes it in the same transaction it is
// written in: when the new one fails half-way, the old one is still there.
TEST_P(StoreContract, AReplacementSwapsTheBatchWholeOrNotAtAllAndKeepsItsFingerprint) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "gruppe_1", {}}}).ok());
  NewBatch old = Batch("gammel", 4);
  old.content_fingerprint = "innhold-gammel";
  auto written = store->WriteBatch(old, {});
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(store->Batches()->at(0).content_fingerprint, "innhold-gammel");

  NewBatch bad = Batch("ny", 3000);
  bad.content_fingerprint = "innhold-ny";
  bad.replaces = written->id;
  bad.respondents.back().municipality = 9999;
  bad.round_types[{9999, 2021}] = "baseline";
  ASSERT_FALSE(store->WriteBatch(bad, {}).ok());
  EXPECT_EQ(Count(*store, "batches"), 1u);
  EXPECT_EQ(Count(*store, "respondents"), 4u);
  EXPECT_EQ(store->Batches()->at(0).id, written->id);

  NewBatch good = Batch("ny", 3);
  good.content_fingerprint = "innhold-ny";
  good.unique_content = true;
  good.rounds_must_be_empty = true;
  good.replaces = written->id;
  auto swapped = store->WriteBatch(good, {});
  ASSERT_TRUE(swapped.ok()) << swapped.error().message;
  EXPECT_EQ(Count(*store, "batches"), 1u);
  EXPECT_EQ(Count(*store, "respondents"), 3u);
  EXPECT_EQ(store->Batches()->at(0).content_fingerprint, "innhold-ny");

  // The same answers once more, or into the round that now holds them, are refused.
  NewBatch again = Batch("ny-igjen", 3);
  again.content_fingerprint = "innhold-ny";
  again.unique_content = true;
  EXPECT_FALSE(store->WriteBatch(again, {}).ok());
  again.content_fingerprint = "innhold-annet";
  again.rounds_must_be_empty = true;
  EXPECT_FALSE(store->WriteBatch(again, {}).ok());
  EXPECT_EQ(Count(*store, "respondents"), 3u);
}

TEST_P(StoreContract, InvitedCountsAreReplacedAndSortedTheSameWay) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "s1", 900}}).ok());
  // Byte order: «Ø» (UTF-8 0xC3) sorts after «z», whatever the database's collation says.
  ASSERT_TRUE(store
                  ->UpsertInvitedCounts({{9001, 2021, "baseline", "Østre", 5},
                                         {9001, 2021, "baseline", "barnehage", 30},
                                         {9001, 2021, "baseline", "Zeta", 7}})
                  .ok());
  ASSERT_TRUE(store->UpsertInvitedCounts({{9001, 2021, "baseline", "barnehage", 35}}).ok());
  auto counts = store->InvitedCounts();
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  ASSERT_EQ(counts->size(), 3u);
  EXPECT_EQ((*counts)[0].service, "Zeta");
  EXPECT_EQ((*counts)[1].service, "barnehage");
  EXPECT_EQ((*counts)[1].invited, 35);
  EXPECT_EQ((*counts)[2].service, "Østre");
  auto failed = store->UpsertInvitedCounts(
      {{9001, 2023, "follow_up", "barnehage", 31}, {4242, 2023, "baseline", "barnehage", 3}});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("4242"), std::string::npos) << failed.error().message;
  EXPECT_EQ(Count(*store, "invited"), 3u);
}

TEST_P(StoreContract, UsersSessionsAndTheAuditLogBehaveAlike) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "s1", 900}}).ok());
  auto id = store->AddUser({0, "ådne", "hash", "municipal", {}, 9001, true, ""});
  ASSERT_TRUE(id.ok()) << id.error().message;
  ASSERT_TRUE(store->AddUser({0, "bjørg", "hash", "admin", {}, {}, true, ""}).ok());
  auto duplicate = store->AddUser({0, "ådne", "x", "reader", {}, {}, true, ""});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.error().message.find("finnes fra før"), std::string::npos);
  auto users = store->Users();
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].username, "bjørg");  // byte order: «b» before «å»
  User changed = *store->FindUser("ådne").value();
  EXPECT_EQ(changed.municipality, 9001);
  changed.active = false;
  changed.role = "reader";
  changed.municipality.reset();
  ASSERT_TRUE(store->UpdateUser(changed).ok());
  EXPECT_FALSE((*store->FindUserById(*id))->active);
  changed.id = 4242;
  EXPECT_FALSE(store->UpdateUser(changed).ok());

  ASSERT_TRUE(store->AddSession({"live", *id, "csrf", "2999-01-01T00:00:00Z"}).ok());
  ASSERT_TRUE(store->AddSession({"old", *id, "csrf", "2000-01-01T00:00:00Z"}).ok());
  EXPECT_TRUE(store->FindSession("live")->has_value());
  EXPECT_FALSE(store->FindSession("old")->has_value());
  ASSERT_TRUE(store->AddSession({"more", *id, "csrf", "2999-01-01T00:00:00Z"}).ok());
  EXPECT_EQ(Count(*store, "sessions"), 2u);  // the expired one is pruned
  ASSERT_TRUE(store->DeleteSessionsOfUser(*id).ok());
  EXPECT_EQ(Count(*store, "sessions"), 0u);

  for (const char* action : {"login", "import", "export"}) {
    ASSERT_TRUE(store->AppendAudit({0, "", "ådne", action, "detalj <b>"}).ok());
  }
  auto log = store->AuditLog(2);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].action, "export");
  EXPECT_EQ((*log)[1].detail, "detalj <b>");
}

TEST_P(StoreContract, SurveyRoundsTakeEachAnswerOnceAndCloseIntoABatch) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "s1", 900}}).ok());
  auto id = store->CreateSurveyRound(Round("tok"));
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto twice = store->CreateSurveyRound(Round("tok2"));
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("har allerede en runde"), std::string::npos);

  auto by_service_link = store->FindSurveyRoundByToken("tok-b");
  ASSERT_TRUE(by_service_link.ok() && by_service_link->has_value());
  const SurveyRound& round = **by_service_link;
  EXPECT_EQ(round.id, *id);
  ASSERT_EQ(round.services.size(), 2u);
  EXPECT_EQ(round.services[0].service, "skole");
  EXPECT_EQ(round.item_ids, (std::vector<std::string>{"family.a", "family.b"}));
  EXPECT_EQ(Count(*store, "invited"), 2u);
  EXPECT_FALSE(store->FindSurveyRoundByToken("nope")->has_value());

  ASSERT_TRUE(store->SaveSurveyDraft("d1", *id, "{\"a\":1}").ok());
  ASSERT_TRUE(store->SaveSurveyDraft("d1", *id, "{\"a\":2}").ok());
  EXPECT_EQ(*store->LoadSurveyDraft("d1", *id).value(), "{\"a\":2}");
  ASSERT_TRUE(store->SaveSurveyDraft("d2", *id, "{}").ok());
  EXPECT_TRUE(*store->UpdateSurveyDraft("d1", *id, "{\"a\":3}"));
  EXPECT_EQ(*store->SubmitSurveyResponse("d1", *id, {1, 4, {3, 2}}), SubmitStatus::kStored);
  // A second click: its page save finds no draft and makes none, so its
  // submission stores nothing.
  EXPECT_FALSE(*store->UpdateSurveyDraft("d1", *id, "{\"a\":3}"));
  EXPECT_FALSE(store->LoadSurveyDraft("d1", *id)->has_value());
  EXPECT_EQ(*store->SubmitSurveyResponse("d1", *id, {1, 4, {3, 2}}),
            SubmitStatus::kAlreadySubmitted);
  EXPECT_EQ(*store->SubmitSurveyResponse("d2", *id, {2, 4, {1, 1}}), SubmitStatus::kStored);
  EXPECT_EQ(*store->SurveyResponseCounts(*id), (std::map<int, std::size_t>{{1, 1}, {2, 1}}));
  auto held = store->HeldResponses(*id);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->size(), 2u);

  NewBatch batch = Batch("round-1", 2);
  batch.round_types = {{{9001, 2026}, "baseline"}};
  for (auto& r : batch.respondents) r.year = 2026;
  ASSERT_TRUE(store->SaveSurveyDraft("d3", *id, "{}").ok());
  // Made from one answer, but two are held: another server took one since.
  // Nothing is written, and the caller is told to read again.
  auto stale = store->CloseSurveyRound(*id, batch, 1);
  ASSERT_TRUE(stale.ok()) << stale.error().message;
  EXPECT_FALSE(stale->has_value());
  EXPECT_EQ(Count(*store, "batches"), 0u);
  EXPECT_EQ(Count(*store, "survey_responses"), 2u);
  auto closed = store->CloseSurveyRound(*id, batch, 2);
  ASSERT_TRUE(closed.ok()) << closed.error().message;
  ASSERT_TRUE(closed->has_value());
  EXPECT_EQ(Count(*store, "survey_responses"), 0u);
  EXPECT_EQ(Count(*store, "survey_drafts"), 0u);
  EXPECT_EQ((*store->SurveyRounds())[0].status, "closed");
  EXPECT_EQ((*store->SurveyRounds())[0].batch_id, (*closed)->id);
  EXPECT_EQ(*store->SubmitSurveyResponse("d3", *id, {1, 4, {3, 2}}), SubmitStatus::kRoundClosed);
  EXPECT_FALSE(store->CloseSurveyRound(*id, Batch("round-again", 1), 0).ok());
}

// A withdrawn municipality's round goes from every import that holds it,
// with the round run in Samkart (its drafts and held answers) and its
// invited counts; an import emptied by it goes, one with other rounds stays.
TEST_P(StoreContract, DeletingARoundOrAnImportRemovesAllOfItAndAPreviewNothing) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store
                  ->UpsertMunicipalities(
                      {{9001, "Vikheim", "nord", "s1", 900}, {9002, "Sørby", "sor", "s1", 800}})
                  .ok());
  NewBatch shared = Batch("delt", 4);
  shared.round_types[{9002, 2021}] = "baseline";
  for (int i = 0; i < 3; ++i) shared.respondents.push_back({9002, 2021, 1, 4, {3, 254}});
  auto kept = store->WriteBatch(shared, {});
  ASSERT_TRUE(kept.ok()) << kept.error().message;
  ASSERT_TRUE(store->WriteBatch(Batch("bare-9001", 5), {}).ok());
  SurveyRound round = Round("tok");
  round.year = 2021;
  round.round_type = "follow_up";
  auto round_id = store->CreateSurveyRound(round);
  ASSERT_TRUE(round_id.ok()) << round_id.error().message;
  ASSERT_TRUE(store->SaveSurveyDraft("d1", *round_id, "{\"a\":1}").ok());
  ASSERT_TRUE(store->SaveSurveyDraft("d2", *round_id, "{}").ok());
  ASSERT_EQ(*store->SubmitSurveyResponse("d2", *round_id, {1, 4, {3, 2}}), SubmitStatus::kStored);

  DeletionTarget target;
  target.kind = DeletionTarget::Kind::kRound;
  target.municipality = 9001;
  target.year = 2021;
  auto preview = store->DeleteData(target, false);
  ASSERT_TRUE(preview.ok()) << preview.error().message;
  EXPECT_EQ(preview->respondents, 9u);
  EXPECT_EQ(preview->batches, 1u);
  EXPECT_EQ(preview->survey_rounds, 1u);
  EXPECT_EQ(preview->held_answers, 1u);
  EXPECT_EQ(preview->drafts, 1u);
  EXPECT_EQ(preview->invited, 2u);
  EXPECT_EQ(Count(*store, "respondents"), 12u);
  EXPECT_EQ(Count(*store, "survey_rounds"), 1u);

  auto removed = store->DeleteData(target, true);
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(DescribeRemoval(*removed),
            "9 respondenter, 1 import, 1 runde i Samkart, 1 innsendt svar i en åpen runde, 1 "
            "påbegynt svar, 2 antall inviterte");
  EXPECT_EQ(Count(*store, "respondents"), 3u);
  EXPECT_EQ(Count(*store, "survey_rounds") + Count(*store, "survey_services") +
                Count(*store, "survey_drafts") + Count(*store, "survey_responses") +
                Count(*store, "invited"),
            0u);
  auto batches = store->Batches();
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 1u);
  EXPECT_EQ((*batches)[0].id, kept->id);
  EXPECT_EQ((*batches)[0].rows_imported, 3u);

  target.kind = DeletionTarget::Kind::kBatch;
  target.batch_id = kept->id;
  auto batch_removed = store->DeleteData(target, true);
  ASSERT_TRUE(batch_removed.ok()) << batch_removed.error().message;
  EXPECT_EQ(batch_removed->respondents, 3u);
  EXPECT_EQ(batch_removed->batches, 1u);
  EXPECT_EQ(Count(*store, "respondents") + Count(*store, "batches"), 0u);

  User user;
  user.username = "kari";
  user.password_hash = "x";
  user.role = "reader";
  auto user_id = store->AddUser(user);
  ASSERT_TRUE(user_id.ok());
  ASSERT_TRUE(store->AddSession({"hash", *user_id, "csrf", "2999-01-01T00:00:00Z"}).ok());
  ASSERT_TRUE(store->DeleteUser(*user_id).ok());
  EXPECT_FALSE(store->FindUser("kari")->has_value());
  EXPECT_EQ(Count(*store, "sessions"), 0u);
  EXPECT_FALSE(store->DeleteUser(*user_id).ok());
}

TEST_P(StoreContract, LoginFailuresAreCountedForgottenAndStartAgainAfterAQuietDay) {
  auto store = Open();
  ASSERT_TRUE(store);
  const int64_t noon = 1'800'000'000;
  EXPECT_EQ(store->FindLoginFailures("navn:anne")->count, 0u);
  EXPECT_EQ(store->CountLoginFailure("navn:anne", noon)->count, 1u);
  const auto twice = store->CountLoginFailure("navn:anne", noon + 5);
  ASSERT_TRUE(twice.ok()) << twice.error().message;
  EXPECT_EQ(twice->count, 2u);
  EXPECT_EQ(twice->last, noon + 5);
  EXPECT_EQ(store->FindLoginFailures("navn:anne")->count, 2u);
  EXPECT_EQ(store->FindLoginFailures("navn:bjorn")->count, 0u);
  // A day and more later the count starts again.
  EXPECT_EQ(store->CountLoginFailure("navn:anne", noon + kQuietDay + 10)->count, 1u);
  ASSERT_TRUE(store->ForgetLoginFailures("navn:anne").ok());
  EXPECT_EQ(store->FindLoginFailures("navn:anne")->count, 0u);
}

TEST_P(StoreContract, CopyToTheOtherBackendAndBackKeepsEveryRowAndChecksum) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->UpsertMunicipalities({{9001, "Vikheim", "nord", "s1", {}}}).ok());
  ASSERT_TRUE(store->WriteBatch(Batch("abc", 40), {}).ok());
  ASSERT_TRUE(store->AddUser({0, "åse", "hash", "admin", {}, {}, true, ""}).ok());
  auto round = store->CreateSurveyRound(Round("tok"));
  ASSERT_TRUE(round.ok());
  ASSERT_TRUE(store->SaveSurveyDraft("d1", *round, "{}").ok());
  ASSERT_TRUE(store->SubmitSurveyResponse("d1", *round, {1, 4, {0, 255}}).ok());
  ASSERT_TRUE(store->AppendAudit({0, "", "åse", "login", "tab\there"}).ok());

  // The other backend, then a third store of the first kind.
  PostgresDatabase second_postgres;
  ASSERT_TRUE(second_postgres.ok()) << second_postgres.why();
  const std::string other = GetParam() == Backend::kSqlite
                                ? postgres_.owner_url()
                                : (scratch_.path() / "copy.sqlite").string();
  const std::string back = GetParam() == Backend::kSqlite
                               ? (scratch_.path() / "back.sqlite").string()
                               : second_postgres.owner_url();
  auto other_store = OpenStore(other);
  ASSERT_TRUE(other_store.ok()) << other_store.error().message;
  auto there = CopyStore(*store, **other_store);
  ASSERT_TRUE(there.ok()) << there.error().message;
  auto back_store = OpenStore(back);
  ASSERT_TRUE(back_store.ok()) << back_store.error().message;
  auto home = CopyStore(**other_store, **back_store);
  ASSERT_TRUE(home.ok()) << home.error().message;

  auto original = DigestTables(*store);
  ASSERT_TRUE(original.ok());
  ASSERT_EQ(original->size(), PortableTables().size());
  for (std::size_t i = 0; i < original->size(); ++i) {
    EXPECT_EQ((*original)[i].rows, home->target[i].rows) << (*original)[i].table;
    EXPECT_EQ((*original)[i].sha256, home->target[i].sha256) << (*original)[i].table;
    EXPECT_EQ((*original)[i].sha256, there->target[i].sha256) << (*original)[i].table;
  }
  EXPECT_EQ((*original)[3].rows, 40u);  // respondents

  // The copy is a working store: new ids continue after the copied ones.
  auto next_user = (*back_store)->AddUser({0, "bård", "hash", "reader", {}, {}, true, ""});
  ASSERT_TRUE(next_user.ok()) << next_user.error().message;
  EXPECT_EQ(*next_user, 2);
  // And a copy into a store that holds data is refused, writing nothing.
  auto refused = CopyStore(*store, **back_store);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("ikke tom"), std::string::npos) << refused.error().message;
  EXPECT_EQ(Count(**back_store, "users"), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

// --- PostgreSQL only: the schema and the roles ---

TEST(PostgresSchema, TablesAndColumnsAreTheCatalogueOnBothBackends) {
  PostgresDatabase postgres;
  ASSERT_TRUE(postgres.ok()) << postgres.why();
  testing_support::ScratchDir scratch;
  const std::string sqlite_path = (scratch.path() / "db.sqlite").string();
  ASSERT_TRUE(OpenStore(sqlite_path).ok());
  ASSERT_TRUE(OpenStore(postgres.owner_url()).ok());

  std::map<std::string, std::vector<std::string>> expected;
  for (const TableSpec& t : PortableTables()) {
    for (const ColumnSpec& c : t.columns) expected[t.name].push_back(c.name);
  }
  expected["schema_migrations"] = {"version", "description", "applied_at"};

  std::map<std::string, std::vector<std::string>> in_sqlite;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(sqlite_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT m.name, p.name FROM sqlite_master m JOIN "
                               "pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY "
                               "m.name, p.cid",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    in_sqlite[reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))].push_back(
        reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_EQ(in_sqlite, expected);

  std::map<std::string, std::vector<std::string>> in_postgres;
  pqxx::connection connection(postgres.owner_url());
  pqxx::read_transaction tx(connection);
  for (const auto& row : tx.exec(
           "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
           "current_schema() ORDER BY table_name, ordinal_position")) {
    in_postgres[row[0].c_str()].push_back(row[1].c_str());
  }
  EXPECT_EQ(in_postgres, expected);
}

// Deleted drafts and held answers stay as dead rows until a vacuum; the
// tables that hold them are vacuumed as soon as any row is dead.
TEST(PostgresSchema, TheTablesOfOpenRoundsAreVacuumedAsSoonAsARowIsDead) {
  PostgresDatabase postgres;
  ASSERT_TRUE(postgres.ok()) << postgres.why();
  ASSERT_TRUE(OpenStore(postgres.owner_url()).ok());
  pqxx::connection connection(postgres.owner_url());
  pqxx::read_transaction tx(connection);
  for (const std::string table : {"survey_drafts", "survey_responses"}) {
    const auto options = tx.exec_params1(
        "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = $1", table);
    EXPECT_EQ(options[0].as<std::string>(""),
              "autovacuum_vacuum_threshold=0,autovacuum_vacuum_scale_factor=0")
        << table;
  }
}

TEST(PostgresRoles, TheAppRoleReadsAndWritesRowsButCannotChangeTheSchemaOrHistory) {
  PostgresDatabase postgres;
  ASSERT_TRUE(postgres.ok()) << postgres.why();

  // Before the owner has migrated, the application role cannot create the schema.
  auto too_early = OpenStore(postgres.app_url());
  ASSERT_FALSE(too_early.ok());
  EXPECT_NE(too_early.error().message.find("eierrollen"), std::string::npos)
      << too_early.error().message;
  EXPECT_EQ(too_early.error().message.find(postgres.server().app_password), std::string::npos)
      << "the password must not appear in messages";

  StoreOptions owner;
  owner.app_role = "samkart_app";
  auto migrated = OpenStore(postgres.owner_url(), owner);
  ASSERT_TRUE(migrated.ok()) << migrated.error().message;
  ASSERT_TRUE((*migrated)->Migrate().ok());  // grants, also when nothing is left to migrate

  auto app = OpenStore(postgres.app_url());
  ASSERT_TRUE(app.ok()) << app.error().message;
  Store& store = **app;
  EXPECT_NE(store.Describe().find("samkart_app@"), std::string::npos) << store.Describe();
  ASSERT_TRUE(store.UpsertMunicipalities({{9001, "Vikheim", "nord", "s1", {}}}).ok());
  ASSERT_TRUE(store.AddUser({0, "åse", "hash", "admin", {}, {}, true, ""}).ok());
  ASSERT_TRUE(store.AppendAudit({0, "", "åse", "login", ""}).ok());
  auto round = store.CreateSurveyRound(
      {0, 9001, 2026, "baseline", "G5", "t", "", {"a.b"}, {}, "åse", "", {{"skole", 3, "t-s"}}});
  ASSERT_TRUE(round.ok()) << round.error().message;
  ASSERT_TRUE(store.SaveSurveyDraft("d", *round, "{}").ok());
  ASSERT_EQ(*store.SubmitSurveyResponse("d", *round, {1, 1, {1}}), SubmitStatus::kStored);

  pqxx::connection connection(postgres.app_url());
  for (const char* forbidden :
       {"CREATE TABLE intruder (x INTEGER)", "ALTER TABLE users ADD COLUMN x INTEGER",
        "DROP TABLE respondents", "DELETE FROM audit_log", "UPDATE audit_log SET detail = ''",
        "DELETE FROM respondents", "DELETE FROM batches",
        "INSERT INTO schema_migrations VALUES (99, 'x', 'x')", "TRUNCATE users"}) {
    pqxx::work tx(connection);
    EXPECT_THROW(tx.exec0(forbidden), pqxx::insufficient_privilege) << forbidden;
  }
  EXPECT_EQ(Count(store, "audit_log"), 1u);

  // Only the owner can grant: the app role trying it is told so, instead of
  // PostgreSQL's warning passing unseen.
  const std::string third = "samkart_third_" + std::to_string(::getpid());
  pqxx::connection admin(postgres.server().superuser_url);
  pqxx::nontransaction(admin).exec0("CREATE ROLE " + third);
  StoreOptions by_app;
  by_app.app_role = third;
  auto app_grants = OpenStore(postgres.app_url(), by_app);
  ASSERT_TRUE(app_grants.ok()) << app_grants.error().message;
  auto refused = (*app_grants)->Migrate();
  pqxx::nontransaction(admin).exec0("DROP ROLE " + third);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("bare eieren"), std::string::npos)
      << refused.error().message;
  // Granting itself what it already has changes nothing, and must not be
  // reported as done either.
  StoreOptions to_itself;
  to_itself.app_role = "samkart_app";
  auto self_grants = OpenStore(postgres.app_url(), to_itself);
  ASSERT_TRUE(self_grants.ok()) << self_grants.error().message;
  auto self_refused = (*self_grants)->Migrate();
  ASSERT_FALSE(self_refused.ok());
  EXPECT_NE(self_refused.error().message.find("bare eieren"), std::string::npos)
      << self_refused.error().message;
}

// Terminates the store's connection to `postgres` and waits until its
// backend is gone (pg_terminate_backend only sends the signal). Only client
// backends: an autovacuum worker may be visiting the new database too.
void CutTheConnection(const PostgresDatabase& postgres) {
  pqxx::connection admin(postgres.server().superuser_url);
  pqxx::nontransaction tx(admin);
  const std::string clients =
      "FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> "
      "pg_backend_pid()";
  const auto killed =
      tx.exec_params("SELECT pg_terminate_backend(pid) " + clients, postgres.name());
  ASSERT_EQ(killed.size(), 1u);
  const auto remaining = [&] {
    return tx.exec_params1("SELECT count(*) " + clients, postgres.name())[0].as<int>();
  };
  for (int i = 0; i < 500 && remaining() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(remaining(), 0);
}

// A restarted database server, or an idle connection cut by a firewall:
// the next call connects again instead of failing until serve is restarted.
TEST(PostgresConnection, ALostConnectionIsReopenedOnTheNextCall) {
  PostgresDatabase postgres;
  ASSERT_TRUE(postgres.ok()) << postgres.why();
  auto opened = OpenStore(postgres.owner_url());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Store& store = **opened;
  ASSERT_TRUE(store.AppendAudit({0, "", "åse", "login", ""}).ok());

  ASSERT_NO_FATAL_FAILURE(CutTheConnection(postgres));

  auto after = store.AppendAudit({0, "", "åse", "logout", ""});
  EXPECT_TRUE(after.ok()) << after.error().message;
  auto log = store.AuditLog(10);
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_EQ(log->size(), 2u);
}

// A scan that has handed out rows must not start again after a lost
// connection: the caller (a copy, an analysis) would count them twice.
TEST(PostgresConnection, AConnectionLostMidReadIsAnErrorNotRowsTwice) {
  PostgresDatabase postgres;
  ASSERT_TRUE(postgres.ok()) << postgres.why();
  auto opened = OpenStore(postgres.owner_url());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Store& store = **opened;
  // More rows than one cursor fetch, so the read goes back to the server.
  constexpr int kRows = 25000;
  auto loaded = store.LoadTables([&](const TableSpec& table, const Store::RowWriter& write) {
    if (std::string_view(table.name) != "audit_log") return Ok();
    for (int i = 1; i <= kRows; ++i) {
      auto written = write({std::to_string(i), "2026-01-01T00:00:00Z", "åse", "login", ""});
      if (!written.ok()) return written;
    }
    return Ok();
  });
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;

  const TableSpec& audit =
      *std::find_if(PortableTables().begin(), PortableTables().end(),
                    [](const TableSpec& t) { return std::string_view(t.name) == "audit_log"; });
  int seen = 0;
  auto scanned = store.ScanTable(audit, [&](const Row&) {
    if (++seen == 1) CutTheConnection(postgres);
    return true;
  });
  ASSERT_FALSE(scanned.ok()) << "the scan went on after the connection was cut";
  EXPECT_NE(scanned.error().message.find("brutt"), std::string::npos) << scanned.error().message;
  EXPECT_LT(seen, kRows);

  int again = 0;
  auto rescanned = store.ScanTable(audit, [&](const Row&) { return ++again > 0; });
  ASSERT_TRUE(rescanned.ok()) << rescanned.error().message;
  EXPECT_EQ(again, kRows);
}

}  // namespace
}  // namespace samkart::store
