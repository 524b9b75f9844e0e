// A Document as a PPTX slide deck for the municipality's own meeting: a
// title slide, a slide per chapter and section with content (key figures
// as big numbers, charts as native editable PowerPoint charts, tables as
// native tables, text split to fit), and a slide per workshop prompt.
//
// Written as PresentationML and DrawingML by hand into a zip with libzip:
// no Debian package writes PPTX from C++, and the XLSX is already a zip of
// XML. Each chart carries its numbers in its own cache and in a small
// embedded workbook (libxlsxwriter), so PowerPoint's «Rediger data» opens
// them.
#pragma once

#include <filesystem>

#include "samkart/core/result.h"
#include "samkart/report/document.h"

namespace samkart::report {

Status WritePptx(const Document& document, const std::filesystem::path& path);

}  // namespace samkart::report
