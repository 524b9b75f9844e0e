// Cases that need more than bytes in and rows out; the rest of the CSV
// export cases are in testdata/csv_cases.test (source_csv_cases_test.cc).
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

TEST(CsvSource, RefusesAnOversizedCellNamingTheLine) {
  std::string big = "a,b\n1,2\n3," + std::string(kSourceMaxCellBytes + 1, 'x') + "\n";
  const Read r = ReadCsv(big);
  EXPECT_EQ(r.rows.size(), 1u);
  EXPECT_NE(r.error.find("test.csv: linje 3"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("større enn"), std::string::npos) << r.error;
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
