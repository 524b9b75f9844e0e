// Users and the audit log: national administrators create accounts, set
// roles, scopes and passwords, disable users and read the log.
#include <algorithm>
#include <charconv>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "samkart/anonymise/k_anonymity.h"
#include "samkart/core/text.h"
#include "samkart/import/importer.h"
#include "samkart/io/text_file.h"
#include "samkart/report/html_renderer.h"
#include "samkart/report/municipality_report.h"
#include "samkart/report/national_report.h"
#include "samkart/report/pdf_renderer.h"
#include "samkart/report/report_writer.h"
#include "samkart/report/xlsx_renderer.h"
#include "samkart/web/accounts.h"
#include "samkart/web/admin.h"
#include "samkart/web/admin_pages.h"
#include "samkart/web/form_errors.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"

namespace samkart::web::admin {

namespace {

namespace fs = std::filesystem;

constexpr const char* kUsersRefusal = "Bare nasjonale administratorer kan administrere brukere.";
constexpr const char* kLogRefusal = "Bare nasjonale administratorer kan se revisjonsloggen.";

constexpr Role kRoles[] = {Role::kAdmin, Role::kRegional, Role::kMunicipal, Role::kReader};

std::string ScopeText(App& app, const store::User& user,
                      const std::map<int, store::Municipality>& register_) {
  if (user.region) return "Region " + RegionLabel(app, *user.region);
  if (user.municipality) {
    const auto found = register_.find(*user.municipality);
    return fmt::format("Kommune {}{}", *user.municipality,
                       found == register_.end() ? "" : " " + found->second.name);
  }
  return "Hele landet";
}

std::string RoleText(const std::string& key) {
  const auto role = ParseRole(key);
  return role ? RoleLabel(*role) : key;
}

// The role, region and municipality fields, with `user`'s values selected.
std::string ScopeFields(App& app, const std::map<int, store::Municipality>& register_,
                        const std::string& id_prefix, const store::User* user,
                        const FormErrors& errors) {
  std::string roles;
  for (const Role role : kRoles) {
    roles += fmt::format(R"(<option value="{}"{}>{}</option>)", RoleKey(role),
                         user && user->role == RoleKey(role) ? " selected" : "", RoleLabel(role));
  }
  std::string regions = R"(<option value="">Ingen</option>)";
  for (const auto& r : app.instrument().regions) {
    regions += fmt::format(R"(<option value="{}"{}>{}</option>)", Escape(r.key),
                           user && user->region == r.key ? " selected" : "", Escape(r.label));
  }
  std::string municipalities = R"(<option value="">Ingen</option>)";
  for (const auto& [number, m] : register_) {
    municipalities += fmt::format(R"(<option value="{}"{}>{} {}</option>)", number,
                                  user && user->municipality == number ? " selected" : "", number,
                                  Escape(m.name));
  }
  const std::string role_id = id_prefix + "rolle";
  const std::string region_id = id_prefix + "region";
  const std::string municipality_id = id_prefix + "kommune";
  return fmt::format(
      R"(<label for="{0}">Rolle</label>{4}
<select id="{0}" name="rolle"{5}>{6}</select>
<label for="{1}">KORUS-region <span class="hint">(for regionale analytikere)</span></label>{7}
<select id="{1}" name="region"{8}>{9}</select>
<label for="{2}">Kommune <span class="hint">(for kommunekoordinatorer)</span></label>{10}
<select id="{2}" name="kommune"{11}>{3}</select>)",
      role_id, region_id, municipality_id, municipalities, errors.Message(role_id),
      errors.Attributes(role_id), roles, errors.Message(region_id), errors.Attributes(region_id),
      regions, errors.Message(municipality_id), errors.Attributes(municipality_id));
}

std::string PasswordFields(const std::string& id_prefix, const FormErrors& errors) {
  const std::string id = id_prefix + "passord";
  return fmt::format(
      R"(<label for="{0}passord">Passord <span class="hint">(minst 12 tegn; eller la feltet stå tomt og kryss av under)</span></label>{1}
<input type="password" id="{0}passord" name="passord" autocomplete="new-password"{2}>
<div class="check"><input type="checkbox" id="{0}generer" name="generer" value="1"> <label for="{0}generer">Lag et tilfeldig passord (vises én gang)</label></div>)",
      id_prefix, errors.Message(id), errors.Attributes(id));
}

