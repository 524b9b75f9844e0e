// A Document as a PPTX slide deck for the municipality's own meeting: a
// title slide, a slide per chapter and section with content (key figures
// as big numbers, charts as native editable PowerPoint charts, tables as
// native tables, text split to fit), and a slide per workshop prompt.
//
// Written as PresentationML and DrawingML by hand into a zip with libzip:
// no Debian package writes PPTX from C++, and the XLSX is already a zip of
// XML. The charts carry their numbers in the chart part's own cache, with
// no embedded workbook: PowerPoint shows and restyles them, but its «Rediger
// data» has no sheet to open.
#pragma once

#include <filesystem>

#include "samkart/core/result.h"
#include "samkart/report/document.h"

namespace samkart::report {

Status WritePptx(const Document& document, const std::filesystem::path& path);

}  // namespace samkart::report
