// Survey rounds for administrators and municipality coordinators: create a
// round (one anonymous link for the round and one per invited service),
// follow the response rate live, and close the round, which anonymises the
// answers and stores them as one batch.
//
//   GET  /runder                        the rounds the user may see, a form to create one
//   POST /runder                        creates a round (audit round_create)
//   GET  /runder/{id}                   links, response rate, «Avslutt runden»
//   GET  /api/runder/{id}/svarprosent   the response rate as JSON
//   POST /runder/{id}/avslutt           closes the round (audit round_close)
//
// A coordinator sees and creates only rounds of their own municipality;
// regional analysts and readers get 403.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"
#include "samkart/web/survey.h"

namespace samkart::web {

namespace {

bool MayRunSurveys(const Principal& p) {
  return p.role == Role::kAdmin || p.role == Role::kMunicipal;
}

int CurrentYear() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return tm.tm_year + 1900;
}

// Services a round may invite: those the current questionnaire asks about
// (its crosswalk's categories), in the instrument's order.
std::vector<const instrument::Service*> InvitableServices(
    const instrument::Instrument& instrument) {
  std::set<int> offered;
  if (const auto* generation = instrument.CurrentGeneration()) {
    if (const auto* crosswalk = instrument.FindCrosswalk(generation->id)) {
      for (const auto& v : crosswalk->variables) {
        if (v.role == instrument::SourceRole::kBackground && v.target == "service") {
          for (const auto& m : v.categories) offered.insert(m.target_code);
        }
      }
    }
  }
  std::vector<const instrument::Service*> out;
  for (const auto& s : instrument.services) {
    if (s.answers_survey && offered.count(s.code) && s.code != instrument.UnstatedService().code) {
      out.push_back(&s);
    }
  }
  return out;
}

// Where survey links point: the configured public address, else the
// address the request reached; never the request's Host header, which
// whoever sends the request chooses.
std::string BaseUrl(App& app, const httplib::Request& req) {
  const ServeOptions& options = app.options();
  if (!options.public_url.empty()) {
    std::string url = options.public_url;
    while (url.ends_with('/')) url.pop_back();
    return url;
  }
  const bool https =
      (!options.tls_cert.empty() && !options.tls_key.empty()) || options.secure_cookies;
  const bool ipv6 = req.local_addr.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}", https ? "https" : "http", ipv6 ? "[" : "", req.local_addr,
                     ipv6 ? "]" : "", req.local_port);
}

std::string MunicipalityName(const std::vector<store::Municipality>& register_, int number) {
  for (const auto& m : register_) {
    if (m.number == number) return m.name;
  }
  return std::to_string(number);
}

struct CreateForm {
  std::string municipality;
  std::string year;
  std::string round_type = "baseline";
  std::map<std::string, std::string> invited;  // service key → as typed
};

std::string ErrorList(const std::vector<std::string>& errors) {
  if (errors.empty()) return "";
  std::string out =
      R"(<div class="error-summary" role="alert"><h2>Runden ble ikke opprettet</h2><ul>)";
  for (const auto& e : errors) out += "<li>" + Escape(e) + "</li>";
  return out + "</ul></div>";
}

