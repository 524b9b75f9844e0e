// Report downloads: the national report and the municipality reports a
// user may see, in every format, built from the current dataset and cached.
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
#include "samkart/core/sha256.h"
#include "samkart/core/text.h"
#include "samkart/import/batch_builder.h"
#include "samkart/import/importer.h"
#include "samkart/io/text_file.h"
#include "samkart/report/html_renderer.h"
#include "samkart/report/municipality_report.h"
#include "samkart/report/national_report.h"
#include "samkart/report/pdf_renderer.h"
#include "samkart/report/pptx_renderer.h"
#include "samkart/report/report_writer.h"
#include "samkart/report/xlsx_renderer.h"
#include "samkart/web/accounts.h"
#include "samkart/web/admin.h"
#include "samkart/web/admin_pages.h"
#include "samkart/web/form_errors.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"

namespace samkart::web::admin {

Result<report::Document> BuildReportDocument(App& app,
                                             const std::shared_ptr<const analysis::Dataset>& data,
                                             std::optional<int> municipality,
                                             std::map<int, std::vector<std::string>> comments) {
  report::ReportInputs inputs;
  inputs.comments = std::move(comments);
  inputs.data = data.get();
  inputs.instrument = &app.instrument();
  auto invited = app.WithStore([](store::Store& store) { return store.InvitedCounts(); });
  if (!invited.ok()) return invited.error();
  inputs.invited = std::move(*invited);
  inputs.rules = app.options().rules;
  inputs.publication = app.publication(data, analysis::Audience::kFull);
  inputs.source = app.WithStore([](store::Store& store) { return store.Describe(); });
  inputs.generated_on = Today();
  if (!municipality) {  // the method chapter's account of the imports
    auto batches = app.WithStore([](store::Store& store) { return store.Batches(); });
    if (!batches.ok()) return batches.error();
    inputs.batches = std::move(*batches);
    auto ks =
        app.WithStore([](store::Store& store) { return import::StatedAnonymisationKs(store); });
    if (!ks.ok()) return ks.error();
    inputs.import_k = std::move(*ks);
  }
  return municipality ? report::BuildMunicipalityReport(inputs, *municipality)
                      : report::BuildNationalReport(inputs);
}

std::string ReportFormatLinks(const std::string& base_url, const std::string& what) {
  return fmt::format(
      R"(<a href="{0}.html" aria-label="{1} som HTML">HTML</a> · <a href="{0}.pdf" aria-label="{1} som PDF">PDF</a> · <a href="{0}.xlsx" aria-label="{1} som Excel">Excel</a> · <a href="{0}.pptx" aria-label="{1} som PowerPoint">PowerPoint</a>)",
      base_url, Escape(what));
}

namespace {

namespace fs = std::filesystem;

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
    case report::ReportFormat::kPptx:
      return "pptx";
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
    case report::ReportFormat::kPptx:
      return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
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
           const std::string& bytes, std::size_t most) {
    std::lock_guard lock(mutex_);
    if (data != data_ || files_.size() >= most) {
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
  } else if (format == report::ReportFormat::kPptx) {
    auto written = report::WritePptx(document, path);
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
  // A municipality's report also holds the comments its coordinator
  // approved, which change without the dataset: they are part of the key.
  std::map<int, std::vector<std::string>> comments;
  if (municipality) {
    auto approved =
        app.WithStore([](store::Store& store) { return store.ApprovedSurveyComments(); });
    if (!approved.ok()) return approved.error();
    comments = std::move(*approved);
  }
  std::string comments_key;
  if (municipality && comments.count(*municipality)) {
    comments_key = "." + Sha256Hex(text::Join(comments[*municipality], "\n")).substr(0, 16);
  }
  const std::string key =
      fmt::format("{}{}.{}", municipality ? *municipality : 0, comments_key, Extension(format));
  if (auto cached = cache.Find(data, key)) return *cached;
  auto document = BuildReportDocument(app, data, municipality, std::move(comments));
  if (!document.ok()) return document.error();
  auto bytes = RenderReport(app, *document, format);
  if (!bytes.ok()) return bytes.error();
  cache.Put(data, key, *bytes, app.options().limits.max_cached_reports);
  return bytes;
}

std::optional<report::ReportFormat> ParseFormat(const std::string& ext) {
  if (ext == "html") return report::ReportFormat::kHtml;
  if (ext == "pdf") return report::ReportFormat::kPdf;
  if (ext == "xlsx") return report::ReportFormat::kXlsx;
  if (ext == "pptx") return report::ReportFormat::kPptx;
  return std::nullopt;
}

void SendReport(httplib::Response& res, const std::string& bytes, report::ReportFormat format,
                const std::string& base_name) {
  res.status = 200;
  res.set_header("Content-Disposition",
                 fmt::format(R"(attachment; filename="{}.{}")", base_name, Extension(format)));
  res.set_content(bytes, ContentType(format));
}

std::string ReportsPage(App& app, const RequestContext& context) {
  const Principal& p = *context.principal;
  const auto data = app.dataset();
  std::string body =
      fmt::format(R"(<h2>Nasjonal rapport</h2><p>Bare publiserte tall for hele landet. {}</p>)",
                  data->rows == 0 ? std::string("Databasen har ingen svar ennå.")
                                  : ReportFormatLinks("/rapporter/nasjonal", "Nasjonal rapport"));
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
    rows += fmt::format(R"(<tr><td class="num">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>)",
                        number, Escape(m.name), Escape(RegionLabel(app, m.region)),
                        ReportFormatLinks(fmt::format("/rapporter/kommune/{}", number),
                                          "Kommunerapport for " + m.name));
  }
  body += "<h2>Kommunerapporter</h2>";
  if (rows.empty()) {
    body += "<p>Ingen kommune du har tilgang til har svar i databasen ennå.</p>";
  } else {
    body += ScrollRegion(
        "Kommuner du har tilgang til",
        fmt::format(
            R"(<table><caption>Kommuner du har tilgang til, med svar</caption><thead><tr><th scope="col" class="num">Nr.</th><th scope="col">Kommune</th><th scope="col">KORUS-region</th><th scope="col">Last ned</th></tr></thead><tbody>{}</tbody></table>)",
            rows));
  }
  if (without > 0) {
    body += fmt::format(R"(<p class="hint">{} kommune{} uten svar i databasen er ikke listet.</p>)",
                        without, without == 1 ? "" : "r");
  }
  return Page(context, "Rapporter", body);
}

}  // namespace

