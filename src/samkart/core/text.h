// Small string helpers shared by the readers, the instrument and the reports.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samkart::text {

std::string_view Trim(std::string_view s);

// Splits on a single character; keeps empty fields ("a||b" gives 3 parts).
std::vector<std::string> Split(std::string_view s, char separator);

std::string Join(const std::vector<std::string>& parts, std::string_view separator);

// A Norwegian list: «a», «a og b», «a, b og c» (`last` is «og» or «eller»).
std::string JoinList(const std::vector<std::string>& parts, std::string_view last = "og");

// The first letter in lower case, for a label used inside a sentence
// («Under 5 000 innbyggere» → «under 5 000 innbyggere»); an abbreviation
// («PPT», «NAV») or a single letter is left as it is.
std::string LowerFirst(std::string_view label);

// Parses a whole-string base-10 integer; no sign or space tolerance beyond Trim.
std::optional<int> ParseInt(std::string_view s);

// «1 234 567»: groups of three digits joined by no-break spaces, as Norwegian writes numbers.
std::string Thousands(std::size_t n);

// Folds a category label for matching: trims, collapses inner white space and
// lower-cases ASCII and the Norwegian letters Æ Ø Å (UTF-8), so
// "  I Ganske  stor grad" matches "i ganske stor grad".
std::string FoldLabel(std::string_view label);

// Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
// gets a leading apostrophe, as spreadsheets themselves escape it.
std::string NeutraliseFormula(std::string text);
// The text as written before NeutraliseFormula: a file Samkart wrote for a
// spreadsheet and reads back (a crosswalk draft) means the original.
std::string_view WithoutFormulaGuard(std::string_view text);

// Decodes the UTF-8 sequence starting at s[pos] into code_point and returns
// its length in bytes; 0 when it is malformed (truncated, overlong, a
// surrogate or above U+10FFFF).
std::size_t DecodeUtf8(std::string_view s, std::size_t pos, char32_t& code_point);

// True when s is valid UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view s);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view s);

// `s` with control characters, the invisible direction marks that reorder
// text and bytes that are not UTF-8 written as \xNN or \u{NNNN}, and a
// backslash as two: for logs a reader must be able to trust.
std::string EscapeControls(std::string_view s);

// Percent-encodes all but unreserved characters (RFC 3986), for a URL's
// path segment or query value.
std::string UrlEncode(std::string_view s);

// Escapes Markdown metacharacters; "_" stays, as identifiers use it inside
// words where CommonMark never reads it as emphasis.
std::string MarkdownEscape(std::string_view s);

}  // namespace samkart::text