std::string RoundsPage(App& app, const RequestContext& context, const CreateForm& form,
                       const std::vector<std::string>& errors) {
  const Principal& p = *context.principal;
  const instrument::Instrument& instrument = app.instrument();
  auto data = app.WithStore(
      [&](store::Store& store)
          -> Result<std::pair<std::vector<store::SurveyRound>, std::vector<store::Municipality>>> {
        auto rounds = store.SurveyRounds();
        if (!rounds.ok()) return rounds.error();
        auto municipalities = store.Municipalities();
        if (!municipalities.ok()) return municipalities.error();
        return std::make_pair(std::move(rounds).value(), std::move(municipalities).value());
      });
  if (!data.ok()) {
    return R"(<p class="error" role="alert">Rundene kunne ikke leses.</p>)";
  }
  const auto& [rounds, municipalities] = *data;

  std::string body = ErrorList(errors);
  std::string rows;
  for (const auto& r : rounds) {
    if (!p.CanRunSurvey(r.municipality)) continue;
    rows += fmt::format(
        R"(<tr><td><a href="/runder/{}">{} {}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>)",
        r.id, Escape(MunicipalityName(municipalities, r.municipality)), r.year, r.municipality,
        Escape(instrument.RoundTypeLabel(r.round_type)), r.status == "open" ? "Åpen" : "Avsluttet");
  }
  body += "<h2>Runder</h2>";
  if (rows.empty()) {
    body += "<p>Ingen runder ennå.</p>";
  } else {
    body +=
        R"(<div class="table-wrap"><table><caption>Kartleggingsrunder</caption><thead><tr>)"
        R"(<th scope="col">Runde</th><th scope="col">Kommunenummer</th><th scope="col">Type</th>)"
        R"(<th scope="col">Status</th></tr></thead><tbody>)" +
        rows + "</tbody></table></div>";
  }

  body +=
      R"(<h2>Opprett en runde</h2><form method="post" action="/runder">)" + CsrfInput(context.csrf);
  if (p.IsAdmin()) {
    body += R"(<label for="kommune">Kommune</label><select id="kommune" name="kommune" required>)";
    for (const auto& m : municipalities) {
      body += fmt::format(R"(<option value="{}"{}>{} {}</option>)", m.number,
                          form.municipality == std::to_string(m.number) ? " selected" : "",
                          m.number, Escape(m.name));
    }
    body += "</select>";
  } else if (p.municipality) {
    body += fmt::format(
        R"(<p>Kommune: <strong>{} {}</strong></p><input type="hidden" name="kommune" value="{}">)",
        *p.municipality, Escape(MunicipalityName(municipalities, *p.municipality)),
        *p.municipality);
  }
  const std::string year = form.year.empty() ? std::to_string(CurrentYear()) : form.year;
  body += fmt::format(
      R"(<label for="aar">År</label><input type="number" id="aar" name="aar" min="{}" max="{}" required value="{}">)",
      CurrentYear() - 1, CurrentYear() + 1, Escape(year));
  body += R"(<fieldset class="item"><legend>Type runde</legend>)";
  for (const auto& r : instrument.round_types) {
    body += fmt::format(
        R"(<label for="type-{0}"><input type="radio" id="type-{0}" name="type" value="{0}"{1}> {2}</label>)",
        Escape(r.key), form.round_type == r.key ? " checked" : "", Escape(r.label));
  }
  body += "</fieldset>";
  body += R"(<fieldset><legend>Antall ansatte invitert per tjeneste</legend>)"
          R"(<p class="hint">Skriv 0 for tjenester som ikke er med i runden. Hver tjeneste som er )"
          R"(med, får sin egen lenke.</p><div class="invited">)";
  for (const auto* s : InvitableServices(instrument)) {
    const auto typed = form.invited.find(s->key);
    body += fmt::format(
        R"(<div><label for="inviterte-{0}">{1}</label><input type="number" id="inviterte-{0}" name="inviterte_{0}" min="0" max="{3}" value="{2}"></div>)",
        Escape(s->key), Escape(s->label), Escape(typed == form.invited.end() ? "0" : typed->second),
        app.options().limits.max_invited_per_service);
  }
  body +=
      R"(</div></fieldset><div class="actions"><button type="submit">Opprett runden</button></div></form>)";
  return body;
}

void SendRoundsPage(App& app, httplib::Response& res, const RequestContext& context, int status,
                    const CreateForm& form, const std::vector<std::string>& errors) {
  PageOptions page;
  page.title = "Kartlegginger";
  page.context = &context;
  SendHtml(res, status, RenderPage(page, RoundsPage(app, context, form, errors)));
}

// The logged-in principal if they may work with survey rounds at all.
std::optional<Principal> RequireSurveyRole(const httplib::Request& req, httplib::Response& res,
                                           const RequestContext& context, bool state_changing) {
  auto principal =
      state_changing ? RequireLoginAndCsrf(req, res, context) : RequireLogin(req, res, context);
  if (!principal) return std::nullopt;
  if (!MayRunSurveys(*principal)) {
    SendError(req, res, 403,
              "Bare administratorer og kommunekoordinatorer kan arbeide med kartleggingsrunder.",
              &context);
    return std::nullopt;
  }
  return principal;
}

// The round in the path that the principal may run, or nullopt after answering 404/403.
std::optional<store::SurveyRound> FindRound(App& app, const httplib::Request& req,
                                            httplib::Response& res, const RequestContext& context,
                                            const Principal& principal) {
  const auto id = text::ParseInt(std::string(req.matches[1]));
  auto rounds = app.WithStore([](store::Store& store) { return store.SurveyRounds(); });
  if (!rounds.ok()) {
    SendError(req, res, 500, "Rundene kunne ikke leses.", &context);
    return std::nullopt;
  }
  // Another municipality's round gets the same answer as one that does not
  // exist, so round numbers tell nothing about other municipalities.
  for (auto& r : *rounds) {
    if (id && r.id == *id && principal.CanRunSurvey(r.municipality)) return std::move(r);
  }
  SendError(req, res, 404, "Runden finnes ikke, eller den er ikke din.", &context);
  return std::nullopt;
}

