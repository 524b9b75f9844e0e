// The import assistant in the browser, as `samkart describe` and `samkart
// crosswalk suggest` on the command line: an export Samkart has never seen
// is described column by column, a crosswalk is drafted for it with the rows
// to check marked, and the file is imported with the draft, or with the
// draft as the user corrected it. The export waits on the server between
// the steps (pending_uploads.h), for its uploader only.
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/describe/crosswalk_suggestion.h"
#include "samkart/describe/file_profile.h"
#include "samkart/describe/profile_output.h"
#include "samkart/import/importer.h"
#include "samkart/instrument/loader.h"
#include "samkart/io/text_file.h"
#include "samkart/web/admin.h"
#include "samkart/web/admin_import.h"
#include "samkart/web/admin_pages.h"
#include "samkart/web/http.h"
#include "samkart/web/pending_uploads.h"

namespace samkart::web::admin {

namespace {

// Values listed per column on the page (the draft lists every label).
constexpr std::size_t kValuesShownPerColumn = 5;
// Crosswalk problems listed on the page; the rest are counted.
constexpr std::size_t kProblemsShown = 50;
// The importer's words when no crosswalk knows some of a file's columns:
// then the assistant is offered.
constexpr const char* kUnknownColumnsWords = "finnes ikke i kryssnøkkelen";
// The form field of a crosswalk the user corrected.
constexpr const char* kEditedField = "nokkel";

std::string AssistantPath(const PendingUpload& upload) {
  return "/admin/import/forslag/" + upload.token;
}

// A file name for Content-Disposition: what LayoutName gives, with anything
// outside A–Z, a–z, 0–9, «.», «-» and «_» made «_».
std::string AttachmentName(const std::string& name) {
  std::string out;
  for (const char c : name) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-' || c == '_';
    out += plain ? c : '_';
  }
  return out.empty() ? "utkast.csv" : out;
}

std::string Mark(bool sure) { return sure ? "sikker" : "<strong>sjekk</strong>"; }

std::string ValuesCell(const describe::ColumnProfile& column) {
  if (column.values.empty()) return R"(<span class="hint">tom</span>)";
  // Even masked, an identifier's values say too much (initials, lengths).
  if (column.guess.kind == describe::ColumnKind::kIdentifier) {
    return fmt::format(R"(<span class="hint">{}{} ulike verdier, vises ikke</span>)",
                       column.more_values ? "over " : "", column.values.size());
  }
  std::string out;
  for (std::size_t i = 0; i < column.values.size() && i < kValuesShownPerColumn; ++i) {
    const auto& v = column.values[i];
    if (i > 0) out += "<br>";
    out += fmt::format("{} ({})", Escape(PrintableName(v.value)), v.count);
  }
  const std::size_t more = column.values.size() > kValuesShownPerColumn
                               ? column.values.size() - kValuesShownPerColumn
                               : 0;
  if (more > 0 || column.more_values) {
    out += fmt::format(R"(<br><span class="hint">… og {}flere</span>)",
                       column.more_values ? "" : std::to_string(more) + " ");
  }
  return out;
}

// The assessment («sikker»/«sjekk») comes right after the column's name,
// so it is in view before the long texts.
std::string ColumnsTable(const describe::FileProfile& profile,
                         const instrument::Instrument& instrument) {
  std::string rows;
  for (std::size_t i = 0; i < profile.columns.size(); ++i) {
    const auto& c = profile.columns[i];
    rows += fmt::format(
        R"(<tr{}><td class="num">{}</td><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>)",
        c.guess.sure ? "" : R"( class="to-check")", i + 1, Escape(c.name), Mark(c.guess.sure),
        Escape(describe::GuessDescription(c.guess, instrument)), Escape(c.guess.reason),
        Escape(c.label), ValuesCell(c));
  }
  return fmt::format(
      R"(<div class="table-wrap" role="region" aria-labelledby="kolonner-c" tabindex="0"><table id="kolonner"><caption id="kolonner-c">Kolonnene i filen ({})</caption><thead><tr><th scope="col" class="num">Nr.</th><th scope="col">Kolonne</th><th scope="col">Vurdering</th><th scope="col">Samkart gjetter</th><th scope="col">Hvorfor</th><th scope="col">Etikett</th><th scope="col">Vanligste verdier (antall)</th></tr></thead><tbody>{}</tbody></table></div>)",
      profile.columns.size(), rows);
}

std::string DraftTable(const describe::CrosswalkSuggestion& draft) {
  std::string rows;
  for (std::size_t i = 0; i < draft.rows.size(); ++i) {
    const auto& r = draft.rows[i];
    const std::string column = r.role == "scale" && r.source_variable.empty()
                                   ? R"(<span class="hint">hver svarkolonne med skalaen</span>)"
                                   : Escape(r.source_variable);
    rows += fmt::format(
        R"(<tr{}><td class="num">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>)",
        r.sure ? "" : R"( class="to-check")", i + 2, Mark(r.sure), column, Escape(r.role),
        Escape(r.target), Escape(r.source_code), Escape(r.source_label), Escape(r.target_code),
        Escape(r.reason));
  }
  return fmt::format(
      R"(<div class="table-wrap" role="region" aria-labelledby="utkast-c" tabindex="0"><table id="utkast"><caption id="utkast-c">Utkast til kryssnøkkel, {} rader (linjenummer som i CSV-filen)</caption><thead><tr><th scope="col" class="num">Linje</th><th scope="col">Vurdering</th><th scope="col">Kolonne i filen</th><th scope="col">Rolle</th><th scope="col">Mål</th><th scope="col">Kode i filen</th><th scope="col">Etikett i filen</th><th scope="col">Kode i Samkart</th><th scope="col">Merknad</th></tr></thead><tbody>{}</tbody></table></div>)",
      draft.rows.size(), rows);
}

std::string Facts(App& app, const PendingUpload& upload, const describe::FileProfile& profile) {
  std::string facts = fmt::format(
      R"(<dt>Fil</dt><dd>{}</dd><dt>Format</dt><dd>{}</dd><dt>Detaljer</dt><dd>{}</dd><dt>Rader</dt><dd>{}</dd><dt>Kolonner</dt><dd>{}</dd>)",
      Escape(upload.file_name), Escape(profile.format),
      Escape(profile.details.empty() ? "–" : profile.details), profile.rows,
      profile.columns.size());
  if (upload.municipality) {
    facts += fmt::format("<dt>Kommunenummer fra skjemaet</dt><dd>{}</dd>", *upload.municipality);
  }
  if (upload.year) facts += fmt::format("<dt>År fra skjemaet</dt><dd>{}</dd>", *upload.year);
  if (upload.round_type) {
    facts += fmt::format("<dt>Rundetype</dt><dd>{}</dd>",
                         Escape(app.instrument().RoundTypeLabel(*upload.round_type)));
  }
  return R"(<dl class="facts">)" + facts + "</dl>";
}

std::string ConfirmForm(const RequestContext& context, const PendingUpload& upload) {
  return fmt::format(
      R"(<h2>Importer filen</h2>
<p>Ser utkastet riktig ut, kan du importere filen med det. Har du rettet utkastet i et regneark, laster du opp den rettede filen her; da brukes den i stedet. Filen går gjennom den samme kontrollen som ellers: blir noe avvist, lagres ingenting.</p>
<form method="post" action="{0}" enctype="multipart/form-data">{1}
<label for="{2}">Rettet kryssnøkkel <span class="hint">(valgfritt: utkastet lagret som CSV etter at du har sett over det)</span></label>
<input type="file" id="{2}" name="{2}" accept=".csv">
<div class="actions"><button type="submit">Importer med forslaget</button></div>
</form>
<p class="hint">Filen og utkastet ligger på serveren i {3} minutter fra opplastingen, bare for deg, og slettes når filen er importert.</p>
<p><a href="/admin/import">Tilbake til import</a></p>)",
      AssistantPath(upload), CsrfInput(context.csrf), kEditedField,
      kPendingUploadLifetime.count() / 60);
}

