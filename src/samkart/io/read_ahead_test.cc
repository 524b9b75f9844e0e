#include "samkart/io/read_ahead.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace samkart::io {
namespace {

// A CSV export of `rows` rows (several blocks of the read-ahead), each row
// telling its own number; `bad_row` gets an unclosed quote.
std::string Export(int rows, int bad_row = -1) {
  std::string csv = "nummer,tekst\n";
  for (int i = 1; i <= rows; ++i) {
    csv +=
        std::to_string(i) + (i == bad_row ? ",\"uavsluttet\n" : ",rad " + std::to_string(i) + "\n");
  }
  return csv;
}

std::vector<std::vector<std::string>> Drain(SourceReader& reader, std::string& error) {
  std::vector<std::vector<std::string>> rows;
  SourceRow row;
  while (reader.Next(row)) rows.push_back(row.text);
  error = reader.error();
  return rows;
}

std::unique_ptr<SourceReader> Open(const std::string& csv) {
  auto opened = OpenSource(csv, SourceFormat::kCsv, "test.csv");
  EXPECT_TRUE(opened.ok()) << opened.error().message;
  return std::move(opened.value());
}

TEST(ReadAhead, GivesTheSameRowsInTheSameOrderAsTheReaderItRuns) {
  const std::string csv = Export(5000);
  std::string direct_error, ahead_error;
  const auto direct = Drain(*Open(csv), direct_error);
  auto ahead = ReadAhead(Open(csv));
  EXPECT_EQ(ahead->columns().size(), 2u);
  const auto read = Drain(*ahead, ahead_error);
  ASSERT_EQ(read.size(), 5000u);
  EXPECT_EQ(read, direct);
  EXPECT_EQ(read[4999][1], "rad 5000");
  EXPECT_TRUE(ahead_error.empty());
  EXPECT_DOUBLE_EQ(ahead->progress(), 1.0);
  // Past the end it stays at the end.
  SourceRow row;
  EXPECT_FALSE(ahead->Next(row));
}

TEST(ReadAhead, PassesOnTheErrorAfterTheRowsBeforeIt) {
  const std::string csv = Export(3000, 2100);
  std::string direct_error, ahead_error;
  const auto direct = Drain(*Open(csv), direct_error);
  const auto read = Drain(*ReadAhead(Open(csv)), ahead_error);
  ASSERT_FALSE(direct_error.empty());
  EXPECT_EQ(ahead_error, direct_error);
  EXPECT_EQ(read, direct);
  EXPECT_EQ(read.size(), 2099u);
}

TEST(ReadAhead, StopsItsThreadWhenTheCallerGivesUpEarly) {
  auto ahead = ReadAhead(Open(Export(20000)));
  SourceRow row;
  ASSERT_TRUE(ahead->Next(row));
  EXPECT_EQ(row.text[0], "1");
  ahead.reset();  // must return, not wait for the remaining rows to be taken
}

TEST(ReadAhead, AnEmptyExportEndsAtOnce) {
  auto ahead = ReadAhead(Open("nummer,tekst\n"));
  SourceRow row;
  EXPECT_FALSE(ahead->Next(row));
  EXPECT_TRUE(ahead->error().empty());
}

}  // namespace
}  // namespace samkart::io
