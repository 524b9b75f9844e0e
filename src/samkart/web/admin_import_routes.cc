// Import through the browser: the same pipeline as `samkart import`, with
// the upload checked before it touches the disk; every attempt is audited.
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

#include <fmt/format.h>

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
#include "samkart/web/admin_import.h"
#include "samkart/web/admin_pages.h"
#include "samkart/web/form_errors.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"

namespace samkart::web::admin {

namespace {

namespace fs = std::filesystem;

std::string ImportForm(App& app, const RequestContext& context, const FormErrors& errors,
                       const httplib::Request* typed) {
  auto value = [&](const char* name, const std::string& fallback = "") {
    return typed ? Escape(FormValue(*typed, name)) : fallback;
  };
  const std::string round = typed ? FormValue(*typed, "runde") : "";
  std::string rounds = R"(<option value="">Finn ut fra filen og databasen</option>)";
  for (const auto& r : app.instrument().round_types) {
    rounds += fmt::format(R"(<option value="{}"{}>{}</option>)", Escape(r.key),
                          r.key == round ? " selected" : "", Escape(r.label));
  }
  // A file input cannot be filled in again; the other fields are.
  return fmt::format(
      R"({0}<form method="post" action="/admin/import" enctype="multipart/form-data">{1}
<label for="fil">Fil <span class="hint">(CSV, XLSX, SPSS .sav/.zsav, Stata .dta, kommuner.csv eller inviterte.csv; høyst {2})</span></label>{5}
<input type="file" id="fil" name="fil" required accept=".csv,.xlsx,.sav,.zsav,.dta"{6}>
<label for="kommune">Kommunenummer <span class="hint">(valgfritt: når filen ikke har kommunenummer)</span></label>{7}
<input type="number" id="kommune" name="kommune" min="1" max="9999" inputmode="numeric" value="{8}"{9}>
<label for="aar">År <span class="hint">(valgfritt: når filen ikke har år)</span></label>{10}
<input type="number" id="aar" name="aar" min="1990" max="2100" inputmode="numeric" value="{11}"{12}>
<label for="runde">Rundetype</label>{13}
<select id="runde" name="runde"{14}>{3}</select>
<label for="erstatter">Erstatter import nr. <span class="hint">(valgfritt: når filen er en ny utgave av en import i den samme runden)</span></label>{15}
<input type="number" id="erstatter" name="erstatter" min="1" inputmode="numeric" value="{16}"{17}>
<div class="check"><input type="checkbox" id="legg_til" name="legg_til" value="1"{18}> <label for="legg_til">Legg til i runden (flere filer fra samme runde)</label></div>
<label for="k">k for anonymisering <span class="hint">(minst så mange i hver gruppe av tjeneste og stilling)</span></label>{19}
<input type="number" id="k" name="k" min="2" max="50" value="{4}" inputmode="numeric"{20}>
<div class="actions"><button type="submit" name="handling" value="importer">Importer filen</button>
<button type="submit" name="handling" value="beskriv" class="secondary">Beskriv filen og foreslå kryssnøkkel</button></div>
<p class="hint">Er filen fra et spørreverktøy Samkart ikke kjenner, viser «Beskriv filen og foreslå kryssnøkkel» hva hver kolonne trolig er og lager et utkast til kryssnøkkel du kan se over før filen importeres.</p>
</form>)",
      errors.Summary("Filen ble ikke importert"), CsrfInput(context.csrf),
      LimitText(app.options().max_upload_bytes), rounds,
      value("k", std::to_string(anonymise::kDefaultK)), errors.Message("fil"),
      errors.Attributes("fil"), errors.Message("kommune"), value("kommune"),
      errors.Attributes("kommune"), errors.Message("aar"), value("aar"), errors.Attributes("aar"),
      errors.Message("runde"), errors.Attributes("runde"), errors.Message("erstatter"),
      value("erstatter"), errors.Attributes("erstatter"),
      typed && !FormValue(*typed, "legg_til").empty() ? " checked" : "", errors.Message("k"),
      errors.Attributes("k"));
}

// May the user see an import and its report? An import of one
// municipality: whoever may see that municipality. An import that spans
// several: administrators only, since it tells about municipalities
// outside any one region.
bool CanSeeBatch(const Principal& p, const store::BatchInfo& batch,
                 const std::map<int, store::Municipality>& municipalities) {
  if (p.IsAdmin()) return true;
  if (!batch.municipality) return false;
  const auto m = municipalities.find(*batch.municipality);
  return m != municipalities.end() && p.CanSeeMunicipality(m->first, m->second.region);
}

std::string BatchTable(App& app, const Principal& p) {
  auto batches = app.WithStore([](store::Store& store) { return store.Batches(); });
  if (!batches.ok()) return Alert("Importene kunne ikke leses: " + batches.error().message);
  const auto municipalities = Register(app);
  std::vector<store::BatchInfo> sorted;
  for (const auto& b : *batches) {
    if (CanSeeBatch(p, b, municipalities)) sorted.push_back(b);
  }
  if (sorted.empty()) return R"(<p>Ingen filer er importert ennå.</p>)";
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  std::string rows;
  for (const auto& b : sorted) {
    rows += fmt::format(
        R"(<tr><td class="num"><a href="/admin/import/{0}">{0}</a></td><td>{1}</td><td>{2}</td><td>{3}</td><td class="num">{4}</td><td class="num">{5}</td><td>{6}</td><td class="num">{7}</td><td class="num">{8}</td><td class="num">{9}</td><td class="num">{10}</td><td>{11}</td></tr>)",
        b.id, Escape(b.file_name), Escape(b.format), Escape(b.generation),
        b.municipality ? std::to_string(*b.municipality) : "flere",
        b.year ? std::to_string(*b.year) : "flere",
        Escape(b.round_type ? app.instrument().RoundTypeLabel(*b.round_type) : "flere"),
        b.rows_read, b.rows_imported, b.rows_generalised, b.rows_rejected, Escape(b.imported_at));
  }
  return ScrollRegion(
      "Importerte filer",
      fmt::format(
          R"(<table><caption>Importerte filer, nyeste først</caption><thead><tr><th scope="col" class="num">Nr.</th><th scope="col">Fil</th><th scope="col">Format</th><th scope="col">Generasjon</th><th scope="col" class="num">Kommune</th><th scope="col" class="num">År</th><th scope="col">Runde</th><th scope="col" class="num">Lest</th><th scope="col" class="num">Importert</th><th scope="col" class="num">Generalisert</th><th scope="col" class="num">Avvist</th><th scope="col">Tidspunkt (UTC)</th></tr></thead><tbody>{}</tbody></table>)",
          rows));
}

}  // namespace

