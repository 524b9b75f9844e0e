// Survey rounds for administrators and municipality coordinators: create a
// round (one anonymous link for the round and one per invited service, and
// a last day), hand the links out (copy, QR codes, e-mail texts), follow the
// response rate live, and close the round, which anonymises the answers and
// stores them as one batch. A round past its last day is closed by the
// server (survey.h, CloseRoundsPastTheirDate) whenever rounds are listed or
// opened, a link is opened, and every quarter of an hour.
//
//   GET  /runder                          the rounds the user may see, the imported
//                                         rounds, a form to create one
//   POST /runder                          creates a round (audit round_create)
//   GET  /runder/{id}                     links, QR codes, texts, response rate, «Avslutt runden»
//   GET  /runder/{id}/qr/{lenke}.svg|png  a link's QR code; {lenke} is «felles» or a service key
//   GET  /api/runder/{id}/svarprosent     the response rate as JSON
//   POST /runder/{id}/avslutt             closes the round (audit round_close)
//
// A coordinator sees and creates only rounds of their own municipality;
// regional analysts and readers get 403. The pages use /static/runder.js
// (copy buttons, the rate every 30 s, focus on errors) and work without it.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/web/http.h"
#include "samkart/web/qr_code.h"
#include "samkart/web/routes.h"
#include "samkart/web/survey.h"

