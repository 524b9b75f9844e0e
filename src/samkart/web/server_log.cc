#include "samkart/web/server_log.h"

#include <chrono>
#include <ctime>
#include <mutex>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/core/utc_time.h"

namespace samkart::web {

namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "feil";
    case LogLevel::kWarning:
      return "advarsel";
    case LogLevel::kInfo:
      break;
  }
  return "info";
}

}  // namespace

bool ParseLogLevel(std::string_view text, LogLevel& level) {
  for (const LogLevel candidate : {LogLevel::kError, LogLevel::kWarning, LogLevel::kInfo}) {
    if (text == LevelName(candidate)) {
      level = candidate;
      return true;
    }
  }
  return false;
}

struct ServerLog::State {
  State(LogLevel l, std::ostream* e, std::ostream* a) : level(l), errors(e), access(a) {}
  LogLevel level;
  std::ostream* errors;
  std::ostream* access;
  std::mutex mutex;  // one line at a time from the workers
};

ServerLog::ServerLog(LogLevel level, std::ostream* errors, std::ostream* access)
    : state_(std::make_unique<State>(level, errors, access)) {}

ServerLog::~ServerLog() = default;

void ServerLog::Error(std::string_view message) { Write(LogLevel::kError, message); }
void ServerLog::Warning(std::string_view message) { Write(LogLevel::kWarning, message); }
void ServerLog::Info(std::string_view message) { Write(LogLevel::kInfo, message); }

void ServerLog::Write(LogLevel level, std::string_view message) {
  if (!state_->errors || level > state_->level) return;
  // One line per entry, whatever the message holds.
  const std::string line =
      fmt::format("{} {}: {}\n", UtcTimestamp(), LevelName(level), text::EscapeControls(message));
  std::lock_guard lock(state_->mutex);
  *state_->errors << line << std::flush;
}

void ServerLog::Access(const AccessEntry& entry) {
  if (!state_->access) return;
  const std::string line = fmt::format("{} {} {} {} {} {:.1f} ms {} byte\n", UtcTimestamp(),
                                       entry.client, text::EscapeControls(entry.method),
                                       text::EscapeControls(LoggablePath(entry.path)), entry.status,
                                       entry.milliseconds, entry.bytes);
  std::lock_guard lock(state_->mutex);
  *state_->access << line << std::flush;
}

std::string ServerLog::LoggablePath(std::string_view path) {
  // Survey links and the import assistant's uploads carry a token after
  // these prefixes.
  for (const std::string_view prefix :
       {std::string_view("/s/"), std::string_view("/admin/import/forslag/")}) {
    if (!path.starts_with(prefix)) continue;
    const auto token_end = path.find('/', prefix.size());
    return std::string(prefix) + "…" +
           std::string(token_end == std::string_view::npos ? "" : path.substr(token_end));
  }
  return std::string(path);
}

}  // namespace samkart::web