Result<ResponseRate> RateOf(App& app, const store::SurveyRound& round) {
  auto counts = app.WithStore([&](store::Store& s) { return s.SurveyResponseCounts(round.id); });
  if (!counts.ok()) return counts.error();
  return ComputeResponseRate(app.instrument(), round, *counts, app.options().k);
}

std::string RoundPage(App& app, const httplib::Request& req, const RequestContext& context,
                      const store::SurveyRound& round, const std::string& error) {
  const instrument::Instrument& instrument = app.instrument();
  std::string body;
  if (!error.empty()) {
    body += fmt::format(R"(<div class="error-summary" role="alert"><h2>Runden ble ikke )"
                        R"(avsluttet</h2><p>{}</p></div>)",
                        Escape(error));
  }
  body += fmt::format("<p>{}, spørreskjema {}. Status: <strong>{}</strong>.</p>",
                      Escape(instrument.RoundTypeLabel(round.round_type)), Escape(round.generation),
                      round.status == "open" ? "åpen" : "avsluttet");
  if (round.status != "open") {
    body += fmt::format(
        "<p>Runden er avsluttet, og svarene er anonymisert og lagret{}. De inngår i "
        "resultatene.</p>",
        round.batch_id ? fmt::format(" (import {})", *round.batch_id) : "");
    body += R"(<p><a href="/runder">Til alle rundene</a></p>)";
    return body;
  }

  const std::string base = BaseUrl(app, req);
  body +=
      R"(<h2>Lenker til skjemaet</h2><p>Send lenken for tjenesten til de ansatte i den. )"
      R"(Fellesslenken lar respondenten velge tjeneste selv.</p><div class="table-wrap"><table>)"
      R"(<caption>Lenker</caption><thead><tr><th scope="col">Gjelder</th><th scope="col">Lenke</th>)"
      R"(</tr></thead><tbody>)";
  body +=
      fmt::format(R"(<tr><td>Fellesslenke (alle tjenester)</td><td><code>{}/s/{}</code></td></tr>)",
                  Escape(base), Escape(round.token));
  for (const auto& s : round.services) {
    const auto* service = instrument.FindService(s.service);
    body +=
        fmt::format(R"(<tr><td>{}</td><td><code>{}/s/{}</code></td></tr>)",
                    Escape(service ? service->label : s.service), Escape(base), Escape(s.token));
  }
  body += "</tbody></table></div>";

  auto rate = RateOf(app, round);
  if (!rate.ok()) {
    body += R"(<p class="error" role="alert">Svarprosenten kunne ikke beregnes.</p>)";
  } else {
    body += fmt::format(
        R"(<h2>Svarprosent</h2><p>Tall for tjenester med færre enn {0} svar vises ikke, så ingen )"
        R"(kan se hvem som har svart. Kunne de regnes ut fra totalen, skjules også de minste av )"
        R"(de andre.</p><div class="table-wrap"><table><caption>Svar per tjeneste</caption><thead><tr>)"
        R"(<th scope="col">Tjeneste</th><th scope="col" class="num">Invitert</th>)"
        R"(<th scope="col" class="num">Svar</th><th scope="col" class="num">Svarprosent</th>)"
        R"(</tr></thead><tbody>)",
        rate->k);
    for (const auto& s : rate->services) {
      const std::string hidden = fmt::format("færre enn {}", rate->k);
      body += fmt::format(
          R"(<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>)",
          Escape(s.label), s.invited,
          s.hidden ? (s.hidden_complementary ? "skjult" : hidden) : std::to_string(s.answered),
          s.hidden ? "–" : FormatRate(s.answered, s.invited));
    }
    body += fmt::format(
        R"(</tbody><tfoot><tr><th scope="row">Totalt</th><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr></tfoot></table></div>)",
        rate->invited, rate->answered_hidden ? "skjult" : std::to_string(rate->answered),
        rate->answered_hidden ? "–" : FormatRate(rate->answered, rate->invited));
  }

  body += fmt::format(
      R"(<h2>Avslutt runden</h2><p>Når runden avsluttes, kan ingen flere svare. Svarene )"
      R"(anonymiseres (hver kombinasjon av tjeneste og stilling får minst {} svar) og lagres i )"
      R"(databasen. Dette kan ikke angres.</p><form method="post" action="/runder/{}/avslutt">{})"
      R"(<label for="bekreft"><input type="checkbox" id="bekreft" name="bekreft" value="ja" required> )"
      R"(Jeg vil avslutte runden og lagre svarene</label><div class="actions"><button )"
      R"(type="submit">Avslutt runden</button></div></form>)",
      app.options().k, round.id, CsrfInput(context.csrf));
  body += R"(<p><a href="/runder">Til alle rundene</a></p>)";
  return body;
}

