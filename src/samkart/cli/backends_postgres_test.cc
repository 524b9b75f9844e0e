// The same imports and the same table set on a SQLite file and on
// PostgreSQL, through the samkart binary as a user runs it; every number
// must be the same. PostgreSQL is used as the application role after the
// owner migrated, as in a real installation.
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "samkart/instrument/loader.h"
#include "samkart/store/migrations.h"

#include "support/postgres_database.h"
#include "support/run_samkart.h"
#include "support/scratch_dir.h"
#include "support/xlsx_workbook.h"

namespace samkart {
namespace {

using testing_support::CommandRun;
using testing_support::PostgresDatabase;
using testing_support::Samkart;
using testing_support::ScratchDir;

std::string Quote(const std::string& text) { return "'" + text + "'"; }

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The import's output without what may differ: the time taken, where, and
// when a file was imported (ISO 8601 stamps, «2026-11-23T18:41:21Z»).
std::string WithoutTimingAndDatabase(const std::string& output) {
  std::istringstream in(output);
  std::string kept;
  for (std::string line; std::getline(in, line);) {
    if (const auto at = line.find("Ferdig på "); at != std::string::npos) {
      line = line.substr(line.find(':', at));  // «: 91 filer importert (…), 0 … feilet.»
      line = line.substr(0, line.find(" Database:"));
    }
    for (auto t = line.find('T'); t != std::string::npos; t = line.find('T', t + 1)) {
      if (t >= 10 && t + 10 <= line.size() && line[t - 3] == '-' && line[t + 3] == ':' &&
          line[t + 9] == 'Z') {
        line.replace(t - 10, 20, "<tid>");
        t -= 10;
      }
    }
    kept += line + "\n";
  }
  return kept;
}

// "" when equal, else the first line that differs on each side.
std::string FirstDifference(const std::string& a, const std::string& b) {
  if (a == b) return "";
  std::istringstream in_a(a), in_b(b);
  std::string line_a, line_b;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(in_a, line_a));
    const bool more_b = static_cast<bool>(std::getline(in_b, line_b));
    if (!more_a && !more_b) return "ulike, men ikke linje for linje";
    if (line_a != line_b || more_a != more_b) {
      return fmt::format("linje {}:\n  SQLite:     {}\n  PostgreSQL: {}", line, line_a, line_b);
    }
  }
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

class BothBackends : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new ScratchDir();
    const auto synth = Samkart("synth --out " + (scratch_->path() / "syntetisk").string());
    ASSERT_EQ(synth.exit_code, 0) << synth.output;
  }
  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(postgres_.ok()) << postgres_.why();
    const auto migrated =
        Samkart("--db " + Quote(postgres_.owner_url()) + " migrate --grant samkart_app");
    ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
  }

  // Runs the same arguments on both stores.
  std::pair<CommandRun, CommandRun> OnBoth(const std::string& args) {
    return {Samkart("--db " + Quote(sqlite_) + " " + args),
            Samkart("--db " + Quote(postgres_.app_url()) + " " + args)};
  }

  // Output with the store's own name («SQLite-fil …», «PostgreSQL-databasen
  // …») replaced: the one thing that should differ.
  std::string WithoutStoreName(std::string text) const {
    const std::string names[] = {
        "SQLite-fil " + sqlite_,
        fmt::format("PostgreSQL-databasen postgresql://samkart_app@{}:{}/{}",
                    postgres_.server().host, postgres_.server().port, postgres_.name()),
        fmt::format("PostgreSQL-databasen postgresql://samkart_owner@{}:{}/{}",
                    postgres_.server().host, postgres_.server().port, postgres_.name())};
    for (const std::string& name : names) {
      for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at)) {
        text.replace(at, name.size(), "<database>");
      }
    }
    return text;
  }

  static inline ScratchDir* scratch_ = nullptr;
  PostgresDatabase postgres_;
  std::string sqlite_ = (scratch_->path() / "samkart.sqlite").string();
};