namespace samkart::web {

namespace {

// The closing date the create form suggests: four weeks ahead.
constexpr int kDefaultRoundDays = 28;

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
  std::optional<std::string> closes_on;        // as typed; nullopt on a fresh form
};

// An error of the create form and the id of the field it belongs to.
struct FieldError {
  std::string field;
  std::string message;
};

const FieldError* ErrorFor(const std::vector<FieldError>& errors, const std::string& field) {
  for (const auto& e : errors) {
    if (e.field == field) return &e;
  }
  return nullptr;
}

// aria-invalid and aria-describedby of a field: its hint (when it has one)
// and its error.
std::string FieldAttributes(const std::vector<FieldError>& errors, const std::string& field,
                            const std::string& hint = "") {
  const bool invalid = ErrorFor(errors, field) != nullptr;
  std::string described = hint;
  if (invalid) described += (described.empty() ? "" : " ") + field + "-feil";
  std::string out = invalid ? R"( aria-invalid="true")" : "";
  if (!described.empty()) out += fmt::format(R"( aria-describedby="{}")", Escape(described));
  return out;
}

std::string FieldErrorText(const std::vector<FieldError>& errors, const std::string& field) {
  const FieldError* e = ErrorFor(errors, field);
  if (e == nullptr) return "";
  return fmt::format(R"(<p class="field-error" id="{}-feil">{}</p>)", Escape(field),
                     Escape(e->message));
}

// The summary above the form, focused when the page loads (autofocus, and
// rounds.js for browsers that do not focus a non-field).
std::string ErrorSummary(const std::vector<FieldError>& errors) {
  if (errors.empty()) return "";
  std::string out =
      R"(<div class="error-summary" role="alert" tabindex="-1" id="feiloversikt" autofocus>)"
      R"(<h2>Runden ble ikke opprettet</h2><ul>)";
  for (const auto& e : errors) {
    out += e.field.empty() ? "<li>" + Escape(e.message) + "</li>"
                           : fmt::format(R"(<li><a href="#{}">{}</a></li>)", Escape(e.field),
                                         Escape(e.message));
  }
  return out + "</ul></div>";
}

// «færre enn k» for a count below k, the count otherwise: the rule the
// response rate follows for one count that no total links to others.
std::string GatedCount(std::size_t n, std::size_t k) {
  return n < k ? fmt::format("færre enn {}", k) : text::Thousands(n);
}

std::chrono::year_month_day AddDays(std::chrono::year_month_day day, int days) {
  return std::chrono::year_month_day(std::chrono::sys_days(day) + std::chrono::days(days));
}

// Rounds imported from files (and closed rounds, which are stored like
// them) of the municipalities the user runs surveys for, one row per
// municipality, year and round type.
std::string ImportedRounds(App& app, const Principal& p,
                           const std::vector<store::Municipality>& municipalities) {
  auto data = app.WithStore(
      [&](store::Store& store)
          -> Result<std::pair<std::vector<store::RoundInfo>, std::vector<store::BatchInfo>>> {
        auto rounds = store.Rounds();
        if (!rounds.ok()) return rounds.error();
        auto batches = store.Batches();
        if (!batches.ok()) return batches.error();
        return std::make_pair(std::move(rounds).value(), std::move(batches).value());
      });
  std::string body = "<h2>Importerte kartlegginger</h2>";
  if (!data.ok()) {
    return body + R"(<p class="error" role="alert">De importerte kartleggingene kunne ikke )"
                  R"(leses.</p>)";
  }
  const auto& [rounds, batches] = *data;
  std::map<int64_t, const store::BatchInfo*> batch_of;
  for (const auto& b : batches) batch_of[b.id] = &b;
  struct Row {
    std::size_t respondents = 0;
    std::vector<std::string> sources;
  };
  // Batches of the same round are added up, so no count is shown that the
  // round's published total would give away by subtraction.
  std::map<std::tuple<std::string, int, int, std::string>, Row> rows;
  for (const auto& r : rounds) {
    if (!p.CanRunSurvey(r.municipality)) continue;
    const std::string name =
        r.name.empty() ? MunicipalityName(municipalities, r.municipality) : r.name;
    Row& row = rows[{name, r.municipality, r.year, r.round_type}];
    row.respondents += r.respondents;
    const auto batch = batch_of.find(r.batch_id);
    std::string source = batch == batch_of.end()
                             ? fmt::format("import {}", r.batch_id)
                             : (p.IsAdmin() ? batch->second->file_name : batch->second->format);
    if (std::find(row.sources.begin(), row.sources.end(), source) == row.sources.end()) {
      row.sources.push_back(std::move(source));
    }
  }
  if (rows.empty()) return body + "<p>Ingen kartlegginger er importert ennå.</p>";
  const std::size_t k = app.options().k;
  body += fmt::format(
      R"(<p>Kartlegginger lest inn fra filer, og runder som er avsluttet her. Er det færre enn {} )"
      R"(respondenter, vises ikke tallet.</p>)"
      R"(<div class="table-wrap" tabindex="0" role="region" aria-label="Importerte kartlegginger">)"
      R"(<table class="round-imported"><caption>Importerte kartlegginger ({})</caption><thead><tr>)"
      R"(<th scope="col">Kommune</th><th scope="col" class="num">År</th><th scope="col">Type</th>)"
      R"(<th scope="col" class="num">Respondenter</th><th scope="col">{}</th></tr></thead><tbody>)",
      k, rows.size(), p.IsAdmin() ? "Kilde (fil)" : "Kilde (format)");
  for (const auto& [key, row] : rows) {
    const auto& [name, number, year, type] = key;
    body += fmt::format(
        R"(<tr><td>{} ({})</td><td class="num">{}</td><td>{}</td><td class="num">{}</td>)"
        R"(<td>{}</td></tr>)",
        Escape(name), number, year, Escape(app.instrument().RoundTypeLabel(type)),
        GatedCount(row.respondents, k), Escape(text::Join(row.sources, ", ")));
  }
  return body + "</tbody></table></div>";
}

std::string RoundsPage(App& app, const RequestContext& context, const CreateForm& form,
                       const std::vector<FieldError>& errors) {
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

  std::string body = ErrorSummary(errors);
  std::string rows;
  for (const auto& r : rounds) {
    if (!p.CanRunSurvey(r.municipality)) continue;
    const auto last = ParseIsoDate(r.closes_on);
    rows += fmt::format(
        R"(<tr><td><a href="/runder/{}">{} {}</a></td><td>{}</td><td>{}</td><td>{}</td>)"
        R"(<td>{}</td></tr>)",
        r.id, Escape(MunicipalityName(municipalities, r.municipality)), r.year, r.municipality,
        Escape(instrument.RoundTypeLabel(r.round_type)), last ? NorwegianDate(*last) : "–",
        r.status == "open" ? "Åpen" : (r.batch_id ? "Avsluttet" : "Avsluttet uten lagring"));
  }
  body += "<h2>Runder i Samkart</h2>";
  if (rows.empty()) {
    body += "<p>Ingen runder er opprettet i Samkart ennå.</p>";
  } else {
    body +=
        R"(<div class="table-wrap" tabindex="0" role="region" aria-label="Kartleggingsrunder">)"
        R"(<table><caption>Kartleggingsrunder</caption><thead><tr>)"
        R"(<th scope="col">Runde</th><th scope="col">Kommunenummer</th><th scope="col">Type</th>)"
        R"(<th scope="col">Siste svardag</th><th scope="col">Status</th></tr></thead><tbody>)" +
        rows + "</tbody></table></div>";
  }

  body +=
      R"(<p>Skjemaet begynner med en personvernerklæring som sier hvem som er ansvarlig for )"
      R"(svarene, og hvem de ansatte kan kontakte. <a href="/personvern/kommune">Sett kontakten )"
      R"(for personvern</a>.</p>)";
  body += R"(<h2 id="ny-runde">Opprett en runde</h2><form method="post" action="/runder" )"
          R"(class="round-form" novalidate>)" +
          CsrfInput(context.csrf);
  if (p.IsAdmin()) {
    body += fmt::format(R"(<label for="kommune">Kommune</label>{}<select id="kommune" )"
                        R"(name="kommune" required{}>)",
                        FieldErrorText(errors, "kommune"), FieldAttributes(errors, "kommune"));
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
      R"(<label for="aar">År</label>{}<input type="number" id="aar" name="aar" min="{}" max="{}" required value="{}"{}>)",
      FieldErrorText(errors, "aar"), CurrentYear() - 1, CurrentYear() + 1, Escape(year),
      FieldAttributes(errors, "aar"));

  const auto today = NorwegianToday();
  const std::string closes_on = form.closes_on.value_or(IsoDate(AddDays(today, kDefaultRoundDays)));
  body += fmt::format(
      R"(<label for="siste-svardag">Siste svardag</label><p class="hint" id="siste-svardag-hint">)"
      R"(Skjemaet tar imot svar til og med denne dagen. Natten etter (ved midnatt norsk tid) )"
      R"(avsluttes runden av seg selv, på samme måte som med knappen «Avslutt runden». Velg en )"
      R"(dag fra i dag til {} dager fram.</p>{}<input type="date" id="siste-svardag" )"
      R"(name="siste_svardag" min="{}" max="{}" required value="{}"{}>)",
      app.options().limits.max_round_days, FieldErrorText(errors, "siste-svardag"), IsoDate(today),
      IsoDate(AddDays(today, static_cast<int>(app.options().limits.max_round_days))),
      Escape(closes_on), FieldAttributes(errors, "siste-svardag", "siste-svardag-hint"));

  // A type error belongs to the first choice, where the summary's link leads.
  const std::string type_field =
      instrument.round_types.empty() ? "" : "type-" + instrument.round_types.front().key;
  const bool type_invalid = ErrorFor(errors, type_field) != nullptr;
  body += fmt::format(R"(<fieldset class="item"{}><legend>Type runde</legend>{})",
                      type_invalid ? fmt::format(R"( aria-describedby="{}-feil")", type_field) : "",
                      FieldErrorText(errors, type_field));
  for (const auto& r : instrument.round_types) {
    body += fmt::format(
        R"(<label for="type-{0}"><input type="radio" id="type-{0}" name="type" value="{0}"{1}{3}> {2}</label>)",
        Escape(r.key), form.round_type == r.key ? " checked" : "", Escape(r.label),
        type_invalid ? R"( aria-invalid="true")" : "");
  }
  body += "</fieldset>";
  const auto services = InvitableServices(instrument);
  body +=
      R"(<fieldset><legend>Antall ansatte invitert per tjeneste</legend>)"
      R"(<p class="hint" id="inviterte-hint">Skriv 0 for tjenester som ikke er med i runden. Hver )"
      R"(tjeneste som er med, får sin egen lenke.</p><div class="invited">)";
  for (const auto* s : services) {
    const std::string id = "inviterte-" + s->key;
    const auto typed = form.invited.find(s->key);
    const std::string attributes = FieldAttributes(errors, id, "inviterte-hint");
    body += fmt::format(
        R"(<div><label for="{0}">{1}</label>{5}<input type="number" id="{0}" name="inviterte_{6}" min="0" max="{3}" value="{2}"{4}></div>)",
        Escape(id), Escape(s->label), Escape(typed == form.invited.end() ? "0" : typed->second),
        app.options().limits.max_invited_per_service, attributes, FieldErrorText(errors, id),
        Escape(s->key));
  }
  body +=
      R"(</div></fieldset><div class="actions"><button type="submit">Opprett runden</button></div></form>)"
      R"(<script src="/static/runder.js" defer></script>)";
  // After the form: the imported rounds may be many.
  return body + ImportedRounds(app, p, municipalities);
}

void SendRoundsPage(App& app, httplib::Response& res, const RequestContext& context, int status,
                    const CreateForm& form, const std::vector<FieldError>& errors) {
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
  (void)CloseRoundsPastTheirDate(app);
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

std::string MunicipalityNameOf(App& app, int number) {
  auto register_ = app.WithStore([](store::Store& s) { return s.Municipalities(); });
  return register_.ok() ? MunicipalityName(*register_, number) : std::to_string(number);
}

// One of a round's links: the general one (key «felles») or a service's.
struct RoundLink {
  std::string key;    // in the QR code's address
  std::string label;  // «Fellesslenke (alle tjenester)», the service's name
  std::string token;
  std::string service;  // the service's name; empty for the general link
};

constexpr const char* kGeneralLink = "felles";

std::vector<RoundLink> LinksOf(App& app, const store::SurveyRound& round) {
  std::vector<RoundLink> out{{kGeneralLink, "Fellesslenke (alle tjenester)", round.token, ""}};
  for (const auto& s : round.services) {
    const auto* service = app.instrument().FindService(s.service);
    const std::string name = service ? service->label : s.service;
    out.push_back({s.service, name, s.token, name});
  }
  return out;
}

// The invitation and the reminder to paste into an e-mail, plain text.
std::pair<std::string, std::string> InvitationTexts(App& app, const store::SurveyRound& round,
                                                    const std::string& municipality,
                                                    const RoundLink& link, const std::string& url) {
  const auto last = ParseIsoDate(round.closes_on);
  const std::string deadline = last ? NorwegianDate(*last) : "";
  const std::string who =
      link.service.empty() ? "" : fmt::format(" Lenken under gjelder {}.", link.service);
  const std::string privacy = fmt::format(
      "Om personvern: {0} kommune er ansvarlig for kartleggingen. Det er frivillig å svare, og "
      "du svarer anonymt: skjemaet spør ikke om navn, e-postadresse eller annet som kan vise "
      "hvem du er, og resultatene vises bare for grupper på minst {1} personer. Hele "
      "personvernerklæringen står på første side av skjemaet.",
      municipality, app.options().k);
  std::string invitation = fmt::format(
      "Emne: Kartlegging av BTI-kompetanse i {0} kommune\n\n"
      "Hei!\n\n"
      "{0} kommune kartlegger hvordan ansatte som arbeider med barn og unge, kjenner igjen tegn "
      "på at et barn strever, og hvordan tjenestene samarbeider når noen er bekymret. "
      "Kartleggingen er en del av arbeidet med BTI (bedre tverrfaglig innsats). Vi vil gjerne "
      "at du svarer på spørreskjemaet.{1}\n\n"
      "Svar her: {2}\n\n",
      municipality, who, url);
  if (!deadline.empty()) invitation += fmt::format("Siste svardag er {}.\n\n", deadline);
  invitation +=
      privacy + fmt::format("\n\nTakk for hjelpen!\n\nVennlig hilsen\n{} kommune\n", municipality);
  std::string reminder = fmt::format(
      "Emne: Påminnelse: kartlegging av BTI-kompetanse i {0} kommune\n\n"
      "Hei!\n\n"
      "Dette er en påminnelse om kartleggingen av BTI-kompetanse i {0} kommune.{1} Har du "
      "allerede svart, takk! Da kan du se bort fra denne e-posten.\n\n",
      municipality, who);
  reminder += deadline.empty()
                  ? fmt::format("Har du ikke svart ennå, kan du gjøre det her: {}\n\n", url)
                  : fmt::format("Har du ikke svart ennå, kan du gjøre det til og med {}: {}\n\n",
                                deadline, url);
  reminder += privacy + fmt::format("\n\nVennlig hilsen\n{} kommune\n", municipality);
  return {invitation, reminder};
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
  const auto last = ParseIsoDate(round.closes_on);
  const std::size_t k = app.options().k;
  if (round.status != "open") {
    if (round.batch_id) {
      body += fmt::format(
          "<p>Runden er avsluttet, og svarene er anonymisert og lagret (import {}). De inngår i "
          "resultatene.</p>",
          *round.batch_id);
    } else {
      body += fmt::format(
          "<p>Runden ble avsluttet etter siste svardag{} med færre enn {} svar. Så få svar kunne "
          "spores til dem som ga dem, så de er slettet uten å bli lagret. Ingen kan svare lenger. "
          "Vil kommunen prøve igjen, kan du opprette en runde av en annen type eller for et annet "
          "år.</p>",
          last ? " " + NorwegianDate(*last) : "", k);
    }
    body += fmt::format(
        R"(<p><a href="/runder/{}/kommentarer">Kommentarene fra de ansatte</a> (om runden )"
        R"(hadde et spørsmål med fritekst).</p><p><a href="/runder">Til alle rundene</a></p>)",
        round.id);
    return body;
  }
  if (last) {
    body += fmt::format(
        R"(<p class="round-deadline">Siste svardag: <strong>{}</strong>. Natten etter (ved )"
        R"(midnatt norsk tid) avsluttes runden av seg selv: svarene anonymiseres og lagres som )"
        R"(når du avslutter den selv. Har runden da færre enn {} svar, slettes svarene uten å bli )"
        R"(lagret, fordi så få svar kunne spores til dem som ga dem.</p>)",
        NorwegianDate(*last), k);
  }

  const std::string base = BaseUrl(app, req);
  const std::string municipality = MunicipalityNameOf(app, round.municipality);
  body += R"(<h2>Lenker til skjemaet</h2><p>Send lenken for tjenesten til de ansatte i den. )"
          R"(Fellesslenken lar respondenten velge tjeneste selv. Til hver lenke hører en QR-kode )"
          R"(for oppslag og ferdige tekster til invitasjon og påminnelse på e-post.</p>)"
          R"(<p class="round-copied" id="kopiert" role="status" aria-live="polite"></p>)";
  for (const RoundLink& link : LinksOf(app, round)) {
    const std::string url = base + "/s/" + link.token;
    const std::string id = "lenke-" + link.key;
    const std::string qr = fmt::format("/runder/{}/qr/{}", round.id, link.key);
    body += fmt::format(
        R"(<section class="round-link" aria-labelledby="{0}-tittel"><h3 id="{0}-tittel">{1}</h3>)"
        R"(<div class="round-link-body"><div class="round-link-text"><label for="{0}">Lenke</label>)"
        R"(<div class="round-copy-row"><input type="text" id="{0}" readonly value="{2}" )"
        R"(class="round-url" data-copy-label="Lenken"><button type="button" class="round-copy )"
        R"(secondary" data-copy="{0}" hidden>Kopier lenken</button></div>)"
        R"(<p class="hint">Uten JavaScript: marker lenken i feltet og kopier den.</p></div>)"
        R"(<figure class="round-qr"><img src="{3}.svg" width="132" height="132" alt="QR-kode )"
        R"(som leder til {2}"><figcaption>QR-kode: <a href="{3}.svg" download>SVG</a>, )"
        R"(<a href="{3}.png" download>PNG</a></figcaption></figure></div>)",
        Escape(id), Escape(link.label), Escape(url), Escape(qr));
    const auto texts = InvitationTexts(app, round, municipality, link, url);
    body += fmt::format(
        R"(<details class="round-texts"><summary>Tekster til e-post: invitasjon og )"
        R"(påminnelse</summary><label for="{0}-invitasjon">Invitasjon</label>)"
        R"(<textarea id="{0}-invitasjon" readonly rows="19" data-copy-label="Invitasjonen">{1})"
        R"(</textarea><button type="button" class="round-copy secondary" )"
        R"(data-copy="{0}-invitasjon" hidden>Kopier invitasjonen</button>)"
        R"(<label for="{0}-paaminnelse">Påminnelse</label><textarea id="{0}-paaminnelse" )"
        R"(readonly rows="15" data-copy-label="Påminnelsen">{2}</textarea><button type="button" )"
        R"(class="round-copy secondary" data-copy="{0}-paaminnelse" hidden>Kopier )"
        R"(påminnelsen</button></details></section>)",
        Escape(id), Escape(texts.first), Escape(texts.second));
  }

  auto rate = RateOf(app, round);
  if (!rate.ok()) {
    body += R"(<p class="error" role="alert">Svarprosenten kunne ikke beregnes.</p>)";
  } else {
    body += fmt::format(
        R"(<h2>Svarprosent</h2><p>Tall for tjenester med færre enn {0} svar vises ikke, så ingen )"
        R"(kan se hvem som har svart. Kunne de regnes ut fra totalen, skjules også de minste av )"
        R"(de andre.</p><p class="hint round-updated" id="svarprosent-oppdatert">Tallene )"
        R"(gjelder da siden ble lastet. Last siden på nytt for ferske tall.</p>)"
        R"(<div class="table-wrap" tabindex="0" role="region" aria-label="Svar per tjeneste">)"
        R"(<table id="svarprosent" data-api="/api/runder/{1}/svarprosent"><caption>Svar per )"
        R"(tjeneste</caption><thead><tr><th scope="col">Tjeneste</th><th scope="col" )"
        R"(class="num">Invitert</th><th scope="col" class="num">Svar</th><th scope="col" )"
        R"(class="num">Svarprosent</th></tr></thead><tbody>)",
        rate->k, round.id);
    for (const auto& s : rate->services) {
      const std::string hidden = fmt::format("færre enn {}", rate->k);
      body += fmt::format(
          R"(<tr data-tjeneste="{}"><td>{}</td><td class="num" data-felt="invitert">{}</td>)"
          R"(<td class="num" data-felt="svar">{}</td><td class="num" data-felt="svarprosent">{})"
          R"(</td></tr>)",
          Escape(s.service), Escape(s.label), s.invited,
          s.hidden ? (s.hidden_complementary ? "skjult" : hidden) : std::to_string(s.answered),
          s.hidden ? "–" : FormatRate(s.answered, s.invited));
    }
    body += fmt::format(
        R"(</tbody><tfoot><tr data-tjeneste="totalt"><th scope="row">Totalt</th><td class="num" )"
        R"(data-felt="invitert">{}</td><td class="num" data-felt="svar">{}</td><td class="num" )"
        R"(data-felt="svarprosent">{}</td></tr></tfoot></table></div>)",
        rate->invited, rate->answered_hidden ? "skjult" : std::to_string(rate->answered),
        rate->answered_hidden ? "–" : FormatRate(rate->answered, rate->invited));
  }

  body += fmt::format(
      R"(<h2>Fritekst og personvern</h2><p><a href="/runder/{0}/kommentarer">Legg til et )"
      R"(spørsmål med fritekst</a> (valgfritt). Kommentarene holdes atskilt fra svarene, og )"
      R"(navn, e-postadresser og telefonnumre maskeres før du leser dem. )"
      R"(<a href="/personvern/kommune">Kontakten for personvern</a> står i erklæringen først )"
      R"(i skjemaet.</p>)",
      round.id);
  body += fmt::format(
      R"(<h2>Avslutt runden</h2><p>Når runden avsluttes, kan ingen flere svare. Svarene )"
      R"(anonymiseres (hver kombinasjon av tjeneste og stilling får minst {} svar) og lagres i )"
      R"(databasen. Dette kan ikke angres.</p><form method="post" action="/runder/{}/avslutt">{})"
      R"(<label for="bekreft"><input type="checkbox" id="bekreft" name="bekreft" value="ja" required> )"
      R"(Jeg vil avslutte runden og lagre svarene</label><div class="actions"><button )"
      R"(type="submit">Avslutt runden</button></div></form>)",
      app.options().k, round.id, CsrfInput(context.csrf));
  body += R"(<p><a href="/runder">Til alle rundene</a></p>)"
          R"(<script src="/static/runder.js" defer></script>)";
  return body;
}

