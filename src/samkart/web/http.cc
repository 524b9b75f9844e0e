#include "samkart/web/http.h"

#include <algorithm>
#include <vector>

#include <arpa/inet.h>
#include <fmt/format.h>
#include <sodium.h>

#include "samkart/core/sha256.h"
#include "samkart/core/text.h"

namespace samkart::web {

bool IsIpAddress(const std::string& text) {
  unsigned char address[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, text.c_str(), address) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), address) == 1;
}

RequestContext Authenticate(App& app, const httplib::Request& req) {
  RequestContext context;
  const auto token = Cookie(req, kSessionCookie);
  if (!token || token->empty() || token->size() > app.options().limits.max_session_token_bytes)
    return context;
  const std::string hash = Sha256Hex(*token);
  if (auto cached = app.FindCachedSession(hash)) {
    if (cached->principal) {
      context.principal = cached->principal;
      context.session_hash = hash;
      context.csrf = cached->csrf;
    }
    return context;
  }
  auto found = app.WithStore([&](store::Store& store) -> Result<std::optional<Principal>> {
    auto session = store.FindSession(hash);
    if (!session.ok()) return session.error();
    if (!*session) return std::optional<Principal>();
    auto user = store.FindUserById((*session)->user_id);
    if (!user.ok()) return user.error();
    if (!*user) return std::optional<Principal>();
    context.csrf = (*session)->csrf_token;
    return Principal::FromUser(**user);
  });
  if (found.ok() && *found) {
    context.principal = *found;
    context.session_hash = hash;
  } else {
    context.csrf.clear();
    context.store_unavailable = !found.ok();
  }
  // Unknown tokens are cached too (as nobody), so guessing costs no store query.
  if (found.ok()) {
    app.CacheSession(hash, {context.principal, context.csrf, std::chrono::steady_clock::now()});
  }
  return context;
}

std::string ClientAddress(const App& app, const httplib::Request& req) {
  const auto& trusted = app.options().trusted_proxies;
  auto is_trusted = [&](std::string_view address) {
    return std::find(trusted.begin(), trusted.end(), address) != trusted.end();
  };
  if (!is_trusted(req.remote_addr)) return req.remote_addr;
  // Proxies append; read from the nearest end, past the trusted ones. The
  // header may come more than once.
  std::vector<std::string> hops;
  const std::size_t count = req.get_header_value_count("X-Forwarded-For");
  for (std::size_t i = 0; i < count; ++i) {
    for (const std::string& part : text::Split(req.get_header_value("X-Forwarded-For", i), ',')) {
      hops.emplace_back(text::Trim(part));
    }
  }
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    if (is_trusted(*hop)) continue;
    return IsIpAddress(*hop) ? *hop : req.remote_addr;
  }
  return req.remote_addr;
}

std::optional<std::string> Cookie(const httplib::Request& req, std::string_view name) {
  const std::size_t count = req.get_header_value_count("Cookie");
  for (std::size_t i = 0; i < count; ++i) {
    const std::string header = req.get_header_value("Cookie", i);
    for (const std::string& part : text::Split(header, ';')) {
      const std::string_view pair = text::Trim(part);
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (text::Trim(pair.substr(0, eq)) == name)
        return std::string(text::Trim(pair.substr(eq + 1)));
    }
  }
  return std::nullopt;
}

void SetCookie(App& app, httplib::Response& res, std::string_view name, std::string_view value,
               const CookieOptions& options) {
  std::string cookie =
      fmt::format("{}={}; Path={}; SameSite={}", name, value, options.path, options.same_site);
  if (options.max_age_seconds >= 0) cookie += fmt::format("; Max-Age={}", options.max_age_seconds);
  if (options.http_only) cookie += "; HttpOnly";
  if (app.options().secure_cookies) cookie += "; Secure";
  res.headers.emplace("Set-Cookie", cookie);
}

