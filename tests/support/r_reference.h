#pragma once
// The reference computations in R (tests/r_reference/*.R), run live by the
// tests that compare Samkart with R. Those tests fail, never skip, when R
// is missing.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/run_samkart.h"

namespace samkart::testing_support {

// 'path', for a shell command.
inline std::string ShellQuoted(const std::filesystem::path& path) {
  return "'" + path.string() + "'";
}

// Why the test cannot run (Norwegian), or nullopt when Rscript is on the
// PATH. `packages` names what bootstrap installs and what the test uses.
inline std::optional<std::string> RscriptMissing(const std::string& packages) {
  if (RunShell("command -v Rscript").exit_code == 0) return std::nullopt;
  return "Rscript finnes ikke. Kjør scripts/bootstrap.sh, som installerer " + packages + ".";
}

// Runs tests/r_reference/`script` on `arguments`.
inline CommandRun RunRReference(const std::string& script,
                                const std::vector<std::filesystem::path>& arguments) {
  std::string command = "Rscript " + ShellQuoted(std::filesystem::path(SAMKART_SOURCE_DIR) /
                                                 "tests" / "r_reference" / script);
  for (const auto& argument : arguments) command += " " + ShellQuoted(argument);
  return RunShell(command);
}

}  // namespace samkart::testing_support
