// `samkart serve`: the HTTP server over an App. Routes live one file per
// responsibility (routes.h); this file sets the limits and headers every
// response shares.
#pragma once

#include <memory>
#include <string>

#include "samkart/core/result.h"
#include "samkart/web/app.h"

namespace httplib {
class Server;
}

namespace samkart::web {

class WebServer {
 public:
  explicit WebServer(App& app);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds to host:port (0 = any free port) and returns the port.
  Result<int> Bind(const std::string& host, int port);
  // Serves until Stop(); false when the server failed.
  bool Run();
  // Stop() before Run() has started listening is lost (httplib ignores it);
  // wait for IsRunning() first when stopping right after starting.
  void Stop();
  bool IsRunning() const;
  bool tls() const { return tls_; }

 private:
  App& app_;
  std::unique_ptr<httplib::Server> server_;
  bool tls_ = false;
};

}  // namespace samkart::web
