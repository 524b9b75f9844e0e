// The administration pages: import through the browser (the same pipeline
// as `samkart import`), report downloads, users and the audit log. Every
// string that comes from a user, a file or the store is escaped; every
// change is audited.
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
#include "samkart/web/admin.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"

namespace samkart::web {

namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- shared --

std::string Today() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return fmt::format("{:02}.{:02}.{}", local.tm_mday, local.tm_mon + 1, local.tm_year + 1900);
}

std::optional<int64_t> ParseId(const std::string& text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

// An optional whole number from a form field: nullopt when empty; an error
// naming the field when it is not a number within [low, high].
Result<std::optional<int>> OptionalNumber(const std::string& value, const std::string& field,
                                          int low, int high) {
  const std::string_view trimmed = text::Trim(value);
  if (trimmed.empty()) return std::optional<int>();
  const auto parsed = text::ParseInt(trimmed);
  if (!parsed || *parsed < low || *parsed > high) {
    return Error{fmt::format("{} må være et helt tall fra {} til {}, ikke «{}».", field, low, high,
                             PrintableName(trimmed))};
  }
  return std::optional<int>(*parsed);
}

bool ValidPercentEncoding(const std::string& body) {
  auto hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '%') continue;
    if (i + 2 >= body.size() || !hex(body[i + 1]) || !hex(body[i + 2])) return false;
    i += 2;
  }
  return true;
}

// Why a POST body cannot be read as the form a page sent, or nullopt.
std::optional<std::string> FormBodyProblem(const httplib::Request& req, bool multipart_only) {
  const std::string type = req.get_header_value("Content-Type");
  if (req.is_multipart_form_data()) return std::nullopt;
  if (multipart_only) {
    return "Filen må sendes som filopplasting (multipart/form-data) fra skjemaet på siden.";
  }
  if (type.rfind("application/x-www-form-urlencoded", 0) == 0) {
    if (!ValidPercentEncoding(req.body)) {
      return "Skjemaet har ugyldig prosentkoding (%) og kunne ikke leses.";
    }
    return std::nullopt;
  }
  return fmt::format("Ventet et skjema (application/x-www-form-urlencoded), ikke «{}».",
                     PrintableName(type.empty() ? "ingen innholdstype" : type));
}

// Logged in, allowed, and (for POST) with a matching CSRF token and a
// readable form; otherwise answers and returns nullopt.
std::optional<Principal> Gate(const httplib::Request& req, httplib::Response& res,
                              const RequestContext& context, bool (Principal::*allowed)() const,
                              const std::string& refusal, bool post, bool multipart = false) {
  std::optional<Principal> principal =
      post ? RequireLoginAndCsrf(req, res, context) : RequireLogin(req, res, context);
  if (!principal) return std::nullopt;
  if (allowed != nullptr && !((*principal).*allowed)()) {
    SendError(req, res, 403, refusal, &context);
    return std::nullopt;
  }
  if (post) {
    if (auto problem = FormBodyProblem(req, multipart)) {
      SendError(req, res, 400, *problem, &context);
      return std::nullopt;
    }
  }
  return principal;
}

std::string Page(const RequestContext& context, const std::string& title, const std::string& body) {
  PageOptions page{title};
  page.context = &context;
  return RenderPage(page, body);
}

std::string Alert(const std::string& message) {
  return fmt::format(R"(<p class="error" role="alert">{}</p>)", Escape(message));
}

std::string Status(const std::string& message) {
  return fmt::format(R"(<p class="ok" role="status">{}</p>)", Escape(message));
}

std::string LimitText(std::size_t bytes) {
  if (bytes >= (1u << 20)) return fmt::format("{} MB", bytes >> 20);
  return fmt::format("{} kB", std::max<std::size_t>(1, bytes >> 10));
}

std::map<int, store::Municipality> Register(App& app) {
  std::map<int, store::Municipality> out;
  auto listed = app.WithStore([](store::Store& store) { return store.Municipalities(); });
  if (listed.ok()) {
    for (auto& m : *listed) out.emplace(m.number, std::move(m));
  }
  return out;
}

// ---------------------------------------------------------------- import --

constexpr const char* kImportRefusal =
    "Du har ikke tilgang til import. Import gjøres av nasjonale administratorer og regionale "
    "analytikere.";