namespace {
bool SameToken(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string SentCsrf(const httplib::Request& req) {
  std::string sent = req.get_header_value(kCsrfHeader);
  if (sent.empty()) sent = req.get_param_value(kCsrfField);
  if (sent.empty() && req.is_multipart_form_data() && req.has_file(kCsrfField)) {
    sent = req.get_file_value(kCsrfField).content;
  }
  return sent;
}
}  // namespace

bool CsrfMatches(const httplib::Request& req, const std::string& expected) {
  return SameToken(SentCsrf(req), expected);
}

std::string AnonymousCsrf(App& app, const httplib::Request& req, httplib::Response& res) {
  if (auto existing = Cookie(req, kAnonymousCsrfCookie); existing && existing->size() == 43) {
    return *existing;
  }
  std::string token = RandomToken();
  SetCookie(app, res, kAnonymousCsrfCookie, token, {-1, true, "Strict", "/"});
  return token;
}

bool AnonymousCsrfMatches(const httplib::Request& req) {
  const auto cookie = Cookie(req, kAnonymousCsrfCookie);
  return cookie && SameToken(SentCsrf(req), *cookie);
}

std::string FormValue(const httplib::Request& req, const std::string& name) {
  if (req.has_param(name.c_str())) {
    // A form field that is not UTF-8 counts as not filled in: it can be
    // neither shown back nor stored alike on SQLite and PostgreSQL.
    std::string value = req.get_param_value(name.c_str());
    return text::IsValidUtf8(value) ? value : std::string();
  }
  if (req.is_multipart_form_data() && req.has_file(name.c_str())) {
    return req.get_file_value(name.c_str()).content;
  }
  return "";
}

std::string Escape(std::string_view text) { return text::HtmlEscape(text); }

std::string CsrfInput(const std::string& token) {
  return fmt::format(R"(<input type="hidden" name="{}" value="{}">)", kCsrfField, Escape(token));
}

namespace {
std::string Navigation(const RequestContext& context) {
  if (!context.principal) {
    return R"(<nav aria-label="Hovedmeny"><ul><li><a href="/logg-inn">Logg inn</a></li></ul></nav>)";
  }
  const Principal& p = *context.principal;
  std::string links =
      R"(<li><a href="/">Oversikt</a></li><li><a href="/resultater">Resultater</a></li><li><a href="/utforsk">Utforsk resultater</a></li><li><a href="/kompetanse">Kompetansedeling</a></li>)";
  if (p.role == Role::kAdmin || p.role == Role::kMunicipal) {
    links += R"(<li><a href="/runder">Kartlegginger</a></li>)";
  }
  if (p.role != Role::kReader) links += R"(<li><a href="/rapporter">Rapporter</a></li>)";
  if (p.CanImport()) links += R"(<li><a href="/admin/import">Import</a></li>)";
  if (p.CanManageUsers()) {
    links +=
        R"(<li><a href="/admin/brukere">Brukere</a></li><li><a href="/admin/logg">Revisjonslogg</a></li>)";
  }
  return fmt::format(
      R"(<nav aria-label="Hovedmeny"><ul>{}</ul></nav><form class="logout" method="post" action="/logg-ut">{}<span>{} ({})</span> <button type="submit">Logg ut</button></form>)",
      links, CsrfInput(context.csrf), Escape(p.username), RoleLabel(p.role));
}
}  // namespace

std::string RenderPage(const PageOptions& options, const std::string& body_html) {
  std::string header;
  if (!options.survey) {
    const RequestContext none;
    header = fmt::format(R"(<header class="site"><a class="brand" href="/">Samkart</a>{}</header>)",
                         Navigation(options.context ? *options.context : none));
  }
  return fmt::format(
      R"(<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{} – Samkart</title>
<link rel="stylesheet" href="/static/samkart.css">
</head>
<body>
<a class="skip" href="#innhold">Gå til innholdet</a>
{}
<main id="innhold" tabindex="-1">
{}{}
</main>
<footer class="site"><p>Samkart – kompetansekartlegging BTI/BTS. Demodata er syntetiske.</p></footer>
</body>
</html>
)",
      Escape(options.title), header,
      options.heading ? fmt::format("<h1>{}</h1>\n", Escape(options.title)) : "", body_html);
}

void SendHtml(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_content(html, "text/html; charset=utf-8");
}

void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

bool IsApi(const httplib::Request& req) { return req.path.rfind("/api/", 0) == 0; }

void SendError(const httplib::Request& req, httplib::Response& res, int status,
               const std::string& message, const RequestContext* context) {
  if (IsApi(req)) {
    SendJson(res, status, {{"feil", message}, {"status", status}});
    return;
  }
  PageOptions page;
  page.title = status == 404   ? "Fant ikke siden"
               : status == 403 ? "Ingen tilgang"
               : status == 401 ? "Logg inn"
               : status == 503 ? "Midlertidig utilgjengelig"
               : status >= 500 ? "Noe gikk galt"
                               : "Kan ikke utføre forespørselen";
  page.context = context;
  SendHtml(
      res, status,
      RenderPage(page,
                 fmt::format(
                     R"(<p class="error" role="alert">{}</p><p><a href="/">Til oversikten</a></p>)",
                     Escape(message))));
}

std::string SiteTarget(const std::string& target) {
  if (target.empty() || target[0] != '/' || (target.size() > 1 && target[1] == '/')) return "/";
  for (const char c : target) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '\\') return "/";
  }
  return target;
}

void Redirect(httplib::Response& res, const std::string& to) {
  res.status = 303;
  res.set_header("Location", to);
}

void SendUnavailable(const httplib::Request& req, httplib::Response& res) {
  res.set_header("Retry-After", "30");
  SendError(req, res, 503,
            "Databasen svarer ikke akkurat nå, så siden kan ikke vises. Prøv igjen om litt; er du "
            "logget inn, er du det fortsatt.");
}

std::optional<Principal> RequireLogin(const httplib::Request& req, httplib::Response& res,
                                      const RequestContext& context) {
  if (context.principal) return context.principal;
  if (context.store_unavailable) {
    SendUnavailable(req, res);
    return std::nullopt;
  }
  if (IsApi(req) || req.method != "GET") {
    SendError(req, res, 401, "Du må logge inn.");
  } else {
    Redirect(res, "/logg-inn?videre=" + text::UrlEncode(req.target));
  }
  return std::nullopt;
}

std::optional<Principal> RequireLoginAndCsrf(const httplib::Request& req, httplib::Response& res,
                                             const RequestContext& context) {
  auto principal = RequireLogin(req, res, context);
  if (!principal) return std::nullopt;
  if (!CsrfMatches(req, context.csrf)) {
    SendError(req, res, 403,
              "Skjemaet mangler gyldig sikkerhetsnøkkel (CSRF). Last siden på nytt og prøv igjen.",
              &context);
    return std::nullopt;
  }
  return principal;
}

}  // namespace samkart::web
