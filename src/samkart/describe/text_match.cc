#include "samkart/describe/text_match.h"

#include <algorithm>
#include <array>

namespace samkart::describe {

namespace {

// Words too common in the questions to tell them apart.
constexpr std::array<std::string_view, 13> kSmallWords = {
    "som", "med", "har", "for", "til", "den", "det", "eller", "hos", "deg", "din", "dine", "seg"};

// Lower case, æ/ø/å spelled out, anything else that is not a letter or a
// digit a word break.
std::string Fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      ++i;
      switch (next) {
        case 0x86:  // Æ
        case 0xA6:  // æ
          out += "ae";
          continue;
        case 0x98:  // Ø
        case 0xB8:  // ø
        case 0x96:  // Ö
        case 0xB6:  // ö
          out += 'o';
          continue;
        case 0x85:  // Å
        case 0xA5:  // å
        case 0x84:  // Ä
        case 0xA4:  // ä
          out += 'a';
          continue;
        case 0xA9:  // é
        case 0x89:  // É
          out += 'e';
          continue;
        default:
          out += ' ';
          continue;
      }
    }
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += static_cast<char>(c);
    } else {
      out += ' ';
    }
  }
  return out;
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::string> Words(std::string_view text, bool keep_short) {
  const std::string folded = Fold(text);
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < folded.size()) {
    const std::size_t end = std::min(folded.find(' ', start), folded.size());
    const std::string_view word(folded.data() + start, end - start);
    const bool small = word.size() <= 2 ||
                       std::find(kSmallWords.begin(), kSmallWords.end(), word) != kSmallWords.end();
    if (!word.empty() && (keep_short || !small)) {
      words.emplace_back(word);
    }
    start = end + 1;
  }
  return words;
}

bool SameWord(std::string_view a, std::string_view b) {
  if (a == b) return true;
  const std::size_t shorter = std::min(a.size(), b.size());
  if (shorter < 5) return false;
  // One word inflected or compounded («involverer», «involvering»;
  // «minoritet», «minoritetsfamilier»): a long shared beginning.
  std::size_t prefix = 0;
  while (prefix < shorter && a[prefix] == b[prefix]) ++prefix;
  if (prefix >= 6 && 4 * prefix >= 3 * shorter) return true;
  const std::size_t longer = std::max(a.size(), b.size());
  const std::size_t allowed = shorter >= 9 ? 2 : 1;
  if (longer - shorter > allowed) return false;
  return EditDistance(a, b) <= allowed;
}

double Containment(const std::vector<std::string>& needle,
                   const std::vector<std::string>& haystack) {
  if (needle.empty()) return 0;
  std::size_t found = 0;
  for (const std::string& word : needle) {
    if (std::any_of(haystack.begin(), haystack.end(),
                    [&](const std::string& other) { return SameWord(word, other); })) {
      ++found;
    }
  }
  return static_cast<double>(found) / static_cast<double>(needle.size());
}

double LabelSimilarity(std::string_view a, std::string_view b) {
  std::string fa, fb;
  for (const std::string& w : Words(a)) fa += w + " ";
  for (const std::string& w : Words(b)) fb += w + " ";
  if (fa.empty() || fb.empty()) {
    // Labels of small words only («Ja», «Nei»): compare them folded whole.
    fa = Fold(a);
    fb = Fold(b);
    fa.erase(std::remove(fa.begin(), fa.end(), ' '), fa.end());
    fb.erase(std::remove(fb.begin(), fb.end(), ' '), fb.end());
  }
  if (fa == fb) return 1;
  if (fa.empty() || fb.empty()) return 0;
  const double longer = static_cast<double>(std::max(fa.size(), fb.size()));
  return 1.0 - static_cast<double>(EditDistance(fa, fb)) / longer;
}

}  // namespace samkart::describe
