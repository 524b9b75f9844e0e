// State shared by the CLI subcommands: global options and the exit code.
#pragma once

#include <string>

#include "samkart/instrument/loader.h"

namespace CLI {
class App;
}

namespace samkart::cli {

struct Context {
  std::string instrument_dir;  // empty: the instrument embedded in the binary
  int exit_code = 0;

  // Loads the chosen instrument; on problems prints them and returns nullopt.
  std::optional<instrument::Instrument> LoadInstrumentOrReport();
};

void AddInstrumentCommands(CLI::App& app, Context& context);
void AddSynthCommand(CLI::App& app, Context& context);

}  // namespace samkart::cli
