// An import that meets a failing disk: a wrapping SQLite VFS, registered as
// the default, delegates every call to the real one but fails the Nth write
// or sync of the database, its journal or its write-ahead log. A failure
// while the batch is written makes the import return a Norwegian error, the
// process goes on, and the database holds exactly what it held before; the
// same file then imports whole, once. A failure after the commit (in the
// checkpoint) leaves the batch stored whole.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "samkart/import/importer.h"
#include "samkart/instrument/loader.h"

#include "support/scratch_dir.h"
#include "support/sqlite_query.h"

namespace samkart::import {
namespace {

namespace fs = std::filesystem;

// ---- The failing VFS ------------------------------------------------------

enum class Op { kWrite, kSync };

// What the VFS counts and when it fails. SQLite calls the VFS from the
// thread that runs the statement; the tests run one import at a time.
struct FaultPlan {
  bool counting = false;
  Op op = Op::kWrite;
  int fail_at = 0;  // the 1-based count of `op` that fails; 0: none
  int error = SQLITE_IOERR;
  int writes = 0;
  int syncs = 0;
  bool fired = false;
};
FaultPlan g_plan;
sqlite3_vfs* g_real = nullptr;

// A file of the wrapping VFS: its own header, then the real file's memory.
struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;
  bool tracked;  // the database, its rollback journal or its WAL
};

sqlite3_file* Real(sqlite3_file* file) { return reinterpret_cast<FaultFile*>(file)->real; }

// Counts an operation on a tracked file; true when this one must fail.
bool Fails(sqlite3_file* file, Op op) {
  if (!g_plan.counting || !reinterpret_cast<FaultFile*>(file)->tracked) return false;
  const int count = op == Op::kWrite ? ++g_plan.writes : ++g_plan.syncs;
  if (op != g_plan.op || count != g_plan.fail_at) return false;
  g_plan.fired = true;
  return true;
}

int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int Read(sqlite3_file* f, void* buffer, int amount, sqlite3_int64 offset) {
  return Real(f)->pMethods->xRead(Real(f), buffer, amount, offset);
}
int Write(sqlite3_file* f, const void* buffer, int amount, sqlite3_int64 offset) {
  if (Fails(f, Op::kWrite)) return g_plan.error;
  return Real(f)->pMethods->xWrite(Real(f), buffer, amount, offset);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (Fails(f, Op::kSync)) return g_plan.error;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
int Fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), offset, amount, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return Real(f)->pMethods->xUnfetch(Real(f), offset, page);
}

// The unix VFS's files are version 3 (shared memory and memory mapping).
const sqlite3_io_methods kMethods = {3,
                                     Close,
                                     Read,
                                     Write,
                                     Truncate,
                                     Sync,
                                     FileSize,
                                     Lock,
                                     Unlock,
                                     CheckReservedLock,
                                     FileControl,
                                     SectorSize,
                                     DeviceCharacteristics,
                                     ShmMap,
                                     ShmLock,
                                     ShmBarrier,
                                     ShmUnmap,
                                     Fetch,
                                     Unfetch};

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* wrapper = reinterpret_cast<FaultFile*>(file);
  wrapper->real = reinterpret_cast<sqlite3_file*>(wrapper + 1);
  wrapper->tracked =
      (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_WAL)) != 0;
  const int rc = g_real->xOpen(g_real, name, wrapper->real, flags, out_flags);
  // SQLite closes a file whose pMethods is set, even when the open failed.
  wrapper->base.pMethods = wrapper->real->pMethods != nullptr ? &kMethods : nullptr;
  return rc;
}

// Everything but opening goes to the real VFS, with the real VFS as `this`.
sqlite3_vfs MakeFaultVfs(sqlite3_vfs* real) {
  sqlite3_vfs vfs;
  std::memcpy(&vfs, real, sizeof vfs);
  vfs.pNext = nullptr;
  vfs.zName = "samkart-failing-disk";
  vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + real->szOsFile;
  vfs.xOpen = Open;
  vfs.xDelete = [](sqlite3_vfs*, const char* name, int sync) {
    return g_real->xDelete(g_real, name, sync);
  };
  vfs.xAccess = [](sqlite3_vfs*, const char* name, int flags, int* out) {
    return g_real->xAccess(g_real, name, flags, out);
  };
  vfs.xFullPathname = [](sqlite3_vfs*, const char* name, int size, char* out) {
    return g_real->xFullPathname(g_real, name, size, out);
  };
  vfs.xDlOpen = [](sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); };
  vfs.xDlError = [](sqlite3_vfs*, int size, char* out) { g_real->xDlError(g_real, size, out); };
  vfs.xDlSym = [](sqlite3_vfs*, void* handle, const char* symbol) {
    return g_real->xDlSym(g_real, handle, symbol);
  };
  vfs.xDlClose = [](sqlite3_vfs*, void* handle) { g_real->xDlClose(g_real, handle); };
  vfs.xRandomness = [](sqlite3_vfs*, int size, char* out) {
    return g_real->xRandomness(g_real, size, out);
  };
  vfs.xSleep = [](sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); };
  vfs.xCurrentTime = [](sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); };
  vfs.xGetLastError = [](sqlite3_vfs*, int size, char* out) {
    return g_real->xGetLastError(g_real, size, out);
  };
  vfs.xCurrentTimeInt64 = [](sqlite3_vfs*, sqlite3_int64* out) {
    return g_real->xCurrentTimeInt64(g_real, out);
  };
  return vfs;
}

