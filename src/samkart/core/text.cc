#include "samkart/core/text.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace samkart::text {

std::string_view Trim(std::string_view s) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string> Split(std::string_view s, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(separator, start);
    if (end == std::string_view::npos) {
      parts.emplace_back(s.substr(start));
      return parts;
    }
    parts.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& parts, std::string_view last) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += i + 1 == parts.size() ? " " + std::string(last) + " " : ", ";
    }
    out += parts[i];
  }
  return out;
}

namespace {

// The length of a capital letter at s[pos]: 1 for A–Z, 2 for Æ Ø Å (whose
// lower case is 0x20 further on in the second byte), 0 for anything else.
std::size_t CapitalAt(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return 0;
  const auto c = static_cast<unsigned char>(s[pos]);
  if (c >= 'A' && c <= 'Z') return 1;
  if (c == 0xC3 && pos + 1 < s.size()) {
    const auto second = static_cast<unsigned char>(s[pos + 1]);
    if (second == 0x86 || second == 0x98 || second == 0x85) return 2;
  }
  return 0;
}

}  // namespace

std::string LowerFirst(std::string_view label) {
  std::string out(label);
  const std::size_t length = CapitalAt(out, 0);
  // «PPT», «NAV-kontor», «A»: an abbreviation or a single letter stays.
  if (length == 0 || length >= out.size() || CapitalAt(out, length) > 0) return out;
  out[length - 1] = static_cast<char>(static_cast<unsigned char>(out[length - 1]) + 0x20);
  return out;
}

std::optional<int> ParseInt(std::string_view s) {
  s = Trim(s);
  if (s.empty()) return std::nullopt;
  int value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

namespace {
bool StartsFormula(char c) {
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}
}  // namespace

std::string NeutraliseFormula(std::string text) {
  if (!text.empty() && StartsFormula(text[0])) text.insert(text.begin(), '\'');
  return text;
}

std::string_view WithoutFormulaGuard(std::string_view text) {
  if (text.size() >= 2 && text[0] == '\'' && StartsFormula(text[1])) text.remove_prefix(1);
  return text;
}

std::string FoldLabel(std::string_view label) {
  label = Trim(label);
  std::string out;
  out.reserve(label.size());
  bool pending_space = false;
  for (size_t i = 0; i < label.size(); ++i) {
    const char c = label[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = true;
      continue;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    // Æ (C3 86), Ø (C3 98), Å (C3 85) fold to æ (C3 A6), ø (C3 B8), å (C3 A5).
    if (static_cast<unsigned char>(c) == 0xC3 && i + 1 < label.size()) {
      const auto next = static_cast<unsigned char>(label[i + 1]);
      out += c;
      out += static_cast<char>((next == 0x86 || next == 0x98 || next == 0x85) ? next + 0x20 : next);
      ++i;
      continue;
    }
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

std::size_t DecodeUtf8(std::string_view s, std::size_t pos, char32_t& code_point) {
  const auto lead = static_cast<unsigned char>(s[pos]);
  std::size_t length = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (pos + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto continuation = static_cast<unsigned char>(s[pos + k]);
    if ((continuation & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (continuation & 0x3F);
  }
  constexpr char32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinForLength[length] || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return 0;
  }
  return length;
}

bool IsValidUtf8(std::string_view s) {
  constexpr uint64_t kHighBits = 0x8080808080808080ull;
  for (std::size_t i = 0; i < s.size();) {
    // Eight ASCII bytes at a time: most of a survey export is ASCII.
    if (i + 8 <= s.size()) {
      uint64_t word = 0;
      std::memcpy(&word, s.data() + i, sizeof word);
      if ((word & kHighBits) == 0) {
        i += 8;
        continue;
      }
    }
    char32_t code_point = 0;
    const std::size_t length = DecodeUtf8(s, i, code_point);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string MarkdownEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    if (c == '|' || c == '\\' || c == '*' || c == '`' || c == '<' || c == '>') {
      out += '\\';
    }
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::string UrlEncode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string EscapeControls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t used = DecodeUtf8(s, i, cp);
    if (used == 0) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    if (cp == '\\') {
      out += "\\\\";
    } else if (cp < 0x20 || cp == 0x7F) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned>(cp));
    } else if ((cp >= 0x80 && cp < 0xA0) || cp == 0x200E || cp == 0x200F ||
               (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
      out += fmt::format("\\u{{{:04X}}}", static_cast<unsigned>(cp));
    } else {
      out.append(s.substr(i, used));
    }
    i += used;
  }
  return out;
}

std::string Thousands(std::size_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += "\u00A0";
    out += digits[i];
  }
  return out;
}

}  // namespace samkart::text
