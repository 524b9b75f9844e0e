// The codebook: the instrument described for people. One document model,
// rendered as terminal text (`samkart instrument show`), Markdown and HTML
// (`samkart instrument docs`), so the three never disagree.
#pragma once

#include <string>
#include <vector>

#include "samkart/instrument/instrument.h"

namespace samkart::instrument {

// «I ganske stor grad» + «I svært stor grad»
std::string DescribeReportedShare(const Instrument& instrument, const Family& family);

// Who counts in the denominator, who leaves it, and who was never asked.
std::string DescribeDenominator(const Instrument& instrument, const Family& family);

struct DocBlock {
  enum class Kind { kHeading, kParagraph, kTable };
  Kind kind = Kind::kParagraph;
  int level = 1;  // headings
  std::string text;
  std::vector<std::string> header;  // tables
  std::vector<std::vector<std::string>> rows;
};

struct CodebookOptions {
  std::string only_family;         // empty: every family
  bool include_crosswalks = true;  // the per-generation variable tables
};

std::vector<DocBlock> BuildCodebook(const Instrument& instrument,
                                    const CodebookOptions& options = {});

std::string RenderText(const std::vector<DocBlock>& blocks);
std::string RenderMarkdown(const std::vector<DocBlock>& blocks);
// A self-contained page: inline CSS, every string escaped.
std::string RenderHtml(const std::vector<DocBlock>& blocks, const std::string& title);

}  // namespace samkart::instrument
