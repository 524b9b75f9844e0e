// A Document as one self-contained HTML file: inline CSS and SVG charts, no
// scripts or external resources, a print stylesheet, and every chart
// followed by its numbers as a table (the accessible alternative).
#pragma once

#include <string>
#include <vector>

#include "samkart/report/document.h"

namespace samkart::report {

std::string RenderHtml(const Document& document);

// The sections with these ids as HTML to place inside a page (the web
// app's result pages): the same tables and charts, without the page frame
// and its inline stylesheet.
std::string RenderSectionsHtml(const Document& document,
                               const std::vector<std::string>& section_ids);

}  // namespace samkart::report