struct Described {
  describe::FileProfile profile;
  describe::CrosswalkSuggestion draft;
};

// The kept export described and a crosswalk drafted; the draft is saved the
// first time.
Result<Described> Describe(App& app, PendingUpload& upload) {
  auto profile = describe::ProfileFile(upload.export_path().string(), app.instrument());
  if (!profile.ok()) return Error{upload.StripDirs(profile.error().message)};
  profile.value().file = upload.file_name;
  Described out{std::move(profile).value(), {}};
  out.draft = describe::SuggestCrosswalk(out.profile, app.instrument());
  if (upload.draft_name.empty()) {
    const std::string name = describe::LayoutName(out.draft.generation, upload.file_name) + ".csv";
    if (auto saved =
            app.pending_uploads().SaveDraft(upload, name, describe::CrosswalkCsv(out.draft));
        !saved.ok()) {
      return saved.error();
    }
  }
  return out;
}

std::string AssistantBody(App& app, const RequestContext& context, const PendingUpload& upload,
                          const Described& described, const std::string& alert_html) {
  const auto& draft = described.draft;
  std::string body = alert_html;
  body += fmt::format(
      R"(<p>Slik leser Samkart filen. Ingenting er importert ennå. Se over kolonnene og utkastet til kryssnøkkel, særlig radene merket «sjekk», før du importerer.</p>
{}
<h2>Kolonner</h2>
<p>Verdiene i kolonner som ser ut som identifikatorer (e-post, telefon, navn, tidspunkt, fritekst) vises ikke. Rader der Samkart er usikker, er merket «sjekk».</p>
{}
<h2>Generasjon</h2>
<p>Foreslått generasjon: <strong>{}</strong>{}</p>
<h2>Utkast til kryssnøkkel</h2>
<p>{}.</p>
<p><a class="button secondary" href="{}/utkast.csv" download>Last ned utkastet som CSV</a> <span class="hint">({}: UTF-8 og semikolon, så et norsk regneark åpner det som kolonner. Merknaden sier «sikker» eller «sjekk» og hvorfor.)</span></p>
{}
{})",
      Facts(app, upload, described.profile), ColumnsTable(described.profile, app.instrument()),
      Escape(draft.generation),
      draft.generation_reason.empty() ? "" : " – " + Escape(draft.generation_reason),
      Escape(describe::SuggestionSummary(draft)), AssistantPath(upload), Escape(upload.draft_name),
      DraftTable(draft), ConfirmForm(context, upload));
  return body;
}

