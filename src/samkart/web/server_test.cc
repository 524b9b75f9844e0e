// What every response shares, and the health check a load balancer asks.
#include "samkart/web/server.h"

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include "samkart/core/sha256.h"
#include "samkart/web/app.h"

#include "support/scratch_dir.h"
#include "support/web_server.h"

namespace samkart::web {
namespace {

using testing_support::TestServer;
using testing_support::WebClient;

// The file's text once it holds `part` (the log is written just after the
// answer is sent), or as it is after two seconds.
std::string WhenItHolds(const std::filesystem::path& file, const std::string& part) {
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text = testing_support::ReadWholeFile(file);
    if (text.find(part) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return text;
}

// A log file outside the test server's own scratch folder (which is named
// after the test and emptied when the server starts).
class LogFile {
 public:
  explicit LogFile(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              (name + "_" + std::to_string(::getpid()) + ".log")),
        stream_(path_) {}
  ~LogFile() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::ostream* stream() { return &stream_; }

 private:
  std::filesystem::path path_;
  std::ofstream stream_;
};

sqlite3* OpenDatabaseOf(TestServer& server) {
  sqlite3* db = nullptr;
  sqlite3_open((server.dir() / "samkart.sqlite").c_str(), &db);
  return db;
}

// A server whose database was migrated by another version (or is half-way
// through a migration) must leave the load balancer's rotation.
TEST(HealthCheck, AnswersOkOnlyWhenTheDatabaseHasTheSchemaThisServerNeeds) {
  TestServer server(false);
  WebClient client(server.port());
  auto healthy = client.Get("/helse");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);
  EXPECT_EQ(healthy->body, "ok\n");

  // Another process rolls the schema back by one version.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((server.dir() / "samkart.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DELETE FROM schema_migrations WHERE version = "
                         "(SELECT max(version) FROM schema_migrations)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto behind = client.Get("/helse");
  ASSERT_TRUE(behind);
  EXPECT_EQ(behind->status, 503);
  EXPECT_EQ(behind->body, "databasen er ikke klar\n");
  // Security headers on every answer, this one too.
  EXPECT_EQ(behind->get_header_value("X-Frame-Options"), "DENY");
}

// One access line per request, with the client, the request and the
// status; a survey link's token (whoever has it can answer) never.
TEST(ServerLogs, TheAccessLogHasEveryRequestButNoSurveyToken) {
  LogFile access("samkart_tilgang");
  ServeOptions options;
  options.access_log = access.stream();
  TestServer server(false, options);
  WebClient client(server.port());
  ASSERT_TRUE(client.Get("/helse"));
  ASSERT_TRUE(client.Get("/s/HemmeligLenkeSomIkkeFinnes1234567890abcdef/side/2"));
  const std::string log = WhenItHolds(access.path(), "/side/2");
  EXPECT_NE(log.find(" 127.0.0.1 GET /helse 200 "), std::string::npos) << log;
  EXPECT_NE(log.find(" 127.0.0.1 GET /s/…/side/2 404 "), std::string::npos) << log;
  EXPECT_EQ(log.find("HemmeligLenke"), std::string::npos) << log;
}

// The import assistant's kept uploads are named by a token too.
TEST(ServerLogs, TheAccessLogHasNoTokenOfAKeptUpload) {
  LogFile access("samkart_tilgang_forslag");
  ServeOptions options;
  options.access_log = access.stream();
  TestServer server(false, options);
  WebClient client(server.port());
  ASSERT_TRUE(
      client.Get("/admin/import/forslag/HemmeligOpplastingSomIkkeFinnes1234567890a/utkast.csv"));
  const std::string log = WhenItHolds(access.path(), "utkast.csv");
  EXPECT_NE(log.find(" GET /admin/import/forslag/…/utkast.csv "), std::string::npos) << log;
  EXPECT_EQ(log.find("HemmeligOpplasting"), std::string::npos) << log;
  EXPECT_EQ(ServerLog::LoggablePath("/admin/import/forslag/abc"), "/admin/import/forslag/…");
  EXPECT_EQ(ServerLog::LoggablePath("/admin/import/7"), "/admin/import/7");
}

// A database failure behind a page reaches the error log, at its level.
TEST(ServerLogs, ADatabaseFailureOnAPageIsLoggedWithItsLevel) {
  LogFile errors("samkart_feil");
  ServeOptions options;
  options.error_log = errors.stream();
  options.log_level = LogLevel::kWarning;
  TestServer server(false, options);
  sqlite3* db = OpenDatabaseOf(server);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE survey_services", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  WebClient client(server.port());
  auto page = client.Get("/s/EnLenkeSomIkkeFinnes1234567890abcdefghijk");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 503);
  const std::string log = WhenItHolds(errors.path(), "advarsel: databasen: ");
  EXPECT_NE(log.find("advarsel: databasen: "), std::string::npos) << log;
  EXPECT_NE(log.find("survey_services"), std::string::npos) << log;
}

// While the database does not answer, a logged-in user gets «try again» —
// not the login page, as if their session were gone — and the survey link
// the same; both work again when the database does.
TEST(DatabaseOutage, PagesAnswer503AndALoggedInUserStaysLoggedIn) {
  TestServer server(false);
  const std::string password = server.AddUser("anne", "admin");
  WebClient client(server.port());
  ASSERT_TRUE(client.LogIn("anne", password));
  auto rename = [&](const char* sql) {
    sqlite3* db = OpenDatabaseOf(server);
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  };
  rename("ALTER TABLE sessions RENAME TO sessions_borte");
  rename("ALTER TABLE survey_rounds RENAME TO survey_rounds_borte");
  // Not the few seconds a session is remembered without asking the store.
  server.app().ForgetSession(Sha256Hex(client.cookies().at("samkart_okt")));
  for (const std::string path : {"/utforsk", "/admin/brukere"}) {
    auto page = client.Get(path);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 503) << path;
    EXPECT_EQ(page->get_header_value("Retry-After"), "30");
    EXPECT_NE(page->body.find("Databasen svarer ikke akkurat nå"), std::string::npos) << page->body;
  }
  auto api = client.Get("/api/meg");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 503);
  auto survey = client.Get("/s/EnLenkeSomIkkeFinnes1234567890abcdefghijk");
  ASSERT_TRUE(survey);
  EXPECT_EQ(survey->status, 503);

  rename("ALTER TABLE sessions_borte RENAME TO sessions");
  rename("ALTER TABLE survey_rounds_borte RENAME TO survey_rounds");
  auto back = client.Get("/utforsk");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, 200);
}

}  // namespace
}  // namespace samkart::web
