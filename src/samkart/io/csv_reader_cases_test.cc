// Runs the parser cases of testdata/csv_reader_cases.test through CsvReader;
// the same inputs seed the csv_reader fuzzer (scripts/fuzz.sh). The format is
// described at the top of that file.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "samkart/io/csv_reader.h"

#include "support/case_file.h"

namespace samkart::io {
namespace {

using testing_support::CaseLine;
using testing_support::TableCase;

constexpr const char* kTable = SAMKART_SOURCE_DIR "/src/samkart/io/testdata/csv_reader_cases.test";

std::vector<TableCase> Cases() {
  auto table = testing_support::ReadCaseTable(kTable);
  if (!table.error.empty()) {
    // One failing case that says why, rather than silently running none.
    return {TableCase{"TableCanBeRead", 0, {CaseLine{0, "unreadable", table.error}}}};
  }
  return std::move(table.cases);
}

bool IsNumber(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

class CsvReaderCases : public ::testing::TestWithParam<TableCase> {};

TEST_P(CsvReaderCases, ReadsAsTheTableSays) {
  const TableCase& test_case = GetParam();
  CsvOptions options;
  std::string input;
  std::vector<CsvRecord> expected;
  std::vector<std::string> errors;

  for (const CaseLine& l : test_case.lines) {
    SCOPED_TRACE(std::string(kTable) + ":" + std::to_string(l.number));
    if (l.keyword == "unreadable") FAIL() << l.rest;
    if (l.keyword == "record") {
      const auto space = l.rest.find(' ');
      ASSERT_NE(space, std::string::npos) << "expected «record N FIELDS»";
      CsvRecord record;
      ASSERT_TRUE(IsNumber(l.rest.substr(0, space))) << "bad line number";
      record.line = std::stoul(l.rest.substr(0, space));
      auto fields = testing_support::SplitCells(l.rest.substr(space + 1));
      ASSERT_TRUE(fields.has_value()) << "bad escape in «" << l.rest << "»";
      record.fields = std::move(*fields);
      expected.push_back(std::move(record));
      continue;
    }
    const auto text = testing_support::Unescape(l.rest);
    ASSERT_TRUE(text.has_value()) << "bad escape in «" << l.rest << "»";
    if (l.keyword == "input") {
      input += *text;
    } else if (l.keyword == "delimiter") {
      if (*text == "comma") {
        options.delimiter = ',';
      } else if (*text == "semicolon") {
        options.delimiter = ';';
      } else if (*text == "tab") {
        options.delimiter = '\t';
      } else {
        FAIL() << "unknown delimiter «" << *text << "»";
      }
    } else if (l.keyword == "max-field-bytes" || l.keyword == "max-columns") {
      ASSERT_TRUE(IsNumber(*text)) << "bad limit «" << *text << "»";
      (l.keyword == "max-columns" ? options.max_columns : options.max_field_bytes) =
          std::stoul(*text);
    } else if (l.keyword == "error") {
      ASSERT_FALSE(text->empty()) << "«error» needs a text";
      errors.push_back(*text);
    } else {
      FAIL() << "unknown directive «" << l.keyword << "»";
    }
  }

  CsvReader reader(input, options);
  std::vector<CsvRecord> read;
  CsvRecord record;
  while (reader.Next(record)) read.push_back(record);
  const std::string error = reader.error();

  if (errors.empty()) {
    EXPECT_EQ(error, "");
  }
  for (const auto& e : errors) {
    EXPECT_TRUE(testing_support::TextMatches(error, e))
        << "expected «" << e << "» in «" << error << "»";
  }
  ASSERT_EQ(read.size(), expected.size()) << error;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i + 1));
    EXPECT_EQ(read[i].line, expected[i].line);
    EXPECT_EQ(read[i].fields, expected[i].fields);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, CsvReaderCases, ::testing::ValuesIn(Cases()),
                         testing_support::CaseName);

}  // namespace
}  // namespace samkart::io
