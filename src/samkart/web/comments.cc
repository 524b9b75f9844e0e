#include "samkart/web/comments.h"

#include <regex>
#include <set>
#include <string_view>

#include "samkart/core/text.h"

namespace samkart::web {

namespace {

// Lower case for ASCII and the Norwegian letters; other bytes as they are.
std::string Lower(std::string_view word) {
  std::string out(word);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') {
      out[i] = static_cast<char>(c + 32);
    } else if (c == 0xC3 && i + 1 < out.size()) {
      const auto next = static_cast<unsigned char>(out[i + 1]);
      if (next >= 0x80 && next <= 0x9E && next != 0x97) out[i + 1] = static_cast<char>(next + 32);
      ++i;
    }
  }
  return out;
}

bool IsUpperStart(std::string_view word) {
  if (word.empty()) return false;
  const auto c = static_cast<unsigned char>(word[0]);
  if (c >= 'A' && c <= 'Z') return true;
  if (c == 0xC3 && word.size() > 1) {
    const auto next = static_cast<unsigned char>(word[1]);
    return next >= 0x80 && next <= 0x9E && next != 0x97;
  }
  return false;
}

// The length in bytes of the letter at `at`, 0 when it is none: ASCII
// letters and the Latin letters of two-byte UTF-8 (æ, ø, å, é, š …), not
// punctuation such as « or –.
std::size_t LetterAt(const std::string& text, std::size_t at) {
  const auto c = static_cast<unsigned char>(text[at]);
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return 1;
  if (c >= 0xC3 && c <= 0xC9 && at + 1 < text.size() &&
      (static_cast<unsigned char>(text[at + 1]) & 0xC0) == 0x80) {
    return 2;
  }
  return 0;
}

// Words that are often capitalised mid-sentence without being a person.
const std::set<std::string>& CommonWords() {
  static const std::set<std::string> words = {
      "jeg",
      "vi",
      "de",
      "du",
      "dere",
      "han",
      "hun",
      "det",
      "den",
      "norge",
      "norsk",
      "oslo",
      "kommune",
      "kommunen",
      "fylke",
      "fylket",
      "staten",
      "nav",
      "barnevern",
      "barnevernet",
      "helsestasjon",
      "helsestasjonen",
      "skole",
      "skolen",
      "barnehage",
      "barnehagen",
      "ppt",
      "bup",
      "sfo",
      "bti",
      "bts",
      "korus",
      "samkart",
      "kartleggingen",
      "statsforvalteren",
      "bufetat",
      "politiet",
      "fastlegen",
      "tannhelsetjenesten",
      "familievernet",
      "kommuneoverlegen",
      "rådmannen",
      "kommunedirektøren",
      "skolehelsetjenesten",
      "mandag",
      "tirsdag",
      "onsdag",
      "torsdag",
      "fredag",
      "lørdag",
      "søndag",
      "januar",
      "februar",
      "mars",
      "april",
      "mai",
      "juni",
      "juli",
      "august",
      "september",
      "oktober",
      "november",
      "desember",
      "jul",
      "påske",
      "gud",
  };
  return words;
}

// Common Norwegian first names: masked also where they start a sentence.
const std::set<std::string>& FirstNames() {
  static const std::set<std::string> names = {
      "anne",   "inger",  "kari",      "marit",    "ingrid",  "liv",      "eva",     "berit",
      "astrid", "bjørg",  "hilde",     "anna",     "solveig", "marianne", "randi",   "ida",
      "nina",   "maria",  "elisabeth", "kristin",  "tone",    "silje",    "camilla", "hanne",
      "nora",   "emma",   "sara",      "ingeborg", "mette",   "heidi",    "line",    "lene",
      "jan",    "per",    "bjørn",     "ole",      "lars",    "kjell",    "knut",    "svein",
      "hans",   "arne",   "geir",      "thomas",   "tor",     "morten",   "terje",   "odd",
      "erik",   "martin", "andreas",   "john",     "anders",  "rune",     "trond",   "tore",
      "jon",    "espen",  "magnus",    "kristian", "jonas",   "henrik",   "ola",     "nils",
      "petter", "frode",  "stian",     "emil",     "jakob",   "filip",    "william", "oskar",
  };
  return names;
}

bool IsAbbreviation(std::string_view word) {
  if (word.size() < 2) return false;
  for (const char c : word) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 'a' && b <= 'z') return false;
  }
  return true;
}

// Whether the text before `at` ends a sentence (or there is nothing before it).
bool StartsSentence(const std::string& text, std::size_t at) {
  while (at > 0) {
    const char c = text[at - 1];
    if (c == ' ' || c == '\t' || c == '"' || c == '(' || c == '\'') {
      --at;
      continue;
    }
    // «, opening quote in UTF-8 (C2 AB)
    if (at >= 2 && static_cast<unsigned char>(text[at - 2]) == 0xC2 &&
        static_cast<unsigned char>(c) == 0xAB) {
      at -= 2;
      continue;
    }
    return c == '.' || c == '!' || c == '?' || c == ':' || c == '\n' || c == '\r';
  }
  return true;
}

std::string MaskNames(const std::string& text, const std::set<std::string>& known) {
  const std::string mask = "[navn]";
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (LetterAt(text, i) == 0) {
      out += text[i++];
      continue;
    }
    // A hyphen inside a word joins it (Anne-Marie).
    std::size_t end = i;
    while (end < text.size()) {
      if (const std::size_t n = LetterAt(text, end)) {
        end += n;
      } else if (text[end] == '-' && end + 1 < text.size() && LetterAt(text, end + 1)) {
        ++end;
      } else {
        break;
      }
    }
    const std::string word = text.substr(i, end - i);
    const std::string lower = Lower(word);
    const bool name =
        IsUpperStart(word) && !IsAbbreviation(word) && !known.count(lower) &&
        (FirstNames().count(lower) || (!StartsSentence(text, i) && !CommonWords().count(lower)));
    if (name) {
      // «Kari Hansen» is one name.
      const bool joined = out.ends_with(mask + " ") && out.size() > mask.size();
      if (joined) {
        out.erase(out.size() - 1);
      } else {
        out += mask;
      }
    } else {
      out += word;
    }
    i = end;
  }
  return out;
}

}  // namespace

std::size_t CharacterCount(const std::string& text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string MaskPersonalData(const std::string& text, const std::vector<std::string>& known_words) {
  static const std::regex email(R"([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)");
  // Eight digits, with single spaces, dots or hyphens between any of them,
  // and +47 or 0047 before; not part of a longer number.
  static const std::regex phone(R"((^|[^\d+])((\+|00)47[ .-]?)?\d(?:[ .-]?\d){7}(?![\d]))");
  std::string out = std::regex_replace(text, email, "[e-post]");
  out = std::regex_replace(out, phone, "$1[telefon]");
  std::set<std::string> known;
  for (const auto& phrase : known_words) {
    for (const auto& word : text::Split(phrase, ' ')) {
      if (!word.empty()) known.insert(Lower(word));
    }
  }
  return MaskNames(out, known);
}

}  // namespace samkart::web
