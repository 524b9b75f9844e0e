// What an operator sees when the machine, not the data, is the problem: a
// database in a read-only place, a full disk, several processes opening a
// new database at once. Each says what is wrong and where, exits non-zero,
// and leaves the data as it was.
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "support/run_samkart.h"
#include "support/scratch_dir.h"

namespace samkart {
namespace {

namespace fs = std::filesystem;
using testing_support::CommandRun;
using testing_support::RunShell;
using testing_support::Samkart;

constexpr const char* kRegister =
    "municipality,name_nb,region,size_group,population\n9001,Vikheim (syntetisk),nord,1,2817\n";

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Runs samkart as a user without special rights: as «nobody» when the tests
// run as root (root may write anywhere), else as the user running them.
CommandRun SamkartWithoutPrivileges(const std::string& args) {
  const std::string prefix =
      ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  return RunShell(prefix + SAMKART_BINARY + " " + args);
}

TEST(OperatorErrors, AReadOnlyFolderOrFileIsNamedAsSuchNotAsADamagedDatabase) {
  const testing_support::ScratchDir dir;
  const fs::path folder = dir / "skrivebeskyttet";
  fs::create_directories(folder);
  const fs::path db = folder / "db.sqlite";
  std::ofstream(dir / "kommuner.csv") << kRegister;
  ASSERT_EQ(Samkart("--db " + db.string() + " import " + (dir / "kommuner.csv").string()).exit_code,
            0);
  // Readable by all, writable by none: the folder and the file.
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::others_read |
                                  fs::perms::others_exec | fs::perms::group_read |
                                  fs::perms::group_exec);
  fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read |
                              fs::perms::others_exec | fs::perms::group_read |
                              fs::perms::group_exec);
  fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  for (const std::string& command :
       {std::string("rounds"), std::string("import ") + (dir / "kommuner.csv").string()}) {
    const CommandRun run = SamkartWithoutPrivileges("--db " + db.string() + " " + command);
    EXPECT_EQ(run.exit_code, 1) << command;
    EXPECT_TRUE(Contains(run.output, db.string())) << run.output;
    EXPECT_TRUE(Contains(run.output, "får ikke skrive til databasefilen eller mappen"))
        << run.output;
    EXPECT_FALSE(Contains(run.output, "skadet")) << run.output;
  }
  // A new database in a folder nobody may write to.
  const CommandRun fresh =
      SamkartWithoutPrivileges("--db " + (folder / "ny.sqlite").string() + " rounds");
  EXPECT_EQ(fresh.exit_code, 1);
  EXPECT_TRUE(Contains(fresh.output, "får ikke skrive")) << fresh.output;
  fs::permissions(folder, fs::perms::owner_all);
  fs::permissions(db, fs::perms::owner_read | fs::perms::owner_write);
}

TEST(OperatorErrors, ProcessesOpeningANewDatabaseAtOnceMigrateItOnce) {
  const testing_support::ScratchDir dir;
  const fs::path db = dir / "ny.sqlite";
  std::vector<std::future<CommandRun>> runs;
  for (int i = 0; i < 6; ++i) {
    runs.push_back(
        std::async(std::launch::async, [&] { return Samkart("--db " + db.string() + " rounds"); }));
  }
  for (auto& run : runs) {
    const CommandRun done = run.get();
    EXPECT_EQ(done.exit_code, 0) << done.output;
    EXPECT_FALSE(Contains(done.output, "already exists")) << done.output;
  }
  const CommandRun again = Samkart("--db " + db.string() + " migrate");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(Contains(again.output, "allerede på versjon")) << again.output;
}

// A small file system of its own, in a mount namespace, so the disk is
// really full; the import inside it must name the file and store nothing.
TEST(OperatorErrors, AFullDiskNamesTheFileAndStoresNothing) {
  const testing_support::ScratchDir dir;
  const fs::path db = dir / "db.sqlite";
  std::ofstream(dir / "kommuner.csv") << kRegister;
  ASSERT_EQ(Samkart("--db " + db.string() + " import " + (dir / "kommuner.csv").string()).exit_code,
            0);
  {
    std::ofstream big(dir / "stor.csv");
    big << "kommunenummer,aar,tjenestested,stilling,risiko_bullied,minoritet\n";
    for (int i = 0; i < 60000; ++i)
      big << "9001,2021,Barnehage,Assistent,I svært stor grad,Ganske mye\n";
  }
  const fs::path mount = dir / "liten";
  fs::create_directories(mount);
  const std::string small = mount.string();
  const std::string inside = fmt::format(
      "mount -t tmpfs -o size=1m tmpfs {0} && cp {1} {0}/db.sqlite && "
      "{2} --db {0}/db.sqlite import {3}; echo \"exit=$?\"; "
      "{2} --db {0}/db.sqlite rounds",
      small, db.string(), SAMKART_BINARY, (dir / "stor.csv").string());
  const CommandRun run = RunShell("unshare -rm sh -c '" + inside + "'");
  EXPECT_TRUE(Contains(run.output, "exit=1")) << run.output;
  EXPECT_TRUE(Contains(run.output, "stor.csv: ingenting fra filen er lagret")) << run.output;
  EXPECT_TRUE(Contains(run.output, "disken er full")) << run.output;
  // The database on the full disk still has only the register.
  EXPECT_TRUE(Contains(run.output, "ingen runder ennå")) << run.output;
}

}  // namespace
}  // namespace samkart
