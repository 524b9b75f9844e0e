// What every response shares, and the health check a load balancer asks.
#include "samkart/web/server.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "support/web_server.h"

namespace samkart::web {
namespace {

using testing_support::TestServer;
using testing_support::WebClient;

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

}  // namespace
}  // namespace samkart::web
