#include "samkart/report/report_writer.h"

#include <algorithm>
#include <chrono>
#include <mutex>

#include "samkart/core/parallel.h"
#include "samkart/core/text.h"
#include "samkart/io/text_file.h"
#include "samkart/report/html_renderer.h"
#include "samkart/report/municipality_report.h"
#include "samkart/report/pdf_renderer.h"
#include "samkart/report/pptx_renderer.h"
#include "samkart/report/xlsx_renderer.h"

#include "fmt/format.h"

namespace samkart::report {

namespace fs = std::filesystem;

Result<std::vector<ReportFormat>> ParseReportFormats(const std::string& list) {
  std::vector<ReportFormat> formats;
  for (const auto& part : text::Split(list, ',')) {
    const std::string name(text::Trim(part));
    ReportFormat format;
    if (name == "html") {
      format = ReportFormat::kHtml;
    } else if (name == "pdf") {
      format = ReportFormat::kPdf;
    } else if (name == "xlsx") {
      format = ReportFormat::kXlsx;
    } else if (name == "pptx") {
      format = ReportFormat::kPptx;
    } else {
      return Error{fmt::format("ukjent rapportformat «{}» (html, pdf, xlsx eller pptx)", name)};
    }
    if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
      formats.push_back(format);
    }
  }
  if (formats.empty()) return Error{"ingen rapportformat valgt (html, pdf, xlsx eller pptx)"};
  return formats;
}

std::string FileSlug(const std::string& name) {
  std::string out;
  bool dash = false;
  auto put = [&](const std::string& s) {
    if (dash && !out.empty()) out += '-';
    dash = false;
    out += s;
  };
  for (std::size_t i = 0; i < name.size();) {
    char32_t cp = 0;
    const std::size_t used = text::DecodeUtf8(name, i, cp);
    i += used == 0 ? 1 : used;
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
      put(std::string(1, static_cast<char>(cp)));
    } else if (cp >= 'A' && cp <= 'Z') {
      put(std::string(1, static_cast<char>(cp - 'A' + 'a')));
    } else if (cp == U'æ' || cp == U'Æ') {
      put("ae");
    } else if (cp == U'ø' || cp == U'Ø') {
      put("o");
    } else if (cp == U'å' || cp == U'Å') {
      put("aa");
    } else {
      dash = true;
    }
  }
  return out.empty() ? "rapport" : out;
}

Result<std::vector<fs::path>> WriteReportFiles(const Document& document, const fs::path& dir,
                                               const std::string& basename,
                                               const std::vector<ReportFormat>& formats) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return Error{fmt::format("kan ikke opprette mappen «{}»: {}", dir.string(), ec.message())};
  std::vector<fs::path> written;
  for (const ReportFormat format : formats) {
    switch (format) {
      case ReportFormat::kHtml: {
        const fs::path path = dir / (basename + ".html");
        auto saved = io::WriteTextFile(path.string(), RenderHtml(document));
        if (!saved.ok()) return saved.error();
        written.push_back(path);
        break;
      }
      case ReportFormat::kPdf: {
        const fs::path path = dir / (basename + ".pdf");
        auto saved = WritePdf(document, path);
        if (!saved.ok()) return saved.error();
        written.push_back(path);
        break;
      }
      case ReportFormat::kXlsx: {
        const fs::path path = dir / (basename + ".xlsx");
        auto saved = WriteXlsx(document, path);
        if (!saved.ok()) return saved.error();
        written.push_back(path);
        break;
      }
      case ReportFormat::kPptx: {
        const fs::path path = dir / (basename + ".pptx");
        auto saved = WritePptx(document, path);
        if (!saved.ok()) return saved.error();
        written.push_back(path);
        break;
      }
    }
  }
  return written;
}

MunicipalityBatchResult WriteMunicipalityReports(const ReportInputs& inputs,
                                                 const MunicipalityBatch& batch) {
  MunicipalityBatchResult result;
  std::mutex mutex;
  std::size_t done = 0;
  const std::size_t total = batch.municipalities.size();
  ParallelFor(total, batch.threads, [&](std::size_t i) {
    const int number = batch.municipalities[i];
    const auto started = std::chrono::steady_clock::now();
    auto document = BuildMunicipalityReport(inputs, number);
    Result<std::vector<fs::path>> files = Error{""};
    if (document.ok()) {
      const auto name = inputs.data->municipality_names.find(number);
      const std::string slug =
          FileSlug(name != inputs.data->municipality_names.end() ? name->second : "");
      files = WriteReportFiles(*document, batch.dir, fmt::format("kommune_{}_{}", number, slug),
                               batch.formats);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::lock_guard lock(mutex);
    if (!document.ok()) {
      result.errors.push_back(fmt::format("kommune {}: {}", number, document.error().message));
    } else if (!files.ok()) {
      result.errors.push_back(fmt::format("kommune {}: {}", number, files.error().message));
    } else {
      result.files.insert(result.files.end(), files->begin(), files->end());
      result.seconds.push_back(seconds);
      const NumberCount numbers = CountNumbers(*document);
      result.numbers.shown += numbers.shown;
      result.numbers.hidden += numbers.hidden;
    }
    ++done;
    if (batch.progress) batch.progress(done, total);
  });
  std::sort(result.files.begin(), result.files.end());
  std::sort(result.errors.begin(), result.errors.end());
  return result;
}

}  // namespace samkart::report
