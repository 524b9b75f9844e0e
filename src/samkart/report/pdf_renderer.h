// A Document as an A4 PDF drawn natively with cairo and pango: vector
// charts, embedded fonts, page numbers and a table of contents. Safe to call
// from several threads at once, each with its own document.
#pragma once

#include <filesystem>

#include "samkart/core/result.h"
#include "samkart/report/document.h"

namespace samkart::report {

// Returns the number of pages written.
Result<int> WritePdf(const Document& document, const std::filesystem::path& path);

}  // namespace samkart::report
