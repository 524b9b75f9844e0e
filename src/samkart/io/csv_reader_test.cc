// ParseCsv on top of the reader; the reader's own cases are in
// testdata/csv_reader_cases.test (csv_reader_cases_test.cc).
#include "samkart/io/csv_reader.h"

#include <gtest/gtest.h>

namespace samkart::io {
namespace {

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