// Role and scope from the form, checked against the instrument and the
// register. An error goes to the field it concerns (`id_prefix` + rolle,
// region or kommune): the role when it is unknown, else the scope the role
// needs.
std::optional<store::User> ReadScope(App& app, const httplib::Request& req,
                                     const std::map<int, store::Municipality>& register_,
                                     const std::string& id_prefix, FormErrors& errors) {
  AccountScope scope{FormValue(req, "rolle"), FormValue(req, "region"), std::nullopt};
  if (const std::string value = FormValue(req, "kommune"); !value.empty()) {
    const auto number = text::ParseInt(value);
    if (!number) {
      errors.Add(
          id_prefix + "kommune",
          fmt::format("Kommunen «{}» finnes ikke i kommuneregisteret.", PrintableName(value)));
      return std::nullopt;
    }
    scope.municipality = *number;
  }
  auto user = ScopedUser(scope, app.instrument(), register_);
  if (user.ok()) return *user;
  const auto role = ParseRole(scope.role);
  const char* field = !role                       ? "rolle"
                      : *role == Role::kRegional  ? "region"
                      : *role == Role::kMunicipal ? "kommune"
                                                  : "rolle";
  errors.Add(id_prefix + field, user.error().message);
  return std::nullopt;
}

// What the new-user form held, shown again after an error.
store::User TypedUser(const httplib::Request& req) {
  store::User user;
  user.username = FormValue(req, "brukernavn");
  user.role = FormValue(req, "rolle");
  if (auto region = FormValue(req, "region"); !region.empty()) user.region = region;
  user.municipality = text::ParseInt(FormValue(req, "kommune"));
  return user;
}

struct NewPassword {
  std::string password;
  bool generated = false;
};

Result<NewPassword> ReadPassword(const httplib::Request& req) {
  if (FormValue(req, "generer") == "1") return NewPassword{RandomToken(15), true};
  const std::string password = FormValue(req, "passord");
  if (password.empty()) {
    return Error{"Skriv et passord, eller kryss av for å lage et tilfeldig."};
  }
  if (auto weak = WeakPasswordReason(password)) {
    std::string message = *weak;  // «passordet må …» → «Passordet må …»
    if (!message.empty() && message[0] >= 'a' && message[0] <= 'z') {
      message[0] = static_cast<char>(message[0] - 'a' + 'A');
    }
    return Error{message + "."};
  }
  return NewPassword{password, false};
}

std::string GeneratedPasswordNotice(const std::string& username, const NewPassword& password) {
  if (!password.generated) return "";
  return fmt::format(
      R"(<div class="notice" role="status"><p>Passordet til <strong>{}</strong> er <code class="secret">{}</code></p><p>Det vises bare denne ene gangen. Gi det til brukeren på en trygg måte.</p></div>)",
      Escape(username), Escape(password.password));
}

std::string UsersPage(App& app, const RequestContext& context, const std::string& result_html,
                      const store::User* typed = nullptr, const FormErrors& errors = {}) {
  const auto register_ = Register(app);
  auto users = app.WithStore([](store::Store& store) { return store.Users(); });
  std::string body = result_html;
  if (!users.ok()) {
    body += Alert("Brukerne kunne ikke leses: " + users.error().message);
  } else {
    std::string rows;
    for (const auto& u : *users) {
      rows += fmt::format(
          R"(<tr><td><a href="/admin/brukere/{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>)",
          u.id, Escape(u.username), Escape(RoleText(u.role)), Escape(ScopeText(app, u, register_)),
          u.active ? "Aktiv" : "Deaktivert", Escape(u.created_at));
    }
    body += ScrollRegion(
        "Brukere",
        fmt::format(
            R"(<table><caption>Brukere ({})</caption><thead><tr><th scope="col">Brukernavn</th><th scope="col">Rolle</th><th scope="col">Omfang</th><th scope="col">Status</th><th scope="col">Opprettet (UTC)</th></tr></thead><tbody>{}</tbody></table>)",
            users->size(), rows));
  }
  body += fmt::format(
      R"(<h2 id="ny-bruker">Ny bruker</h2>
<form method="post" action="/admin/brukere" aria-labelledby="ny-bruker">{}{}
<label for="ny-brukernavn">Brukernavn <span class="hint">(1–64 tegn, uten mellomrom, &lt;, &gt;, ", ' og &amp;)</span></label>{}
<input type="text" id="ny-brukernavn" name="brukernavn" required maxlength="64" autocomplete="off" value="{}"{}>
{}
{}
<div class="actions"><button type="submit">Opprett bruker</button></div>
</form>)",
      errors.Summary("Brukeren ble ikke opprettet"), CsrfInput(context.csrf),
      errors.Message("ny-brukernavn"), Escape(typed ? typed->username : ""),
      errors.Attributes("ny-brukernavn"), ScopeFields(app, register_, "ny-", typed, errors),
      PasswordFields("ny-", errors));
  return Page(context, "Brukere", body);
}

