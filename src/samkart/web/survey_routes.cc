// The respondent's pages under /s/{token}: an introduction, one page per
// question family, submission and thanks. No login, no JavaScript: every
// step is a form posted to the server and answered with 303 to the next
// page. Answers in progress live in a draft keyed by the SHA-256 of a
// random cookie; the submitted answer carries no time, address or cookie.
//
//   GET  /s/{token}              introduction, «Start»
//   POST /s/{token}/start        creates the draft (cookie samkart_utkast)
//   GET  /s/{token}/side/{n}     page n, answers saved so far filled in
//   POST /s/{token}/side/{n}     saves page n; «Neste»/«Tilbake» → 303
//   GET  /s/{token}/send         «ready to send» (when no page is left)
//   POST /s/{token}/send         saves the last page, validates, submits
//   GET  /s/{token}/takk         «Takk for svaret»
//   GET  /s/{token}/personvern   the privacy statement (linked from every page)
//
// The privacy statement stands on the introduction, before the first
// question. A round with a free-text question asks it on the last page; the
// comment is masked (comments.h) before it is kept in the draft, and stored
// apart from the answer, in a transaction of its own, after the answer.
#include <algorithm>

#include <fmt/format.h>

#include "samkart/core/sha256.h"
#include "samkart/core/text.h"
#include "samkart/web/comments.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"
#include "samkart/web/survey.h"
#include "samkart/web/survey_privacy.h"

