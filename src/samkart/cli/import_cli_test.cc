// samkart import, rounds and export as a user runs them: the synthetic
// national dataset in one command, and a import killed half-way.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "samkart/io/csv_reader.h"
#include "samkart/io/source_reader.h"

#include "support/run_samkart.h"
#include "support/scratch_dir.h"
#include "support/sqlite_query.h"

namespace samkart {
namespace {

namespace fs = std::filesystem;
using testing_support::CommandRun;
using testing_support::Samkart;

int64_t Query(const fs::path& db_path, const std::string& sql) {
  return testing_support::QueryInteger(db_path, sql);
}

TEST(ImportCli, TheSyntheticDatasetImportsInOneCommand) {
  const testing_support::ScratchDir dir;
  const fs::path data = dir / "syntetisk";
  const fs::path db = dir / "samkart.sqlite";
  ASSERT_EQ(Samkart("synth --scale 0.2 --out " + data.string()).exit_code, 0);

  const CommandRun run = Samkart("--db " + db.string() + " import " + data.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("0 feilet"), std::string::npos) << run.output;
  // Rounds are named as people say them, not by their stored codes.
  EXPECT_NE(run.output.find("Oppfølgingsundersøkelse"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("follow_up"), std::string::npos) << run.output;

  // Every file of the manifest is a batch, and every respondent is stored.
  std::ifstream manifest_file(data / "manifest.csv");
  std::stringstream manifest_text;
  manifest_text << manifest_file.rdbuf();
  auto manifest = io::ParseCsv(manifest_text.str());
  ASSERT_TRUE(manifest.ok());
  int64_t respondents = 0;
  for (const auto& row : manifest->rows) respondents += std::stoll(row.fields.back());
  EXPECT_EQ(Query(db, "SELECT count(*) FROM batches"), static_cast<int64_t>(manifest->rows.size()));
  EXPECT_EQ(Query(db, "SELECT count(*) FROM respondents"), respondents);
  EXPECT_EQ(Query(db, "SELECT count(*) FROM batches WHERE generation IS NULL"), 0);
  // The generation detected from the columns is the one the generator used.
  for (const auto& row : manifest->rows) {
    const std::string file = fs::path(row.fields[0]).filename().string();
    EXPECT_EQ(Query(db, "SELECT count(*) FROM batches WHERE file_name = '" + file +
                            "' AND generation = '" + row.fields[5] + "'"),
              1)
        << file;
  }
  // k-anonymity: no municipality × year × service × position class below 5.
  EXPECT_EQ(Query(db,
                  "SELECT count(*) FROM (SELECT count(*) AS n FROM respondents GROUP BY "
                  "municipality, year, service, position HAVING n < 5)"),
            0);

  // Importing again changes nothing and says so.
  const CommandRun again = Samkart("--db " + db.string() + " import " + data.string());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("allerede importert"), std::string::npos);
  EXPECT_EQ(Query(db, "SELECT count(*) FROM respondents"), respondents);

  const CommandRun rounds = Samkart("--db " + db.string() + " rounds");
  ASSERT_EQ(rounds.exit_code, 0) << rounds.output;
  EXPECT_NE(rounds.output.find("(syntetisk)"), std::string::npos);
  EXPECT_NE(rounds.output.find("0-punktsmåling"), std::string::npos) << rounds.output;
  EXPECT_EQ(rounds.output.find("baseline"), std::string::npos) << rounds.output;
  const CommandRun report = Samkart("--db " + db.string() + " rounds --report 1");
  ASSERT_EQ(report.exit_code, 0);
  EXPECT_NE(report.output.find("Generasjon: G1"), std::string::npos) << report.output;

  // The harmonised export reads back with one row per respondent.
  const fs::path sav = dir / "nasjonalt.sav";
  const CommandRun exported =
      Samkart("--db " + db.string() + " export --format sav --out " + sav.string());
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  auto reader = io::OpenSourceFile(sav.string());
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  int64_t rows = 0;
  io::SourceRow row;
  while ((*reader)->Next(row)) ++rows;
  EXPECT_EQ(rows, respondents);
  bool service_labelled = false;
  for (const auto& column : (*reader)->columns()) {
    if (column.name != "tjeneste") continue;
    for (const auto& [code, label] : column.value_labels) {
      service_labelled = service_labelled || label == "Barnehage";
    }
  }
  EXPECT_TRUE(service_labelled);
}

// Output that scripts and tests compare must not depend on the machine's
// speed: without a terminal, progress lines come only with --progress.
TEST(ImportCli, ProgressReachesALogOnlyWhenAskedFor) {
  const testing_support::ScratchDir dir;
  const fs::path data = dir / "syntetisk";
  ASSERT_EQ(Samkart("synth --scale 0.2 --out " + data.string()).exit_code, 0);
  const CommandRun quiet =
      Samkart("--db " + (dir / "a.sqlite").string() + " import " + data.string());
  ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_EQ(quiet.output.find("Anonymiserer"), std::string::npos) << quiet.output;
  const CommandRun shown =
      Samkart("--progress --db " + (dir / "b.sqlite").string() + " import " + data.string());
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("Anonymiserer …"), std::string::npos) << shown.output;
}

TEST(ImportCli, BadInputExitsNonZeroAndStoresNothing) {
  const testing_support::ScratchDir dir;
  const fs::path db = dir / "db.sqlite";
  std::ofstream(dir / "tom.csv") << "";
  const CommandRun run = Samkart("--db " + db.string() + " import " + (dir / "tom.csv").string());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("tom.csv: filen er tom"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("Ingenting fra denne filen er lagret"), std::string::npos);
  EXPECT_EQ(Query(db, "SELECT count(*) FROM batches"), 0);
  const CommandRun missing = Samkart("--db " + db.string() + " import " + (dir / "x.csv").string());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("finnes ikke"), std::string::npos);
}