std::string UserPage(App& app, const RequestContext& context, const store::User& user,
                     const std::string& result_html, const FormErrors& errors = {}) {
  const auto register_ = Register(app);
  const bool self = context.principal->user_id == user.id;
  std::string body = result_html;
  body += fmt::format(
      R"(<dl class="facts"><dt>Rolle</dt><dd>{}</dd><dt>Omfang</dt><dd>{}</dd><dt>Status</dt><dd>{}</dd><dt>Opprettet</dt><dd>{}</dd></dl>)",
      Escape(RoleText(user.role)), Escape(ScopeText(app, user, register_)),
      user.active ? "Aktiv" : "Deaktivert", Escape(user.created_at));
  const std::string action = fmt::format("/admin/brukere/{}", user.id);
  body += errors.Summary("Endringen ble ikke lagret");
  body += fmt::format(
      R"(<h2>Rolle og omfang</h2>
<form method="post" action="{}/rolle">{}
{}
<div class="actions"><button type="submit">Lagre rolle og omfang</button></div>
</form>
<h2>Nytt passord</h2>
<form method="post" action="{}/passord">{}
{}
<p class="hint">Brukeren logges ut av alle økter.</p>
<div class="actions"><button type="submit">Sett nytt passord</button></div>
</form>
<h2>Tilgang</h2>)",
      action, CsrfInput(context.csrf), ScopeFields(app, register_, "", &user, errors), action,
      CsrfInput(context.csrf), PasswordFields("", errors));
  if (self) {
    body += R"(<p class="hint">Du kan ikke deaktivere deg selv.</p>)";
  } else {
    body += fmt::format(
        R"(<form method="post" action="{}/status">{}<input type="hidden" name="aktiv" value="{}"><div class="actions"><button type="submit" class="secondary">{}</button></div></form>)",
        action, CsrfInput(context.csrf), user.active ? "0" : "1",
        user.active ? "Deaktiver brukeren" : "Aktiver brukeren igjen");
  }
  body += R"(<p><a href="/admin/brukere">Tilbake til brukerne</a></p>)";
  PageOptions page{"Bruker " + user.username};
  page.context = &context;
  return RenderPage(page, body);
}

// The user whose id is in the path, or nullopt after answering 404.
std::optional<store::User> PathUser(App& app, const httplib::Request& req, httplib::Response& res,
                                    const RequestContext& context) {
  const auto id = ParseId(req.matches[1]);
  if (id) {
    auto found = app.WithStore([&](store::Store& store) { return store.FindUserById(*id); });
    if (found.ok() && *found) return **found;
  }
  SendError(req, res, 404, "Brukeren finnes ikke.", &context);
  return std::nullopt;
}

}  // namespace