TEST_F(BothBackends, TheSameImportsGiveTheSameDatabaseAndEveryTableTheSameNumbers) {
  const std::string exports = (scratch_->path() / "syntetisk").string();
  auto started = std::chrono::steady_clock::now();
  const auto sqlite_import = Samkart("--db " + Quote(sqlite_) + " import " + exports);
  const double sqlite_import_s = Seconds(started);
  started = std::chrono::steady_clock::now();
  const auto postgres_import = Samkart("--db " + Quote(postgres_.app_url()) + " import " + exports);
  const double postgres_import_s = Seconds(started);
  ASSERT_EQ(sqlite_import.exit_code, 0) << sqlite_import.output;
  ASSERT_EQ(postgres_import.exit_code, 0) << postgres_import.output;
  ASSERT_NE(sqlite_import.output.find(", 0 feilet"), std::string::npos) << sqlite_import.output;
  EXPECT_EQ(FirstDifference(WithoutTimingAndDatabase(sqlite_import.output),
                            WithoutTimingAndDatabase(postgres_import.output)),
            "");
  EXPECT_EQ(postgres_import.output.find(postgres_.server().app_password), std::string::npos);

  // Importing again is refused file by file on both, and changes nothing.
  const auto [sqlite_again, postgres_again] = OnBoth("import " + exports);
  EXPECT_EQ(FirstDifference(WithoutTimingAndDatabase(sqlite_again.output),
                            WithoutTimingAndDatabase(postgres_again.output)),
            "");
  EXPECT_NE(postgres_again.output.find("0 filer importert"), std::string::npos)
      << postgres_again.output;

  // The rounds, an import report and the harmonised microdata, byte for byte.
  for (const std::string args : {"rounds", "rounds --report 1", "rounds --report 91"}) {
    const auto [a, b] = OnBoth(args);
    ASSERT_EQ(a.exit_code, 0) << a.output;
    EXPECT_EQ(FirstDifference(WithoutStoreName(a.output), WithoutStoreName(b.output)), "") << args;
  }
  const auto csv_a = scratch_->path() / "a.csv", csv_b = scratch_->path() / "b.csv";
  ASSERT_EQ(
      Samkart("--db " + Quote(sqlite_) + " export --format csv --out " + csv_a.string()).exit_code,
      0);
  ASSERT_EQ(
      Samkart("--db " + Quote(postgres_.app_url()) + " export --format csv --out " + csv_b.string())
          .exit_code,
      0);
  const std::string microdata = ReadFile(csv_a);
  EXPECT_GT(microdata.size(), 1000000u);
  EXPECT_EQ(FirstDifference(microdata, ReadFile(csv_b)), "");

  // The table set: every family by service and by size group (shares), its
  // distribution by region, and one municipality against the nation.
  const auto instrument = instrument::LoadEmbeddedInstrument();
  ASSERT_TRUE(instrument.ok());
  std::vector<std::string> table_set = {
      "table cooperation_with_services --matrix --where round_type=baseline --format csv"};
  for (const auto& family : instrument.instrument->families) {
    table_set.push_back("table " + family.id +
                        " --by service --where round_type=baseline --format csv");
    table_set.push_back("table " + family.id + " --by size_group --format csv");
    table_set.push_back("table " + family.id + " --distribution --by region --format csv");
    table_set.push_back("table " + family.id +
                        " --where municipality=9004 --compare nation --format csv");
  }
  double sqlite_tables_s = 0, postgres_tables_s = 0;
  std::size_t numbers = 0;
  for (const std::string& args : table_set) {
    started = std::chrono::steady_clock::now();
    const auto a = Samkart("--db " + Quote(sqlite_) + " " + args);
    sqlite_tables_s += Seconds(started);
    started = std::chrono::steady_clock::now();
    const auto b = Samkart("--db " + Quote(postgres_.app_url()) + " " + args);
    postgres_tables_s += Seconds(started);
    ASSERT_EQ(a.exit_code, 0) << args << "\n" << a.output;
    EXPECT_EQ(FirstDifference(a.output, b.output), "") << args;
    for (char c : a.output) numbers += c == ';' || c == ',' ? 1 : 0;
  }
  EXPECT_GT(numbers, 5000u) << "the table set should hold thousands of cells";

  // The national report's workbook: every cell of every sheet.
  const auto dir_a = scratch_->path() / "rapport_a", dir_b = scratch_->path() / "rapport_b";
  started = std::chrono::steady_clock::now();
  ASSERT_EQ(
      Samkart("--db " + Quote(sqlite_) + " report national --format xlsx --out " + dir_a.string())
          .exit_code,
      0);
  sqlite_tables_s += Seconds(started);
  started = std::chrono::steady_clock::now();
  ASSERT_EQ(Samkart("--db " + Quote(postgres_.app_url()) + " report national --format xlsx --out " +
                    dir_b.string())
                .exit_code,
            0);
  postgres_tables_s += Seconds(started);
  const auto book_a = testing_support::ReadWorkbook(dir_a / "nasjonal_rapport.xlsx");
  const auto book_b = testing_support::ReadWorkbook(dir_b / "nasjonal_rapport.xlsx");
  ASSERT_TRUE(book_a.error.empty()) << book_a.error;
  ASSERT_EQ(book_a.Names(), book_b.Names());
  std::size_t cells = 0;
  for (const auto& sheet : book_a.sheets) {
    const auto* other = book_b.Find(sheet.name);
    ASSERT_NE(other, nullptr);
    ASSERT_EQ(sheet.cells.size(), other->cells.size()) << sheet.name;
    for (const auto& [at, cell] : sheet.cells) {
      const auto* twin = other->At(at.first, at.second);
      ASSERT_NE(twin, nullptr) << sheet.name;
      EXPECT_EQ(WithoutStoreName(cell.value), WithoutStoreName(twin->value))
          << sheet.name << " rad " << at.first + 1;
      EXPECT_EQ(cell.format, twin->format) << sheet.name << " rad " << at.first + 1;
      ++cells;
    }
  }
  EXPECT_GT(cells, 1000u);

  std::cout << fmt::format(
      "Import: SQLite {:.1f} s, PostgreSQL {:.1f} s. Tabellsettet ({} tabeller + nasjonal "
      "rapport i XLSX, {} celler): SQLite {:.1f} s, PostgreSQL {:.1f} s.\n",
      sqlite_import_s, postgres_import_s, table_set.size(), cells, sqlite_tables_s,
      postgres_tables_s);
}

