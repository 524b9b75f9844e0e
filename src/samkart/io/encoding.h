// Conversion between UTF-8 (Samkart's internal text) and Windows-1252, the
// code page Norwegian Excel uses for "CSV (semikolonseparert)".
//
// The mapping is the WHATWG Encoding Standard's windows-1252 index: Latin-1
// for 0x00-0x7F and 0xA0-0xFF, typographic characters (€ ‚ „ … – — ' ' " " ™
// Š Ž š ž Œ œ Ÿ …) for 0x80-0x9F, and the five bytes Microsoft leaves
// undefined (0x81 0x8D 0x8F 0x90 0x9D) as the C1 controls with the same
// value. Every byte therefore decodes, and both directions round-trip.
#pragma once

#include <string>
#include <string_view>

#include "samkart/core/result.h"

namespace samkart::io {

// Fails on invalid UTF-8 and on characters Windows-1252 lacks; the message
// names the character and its code point but no file, as callers know it.
Result<std::string> Utf8ToWindows1252(std::string_view utf8);

// Never fails: every Windows-1252 byte has a character.
std::string Windows1252ToUtf8(std::string_view windows1252);

// Checks that text fed in pieces is UTF-8, wherever the pieces are cut: a
// character cut off at the end of one piece is finished by the next.
class Utf8Checker {
 public:
  void Feed(std::string_view piece);
  // UTF-8 throughout, with no character left unfinished at the end.
  bool Valid() const { return valid_ && pending_.empty(); }

 private:
  std::string pending_;  // the start of a character cut off (at most 3 bytes)
  bool valid_ = true;
};

}  // namespace samkart::io