sqlite3_vfs g_fault_vfs;

// ---- The import -----------------------------------------------------------

constexpr const char* kHeader =
    "kommunenummer,aar,tjenestested,stilling,risiko_bullied,minoritet\n";

// A synthetic export: `rows` staff of one municipality and year.
std::string Export(int municipality, int year, int rows) {
  const char* labels[] = {"I svært liten grad", "I ganske liten grad", "Hverken/eller",
                          "I ganske stor grad", "I svært stor grad"};
  std::string text = kHeader;
  for (int i = 0; i < rows; ++i) {
    text += std::to_string(municipality) + "," + std::to_string(year) + ",Barnehage,Assistent," +
            labels[i % 5] + ",Ganske mye\n";
  }
  return text;
}

// What a store holds, as text that compares whole: every batch and every
// respondent with its round and answers.
std::string Contents(store::Store& store) {
  std::string out;
  auto batches = store.Batches();
  EXPECT_TRUE(batches.ok()) << batches.error().message;
  if (!batches.ok()) return "(batches unreadable)";
  for (const auto& b : *batches) {
    out += "batch " + std::to_string(b.id) + " " + b.file_name + " " + b.content_sha256 + " " +
           std::to_string(b.rows_imported) + "\n";
  }
  auto scanned =
      store.ScanRespondents([&](const store::RespondentRecord& r, const std::string& round_type,
                                const std::string& generation) {
        out += std::to_string(r.municipality) + " " + std::to_string(r.year) + " " +
               std::to_string(r.service) + " " + std::to_string(r.position) + " " + round_type +
               " " + generation + " ";
        for (const auto a : r.answers) out += std::to_string(a) + ".";
        out += "\n";
        return true;
      });
  EXPECT_TRUE(scanned.ok()) << scanned.error().message;
  return out;
}

// A store with the municipality register and one earlier batch, and a new
// export of `new_rows` rows next to it, in `dir`.
class StoreWithOneBatch {
 public:
  StoreWithOneBatch(const fs::path& dir, int new_rows) : dir_(dir) {
    auto loaded = instrument::LoadEmbeddedInstrument();
    EXPECT_TRUE(loaded.ok());
    instrument_ = std::move(*loaded.instrument);
    Open();
    std::ofstream(dir_ / "kommuner.csv") << "municipality,name_nb,region,size_group,population\n"
                                            "9001,Vikheim (syntetisk),nord,1,2817\n"
                                            "9002,Modal (syntetisk),midt,3,11186\n";
    std::ofstream(dir_ / "forrige.csv") << Export(9001, 2021, 40);
    std::ofstream(dir_ / "ny.csv") << Export(9002, 2023, new_rows);
    auto registered =
        ImportMunicipalityRegister(*store_, instrument_, (dir_ / "kommuner.csv").string());
    EXPECT_TRUE(registered.ok()) << registered.error().message;
    auto earlier = Import("forrige.csv");
    EXPECT_TRUE(earlier.ok()) << earlier.error().message;
  }

  void Open() {
    store_.reset();
    auto opened = store::OpenStore(db().string());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened.value());
  }

  Result<ImportOutcome> Import(const std::string& name, ImportRequest request = {}) {
    request.path = (dir_ / name).string();
    return ImportFile(*store_, instrument_, request, {});
  }

  fs::path db() const { return dir_ / "db.sqlite"; }
  store::Store& store() { return *store_; }

 private:
  fs::path dir_;
  instrument::Instrument instrument_;
  std::unique_ptr<store::Store> store_;
};

// How many writes and syncs of tracked files a clean import of ny.csv makes.
struct OpCounts {
  int writes = 0;
  int syncs = 0;
};

class ImportFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_initialize(), SQLITE_OK);
    g_real = sqlite3_vfs_find(nullptr);
    ASSERT_NE(g_real, nullptr);
    ASSERT_NE(std::string(g_real->zName), "samkart-failing-disk");
    g_fault_vfs = MakeFaultVfs(g_real);
    ASSERT_EQ(sqlite3_vfs_register(&g_fault_vfs, 1), SQLITE_OK);
    g_plan = {};
  }
  void TearDown() override {
    g_plan = {};
    sqlite3_vfs_unregister(&g_fault_vfs);
    EXPECT_EQ(sqlite3_vfs_find(nullptr), g_real);
  }

  // Counted on a store of its own, so every case can aim at a point in it.
  OpCounts CleanImportCounts(int rows) {
    StoreWithOneBatch setup(scratch_ / ("counted_" + std::to_string(rows)), rows);
    g_plan = {};
    g_plan.counting = true;
    auto imported = setup.Import("ny.csv");
    g_plan.counting = false;
    EXPECT_TRUE(imported.ok()) << imported.error().message;
    return {g_plan.writes, g_plan.syncs};
  }

  // Fails the `fail_at`th `op` of an import of ny.csv and checks what is left.
  void ExpectNothingChangesWhen(int rows, Op op, int fail_at, int error) {
    SCOPED_TRACE((op == Op::kWrite ? "write " : "sync ") + std::to_string(fail_at) +
                 (error == SQLITE_FULL ? " (disk full)" : " (I/O error)"));
    const fs::path dir = scratch_ / ("case_" + std::to_string(++cases_));
    StoreWithOneBatch setup(dir, rows);
    const std::string before = Contents(setup.store());
    ASSERT_NE(before.find("forrige.csv"), std::string::npos);

    g_plan = {};
    g_plan.counting = true;
    g_plan.op = op;
    g_plan.fail_at = fail_at;
    g_plan.error = error;
    auto failed = setup.Import("ny.csv");
    g_plan.counting = false;
    ASSERT_TRUE(g_plan.fired) << "the import made fewer than " << fail_at << " such calls";
    ASSERT_FALSE(failed.ok()) << "the import succeeded although the disk failed";
    const std::string& message = failed.error().message;
    EXPECT_NE(message.find("ny.csv: ingenting fra filen er lagret"), std::string::npos) << message;
    EXPECT_NE(
        message.find(error == SQLITE_FULL ? "disken er full" : "lese- eller skrivefeil mot disken"),
        std::string::npos)
        << message;

    // The same connection, then a new one, see what was there before.
    EXPECT_EQ(Contents(setup.store()), before);
    setup.Open();
    EXPECT_EQ(Contents(setup.store()), before);
    EXPECT_EQ(testing_support::QueryInteger(setup.db(),
                                            "SELECT count(*) FROM pragma_integrity_check WHERE "
                                            "integrity_check = 'ok'"),
              1);

    // With a sound disk the file imports whole, and only once.
    auto imported = setup.Import("ny.csv");
    ASSERT_TRUE(imported.ok()) << imported.error().message;
    EXPECT_EQ(imported->status, ImportStatus::kImported);
    EXPECT_EQ(imported->batch.rows_imported, static_cast<std::size_t>(rows));
    const std::string after = Contents(setup.store());
    auto again = setup.Import("ny.csv");
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->status, ImportStatus::kAlreadyImported);
    EXPECT_EQ(again->batch.id, imported->batch.id);
    EXPECT_EQ(Contents(setup.store()), after);
    EXPECT_EQ(std::count(after.begin(), after.end(), '\n'),
              std::count(before.begin(), before.end(), '\n') + 1 + rows);
  }

  // Fails the `fail_at`th `op` of an import of ny.csv where it lands after
  // the commit, in the checkpoint that copies the write-ahead log into the
  // database: the batch is stored by then, so the import succeeds and the
  // batch is there whole, now and after reopening.
  void ExpectTheWholeBatchWhen(int rows, Op op, int fail_at, int error) {
    SCOPED_TRACE((op == Op::kWrite ? "write " : "sync ") + std::to_string(fail_at) +
                 (error == SQLITE_FULL ? " (disk full)" : " (I/O error)"));
    const fs::path dir = scratch_ / ("case_" + std::to_string(++cases_));
    StoreWithOneBatch setup(dir, rows);
    const std::string before = Contents(setup.store());

    g_plan = {};
    g_plan.counting = true;
    g_plan.op = op;
    g_plan.fail_at = fail_at;
    g_plan.error = error;
    auto imported = setup.Import("ny.csv");
    g_plan.counting = false;
    ASSERT_TRUE(g_plan.fired) << "the import made fewer than " << fail_at << " such calls";
    ASSERT_TRUE(imported.ok()) << imported.error().message;
    EXPECT_EQ(imported->batch.rows_imported, static_cast<std::size_t>(rows));
    const std::string after = Contents(setup.store());
    EXPECT_EQ(std::count(after.begin(), after.end(), '\n'),
              std::count(before.begin(), before.end(), '\n') + 1 + rows);

    setup.Open();
    EXPECT_EQ(Contents(setup.store()), after);
    EXPECT_EQ(testing_support::QueryInteger(setup.db(),
                                            "SELECT count(*) FROM pragma_integrity_check WHERE "
                                            "integrity_check = 'ok'"),
              1);
    auto again = setup.Import("ny.csv");
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->status, ImportStatus::kAlreadyImported);
    EXPECT_EQ(Contents(setup.store()), after);
  }

  testing_support::ScratchDir scratch_;
  int cases_ = 0;
};