namespace {

void ShowUsers(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  if (!Gate(req, res, context, &Principal::CanManageUsers, kUsersRefusal, false)) return;
  SendHtml(res, 200, UsersPage(app, context, ""));
}

void CreateUser(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  const auto principal = Gate(req, res, context, &Principal::CanManageUsers, kUsersRefusal, true);
  if (!principal) return;
  // Every field is checked, so one answer names all that is wrong; the
  // page keeps what was typed (except the password).
  FormErrors errors;
  const store::User typed = TypedUser(req);
  const std::string username = typed.username;
  if (auto valid = CheckUsername(username); !valid.ok()) {
    errors.Add("ny-brukernavn", valid.error().message);
  }
  const auto register_ = Register(app);
  const auto scope = ReadScope(app, req, register_, "ny-", errors);
  auto password = ReadPassword(req);
  if (!password.ok()) errors.Add("ny-passord", password.error().message);
  auto fail = [&] { SendHtml(res, 400, UsersPage(app, context, "", &typed, errors)); };
  if (!errors.empty()) return fail();
  store::User user = *scope;
  user.username = username;
  auto added = app.WithStore(
      [&](store::Store& store) { return CreateAccount(store, user, password->password); });
  if (!added.ok()) {
    errors.Add(added.error().code == ErrorCode::kConflict ? "ny-brukernavn" : "",
               added.error().message);
    return fail();
  }
  app.Audit(principal->username, "user_add",
            fmt::format("{} ({}, {})", username, user.role, ScopeText(app, user, register_)));
  SendHtml(res, 200,
           UsersPage(app, context,
                     StatusNotice(fmt::format("Brukeren {} er opprettet.", username)) +
                         GeneratedPasswordNotice(username, *password)));
}

void ShowUser(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  if (!Gate(req, res, context, &Principal::CanManageUsers, kUsersRefusal, false)) {
    return;
  }
  const auto user = PathUser(app, req, res, context);
  if (!user) return;
  SendHtml(res, 200, UserPage(app, context, *user, ""));
}

void ChangeUser(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  const auto principal = Gate(req, res, context, &Principal::CanManageUsers, kUsersRefusal, true);
  if (!principal) return;
  auto user = PathUser(app, req, res, context);
  if (!user) return;
  const std::string what = req.matches[2];
  const bool self = user->id == principal->user_id;
  FormErrors errors;
  auto fail = [&](const std::string& field, const std::string& message) {
    errors.Add(field, message);
    SendHtml(res, 400, UserPage(app, context, *user, "", errors));
  };
  auto save = [&](bool end_sessions) {
    auto saved =
        app.WithStore([&](store::Store& store) { return SaveAccount(store, *user, end_sessions); });
    // Role, scope and status apply to the next request, not after the cache's seconds.
    app.ForgetSessionsOf(user->id);
    return saved;
  };
  std::string done;
  NewPassword password;
  if (what == "rolle") {
    const auto register_ = Register(app);
    const auto scope = ReadScope(app, req, register_, "", errors);
    if (!scope) return SendHtml(res, 400, UserPage(app, context, *user, "", errors));
    if (self && scope->role != user->role) {
      return fail("rolle", "Du kan ikke endre din egen rolle. Be en annen administrator om det.");
    }
    const std::string before = fmt::format("{}, {}", user->role, ScopeText(app, *user, register_));
    user->role = scope->role;
    user->region = scope->region;
    user->municipality = scope->municipality;
    if (auto saved = save(false); !saved.ok()) return fail("", saved.error().message);
    app.Audit(principal->username, "user_change",
              fmt::format("{}: {} → {}, {}", user->username, before, user->role,
                          ScopeText(app, *user, register_)));
    done = "Rollen og omfanget er lagret.";
  } else if (what == "passord") {
    auto read = ReadPassword(req);
    if (!read.ok()) return fail("passord", read.error().message);
    password = *read;
    if (auto set = SetPassword(*user, password.password); !set.ok()) {
      return fail("passord", set.error().message);
    }
    if (auto saved = save(!self); !saved.ok()) return fail("", saved.error().message);
    app.Audit(principal->username, "user_password",
              fmt::format("{} ({})", user->username, password.generated ? "generert" : "satt"));
    done = "Passordet er endret.";
  } else {
    const std::string value = FormValue(req, "aktiv");
    if (value != "0" && value != "1") return fail("", "Ugyldig verdi for «aktiv».");
    const bool active = value == "1";
    if (self && !active) return fail("", "Du kan ikke deaktivere deg selv.");
    user->active = active;
    if (auto saved = save(!active); !saved.ok()) return fail("", saved.error().message);
    app.Audit(principal->username, active ? "user_enable" : "user_disable", user->username);
    done = active ? "Brukeren er aktivert igjen." : "Brukeren er deaktivert og logget ut.";
  }
  SendHtml(res, 200,
           UserPage(app, context, *user,
                    StatusNotice(done) + GeneratedPasswordNotice(user->username, password)));
}

void ShowAuditLog(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  if (!Gate(req, res, context, &Principal::CanManageUsers, kLogRefusal, false)) return;
  auto log = app.WithStore([](store::Store& store) { return store.AuditLog(500); });
  if (!log.ok()) {
    SendError(req, res, 500, "Revisjonsloggen kunne ikke leses.", &context);
    return;
  }
  std::string rows;
  for (const auto& e : *log) {
    rows += fmt::format(R"(<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>)", Escape(e.at),
                        Escape(e.username), Escape(e.action), Escape(e.detail));
  }
  SendHtml(
      res, 200,
      Page(
          context, "Revisjonslogg",
          fmt::format(
              R"(<p>De siste {} hendelsene, nyeste først.</p>{})", log->size(),
              ScrollRegion(
                  "Revisjonslogg",
                  fmt::format(
                      R"(<table><caption>Revisjonslogg</caption><thead><tr><th scope="col">Tidspunkt (UTC)</th><th scope="col">Bruker</th><th scope="col">Handling</th><th scope="col">Detaljer</th></tr></thead><tbody>{}</tbody></table>)",
                      rows)))));
}

}  // namespace

void RegisterUserRoutes(httplib::Server& server, App& app) {
  server.Get("/admin/brukere", [&app](const httplib::Request& req, httplib::Response& res) {
    ShowUsers(app, req, res);
  });

  server.Post("/admin/brukere", [&app](const httplib::Request& req, httplib::Response& res) {
    CreateUser(app, req, res);
  });

  server.Get(
      R"(/admin/brukere/(\d{1,18}))",
      [&app](const httplib::Request& req, httplib::Response& res) { ShowUser(app, req, res); });

  server.Post(
      R"(/admin/brukere/(\d{1,18})/(rolle|passord|status))",
      [&app](const httplib::Request& req, httplib::Response& res) { ChangeUser(app, req, res); });

  server.Get("/admin/logg", [&app](const httplib::Request& req, httplib::Response& res) {
    ShowAuditLog(app, req, res);
  });
}

}  // namespace samkart::web::admin
