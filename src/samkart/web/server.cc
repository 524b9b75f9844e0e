#include "samkart/web/server.h"

#include <iostream>

#include <fmt/format.h>
#include <httplib.h>
#include <sys/socket.h>

#include "samkart/core/text.h"
#include "samkart/web/assets.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"

namespace samkart::web {

namespace {

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
  if (!server_) server_ = std::make_unique<ListeningServer<httplib::Server>>();
  httplib::Server& server = *server_;

  const int threads = options.threads;
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(threads));
  };
  // Refused from Content-Length before the body is read (413).
  server.set_payload_max_length(options.max_upload_bytes);
  server.set_default_headers(SecurityHeaders());
  // Headers and body go out in separate writes; without this, Nagle's
  // algorithm and the client's delayed ACK hold small answers back ~40 ms.
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000);
  server.set_read_timeout(30, 0);
  server.set_write_timeout(30, 0);

  server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    // Logged-in pages and API answers are personal; never cache them.
    if (req.path.rfind("/static/", 0) != 0) res.set_header("Cache-Control", "no-store");
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

  server.Get("/static/samkart.css", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "public, max-age=3600");
    res.set_content(StyleSheet(), "text/css; charset=utf-8");
  });
  // Browsers ask for it on every site; no icon, and no 404 in their console.
  server.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) {
    res.status = 204;
    res.set_header("Cache-Control", "public, max-age=86400");
  });
  // For a load balancer: 503 when the database does not answer, so a
  // server that lost it is taken out of rotation. No detail is given away.
  server.Get("/helse", [&app](const httplib::Request&, httplib::Response& res) {
    const auto version = app.WithStore([](store::Store& store) { return store.SchemaVersion(); });
    if (!version.ok()) {
      std::cerr << "samkart serve: helsesjekk: " << version.error().message << "\n";
      res.status = 503;
      res.set_content("databasen svarer ikke\n", "text/plain; charset=utf-8");
      return;
    }
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });

  RegisterAuthRoutes(server, app);
  RegisterSurveyRoutes(server, app);
  RegisterRoundRoutes(server, app);
  RegisterExplorerRoutes(server, app);
  RegisterAdminRoutes(server, app);

  // Statuses the library sets itself (no route, body too large, bad
  // request line) get a Norwegian explanation instead of an empty body.
  server.set_error_handler([&app](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message;
    switch (res.status) {
      case 404:
        message = "Siden finnes ikke.";
        break;
      case 413:
        message = fmt::format("Forespørselen er for stor. Grensen er {} MB.",
                              app.options().max_upload_bytes >> 20);
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
  server.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
        std::string what = "ukjent feil";
        try {
          if (error) std::rethrow_exception(error);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        std::cerr << "samkart serve: " << req.method << " " << req.path << ": " << what << "\n";
        SendError(req, res, 500, "Det oppstod en intern feil. Den er logget.");
      });
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

bool WebServer::Run() { return server_->listen_after_bind(); }

void WebServer::Stop() { server_->stop(); }

bool WebServer::IsRunning() const { return server_ && server_->is_running(); }

}  // namespace samkart::web