namespace samkart::web {

namespace {

constexpr const char* kDraftCookie = "samkart_utkast";
constexpr const char* kToken = R"(/s/([A-Za-z0-9_-]{20,64}))";

// The round behind a link, and the service the link fixes (service links).
struct Link {
  store::SurveyRound round;
  std::string token;
  std::optional<std::string> fixed_service;
  std::string municipality_name;
  store::PrivacyContact privacy{};
  std::optional<std::string> comment_question{};
};

// Finds the round of the link in the request, or answers 404/503 and returns nullopt.
std::optional<Link> FindLink(App& app, const httplib::Request& req, httplib::Response& res) {
  const std::string token = req.matches[1];
  auto found = app.WithStore([&](store::Store& store) -> Result<std::optional<Link>> {
    auto round = store.FindSurveyRoundByToken(token);
    if (!round.ok()) return round.error();
    if (!*round) return std::optional<Link>();
    Link link{std::move(**round), token, std::nullopt, ""};
    for (const auto& s : link.round.services) {
      if (s.token == token) link.fixed_service = s.service;
    }
    auto municipalities = store.Municipalities();
    if (!municipalities.ok()) return municipalities.error();
    link.municipality_name = std::to_string(link.round.municipality);
    for (const auto& m : *municipalities) {
      if (m.number == link.round.municipality) link.municipality_name = m.name;
    }
    auto contact = store.FindPrivacyContact(link.round.municipality);
    if (!contact.ok()) return contact.error();
    if (*contact) link.privacy = **contact;
    auto question = store.CommentQuestion(link.round.id);
    if (!question.ok()) return question.error();
    link.comment_question = *question;
    return std::optional<Link>(std::move(link));
  });
  if (!found.ok()) {
    res.set_header("Retry-After", "30");
    SendHtml(res, 503,
             RenderPage({"Midlertidig utilgjengelig", nullptr, true, true},
                        R"(<p class="error" role="alert">Skjemaet kan ikke hentes akkurat nå. )"
                        R"(Prøv igjen om litt; svarene du har gitt, er tatt vare på.</p>)"));
    return std::nullopt;
  }
  if (!*found) {
    SendHtml(res, 404,
             RenderPage({"Fant ikke skjemaet", nullptr, true, true},
                        "<p>Lenken du brukte, finnes ikke. Sjekk at du har kopiert hele lenken "
                        "fra invitasjonen.</p>"));
    return std::nullopt;
  }
  Link link = **found;
  // A round past its last day is closed now; whatever that gives, the link
  // takes no more answers.
  if (ClosingDatePassed(link.round, NorwegianToday())) {
    (void)CloseRoundsPastTheirDate(app);
    link.round.status = "closed";
  }
  return link;
}

std::string Base(const Link& link) { return "/s/" + link.token; }

std::string PrivacyStatement(App& app, const Link& link) {
  PrivacyFacts facts;
  facts.municipality_name = link.municipality_name;
  facts.contact = link.privacy;
  facts.k = app.options().k;
  facts.asks_free_text = link.comment_question.has_value();
  return PrivacyStatementHtml(app.options().privacy_statement, facts);
}

// At the foot of every page of the form.
std::string PrivacyLink(const Link& link) {
  return fmt::format(
      R"(<p class="survey-privacy-link"><a href="{}/personvern">Om personvern</a></p>)",
      Base(link));
}

// « etter siste svardag 15. januar 2027» when the round had one.
std::string Closed(const store::SurveyRound& round) {
  const auto last = ParseIsoDate(round.closes_on);
  return last ? " etter siste svardag " + NorwegianDate(*last) : "";
}

void SendClosed(httplib::Response& res, const Link& link) {
  SendHtml(
      res, 410,
      RenderPage({"Kartleggingen er avsluttet", nullptr, true, true},
                 fmt::format("<p>Kartleggingen ble avsluttet{}. Det er ikke lenger mulig å "
                             "svare på kartleggingen i {} {}. Takk for interessen.</p>",
                             Closed(link.round), Escape(link.municipality_name), link.round.year)));
}

// Answers the round holds now; nullopt when the store does not answer.
std::optional<std::size_t> HeldAnswers(App& app, const Link& link) {
  auto counts =
      app.WithStore([&](store::Store& store) { return store.SurveyResponseCounts(link.round.id); });
  if (!counts.ok()) return std::nullopt;
  std::size_t held = 0;
  for (const auto& [service, count] : *counts) held += count;
  return held;
}

// The round has taken all the answers it may (survey_budget.h).
void SendBudgetSpent(App& app, httplib::Response& res, const Link& link) {
  if (app.survey_budget().FirstRefusalToday(link.round.id)) {
    app.Audit("(anonym)", "survey_budget_spent",
              fmt::format("runde {} ({} {}): flere svar enn runden tar imot", link.round.id,
                          link.municipality_name, link.round.year));
  }
  res.set_header("Retry-After", "86400");
  SendHtml(res, 429,
           RenderPage({"Kartleggingen tar ikke imot flere svar nå", nullptr, true, true},
                      fmt::format("<p>Kartleggingen i {} {} har fått langt flere svar enn det er "
                                  "inviterte, og tar ikke imot flere før den som har ansvaret "
                                  "for kartleggingen, har sett på det. Si gjerne fra til den som "
                                  "sendte deg lenken.</p>",
                                  Escape(link.municipality_name), link.round.year)));
}

// The form of the link's round; a service link offers only its service.
std::optional<SurveyForm> FormFor(App& app, const Link& link, httplib::Response& res) {
  std::vector<std::string> services;
  if (link.fixed_service) {
    services.push_back(*link.fixed_service);
  } else {
    for (const auto& s : link.round.services) services.push_back(s.service);
  }
  auto form = SurveyForm::Create(app.instrument(), link.round.generation, services);
  if (!form.ok()) {
    SendHtml(
        res, 500,
        RenderPage({"Noe gikk galt", nullptr, true, true},
                   fmt::format(R"(<p class="error" role="alert">Skjemaet kan ikke vises: {}</p>)",
                               Escape(form.error().message))));
    return std::nullopt;
  }
  return std::move(form).value();
}

std::optional<std::string> DraftKey(const httplib::Request& req) {
  const auto cookie = Cookie(req, kDraftCookie);
  if (!cookie || cookie->size() != 43) return std::nullopt;
  return Sha256Hex(*cookie);
}

std::optional<SurveyDraft> LoadDraft(App& app, const std::string& key, int64_t round_id) {
  auto json = app.WithStore([&](store::Store& s) { return s.LoadSurveyDraft(key, round_id); });
  if (!json.ok() || !*json) return std::nullopt;
  return SurveyDraft::FromJson(**json);
}

bool SaveDraft(App& app, const std::string& key, int64_t round_id, const SurveyDraft& draft) {
  return app
      .WithStore([&](store::Store& s) { return s.SaveSurveyDraft(key, round_id, draft.ToJson()); })
      .ok();
}

// A page's answers into the respondent's draft. nullopt: the store failed;
// false: there is no draft any more (submitted, maybe by a second click).
std::optional<bool> UpdateDraft(App& app, const std::string& key, int64_t round_id,
                                const SurveyDraft& draft) {
  auto updated = app.WithStore(
      [&](store::Store& s) { return s.UpdateSurveyDraft(key, round_id, draft.ToJson()); });
  if (!updated.ok()) return std::nullopt;
  return *updated;
}

void SendForbiddenForm(httplib::Response& res, const Link& link) {
  SendHtml(res, 403,
           RenderPage({"Skjemaet var utløpt", nullptr, true, true},
                      fmt::format("<p>Skjemaet manglet en gyldig sikkerhetsnøkkel, så svaret ble "
                                  "ikke lagret. <a href=\"{}\">Gå til starten av skjemaet</a> og "
                                  "prøv igjen; svarene du har lagret, er tatt vare på.</p>",
                                  Base(link))));
}

std::string FieldId(const std::string& qualified_item, int code) {
  std::string id = "q-" + qualified_item + "-" + std::to_string(code);
  std::replace(id.begin(), id.end(), '.', '-');
  return id;
}

std::string Qualified(const instrument::Family& family, const instrument::Item& item) {
  return family.id + "." + item.id;
}

struct FieldError {
  std::string anchor;  // id of the field the summary links to
  std::string message;
  std::string field{};  // the form field's name; empty for the whole form
};

// The errors by field name.
using FieldErrors = std::map<std::string, std::string>;

FieldErrors ByField(const std::vector<FieldError>& errors) {
  FieldErrors out;
  for (const auto& e : errors) {
    if (!e.field.empty()) out.emplace(e.field, e.message);
  }
  return out;
}

std::string ErrorId(const std::string& field) {
  std::string id = "feil-" + field;
  std::replace(id.begin(), id.end(), '.', '-');
  return id;
}

// The message beside a field, and the attributes tying the field to it.
std::string FieldErrorText(const std::string& field, const std::string& message) {
  return fmt::format(
      R"(<p class="survey-field-error" id="{}"><span class="survey-visually-hidden">Feil: </span>{}</p>)",
      ErrorId(field), Escape(message));
}
std::string InvalidAttributes(const std::string& field) {
  return fmt::format(R"( aria-invalid="true" aria-describedby="{}")", ErrorId(field));
}

// One question with radio buttons, each with its label; an error stands
// under the question and every button points at it.
std::string RadioFieldset(const std::string& name, const std::string& legend,
                          const std::vector<std::pair<int, std::string>>& options,
                          std::optional<int> checked, const std::string& hint = "",
                          const std::string& error = "") {
  std::string out = fmt::format(R"(<fieldset class="item{}"><legend>{}</legend>)",
                                error.empty() ? "" : " survey-invalid", Escape(legend));
  if (!hint.empty()) out += fmt::format(R"(<p class="hint">{}</p>)", Escape(hint));
  if (!error.empty()) out += FieldErrorText(name, error);
  for (const auto& [code, label] : options) {
    const std::string id = FieldId(name, code);
    out += fmt::format(
        R"(<label for="{0}"><input type="radio" id="{0}" name="{1}" value="{2}"{3}{5}> {4}</label>)",
        id, Escape(name), code, checked && *checked == code ? " checked" : "", Escape(label),
        error.empty() ? "" : InvalidAttributes(name));
  }
  return out + "</fieldset>\n";
}

// Where the «Neste» of page `index` leads: the next page shown, else «send».
std::optional<std::size_t> NextPage(const SurveyForm& form, const SurveyDraft& draft,
                                    std::size_t index) {
  for (const std::size_t p : form.ApplicablePages(draft)) {
    if (p > index) return p;
  }
  return std::nullopt;
}

std::optional<std::size_t> PreviousPage(const SurveyForm& form, const SurveyDraft& draft,
                                        std::size_t index) {
  std::optional<std::size_t> previous;
  for (const std::size_t p : form.ApplicablePages(draft)) {
    if (p < index) previous = p;
  }
  return previous;
}

std::string ErrorSummary(const std::vector<FieldError>& errors) {
  if (errors.empty()) return "";
  // Focus moves here (autofocus), so a screen reader starts with what to fix.
  std::string out =
      R"(<div class="error-summary survey-error-summary" role="alert" id="feilsammendrag" tabindex="-1" autofocus>)"
      R"(<h2>Noe må rettes før du går videre</h2><ul>)";
  for (const auto& e : errors) {
    out += fmt::format(R"(<li><a href="#{}">{}</a></li>)", Escape(e.anchor), Escape(e.message));
  }
  return out + "</ul></div>\n";
}

// The optional free-text question of the round, before «Send inn».
std::string CommentField(const Link& link, const std::string& text, const FieldErrors& errors) {
  if (!link.comment_question) return "";
  const auto error = errors.find("kommentar");
  std::string describedby = "kommentar-hint";
  if (error != errors.end()) describedby += " " + ErrorId("kommentar");
  return fmt::format(
      R"(<div class="survey-comment"><label for="kommentar">{0} <span class="hint">(valgfritt)</span></label>)"
      R"(<p class="hint" id="kommentar-hint">Det du skriver her, lagres atskilt fra svarene dine. )"
      R"(Koordinatoren i kommunen leser det etter at navn, e-postadresser og telefonnumre er )"
      R"(maskert. Ikke skriv navn på deg selv eller andre. Høyst {1} tegn.</p>{2})"
      R"(<textarea id="kommentar" name="kommentar" rows="5" maxlength="{1}" )"
      R"(aria-describedby="{3}"{4}>{5}</textarea></div>)",
      Escape(*link.comment_question), kMaxCommentChars,
      error == errors.end() ? "" : FieldErrorText("kommentar", error->second), describedby,
      error == errors.end() ? "" : R"( aria-invalid="true")", Escape(text));
}

// One page of the form, its saved (or just posted) answers checked.
std::string RenderSurveyPage(const SurveyForm& form, const Link& link, std::size_t index,
                             const SurveyDraft& draft, const std::string& csrf,
                             const std::vector<FieldError>& errors) {
  // Counted with the pages that may still come, so adding an answer never
  // makes the total grow (see PagesToCount).
  const auto counted = form.PagesToCount(draft, index);
  const auto at = std::find(counted.begin(), counted.end(), index);
  const std::size_t number = static_cast<std::size_t>(at - counted.begin()) + 1;
  const std::size_t total = counted.size();
  const bool last = !NextPage(form, draft, index);
  const SurveyPage& page = form.pages()[index];
  const std::string heading =
      page.family ? page.family->title : std::string("Om deg og arbeidsstedet ditt");

  const FieldErrors field_errors = ByField(errors);
  auto error_of = [&](const std::string& field) {
    const auto found = field_errors.find(field);
    return found == field_errors.end() ? std::string() : found->second;
  };
  std::string body = ErrorSummary(errors);
  body += fmt::format(R"(<h1>{}</h1>
<div class="progress"><p id="framdrift">Side {} av {}</p><progress max="{}" value="{}" aria-labelledby="framdrift">Side {} av {}</progress></div>
)",
                      Escape(heading), number, total, total, number, number, total);
  body +=
      fmt::format(R"(<form method="post" action="{}">{})",
                  last ? Base(link) + "/send" : fmt::format("{}/side/{}", Base(link), index + 1),
                  CsrfInput(csrf));
  if (last) body += fmt::format(R"(<input type="hidden" name="side" value="{}">)", index + 1);

  if (page.family == nullptr) {
    if (link.fixed_service) {
      const auto* service = form.instrument().FindService(*link.fixed_service);
      body += fmt::format("<p>Du svarer som ansatt i <strong>{}</strong>.</p>",
                          Escape(service ? service->label : *link.fixed_service));
    } else {
      std::vector<std::pair<int, std::string>> options;
      for (const auto* s : form.services()) options.emplace_back(s->code, s->label);
      body += RadioFieldset("tjeneste", "Hvor jobber du?", options, draft.service, "",
                            error_of("tjeneste"));
    }
    std::vector<std::pair<int, std::string>> options;
    for (const auto* p : form.positions()) options.emplace_back(p->code, p->label);
    body += RadioFieldset("stilling", "Hva er din stilling?", options, draft.position,
                          "Du kan la være å svare på dette spørsmålet.", error_of("stilling"));
  } else {
    const instrument::Family& family = *page.family;
    const auto items = form.ItemsShown(index, draft);
    if (family.type == instrument::FamilyType::kMultipleChoice) {
      body += fmt::format(R"(<fieldset class="item"><legend>{}</legend>)", Escape(family.stem));
      for (const auto* item : items) {
        const std::string name = Qualified(family, *item);
        const auto answer = draft.answers.find(name);
        const std::string id = FieldId(name, 1);
        const std::string error = error_of(name);
        if (!error.empty()) body += FieldErrorText(name, error);
        body += fmt::format(
            R"(<label for="{0}"><input type="checkbox" id="{0}" name="{1}" value="1"{2}{4}> {3}</label>)",
            id, Escape(name),
            answer != draft.answers.end() && answer->second == 1 ? " checked" : "",
            Escape(item->text), error.empty() ? "" : InvalidAttributes(name));
      }
      body += "</fieldset>\n";
    } else {
      body += fmt::format(R"(<p class="stem">{}</p>)", Escape(family.stem));
      const instrument::Scale* scale = form.instrument().FindScale(family.scale);
      std::vector<std::pair<int, std::string>> options;
      if (scale != nullptr) {
        for (const auto& c : scale->categories) options.emplace_back(c.code, c.label);
      }
      for (const auto* item : items) {
        const std::string name = Qualified(family, *item);
        const auto answer = draft.answers.find(name);
        body += RadioFieldset(
            name, item->text, options,
            answer == draft.answers.end() ? std::nullopt : std::optional<int>(answer->second), "",
            error_of(name));
      }
    }
  }
  if (last) body += CommentField(link, draft.comment, field_errors);
  body +=
      fmt::format(R"(<div class="actions"><button type="submit" name="gaa" value="{}">{}</button>)"
                  R"(<button type="submit" name="gaa" value="tilbake" class="secondary">)"
                  R"(Tilbake</button></div></form>)",
                  last ? "send" : "neste", last ? "Send inn" : "Neste");
  body += PrivacyLink(link);
  PageOptions options;
  options.title = fmt::format("{} (side {} av {})", heading, number, total);
  options.heading = false;
  options.survey = true;
  return RenderPage(options, body);
}

// Reads page `index` of the posted form into `draft`. Values that are not
// answers the page offers are reported, naming the question, and not saved.
std::vector<FieldError> ReadPage(const SurveyForm& form, const Link& link, std::size_t index,
                                 const httplib::Request& req, SurveyDraft& draft) {
  std::vector<FieldError> errors;
  const SurveyPage& page = form.pages()[index];
  auto parse = [&](const std::string& name) -> std::optional<int> {
    return text::ParseInt(FormValue(req, name));
  };
  if (page.family == nullptr) {
    if (link.fixed_service) {
      const auto* service = form.instrument().FindService(*link.fixed_service);
      if (service != nullptr) draft.service = service->code;
    } else {
      const std::string value = FormValue(req, "tjeneste");
      const auto code = parse("tjeneste");
      SurveyDraft probe;
      probe.service = code;
      if (value.empty()) {
        errors.push_back(
            {FieldId("tjeneste", form.services().empty() ? 0 : form.services()[0]->code),
             "Svar på spørsmålet «Hvor jobber du?».", "tjeneste"});
      } else if (!code || form.Invalid(probe)) {
        errors.push_back(
            {FieldId("tjeneste", form.services().empty() ? 0 : form.services()[0]->code),
             "Spørsmålet «Hvor jobber du?» har et svar som ikke finnes i skjemaet.", "tjeneste"});
      } else {
        draft.service = code;
      }
    }
    const std::string value = FormValue(req, "stilling");
    if (value.empty()) {
      draft.position.reset();
    } else {
      SurveyDraft probe;
      probe.position = parse("stilling");
      if (!probe.position || form.Invalid(probe)) {
        errors.push_back(
            {FieldId("stilling", form.positions().empty() ? 0 : form.positions()[0]->code),
             "Spørsmålet «Hva er din stilling?» har et svar som ikke finnes i skjemaet.",
             "stilling"});
      } else {
        draft.position = probe.position;
      }
    }
    return errors;
  }

  const instrument::Family& family = *page.family;
  const instrument::Scale* scale = form.instrument().FindScale(family.scale);
  const int first_code = scale && !scale->categories.empty() ? scale->categories[0].code : 0;
  const bool checklist = family.type == instrument::FamilyType::kMultipleChoice;
  for (const auto* item : form.ItemsShown(index, draft)) {
    const std::string name = Qualified(family, *item);
    const std::string value = FormValue(req, name);
    if (value.empty()) {
      // An unticked box is a «no» once the page was answered; an unanswered
      // question stays unanswered.
      if (checklist) {
        draft.answers[name] = 0;
      } else {
        draft.answers.erase(name);
      }
      continue;
    }
    SurveyDraft probe;
    const auto code = parse(name);
    if (code) probe.answers[name] = *code;
    if (!code || form.Invalid(probe)) {
      const std::string message =
          code ? *form.Invalid(probe)
               : fmt::format("Spørsmålet {} har et svar som ikke er et av svaralternativene.",
                             form.QuestionName(name));
      errors.push_back({FieldId(name, checklist ? 1 : first_code), message, name});
    } else {
      draft.answers[name] = *code;
    }
  }
  return errors;
}

std::string ThanksHtml(const std::string& heading, const std::string& text) {
  return RenderPage({heading, nullptr, true, true},
                    fmt::format("<p>{}</p><p>Du kan nå lukke denne siden.</p>", text));
}
void SendAlreadySubmitted(httplib::Response& res) {
  SendHtml(res, 200,
           ThanksHtml("Svaret er allerede sendt inn",
                      "Vi har allerede fått svaret ditt, og det er bare telt med én gang. "
                      "Takk for at du svarte!"));
}

// The open round of the link, its form and this browser's draft, for the
// pages shown after «Start»; nullopt once answered (unknown link, closed
// round, or no draft: back to the start page).
struct RoundDraft {
  Link link;
  SurveyForm form;
  SurveyDraft draft;
};
std::optional<RoundDraft> OpenRoundDraft(App& app, const httplib::Request& req,
                                         httplib::Response& res) {
  auto link = FindLink(app, req, res);
  if (!link) return std::nullopt;
  if (link->round.status != "open") {
    SendClosed(res, *link);
    return std::nullopt;
  }
  auto form = FormFor(app, *link, res);
  if (!form) return std::nullopt;
  const auto key = DraftKey(req);
  auto draft = key ? LoadDraft(app, *key, link->round.id) : std::nullopt;
  if (!draft) {
    Redirect(res, Base(*link));
    return std::nullopt;
  }
  return RoundDraft{std::move(*link), std::move(*form), std::move(*draft)};
}

// The page a number in a path or form names, counted from 1; nullopt when
// the form has no such page.
std::optional<std::size_t> PageIndex(const SurveyForm& form, const std::string& number) {
  const auto side = text::ParseInt(number);
  if (!side || *side < 1 || static_cast<std::size_t>(*side) > form.pages().size()) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(*side) - 1;
}

void SendNoSuchPage(httplib::Response& res, const Link& link) {
  SendHtml(res, 404,
           RenderPage({"Fant ikke siden", nullptr, true, true},
                      fmt::format(R"(<p>Skjemaet har ikke denne siden. <a href="{}/side/1">)"
                                  R"(Gå til første side</a>.</p>)",
                                  Base(link))));
}

// Reads and saves the posted page, then sends the browser on. Returns false
// when the page was the last one posted to /send: the draft is to be submitted.
bool SavePostedPage(App& app, const httplib::Request& req, httplib::Response& res,
                    const SurveyForm& form, const Link& link, const std::string& key,
                    std::size_t index, SurveyDraft& draft, const std::string& csrf, bool send) {
  const auto errors = ReadPage(form, link, index, req, draft);
  if (!errors.empty()) {
    SendHtml(res, 400, RenderSurveyPage(form, link, index, draft, csrf, errors));
    return true;
  }
  const auto saved = UpdateDraft(app, key, link.round.id, draft);
  // Gone since it was loaded: a second click on «Send inn» submitted it.
  if (saved && !*saved) {
    SendAlreadySubmitted(res);
    return true;
  }
  if (!saved) {
    SendHtml(
        res, 500,
        RenderPage({"Noe gikk galt", nullptr, true, true},
                   R"(<p class="error" role="alert">Svarene kunne ikke lagres. Prøv igjen.</p>)"));
    return true;
  }
  const std::string go = FormValue(req, "gaa");
  if (go == "tilbake") {
    const auto previous = PreviousPage(form, draft, index);
    Redirect(res, previous ? fmt::format("{}/side/{}", Base(link), *previous + 1) : Base(link));
    return true;
  }
  if (const auto next = NextPage(form, draft, index)) {
    Redirect(res, fmt::format("{}/side/{}", Base(link), *next + 1));
    return true;
  }
  if (!send) {
    Redirect(res, Base(link) + "/send");
    return true;
  }
  return false;
}

// Words a comment may name without naming a person: the municipality and the services.
std::vector<std::string> KnownWords(const SurveyForm& form, const Link& link) {
  std::vector<std::string> words{link.municipality_name};
  for (const auto& s : form.instrument().services) words.push_back(s.label);
  return words;
}

// The posted comment into the draft, masked; an error when it is too long
// (the draft then keeps what was typed, for the page shown again).
std::optional<FieldError> ReadComment(const SurveyForm& form, const Link& link,
                                      const httplib::Request& req, SurveyDraft& draft) {
  if (!link.comment_question || !req.has_param("kommentar")) return std::nullopt;
  const std::string typed(text::Trim(FormValue(req, "kommentar")));
  if (CharacterCount(typed) > kMaxCommentChars || !text::IsValidUtf8(typed)) {
    draft.comment = typed;
    return FieldError{"kommentar",
                      fmt::format("Kommentaren kan være høyst {} tegn; den har {}.",
                                  kMaxCommentChars, CharacterCount(typed)),
                      "kommentar"};
  }
  draft.comment = MaskPersonalData(typed, KnownWords(form, link));
  return std::nullopt;
}

// Submission: the whole draft once more, then the harmoniser, then the store.
// On errors the page shown is the one posted when it applies.
void SubmitDraft(App& app, httplib::Response& res, const SurveyForm& form, const Link& link,
                 const std::string& key, SurveyDraft& draft, std::optional<std::size_t> index,
                 const std::string& csrf) {
  if (link.fixed_service) {
    if (const auto* s = form.instrument().FindService(*link.fixed_service)) draft.service = s->code;
  }
  std::vector<FieldError> errors;
  std::size_t error_page = 0;
  if (!draft.service) {
    errors.push_back({FieldId("tjeneste", form.services().empty() ? 0 : form.services()[0]->code),
                      "Svar på spørsmålet «Hvor jobber du?».", "tjeneste"});
  } else if (const auto invalid = form.Invalid(draft)) {
    errors.push_back({"innhold", *invalid});
  } else {
    auto row = form.Harmonise(draft, link.round.municipality, link.round.year);
    if (!row.ok()) {
      errors.push_back({"innhold", row.error().message});
    } else {
      const store::HeldResponse response{row->service, row->position,
                                         form.AnswersFor(*row, link.round.item_ids)};
      const auto held = HeldAnswers(app, link);
      if (held && !app.survey_budget().MaySubmit(link.round, *held)) {
        return SendBudgetSpent(app, res, link);
      }
      auto submitted = app.WithStore(
          [&](store::Store& s) { return s.SubmitSurveyResponse(key, link.round.id, response); });
      if (!submitted.ok()) {
        SendHtml(res, 500,
                 RenderPage({"Noe gikk galt", nullptr, true, true},
                            R"(<p class="error" role="alert">Svaret kunne ikke lagres. Prøv igjen )"
                            R"(om litt.</p>)"));
        return;
      }
      SetCookie(app, res, kDraftCookie, "", {0, true, "Lax", "/s/"});
      switch (*submitted) {
        case store::SubmitStatus::kStored:
          // After the answer and in a transaction of its own: nothing ties the two.
          if (link.comment_question && !draft.comment.empty()) {
            const std::string masked = MaskPersonalData(draft.comment, KnownWords(form, link));
            auto added = app.WithStore(
                [&](store::Store& s) { return s.AddSurveyComment(link.round.id, masked); });
            (void)added;  // a failure is logged by WithStore; the answer is stored
          }
          Redirect(res, Base(link) + "/takk");
          return;
        case store::SubmitStatus::kAlreadySubmitted:
          return SendAlreadySubmitted(res);
        case store::SubmitStatus::kRoundClosed:
          return SendClosed(res, link);
      }
    }
  }
  const auto shown = form.ApplicablePages(draft);
  error_page =
      index && std::find(shown.begin(), shown.end(), *index) != shown.end() ? *index : shown.back();
  if (!draft.service) error_page = 0;
  SendHtml(res, 400, RenderSurveyPage(form, link, error_page, draft, csrf, errors));
}

// Saves the posted page and moves on (POST /side/{n}) or submits (POST /send).
void HandlePost(App& app, const httplib::Request& req, httplib::Response& res, bool send) {
  const auto link = FindLink(app, req, res);
  if (!link) return;
  if (link->round.status != "open") return SendClosed(res, *link);
  if (!AnonymousCsrfMatches(req)) return SendForbiddenForm(res, *link);
  const auto form = FormFor(app, *link, res);
  if (!form) return;
  const auto key = DraftKey(req);
  const auto loaded = key ? LoadDraft(app, *key, link->round.id) : std::nullopt;
  if (!loaded) {
    // The draft is the ticket: without it this browser already submitted.
    if (send && key) return SendAlreadySubmitted(res);
    Redirect(res, Base(*link));
    return;
  }
  SurveyDraft draft = *loaded;

  // /send may carry the last page; /side/{n} always does.
  std::optional<std::size_t> index;
  if (send) {
    index = PageIndex(*form, FormValue(req, "side"));
  } else {
    index = PageIndex(*form, std::string(req.matches[2]));
    if (!index) return SendNoSuchPage(res, *link);
  }

  const std::string csrf = AnonymousCsrf(app, req, res);
  if (const auto comment_error = ReadComment(*form, *link, req, draft)) {
    std::vector<FieldError> errors;
    if (index) errors = ReadPage(*form, *link, *index, req, draft);
    errors.push_back(*comment_error);
    const std::size_t shown = index ? *index : form->ApplicablePages(draft).back();
    SendHtml(res, 400, RenderSurveyPage(*form, *link, shown, draft, csrf, errors));
    return;
  }
  if (index && SavePostedPage(app, req, res, *form, *link, *key, *index, draft, csrf, send)) return;
  SubmitDraft(app, res, *form, *link, *key, draft, index, csrf);
}

// GET /s/{token}: what the survey is and how the answers are kept anonymous.
void ShowStartPage(App& app, const httplib::Request& req, httplib::Response& res) {
  const auto link = FindLink(app, req, res);
  if (!link) return;
  if (link->round.status != "open") return SendClosed(res, *link);
  const std::string csrf = AnonymousCsrf(app, req, res);
  const std::string place = Escape(link->municipality_name);
  std::string body = fmt::format(
      R"(<p>{0} kartlegger hvordan ansatte som arbeider med barn og unge, kjenner igjen )"
      R"(tegn på at et barn strever, og hvordan tjenestene samarbeider når noen er bekymret. )"
      R"(Kartleggingen er en del av arbeidet med BTI/BTS (bedre tverrfaglig innsats / )"
      R"(samhandling) og gjennomføres med Samkart.</p>
<p>Det tar omtrent 15 minutter. Du kan gå fram og tilbake i skjemaet; svarene lagres for hver side.</p>
<section class="survey-privacy" id="personvern" aria-label="Om personvern">
{1}<p>Vi lagrer ikke navnet ditt eller e-postadressen din. En informasjonskapsel (cookie) holder på svarene mens du fyller ut skjemaet; den slettes når du sender inn.</p>
</section>
<form method="post" action="{2}/start">{3}<div class="actions"><button type="submit">Start</button></div></form>)",
      place, PrivacyStatement(app, *link), Base(*link), CsrfInput(csrf));
  PageOptions page;
  page.title = fmt::format("Kartlegging i {} {}", link->municipality_name, link->round.year);
  page.survey = true;
  SendHtml(res, 200, RenderPage(page, body));
}

// POST /s/{token}/start: continues this browser's draft, or starts one.
void StartDraft(App& app, const httplib::Request& req, httplib::Response& res) {
  const auto link = FindLink(app, req, res);
  if (!link) return;
  if (link->round.status != "open") return SendClosed(res, *link);
  if (!AnonymousCsrfMatches(req)) return SendForbiddenForm(res, *link);
  // Continue a draft this browser has for the round; else start one.
  if (const auto key = DraftKey(req); key && LoadDraft(app, *key, link->round.id)) {
    Redirect(res, Base(*link) + "/side/1");
    return;
  }
  const auto held = HeldAnswers(app, *link);
  if (held && !app.survey_budget().TryStart(link->round, *held)) {
    return SendBudgetSpent(app, res, *link);
  }
  const std::string cookie = RandomToken();
  SurveyDraft draft;
  if (link->fixed_service) {
    if (const auto* s = app.instrument().FindService(*link->fixed_service)) draft.service = s->code;
  }
  if (!SaveDraft(app, Sha256Hex(cookie), link->round.id, draft)) {
    SendHtml(res, 500,
             RenderPage(
                 {"Noe gikk galt", nullptr, true, true},
                 R"(<p class="error" role="alert">Skjemaet kunne ikke startes. Prøv igjen.</p>)"));
    return;
  }
  SetCookie(app, res, kDraftCookie, cookie, {-1, true, "Lax", "/s/"});
  Redirect(res, Base(*link) + "/side/1");
}

// GET /s/{token}/side/{n}: one page of the form, or on past a page the answers skip.
void ShowSurveyPage(App& app, const httplib::Request& req, httplib::Response& res) {
  const auto opened = OpenRoundDraft(app, req, res);
  if (!opened) return;
  const Link& link = opened->link;
  const SurveyForm& form = opened->form;
  const SurveyDraft& draft = opened->draft;
  const auto index = PageIndex(form, std::string(req.matches[2]));
  if (!index) return SendNoSuchPage(res, link);
  if (!form.Applies(*index, draft)) {
    // A page the answers so far skip: on to the next one shown.
    const auto next = NextPage(form, draft, *index);
    Redirect(res, next ? fmt::format("{}/side/{}", Base(link), *next + 1) : Base(link) + "/send");
    return;
  }
  const std::string csrf = AnonymousCsrf(app, req, res);
  SendHtml(res, 200, RenderSurveyPage(form, link, *index, draft, csrf, {}));
}

// GET /s/{token}/send: the last step before the answers are submitted.
void ShowSendPage(App& app, const httplib::Request& req, httplib::Response& res) {
  const auto opened = OpenRoundDraft(app, req, res);
  if (!opened) return;
  const auto shown = opened->form.ApplicablePages(opened->draft);
  const std::string csrf = AnonymousCsrf(app, req, res);
  PageOptions page;
  page.title = "Klar til å sende inn";
  page.survey = true;
  SendHtml(
      res, 200,
      RenderPage(page,
                 fmt::format(R"(<p>Du har kommet gjennom alle spørsmålene. Når du sender inn, )"
                             R"(kan du ikke lenger endre svarene.</p>)"
                             R"(<form method="post" action="{0}/send">{1}{3}<div class="actions">)"
                             R"(<button type="submit" name="gaa" value="send">Send inn</button>)"
                             R"(<a class="button secondary" href="{0}/side/{2}">Tilbake</a>)"
                             R"(</div></form>{4})",
                             Base(opened->link), CsrfInput(csrf), shown.back() + 1,
                             CommentField(opened->link, opened->draft.comment, {}),
                             PrivacyLink(opened->link))));
}

void ShowThanks(App& app, const httplib::Request& req, httplib::Response& res) {
  const auto link = FindLink(app, req, res);
  if (!link) return;
  SendHtml(res, 200,
           ThanksHtml("Takk for svaret",
                      "Svaret ditt er lagret anonymt. Det blir en del av kommunens samlede "
                      "resultater når kartleggingen er avsluttet."));
}

// GET /s/{token}/personvern: the statement, also once the round is closed.
void ShowPrivacy(App& app, const httplib::Request& req, httplib::Response& res) {
  const auto link = FindLink(app, req, res);
  if (!link) return;
  PageOptions page;
  page.title = "Om personvern";
  page.survey = true;
  std::string statement = PrivacyStatement(app, *link);
  // The statement's own first heading repeats the page's.
  if (statement.starts_with("<h2>Om personvern</h2>\n")) {
    statement.erase(0, std::string("<h2>Om personvern</h2>\n").size());
  }
  SendHtml(res, 200,
           RenderPage(page, fmt::format(R"(<div class="survey-privacy">{}</div><p><a href="{}">)"
                                        R"(Tilbake til skjemaet</a></p>)",
                                        statement, Base(*link))));
}

}  // namespace

