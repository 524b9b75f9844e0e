#include "samkart/web/server.h"

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "samkart/core/text.h"
#include "samkart/web/assets.h"
#include "samkart/web/connections.h"
#include "samkart/web/explorer_script.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"
#include "samkart/web/survey.h"

namespace samkart::web {

namespace {

// How often the server looks for rounds past their last day.
constexpr std::chrono::minutes kClosingDateCheckInterval{15};

// httplib listens with a backlog of 5 (compiled into Debian's library), so a
// burst of new connections overflows it and clients wait for SYN retries
// (1 s, 3 s …). Its listening socket is protected; this exposes it, so the
// backlog can be raised after binding (listen() again updates it on Linux).
template <typename Base>
class ListeningServer : public Base {
 public:
  using Base::Base;
  int listening_socket() const { return static_cast<int>(this->svr_sock_); }
};

constexpr int kListenBacklog = 1024;

using Clock = std::chrono::steady_clock;
// When the request this thread serves reached routing, for the access log.
thread_local Clock::time_point request_started;

// The plain-HTTP server: accepted connections wait for their request heads
// in the waiting room (connections.h), not on a worker each.
class GuardedServer : public ListeningServer<httplib::Server> {
 public:
  GuardedServer(std::size_t threads, const ConnectionLimits& limits, std::size_t max_upload_bytes) {
    new_task_queue = [this, threads, limits, max_upload_bytes] {
      dispatcher_ = new ConnectionDispatcher(
          threads, limits, max_upload_bytes,
          [this](httplib::Stream& stream, bool close_connection, bool& connection_closed) {
            return process_request(stream, close_connection, connection_closed, nullptr);
          });
      return dispatcher_;
    };
  }

 private:
  // Runs inline on the listening thread (ConnectionDispatcher::enqueue).
  bool process_and_close_socket(socket_t socket) override {
    dispatcher_->Accept(socket);
    return true;
  }