std::string ImportResult::MessageAndHtml() const {
  return field.empty() ? html : Alert(message) + html;
}

std::string ImportPage(App& app, const RequestContext& context, const std::string& result_html,
                       const ImportResult* refused, const httplib::Request* typed) {
  FormErrors errors;
  if (refused && !refused->field.empty()) errors.Add(refused->field, refused->message);
  std::string body = result_html;
  body += fmt::format(
      R"(<p>Last opp en eksportfil fra et spørreverktøy, et kommuneregister eller en oversikt over inviterte per tjeneste. Filen går gjennom den samme kontrollen som <code>samkart import</code>: blir noe i filen avvist, lagres ingenting fra den.</p>
<p class="hint">Filer over {} avvises.</p>)",
      LimitText(app.options().max_upload_bytes));
  body += ImportForm(app, context, errors, typed);
  body += "<h2>Tidligere importer</h2>";
  body += BatchTable(app, *context.principal);
  return Page(context, "Import", body);
}

ImportResult Failure(int status, const std::string& message, const std::string& field) {
  return ImportResult{status, field.empty() ? Alert(message) : "", false, message, field};
}

ImportResult Refused(App& app, const Principal& principal, const std::string& name,
                     const std::string& message) {
  const std::string shown = StripUploadDirs(message);
  app.Audit(principal.username, "import_failed", fmt::format("fil={}: {}", name, shown));
  return ImportResult{422, R"(<p>Ingenting fra denne filen er lagret.</p>)", false, shown, "fil"};
}