void RegisterSurveyRoutes(httplib::Server& server, App& app) {
  const std::string token = kToken;

  server.Get(token, [&app](const httplib::Request& req, httplib::Response& res) {
    ShowStartPage(app, req, res);
  });

  server.Post(token + "/start", [&app](const httplib::Request& req, httplib::Response& res) {
    StartDraft(app, req, res);
  });

  server.Get(token + R"(/side/(\d{1,4}))",
             [&app](const httplib::Request& req, httplib::Response& res) {
               ShowSurveyPage(app, req, res);
             });

  server.Post(token + R"(/side/(\d{1,4}))",
              [&app](const httplib::Request& req, httplib::Response& res) {
                HandlePost(app, req, res, false);
              });

  server.Get(token + "/send", [&app](const httplib::Request& req, httplib::Response& res) {
    ShowSendPage(app, req, res);
  });

  server.Post(token + "/send", [&app](const httplib::Request& req, httplib::Response& res) {
    HandlePost(app, req, res, true);
  });

  server.Get(token + "/takk", [&app](const httplib::Request& req, httplib::Response& res) {
    ShowThanks(app, req, res);
  });

  server.Get(token + "/personvern", [&app](const httplib::Request& req, httplib::Response& res) {
    ShowPrivacy(app, req, res);
  });
}

}  // namespace samkart::web
