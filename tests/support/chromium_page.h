// Loads a page in headless Chromium and reports what a reader's browser would
// have complained about: console errors and uncaught exceptions, browser log
// errors and warnings, failed loads, requests beyond the page itself, dialogs,
// and a few layout measurements at desktop and phone widths. Used for the
// reports' HTML now, and meant for the web app's pages later (e.g. running
// axe-core over the DevTools pipe).
//
// A missing Chromium is a failure (PageLoad::failure), never a skip: a check
// that quietly does not run proves nothing.
#pragma once

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "samkart/core/text.h"

#include "support/scratch_dir.h"

namespace samkart::testing_support {

namespace chromium_detail {

// DevTools messages leave optional fields out, so lookups must not assume
// them (a const operator[] on a missing key is undefined behaviour).
inline const nlohmann::json& Member(const nlohmann::json& j, const char* key) {
  static const nlohmann::json null;
  if (!j.is_object()) return null;
  const auto it = j.find(key);
  return it == j.end() ? null : *it;
}

inline std::string Text(const nlohmann::json& j) {
  return j.is_string() ? j.get<std::string>() : std::string();
}

// A file path need not be valid UTF-8; replace such bytes rather than throw.
inline std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline std::string Tail(const std::filesystem::path& log) {
  const std::string all = ReadWholeFile(log);
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

}  // namespace chromium_detail

// The Chromium binary: $SAMKART_CHROMIUM, else chromium on the PATH (Debian's
// apt package «chromium»). Empty when there is none.
inline std::string FindChromium() {
  if (const char* configured = std::getenv("SAMKART_CHROMIUM"); configured && *configured) {
    return configured;
  }
  const char* path = std::getenv("PATH");
  for (const auto& dir : samkart::text::Split(path ? path : "/usr/bin:/bin", ':')) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const std::filesystem::path candidate = std::filesystem::path(dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "";
}

// What loading a page in headless Chromium showed. --dump-dom and
// --enable-logging=stderr print console calls (as «INFO:CONSOLE» lines, no
// level) but never a failed load, so the page is loaded over the DevTools
// protocol instead (--remote-debugging-pipe: JSON messages ending in NUL on
// file descriptors 3 and 4), which reports console calls, uncaught
// exceptions, every request and every failed load.
struct PageLoad {
  std::string failure;  // the check itself could not run
  std::string title;
  std::vector<std::string> console;       // console.* calls and uncaught exceptions
  std::vector<std::string> log_entries;   // browser log errors and warnings
  std::vector<std::string> requests;      // every URL fetched besides the page itself
  std::vector<std::string> failed_loads;  // resources that did not load
  std::vector<std::string> dialogs;       // alert() and friends
  // {title, scrollWidth, clientWidth, svgWidths: [...]}
  nlohmann::json layout_wide;    // at 1000 px
  nlohmann::json layout_narrow;  // and on a 390 px phone

  bool HasErrors() const {
    return !console.empty() || !log_entries.empty() || !requests.empty() || !failed_loads.empty() ||
           !dialogs.empty();
  }
  std::string Describe() const {
    std::string out;
    auto list = [&](const char* what, const std::vector<std::string>& items) {
      for (const auto& item : items) out += std::string(what) + ": " + item + "\n";
    };
    list("console", console);
    list("log", log_entries);
    list("request", requests);
    list("failed load", failed_loads);
    list("dialog", dialogs);
    return out;
  }
};

// A headless Chromium driven over --remote-debugging-pipe.
class DevToolsPipe {
 public:
  DevToolsPipe() = default;
  DevToolsPipe(const DevToolsPipe&) = delete;
  DevToolsPipe& operator=(const DevToolsPipe&) = delete;
  ~DevToolsPipe() { Stop(); }

  bool Start(const std::string& chromium, const std::filesystem::path& profile,
             const std::filesystem::path& log, std::string& error) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
      error = "socketpair failed";
      return false;
    }
    const std::string user_data = "--user-data-dir=" + profile.string();
    std::vector<std::string> args = {"timeout",
                                     "60",
                                     chromium,
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--disable-quic",
                                     "--no-first-run",
                                     "--disable-background-networking",
                                     "--disable-component-update",
                                     "--disable-sync",
                                     "--disable-extensions",
                                     "--window-size=1000,1400",
                                     user_data,
                                     "--remote-debugging-pipe",
                                     "about:blank"};
    pid_ = ::fork();
    if (pid_ < 0) {
      error = "fork failed";
      return false;
    }
    if (pid_ == 0) {
      // Chromium reads commands from fd 3 and writes to fd 4; one socket
      // serves both. Duplicating above 10 first clears close-on-exec even
      // when the socket already is fd 3 or 4.
      const int channel = ::fcntl(fds[1], F_DUPFD, 10);
      ::dup2(channel, 3);
      ::dup2(channel, 4);
      const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, 1);
      ::dup2(out, 2);
      const int in = ::open("/dev/null", O_RDONLY);
      ::dup2(in, 0);
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    fd_ = fds[0];
    return true;
  }