TEST_F(BothBackends, CopyMovesAnImportedDatabaseToPostgresAndBackVerified) {
  const std::string exports = (scratch_->path() / "syntetisk").string();
  ASSERT_EQ(Samkart("--db " + Quote(sqlite_) + " import " + exports).exit_code, 0);
  ASSERT_EQ(Samkart("--db " + Quote(sqlite_) + " user add åse --role admin --generate-password")
                .exit_code,
            0);

  // Into a second, empty PostgreSQL database as its owner.
  PostgresDatabase target;
  ASSERT_TRUE(target.ok()) << target.why();
  const auto there =
      Samkart("copy --from " + Quote(sqlite_) + " --to " + Quote(target.owner_url()));
  ASSERT_EQ(there.exit_code, 0) << there.output;
  EXPECT_NE(there.output.find("antall og sjekksum er like"), std::string::npos) << there.output;
  EXPECT_NE(there.output.find("respondents"), std::string::npos);
  EXPECT_EQ(there.output.find(target.server().owner_password), std::string::npos);

  const auto back_path = (scratch_->path() / "tilbake.sqlite").string();
  const auto back =
      Samkart("copy --from " + Quote(target.owner_url()) + " --to " + Quote(back_path));
  ASSERT_EQ(back.exit_code, 0) << back.output;
  // The per-table checksums printed are the same both ways.
  auto checksums = [](const std::string& output) {
    return output.substr(output.find("Tabell"), output.find("Ferdig på") - output.find("Tabell"));
  };
  EXPECT_EQ(checksums(there.output), checksums(back.output));

  // The copy answers like the original.
  const auto original = Samkart("--db " + Quote(sqlite_) + " rounds");
  const auto copied = Samkart("--db " + Quote(target.owner_url()) + " rounds");
  const std::string target_name =
      fmt::format("PostgreSQL-databasen postgresql://samkart_owner@{}:{}/{}", target.server().host,
                  target.server().port, target.name());
  std::string copied_output = copied.output;
  copied_output.replace(copied_output.find(target_name), target_name.size(),
                        "SQLite-fil " + sqlite_);
  EXPECT_EQ(FirstDifference(original.output, copied_output), "");

  // A second copy into the same, now filled, database is refused; the
  // source is never touched.
  const auto again =
      Samkart("copy --from " + Quote(sqlite_) + " --to " + Quote(target.owner_url()));
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("ikke tom"), std::string::npos) << again.output;
  const auto unreachable = Samkart("copy --from " + Quote(sqlite_) +
                                   " --to postgresql://samkart_owner:feil@127.0.0.1:1/finnes_ikke");
  EXPECT_NE(unreachable.exit_code, 0);
  EXPECT_NE(unreachable.output.find("kan ikke koble til PostgreSQL"), std::string::npos)
      << unreachable.output;
  EXPECT_EQ(unreachable.output.find("feil@"), std::string::npos) << "password shown";
}

TEST_F(BothBackends, MigrateReportsWhatItDidAndIsSafeToRepeat) {
  const int latest = store::SqliteMigrations().back().version;
  ASSERT_EQ(latest, store::PostgresMigrations().back().version);
  const auto again = Samkart("--db " + Quote(postgres_.owner_url()) + " migrate");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find(fmt::format("allerede på versjon {}", latest)), std::string::npos)
      << again.output;

  const std::string fresh_file = (scratch_->path() / "ny.sqlite").string();
  const auto sqlite = Samkart("--db " + Quote(fresh_file) + " migrate");
  ASSERT_EQ(sqlite.exit_code, 0) << sqlite.output;
  EXPECT_NE(sqlite.output.find(fmt::format("fra versjon 0 til {}", latest)), std::string::npos)
      << sqlite.output;
  const auto grant = Samkart("--db " + Quote(fresh_file) + " migrate --grant samkart_app");
  EXPECT_NE(grant.exit_code, 0);
  EXPECT_NE(grant.output.find("bare PostgreSQL"), std::string::npos) << grant.output;

  // The application role cannot migrate a new database; it is told who can.
  PostgresDatabase fresh;
  ASSERT_TRUE(fresh.ok()) << fresh.why();
  const auto as_app = Samkart("--db " + Quote(fresh.app_url()) + " migrate");
  EXPECT_NE(as_app.exit_code, 0);
  EXPECT_NE(as_app.output.find("eierrollen"), std::string::npos) << as_app.output;
}

}  // namespace
}  // namespace samkart
