#include "samkart/io/encoding.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include <fmt/format.h>

#include "samkart/core/text.h"

namespace samkart::io {

namespace {

// Code points of bytes 0x80-0x9F; the rest of the code page is Latin-1.
constexpr std::array<char32_t, 32> kHighControlRange = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 0x80-0x87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,  // 0x88-0x8F
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 0x90-0x97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,  // 0x98-0x9F
};

char32_t DecodeByte(unsigned char byte) {
  if (byte >= 0x80 && byte <= 0x9F) return kHighControlRange[byte - 0x80];
  return byte;
}

// The byte for a code point, or -1 when Windows-1252 has none.
int EncodeCodePoint(char32_t code_point) {
  if (code_point < 0x80 || (code_point >= 0xA0 && code_point <= 0xFF)) {
    return static_cast<int>(code_point);
  }
  for (std::size_t i = 0; i < kHighControlRange.size(); ++i) {
    if (kHighControlRange[i] == code_point) return static_cast<int>(0x80 + i);
  }
  return -1;
}

void AppendUtf8(char32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    // Windows-1252 reaches no further than U+2122, so three bytes suffice.
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

}  // namespace

Result<std::string> Utf8ToWindows1252(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    char32_t code_point = 0;
    const std::size_t length = text::DecodeUtf8(utf8, pos, code_point);
    if (length == 0) return Error{fmt::format("ugyldig UTF-8 ved byte {}", pos + 1)};
    const int byte = EncodeCodePoint(code_point);
    if (byte < 0) {
      return Error{fmt::format("tegnet «{}» (U+{:04X}) finnes ikke i Windows-1252",
                               utf8.substr(pos, length), static_cast<std::uint32_t>(code_point))};
    }
    out += static_cast<char>(byte);
    pos += length;
  }
  return out;
}

std::string Windows1252ToUtf8(std::string_view windows1252) {
  std::string out;
  out.reserve(windows1252.size() + windows1252.size() / 2);
  for (const char c : windows1252) AppendUtf8(DecodeByte(static_cast<unsigned char>(c)), out);
  return out;
}

namespace {

// Bytes in the character a lead byte starts; 0 for a byte no character starts with.
std::size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 0;
}

}  // namespace

void Utf8Checker::Feed(std::string_view piece) {
  if (!valid_) return;
  if (!pending_.empty()) {
    // Finish the cut character with the first bytes of this piece.
    const std::size_t need = SequenceLength(static_cast<unsigned char>(pending_[0]));
    const std::size_t take = std::min(need - pending_.size(), piece.size());
    pending_.append(piece.substr(0, take));
    piece.remove_prefix(take);
    if (pending_.size() < need) return;
    valid_ = text::IsValidUtf8(pending_);
    pending_.clear();
    if (!valid_) return;
  }
  // Keep a character the piece cuts off for the next piece: the last lead
  // byte among the final three, when its character runs past the end.
  std::size_t end = piece.size();
  for (std::size_t back = 1; back <= std::min<std::size_t>(3, piece.size()); ++back) {
    const auto byte = static_cast<unsigned char>(piece[piece.size() - back]);
    if ((byte & 0xC0) == 0x80) continue;
    if (SequenceLength(byte) > back) end = piece.size() - back;
    break;
  }
  valid_ = text::IsValidUtf8(piece.substr(0, end));
  pending_.assign(piece.substr(end));
}

}  // namespace samkart::io
