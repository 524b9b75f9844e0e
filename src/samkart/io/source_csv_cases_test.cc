// Runs the CSV export cases of testdata/csv_cases.test through OpenSource;
// the same inputs seed the csv_source fuzzer (scripts/fuzz.sh). The format is
// described at the top of that file.
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "samkart/io/source_reader.h"

#include "support/case_file.h"

namespace samkart::io {
namespace {

using testing_support::CaseLine;
using testing_support::TableCase;

constexpr const char* kTable = SAMKART_SOURCE_DIR "/src/samkart/io/testdata/csv_cases.test";

std::vector<TableCase> Cases() {
  auto table = testing_support::ReadCaseTable(kTable);
  if (!table.error.empty()) {
    // One failing case that says why, rather than silently running none.
    return {TableCase{"TableCanBeRead", 0, {CaseLine{0, "unreadable", table.error}}}};
  }
  return std::move(table.cases);
}

struct ExpectedRow {
  std::size_t number = 0;
  std::vector<std::string> cells;
};

class CsvCases : public ::testing::TestWithParam<TableCase> {};

TEST_P(CsvCases, ReadsAsTheTableSays) {
  const TableCase& test_case = GetParam();
  SourceOptions options;
  std::string input;
  std::optional<std::vector<std::string>> columns;
  std::optional<std::string> details;
  std::vector<ExpectedRow> rows;
  std::vector<std::string> errors;

  for (const CaseLine& l : test_case.lines) {
    SCOPED_TRACE(std::string(kTable) + ":" + std::to_string(l.number));
    if (l.keyword == "unreadable") FAIL() << l.rest;
    if (l.keyword == "columns" || l.keyword == "row") {
      std::string cells_text = l.rest;
      ExpectedRow row;
      if (l.keyword == "row") {
        const auto space = l.rest.find(' ');
        ASSERT_NE(space, std::string::npos) << "expected «row N CELLS»";
        const std::string number = l.rest.substr(0, space);
        ASSERT_TRUE(!number.empty() && number.find_first_not_of("0123456789") == std::string::npos)
            << "bad row number «" << number << "»";
        row.number = std::stoul(number);
        cells_text = l.rest.substr(space + 1);
      }
      auto cells = testing_support::SplitCells(cells_text);
      ASSERT_TRUE(cells.has_value()) << "bad escape in «" << cells_text << "»";
      if (l.keyword == "columns") {
        columns = *cells;
      } else {
        row.cells = *cells;
        rows.push_back(row);
      }
      continue;
    }
    const auto text = testing_support::Unescape(l.rest);
    ASSERT_TRUE(text.has_value()) << "bad escape in «" << l.rest << "»";
    if (l.keyword == "input") {
      input += *text;
    } else if (l.keyword == "encoding") {
      if (*text == "auto") {
        options.encoding = SourceEncoding::kAuto;
      } else if (*text == "utf8") {
        options.encoding = SourceEncoding::kUtf8;
      } else if (*text == "windows1252") {
        options.encoding = SourceEncoding::kWindows1252;
      } else {
        FAIL() << "unknown encoding «" << *text << "»";
      }
    } else if (l.keyword == "details") {
      details = *text;
    } else if (l.keyword == "error") {
      ASSERT_FALSE(text->empty()) << "«error» needs a text";
      errors.push_back(*text);
    } else {
      FAIL() << "unknown directive «" << l.keyword << "»";
    }
  }

  std::string error;
  std::vector<std::string> names;
  std::vector<SourceRow> read;
  auto opened = OpenSource(input, SourceFormat::kCsv, "test.csv", options);
  if (!opened.ok()) {
    error = opened.error().message;
    EXPECT_FALSE(columns.has_value()) << "the file did not open: " << error;
    EXPECT_FALSE(details.has_value()) << "the file did not open: " << error;
  } else {
    auto& reader = *opened.value();
    for (const auto& c : reader.columns()) names.push_back(c.name);
    if (columns) {
      EXPECT_EQ(names, *columns);
    }
    if (details) {
      EXPECT_EQ(reader.info().details, *details);
    }
    SourceRow row;
    while (reader.Next(row)) read.push_back(row);
    error = reader.error();
    if (error.empty()) {
      EXPECT_DOUBLE_EQ(reader.progress(), 1.0);
    }
  }

  if (errors.empty()) {
    EXPECT_EQ(error, "");
  }
  for (const auto& e : errors) {
    EXPECT_TRUE(testing_support::TextMatches(error, e))
        << "expected «" << e << "» in «" << error << "»";
  }
  ASSERT_EQ(read.size(), rows.size()) << error;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE("row " + std::to_string(i + 1));
    EXPECT_EQ(read[i].number, rows[i].number);
    EXPECT_EQ(read[i].text, rows[i].cells);
    // CSV has no stored numbers; every cell is text.
    ASSERT_EQ(read[i].numbers.size(), names.size());
    for (const auto& number : read[i].numbers) EXPECT_FALSE(number.has_value());
  }
}

INSTANTIATE_TEST_SUITE_P(Table, CsvCases, ::testing::ValuesIn(Cases()), testing_support::CaseName);

}  // namespace
}  // namespace samkart::io
