// Logging in and out, and the overview page each role lands on.
#include <thread>

#include <fmt/format.h>

#include "samkart/core/sha256.h"
#include "samkart/core/utc_time.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"

namespace samkart::web {

namespace {

std::string ExpiresAt(int hours) {
  return UtcTimestamp(std::chrono::system_clock::now() + std::chrono::hours(hours));
}

struct LoginResult {
  int status = 200;
  std::string message;  // why it failed
  std::string csrf;     // the new session's CSRF token
};

// Checks the password, throttles, audits, and on success sets the session cookie.
LoginResult LogIn(App& app, const httplib::Request& req, httplib::Response& res,
                  const std::string& username, const std::string& password) {
  const std::string address = ClientAddress(app, req);
  const auto verdict = app.login_guard().Check(address, username);
  if (verdict.wait_seconds > 0) {
    app.Audit(username, "login_throttled", fmt::format("fra {}", address));
    return {429,
            fmt::format("For mange mislykkede forsøk. Vent {} sekunder og prøv igjen.",
                        verdict.wait_seconds),
            ""};
  }
  // A name tried from many addresses: every attempt waits a little.
  std::this_thread::sleep_for(verdict.delay);
  auto user = app.WithStore([&](store::Store& store) { return store.FindUser(username); });
  if (!user.ok()) return {500, "Brukerne kunne ikke leses.", ""};
  // A missing user costs the same hashing time as a wrong password, so the
  // answer's timing does not tell which user names exist.
  static const std::string dummy_hash = HashPassword(RandomToken()).value();
  const bool verified = VerifyPassword(password, *user ? (*user)->password_hash : dummy_hash);
  const std::optional<Principal> principal =
      verified && *user ? Principal::FromUser(**user) : std::nullopt;
  if (!principal) {
    app.login_guard().RecordFailure(address, username);
    app.Audit(username, "login_failed", fmt::format("fra {}", address));
    return {401, "Feil brukernavn eller passord.", ""};
  }
  app.login_guard().RecordSuccess(address, username);
  const std::string token = RandomToken();
  store::Session session{Sha256Hex(token), principal->user_id, RandomToken(),
                         ExpiresAt(app.options().session_hours)};
  auto stored = app.WithStore([&](store::Store& store) { return store.AddSession(session); });
  if (!stored.ok()) return {500, "Økten kunne ikke lagres.", ""};
  SetCookie(app, res, kSessionCookie, token,
            {app.options().session_hours * 3600, true, "Lax", "/"});
  app.Audit(username, "login", fmt::format("fra {}", address));
  return {200, "", session.csrf_token};
}

std::string LoginForm(const std::string& csrf, const std::string& next, const std::string& username,
                      const std::string& error) {
  std::string out;
  if (!error.empty()) {
    out += fmt::format(R"(<p class="error" role="alert" id="feil">{}</p>)", Escape(error));
  }
  out += fmt::format(
      R"(<form method="post" action="/logg-inn">{}<input type="hidden" name="videre" value="{}">
<label for="brukernavn">Brukernavn</label>
<input type="text" id="brukernavn" name="brukernavn" autocomplete="username" required value="{}"{}>
<label for="passord">Passord</label>
<input type="password" id="passord" name="passord" autocomplete="current-password" required{}>
<div class="actions"><button type="submit">Logg inn</button></div>
</form>
<p class="hint">Respondenter trenger ikke å logge inn: bruk lenken du har fått til spørreskjemaet.</p>)",
      CsrfInput(csrf), Escape(next), Escape(username),
      error.empty() ? "" : R"( aria-describedby="feil")",
      error.empty() ? "" : R"( aria-describedby="feil")");
  return out;
}

std::string Overview(App& app, const RequestContext& context) {
  const Principal& p = *context.principal;
  std::string scope;
  if (p.role == Role::kRegional) scope = fmt::format(" for region {}", Escape(*p.region));
  if (p.role == Role::kMunicipal) scope = fmt::format(" for kommune {}", *p.municipality);
  std::string body =
      fmt::format(R"(<p>Du er logget inn som <strong>{}</strong>: {}{}.</p><ul class="overview">)",
                  Escape(p.username), RoleLabel(p.role), scope);
  body +=
      R"(<li><a href="/resultater">Resultater</a>: ferdige figurer for kommunen, regionen eller landet.</li>)"
      R"(<li><a href="/utforsk">Utforsk resultater</a>: velg spørsmål, inndeling og sammenligning.</li>)"
      R"(<li><a href="/kompetanse">Kompetansedeling</a>: hvor kunnskapen er, hvem som kan dele med hvem, og samarbeidet over overgangene.</li>)";
  if (p.role == Role::kAdmin || p.role == Role::kMunicipal) {
    body +=
        R"(<li><a href="/runder">Kartlegginger</a>: opprett en runde, del lenken, følg svarprosenten.</li>)";
  }
  if (p.role != Role::kReader) {
    body +=
        R"(<li><a href="/rapporter">Rapporter</a>: last ned rapporter som HTML, PDF eller Excel.</li>)";
  }
  if (p.CanImport()) {
    body +=
        R"(<li><a href="/admin/import">Import</a>: last opp eksportfiler fra spørreverktøy.</li>)";
  }
  if (p.CanManageUsers()) {
    body +=
        R"(<li><a href="/admin/brukere">Brukere</a> og <a href="/admin/logg">revisjonslogg</a>.</li>)";
  }
  body += "</ul>";
  const auto data = app.dataset();
  body += fmt::format(R"(<p class="hint">Databasen har {} respondenter.</p>)", data->rows);
  return body;
}

}  // namespace