  // Sends a command and waits for its answer, passing events to `on_event`.
  // `session` is empty for commands to the browser itself.
  template <typename OnEvent>
  std::optional<nlohmann::json> Call(const std::string& method, const nlohmann::json& params,
                                     const std::string& session, OnEvent&& on_event) {
    const int id = ++next_id_;
    if (!SendMessage(Message(id, method, params, session))) return std::nullopt;
    while (true) {
      std::optional<nlohmann::json> received = Receive();
      if (!received) return std::nullopt;
      if (chromium_detail::Member(*received, "id") == id) return received;
      on_event(*received);
    }
  }

  // Sends a command without waiting for its answer (from inside an event
  // handler, where waiting would nest).
  void Send(const std::string& method, const nlohmann::json& params, const std::string& session) {
    SendMessage(Message(++next_id_, method, params, session));
  }

  // The next message, or nullopt at the deadline or when Chromium is gone.
  std::optional<nlohmann::json> Receive(std::chrono::steady_clock::time_point until = {}) {
    if (until == std::chrono::steady_clock::time_point{}) until = deadline_;
    while (true) {
      const auto end = buffer_.find('\0');
      if (end != std::string::npos) {
        nlohmann::json message = nlohmann::json::parse(buffer_.data(), buffer_.data() + end,
                                                       nullptr, /*allow_exceptions=*/false);
        buffer_.erase(0, end + 1);
        if (!message.is_discarded()) return message;
        continue;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char chunk[65536];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Asks Chromium to quit, then ends it (and its helpers: `timeout` leads
  // its own process group) if it has not after a few seconds.
  void Stop() {
    if (pid_ <= 0) return;
    SendMessage(Message(999999, "Browser.close", nlohmann::json::object(), ""));
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  // One protocol message, NUL-terminated as the pipe expects.
  static std::string Message(int id, const std::string& method, const nlohmann::json& params,
                             const std::string& session) {
    nlohmann::json message = {{"id", id},
                              {"method", method},
                              {"params", params.is_null() ? nlohmann::json::object() : params}};
    if (!session.empty()) message["sessionId"] = session;
    return chromium_detail::Dump(message) + '\0';
  }

  bool SendMessage(const std::string& message) {
    std::size_t sent = 0;
    while (sent < message.size()) {
      const ssize_t n = ::send(fd_, message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  pid_t pid_ = -1;
  int fd_ = -1;
  int next_id_ = 0;
  std::string buffer_;
  std::chrono::steady_clock::time_point deadline_ =
      std::chrono::steady_clock::now() + std::chrono::seconds(45);
};

// Loads `page` (a file) in a fresh headless Chromium whose profile and log
// live in `scratch`, and collects what it reported.
inline PageLoad LoadInChromium(const std::filesystem::path& page,
                               const std::filesystem::path& scratch) {
  using chromium_detail::Member;
  using chromium_detail::Text;
  using nlohmann::json;
  PageLoad load;
  const std::string chromium = FindChromium();
  if (chromium.empty()) {
    load.failure =
        "Chromium is not installed (apt-get install chromium, or set SAMKART_CHROMIUM); the "
        "HTML report cannot be checked in a browser";
    return load;
  }
  const std::filesystem::path log = scratch / "chromium.log";
  DevToolsPipe pipe;
  if (!pipe.Start(chromium, scratch / "profil", log, load.failure)) return load;
  const std::string url = "file://" + std::filesystem::absolute(page).string();
  std::map<std::string, std::string> request_urls;
  bool loaded = false;
  std::string session;
  auto on_event = [&](const json& m) {
    const std::string method = Text(Member(m, "method"));
    const json& params = Member(m, "params");
    if (method == "Runtime.consoleAPICalled") {
      std::string line = Text(Member(params, "type")) + ":";
      const json& args = Member(params, "args");
      if (args.is_array()) {
        for (const json& arg : args) {
          const json& value = Member(arg, "value");
          line += " " + (value.is_string() ? Text(value) : Text(Member(arg, "description")));
        }
      }
      load.console.push_back(line);
    } else if (method == "Runtime.exceptionThrown") {
      const json& details = Member(params, "exceptionDetails");
      load.console.push_back("exception: " + Text(Member(details, "text")) + " " +
                             Text(Member(Member(details, "exception"), "description")));
    } else if (method == "Log.entryAdded") {
      const json& entry = Member(params, "entry");
      const std::string level = Text(Member(entry, "level"));
      if (level == "error" || level == "warning") {
        load.log_entries.push_back(level + " (" + Text(Member(entry, "source")) + "): " +
                                   Text(Member(entry, "text")) + " " + Text(Member(entry, "url")));
      }
    } else if (method == "Network.requestWillBeSent") {
      const std::string requested = Text(Member(Member(params, "request"), "url"));
      request_urls[Text(Member(params, "requestId"))] = requested;
      if (requested != url) load.requests.push_back(requested);
    } else if (method == "Network.loadingFailed") {
      load.failed_loads.push_back(Text(Member(params, "errorText")) + " " +
                                  request_urls[Text(Member(params, "requestId"))]);
    } else if (method == "Page.javascriptDialogOpening") {
      load.dialogs.push_back(Text(Member(params, "message")));
      pipe.Send("Page.handleJavaScriptDialog", {{"accept", true}}, session);
    } else if (method == "Page.loadEventFired") {
      loaded = true;
    }
  };
  auto fail = [&](const std::string& what) {
    load.failure = what + "; Chromium's log ends:\n" + chromium_detail::Tail(log);
    return load;
  };
  const auto target = pipe.Call("Target.createTarget", {{"url", "about:blank"}}, "", on_event);
  if (!target) return fail("Chromium did not answer on --remote-debugging-pipe");
  const auto attached = pipe.Call(
      "Target.attachToTarget",
      {{"targetId", Text(Member(Member(*target, "result"), "targetId"))}, {"flatten", true}}, "",
      on_event);
  if (!attached) return fail("could not attach to the page");
  session = Text(Member(Member(*attached, "result"), "sessionId"));
  for (const char* domain : {"Runtime.enable", "Log.enable", "Network.enable", "Page.enable"}) {
    if (!pipe.Call(domain, json::object(), session, on_event)) {
      return fail(std::string(domain) + " failed");
    }
  }
  const auto navigated = pipe.Call("Page.navigate", {{"url", url}}, session, on_event);
  if (!navigated) return fail("Page.navigate failed");
  if (const json& result = Member(*navigated, "result"); result.contains("errorText")) {
    return fail("navigation failed: " + Text(Member(result, "errorText")));
  }
  while (!loaded) {
    const auto event = pipe.Receive();
    if (!event) return fail("the page did not finish loading");
    on_event(*event);
  }
  // Late messages (a console call from a timer, a lazy image) still count.
  const auto settle = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  while (const auto event = pipe.Receive(settle)) on_event(*event);

  const std::string measure =
      "JSON.stringify({title: document.title, scrollWidth: "
      "document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, "
      "svgWidths: Array.from(document.querySelectorAll('svg')).map(s => "
      "Math.round(s.getBoundingClientRect().width))})";
  auto evaluate = [&](json& into) {
    const auto result = pipe.Call(
        "Runtime.evaluate", {{"expression", measure}, {"returnByValue", true}}, session, on_event);
    if (!result) return false;
    json parsed = json::parse(Text(Member(Member(Member(*result, "result"), "result"), "value")),
                              nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return false;
    into = std::move(parsed);
    return true;
  };
  if (!evaluate(load.layout_wide)) return fail("Runtime.evaluate failed");
  load.title = Text(Member(load.layout_wide, "title"));
  if (!pipe.Call("Emulation.setDeviceMetricsOverride",
                 {{"width", 390}, {"height", 844}, {"deviceScaleFactor", 1}, {"mobile", true}},
                 session, on_event)) {
    return fail("Emulation.setDeviceMetricsOverride failed");
  }
  if (!evaluate(load.layout_narrow)) return fail("Runtime.evaluate failed");
  return load;
}

}  // namespace samkart::testing_support
