#include "samkart/analysis/linked_cells.h"

#include <gtest/gtest.h>

#include "samkart/analysis/audit.h"

namespace samkart::analysis {
namespace {

// A 2 × 2 table with its margins: cells 0..3 = (a1,b1) (a1,b2) (a2,b1)
// (a2,b2); 4, 5 the rows; 6, 7 the columns; 8 the total.
LinkedCells TwoByTwo(double a1b1, double a1b2, double a2b1, double a2b2) {
  LinkedCells cells;
  cells.cells = 9;
  cells.values = {{a1b1, a1b2, a2b1, a2b2, a1b1 + a1b2, a2b1 + a2b2, a1b1 + a2b1, a1b2 + a2b2,
                   a1b1 + a1b2 + a2b1 + a2b2}};
  cells.sums = {{4, {0, 1}}, {5, {2, 3}}, {6, {0, 2}}, {7, {1, 3}}, {8, {4, 5}}, {8, {6, 7}}};
  return cells;
}

TEST(Audit, ASingleHiddenCellIsPinnedByItsMargin) {
  const LinkedCells cells = TwoByTwo(4, 40, 30, 50);
  std::vector<bool> hidden(9, false);
  hidden[0] = true;
  Auditor auditor(cells, hidden);
  const FeasibleRange range = auditor.Range(0, 0);
  EXPECT_DOUBLE_EQ(range.low, 4);
  EXPECT_DOUBLE_EQ(range.high, 4);
  Sensitivity sensitivity{{true, false, false, false, false, false, false, false, false}, {10}};
  EXPECT_EQ(ExposedCells(cells, sensitivity, hidden).size(), 1u);
}

TEST(Audit, AHiddenRectangleLeavesTheSmallCellARangeThatReachesTheMinimum) {
  const LinkedCells cells = TwoByTwo(4, 40, 30, 50);
  std::vector<bool> hidden(9, false);
  for (const std::size_t c : {0, 1, 2, 3}) hidden[c] = true;
  Auditor auditor(cells, hidden);
  const FeasibleRange range = auditor.Range(0, 0);
  EXPECT_DOUBLE_EQ(range.low, 0);    // a1b2 takes all of row a1
  EXPECT_DOUBLE_EQ(range.high, 34);  // min(row a1 = 44, column b1 = 34)
  Sensitivity sensitivity{{true, false, false, false, false, false, false, false, false}, {10}};
  EXPECT_TRUE(ExposedCells(cells, sensitivity, hidden).empty());
}

TEST(Audit, AMarginThatCapsTheSmallCellBelowTheMinimumExposesIt) {
  // Column b1 holds 4 + 3: hiding the rectangle still proves a1b1 ≤ 7 < 10.
  const LinkedCells cells = TwoByTwo(4, 40, 3, 50);
  std::vector<bool> hidden(9, false);
  for (const std::size_t c : {0, 1, 2, 3}) hidden[c] = true;
  Sensitivity sensitivity{{true, false, true, false, false, false, false, false, false}, {10}};
  EXPECT_FALSE(ExposedCells(cells, sensitivity, hidden).empty());
  // Protection hides the column margin too (or more), until nothing is exposed.
  ProtectLinkedCells(cells, sensitivity, hidden);
  EXPECT_TRUE(ExposedCells(cells, sensitivity, hidden).empty());
}

TEST(LineRule, ALoneHiddenCellTakesTheSmallestVisiblePartner) {
  const LinkedCells cells = TwoByTwo(4, 40, 30, 50);
  std::vector<bool> hidden(9, false);
  hidden[0] = true;
  ApplyLineRule(cells, hidden);
  EXPECT_TRUE(hidden[1]);  // row a1: 40 beside the total
  EXPECT_TRUE(hidden[2]);  // column b1: 30
  EXPECT_TRUE(hidden[3]);  // then row a2 and column b2 each have one
  EXPECT_FALSE(hidden[8]);
}

TEST(LineRule, AHiddenCellAloneInItsLineHidesTheTotal) {
  // A row with one part: the part is the total.
  LinkedCells cells;
  cells.cells = 4;
  cells.values = {{5, 5, 60, 65}};
  cells.sums = {{1, {0}}, {3, {1, 2}}};
  std::vector<bool> hidden = {true, false, false, false};
  ApplyLineRule(cells, hidden);
  EXPECT_TRUE(hidden[1]);
  EXPECT_TRUE(hidden[2]);
}

TEST(Audit, ACountIsBoundedByItsDenominator) {
  // Layer 0: n; layer 1: count ≤ n. One hidden cell pinned in n by its
  // margin; its count is free between 0 and n only if the margins allow.
  LinkedCells cells;
  cells.cells = 3;
  cells.values = {{5, 20, 25}, {0, 10, 10}};
  cells.sums = {{2, {0, 1}}};
  cells.at_most = {{1, 0}};
  std::vector<bool> hidden = {true, true, false};
  Auditor auditor(cells, hidden);
  EXPECT_DOUBLE_EQ(auditor.Highest(0, 0), 25);
  EXPECT_DOUBLE_EQ(auditor.Highest(1, 0), 10);
  EXPECT_FALSE(auditor.Pinned(1, 0));
}

}  // namespace
}  // namespace samkart::analysis