Result<import::ImportRequest> ReadImportForm(App& app, const httplib::Request& req,
                                             std::string* field) {
  std::string ignored;
  std::string& bad = field ? *field : ignored;
  import::ImportRequest request;
  bad = "kommune";
  SAMKART_ASSIGN_OR_RETURN(const auto municipality,
                           OptionalNumber(FormValue(req, "kommune"), "Kommunenummeret", 1, 9999));
  bad = "aar";
  SAMKART_ASSIGN_OR_RETURN(const auto year,
                           OptionalNumber(FormValue(req, "aar"), "Året", 1990, 2100));
  bad = "k";
  SAMKART_ASSIGN_OR_RETURN(const auto k, OptionalNumber(FormValue(req, "k"), "k", 2, 50));
  bad = "erstatter";
  SAMKART_ASSIGN_OR_RETURN(
      const auto replaced,
      OptionalNumber(FormValue(req, "erstatter"), "Importen som skal erstattes", 1, 999'999'999));
  request.append = !FormValue(req, "legg_til").empty();
  if (replaced && request.append) {
    return Error{
        "Velg enten «Erstatter import» eller «Legg til i runden»: en fil kan ikke gjøre begge "
        "deler."};
  }
  if (replaced) request.replace_batch = *replaced;
  request.channel = import::ImportRequest::Channel::kBrowser;
  bad = "runde";
  const std::string round = std::string(text::Trim(FormValue(req, "runde")));
  if (!round.empty()) {
    const auto& types = app.instrument().round_types;
    if (std::none_of(types.begin(), types.end(),
                     [&](const instrument::Code& c) { return c.key == round; })) {
      return Error{fmt::format("Ukjent rundetype «{}».", PrintableName(round))};
    }
    request.round_type = round;
  }
  bad.clear();
  request.municipality = municipality;
  request.year = year;
  request.k = k.has_value() ? static_cast<std::size_t>(*k) : anonymise::kDefaultK;
  return request;
}

ImportResult ImportAnswers(App& app, const Principal& principal,
                           const instrument::Instrument& instrument, import::ImportRequest request,
                           const std::string& name) {
  if (principal.role == Role::kRegional && principal.region) {
    request.allowed_regions = std::set<std::string>{*principal.region};
  }
  auto outcome = app.WithStore(
      [&](store::Store& store) { return import::ImportFile(store, instrument, request, {}); });
  if (!outcome.ok()) return Refused(app, principal, name, outcome.error().message);
  const store::BatchInfo& b = outcome->batch;
  const std::string report = StripUploadDirs(outcome->report);
  if (outcome->status == import::ImportStatus::kAlreadyImported) {
    // A copy of an import the user may not see names nothing of it.
    if (!CanSeeBatch(principal, b, Register(app))) {
      return Refused(
          app, principal, name,
          fmt::format("{}: filen er allerede importert, men importen gjelder kommuner du ikke har "
                      "tilgang til.",
                      name));
    }
    app.Audit(principal.username, "import",
              fmt::format("fil={}, allerede importert som import {}", name, b.id));
    return {
        200,
        fmt::format(
            R"(<div class="notice" role="status"><p>{}</p><p><a href="/admin/import/{}">Se importrapporten</a></p></div>)",
            Escape(report), b.id),
        true, ""};
  }
  if (auto reloaded = app.ReloadDataset(); !reloaded.ok()) {
    app.Audit(principal.username, "import",
              fmt::format("fil={}, rader={}, import={}", name, b.rows_imported, b.id));
    return {HttpStatusFor(reloaded.error().code),
            Alert("Filen er lagret, men datasettet kunne ikke lastes på nytt: " +
                  reloaded.error().message),
            true, ""};
  }
  const std::string replaced =
      outcome->replaced ? fmt::format(" Den erstattet import {} ({} svar), som nå er slettet.",
                                      outcome->replaced->id, outcome->replaced->rows_imported)
                        : "";
  app.Audit(
      principal.username, "import",
      fmt::format(
          "fil={}, rader={}, import={}{}", name, b.rows_imported, b.id,
          outcome->replaced ? fmt::format(", erstattet import {}", outcome->replaced->id) : ""));
  return {200,
          StatusNotice(fmt::format(
              "Import {}: {} er lagret ({}, {}). Lest {}, importert {}, "
              "generalisert {}, avvist {}.{}",
              b.id, b.file_name, b.generation,
              b.municipality ? "kommune " + std::to_string(*b.municipality) : "flere kommuner",
              b.rows_read, b.rows_imported, b.rows_generalised, b.rows_rejected, replaced)) +
              fmt::format(R"(<h2>Importrapport</h2><pre class="report">{}</pre>)", Escape(report)),
          true, ""};
}