void SendRoundPage(App& app, const httplib::Request& req, httplib::Response& res,
                   const RequestContext& context, const store::SurveyRound& round, int status,
                   const std::string& error) {
  auto register_ = app.WithStore([](store::Store& s) { return s.Municipalities(); });
  const std::string name = register_.ok() ? MunicipalityName(*register_, round.municipality)
                                          : std::to_string(round.municipality);
  PageOptions page;
  page.title = fmt::format("Kartlegging {} {} ({})", name, round.year,
                           app.instrument().RoundTypeLabel(round.round_type));
  page.context = &context;
  SendHtml(res, status, RenderPage(page, RoundPage(app, req, context, round, error)));
}

}  // namespace

namespace {

void ShowRounds(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  if (!RequireSurveyRole(req, res, context, false)) return;
  SendRoundsPage(app, res, context, 200, {}, {});
}

void CreateRound(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  const auto principal = RequireSurveyRole(req, res, context, true);
  if (!principal) return;
  const instrument::Instrument& instrument = app.instrument();
  CreateForm form;
  form.municipality = FormValue(req, "kommune");
  form.year = FormValue(req, "aar");
  form.round_type = FormValue(req, "type");
  std::vector<std::string> errors;

  store::SurveyRound round;
  const auto municipality = text::ParseInt(form.municipality);
  if (!municipality) {
    errors.push_back("Velg en kommune.");
  } else if (!principal->CanRunSurvey(*municipality)) {
    SendError(req, res, 403, "Du kan bare opprette runder for din egen kommune.", &context);
    return;
  } else {
    round.municipality = *municipality;
  }
  const auto year = text::ParseInt(form.year);
  const int now = CurrentYear();
  if (!year || *year < now - 1 || *year > now + 1) {
    errors.push_back(fmt::format("Året må være mellom {} og {}.", now - 1, now + 1));
  } else {
    round.year = *year;
  }
  if (std::none_of(instrument.round_types.begin(), instrument.round_types.end(),
                   [&](const auto& r) { return r.key == form.round_type; })) {
    errors.push_back("Velg type runde (0-punktsmåling eller oppfølging).");
  }
  round.round_type = form.round_type;
  for (const auto* s : InvitableServices(instrument)) {
    const std::string typed(text::Trim(FormValue(req, "inviterte_" + s->key)));
    form.invited[s->key] = typed;
    if (typed.empty()) continue;
    const auto invited = text::ParseInt(typed);
    const std::size_t most = app.options().limits.max_invited_per_service;
    if (!invited || *invited < 0 || static_cast<std::size_t>(*invited) > most) {
      errors.push_back(fmt::format("Antall invitert for {} må være et helt tall fra 0 til {}.",
                                   s->label, text::Thousands(most)));
    } else if (*invited > 0) {
      round.services.push_back({s->key, *invited, RandomToken()});
    }
  }
  if (round.services.empty() && errors.empty()) {
    errors.push_back("Inviter ansatte fra minst én tjeneste (antall større enn 0).");
  }
  const auto* generation = instrument.CurrentGeneration();
  if (generation == nullptr) errors.push_back("Instrumentet har ingen gjeldende spørreskjema.");
  if (!errors.empty()) {
    SendRoundsPage(app, res, context, 400, form, errors);
    return;
  }
  round.generation = generation->id;
  round.token = RandomToken();
  round.status = "open";
  round.item_ids = RoundItemIds(instrument, generation->id);
  round.created_by = principal->username;
  auto created = app.WithStore([&](store::Store& s) { return s.CreateSurveyRound(round); });
  if (!created.ok()) {
    SendRoundsPage(app, res, context, 400, form,
                   {"Runden kunne ikke opprettes: " + created.error().message + "."});
    return;
  }
  app.Audit(principal->username, "round_create",
            fmt::format("runde {}: kommune {} {} {}, {} tjenester", *created, round.municipality,
                        round.year, round.round_type, round.services.size()));
  Redirect(res, fmt::format("/runder/{}", *created));
}

void ShowRound(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  const auto principal = RequireSurveyRole(req, res, context, false);
  if (!principal) return;
  const auto round = FindRound(app, req, res, context, *principal);
  if (!round) return;
  SendRoundPage(app, req, res, context, *round, 200, "");
}

void SendResponseRate(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  const auto principal = RequireSurveyRole(req, res, context, false);
  if (!principal) return;
  const auto round = FindRound(app, req, res, context, *principal);
  if (!round) return;
  auto rate = RateOf(app, *round);
  if (!rate.ok()) {
    SendError(req, res, 500, "Svarprosenten kunne ikke beregnes.", &context);
    return;
  }
  auto percent = [](std::size_t answered, int invited) -> nlohmann::json {
    if (invited <= 0) return nullptr;
    return 100.0 * static_cast<double>(answered) / static_cast<double>(invited);
  };
  nlohmann::json services = nlohmann::json::array();
  for (const auto& s : rate->services) {
    services.push_back({
        {"tjeneste", s.service},
        {"navn", s.label},
        {"invitert", s.invited},
        {"svar", s.hidden ? nlohmann::json(nullptr) : nlohmann::json(s.answered)},
        {"svarprosent", s.hidden ? nlohmann::json(nullptr) : percent(s.answered, s.invited)},
        {"skjult", s.hidden},
        {"skjult_fordi", s.hidden
                             ? (s.hidden_complementary ? "komplementær skjuling"
                                                       : fmt::format("færre enn {} svar", rate->k))
                             : ""},
    });
  }
  SendJson(
      res, 200,
      {{"runde", round->id},
       {"kommune", round->municipality},
       {"aar", round->year},
       {"type", round->round_type},
       {"status", round->status},
       {"k", rate->k},
       {"tjenester", services},
       {"totalt",
        {{"invitert", rate->invited},
         {"svar", rate->answered_hidden ? nlohmann::json(nullptr) : nlohmann::json(rate->answered)},
         {"svarprosent",
          rate->answered_hidden ? nlohmann::json(nullptr) : percent(rate->answered, rate->invited)},
         {"skjult", rate->answered_hidden}}}});
}

void HandleCloseRound(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  const auto principal = RequireSurveyRole(req, res, context, true);
  if (!principal) return;
  const auto round = FindRound(app, req, res, context, *principal);
  if (!round) return;
  if (round->status != "open") {
    SendRoundPage(app, req, res, context, *round, 409, "Runden er allerede avsluttet.");
    return;
  }
  if (FormValue(req, "bekreft") != "ja") {
    SendRoundPage(app, req, res, context, *round, 400,
                  "Kryss av for at du vil avslutte runden, og prøv igjen.");
    return;
  }
  auto closed = CloseRound(app, round->id);
  if (!closed.ok()) {
    app.Audit(principal->username, "round_close_refused",
              fmt::format("runde {}: {}", round->id, closed.error().message));
    SendRoundPage(app, req, res, context, *round, 409, closed.error().message);
    return;
  }
  app.Audit(
      principal->username, "round_close",
      fmt::format("runde {}: kommune {} {} {}, import {}, {} svar", round->id, round->municipality,
                  round->year, round->round_type, closed->batch.id, closed->batch.rows_imported));
  Redirect(res, fmt::format("/runder/{}", round->id));
}

}  // namespace

void RegisterRoundRoutes(httplib::Server& server, App& app) {
  server.Get("/runder", [&app](const httplib::Request& req, httplib::Response& res) {
    ShowRounds(app, req, res);
  });

  server.Post("/runder", [&app](const httplib::Request& req, httplib::Response& res) {
    CreateRound(app, req, res);
  });

  server.Get(R"(/runder/(\d{1,12}))", [&app](const httplib::Request& req, httplib::Response& res) {
    ShowRound(app, req, res);
  });

  server.Get(R"(/api/runder/(\d{1,12})/svarprosent)",
             [&app](const httplib::Request& req, httplib::Response& res) {
               SendResponseRate(app, req, res);
             });

  server.Post(R"(/runder/(\d{1,12})/avslutt)",
              [&app](const httplib::Request& req, httplib::Response& res) {
                HandleCloseRound(app, req, res);
              });
}

}  // namespace samkart::web
