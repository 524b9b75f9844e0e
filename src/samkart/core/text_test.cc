#include "samkart/core/text.h"

#include <gtest/gtest.h>

namespace samkart::text {
namespace {

TEST(Text, FoldLabelIgnoresCaseSpacingAndNorwegianCapitals) {
  EXPECT_EQ(FoldLabel("  I Ganske   stor GRAD "), "i ganske stor grad");
  EXPECT_EQ(FoldLabel("ØKONOMI ÆRE Å"), "økonomi ære å");
  EXPECT_EQ(FoldLabel("I svært\tstor grad"), FoldLabel("i SVÆRT stor grad"));
}

TEST(Text, JoinListWritesANorwegianList) {
  EXPECT_EQ(JoinList({}), "");
  EXPECT_EQ(JoinList({"a"}), "a");
  EXPECT_EQ(JoinList({"a", "b"}), "a og b");
  EXPECT_EQ(JoinList({"«I ganske stor grad»", "«I svært stor grad»"}, "eller"),
            "«I ganske stor grad» eller «I svært stor grad»");
  EXPECT_EQ(JoinList({"a", "b", "c"}), "a, b og c");
}

TEST(Text, LowerFirstLeavesAbbreviationsAlone) {
  EXPECT_EQ(LowerFirst("Under 5 000 innbyggere"), "under 5 000 innbyggere");
  EXPECT_EQ(LowerFirst("Rutiner for samarbeid"), "rutiner for samarbeid");
  EXPECT_EQ(LowerFirst("Øvre grense"), "øvre grense");
  EXPECT_EQ(LowerFirst("Ærlig"), "ærlig");
  EXPECT_EQ(LowerFirst("PPT"), "PPT");
  EXPECT_EQ(LowerFirst("NAV-kontoret"), "NAV-kontoret");
  EXPECT_EQ(LowerFirst("ØKONOMI"), "ØKONOMI");
  EXPECT_EQ(LowerFirst("5 000–9 999 innbyggere"), "5 000–9 999 innbyggere");
  EXPECT_EQ(LowerFirst("A"), "A");
  EXPECT_EQ(LowerFirst(""), "");
}

TEST(Text, ParseIntAcceptsOnlyWholeNumbers) {
  EXPECT_EQ(ParseInt(" 42 "), 42);
  EXPECT_EQ(ParseInt("-3"), -3);
  EXPECT_FALSE(ParseInt("4a"));
  EXPECT_FALSE(ParseInt(""));
  EXPECT_FALSE(ParseInt("99999999999"));
}

TEST(Text, SplitKeepsEmptyParts) {
  EXPECT_EQ(Split("a||b", '|'), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(Split("", '|'), (std::vector<std::string>{""}));
}

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("blåbær"));
  EXPECT_FALSE(IsValidUtf8("bl\xE5"));        // Latin-1 å
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
}

TEST(Text, HtmlEscapeNeutralisesMarkup) {
  EXPECT_EQ(HtmlEscape("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
}

TEST(Text, EscapeControlsWritesWhatCannotBeShownAsEscapes) {
  EXPECT_EQ(EscapeControls("Ålesund – «ok»"), "Ålesund – «ok»");
  EXPECT_EQ(EscapeControls("a\tb\r\nc"), "a\\x09b\\x0D\\x0Ac");
  EXPECT_EQ(EscapeControls("C:\\x09"), "C:\\\\x09");  // a backslash cannot fake an escape
  EXPECT_EQ(EscapeControls("\xE2\x80\xAE"
                           "abc"),
            "\\u{202E}abc");
  EXPECT_EQ(EscapeControls(std::string("\xFF\0", 2)), "\\xFF\\x00");
}

}  // namespace
}  // namespace samkart::text

namespace samkart::text {
namespace {

TEST(UrlEncode, KeepsUnreservedAndEncodesEverythingElse) {
  EXPECT_EQ(UrlEncode("risk_identification-1.a~"), "risk_identification-1.a~");
  EXPECT_EQ(UrlEncode("/utforsk?a=1&b=æ"), "%2Futforsk%3Fa%3D1%26b%3D%C3%A6");
  EXPECT_EQ(UrlEncode("<script> \"'"), "%3Cscript%3E%20%22%27");
}

}  // namespace
}  // namespace samkart::text