// A process killed (SIGKILL) in the middle of an import leaves a consistent
// database without a partial batch. The kill lands at several moments: while
// reading, and while the transaction is being written (the WAL file grows).
// A second file for a round that has answers: refused until the user says
// --append (more answers) or --replace N (a new version of import N).
TEST(ImportCli, AnotherFileForTheSameRoundNeedsAppendOrReplace) {
  const testing_support::ScratchDir dir;
  const fs::path db = dir / "samkart.sqlite";
  std::ofstream(dir / "kommuner.csv") << "municipality,name_nb,region,size_group,population\n"
                                         "9001,Vikheim (syntetisk),nord,1,2817\n";
  auto rows = [](int count, const std::string& answer) {
    std::string text = "kommunenummer,aar,tjenestested,stilling,risiko_bullied,minoritet\n";
    for (int i = 0; i < count; ++i) {
      text += "9001,2021,Barnehage,Assistent," + answer + ",Ganske mye\n";
    }
    return text;
  };
  std::ofstream(dir / "barnehage.csv") << rows(6, "I ganske stor grad");
  std::ofstream(dir / "skole.csv") << rows(7, "I svært stor grad");
  std::ofstream(dir / "barnehage_rettet.csv") << rows(8, "Hverken/eller");
  const std::string base = "--db " + db.string() + " import ";
  const auto respondents = [&] { return Query(db, "SELECT count(*) FROM respondents"); };
  ASSERT_EQ(Samkart(base + (dir / "kommuner.csv").string()).exit_code, 0);
  const CommandRun first = Samkart(base + (dir / "barnehage.csv").string());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const int64_t first_id = Query(db, "SELECT max(id) FROM batches");

  const CommandRun refused = Samkart(base + (dir / "skole.csv").string());
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("har allerede svar fra import " + std::to_string(first_id) +
                                " fra barnehage.csv"),
            std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("--replace " + std::to_string(first_id)), std::string::npos);
  EXPECT_NE(refused.output.find("--append"), std::string::npos);
  EXPECT_EQ(respondents(), 6);

  const CommandRun appended = Samkart(base + (dir / "skole.csv").string() + " --append");
  ASSERT_EQ(appended.exit_code, 0) << appended.output;
  EXPECT_EQ(respondents(), 13);

  // The same answers saved again under another name are refused by content.
  std::string crlf = rows(7, "I svært stor grad");
  for (std::size_t at = crlf.find('\n'); at != std::string::npos; at = crlf.find('\n', at + 2)) {
    crlf.insert(at, "\r");
  }
  std::ofstream(dir / "skole_kopi.csv") << crlf;
  const CommandRun copy = Samkart(base + (dir / "skole_kopi.csv").string() + " --append");
  EXPECT_EQ(copy.exit_code, 1) << copy.output;
  EXPECT_NE(copy.output.find("de samme svarene er allerede lagret"), std::string::npos)
      << copy.output;
  EXPECT_EQ(respondents(), 13);

  const CommandRun unknown =
      Samkart(base + (dir / "barnehage_rettet.csv").string() + " --replace 99");
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_NE(unknown.output.find("import 99, som skulle erstattes, finnes ikke"), std::string::npos)
      << unknown.output;
  const CommandRun both = Samkart(base + (dir / "barnehage_rettet.csv").string() +
                                  " --append --replace " + std::to_string(first_id));
  EXPECT_NE(both.exit_code, 0) << both.output;
  const CommandRun two_files =
      Samkart(base + (dir / "barnehage_rettet.csv").string() + " " + (dir / "skole.csv").string() +
              " --replace " + std::to_string(first_id));
  EXPECT_EQ(two_files.exit_code, 2) << two_files.output;
  EXPECT_EQ(respondents(), 13);

  const CommandRun replaced = Samkart(base + (dir / "barnehage_rettet.csv").string() +
                                      " --replace " + std::to_string(first_id));
  ASSERT_EQ(replaced.exit_code, 0) << replaced.output;
  EXPECT_NE(replaced.output.find("Erstattet import " + std::to_string(first_id)), std::string::npos)
      << replaced.output;
  EXPECT_EQ(respondents(), 7 + 8);
  EXPECT_EQ(Query(db, "SELECT count(*) FROM batches WHERE id = " + std::to_string(first_id)), 0);
  EXPECT_EQ(Query(db, "SELECT count(*) FROM batches WHERE content_fingerprint IS NOT NULL"), 2);
}

