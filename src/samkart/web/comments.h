// Respondents' free-text comments: the limits, and the masking of what
// could tell who wrote them or whom they speak of, before anyone reads them.
// The masked text is all that is ever stored.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "samkart/store/store.h"

namespace samkart::web {

// A comment longer than this is refused (characters, not bytes).
inline constexpr std::size_t kMaxCommentChars = 2000;
// The coordinator's free-text question.
inline constexpr std::size_t kMaxCommentQuestionChars = 300;
using store::kMinCommentsShown;

// Replaces e-mail addresses with «[e-post]», Norwegian phone numbers (eight
// digits, spaced or not, with or without +47/0047) with «[telefon]», and
// what looks like a name with «[navn]»: a capitalised word that does not
// start a sentence and is not a common word, an abbreviation or one of
// `known_words` (the municipality, the services), and common first names
// wherever they stand. Consecutive names become one «[navn]».
std::string MaskPersonalData(const std::string& text, const std::vector<std::string>& known_words);

// Characters (UTF-8 code points) in `text`.
std::size_t CharacterCount(const std::string& text);

}  // namespace samkart::web
