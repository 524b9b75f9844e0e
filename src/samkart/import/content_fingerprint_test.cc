// The content fingerprint: the same respondents give the same fingerprint
// in any order, and any difference in what they answered gives another.
#include "samkart/import/content_fingerprint.h"

#include <gtest/gtest.h>

namespace samkart::import {
namespace {

harmonise::HarmonisedRow Row(int municipality, int year, int service, int position,
                             std::vector<uint8_t> answers, std::size_t source_row = 0) {
  return {source_row, municipality, year, service, position, std::move(answers)};
}

std::vector<harmonise::HarmonisedRow> ThreeRows() {
  return {Row(9001, 2021, 1, 4, {4, 3, 254}, 2), Row(9001, 2021, 2, 1, {1, 255, 5}, 3),
          Row(9001, 2021, 1, 4, {2, 3, 3}, 4)};
}

TEST(ContentFingerprintTest, TheOrderOfTheRowsAndTheirLineNumbersDoNotCount) {
  auto rows = ThreeRows();
  const std::string fingerprint = ContentFingerprint(rows);
  EXPECT_EQ(fingerprint.size(), 64u);
  std::swap(rows[0], rows[2]);
  for (auto& r : rows) r.source_row += 10;
  EXPECT_EQ(ContentFingerprint(rows), fingerprint);
}

TEST(ContentFingerprintTest, EveryPartOfARowCounts) {
  const std::string fingerprint = ContentFingerprint(ThreeRows());
  for (int part = 0; part < 5; ++part) {
    auto rows = ThreeRows();
    auto& r = rows[1];
    switch (part) {
      case 0:
        r.municipality = 9002;
        break;
      case 1:
        r.year = 2023;
        break;
      case 2:
        r.service = 3;
        break;
      case 3:
        r.position = 2;
        break;
      case 4:
        r.answers[2] = 4;
        break;
    }
    EXPECT_NE(ContentFingerprint(rows), fingerprint) << "part " << part;
  }
}

TEST(ContentFingerprintTest, ARowGivenTwiceCountsTwice) {
  auto rows = ThreeRows();
  const std::string fingerprint = ContentFingerprint(rows);
  rows.push_back(rows[0]);
  EXPECT_NE(ContentFingerprint(rows), fingerprint);
  // Answers that run into the next field cannot make two rows look alike.
  EXPECT_NE(ContentFingerprint({Row(1, 2021, 1, 1, {1, 2})}),
            ContentFingerprint({Row(1, 2021, 1, 1, {1}), Row(1, 2021, 1, 1, {2})}));
}

}  // namespace
}  // namespace samkart::import