std::string ImportForm(App& app, const RequestContext& context) {
  std::string rounds = R"(<option value="">Finn ut fra filen og databasen</option>)";
  for (const auto& r : app.instrument().round_types) {
    rounds += fmt::format(R"(<option value="{}">{}</option>)", Escape(r.key), Escape(r.label));
  }
  return fmt::format(
      R"(<form method="post" action="/admin/import" enctype="multipart/form-data">{}
<label for="fil">Fil <span class="hint">(CSV, XLSX, SPSS .sav/.zsav, Stata .dta, kommuner.csv eller inviterte.csv; høyst {})</span></label>
<input type="file" id="fil" name="fil" required accept=".csv,.xlsx,.sav,.zsav,.dta">
<label for="kommune">Kommunenummer <span class="hint">(valgfritt: når filen ikke har kommunenummer)</span></label>
<input type="number" id="kommune" name="kommune" min="1" max="9999" inputmode="numeric">
<label for="aar">År <span class="hint">(valgfritt: når filen ikke har år)</span></label>
<input type="number" id="aar" name="aar" min="1990" max="2100" inputmode="numeric">
<label for="runde">Rundetype</label>
<select id="runde" name="runde">{}</select>
<label for="k">k for anonymisering <span class="hint">(minst så mange i hver gruppe av tjeneste og stilling)</span></label>
<input type="number" id="k" name="k" min="2" max="50" value="{}" inputmode="numeric">
<div class="actions"><button type="submit">Importer filen</button></div>
</form>)",
      CsrfInput(context.csrf), LimitText(app.options().max_upload_bytes), rounds,
      anonymise::kDefaultK);
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
        b.year ? std::to_string(*b.year) : "flere", Escape(b.round_type.value_or("flere")),
        b.rows_read, b.rows_imported, b.rows_generalised, b.rows_rejected, Escape(b.imported_at));
  }
  return fmt::format(
      R"(<div class="table-wrap"><table><caption>Importerte filer, nyeste først</caption><thead><tr><th scope="col" class="num">Nr.</th><th scope="col">Fil</th><th scope="col">Format</th><th scope="col">Generasjon</th><th scope="col" class="num">Kommune</th><th scope="col" class="num">År</th><th scope="col">Runde</th><th scope="col" class="num">Lest</th><th scope="col" class="num">Importert</th><th scope="col" class="num">Generalisert</th><th scope="col" class="num">Avvist</th><th scope="col">Tidspunkt (UTC)</th></tr></thead><tbody>{}</tbody></table></div>)",
      rows);
}

std::string ImportPage(App& app, const RequestContext& context, const std::string& result_html) {
  std::string body = result_html;
  body += fmt::format(
      R"(<p>Last opp en eksportfil fra et spørreverktøy, et kommuneregister eller en oversikt over inviterte per tjeneste. Filen går gjennom den samme kontrollen som <code>samkart import</code>: blir noe i filen avvist, lagres ingenting fra den.</p>
<p class="hint">Filer over {} avvises.</p>)",
      LimitText(app.options().max_upload_bytes));
  body += ImportForm(app, context);
  body += "<h2>Tidligere importer</h2>";
  body += BatchTable(app, *context.principal);
  return Page(context, "Import", body);
}

struct ImportResult {
  int status = 200;
  std::string html;  // the result shown above the form
};

