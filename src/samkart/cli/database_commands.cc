// samkart migrate | copy: the database itself — bring its schema up to date,
// or move all of it between SQLite and PostgreSQL.
#include <chrono>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "samkart/cli/context.h"
#include "samkart/store/copy.h"

namespace samkart::cli {

namespace {

Result<std::unique_ptr<store::Store>> OpenOrSay(const std::string& location,
                                                const store::StoreOptions& options) {
  auto opened = store::OpenStore(location, options);
  if (!opened.ok()) std::cerr << "samkart: " << opened.error().message << "\n";
  return opened;
}

}  // namespace

void AddDatabaseCommands(CLI::App& app, Context& context) {
  auto* migrate = app.add_subcommand(
      "migrate",
      "Oppgrader databaseskjemaet til denne versjonen (PostgreSQL: kjør som eierrollen)");
  static std::string grant;
  migrate
      ->add_option("--grant", grant,
                   "PostgreSQL: gi denne rollen lese- og skriverett til tabellene, men ikke rett "
                   "til å endre skjemaet (rollen samkart serve kobler til som)")
      ->type_name("ROLLE");
  migrate->callback([&context] {
    store::StoreOptions options;
    options.migrate = false;
    options.open_outdated = true;
    options.app_role = grant;
    auto opened = OpenOrSay(context.db, options);
    if (!opened.ok()) {
      context.exit_code = 1;
      return;
    }
    store::Store& store = **opened;
    auto before = store.SchemaVersion();
    auto applied = before.ok() ? store.Migrate() : Result<std::vector<std::string>>(before.error());
    if (!applied.ok()) {
      std::cerr << "samkart: " << applied.error().message << "\n";
      context.exit_code = 1;
      return;
    }
    std::cout << store.Describe() << "\n";
    for (const std::string& line : *applied) std::cout << "  migrering " << line << "\n";
    if (applied->empty()) {
      // Another process may have migrated while this one waited for the lock.
      auto now = store.SchemaVersion();
      std::cout << fmt::format("Skjemaet er allerede på versjon {}; ingenting å gjøre.\n",
                               now.ok() ? *now : *before);
    } else {
      std::cout << fmt::format("Skjemaet er oppgradert fra versjon {} til {}.\n", *before,
                               store.LatestSchemaVersion());
    }
    if (!grant.empty()) {
      std::cout << fmt::format(
          "Rollen «{}» kan lese og skrive tabellene, men ikke endre skjemaet.\n", grant);
    }
  });

  auto* copy = app.add_subcommand(
      "copy",
      "Kopier hele databasen til en ny, tom database (SQLite ↔ PostgreSQL), kontrollert med "
      "antall rader og sjekksummer");
  static std::string from, to;
  copy->add_option("--from", from, "Kilden: en SQLite-fil eller postgresql://…")
      ->required()
      ->type_name("DB");
  copy->add_option("--to", to,
                   "Målet: en ny SQLite-fil eller en tom PostgreSQL-database (som eierrollen)")
      ->required()
      ->type_name("DB");
  copy->callback([&context] {
    const auto started = std::chrono::steady_clock::now();
    store::StoreOptions source_options;
    source_options.migrate = false;  // never change the source
    auto source = OpenOrSay(from, source_options);
    if (!source.ok()) {
      context.exit_code = 1;
      return;
    }
    auto target = OpenOrSay(to, {});
    if (!target.ok()) {
      context.exit_code = 1;
      return;
    }
    std::cout << fmt::format("Kopierer fra {}\n          til {}\n", (*source)->Describe(),
                             (*target)->Describe());
    auto copied =
        store::CopyStore(**source, **target, [](const std::string& table, std::size_t rows) {
          std::cerr << fmt::format("  {:<18} {:>9} rader\n", table, rows);
        });
    if (!copied.ok()) {
      std::cerr << "samkart: " << copied.error().message << "\n";
      context.exit_code = 1;
      return;
    }
    std::cout << fmt::format("{:<18} {:>9}  {}\n", "Tabell", "Rader", "SHA-256 (kilde = mål)");
    std::size_t rows = 0;
    for (const auto& d : copied->target) {
      std::cout << fmt::format("{:<18} {:>9}  {}\n", d.table, d.rows, d.sha256);
      rows += d.rows;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << fmt::format(
        "Ferdig på {:.1f} s: {} tabeller, {} rader; antall og sjekksum er like i kilde og mål.\n",
        seconds, copied->target.size(), rows);
  });
}

}  // namespace samkart::cli
