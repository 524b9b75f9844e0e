// The coordinator's pages for what the survey says in words: the
// municipality's privacy contact, a round's optional free-text question and
// the review of the comments it got.
//
//   GET  /personvern/kommune[?kommune=N]   the contact the privacy statement names
//   POST /personvern/kommune               saves it (audit privacy_contact)
//   GET  /runder/{id}/kommentarer          the question, and the comments to review
//   POST /runder/{id}/kommentarer          sets or removes the question
//   POST /runder/{id}/kommentarer/{key}    approves or leaves out one comment
//
// The contact: a coordinator sets their own municipality's, an administrator
// any. The comments: only the coordinator of the round's municipality, so
// the fewest people read free text (administrators too are refused); another
// municipality's round answers 404, like one that does not exist. Comments
// are shown once the round is closed (they are then shuffled) and only when
// there are at least kMinCommentsShown.
#include <algorithm>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/web/comments.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"
#include "samkart/web/survey_privacy.h"

namespace samkart::web {

namespace {

constexpr std::size_t kMaxContactChars = 200;

std::string MunicipalityName(App& app, int number) {
  auto municipalities = app.WithStore([](store::Store& s) { return s.Municipalities(); });
  if (municipalities.ok()) {
    for (const auto& m : *municipalities) {
      if (m.number == number) return m.name;
    }
  }
  return std::to_string(number);
}

bool KnownMunicipality(App& app, int number) {
  auto municipalities = app.WithStore([](store::Store& s) { return s.Municipalities(); });
  if (!municipalities.ok()) return false;
  return std::any_of(municipalities->begin(), municipalities->end(),
                     [&](const store::Municipality& m) { return m.number == number; });
}

struct FormError {
  std::string field;  // the input's id and name
  std::string message;
};

std::string ErrorSummary(const std::vector<FormError>& errors, const std::string& heading) {
  if (errors.empty()) return "";
  std::string out = fmt::format(
      R"(<div class="error-summary survey-error-summary" role="alert" id="feilsammendrag" tabindex="-1" autofocus>)"
      R"(<h2>{}</h2><ul>)",
      Escape(heading));
  for (const auto& e : errors) {
    out += fmt::format(R"(<li><a href="#{}">{}</a></li>)", Escape(e.field), Escape(e.message));
  }
  return out + "</ul></div>";
}

// A one-line text field with its label, hint, error and the typed value.
std::string TextField(const std::string& id, const std::string& label, const std::string& value,
                      const std::vector<FormError>& errors, const std::string& hint = "",
                      const std::string& type = "text") {
  const auto error =
      std::find_if(errors.begin(), errors.end(), [&](const FormError& e) { return e.field == id; });
  std::string described;
  std::string out = fmt::format(R"(<label for="{}">{}</label>)", id, Escape(label));
  if (!hint.empty()) {
    out += fmt::format(R"(<p class="hint" id="{}-hint">{}</p>)", id, Escape(hint));
    described = id + "-hint";
  }
  if (error != errors.end()) {
    out += fmt::format(R"(<p class="survey-field-error" id="{}-feil">{}</p>)", id,
                       Escape(error->message));
    described += (described.empty() ? "" : " ") + id + "-feil";
  }
  out += fmt::format(R"(<input type="{}" id="{}" name="{}" value="{}" maxlength="{}"{}{}>)", type,
                     id, id, Escape(value), kMaxContactChars,
                     described.empty() ? "" : fmt::format(R"( aria-describedby="{}")", described),
                     error != errors.end() ? R"( aria-invalid="true")" : "");
  return out;
}

// --- The privacy contact ---

std::optional<Principal> RequireContactRole(const httplib::Request& req, httplib::Response& res,
                                            const RequestContext& context, bool state_changing) {
  auto principal =
      state_changing ? RequireLoginAndCsrf(req, res, context) : RequireLogin(req, res, context);
  if (!principal) return std::nullopt;
  if (principal->role != Role::kAdmin && principal->role != Role::kMunicipal) {
    SendError(req, res, 403,
              "Bare administratorer og kommunekoordinatorer kan sette kontakten for personvern.",
              &context);
    return std::nullopt;
  }
  return principal;
}

void SendContactPage(App& app, httplib::Response& res, const RequestContext& context,
                     const Principal& principal, int municipality,
                     const store::PrivacyContact& contact, const std::vector<FormError>& errors,
                     int status, bool saved) {
  const std::string name = MunicipalityName(app, municipality);
  std::string body = ErrorSummary(errors, "Kontakten ble ikke lagret");
  if (saved) body += R"(<p class="notice" role="status">Kontakten er lagret.</p>)";
  if (principal.role == Role::kAdmin) {
    auto municipalities = app.WithStore([](store::Store& s) { return s.Municipalities(); });
    body += R"(<form method="get" action="/personvern/kommune" class="comments-privacy-choose">)"
            R"(<label for="velg-kommune">Kommune</label><select id="velg-kommune" name="kommune">)";
    if (municipalities.ok()) {
      for (const auto& m : *municipalities) {
        body += fmt::format(R"(<option value="{}"{}>{} {}</option>)", m.number,
                            m.number == municipality ? " selected" : "", m.number, Escape(m.name));
      }
    }
    body += R"(</select><div class="actions"><button type="submit" class="secondary">)"
            R"(Vis kommunen</button></div></form>)";
  }
  body += fmt::format(
      R"(<p>Personvernerklæringen respondentene leser før første spørsmål, navngir den )"
      R"(behandlingsansvarlige og hvem de kan kontakte. Uten noe lagret står «{}» som )"
      R"(behandlingsansvarlig og kommunens personvernombud som kontakt.</p>)"
      R"(<form method="post" action="/personvern/kommune" class="comments-privacy-contact">{})"
      R"(<input type="hidden" name="kommune" value="{}">)",
      Escape(DefaultController(name)), CsrfInput(context.csrf), municipality);
  body += TextField("ansvarlig", "Behandlingsansvarlig", contact.controller, errors,
                    "Vanligvis kommunen, for eksempel «" + DefaultController(name) + "».");
  body += TextField("kontaktperson", "Kontaktperson", contact.contact_name, errors,
                    "Koordinatoren eller kommunens personvernombud.");
  body += TextField("epost", "E-postadresse", contact.email, errors, "", "email");
  body += TextField("telefon", "Telefon", contact.phone, errors, "", "tel");
  body += R"(<div class="actions"><button type="submit">Lagre kontakten</button></div></form>)";
  PageOptions page;
  page.title = "Personvern i " + name;
  page.context = &context;
  SendHtml(res, status, RenderPage(page, body));
}

// The municipality a request names: the coordinator's own, or for an
// administrator the one asked for. nullopt after answering 404.
std::optional<int> ContactMunicipality(App& app, const httplib::Request& req,
                                       httplib::Response& res, const RequestContext& context,
                                       const Principal& principal, const std::string& asked) {
  if (principal.role == Role::kMunicipal) {
    const auto own = principal.municipality;
    if (own && (asked.empty() || text::ParseInt(asked) == *own)) return *own;
  } else if (const auto number = text::ParseInt(asked); number && KnownMunicipality(app, *number)) {
    return *number;
  } else if (asked.empty()) {
    auto municipalities = app.WithStore([](store::Store& s) { return s.Municipalities(); });
    if (municipalities.ok() && !municipalities->empty()) return municipalities->front().number;
  }
  SendError(req, res, 404, "Kommunen finnes ikke, eller den er ikke din.", &context);
  return std::nullopt;
}

void ShowContact(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  const auto principal = RequireContactRole(req, res, context, false);
  if (!principal) return;
  const auto municipality =
      ContactMunicipality(app, req, res, context, *principal,
                          req.has_param("kommune") ? req.get_param_value("kommune") : "");
  if (!municipality) return;
  auto contact =
      app.WithStore([&](store::Store& s) { return s.FindPrivacyContact(*municipality); });
  if (!contact.ok()) return SendError(req, res, 500, "Kontakten kunne ikke leses.", &context);
  SendContactPage(app, res, context, *principal, *municipality,
                  contact->value_or(store::PrivacyContact{}), {}, 200, req.has_param("lagret"));
}

void SaveContact(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  const auto principal = RequireContactRole(req, res, context, true);
  if (!principal) return;
  const auto municipality =
      ContactMunicipality(app, req, res, context, *principal, FormValue(req, "kommune"));
  if (!municipality) return;
  store::PrivacyContact contact;
  contact.municipality = *municipality;
  contact.controller = std::string(text::Trim(FormValue(req, "ansvarlig")));
  contact.contact_name = std::string(text::Trim(FormValue(req, "kontaktperson")));
  contact.email = std::string(text::Trim(FormValue(req, "epost")));
  contact.phone = std::string(text::Trim(FormValue(req, "telefon")));
  contact.updated_by = principal->username;
  std::vector<FormError> errors;
  const std::pair<const char*, const std::string*> fields[] = {
      {"ansvarlig", &contact.controller},
      {"kontaktperson", &contact.contact_name},
      {"epost", &contact.email},
      {"telefon", &contact.phone}};
  for (const auto& [field, value] : fields) {
    if (CharacterCount(*value) > kMaxContactChars || !text::IsValidUtf8(*value)) {
      errors.push_back({field, fmt::format("Feltet kan være høyst {} tegn.", kMaxContactChars)});
    }
  }
  const auto at = contact.email.find('@');
  if (!contact.email.empty() &&
      (at == std::string::npos || at == 0 || contact.email.find('.', at) == std::string::npos ||
       contact.email.find(' ') != std::string::npos)) {
    errors.push_back({"epost", "Skriv e-postadressen som navn@kommune.no."});
  }
  if (!contact.phone.empty() &&
      (contact.phone.find_first_not_of("+0123456789 -") != std::string::npos ||
       std::count_if(contact.phone.begin(), contact.phone.end(),
                     [](char c) { return c >= '0' && c <= '9'; }) < 8)) {
    errors.push_back(
        {"telefon", "Skriv telefonnummeret med åtte sifre, for eksempel 12 34 56 78."});
  }
  if (!errors.empty()) {
    return SendContactPage(app, res, context, *principal, *municipality, contact, errors, 400,
                           false);
  }
  auto saved = app.WithStore([&](store::Store& s) { return s.SavePrivacyContact(contact); });
  if (!saved.ok()) return SendError(req, res, 500, "Kontakten kunne ikke lagres.", &context);
  app.Audit(principal->username, "privacy_contact",
            fmt::format("kommune {}: kontakt for personvern satt", *municipality));
  Redirect(res, fmt::format("/personvern/kommune?kommune={}&lagret=1", *municipality));
}

// --- The free-text question and the comments ---

// The coordinator of the round's municipality, and the round; nullopt after
// answering 403 (other roles) or 404 (another municipality's or no round).
struct OwnRound {
  Principal principal;
  store::SurveyRound round;
};
std::optional<OwnRound> RequireOwnRound(App& app, const httplib::Request& req,
                                        httplib::Response& res, const RequestContext& context,
                                        bool state_changing) {
  auto principal =
      state_changing ? RequireLoginAndCsrf(req, res, context) : RequireLogin(req, res, context);
  if (!principal) return std::nullopt;
  if (principal->role != Role::kMunicipal) {
    SendError(req, res, 403,
              "Bare kommunens koordinator kan sette fritekstspørsmålet og lese kommentarene.",
              &context);
    return std::nullopt;
  }
  const auto id = text::ParseInt(std::string(req.matches[1]));
  auto rounds = app.WithStore([](store::Store& s) { return s.SurveyRounds(); });
  if (!rounds.ok()) {
    SendError(req, res, 500, "Rundene kunne ikke leses.", &context);
    return std::nullopt;
  }
  for (auto& r : *rounds) {
    if (id && r.id == *id && principal->municipality == r.municipality) {
      return OwnRound{*principal, std::move(r)};
    }
  }
  SendError(req, res, 404, "Runden finnes ikke, eller den er ikke din.", &context);
  return std::nullopt;
}

std::string StateLabel(const std::string& state) {
  if (state == "approved") return "Tas med i rapporten";
  if (state == "omitted") return "Utelatt";
  return "Ikke vurdert";
}

std::string ReviewList(const store::SurveyRound& round,
                       const std::vector<store::SurveyComment>& comments, const std::string& csrf) {
  if (round.status == "open") {
    return "<p>Kommentarene kan leses når runden er avsluttet. Da er de stokket, så ingen kan se "
           "hvilken kommentar som kom når.</p>";
  }
  if (comments.size() < kMinCommentsShown) {
    return fmt::format(
        "<p>Runden fikk færre enn {} kommentarer. De vises ikke, fordi så få kommentarer lett kan "
        "kjennes igjen.</p>",
        kMinCommentsShown);
  }
  std::string out = fmt::format(
      "<p>{} kommentarer. Navn, e-postadresser og telefonnumre er maskert. Les hver kommentar, "
      "rett teksten om noe fortsatt kan kjennes igjen, og velg om den skal med i kommunens "
      "rapport.</p><ol class=\"comments-list\">",
      comments.size());
  int n = 0;
  for (const auto& c : comments) {
    ++n;
    out += fmt::format(
        R"(<li class="comments-item"><form method="post" action="/runder/{0}/kommentarer/{1}">{2})"
        R"(<p class="comments-state">Kommentar {3}: <strong>{4}</strong></p>)"
        R"(<label for="tekst-{3}">Tekst</label>)"
        R"(<textarea id="tekst-{3}" name="tekst" rows="4" maxlength="{5}">{6}</textarea>)"
        R"(<fieldset class="comments-choice"><legend>Kommentar {3} i rapporten</legend>)"
        R"(<label for="godkjent-{3}"><input type="radio" id="godkjent-{3}" name="vurdering" )"
        R"(value="godkjent"{7}> Ta med</label>)"
        R"(<label for="utelatt-{3}"><input type="radio" id="utelatt-{3}" name="vurdering" )"
        R"(value="utelatt"{8}> Utelat</label></fieldset>)"
        R"(<div class="actions"><button type="submit">Lagre kommentar {3}</button></div>)"
        R"(</form></li>)",
        round.id, Escape(c.key), CsrfInput(csrf), n, StateLabel(c.state), kMaxCommentChars,
        Escape(c.text), c.state == "approved" ? " checked" : "",
        c.state == "omitted" ? " checked" : "");
  }
  return out + "</ol>";
}

void SendCommentsPage(App& app, httplib::Response& res, const RequestContext& context,
                      const store::SurveyRound& round, const std::string& question,
                      const std::vector<FormError>& errors, int status) {
  auto comments = app.WithStore([&](store::Store& s) { return s.SurveyComments(round.id); });
  std::string body = ErrorSummary(errors, "Spørsmålet ble ikke lagret");
  if (round.status == "open") {
    const auto error = std::find_if(errors.begin(), errors.end(),
                                    [](const FormError& e) { return e.field == "sporsmal"; });
    body += fmt::format(
        R"(<form method="post" action="/runder/{0}/kommentarer" class="comments-question">{1})"
        R"(<label for="sporsmal">Spørsmål med fritekst (valgfritt)</label>)"
        R"(<p class="hint" id="sporsmal-hint">Stilles på siste side, før respondenten sender inn. )"
        R"(Høyst {2} tegn. La feltet stå tomt for ikke å spørre.</p>{3})"
        R"(<textarea id="sporsmal" name="sporsmal" rows="2" maxlength="{2}" )"
        R"(aria-describedby="sporsmal-hint{4}"{5}>{6}</textarea>)"
        R"(<div class="actions"><button type="submit">Lagre spørsmålet</button></div></form>)",
        round.id, CsrfInput(context.csrf), kMaxCommentQuestionChars,
        error == errors.end()
            ? ""
            : fmt::format(R"(<p class="survey-field-error" id="sporsmal-feil">{}</p>)",
                          Escape(error->message)),
        error == errors.end() ? "" : " sporsmal-feil",
        error == errors.end() ? "" : R"( aria-invalid="true")", Escape(question));
  } else {
    body += question.empty() ? "<p>Runden stilte ikke noe spørsmål med fritekst.</p>"
                             : fmt::format("<p>Spørsmålet var: «{}»</p>", Escape(question));
  }
  body += "<h2>Kommentarer</h2>";
  body += comments.ok() ? ReviewList(round, *comments, context.csrf)
                        : R"(<p class="error" role="alert">Kommentarene kunne ikke leses.</p>)";
  body += fmt::format(R"(<p><a href="/runder/{}">Tilbake til runden</a></p>)", round.id);
  PageOptions page;
  page.title =
      fmt::format("Kommentarer, {} {}", MunicipalityName(app, round.municipality), round.year);
  page.context = &context;
  SendHtml(res, status, RenderPage(page, body));
}

std::string QuestionOf(App& app, int64_t round_id) {
  auto question = app.WithStore([&](store::Store& s) { return s.CommentQuestion(round_id); });
  return question.ok() && *question ? **question : std::string();
}

void ShowComments(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  const auto own = RequireOwnRound(app, req, res, context, false);
  if (!own) return;
  SendCommentsPage(app, res, context, own->round, QuestionOf(app, own->round.id), {}, 200);
}

void SetQuestion(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  const auto own = RequireOwnRound(app, req, res, context, true);
  if (!own) return;
  if (own->round.status != "open") {
    return SendError(req, res, 409, "Runden er avsluttet; spørsmålet kan ikke endres.", &context);
  }
  const std::string question(text::Trim(FormValue(req, "sporsmal")));
  if (CharacterCount(question) > kMaxCommentQuestionChars || !text::IsValidUtf8(question)) {
    return SendCommentsPage(
        app, res, context, own->round, question,
        {{"sporsmal", fmt::format("Spørsmålet kan være høyst {} tegn; det har {}.",
                                  kMaxCommentQuestionChars, CharacterCount(question))}},
        400);
  }
  auto saved =
      app.WithStore([&](store::Store& s) { return s.SetCommentQuestion(own->round.id, question); });
  if (!saved.ok()) return SendError(req, res, 500, "Spørsmålet kunne ikke lagres.", &context);
  app.Audit(own->principal.username, "comment_question",
            fmt::format("runde {}: fritekstspørsmål {}", own->round.id,
                        question.empty() ? "fjernet" : "satt"));
  Redirect(res, fmt::format("/runder/{}/kommentarer", own->round.id));
}

void ReviewComment(App& app, const httplib::Request& req, httplib::Response& res) {
  const RequestContext context = Authenticate(app, req);
  const auto own = RequireOwnRound(app, req, res, context, true);
  if (!own) return;
  auto comments = app.WithStore([&](store::Store& s) { return s.SurveyComments(own->round.id); });
  if (!comments.ok()) return SendError(req, res, 500, "Kommentarene kunne ikke leses.", &context);
  // Below the minimum, or while open, a comment is as hidden as one that does not exist.
  if (own->round.status == "open" || comments->size() < kMinCommentsShown) {
    return SendError(req, res, 404, "Kommentaren finnes ikke.", &context);
  }
  const std::string vurdering = FormValue(req, "vurdering");
  const std::string state = vurdering == "godkjent"  ? "approved"
                            : vurdering == "utelatt" ? "omitted"
                                                     : "";
  const std::string typed(text::Trim(FormValue(req, "tekst")));
  if (state.empty() || typed.empty() || CharacterCount(typed) > kMaxCommentChars ||
      !text::IsValidUtf8(typed)) {
    return SendError(req, res, 400,
                     "Velg «Ta med» eller «Utelat», og la teksten være mellom 1 og " +
                         std::to_string(kMaxCommentChars) + " tegn.",
                     &context);
  }
  std::vector<std::string> known{MunicipalityName(app, own->round.municipality)};
  for (const auto& s : app.instrument().services) known.push_back(s.label);
  const std::string text = MaskPersonalData(typed, known);
  const std::string key = req.matches[2];
  auto reviewed = app.WithStore(
      [&](store::Store& s) { return s.ReviewSurveyComment(own->round.id, key, state, text); });
  if (!reviewed.ok()) return SendError(req, res, 500, "Vurderingen kunne ikke lagres.", &context);
  if (!*reviewed) return SendError(req, res, 404, "Kommentaren finnes ikke.", &context);
  app.Audit(own->principal.username, "comment_review",
            fmt::format("runde {}: en kommentar {}", own->round.id,
                        state == "approved" ? "tas med" : "utelates"));
  Redirect(res, fmt::format("/runder/{}/kommentarer", own->round.id));
}

}  // namespace

void RegisterCommentRoutes(httplib::Server& server, App& app) {
  server.Get("/personvern/kommune", [&app](const httplib::Request& req, httplib::Response& res) {
    ShowContact(app, req, res);
  });
  server.Post("/personvern/kommune", [&app](const httplib::Request& req, httplib::Response& res) {
    SaveContact(app, req, res);
  });
  server.Get(
      R"(/runder/(\d{1,12})/kommentarer)",
      [&app](const httplib::Request& req, httplib::Response& res) { ShowComments(app, req, res); });
  server.Post(
      R"(/runder/(\d{1,12})/kommentarer)",
      [&app](const httplib::Request& req, httplib::Response& res) { SetQuestion(app, req, res); });
  server.Post(R"(/runder/(\d{1,12})/kommentarer/([0-9a-f]{32}))",
              [&app](const httplib::Request& req, httplib::Response& res) {
                ReviewComment(app, req, res);
              });
}

}  // namespace samkart::web