// The assistant's page for a kept upload, or the import page with why not.
void SendAssistant(App& app, const RequestContext& context, PendingUpload& upload,
                   httplib::Response& res, int status, const std::string& alert_html) {
  auto described = Describe(app, upload);
  if (!described.ok()) {
    app.Audit(context.principal->username, "import_failed",
              fmt::format("fil={}: {}", upload.file_name, described.error().message));
    SendHtml(
        res, 422,
        ImportPage(app, context,
                   alert_html + Alert("Filen kunne ikke beskrives: " + described.error().message)));
    return;
  }
  SendHtml(res, status,
           Page(context, "Forslag til kryssnøkkel for " + upload.file_name,
                AssistantBody(app, context, upload, *described, alert_html)));
}

// The upload the path's token names, for this user; otherwise answers 404.
std::optional<PendingUpload> FindUpload(App& app, const httplib::Request& req,
                                        httplib::Response& res, const RequestContext& context,
                                        const Principal& principal) {
  auto upload = app.pending_uploads().Find(req.matches[1].str(), principal.user_id);
  if (!upload.ok()) {
    SendError(req, res, 404, upload.error().message, &context);
    return std::nullopt;
  }
  return std::move(upload).value();
}

// Loader problems as a list with file and line, the upload's folders removed.
std::string CrosswalkProblems(const PendingUpload& upload,
                              const std::vector<instrument::Diagnostic>& problems) {
  std::string items;
  for (std::size_t i = 0; i < problems.size() && i < kProblemsShown; ++i) {
    items += "<li>" + Escape(upload.StripDirs(problems[i].ToString())) + "</li>";
  }
  if (problems.size() > kProblemsShown) {
    items += fmt::format("<li>… og {} til</li>", problems.size() - kProblemsShown);
  }
  return fmt::format(
      R"(<div class="error-summary" role="alert"><h2>Kryssnøkkelen har {} feil</h2><p>Ingenting er importert. Rett linjene under i regnearket, lagre som CSV og last opp filen igjen.</p><ul>{}</ul></div>)",
      problems.size(), items);
}