// A small batch fits in the page cache: every write of the import is a
// frame of its transaction in the write-ahead log.
TEST_F(ImportFaultTest, AFailedWriteLeavesTheDatabaseAsItWas) {
  const OpCounts counts = CleanImportCounts(3000);
  ASSERT_GE(counts.writes, 3) << "the import wrote too little to fail in the middle";
  EXPECT_EQ(counts.syncs, 0) << "a commit in the log does not sync";
  for (const int at : {1, counts.writes / 2, counts.writes}) {
    ExpectNothingChangesWhen(3000, Op::kWrite, at, SQLITE_IOERR);
  }
  ExpectNothingChangesWhen(3000, Op::kWrite, counts.writes / 3, SQLITE_FULL);
}

// A large batch spills from the page cache into the log while it is written,
// and its commit fills the log past the automatic checkpoint.
constexpr int kLargeBatch = 60000;

TEST_F(ImportFaultTest, AFailedWriteWhileALargeBatchSpillsLeavesTheDatabaseAsItWas) {
  const OpCounts counts = CleanImportCounts(kLargeBatch);
  ASSERT_GE(counts.writes, 2000);
  ExpectNothingChangesWhen(kLargeBatch, Op::kWrite, 1000, SQLITE_FULL);
}

// With the log and synchronous = NORMAL a commit does not sync: the only
// syncs, and the last writes, are the checkpoint's, after the commit.
TEST_F(ImportFaultTest, AFailedCheckpointAfterTheCommitKeepsTheWholeBatch) {
  const OpCounts counts = CleanImportCounts(kLargeBatch);
  ASSERT_GE(counts.syncs, 1) << "the large batch did not reach the automatic checkpoint";
  ExpectTheWholeBatchWhen(kLargeBatch, Op::kSync, 1, SQLITE_IOERR);
  ExpectTheWholeBatchWhen(kLargeBatch, Op::kSync, counts.syncs, SQLITE_FULL);
  ExpectTheWholeBatchWhen(kLargeBatch, Op::kWrite, counts.writes, SQLITE_IOERR);
}

// Replacing an import deletes the old batch and writes the new one in one
// transaction: a disk that fails while the new one is written leaves the
// old one stored, whole.
TEST_F(ImportFaultTest, AFailedWriteWhileReplacingKeepsTheOldImport) {
  const fs::path dir = scratch_ / "replace";
  StoreWithOneBatch setup(dir, 10);
  std::ofstream(dir / "forrige_rettet.csv") << Export(9001, 2021, 3000);
  const std::string before = Contents(setup.store());
  const auto batches = setup.store().Batches();
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 1u);
  ImportRequest replace;
  replace.replace_batch = batches->at(0).id;

  g_plan = {};
  g_plan.counting = true;
  g_plan.op = Op::kWrite;
  g_plan.fail_at = 2;
  auto failed = setup.Import("forrige_rettet.csv", replace);
  g_plan.counting = false;
  ASSERT_TRUE(g_plan.fired) << "the replacement made fewer than 2 writes";
  ASSERT_FALSE(failed.ok()) << "the replacement succeeded although the disk failed";
  EXPECT_NE(failed.error().message.find("forrige_rettet.csv: ingenting fra filen er lagret"),
            std::string::npos)
      << failed.error().message;
  EXPECT_EQ(Contents(setup.store()), before);
  setup.Open();
  EXPECT_EQ(Contents(setup.store()), before);

  // With a sound disk the swap is made.
  auto replaced = setup.Import("forrige_rettet.csv", replace);
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  ASSERT_TRUE(replaced->replaced.has_value());
  const auto after = setup.store().Batches();
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->at(0).file_name, "forrige_rettet.csv");
  EXPECT_EQ(after->at(0).rows_imported, 3000u);
}

}  // namespace
}  // namespace samkart::import
