// Matching the texts of a foreign export against the instrument's: a
// column header against a question, an answer label against a scale's
// category. Case, spacing, punctuation, æ/ø/å written as ae/o/a and small
// spelling differences are tolerated; the small words every question
// shares («i», «du», «som») do not count.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace samkart::describe {

// The text's words, folded: lower case, æ → ae, ø → o, å → a, punctuation
// dropped, words of one or two letters and common small words left out
// (kept with `keep_short`, for short headers such as «År»).
std::vector<std::string> Words(std::string_view text, bool keep_short = false);

// Whether two folded words are the same word, allowing one typo in a word
// of five letters or more and two in one of nine or more, and another
// ending or a compound (a shared beginning of six letters or more and at
// least three quarters of the shorter word).
bool SameWord(std::string_view a, std::string_view b);

// The share (0–1) of `needle`'s words that occur in `haystack`.
double Containment(const std::vector<std::string>& needle,
                   const std::vector<std::string>& haystack);

// How alike two labels are (0–1): 1 when equal after folding, otherwise
// one minus the edit distance over the longer length.
double LabelSimilarity(std::string_view a, std::string_view b);

// Labels at least this alike are the same category.
inline constexpr double kSameLabel = 0.85;

}  // namespace samkart::describe
