// What `samkart serve` tells its operator: an error log with levels on
// standard error («feil», «advarsel», «info»), and an access log, one line
// per request, where the operator asks for it. Survey links are secrets
// (whoever has one can answer), so their tokens never reach a log.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace samkart::web {

enum class LogLevel { kError = 0, kWarning = 1, kInfo = 2 };

// «feil», «advarsel» or «info»; false when `text` is none of them.
bool ParseLogLevel(std::string_view text, LogLevel& level);

struct AccessEntry {
  std::string_view client;  // ServeOptions::trusted_proxies applied
  std::string_view method;
  std::string_view path;  // without the query
  int status = 0;
  double milliseconds = 0;
  std::size_t bytes = 0;
};

class ServerLog {
 public:
  // Lines at or below `level` go to `errors`; access lines to `access`
  // when it is set. Both streams must outlive the log.
  explicit ServerLog(LogLevel level = LogLevel::kInfo, std::ostream* errors = nullptr,
                     std::ostream* access = nullptr);
  ~ServerLog();
  ServerLog(const ServerLog&) = delete;
  ServerLog& operator=(const ServerLog&) = delete;

  void Error(std::string_view message);
  void Warning(std::string_view message);
  void Info(std::string_view message);
  void Access(const AccessEntry& entry);

  // The path as it may be logged: the token of a survey link or of a kept
  // upload (the import assistant) is replaced.
  static std::string LoggablePath(std::string_view path);

 private:
  void Write(LogLevel level, std::string_view message);
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace samkart::web