  ConnectionDispatcher* dispatcher_ = nullptr;  // owned by httplib while it listens
};

// Every response: no framing, no sniffing, no referrer (survey links carry
// their token in the path), and scripts, styles and images only from here.
httplib::Headers SecurityHeaders() {
  return {
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
  };
}

// Uploads (multipart forms) may be large; every other body is a form or a
// small JSON object.
std::size_t BodyLimit(const ServeOptions& options, const httplib::Request& req) {
  return req.is_multipart_form_data() ? options.max_upload_bytes
                                      : options.connections.max_form_bytes;
}

std::string TooLargeMessage(const ServeOptions& options, const httplib::Request& req) {
  const std::size_t limit = BodyLimit(options, req);
  return limit >= (1u << 20)
             ? fmt::format("Forespørselen er for stor. Grensen er {} MB.", limit >> 20)
             : fmt::format("Forespørselen er for stor. Grensen er {} kB.", limit >> 10);
}

// The Content-Length header as a number: 0 when absent, nothing when it is
// not a number.
std::optional<std::uint64_t> DeclaredLength(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return 0;
  const std::string value = req.get_header_value("Content-Length");
  std::uint64_t length = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
  if (error != std::errc() || end != value.data() + value.size() || value.empty()) {
    return std::nullopt;
  }
  return length;
}

// One access-log line per request, with the time it took.
void InstallAccessLog(httplib::Server& server, App& app) {
  server.set_logger([&app](const httplib::Request& req, const httplib::Response& res) {
    const double milliseconds =
        request_started == Clock::time_point{}
            ? 0.0
            : std::chrono::duration<double, std::milli>(Clock::now() - request_started).count();
    request_started = {};
    const std::string client = ClientAddress(app, req);
    app.log().Access({client, req.method, req.path, res.status, milliseconds, res.body.size()});
  });
}

// Before any route: no caching of personal pages, the body limit from the
// declared length, and UTF-8 in the path and parameters.
void InstallRequestChecks(httplib::Server& server, App& app) {
  server.set_pre_routing_handler([&app](const httplib::Request& req, httplib::Response& res) {
    request_started = Clock::now();
    // Logged-in pages and API answers are personal; never cache them.
    if (req.path.rfind("/static/", 0) != 0) res.set_header("Cache-Control", "no-store");
    // A body over its limit is refused from its declared length, before any
    // of it is read; a chunked one is cut when it passes the limit.
    const std::size_t limit = BodyLimit(app.options(), req);
    LimitRequestBody(limit);
    if (const auto declared = DeclaredLength(req); !declared) {
      CloseConnectionAfterAnswer();
      SendError(req, res, 400, "Forespørselen har en ugyldig lengde (Content-Length).");
      return httplib::Server::HandlerResponse::Handled;
    } else if (*declared > limit) {
      CloseConnectionAfterAnswer();
      res.set_header("Connection", "close");
      SendError(req, res, 413, TooLargeMessage(app.options(), req));
      return httplib::Server::HandlerResponse::Handled;
    }
    // Text must be UTF-8 before it reaches a store (PostgreSQL refuses
    // anything else; SQLite would keep it and show it garbled).
    bool valid = text::IsValidUtf8(req.path);
    for (const auto& [name, value] : req.params)
      valid = valid && text::IsValidUtf8(name) && text::IsValidUtf8(value);
    if (!valid) {
      SendError(req, res, 400, "Forespørselen har tegn som ikke er gyldig UTF-8.");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
}

// The style sheet, the explorer's script, the missing icon and the health check.
void RegisterSiteRoutes(httplib::Server& server, App& app) {
  server.Get("/static/samkart.css", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "public, max-age=3600");
    res.set_content(StyleSheet(), "text/css; charset=utf-8");
  });
  server.Get("/static/utforsk.js", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "public, max-age=3600");
    res.set_content(ExplorerScript(), "text/javascript; charset=utf-8");
  });
  // The rounds pages' progressive enhancement (copy buttons, live response rate).
  server.Get("/static/runder.js", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "public, max-age=3600");
    res.set_content(RoundsScript(), "text/javascript; charset=utf-8");
  });
  // Browsers ask for it on every site; no icon, and no 404 in their console.
  server.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) {
    res.status = 204;
    res.set_header("Cache-Control", "public, max-age=86400");
  });
  // For a load balancer: 503 when the database does not answer, or has a
  // schema this server was not built for (a migration half-way through a
  // rolling upgrade), so the server is taken out of rotation. The reason
  // goes to the log; the answer gives nothing away.
  server.Get("/helse", [&app](const httplib::Request&, httplib::Response& res) {
    const auto version = app.WithStore([](store::Store& store) { return store.SchemaVersion(); });
    const int expected =
        app.WithStore([](store::Store& store) { return store.LatestSchemaVersion(); });
    std::string problem;
    if (!version.ok()) {
      problem = version.error().message;
    } else if (*version != expected) {
      problem = fmt::format("databasen har skjemaversjon {}, denne serveren trenger {}", *version,
                            expected);
    }
    if (!problem.empty()) {
      app.log().Error("helsesjekk: " + problem);
      res.status = 503;
      res.set_content("databasen er ikke klar\n", "text/plain; charset=utf-8");
      return;
    }
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });
}

// Norwegian answers for the statuses the library sets itself, and for
// exceptions (logged, never shown).
void InstallErrorHandlers(httplib::Server& server, App& app) {
  // Statuses the library sets itself (no route, body too large, bad
  // request line) get a Norwegian explanation instead of an empty body.
  server.set_error_handler([&app](const httplib::Request& req, httplib::Response& res) {
    // A body cut off by the connection limits is why the request failed.
    switch (CurrentBodyFailure()) {
      case BodyFailure::kTooLarge:
        res.status = 413;
        res.body.clear();
        break;
      case BodyFailure::kTooSlow:
        res.status = 408;
        res.body.clear();
        break;
      case BodyFailure::kNone:
        break;
    }
    if (!res.body.empty()) return;
    std::string message;
    switch (res.status) {
      case 404:
        message = "Siden finnes ikke.";
        break;
      case 413:
        message = TooLargeMessage(app.options(), req);
        break;
      case 408:
        message = "Forespørselen kom for sakte og ble avbrutt.";
        break;
      case 400:
        message = "Forespørselen kunne ikke leses.";
        break;
      default:
        message = fmt::format("Forespørselen kunne ikke utføres (HTTP {}).", res.status);
    }
    const int status = res.status;
    SendError(req, res, status, message);
  });
  server.set_exception_handler([&app](const httplib::Request& req, httplib::Response& res,
                                      std::exception_ptr error) {
    std::string what = "ukjent feil";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    app.log().Error(fmt::format("{} {}: {}", req.method, ServerLog::LoggablePath(req.path), what));
    SendError(req, res, 500, "Det oppstod en intern feil. Den er logget.");
  });
}

}  // namespace