void RegisterReportRoutes(httplib::Server& server, App& app) {
  auto cache = std::make_shared<ReportCache>();

  server.Get("/rapporter", [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    if (!RequireLogin(req, res, context)) return;
    SendHtml(res, 200, ReportsPage(app, context));
  });

  server.Get(R"(/rapporter/nasjonal\.(html|pdf|xlsx|pptx))",
             [&app, cache](const httplib::Request& req, httplib::Response& res) {
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
                           "Rapporten kunne ikke lages: " + StripUploadDirs(bytes.error().message),
                           &context);
                 return;
               }
               app.Audit(principal->username, "report_download",
                         fmt::format("nasjonal ({})", Extension(*format)));
               SendReport(res, *bytes, *format, "nasjonal_rapport");
             });

  server.Get(
      R"(/rapporter/kommune/(\d{1,9})\.(html|pdf|xlsx|pptx))",
      [&app, cache](const httplib::Request& req, httplib::Response& res) {
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
                    "Rapporten kunne ikke lages: " + StripUploadDirs(bytes.error().message),
                    &context);
          return;
        }
        app.Audit(principal->username, "report_download",
                  fmt::format("kommune {} ({})", m.number, Extension(*format)));
        SendReport(res, *bytes, *format,
                   fmt::format("kommunerapport_{}_{}", m.number, report::FileSlug(m.name)));
      });
}

}  // namespace samkart::web::admin