// The uploaded file through the same calls as `samkart import`.
ImportResult RunImport(App& app, const Principal& principal, const httplib::Request& req) {
  auto fail = [](int status, const std::string& message) {
    return ImportResult{status, Alert(message)};
  };
  if (!req.has_file("fil")) return fail(400, "Velg en fil å laste opp.");
  const httplib::MultipartFormData file = req.get_file_value("fil");
  if (file.filename.empty() && file.content.empty()) return fail(400, "Velg en fil å laste opp.");
  auto name = SanitiseUploadName(file.filename);
  if (!name.ok()) {
    app.Audit(principal.username, "import_refused", name.error().message);
    return fail(400, name.error().message);
  }

  import::ImportRequest request;
  auto municipality = OptionalNumber(FormValue(req, "kommune"), "Kommunenummeret", 1, 9999);
  if (!municipality.ok()) return fail(400, municipality.error().message);
  auto year = OptionalNumber(FormValue(req, "aar"), "Året", 1990, 2100);
  if (!year.ok()) return fail(400, year.error().message);
  auto k = OptionalNumber(FormValue(req, "k"), "k", 2, 50);
  if (!k.ok()) return fail(400, k.error().message);
  const std::string round = std::string(text::Trim(FormValue(req, "runde")));
  if (!round.empty()) {
    const auto& types = app.instrument().round_types;
    if (std::none_of(types.begin(), types.end(),
                     [&](const instrument::Code& c) { return c.key == round; })) {
      return fail(400, fmt::format("Ukjent rundetype «{}».", PrintableName(round)));
    }
    request.round_type = round;
  }
  request.municipality = *municipality;
  request.year = *year;
  request.k = k->has_value() ? static_cast<std::size_t>(**k) : anonymise::kDefaultK;

  auto dir = PrivateTempDir::Create(app.options().work_dir, kUploadDirPrefix);
  if (!dir.ok()) return fail(500, "Filen kunne ikke mellomlagres: " + dir.error().message);
  const fs::path path = dir->path() / *name;
  if (path.parent_path() != dir->path() || path.filename() != *name) {
    return fail(400, "Filnavnet kan ikke brukes.");  // SanitiseUploadName already refuses this
  }
  {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return fail(500, "Filen kunne ikke mellomlagres.");
    std::size_t written = 0;
    while (written < file.content.size()) {
      const ssize_t n = ::write(fd, file.content.data() + written, file.content.size() - written);
      if (n <= 0) {
        ::close(fd);
        return fail(500, "Filen kunne ikke mellomlagres (disken kan være full).");
      }
      written += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) return fail(500, "Filen kunne ikke mellomlagres.");
  }
  request.path = path.string();
  request.display_name = *name;

  const auto header = import::PeekCsvHeader(request.path);
  auto refused = [&](const std::string& message) {
    const std::string shown = StripUploadDirs(message);
    app.Audit(principal.username, "import_failed", fmt::format("fil={}: {}", *name, shown));
    return ImportResult{422, Alert(shown) + R"(<p>Ingenting fra denne filen er lagret.</p>)"};
  };
  if (import::IsManifest(header)) {
    return fail(400,
                "Et manifest kan ikke lastes opp i nettleseren. Last opp eksportfilene én og én, "
                "med kommune, år og rundetype i skjemaet.");
  }
  if (import::IsMunicipalityRegister(header) || import::IsInvitedCounts(header)) {
    const bool is_register = import::IsMunicipalityRegister(header);
    // The register and the invited counts span every region: a regional
    // analyst could move or rename another region's municipality, or set
    // its invited counts.
    if (!principal.IsAdmin()) {
      app.Audit(principal.username, "import_refused",
                fmt::format("fil={}: {}", *name, is_register ? "kommuneregister" : "inviterte"));
      return fail(403, is_register ? "Kommuneregisteret lastes opp av nasjonale administratorer."
                                   : "Inviterte per tjeneste lastes opp av nasjonale "
                                     "administratorer.");
    }
    auto count = app.WithStore([&](store::Store& store) {
      return is_register ? import::ImportMunicipalityRegister(store, app.instrument(), request.path)
                         : import::ImportInvitedCounts(store, app.instrument(), request.path);
    });
    if (!count.ok()) return refused(count.error().message);
    (void)app.ReloadDataset();
    const std::string what = is_register ? fmt::format("{} kommuner lagret", *count)
                                         : fmt::format("{} tjenester i runder lagret", *count);
    app.Audit(
        principal.username, "import",
        fmt::format("fil={}, {}: {}", *name, is_register ? "kommuneregister" : "inviterte", what));
    return {200,
            Status(fmt::format("{}: {}.", is_register ? "Kommuneregister" : "Inviterte", what))};
  }

  if (principal.role == Role::kRegional && principal.region) {
    request.allowed_regions = std::set<std::string>{*principal.region};
  }
  auto outcome = app.WithStore([&](store::Store& store) {
    return import::ImportFile(store, app.instrument(), request, {});
  });
  if (!outcome.ok()) return refused(outcome.error().message);
  const store::BatchInfo& b = outcome->batch;
  const std::string report = StripUploadDirs(outcome->report);
  if (outcome->status == import::ImportStatus::kAlreadyImported) {
    // A copy of an import the user may not see names nothing of it.
    if (!CanSeeBatch(principal, b, Register(app))) {
      return refused(fmt::format(
          "{}: filen er allerede importert, men importen gjelder kommuner du ikke har tilgang til.",
          *name));
    }
    app.Audit(principal.username, "import",
              fmt::format("fil={}, allerede importert som import {}", *name, b.id));
    return {
        200,
        fmt::format(
            R"(<div class="notice" role="status"><p>{}</p><p><a href="/admin/import/{}">Se importrapporten</a></p></div>)",
            Escape(report), b.id)};
  }
  if (auto reloaded = app.ReloadDataset(); !reloaded.ok()) {
    app.Audit(principal.username, "import",
              fmt::format("fil={}, rader={}, import={}", *name, b.rows_imported, b.id));
    return {500, Alert("Filen er lagret, men datasettet kunne ikke lastes på nytt: " +
                       reloaded.error().message)};
  }
  app.Audit(principal.username, "import",
            fmt::format("fil={}, rader={}, import={}", *name, b.rows_imported, b.id));
  return {200,
          Status(fmt::format(
              "Import {}: {} er lagret ({}, {}). Lest {}, importert {}, "
              "generalisert {}, avvist {}.",
              b.id, b.file_name, b.generation,
              b.municipality ? "kommune " + std::to_string(*b.municipality) : "flere kommuner",
              b.rows_read, b.rows_imported, b.rows_generalised, b.rows_rejected)) +
              fmt::format(R"(<h2>Importrapport</h2><pre class="report">{}</pre>)", Escape(report))};
}

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
    const ImportResult result = RunImport(app, *principal, req);
    SendHtml(res, result.status, ImportPage(app, context, result.html));
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

