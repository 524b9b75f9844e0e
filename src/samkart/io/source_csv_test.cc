#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "samkart/io/source_reader.h"

namespace samkart::io {
namespace {

struct Read {
  std::vector<std::string> names;
  std::vector<SourceRow> rows;
  std::string details;
  std::string error;  // from Open or from Next
};

Read ReadCsv(std::string bytes, SourceOptions options = {}) {
  Read out;
  auto opened = OpenSource(std::move(bytes), SourceFormat::kCsv, "test.csv", options);
  if (!opened.ok()) {
    out.error = opened.error().message;
    return out;
  }
  auto& reader = *opened.value();
  for (const auto& c : reader.columns()) out.names.push_back(c.name);
  out.details = reader.info().details;
  SourceRow row;
  while (reader.Next(row)) out.rows.push_back(row);
  out.error = reader.error();
  if (out.error.empty()) {
    EXPECT_DOUBLE_EQ(reader.progress(), 1.0);
  }
  return out;
}

TEST(CsvSource, ReadsUtf8WithBomAndCommas) {
  const Read r =
      ReadCsv("\xEF\xBB\xBFkommune, tjeneste \r\n9001,Barnehage\r\n9002,\"Kultur, fritid\"\r\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.names, (std::vector<std::string>{"kommune", "tjeneste"}));
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[1].text[1], "Kultur, fritid");
  EXPECT_EQ(r.rows[1].number, 3u);
  EXPECT_FALSE(r.rows[0].numbers[0].has_value());
  EXPECT_EQ(r.details, "UTF-8 med BOM, komma");
}

TEST(CsvSource, DetectsWindows1252AndSemicolons) {
  // «Miljøarbeider» and «Hverken/eller» as Norwegian Excel saves them.
  const Read r = ReadCsv(
      "stilling;svar\nMilj\xF8"
      "arbeider;I sv\xE6rt stor grad\n");
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].text[0], "Miljøarbeider");
  EXPECT_EQ(r.rows[0].text[1], "I svært stor grad");
  EXPECT_NE(r.details.find("Windows-1252"), std::string::npos);
  EXPECT_NE(r.details.find("semikolon"), std::string::npos);
}

TEST(CsvSource, ReadsTabsAndEmbeddedNewlinesAndPadsShortRows) {
  const Read r = ReadCsv("a\tb\tc\n1\t\"to\nlinjer\"\n3\t4\t5\n");
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].text[1], "to\nlinjer");
  EXPECT_EQ(r.rows[0].text[2], "");
  EXPECT_EQ(r.rows[1].number, 4u);  // the quoted newline moved it one line down
}

TEST(CsvSource, ExcelTrailingSeparatorIsNotAColumn) {
  const Read r = ReadCsv("a;b;\n1;2;\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.names.size(), 2u);
  EXPECT_EQ(r.rows.at(0).text.size(), 2u);
}

TEST(CsvSource, RefusesEmptyFilesAndDuplicatedColumns) {
  EXPECT_NE(ReadCsv("").error.find("filen er tom"), std::string::npos);
  EXPECT_NE(ReadCsv("\n\r\n  \n").error.find("filen er tom"), std::string::npos);
  const Read dup = ReadCsv("aar,kommune,aar\n1,2,3\n");
  EXPECT_NE(dup.error.find("«aar» forekommer mer enn én gang (kolonne 3)"), std::string::npos)
      << dup.error;
  EXPECT_NE(ReadCsv("a,,b\n").error.find("kolonne 2 har ikke noe navn"), std::string::npos);
}

TEST(CsvSource, HeaderOnlyGivesNoRows) {
  const Read r = ReadCsv("a,b\n");
  EXPECT_EQ(r.error, "");
  EXPECT_TRUE(r.rows.empty());
}

TEST(CsvSource, RowWiderThanTheHeaderNamesLineAndValue) {
  const Read r = ReadCsv("a,b\n1,2\n3,4,ekstra\n");
  EXPECT_EQ(r.rows.size(), 1u);
  EXPECT_NE(r.error.find("test.csv: linje 3: 3 felt"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("«ekstra»"), std::string::npos) << r.error;
}

TEST(CsvSource, RefusesAnOversizedCellNamingTheLine) {
  std::string big = "a,b\n1,2\n3," + std::string(kSourceMaxCellBytes + 1, 'x') + "\n";
  const Read r = ReadCsv(big);
  EXPECT_EQ(r.rows.size(), 1u);
  EXPECT_NE(r.error.find("test.csv: linje 3"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("større enn"), std::string::npos) << r.error;
}

TEST(CsvSource, WrongEncodingsAreNamed) {
  const Read utf16 =
      ReadCsv(std::string("\xFF\xFE"
                          "a\0,\0b\0",
                          8));
  EXPECT_NE(utf16.error.find("UTF-16"), std::string::npos) << utf16.error;
  // 0x81 is no character in Windows-1252.
  const Read unknown = ReadCsv("a,b\n1,x\x81y\n");
  EXPECT_NE(unknown.error.find("linje 2, kolonne «b»: byten 0x81"), std::string::npos)
      << unknown.error;
  SourceOptions utf8;
  utf8.encoding = SourceEncoding::kUtf8;
  const Read forced = ReadCsv("a,b\n1,Milj\xF8\n", utf8);
  EXPECT_NE(forced.error.find("linje 2, kolonne «b»: verdien er ikke gyldig UTF-8"),
            std::string::npos)
      << forced.error;
}

TEST(CsvSource, UnclosedQuoteIsAnError) {
  const Read r = ReadCsv("a,b\n1,\"aldri lukket\n");
  EXPECT_NE(r.error.find("test.csv: linje 2"), std::string::npos) << r.error;
}

TEST(SourceFormat, DetectedFromSignatureThenExtension) {
  EXPECT_EQ(DetectSourceFormat("PK\x03\x04rest", "x.csv"), SourceFormat::kXlsx);
  EXPECT_EQ(DetectSourceFormat("$FL2@(#)", "x.csv"), SourceFormat::kSav);
  EXPECT_EQ(DetectSourceFormat("$FL3@(#)", "x"), SourceFormat::kSav);
  EXPECT_EQ(DetectSourceFormat("<stata_dta><header>", "x"), SourceFormat::kDta);
  EXPECT_EQ(DetectSourceFormat("a,b", "X.DTA"), SourceFormat::kDta);
  EXPECT_EQ(DetectSourceFormat("a,b", "eksport.txt"), SourceFormat::kCsv);
}

}  // namespace
}  // namespace samkart::io