void SendRoundPage(App& app, const httplib::Request& req, httplib::Response& res,
                   const RequestContext& context, const store::SurveyRound& round, int status,
                   const std::string& error) {
  const std::string name = MunicipalityNameOf(app, round.municipality);
  PageOptions page;
  page.title = fmt::format("Kartlegging {} {} ({})", name, round.year,
                           app.instrument().RoundTypeLabel(round.round_type));
  page.context = &context;
  // Its own heading, which may break inside a long word at 320 px.
  page.heading = false;
  SendHtml(res, status,
           RenderPage(page, fmt::format(R"(<h1 class="round-title">{}</h1>)", Escape(page.title)) +
                                RoundPage(app, req, context, round, error)));
}

}  // namespace

namespace {

void ShowRounds(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  if (!RequireSurveyRole(req, res, context, false)) return;
  (void)CloseRoundsPastTheirDate(app);
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
  form.closes_on = std::string(text::Trim(FormValue(req, "siste_svardag")));
  std::vector<FieldError> errors;

  store::SurveyRound round;
  const auto municipality = text::ParseInt(form.municipality);
  if (!municipality) {
    errors.push_back({"kommune", "Velg en kommune."});
  } else if (!principal->CanRunSurvey(*municipality)) {
    SendError(req, res, 403, "Du kan bare opprette runder for din egen kommune.", &context);
    return;
  } else {
    round.municipality = *municipality;
  }
  const auto year = text::ParseInt(form.year);
  const int now = CurrentYear();
  if (!year || *year < now - 1 || *year > now + 1) {
    errors.push_back({"aar", fmt::format("Året må være mellom {} og {}.", now - 1, now + 1)});
  } else {
    round.year = *year;
  }
  const auto today = NorwegianToday();
  const auto most_days = static_cast<int>(app.options().limits.max_round_days);
  const auto closes_on = ParseIsoDate(*form.closes_on);
  if (form.closes_on->empty()) {
    errors.push_back({"siste-svardag", "Velg siste svardag."});
  } else if (!closes_on) {
    errors.push_back(
        {"siste-svardag", "Siste svardag må være en dato, skrevet som åååå-mm-dd (2027-01-15)."});
  } else if (std::chrono::sys_days(*closes_on) < std::chrono::sys_days(today)) {
    errors.push_back({"siste-svardag", "Siste svardag kan ikke være en dag som er passert."});
  } else if (std::chrono::sys_days(*closes_on) > std::chrono::sys_days(AddDays(today, most_days))) {
    errors.push_back(
        {"siste-svardag", fmt::format("Siste svardag kan være høyst {} dager fram "
                                      "(senest {}).",
                                      most_days, NorwegianDate(AddDays(today, most_days)))});
  } else {
    round.closes_on = IsoDate(*closes_on);
  }
  if (std::none_of(instrument.round_types.begin(), instrument.round_types.end(),
                   [&](const auto& r) { return r.key == form.round_type; })) {
    errors.push_back({instrument.round_types.empty() ? "" : "type-" + instrument.round_types[0].key,
                      "Velg type runde (0-punktsmåling eller oppfølging)."});
  }
  round.round_type = form.round_type;
  const auto services = InvitableServices(instrument);
  for (const auto* s : services) {
    const std::string typed(text::Trim(FormValue(req, "inviterte_" + s->key)));
    form.invited[s->key] = typed;
    if (typed.empty()) continue;
    const auto invited = text::ParseInt(typed);
    const std::size_t most = app.options().limits.max_invited_per_service;
    if (!invited || *invited < 0 || static_cast<std::size_t>(*invited) > most) {
      errors.push_back({"inviterte-" + s->key,
                        fmt::format("Antall invitert for {} må være et helt tall fra 0 til {}.",
                                    s->label, text::Thousands(most))});
    } else if (*invited > 0) {
      round.services.push_back({s->key, *invited, RandomToken()});
    }
  }
  if (round.services.empty() && errors.empty()) {
    errors.push_back({services.empty() ? "" : "inviterte-" + services.front()->key,
                      "Inviter ansatte fra minst én tjeneste (antall større enn 0)."});
  }
  const auto* generation = instrument.CurrentGeneration();
  if (generation == nullptr)
    errors.push_back({"", "Instrumentet har ingen gjeldende spørreskjema."});
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
                   {{"", "Runden kunne ikke opprettes: " + created.error().message + "."}});
    return;
  }
  app.Audit(principal->username, "round_create",
            fmt::format("runde {}: kommune {} {} {}, {} tjenester, siste svardag {}", *created,
                        round.municipality, round.year, round.round_type, round.services.size(),
                        round.closes_on));
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