void RegisterAuthRoutes(httplib::Server& server, App& app) {
  server.Get("/logg-inn", [&app](const httplib::Request& req, httplib::Response& res) {
    const std::string csrf = AnonymousCsrf(app, req, res);
    PageOptions page{"Logg inn"};
    SendHtml(res, 200,
             RenderPage(page, LoginForm(csrf, SiteTarget(req.get_param_value("videre")), "", "")));
  });

  server.Post("/logg-inn", [&app](const httplib::Request& req, httplib::Response& res) {
    const std::string username = FormValue(req, "brukernavn");
    const std::string next = SiteTarget(FormValue(req, "videre"));
    if (!AnonymousCsrfMatches(req)) {
      const std::string csrf = AnonymousCsrf(app, req, res);
      SendHtml(res, 403,
               RenderPage({"Logg inn"},
                          LoginForm(csrf, next, username, "Skjemaet var utløpt. Prøv igjen.")));
      return;
    }
    const LoginResult result = LogIn(app, req, res, username, FormValue(req, "passord"));
    if (result.status != 200) {
      const std::string csrf = AnonymousCsrf(app, req, res);
      SendHtml(res, result.status,
               RenderPage({"Logg inn"}, LoginForm(csrf, next, username, result.message)));
      return;
    }
    Redirect(res, next);
  });

  server.Post("/logg-ut", [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    if (!RequireLoginAndCsrf(req, res, context)) return;
    // A failure is logged by WithStore; the cookie and this server's cache
    // go either way, and the stored session ends when it expires.
    (void)app.WithStore(
        [&](store::Store& store) { return store.DeleteSession(context.session_hash); });
    app.ForgetSession(context.session_hash);
    SetCookie(app, res, kSessionCookie, "", {0, true, "Lax", "/"});
    app.Audit(context.principal->username, "logout", "");
    Redirect(res, "/logg-inn");
  });

  server.Get("/", [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    if (!RequireLogin(req, res, context)) return;
    PageOptions page{"Samkart"};
    page.context = &context;
    SendHtml(res, 200, RenderPage(page, Overview(app, context)));
  });

  // JSON login for scripts and the API: {"brukernavn": …, "passord": …}.
  // Cross-site pages cannot send a JSON body without CORS, which this
  // server never grants, so the content type is the CSRF guard here.
  server.Post("/api/logg-inn", [&app](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
      SendError(req, res, 415, "Send JSON (Content-Type: application/json).");
      return;
    }
    const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("brukernavn") ||
        !body["brukernavn"].is_string() || !body.contains("passord") ||
        !body["passord"].is_string()) {
      SendError(req, res, 400, "Ugyldig JSON: ventet {\"brukernavn\": tekst, \"passord\": tekst}.");
      return;
    }
    const LoginResult result = LogIn(app, req, res, body["brukernavn"].get<std::string>(),
                                     body["passord"].get<std::string>());
    if (result.status != 200) {
      SendError(req, res, result.status, result.message);
      return;
    }
    SendJson(res, 200, {{"csrf", result.csrf}});
  });

  server.Get("/api/meg", [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = RequireLogin(req, res, context);
    if (!principal) return;
    nlohmann::json me = {{"brukernavn", principal->username},
                         {"rolle", RoleKey(principal->role)},
                         {"csrf", context.csrf}};
    if (principal->region) me["region"] = *principal->region;
    if (principal->municipality) me["kommune"] = *principal->municipality;
    SendJson(res, 200, me);
  });
}

}  // namespace samkart::web