// Confirm: the app's instrument with the draft or the corrected crosswalk,
// then the same import as the import page.
void ImportWithDraft(App& app, const RequestContext& context, const Principal& principal,
                     PendingUpload& upload, const httplib::Request& req, httplib::Response& res) {
  if (upload.draft_name.empty()) {
    SendAssistant(app, context, upload, res, 409, Alert("Se over utkastet før filen importeres."));
    return;
  }
  std::string crosswalk = upload.draft_path().string();
  bool edited = false;
  if (req.has_file(kEditedField)) {
    const httplib::MultipartFormData file = req.get_file_value(kEditedField);
    if (!file.filename.empty() || !file.content.empty()) {
      // The user's file name is never used: the corrected crosswalk takes the
      // draft's name, so its layout is named as the draft's.
      if (auto saved = app.pending_uploads().SaveEdited(upload, file.content); !saved.ok()) {
        SendAssistant(app, context, upload, res, 500, Alert(saved.error().message));
        return;
      }
      crosswalk = upload.edited_path().string();
      edited = true;
    }
  }
  std::vector<std::string> crosswalks = app.options().crosswalk_files;
  crosswalks.push_back(crosswalk);
  auto loaded = instrument::LoadInstrumentWithCrosswalks(app.options().instrument_dir, crosswalks);
  if (!loaded.ok()) {
    app.Audit(principal.username, "import_failed",
              fmt::format("fil={}: {} med {} feil", upload.file_name,
                          edited ? "rettet kryssnøkkel" : "utkastet", loaded.problems.size()));
    SendAssistant(app, context, upload, res, 422, CrosswalkProblems(upload, loaded.problems));
    return;
  }
  import::ImportRequest request;
  request.path = upload.export_path().string();
  request.display_name = upload.file_name;
  request.municipality = upload.municipality;
  request.year = upload.year;
  request.round_type = upload.round_type;
  request.k = upload.k;
  request.append = upload.append;
  request.replace_batch = upload.replace_batch;
  request.channel = import::ImportRequest::Channel::kBrowser;
  const ImportResult result =
      ImportAnswers(app, principal, *loaded.instrument, std::move(request), upload.file_name);
  if (!result.stored) {
    SendAssistant(app, context, upload, res, result.status, result.MessageAndHtml());
    return;
  }
  app.pending_uploads().Remove(upload);
  SendHtml(res, result.status,
           ImportPage(app, context,
                      StatusNotice(fmt::format(
                          "Importert med {} {}.",
                          edited ? "den rettede kryssnøkkelen" : "utkastet til kryssnøkkel",
                          upload.draft_name)) +
                          result.html));
}

// Keeps an upload the import form sent, for `principal`.
Result<PendingUpload> Keep(App& app, const Principal& principal,
                           const import::ImportRequest& request, const std::string& name,
                           const std::string& content) {
  PendingUpload upload;
  upload.user_id = principal.user_id;
  upload.file_name = name;
  upload.municipality = request.municipality;
  upload.year = request.year;
  upload.round_type = request.round_type;
  upload.k = request.k;
  upload.append = request.append;
  upload.replace_batch = request.replace_batch;
  return app.pending_uploads().Create(std::move(upload), content);
}

}  // namespace

