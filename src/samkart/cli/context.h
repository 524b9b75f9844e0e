// State shared by the CLI subcommands: global options and the exit code.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "samkart/instrument/loader.h"
#include "samkart/store/store.h"

namespace CLI {
class App;
}

namespace samkart::cli {

struct Context {
  std::string instrument_dir;  // empty: the instrument embedded in the binary
  // --crosswalk: the user's own crosswalk files, added to the instrument
  std::vector<std::string> crosswalk_files;
  std::string db;  // --db: a SQLite file (created when missing) or postgresql://…
  int exit_code = 0;

  // Loads the chosen instrument; on problems prints them and returns nullopt.
  std::optional<instrument::Instrument> LoadInstrumentOrReport();
  // Opens the store --db names; on failure prints why and returns nullopt.
  std::optional<std::unique_ptr<store::Store>> OpenStoreOrReport();
};

void AddInstrumentCommands(CLI::App& app, Context& context);
void AddSynthCommand(CLI::App& app, Context& context);
void AddStoreCommands(CLI::App& app, Context& context);
void AddTableCommand(CLI::App& app, Context& context);
void AddAnalyseCommand(CLI::App& app, Context& context);
void AddAuditCommand(CLI::App& app, Context& context);
void AddReportCommand(CLI::App& app, Context& context);
void AddServeCommands(CLI::App& app, Context& context);
void AddUserCommands(CLI::App& app, Context& context);
void AddDatabaseCommands(CLI::App& app, Context& context);
void AddDescribeCommand(CLI::App& app, Context& context);
void AddCrosswalkCommands(CLI::App& app, Context& context);

}  // namespace samkart::cli
