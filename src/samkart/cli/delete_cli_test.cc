// samkart delete and samkart user delete as an operator runs them: a
// preview first, then the deletion with --bekreft, an audit entry, and a
// clear refusal when there is nothing to delete.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "support/run_samkart.h"
#include "support/scratch_dir.h"
#include "support/sqlite_query.h"

namespace samkart {
namespace {

namespace fs = std::filesystem;
using testing_support::CommandRun;
using testing_support::RunShell;
using testing_support::Samkart;

int64_t Query(const fs::path& db_path, const std::string& sql) {
  return testing_support::QueryInteger(db_path, sql);
}

std::string Rows(int municipality, int year, int count) {
  std::string rows;
  for (int i = 0; i < count; ++i) {
    rows += std::to_string(municipality) + "," + std::to_string(year) +
            ",Barnehage,Assistent,I ganske stor grad,Ganske mye\n";
  }
  return rows;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DeleteCli, ARoundAndAnImportAreDeletedOnlyWhenConfirmedAndAudited) {
  const testing_support::ScratchDir dir;
  const fs::path db = dir / "db.sqlite";
  const std::string at = "--db " + db.string() + " ";
  std::ofstream(dir / "kommuner.csv") << "municipality,name_nb,region,size_group,population\n"
                                         "9001,Vikheim (syntetisk),nord,1,2817\n"
                                         "9002,Sørby (syntetisk),sor,1,3100\n";
  const std::string header = "kommunenummer,aar,tjenestested,stilling,risiko_bullied,minoritet\n";
  std::ofstream(dir / "begge.csv") << header << Rows(9001, 2021, 6) << Rows(9002, 2021, 7);
  std::ofstream(dir / "senere.csv") << header << Rows(9001, 2023, 8);
  for (const char* file : {"kommuner.csv", "begge.csv", "senere.csv"}) {
    ASSERT_EQ(Samkart(at + "import " + (dir / file).string()).exit_code, 0) << file;
  }
  ASSERT_EQ(Query(db, "SELECT count(*) FROM respondents"), 21);

  const CommandRun preview = Samkart(at + "delete round 9001 2021");
  EXPECT_EQ(preview.exit_code, 0) << preview.output;
  EXPECT_TRUE(Contains(preview.output,
                       "Ville slette runden til kommune 9001 i 2021: 6 "
                       "respondenter. Ingenting er slettet"))
      << preview.output;
  EXPECT_EQ(Query(db, "SELECT count(*) FROM respondents"), 21);

  const CommandRun deleted = Samkart(at + "delete --bekreft round 9001 2021");
  EXPECT_EQ(deleted.exit_code, 0) << deleted.output;
  EXPECT_TRUE(Contains(deleted.output, "Slettet runden til kommune 9001 i 2021: 6 respondenter."))
      << deleted.output;
  EXPECT_EQ(Query(db, "SELECT count(*) FROM respondents WHERE municipality = 9001 AND year = 2021"),
            0);
  EXPECT_EQ(Query(db, "SELECT rows_imported FROM batches WHERE file_name = 'begge.csv'"), 7);
  EXPECT_EQ(Query(db,
                  "SELECT count(*) FROM audit_log WHERE action = 'delete' AND detail = "
                  "'runden til kommune 9001 i 2021: 6 respondenter'"),
            1);

  const int64_t later = Query(db, "SELECT id FROM batches WHERE file_name = 'senere.csv'");
  const CommandRun batch = Samkart(at + "delete --bekreft import " + std::to_string(later));
  EXPECT_EQ(batch.exit_code, 0) << batch.output;
  EXPECT_TRUE(Contains(batch.output, "8 respondenter, 1 import")) << batch.output;
  EXPECT_EQ(Query(db, "SELECT count(*) FROM respondents"), 7);

  // Nothing there: said plainly, non-zero, nothing changed.
  const CommandRun nothing = Samkart(at + "delete --bekreft round 9001 2019");
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_TRUE(
      Contains(nothing.output, "fant ingenting å slette for runden til kommune 9001 i 2019"))
      << nothing.output;
  EXPECT_EQ(Query(db, "SELECT count(*) FROM respondents"), 7);
}

TEST(DeleteCli, AUserIsDeletedWithTheirSessionsAndTheAuditLogKeepsTheName) {
  const testing_support::ScratchDir dir;
  const std::string at = "--db " + (dir / "db.sqlite").string() + " ";
  ASSERT_EQ(RunShell("echo 'et-langt-passord-for-kari' | " + std::string(SAMKART_BINARY) + " " +
                     at + "user add kari --role reader")
                .exit_code,
            0);
  const CommandRun deleted = Samkart(at + "user delete kari");
  EXPECT_EQ(deleted.exit_code, 0) << deleted.output;
  EXPECT_EQ(Query(dir / "db.sqlite", "SELECT count(*) FROM users"), 0);
  EXPECT_EQ(
      Query(dir / "db.sqlite",
            "SELECT count(*) FROM audit_log WHERE action = 'user_delete' AND detail = 'kari'"),
      1);
  const CommandRun again = Samkart(at + "user delete kari");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(Contains(again.output, "ingen bruker heter «kari»")) << again.output;
}

TEST(DeleteCli, UserNamesAndScopesFollowTheSameRulesAsTheAdministrationPages) {
  const testing_support::ScratchDir dir;
  const std::string at = "--db " + (dir / "db.sqlite").string() + " ";
  // A vertical tab is white space to the administration pages, so here too.
  const CommandRun tab =
      Samkart(at + "user add \"$(printf 'a\\vb')\" --role reader --generate-password");
  EXPECT_EQ(tab.exit_code, 2) << tab.output;
  EXPECT_TRUE(Contains(tab.output, "Brukernavnet må ha 1–64 tegn")) << tab.output;
  // A coordinator's municipality must be in the register.
  const CommandRun unknown =
      Samkart(at + "user add ola --role municipal --municipality 9999 --generate-password");
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_TRUE(Contains(unknown.output, "finnes ikke i kommuneregisteret")) << unknown.output;
  EXPECT_EQ(Query(dir / "db.sqlite", "SELECT count(*) FROM users"), 0);
}

}  // namespace
}  // namespace samkart
