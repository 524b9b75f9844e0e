// A Document as one self-contained HTML file: inline CSS and SVG charts, no
// scripts or external resources, a print stylesheet, and every chart
// followed by its numbers as a table (the accessible alternative).
#pragma once

#include <string>

#include "samkart/report/document.h"

namespace samkart::report {

std::string RenderHtml(const Document& document);

}  // namespace samkart::report
