#include "samkart/io/csv_reader.h"

#include <gtest/gtest.h>

namespace samkart::io {
namespace {

std::vector<CsvRecord> ReadAll(std::string_view text, std::string* error = nullptr,
                               CsvOptions options = {}) {
  CsvReader reader(text, options);
  std::vector<CsvRecord> records;
  CsvRecord record;
  while (reader.Next(record)) records.push_back(record);
  if (error != nullptr) *error = reader.error();
  return records;
}

TEST(CsvReader, SplitsPlainFieldsAndKeepsEmptyOnes) {
  const auto records = ReadAll("a,b,c\n1,,3\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"1", "", "3"}));
  EXPECT_EQ(records[1].line, 2u);
}

TEST(CsvReader, QuotedFieldsKeepSeparatorsQuotesAndNewlines) {
  const auto records =
      ReadAll("x,y\n\"a,b\",\"he said \"\"hi\"\"\"\n\"line1\nline2\",z\nlast,row\n");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[1].fields[0], "a,b");
  EXPECT_EQ(records[1].fields[1], "he said \"hi\"");
  EXPECT_EQ(records[2].fields[0], "line1\nline2");
  EXPECT_EQ(records[2].line, 3u);
  // The record after a quoted newline starts one line further down.
  EXPECT_EQ(records[3].line, 5u);
}

TEST(CsvReader, HandlesCrlfBomAndMissingFinalNewline) {
  const auto records = ReadAll("\xEF\xBB\xBFh1;h2\r\nv1;v2", nullptr, CsvOptions{';'});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fields[0], "h1");
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"v1", "v2"}));
}

TEST(CsvReader, SkipsBlankLinesButCountsThem) {
  const auto records = ReadAll("a\n\n\nb\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].line, 4u);
}

TEST(CsvReader, UnterminatedQuoteIsAnErrorNamingTheLine) {
  std::string error;
  ReadAll("a,b\n1,2\n\"open,3\n4,5\n", &error);
  EXPECT_EQ(error, "linje 3: anførselstegnet som åpner feltet, lukkes aldri");
}

TEST(CsvReader, TextAfterClosingQuoteIsAnError) {
  std::string error;
  ReadAll("\"abc\"x,1\n", &error);
  EXPECT_NE(error.find("linje 1"), std::string::npos);
  EXPECT_NE(error.find("etter et avsluttende anførselstegn"), std::string::npos);
}

TEST(CsvReader, QuoteInsideUnquotedFieldIsAnError) {
  std::string error;
  ReadAll("ab\"c\n", &error);
  EXPECT_NE(error.find("midt i et felt"), std::string::npos);
}

TEST(CsvReader, RefusesFieldsAndRowsAboveTheLimits) {
  std::string error;
  CsvOptions small;
  small.max_field_bytes = 8;
  ReadAll("short,0123456789\n", &error, small);
  EXPECT_NE(error.find("større enn 8 byte"), std::string::npos);

  CsvOptions narrow;
  narrow.max_columns = 3;
  ReadAll("a,b,c,d\n", &error, narrow);
  EXPECT_NE(error.find("mer enn 3 kolonner"), std::string::npos);
}

TEST(ParseCsv, EmptyInputHasNoHeader) {
  const auto table = ParseCsv("");
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.error().message.find("tom"), std::string::npos);
}

TEST(ParseCsv, SeparatesHeaderFromRows) {
  const auto table = ParseCsv("k,v\n1,2\n3,4\n");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->header, (std::vector<std::string>{"k", "v"}));
  ASSERT_EQ(table->rows.size(), 2u);
  EXPECT_EQ(table->rows[1].fields[0], "3");
}

}  // namespace
}  // namespace samkart::io