// A link's QR code as SVG or PNG, for posters; only for the rounds the
// user runs, and only while the round is open.
void SendQrCode(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  const auto principal = RequireSurveyRole(req, res, context, false);
  if (!principal) return;
  const auto round = FindRound(app, req, res, context, *principal);
  if (!round) return;
  const std::string key = req.matches[2];
  const bool svg = req.matches[3] == "svg";
  const auto links = LinksOf(app, *round);
  const auto link =
      std::find_if(links.begin(), links.end(), [&](const RoundLink& l) { return l.key == key; });
  if (link == links.end()) {
    SendError(req, res, 404, "Runden har ingen slik lenke.", &context);
    return;
  }
  if (round->status != "open") {
    SendError(req, res, 410, "Runden er avsluttet, og lenkene tar ikke imot svar lenger.",
              &context);
    return;
  }
  auto code = EncodeQr(BaseUrl(app, req) + "/s/" + link->token);
  if (!code.ok()) {
    SendError(req, res, 500, "QR-koden kunne ikke lages: " + code.error().message + ".", &context);
    return;
  }
  const std::string file =
      fmt::format("qr-kartlegging-{}-{}.{}", round->id, key, svg ? "svg" : "png");
  res.set_header("Content-Disposition", fmt::format(R"(inline; filename="{}")", file));
  if (svg) {
    res.set_content(
        QrSvg(*code, fmt::format("QR-kode til kartleggingen i {}: {}",
                                 MunicipalityNameOf(app, round->municipality), link->label)),
        "image/svg+xml; charset=utf-8");
    return;
  }
  auto png = QrPng(*code);
  if (!png.ok()) {
    SendError(req, res, 500, "QR-koden kunne ikke lages: " + png.error().message + ".", &context);
    return;
  }
  res.set_content(*png, "image/png");
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

  server.Get(
      R"(/runder/(\d{1,12})/qr/([a-z0-9_]{1,40})\.(svg|png))",
      [&app](const httplib::Request& req, httplib::Response& res) { SendQrCode(app, req, res); });

  server.Post(R"(/runder/(\d{1,12})/avslutt)",
              [&app](const httplib::Request& req, httplib::Response& res) {
                HandleCloseRound(app, req, res);
              });
}

}  // namespace samkart::web
