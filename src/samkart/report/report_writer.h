// Writes built reports to files in the formats asked for, and builds and
// writes many municipality reports on several threads: each thread builds a
// Document from the shared read-only dataset and renders it.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/report/document.h"
#include "samkart/report/report_inputs.h"

namespace samkart::report {

enum class ReportFormat { kHtml, kPdf, kXlsx, kPptx };

// «html,pdf,xlsx,pptx» → the formats; an unknown name is an error naming it.
Result<std::vector<ReportFormat>> ParseReportFormats(const std::string& list);

// «Øvre Ærø (syntetisk)» → «ovre-aero-syntetisk»: a file name part.
std::string FileSlug(const std::string& name);

// Writes `document` as DIR/BASENAME.html, .pdf, .xlsx, .pptx; returns the paths.
Result<std::vector<std::filesystem::path>> WriteReportFiles(
    const Document& document, const std::filesystem::path& dir, const std::string& basename,
    const std::vector<ReportFormat>& formats);

struct MunicipalityBatch {
  std::vector<int> municipalities;
  std::filesystem::path dir;
  std::vector<ReportFormat> formats;
  unsigned threads = 0;  // 0: one per core
  // Called (from the worker threads, serialised) after each municipality.
  std::function<void(std::size_t done, std::size_t total)> progress;
};

struct MunicipalityBatchResult {
  std::vector<std::filesystem::path> files;
  std::vector<std::string> errors;  // one per municipality that failed, in Norwegian
  std::vector<double> seconds;      // build + render time per municipality written
  NumberCount numbers;              // over every report written
};

MunicipalityBatchResult WriteMunicipalityReports(const ReportInputs& inputs,
                                                 const MunicipalityBatch& batch);

}  // namespace samkart::report
