// `samkart serve` in the test process: an App over a private copy of a
// store, served on a free loopback port from a background thread, and a
// client that keeps cookies and the CSRF token like a browser does.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "samkart/instrument/embedded.h"
#include "samkart/instrument/loader.h"
#include "samkart/store/store.h"
#include "samkart/web/app.h"
#include "samkart/web/auth.h"
#include "samkart/web/server.h"

#include "support/imported_store.h"
#include "support/scratch_dir.h"

namespace samkart::testing_support {

// A running server. The store is a copy (so tests may write to it) of the
// imported synthetic dataset, or an empty store when `with_data` is false.
class TestServer {
 public:
  explicit TestServer(bool with_data = true, web::ServeOptions options = {}) {
    const fs::path db = dir_ / "samkart.sqlite";
    if (with_data) {
      auto source = ImportedStore();
      if (!source.ok()) throw std::runtime_error(source.error().message);
      fs::copy_file(*source, db);
    }
    auto store = store::OpenStore(db.string());
    if (!store.ok()) throw std::runtime_error(store.error().message);
    if (!with_data) {
      // The register, so rounds can be created in an empty store.
      (void)(*store)->UpsertMunicipalities(
          {{9901, "Syntetisk testkommune", "midt", "gruppe_2", 7000}});
    }
    auto loaded_instrument = instrument::LoadEmbeddedInstrument();
    if (!loaded_instrument.ok()) throw std::runtime_error("the embedded instrument does not load");
    options.port = 0;
    if (options.threads > 16) options.threads = 16;
    app_ = std::make_unique<web::App>(std::move(store).value(),
                                      std::move(*loaded_instrument.instrument), options);
    if (auto loaded = app_->ReloadDataset(); !loaded.ok()) {
      throw std::runtime_error(loaded.error().message);
    }
    server_ = std::make_unique<web::WebServer>(*app_);
    auto port = server_->Bind("127.0.0.1", 0);
    if (!port.ok()) throw std::runtime_error(port.error().message);
    port_ = *port;
    thread_ = std::thread([this] { server_->Run(); });
    // A test that never sends a request would otherwise stop the server
    // before it listens, and wait for it forever.
    for (int waited = 0; !server_->IsRunning(); ++waited) {
      if (waited == 10000) throw std::runtime_error("the test server did not start within 10 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~TestServer() {
    server_->Stop();
    thread_.join();
    server_.reset();
    app_.reset();
  }

  int port() const { return port_; }
  web::App& app() { return *app_; }
  const fs::path& dir() const { return dir_.path(); }

  // Creates a user directly in the store and returns its password.
  std::string AddUser(const std::string& name, const std::string& role,
                      std::optional<std::string> region = std::nullopt,
                      std::optional<int> municipality = std::nullopt) {
    const std::string password = "pw-" + web::RandomToken(12);
    store::User user;
    user.username = name;
    user.role = role;
    user.region = std::move(region);
    user.municipality = municipality;
    user.password_hash = web::HashPassword(password).value();
    auto added = app_->WithStore([&](store::Store& s) { return s.AddUser(user); });
    if (!added.ok()) throw std::runtime_error(added.error().message);
    return password;
  }

 private:
  ScratchDir dir_;
  std::unique_ptr<web::App> app_;
  std::unique_ptr<web::WebServer> server_;
  std::thread thread_;
  int port_ = 0;
};

// A browser-like client: keeps cookies, sends the CSRF token it learnt.
class WebClient {
 public:
  explicit WebClient(int port) : client_("127.0.0.1", port) { client_.set_read_timeout(60, 0); }

  httplib::Result Get(const std::string& path) {
    auto result = client_.Get(path.c_str(), Headers());
    Remember(result);
    return result;
  }
  // A form post; adds the CSRF field unless `with_csrf` is false.
  httplib::Result PostForm(const std::string& path, httplib::Params params, bool with_csrf = true) {
    if (with_csrf && !params.count("csrf")) params.emplace("csrf", csrf_);
    auto result = client_.Post(path.c_str(), Headers(), params);
    Remember(result);
    return result;
  }
  httplib::Result PostJson(const std::string& path, const nlohmann::json& body,
                           bool with_csrf = true) {
    auto headers = Headers();
    if (with_csrf) headers.emplace("X-CSRF-Token", csrf_);
    auto result = client_.Post(path.c_str(), headers, body.dump(), "application/json");
    Remember(result);
    return result;
  }
  httplib::Result PostRaw(const std::string& path, const std::string& body,
                          const std::string& content_type, bool with_csrf = true) {
    auto headers = Headers();
    if (with_csrf) headers.emplace("X-CSRF-Token", csrf_);
    auto result = client_.Post(path.c_str(), headers, body, content_type.c_str());
    Remember(result);
    return result;
  }
  httplib::Result PostMultipart(const std::string& path, httplib::MultipartFormDataItems items,
                                bool with_csrf = true) {
    if (with_csrf) items.push_back({"csrf", csrf_, "", ""});
    auto result = client_.Post(path.c_str(), Headers(), items);
    Remember(result);
    return result;
  }

  // Logs in through the JSON API; true on success.
  bool LogIn(const std::string& username, const std::string& password) {
    auto result =
        PostJson("/api/logg-inn", {{"brukernavn", username}, {"passord", password}}, false);
    if (!result || result->status != 200) return false;
    csrf_ = nlohmann::json::parse(result->body).value("csrf", "");
    return !csrf_.empty();
  }

  // Reads the anonymous CSRF token a page's form carries (login, survey).
  void LearnCsrfFrom(const std::string& html) {
    const std::string marker = R"(name="csrf" value=")";
    const auto at = html.find(marker);
    if (at == std::string::npos) return;
    const auto start = at + marker.size();
    csrf_ = html.substr(start, html.find('"', start) - start);
  }

  const std::string& csrf() const { return csrf_; }
  void set_csrf(std::string csrf) { csrf_ = std::move(csrf); }
  std::map<std::string, std::string>& cookies() { return cookies_; }
  // Sends X-Forwarded-For, as a reverse proxy in front of the server would.
  void ForwardedFor(std::string address) { forwarded_for_ = std::move(address); }
  // Sends this Host header instead of the server's address.
  void HostHeader(std::string host) { host_ = std::move(host); }

 private:
  httplib::Headers Headers() const {
    std::string cookie;
    for (const auto& [name, value] : cookies_) {
      if (!cookie.empty()) cookie += "; ";
      cookie += name + "=" + value;
    }
    httplib::Headers headers;
    if (!cookie.empty()) headers.emplace("Cookie", cookie);
    if (!forwarded_for_.empty()) headers.emplace("X-Forwarded-For", forwarded_for_);
    if (!host_.empty()) headers.emplace("Host", host_);
    return headers;
  }
  void Remember(const httplib::Result& result) {
    if (!result) return;
    const std::size_t count = result->get_header_value_count("Set-Cookie");
    for (std::size_t i = 0; i < count; ++i) {
      const std::string header = result->get_header_value("Set-Cookie", i);
      const auto eq = header.find('=');
      const auto end = header.find(';');
      if (eq == std::string::npos) continue;
      const std::string name = header.substr(0, eq);
      const std::string value =
          header.substr(eq + 1, end == std::string::npos ? end : end - eq - 1);
      if (value.empty() || header.find("Max-Age=0") != std::string::npos) {
        cookies_.erase(name);
      } else {
        cookies_[name] = value;
      }
    }
  }

  httplib::Client client_;
  std::map<std::string, std::string> cookies_;
  std::string csrf_;
  std::string forwarded_for_;
  std::string host_;
};

}  // namespace samkart::testing_support
