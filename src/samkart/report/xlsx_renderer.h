// A Document as an XLSX workbook: one sheet per chapter, every table and
// chart's numbers as cells, shares and counts stored as numbers.
#pragma once

#include <filesystem>

#include "samkart/core/result.h"
#include "samkart/report/document.h"

namespace samkart::report {

Status WriteXlsx(const Document& document, const std::filesystem::path& path);

}  // namespace samkart::report
