#include "samkart/present/hyphenation.h"

#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <hyphen.h>

namespace samkart::present {

namespace {

constexpr std::size_t kMinLetters = 7;
// No fragment shorter than this before or after a break: «le-», «-er».
constexpr int kLeftMin = 2;
constexpr int kRightMin = 3;
constexpr std::string_view kSoftHyphen = "\u00AD";

// The patterns are loaded once and only read afterwards, so the renderers'
// threads share them.
const HyphenDict* Dictionary() {
  static HyphenDict* const dictionary = hnj_hyphen_load(kHyphenationDictionary);
  return dictionary;
}

// One code point from UTF-8, or 0 for a malformed sequence.
char32_t Decode(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  std::size_t length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
  if (length == 0 || i + length > s.size()) {
    ++i;
    return 0;
  }
  char32_t c = b & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(s[i + k]);
    if ((next & 0xC0) != 0x80) {
      ++i;
      return 0;
    }
    c = (c << 6) | (next & 0x3F);
  }
  i += length;
  return c;
}

// A letter the ISO 8859-1 patterns know, lower-cased as they expect; 0 otherwise.
unsigned char Latin1Letter(char32_t c) {
  if (c >= 'A' && c <= 'Z') return static_cast<unsigned char>(c - 'A' + 'a');
  if (c >= 'a' && c <= 'z') return static_cast<unsigned char>(c);
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return static_cast<unsigned char>(c + 0x20);
  if (c >= 0xDF && c <= 0xFF && c != 0xF7) return static_cast<unsigned char>(c);
  return 0;
}

// Appends `word` (UTF-8, one byte range per letter in `ends`) with soft
// hyphens at the patterns' standard break points.
void AppendWord(std::string& out, std::string_view word, const std::string& latin1,
                const std::vector<std::size_t>& ends) {
  const HyphenDict* dictionary = Dictionary();
  const int size = static_cast<int>(latin1.size());
  std::vector<char> hyphens(latin1.size() + 5, '0');
  char** rep = nullptr;
  int* pos = nullptr;
  int* cut = nullptr;
  const int failed = hnj_hyphen_hyphenate3(const_cast<HyphenDict*>(dictionary), latin1.data(), size,
                                           hyphens.data(), nullptr, &rep, &pos, &cut, kLeftMin,
                                           kRightMin, kLeftMin, kRightMin);
  std::size_t start = 0;
  for (std::size_t k = 0; k < ends.size(); ++k) {
    out.append(word.substr(start, ends[k] - start));
    start = ends[k];
    // A break that changes the spelling (rep) is not a plain soft hyphen.
    const bool plain = rep == nullptr || rep[k] == nullptr;
    if (failed == 0 && k + 1 < ends.size() && (hyphens[k] & 1) != 0 && plain) out += kSoftHyphen;
  }
  if (rep != nullptr) {
    for (int k = 0; k < size; ++k) std::free(rep[k]);
    std::free(rep);
    std::free(pos);
    std::free(cut);
  }
}

}  // namespace

bool HyphenationAvailable() { return Dictionary() != nullptr; }

std::string Hyphenate(std::string_view text) {
  if (Dictionary() == nullptr) return std::string(text);
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  std::size_t i = 0;
  while (i < text.size()) {
    // A run of letters the patterns know is a word; anything else passes through.
    const std::size_t word_start = i;
    std::string latin1;
    std::vector<std::size_t> ends;  // byte offset after each letter, relative to word_start
    while (i < text.size()) {
      std::size_t next = i;
      const unsigned char letter = Latin1Letter(Decode(text, next));
      if (letter == 0) break;
      latin1 += static_cast<char>(letter);
      ends.push_back(next - word_start);
      i = next;
    }
    const std::string_view word = text.substr(word_start, i - word_start);
    if (ends.size() >= kMinLetters) {
      AppendWord(out, word, latin1, ends);
    } else {
      out.append(word);
    }
    if (i < text.size()) {
      std::size_t next = i;
      Decode(text, next);
      out.append(text.substr(i, next - i));
      i = next;
    }
  }
  return out;
}

}  // namespace samkart::present
