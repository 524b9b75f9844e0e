// Norwegian hyphenation for text laid out in narrow columns (PDF tables
// and chart labels), from the Bokmål patterns LibreOffice uses.
#pragma once

#include <string>
#include <string_view>

namespace samkart::present {

// Where the Bokmål patterns are read from (Debian's hyphen-no).
inline constexpr const char* kHyphenationDictionary = "/usr/share/hyphen/hyph_nb_NO.dic";

// Whether the patterns could be loaded; without them Hyphenate changes nothing.
bool HyphenationAvailable();

// `text` with U+00AD soft hyphens where a Norwegian word of at least seven
// letters may be broken at the end of a line. Other text, and words with
// letters the patterns do not cover, pass unchanged. Safe from any thread.
std::string Hyphenate(std::string_view text);

}  // namespace samkart::present