namespace {

// A municipality register or invited counts: administrators only.
ImportResult ImportRegister(App& app, const Principal& principal,
                            const import::ImportRequest& request, const std::string& name,
                            bool is_register) {
  // The register and the invited counts span every region: a regional
  // analyst could move or rename another region's municipality, or set
  // its invited counts.
  if (!principal.IsAdmin()) {
    app.Audit(principal.username, "import_refused",
              fmt::format("fil={}: {}", name, is_register ? "kommuneregister" : "inviterte"));
    return Failure(403, is_register ? "Kommuneregisteret lastes opp av nasjonale administratorer."
                                    : "Inviterte per tjeneste lastes opp av nasjonale "
                                      "administratorer.");
  }
  auto count = app.WithStore([&](store::Store& store) {
    return is_register ? import::ImportMunicipalityRegister(store, app.instrument(), request.path)
                       : import::ImportInvitedCounts(store, app.instrument(), request.path);
  });
  if (!count.ok()) return Refused(app, principal, name, count.error().message);
  // Region and size group come from the register: the dataset must be read again.
  if (auto reloaded = app.ReloadDataset(); !reloaded.ok()) {
    app.Audit(principal.username, "import",
              fmt::format("fil={}, {}: lagret, datasettet ikke lest på nytt", name,
                          is_register ? "kommuneregister" : "inviterte"));
    return {HttpStatusFor(reloaded.error().code),
            Alert("Filen er lagret, men datasettet kunne ikke lastes på nytt: " +
                  reloaded.error().message),
            true, ""};
  }
  const std::string what = is_register ? fmt::format("{} kommuner lagret", *count)
                                       : fmt::format("{} tjenester i runder lagret", *count);
  app.Audit(
      principal.username, "import",
      fmt::format("fil={}, {}: {}", name, is_register ? "kommuneregister" : "inviterte", what));
  return {200,
          StatusNotice(fmt::format("{}: {}.", is_register ? "Kommuneregister" : "Inviterte", what)),
          true, ""};
}

// The uploaded file through the same calls as `samkart import`.
// With «Beskriv filen og foreslå kryssnøkkel» the assistant answers instead
// (nullopt: the page is sent).
std::optional<ImportResult> RunImport(App& app, const RequestContext& context,
                                      const Principal& principal, const httplib::Request& req,
                                      httplib::Response& res) {
  if (!req.has_file("fil")) return Failure(400, "Velg en fil å laste opp.", "fil");
  const httplib::MultipartFormData file = req.get_file_value("fil");
  if (file.filename.empty() && file.content.empty()) {
    return Failure(400, "Velg en fil å laste opp.", "fil");
  }
  auto name = SanitiseUploadName(file.filename);
  if (!name.ok()) {
    app.Audit(principal.username, "import_refused", name.error().message);
    return Failure(400, name.error().message, "fil");
  }
  std::string bad_field;
  auto request = ReadImportForm(app, req, &bad_field);
  if (!request.ok()) return Failure(400, request.error().message, bad_field);
  if (FormValue(req, "handling") == "beskriv") {
    return StartImportAssistant(app, context, principal, *request, *name, file.content, res);
  }

  auto dir = PrivateTempDir::Create(app.options().work_dir, kUploadDirPrefix);
  if (!dir.ok()) return Failure(500, "Filen kunne ikke mellomlagres: " + dir.error().message);
  const fs::path path = dir->path() / *name;
  if (path.parent_path() != dir->path() || path.filename() != *name) {
    return Failure(400, "Filnavnet kan ikke brukes.");  // SanitiseUploadName already refuses this
  }
  if (auto written = WritePrivateFile(path, file.content); !written.ok()) {
    return Failure(500, written.error().message);
  }
  request.value().path = path.string();
  request.value().display_name = *name;

  const import::FileKind kind = import::ClassifyFile(request->path);
  if (kind == import::FileKind::kManifest) {
    return Failure(400,
                   "Et manifest kan ikke lastes opp i nettleseren. Last opp eksportfilene én og "
                   "én, med kommune, år og rundetype i skjemaet.",
                   "fil");
  }
  if (kind == import::FileKind::kMunicipalityRegister || kind == import::FileKind::kInvitedCounts) {
    return ImportRegister(app, principal, *request, *name,
                          kind == import::FileKind::kMunicipalityRegister);
  }
  ImportResult result = ImportAnswers(app, principal, app.instrument(), *request, *name);
  if (!result.stored) {
    result.html +=
        OfferImportAssistant(app, principal, *request, *name, file.content, result.message);
  }
  return result;
}

}  // namespace