TEST(ImportCli, AnImportKilledHalfWayLeavesNoPartialBatch) {
  const testing_support::ScratchDir dir;
  const fs::path db = dir / "db.sqlite";
  std::ofstream(dir / "kommuner.csv") << "municipality,name_nb,region,size_group,population\n"
                                         "9001,Vikheim (syntetisk),nord,1,2817\n";
  {
    std::ofstream big(dir / "stor.csv");
    big << "kommunenummer,aar,tjenestested,stilling,risiko_bullied,minoritet\n";
    const char* labels[] = {"I svært liten grad", "I ganske liten grad", "Hverken/eller",
                            "I ganske stor grad", "I svært stor grad"};
    for (int i = 0; i < 200000; ++i) {
      big << "9001,2021,Barnehage,Assistent," << labels[i % 5] << ",Ganske mye\n";
    }
  }
  ASSERT_EQ(Samkart("--db " + db.string() + " import " + (dir / "kommuner.csv").string()).exit_code,
            0);

  auto import_in_child = [&]() -> pid_t {
    const pid_t pid = fork();
    if (pid == 0) {
      const int null = ::open("/dev/null", O_WRONLY);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      execl(SAMKART_BINARY, SAMKART_BINARY, "--db", db.c_str(), "import",
            (dir / "stor.csv").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  };
  auto consistent = [&](const std::string& when) {
    EXPECT_EQ(Query(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"),
              1)
        << when;
    const int64_t batches = Query(db, "SELECT count(*) FROM batches");
    EXPECT_TRUE(batches == 0 || batches == 1) << when;
    EXPECT_EQ(Query(db, "SELECT count(*) FROM respondents"),
              Query(db, "SELECT coalesce(sum(rows_imported), 0) FROM batches"))
        << when;
    // Empty the WAL, so growth of it below means the next import is writing.
    sqlite3* handle = nullptr;
    sqlite3_open(db.c_str(), &handle);
    sqlite3_exec(handle, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    sqlite3_close(handle);
    return batches;
  };

  int killed_while_writing = 0;
  for (const int delay_ms : {50, 200, 400, -1, -1}) {
    const pid_t pid = import_in_child();
    const auto wal = fs::path(db.string() + "-wal");
    if (delay_ms >= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    } else {
      // Wait until the transaction is visibly being written.
      for (int i = 0; i < 2000; ++i) {
        std::error_code ec;
        if (fs::file_size(wal, ec) > (1u << 20) && !ec) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    const bool was_killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    if (was_killed && delay_ms < 0) ++killed_while_writing;
    if (consistent("etter kill ved " + std::to_string(delay_ms) + " ms") == 1) break;
  }
  EXPECT_GE(killed_while_writing, 1) << "the import finished before it could be killed";

  // The database is usable afterwards, and the file imports whole.
  const CommandRun finish =
      Samkart("--db " + db.string() + " import " + (dir / "stor.csv").string());
  ASSERT_EQ(finish.exit_code, 0) << finish.output;
  EXPECT_EQ(consistent("til slutt"), 1);
  EXPECT_EQ(Query(db, "SELECT count(*) FROM respondents"), 200000);
}

}  // namespace
}  // namespace samkart