WebServer::WebServer(App& app) : app_(app) {
  const ServeOptions& options = app.options();
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  if (!options.tls_cert.empty() && !options.tls_key.empty()) {
    server_ =
        std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    tls_ = true;
  }
#endif
  const auto threads = static_cast<std::size_t>(options.threads);
  if (!server_) {
    server_ =
        std::make_unique<GuardedServer>(threads, options.connections, options.max_upload_bytes);
  } else {
    // HTTPS keeps httplib's own thread per connection; in production a
    // reverse proxy terminates TLS in front of the plain-HTTP server.
    server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  }
  httplib::Server& server = *server_;
  // The library's own check, behind the pre-routing one below.
  server.set_payload_max_length(options.max_upload_bytes);
  server.set_default_headers(SecurityHeaders());
  // Headers and body go out in separate writes; without this, Nagle's
  // algorithm and the client's delayed ACK hold small answers back ~40 ms.
  server.set_tcp_nodelay(true);
  const ConnectionLimits& limits = options.connections;
  server.set_keep_alive_max_count(limits.max_requests_per_connection);
  server.set_read_timeout(limits.read_timeout);
  server.set_write_timeout(limits.write_timeout);

  InstallAccessLog(server, app);
  InstallRequestChecks(server, app);
  RegisterSiteRoutes(server, app);

  RegisterAuthRoutes(server, app);
  RegisterSurveyRoutes(server, app);
  RegisterCommentRoutes(server, app);
  RegisterRoundRoutes(server, app);
  RegisterExplorerRoutes(server, app);
  RegisterCompetenceRoutes(server, app);
  RegisterLandingRoutes(server, app);
  RegisterAdminRoutes(server, app);
  InstallErrorHandlers(server, app);
}

WebServer::~WebServer() = default;

Result<int> WebServer::Bind(const std::string& host, int port) {
  if (!server_->is_valid()) {
    return Error{"kan ikke starte HTTPS: sertifikatet eller nøkkelen kunne ikke leses"};
  }
  int bound = port;
  if (port == 0) {
    bound = server_->bind_to_any_port(host);
    if (bound <= 0) return Error{fmt::format("kan ikke lytte på {}", host)};
  } else if (!server_->bind_to_port(host, port)) {
    return Error{fmt::format("kan ikke lytte på {}:{} (er porten i bruk?)", host, port)};
  }
  int socket = static_cast<ListeningServer<httplib::Server>&>(*server_).listening_socket();
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  if (tls_) {
    socket = static_cast<ListeningServer<httplib::SSLServer>&>(*server_).listening_socket();
  }
#endif
  ::listen(socket, kListenBacklog);
  return bound;
}

bool WebServer::Run() {
  // Every waiting connection is an open file; the usual soft limit of 1024
  // would refuse clients long before the waiting room is full.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  // Rounds past their last day are closed when anyone lists or opens them;
  // this closes those nobody looks at, now and then.
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread closer([&] {
    std::unique_lock lock(mutex);
    do {
      lock.unlock();
      (void)CloseRoundsPastTheirDate(app_);
      lock.lock();
    } while (!wake.wait_for(lock, kClosingDateCheckInterval, [&] { return stopping; }));
  });
  const bool served = server_->listen_after_bind();
  {
    std::lock_guard lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  closer.join();
  return served;
}

void WebServer::Stop() { server_->stop(); }

bool WebServer::IsRunning() const { return server_ && server_->is_running(); }

}  // namespace samkart::web