// --------------------------------------------------------------- reports --

struct ReportFile {
  std::string bytes;
  std::string content_type;
  std::string file_name;
};

const char* Extension(report::ReportFormat format) {
  switch (format) {
    case report::ReportFormat::kPdf:
      return "pdf";
    case report::ReportFormat::kXlsx:
      return "xlsx";
    case report::ReportFormat::kHtml:
      break;
  }
  return "html";
}

const char* ContentType(report::ReportFormat format) {
  switch (format) {
    case report::ReportFormat::kPdf:
      return "application/pdf";
    case report::ReportFormat::kXlsx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case report::ReportFormat::kHtml:
      break;
  }
  return "text/html; charset=utf-8";
}

// Built reports of the current dataset; emptied when the dataset changes.
class ReportCache {
 public:
  std::optional<std::string> Find(const std::shared_ptr<const analysis::Dataset>& data,
                                  const std::string& key) {
    std::lock_guard lock(mutex_);
    if (data != data_) return std::nullopt;
    const auto found = files_.find(key);
    if (found == files_.end()) return std::nullopt;
    return found->second;
  }
  void Put(const std::shared_ptr<const analysis::Dataset>& data, const std::string& key,
           const std::string& bytes) {
    std::lock_guard lock(mutex_);
    if (data != data_ || files_.size() >= 48) {
      files_.clear();
      data_ = data;
    }
    files_[key] = bytes;
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<const analysis::Dataset> data_;
  std::map<std::string, std::string> files_;
};

Result<std::string> RenderReport(App& app, const report::Document& document,
                                 report::ReportFormat format) {
  if (format == report::ReportFormat::kHtml) return report::RenderHtml(document);
  auto dir = PrivateTempDir::Create(app.options().work_dir, "samkart-rapport-");
  if (!dir.ok()) return dir.error();
  const fs::path path = dir->path() / (std::string("rapport.") + Extension(format));
  if (format == report::ReportFormat::kPdf) {
    auto written = report::WritePdf(document, path);
    if (!written.ok()) return written.error();
  } else {
    auto written = report::WriteXlsx(document, path);
    if (!written.ok()) return written.error();
  }
  return io::ReadFileBytes(path.string(), 1ull << 30);
}

// The report of `municipality` (or the nation) over `data`, as bytes.
Result<std::string> BuildReport(App& app, ReportCache& cache,
                                const std::shared_ptr<const analysis::Dataset>& data,
                                std::optional<int> municipality, report::ReportFormat format) {
  const std::string key = fmt::format("{}.{}", municipality ? *municipality : 0, Extension(format));
  if (auto cached = cache.Find(data, key)) return *cached;
  report::ReportInputs inputs;
  inputs.data = data.get();
  inputs.instrument = &app.instrument();
  auto invited = app.WithStore([](store::Store& store) { return store.InvitedCounts(); });
  if (!invited.ok()) return invited.error();
  inputs.invited = std::move(*invited);
  inputs.rules = app.options().rules;
  inputs.publication = app.publication(data, analysis::Audience::kFull);
  inputs.source = app.WithStore([](store::Store& store) { return store.Describe(); });
  inputs.generated_on = Today();
  auto document = municipality ? report::BuildMunicipalityReport(inputs, *municipality)
                               : report::BuildNationalReport(inputs);
  if (!document.ok()) return document.error();
  auto bytes = RenderReport(app, *document, format);
  if (!bytes.ok()) return bytes.error();
  cache.Put(data, key, *bytes);
  return bytes;
}

std::optional<report::ReportFormat> ParseFormat(const std::string& ext) {
  if (ext == "html") return report::ReportFormat::kHtml;
  if (ext == "pdf") return report::ReportFormat::kPdf;
  if (ext == "xlsx") return report::ReportFormat::kXlsx;
  return std::nullopt;
}

void SendReport(httplib::Response& res, const std::string& bytes, report::ReportFormat format,
                const std::string& base_name) {
  res.status = 200;
  res.set_header("Content-Disposition",
                 fmt::format(R"(attachment; filename="{}.{}")", base_name, Extension(format)));
  res.set_content(bytes, ContentType(format));
}

std::string FormatLinks(const std::string& base_url, const std::string& what) {
  return fmt::format(
      R"(<a href="{0}.html" aria-label="{1} som HTML">HTML</a> · <a href="{0}.pdf" aria-label="{1} som PDF">PDF</a> · <a href="{0}.xlsx" aria-label="{1} som Excel">Excel</a>)",
      base_url, Escape(what));
}

std::string RegionLabel(const App& app, const std::string& key) {
  for (const auto& r : app.instrument().regions) {
    if (r.key == key) return r.label;
  }
  return key;
}

std::string ReportsPage(App& app, const RequestContext& context) {
  const Principal& p = *context.principal;
  const auto data = app.dataset();
  std::string body =
      fmt::format(R"(<h2>Nasjonal rapport</h2><p>Bare publiserte tall for hele landet. {}</p>)",
                  data->rows == 0 ? std::string("Databasen har ingen svar ennå.")
                                  : FormatLinks("/rapporter/nasjonal", "Nasjonal rapport"));
  if (p.role == Role::kReader) {
    body +=
        R"(<p class="hint">Som leser kan du laste ned den nasjonale rapporten. Kommunerapporter er for koordinatorer og analytikere.</p>)";
    return Page(context, "Rapporter", body);
  }
  report::ReportInputs inputs;
  inputs.data = data.get();
  inputs.instrument = &app.instrument();
  const std::vector<int> with_data =
      data->rows == 0 ? std::vector<int>() : report::MunicipalitiesWithData(inputs);
  const std::set<int> has_data(with_data.begin(), with_data.end());
  std::string rows;
  std::size_t without = 0;
  for (const auto& [number, m] : Register(app)) {
    if (!p.CanSeeMunicipality(number, m.region)) continue;
    if (!has_data.count(number)) {
      ++without;
      continue;
    }
    rows += fmt::format(
        R"(<tr><td class="num">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>)", number,
        Escape(m.name), Escape(RegionLabel(app, m.region)),
        FormatLinks(fmt::format("/rapporter/kommune/{}", number), "Kommunerapport for " + m.name));
  }
  body += "<h2>Kommunerapporter</h2>";
  if (rows.empty()) {
    body += "<p>Ingen kommune du har tilgang til har svar i databasen ennå.</p>";
  } else {
    body += fmt::format(
        R"(<div class="table-wrap"><table><caption>Kommuner du har tilgang til, med svar</caption><thead><tr><th scope="col" class="num">Nr.</th><th scope="col">Kommune</th><th scope="col">KORUS-region</th><th scope="col">Last ned</th></tr></thead><tbody>{}</tbody></table></div>)",
        rows);
  }
  if (without > 0) {
    body += fmt::format(R"(<p class="hint">{} kommune{} uten svar i databasen er ikke listet.</p>)",
                        without, without == 1 ? "" : "r");
  }
  return Page(context, "Rapporter", body);
}

void RegisterReportRoutes(httplib::Server& server, App& app) {
  auto cache = std::make_shared<ReportCache>();

  server.Get("/rapporter", [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    if (!RequireLogin(req, res, context)) return;
    SendHtml(res, 200, ReportsPage(app, context));
  });

  server.Get(R"(/rapporter/nasjonal\.(html|pdf|xlsx))", [&app, cache](const httplib::Request& req,
                                                                      httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = RequireLogin(req, res, context);
    if (!principal) return;
    const auto format = ParseFormat(req.matches[1]);
    const auto data = app.dataset();
    if (!format || data->rows == 0) {
      SendError(req, res, 404, "Databasen har ingen svar ennå.", &context);
      return;
    }
    auto bytes = BuildReport(app, *cache, data, std::nullopt, *format);
    if (!bytes.ok()) {
      SendError(req, res, 500,
                "Rapporten kunne ikke lages: " + StripUploadDirs(bytes.error().message), &context);
      return;
    }
    app.Audit(principal->username, "report_download",
              fmt::format("nasjonal ({})", Extension(*format)));
    SendReport(res, *bytes, *format, "nasjonal_rapport");
  });

  server.Get(R"(/rapporter/kommune/(\d{1,9})\.(html|pdf|xlsx))", [&app, cache](
                                                                     const httplib::Request& req,
                                                                     httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = RequireLogin(req, res, context);
    if (!principal) return;
    if (principal->role == Role::kReader) {
      SendError(req, res, 403,
                "Som leser kan du laste ned den nasjonale rapporten, ikke kommunerapporter.",
                &context);
      return;
    }
    const auto number = text::ParseInt(std::string(req.matches[1]));
    const auto format = ParseFormat(req.matches[2]);
    const auto municipalities = Register(app);
    const auto found = number ? municipalities.find(*number) : municipalities.end();
    if (!format || found == municipalities.end()) {
      SendError(req, res, 404,
                fmt::format("Kommune {} finnes ikke i kommuneregisteret.",
                            PrintableName(req.matches[1].str())),
                &context);
      return;
    }
    const store::Municipality& m = found->second;
    if (!principal->CanSeeMunicipality(m.number, m.region)) {
      // The number only: the name is for those who may see the municipality.
      SendError(req, res, 403,
                fmt::format("Du har ikke tilgang til rapporten for kommune {}.", m.number),
                &context);
      return;
    }
    const auto data = app.dataset();
    report::ReportInputs probe;
    probe.data = data.get();
    probe.instrument = &app.instrument();
    const auto with_data =
        data->rows == 0 ? std::vector<int>() : report::MunicipalitiesWithData(probe);
    if (std::find(with_data.begin(), with_data.end(), m.number) == with_data.end()) {
      SendError(req, res, 404,
                fmt::format("{} ({}) har ingen svar i databasen ennå.", m.name, m.number),
                &context);
      return;
    }
    auto bytes = BuildReport(app, *cache, data, m.number, *format);
    if (!bytes.ok()) {
      SendError(req, res, 422,
                "Rapporten kunne ikke lages: " + StripUploadDirs(bytes.error().message), &context);
      return;
    }
    app.Audit(principal->username, "report_download",
              fmt::format("kommune {} ({})", m.number, Extension(*format)));
    SendReport(res, *bytes, *format,
               fmt::format("kommunerapport_{}_{}", m.number, report::FileSlug(m.name)));
  });
}

// ----------------------------------------------------------------- users --

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
                        const std::string& id_prefix, const store::User* user) {
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
  return fmt::format(
      R"(<label for="{0}rolle">Rolle</label>
<select id="{0}rolle" name="rolle">{1}</select>
<label for="{0}region">KORUS-region <span class="hint">(for regionale analytikere)</span></label>
<select id="{0}region" name="region">{2}</select>
<label for="{0}kommune">Kommune <span class="hint">(for kommunekoordinatorer)</span></label>
<select id="{0}kommune" name="kommune">{3}</select>)",
      id_prefix, roles, regions, municipalities);
}

