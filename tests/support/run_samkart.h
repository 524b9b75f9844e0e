#pragma once
// Runs the real samkart binary (SAMKART_BINARY, set by tests/CMakeLists.txt)
// as a user would, or any shell command, capturing its output and exit code.

#include <cstdio>
#include <string>

#include <sys/wait.h>

namespace samkart::testing_support {

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `command` through the shell.
inline CommandRun RunShell(const std::string& command) {
  CommandRun run;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

inline CommandRun Samkart(const std::string& args) {
  return RunShell(std::string(SAMKART_BINARY) + " " + args);
}

}  // namespace samkart::testing_support