std::optional<ImportResult> StartImportAssistant(App& app, const RequestContext& context,
                                                 const Principal& principal,
                                                 const import::ImportRequest& request,
                                                 const std::string& name,
                                                 const std::string& content,
                                                 httplib::Response& res) {
  auto kept = Keep(app, principal, request, name, content);
  if (!kept.ok()) return Failure(500, kept.error().message);
  PendingUpload upload = std::move(kept).value();
  if (import::ClassifyFile(upload.export_path().string()) != import::FileKind::kExport) {
    app.pending_uploads().Remove(upload);
    return Failure(400,
                   "Beskrivelsen gjelder eksportfiler fra spørreverktøy. Kommuneregisteret og "
                   "inviterte per tjeneste lastes opp med «Importer filen».");
  }
  auto described = Describe(app, upload);
  if (!described.ok()) {
    app.pending_uploads().Remove(upload);
    app.Audit(principal.username, "import_failed",
              fmt::format("fil={}: {}", name, described.error().message));
    return Failure(422, "Filen kunne ikke beskrives: " + described.error().message, "fil");
  }
  app.Audit(principal.username, "import_beskrevet",
            fmt::format("fil={}, generasjon={}, kolonner={}, å sjekke={}", name,
                        described->draft.generation, described->draft.columns,
                        described->draft.columns_to_check));
  SendHtml(res, 200,
           Page(context, "Forslag til kryssnøkkel for " + upload.file_name,
                AssistantBody(app, context, upload, *described, "")));
  return std::nullopt;
}

std::string OfferImportAssistant(App& app, const Principal& principal,
                                 const import::ImportRequest& request, const std::string& name,
                                 const std::string& content, const std::string& message) {
  if (message.find(kUnknownColumnsWords) == std::string::npos) return "";
  auto kept = Keep(app, principal, request, name, content);
  if (!kept.ok()) return "";
  return fmt::format(
      R"(<div class="notice"><p>Ingen kryssnøkkel kjenner alle kolonnene i filen. Samkart kan beskrive filen og foreslå en kryssnøkkel som du ser over før filen importeres. Filen er tatt vare på, så du slipper å laste den opp igjen.</p><p><a class="button" href="{}">Beskriv filen og foreslå kryssnøkkel</a></p></div>)",
      AssistantPath(*kept));
}

void RegisterImportAssistantRoutes(httplib::Server& server, App& app) {
  // The token's exact shape is checked by PendingUploads::Find.
  constexpr const char* kPath = R"(/admin/import/forslag/([A-Za-z0-9_-]{1,64}))";

  server.Get(kPath, [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = Gate(req, res, context, &Principal::CanImport, kImportRefusal, false);
    if (!principal) return;
    auto upload = FindUpload(app, req, res, context, *principal);
    if (!upload) return;
    SendAssistant(app, context, *upload, res, 200, "");
  });

  server.Get(std::string(kPath) + R"(/utkast\.csv)", [&app](const httplib::Request& req,
                                                            httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = Gate(req, res, context, &Principal::CanImport, kImportRefusal, false);
    if (!principal) return;
    auto upload = FindUpload(app, req, res, context, *principal);
    if (!upload) return;
    auto csv = upload->draft_name.empty()
                   ? Result<std::string>(Error{"", ErrorCode::kNotFound})
                   : io::ReadFileBytes(upload->draft_path().string(), io::kMaxTextFileBytes);
    if (!csv.ok()) {
      SendError(req, res, 404, "Utkastet finnes ikke. Åpne forslaget først.", &context);
      return;
    }
    res.status = 200;
    res.set_header("Content-Disposition",
                   fmt::format(R"(attachment; filename="{}")", AttachmentName(upload->draft_name)));
    res.set_content(*csv, "text/csv; charset=utf-8");
  });

  server.Post(kPath, [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal =
        Gate(req, res, context, &Principal::CanImport, kImportRefusal, true, true);
    if (!principal) return;
    auto upload = FindUpload(app, req, res, context, *principal);
    if (!upload) return;
    ImportWithDraft(app, context, *principal, *upload, req, res);
  });
}

}  // namespace samkart::web::admin