std::string PasswordFields(const std::string& id_prefix) {
  return fmt::format(
      R"(<label for="{0}passord">Passord <span class="hint">(minst 12 tegn; eller la feltet stå tomt og kryss av under)</span></label>
<input type="password" id="{0}passord" name="passord" autocomplete="new-password">
<div class="check"><input type="checkbox" id="{0}generer" name="generer" value="1"> <label for="{0}generer">Lag et tilfeldig passord (vises én gang)</label></div>)",
      id_prefix);
}

// Role and scope from the form, checked against the instrument and the register.
Result<store::User> ReadScope(App& app, const httplib::Request& req,
                              const std::map<int, store::Municipality>& register_) {
  store::User user;
  const std::string role_key = FormValue(req, "rolle");
  const auto role = ParseRole(role_key);
  if (!role) return Error{fmt::format("Ukjent rolle «{}».", PrintableName(role_key))};
  user.role = RoleKey(*role);
  if (*role == Role::kRegional) {
    const std::string region = FormValue(req, "region");
    const auto& regions = app.instrument().regions;
    if (region.empty()) return Error{"En regional analytiker trenger en KORUS-region."};
    if (std::none_of(regions.begin(), regions.end(),
                     [&](const instrument::Code& r) { return r.key == region; })) {
      return Error{fmt::format("Ukjent KORUS-region «{}».", PrintableName(region))};
    }
    user.region = region;
  }
  if (*role == Role::kMunicipal) {
    const std::string value = FormValue(req, "kommune");
    if (value.empty()) return Error{"En kommunekoordinator trenger en kommune."};
    const auto number = text::ParseInt(value);
    if (!number || !register_.count(*number)) {
      return Error{
          fmt::format("Kommunen «{}» finnes ikke i kommuneregisteret.", PrintableName(value))};
    }
    user.municipality = *number;
  }
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

std::string UsersPage(App& app, const RequestContext& context, const std::string& result_html) {
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
    body += fmt::format(
        R"(<div class="table-wrap"><table><caption>Brukere ({})</caption><thead><tr><th scope="col">Brukernavn</th><th scope="col">Rolle</th><th scope="col">Omfang</th><th scope="col">Status</th><th scope="col">Opprettet (UTC)</th></tr></thead><tbody>{}</tbody></table></div>)",
        users->size(), rows);
  }
  body += fmt::format(
      R"(<h2>Ny bruker</h2>
<form method="post" action="/admin/brukere">{}
<label for="ny-brukernavn">Brukernavn <span class="hint">(1–64 tegn, uten mellomrom, &lt;, &gt;, ", ' og &amp;)</span></label>
<input type="text" id="ny-brukernavn" name="brukernavn" required maxlength="64" autocomplete="off">
{}
{}
<div class="actions"><button type="submit">Opprett bruker</button></div>
</form>)",
      CsrfInput(context.csrf), ScopeFields(app, register_, "ny-", nullptr), PasswordFields("ny-"));
  return Page(context, "Brukere", body);
}

