#pragma once
// A fresh PostgreSQL database per test on the throwaway server the CTest
// fixture `postgres` starts (scripts/postgres_server.sh writes its address
// and passwords to SAMKART_POSTGRES_ENV). The database belongs to the owner
// role samkart_owner; samkart_app is the application's least-privileged
// role. Without the server the test fails and says why; it never skips.

#include <atomic>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <unistd.h>

namespace samkart::testing_support {

struct PostgresServer {
  std::string superuser_url;
  std::string host;
  std::string port;
  std::string owner_password;
  std::string app_password;
  std::string bindir;  // psql, pg_dump, pg_restore
};

// Reads the fixture's env file; on failure says why in `why`.
inline std::optional<PostgresServer> FindPostgresServer(std::string& why) {
  const char* overridden = std::getenv("SAMKART_POSTGRES_ENV");
  const std::string path = overridden ? overridden : SAMKART_POSTGRES_ENV;
  std::ifstream in(path);
  if (!in) {
    why = "fant ikke " + path +
          ": PostgreSQL-testtjeneren kjører ikke. Kjør testene med ctest (fixturen "
          "postgres_server_start starter den) eller scripts/postgres_server.sh start";
    return std::nullopt;
  }
  std::map<std::string, std::string> values;
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  PostgresServer server{values["SAMKART_PG_SUPERUSER_URL"], values["SAMKART_PG_HOST"],
                        values["SAMKART_PG_PORT"],          values["SAMKART_PG_OWNER_PASSWORD"],
                        values["SAMKART_PG_APP_PASSWORD"],  values["SAMKART_PG_BINDIR"]};
  if (server.superuser_url.empty() || server.port.empty()) {
    why = path + " mangler tilkoblingsopplysninger";
    return std::nullopt;
  }
  return server;
}

class PostgresDatabase {
 public:
  PostgresDatabase() {
    auto server = FindPostgresServer(why_);
    if (!server) return;
    server_ = *server;
    static std::atomic<int> counter{0};
    name_ = "samkart_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    try {
      pqxx::connection admin(server_.superuser_url);
      pqxx::nontransaction tx(admin);
      tx.exec0("DROP DATABASE IF EXISTS " + name_);
      tx.exec0("CREATE DATABASE " + name_ + " OWNER samkart_owner");
      ok_ = true;
    } catch (const std::exception& e) {
      why_ = std::string("kan ikke opprette testdatabasen: ") + e.what();
    }
  }
  ~PostgresDatabase() {
    if (!ok_) return;
    try {
      pqxx::connection admin(server_.superuser_url);
      pqxx::nontransaction tx(admin);
      tx.exec0("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The whole server is thrown away at the end anyway.
    }
  }
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }
  const std::string& name() const { return name_; }
  const PostgresServer& server() const { return server_; }

  std::string Url(const std::string& role, const std::string& password) const {
    return "postgresql://" + role + ":" + password + "@" + server_.host + ":" + server_.port + "/" +
           name_;
  }
  // Owns the tables: migrations, copy.
  std::string owner_url() const { return Url("samkart_owner", server_.owner_password); }
  // Reads and writes rows only: what serve and the CLI use day to day.
  std::string app_url() const { return Url("samkart_app", server_.app_password); }

 private:
  PostgresServer server_;
  std::string name_;
  std::string why_;
  bool ok_ = false;
};

}  // namespace samkart::testing_support
