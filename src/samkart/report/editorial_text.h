// The national team's own words for the chapters no computation can write
// (summary, introduction, organisation, discussion, conclusion), read from
// Markdown files in a folder the user names: one file per chapter,
// `sammendrag.md`, `innledning.md`, `organisering.md`, `diskusjon.md` and
// `konklusjon.md`. The Markdown is the plain part people write in any
// editor: paragraphs, `#`/`##` headings (subsections), `-`/`*` bullets,
// `1.` numbered lists; emphasis marks are dropped and a link keeps its
// text and address.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/report/document.h"

namespace samkart::report {

struct EditorialChapter {
  const char* key;    // the file's name without «.md», and the section id
  const char* title;  // the chapter's heading
};

inline constexpr EditorialChapter kEditorialChapters[] = {
    {"sammendrag", "Sammendrag"},
    {"innledning", "Innledning"},
    {"organisering", "Organisering av arbeidet"},
    {"diskusjon", "Diskusjon"},
    {"konklusjon", "Konklusjon og anbefalinger"},
};

// A chapter file larger than this is refused: a chapter is a few pages.
inline constexpr std::size_t kEditorialFileMaxBytes = 256 * 1024;

struct EditorialText {
  std::string dir;  // where the files were read from; empty when none was named
  // Chapter key → its text: the blocks before the first heading, then one
  // level-2 section per heading.
  struct Chapter {
    std::vector<Block> blocks;
    std::vector<Section> subsections;
  };
  std::map<std::string, Chapter> chapters;
};

// Markdown to blocks and subsections; `key` prefixes the subsections' ids.
EditorialText::Chapter ParseEditorialMarkdown(const std::string& markdown, const std::string& key);

// Reads the folder's chapter files. A file that is not a chapter, not UTF-8
// or too large is an error naming it (and the line, for bad text); a chapter
// without a file is simply absent.
Result<EditorialText> LoadEditorialText(const std::string& dir);

}  // namespace samkart::report
