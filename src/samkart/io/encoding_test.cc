#include "samkart/io/encoding.h"

#include <string>

#include <gtest/gtest.h>

namespace samkart::io {
namespace {

TEST(Encoding, NorwegianLettersAndTypographyMapToTheirCp1252Bytes) {
  const auto encoded = Utf8ToWindows1252("æøåÆØÅ«»–—€„“”‘’…•™éü");
  ASSERT_TRUE(encoded.ok()) << encoded.error().message;
  EXPECT_EQ(*encoded,
            "\xE6\xF8\xE5\xC6\xD8\xC5\xAB\xBB\x96\x97\x80\x84\x93\x94\x91\x92\x85\x95\x99\xE9\xFC");
}

TEST(Encoding, RoundTripsNorwegianText) {
  const std::string text = "Blåbærsyltetøy på Ærøy – «I ganske stor grad» koster 25 € … Øvre Årdal";
  const auto encoded = Utf8ToWindows1252(text);
  ASSERT_TRUE(encoded.ok()) << encoded.error().message;
  EXPECT_EQ(encoded->size(), 70u);  // one byte per character
  EXPECT_EQ(Windows1252ToUtf8(*encoded), text);
}

// The 0x80-0x9F row, written out independently of the implementation's table.
TEST(Encoding, DecodesTheWholeHighControlRow) {
  const char* const expected[32] = {"€",      "\u0081", "‚", "ƒ", "„", "…",      "†", "‡",
                                    "ˆ",      "‰",      "Š", "‹", "Œ", "\u008D", "Ž", "\u008F",
                                    "\u0090", "‘",      "’", "“", "”", "•",      "–", "—",
                                    "˜",      "™",      "š", "›", "œ", "\u009D", "ž", "Ÿ"};
  for (int byte = 0x80; byte <= 0x9F; ++byte) {
    const std::string single(1, static_cast<char>(byte));
    EXPECT_EQ(Windows1252ToUtf8(single), expected[byte - 0x80]) << "byte " << byte;
    const auto back = Utf8ToWindows1252(expected[byte - 0x80]);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, single) << "byte " << byte;
  }
}

TEST(Encoding, EveryByteRoundTrips) {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all += static_cast<char>(byte);
  const std::string utf8 = Windows1252ToUtf8(all);
  // Latin-1 range decodes to the same code point.
  EXPECT_NE(utf8.find("\u00A0¡¢£¤¥¦§¨©ª«¬\u00AD®¯°±²³´µ¶·¸¹º»¼½¾¿"), std::string::npos);
  EXPECT_NE(utf8.find("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞß"), std::string::npos);
  EXPECT_NE(utf8.find("àáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ"), std::string::npos);
  const auto back = Utf8ToWindows1252(utf8);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, all);
}

TEST(Encoding, UnrepresentableCharacterIsNamed) {
  const auto emoji = Utf8ToWindows1252("Hei 😀");
  ASSERT_FALSE(emoji.ok());
  EXPECT_EQ(emoji.error().message, "tegnet «😀» (U+1F600) finnes ikke i Windows-1252");

  // Latin Extended-A beyond the few letters CP1252 has (Š Ž Œ …).
  const auto macron = Utf8ToWindows1252("Ā");
  ASSERT_FALSE(macron.ok());
  EXPECT_NE(macron.error().message.find("U+0100"), std::string::npos);

  // C1 controls other than the five undefined bytes have no byte.
  EXPECT_FALSE(Utf8ToWindows1252("\u0080").ok());
  EXPECT_FALSE(Utf8ToWindows1252("\u009F").ok());
}

TEST(Encoding, InvalidUtf8IsAnError) {
  const auto truncated = Utf8ToWindows1252("ab\xC3");
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().message, "ugyldig UTF-8 ved byte 3");
  EXPECT_FALSE(Utf8ToWindows1252("\xC3\xA5\xE6").ok());  // Latin-1 byte in UTF-8 text
  EXPECT_FALSE(Utf8ToWindows1252("\xC0\xAF").ok());      // overlong "/"
  EXPECT_FALSE(Utf8ToWindows1252("\xED\xA0\x80").ok());  // surrogate
}

TEST(Encoding, EmptyAndAsciiPassThrough) {
  EXPECT_EQ(*Utf8ToWindows1252(""), "");
  EXPECT_EQ(Windows1252ToUtf8(""), "");
  EXPECT_EQ(*Utf8ToWindows1252("kommune;2024\r\n"), "kommune;2024\r\n");
}

// Feeds `text` cut at every pair of places, and byte by byte.
void ExpectEveryCutGives(const std::string& text, bool valid) {
  for (std::size_t a = 0; a <= text.size(); ++a) {
    for (std::size_t b = a; b <= text.size(); ++b) {
      Utf8Checker checker;
      checker.Feed(std::string_view(text).substr(0, a));
      checker.Feed(std::string_view(text).substr(a, b - a));
      checker.Feed(std::string_view(text).substr(b));
      EXPECT_EQ(checker.Valid(), valid) << "cut at " << a << " and " << b;
    }
  }
  Utf8Checker bytewise;
  for (const char c : text) bytewise.Feed(std::string_view(&c, 1));
  EXPECT_EQ(bytewise.Valid(), valid);
}

TEST(Utf8Checker, FindsTheSameWhereverThePiecesAreCut) {
  ExpectEveryCutGives("Miljøarbeider: æ € 𝄞 slutt", true);
  ExpectEveryCutGives("", true);
  ExpectEveryCutGives(
      "Sv\xE6"
      "rt lite",
      false);                                  // Windows-1252 «æ»
  ExpectEveryCutGives("abc\xC3", false);       // a character cut off at the end
  ExpectEveryCutGives("a\xE2\x82z", false);    // a character broken in the middle
  ExpectEveryCutGives("\xC0\xAF", false);      // an overlong «/»
  ExpectEveryCutGives("\xED\xA0\x80", false);  // a surrogate
  ExpectEveryCutGives(
      "\x80"
      "abc",
      false);  // a lone continuation byte
}

}  // namespace
}  // namespace samkart::io