void RegisterImportRoutes(httplib::Server& server, App& app) {
  server.Get("/admin/import", [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    if (!Gate(req, res, context, &Principal::CanImport, kImportRefusal, false)) return;
    SendHtml(res, 200, ImportPage(app, context, ""));
  });

  server.Post("/admin/import", [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal =
        Gate(req, res, context, &Principal::CanImport, kImportRefusal, true, true);
    if (!principal) return;
    const auto result = RunImport(app, context, *principal, req, res);
    if (result) {
      const bool refused = !result->field.empty();
      SendHtml(res, result->status,
               ImportPage(app, context, result->html, refused ? &*result : nullptr,
                          refused ? &req : nullptr));
    }
  });

  server.Get(R"(/admin/import/(\d{1,18}))", [&app](const httplib::Request& req,
                                                   httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = Gate(req, res, context, &Principal::CanImport, kImportRefusal, false);
    if (!principal) return;
    const auto id = ParseId(req.matches[1]);
    // Another region's import is answered as one that does not exist.
    bool visible = false;
    if (id) {
      auto batches = app.WithStore([](store::Store& store) { return store.Batches(); });
      const auto municipalities = Register(app);
      for (const auto& b : batches.ok() ? *batches : std::vector<store::BatchInfo>{}) {
        if (b.id == *id) visible = CanSeeBatch(*principal, b, municipalities);
      }
    }
    Result<std::string> report = Error{""};
    if (visible) {
      report = app.WithStore([&](store::Store& store) { return store.BatchReport(*id); });
    }
    if (!report.ok()) {
      SendError(req, res, 404, "Importen finnes ikke.", &context);
      return;
    }
    SendHtml(res, 200,
             Page(context, fmt::format("Importrapport {}", *id),
                  fmt::format(R"(<pre class="report">{}</pre>
<p><a href="/admin/import">Tilbake til import</a></p>)",
                              Escape(StripUploadDirs(*report)))));
  });
}

}  // namespace samkart::web::admin
