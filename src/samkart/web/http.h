// What every route shares: who is asking (session cookie → Principal), CSRF
// checks, cookies, the page layout and error responses. Pages are HTML built
// on the server with every user string escaped; /api/ answers JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "samkart/web/app.h"
#include "samkart/web/auth.h"

namespace samkart::web {

inline constexpr const char* kSessionCookie = "samkart_okt";
inline constexpr const char* kAnonymousCsrfCookie = "samkart_csrf";
inline constexpr const char* kCsrfField = "csrf";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

struct RequestContext {
  std::optional<Principal> principal;
  std::string session_hash;  // SHA-256 of the session cookie; empty when not logged in
  std::string csrf;          // the token a form must send back; empty when not logged in
  // The store did not answer, so whether anyone is logged in is unknown:
  // pages answer 503, never the login page as if the session were gone.
  bool store_unavailable = false;
};

// The logged-in user behind the session cookie, if any.
RequestContext Authenticate(App& app, const httplib::Request& req);

std::optional<std::string> Cookie(const httplib::Request& req, std::string_view name);

// 503 with Retry-After: the database does not answer just now.
void SendUnavailable(const httplib::Request& req, httplib::Response& res);

// An IPv4 or IPv6 address in numeric form.
bool IsIpAddress(const std::string& text);

// The client's address: the connection's, or, when that is a trusted
// proxy (ServeOptions::trusted_proxies), the nearest address in
// X-Forwarded-For that is not one.
std::string ClientAddress(const App& app, const httplib::Request& req);

struct CookieOptions {
  int max_age_seconds = -1;  // -1: a session cookie; 0: delete
  bool http_only = true;
  std::string same_site = "Lax";
  std::string path = "/";
};
void SetCookie(App& app, httplib::Response& res, std::string_view name, std::string_view value,
               const CookieOptions& options = {});

// True when the request carries the session's CSRF token (form field
// «csrf» or the X-CSRF-Token header), compared in constant time.
bool CsrfMatches(const httplib::Request& req, const std::string& expected);

// For forms used without a login (the login form, the survey): a random
// token in a cookie that the form must repeat (double submit). Returns the
// token, setting the cookie when the browser has none.
std::string AnonymousCsrf(App& app, const httplib::Request& req, httplib::Response& res);
bool AnonymousCsrfMatches(const httplib::Request& req);

// A form field, "" when absent.
std::string FormValue(const httplib::Request& req, const std::string& name);

std::string Escape(std::string_view text);  // HTML text and attribute values

struct PageOptions {
  std::string title;                        // also the <h1>, unless `heading` is false
  const RequestContext* context = nullptr;  // nav and logout button when logged in
  bool heading = true;
  bool survey = false;  // the respondent's pages: no navigation, no login links
};
std::string RenderPage(const PageOptions& options, const std::string& body_html);
std::string CsrfInput(const std::string& token);

void SendHtml(httplib::Response& res, int status, const std::string& html);
void SendJson(httplib::Response& res, int status, const nlohmann::json& body);
// An error as JSON ({"feil": …}) under /api/, else as a page.
void SendError(const httplib::Request& req, httplib::Response& res, int status,
               const std::string& message, const RequestContext* context = nullptr);
void Redirect(httplib::Response& res, const std::string& to);

// `target` (already URL-decoded) when it is a path on this site, else "/":
// it must start with one slash and hold only printable ASCII without a
// backslash, since browsers drop tabs and newlines and read «/\» like «//»,
// which would make «/<TAB>/host» a link to another host.
std::string SiteTarget(const std::string& target);

// The logged-in principal, or nullopt after answering: a redirect to the
// login page for pages, 401 for /api/.
std::optional<Principal> RequireLogin(const httplib::Request& req, httplib::Response& res,
                                      const RequestContext& context);
// For state-changing requests: login and a matching CSRF token (403 otherwise).
std::optional<Principal> RequireLoginAndCsrf(const httplib::Request& req, httplib::Response& res,
                                             const RequestContext& context);

bool IsApi(const httplib::Request& req);

}  // namespace samkart::web