std::string UserPage(App& app, const RequestContext& context, const store::User& user,
                     const std::string& result_html) {
  const auto register_ = Register(app);
  const bool self = context.principal->user_id == user.id;
  std::string body = result_html;
  body += fmt::format(
      R"(<dl class="facts"><dt>Rolle</dt><dd>{}</dd><dt>Omfang</dt><dd>{}</dd><dt>Status</dt><dd>{}</dd><dt>Opprettet</dt><dd>{}</dd></dl>)",
      Escape(RoleText(user.role)), Escape(ScopeText(app, user, register_)),
      user.active ? "Aktiv" : "Deaktivert", Escape(user.created_at));
  const std::string action = fmt::format("/admin/brukere/{}", user.id);
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
      action, CsrfInput(context.csrf), ScopeFields(app, register_, "", &user), action,
      CsrfInput(context.csrf), PasswordFields(""));
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

void RegisterUserRoutes(httplib::Server& server, App& app) {
  server.Get("/admin/brukere", [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    if (!Gate(req, res, context, &Principal::CanManageUsers, kUsersRefusal, false)) return;
    SendHtml(res, 200, UsersPage(app, context, ""));
  });

  server.Post("/admin/brukere", [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = Gate(req, res, context, &Principal::CanManageUsers, kUsersRefusal, true);
    if (!principal) return;
    auto fail = [&](const std::string& message) {
      SendHtml(res, 400, UsersPage(app, context, Alert(message)));
    };
    const std::string username = FormValue(req, "brukernavn");
    if (!ValidUsername(username)) {
      return fail("Brukernavnet må ha 1–64 tegn uten mellomrom, <, >, \", ' eller &.");
    }
    const auto register_ = Register(app);
    auto scope = ReadScope(app, req, register_);
    if (!scope.ok()) return fail(scope.error().message);
    auto password = ReadPassword(req);
    if (!password.ok()) return fail(password.error().message);
    auto hash = HashPassword(password->password);
    if (!hash.ok()) return fail(hash.error().message);
    store::User user = *scope;
    user.username = username;
    user.password_hash = *hash;
    auto added = app.WithStore([&](store::Store& store) -> Result<int64_t> {
      auto existing = store.FindUser(username);
      if (!existing.ok()) return existing.error();
      if (*existing) return Error{fmt::format("Brukernavnet «{}» finnes fra før.", username)};
      return store.AddUser(user);
    });
    if (!added.ok()) return fail(added.error().message);
    app.Audit(principal->username, "user_add",
              fmt::format("{} ({}, {})", username, user.role, ScopeText(app, user, register_)));
    SendHtml(res, 200,
             UsersPage(app, context,
                       Status(fmt::format("Brukeren {} er opprettet.", username)) +
                           GeneratedPasswordNotice(username, *password)));
  });

  server.Get(R"(/admin/brukere/(\d{1,18}))",
             [&app](const httplib::Request& req, httplib::Response& res) {
               const RequestContext context = Authenticate(app, req);
               if (!Gate(req, res, context, &Principal::CanManageUsers, kUsersRefusal, false)) {
                 return;
               }
               const auto user = PathUser(app, req, res, context);
               if (!user) return;
               SendHtml(res, 200, UserPage(app, context, *user, ""));
             });

  server.Post(
      R"(/admin/brukere/(\d{1,18})/(rolle|passord|status))",
      [&app](const httplib::Request& req, httplib::Response& res) {
        const RequestContext context = Authenticate(app, req);
        const auto principal =
            Gate(req, res, context, &Principal::CanManageUsers, kUsersRefusal, true);
        if (!principal) return;
        auto user = PathUser(app, req, res, context);
        if (!user) return;
        const std::string what = req.matches[2];
        const bool self = user->id == principal->user_id;
        auto fail = [&](const std::string& message) {
          SendHtml(res, 400, UserPage(app, context, *user, Alert(message)));
        };
        auto save = [&](bool end_sessions) -> samkart::Status {
          auto saved = app.WithStore([&](store::Store& store) -> samkart::Status {
            SAMKART_TRY(store.UpdateUser(*user));
            if (end_sessions) return store.DeleteSessionsOfUser(user->id);
            return samkart::Ok();
          });
          // Role, scope and status apply to the next request, not after the cache's seconds.
          app.ForgetSessionsOf(user->id);
          return saved;
        };
        std::string done;
        NewPassword password;
        if (what == "rolle") {
          const auto register_ = Register(app);
          auto scope = ReadScope(app, req, register_);
          if (!scope.ok()) return fail(scope.error().message);
          if (self && scope->role != user->role) {
            return fail("Du kan ikke endre din egen rolle. Be en annen administrator om det.");
          }
          const std::string before =
              fmt::format("{}, {}", user->role, ScopeText(app, *user, register_));
          user->role = scope->role;
          user->region = scope->region;
          user->municipality = scope->municipality;
          if (auto saved = save(false); !saved.ok()) return fail(saved.error().message);
          app.Audit(principal->username, "user_change",
                    fmt::format("{}: {} → {}, {}", user->username, before, user->role,
                                ScopeText(app, *user, register_)));
          done = "Rollen og omfanget er lagret.";
        } else if (what == "passord") {
          auto read = ReadPassword(req);
          if (!read.ok()) return fail(read.error().message);
          password = *read;
          auto hash = HashPassword(password.password);
          if (!hash.ok()) return fail(hash.error().message);
          user->password_hash = *hash;
          if (auto saved = save(!self); !saved.ok()) return fail(saved.error().message);
          app.Audit(
              principal->username, "user_password",
              fmt::format("{} ({})", user->username, password.generated ? "generert" : "satt"));
          done = "Passordet er endret.";
        } else {
          const std::string value = FormValue(req, "aktiv");
          if (value != "0" && value != "1") return fail("Ugyldig verdi for «aktiv».");
          const bool active = value == "1";
          if (self && !active) return fail("Du kan ikke deaktivere deg selv.");
          user->active = active;
          if (auto saved = save(!active); !saved.ok()) return fail(saved.error().message);
          app.Audit(principal->username, active ? "user_enable" : "user_disable", user->username);
          done = active ? "Brukeren er aktivert igjen." : "Brukeren er deaktivert og logget ut.";
        }
        SendHtml(res, 200,
                 UserPage(app, context, *user,
                          Status(done) + GeneratedPasswordNotice(user->username, password)));
      });

  server.Get("/admin/logg", [&app](const httplib::Request& req, httplib::Response& res) {
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
                R"(<p>De siste {} hendelsene, nyeste først.</p><div class="table-wrap"><table><caption>Revisjonslogg</caption><thead><tr><th scope="col">Tidspunkt (UTC)</th><th scope="col">Bruker</th><th scope="col">Handling</th><th scope="col">Detaljer</th></tr></thead><tbody>{}</tbody></table></div>)",
                log->size(), rows)));
  });
}

}  // namespace

void RegisterAdminRoutes(httplib::Server& server, App& app) {
  RegisterImportRoutes(server, app);
  RegisterReportRoutes(server, app);
  RegisterUserRoutes(server, app);
}

}  // namespace samkart::web
