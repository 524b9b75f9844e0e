#include "samkart/analysis/protection_cache.h"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "support/scratch_dir.h"

namespace samkart::analysis {
namespace {

namespace fs = std::filesystem;

// A 3 × 3 table with its margins: cells 0..8 the inner cells by row, 9..11
// the rows, 12..14 the columns, 15 the total. Cell 0 is small.
LinkedCells ThreeByThree() {
  const std::vector<double> inner = {4, 30, 40, 25, 35, 45, 50, 20, 60};
  LinkedCells cells;
  cells.cells = 16;
  std::vector<double> v = inner;
  for (int r = 0; r < 3; ++r) v.push_back(inner[3 * r] + inner[3 * r + 1] + inner[3 * r + 2]);
  for (int c = 0; c < 3; ++c) v.push_back(inner[c] + inner[3 + c] + inner[6 + c]);
  v.push_back(v[9] + v[10] + v[11]);
  cells.values = {v};
  cells.sums = {{9, {0, 1, 2}},  {10, {3, 4, 5}}, {11, {6, 7, 8}},   {12, {0, 3, 6}},
                {13, {1, 4, 7}}, {14, {2, 5, 8}}, {15, {9, 10, 11}}, {15, {12, 13, 14}}};
  return cells;
}

// Points the cache at a folder for one test and back afterwards.
class CacheDir {
 public:
  explicit CacheDir(const fs::path& dir) {
    if (const char* old = std::getenv("SAMKART_CACHE_DIR")) old_ = old;
    ::setenv("SAMKART_CACHE_DIR", dir.c_str(), 1);
  }
  ~CacheDir() {
    if (old_) {
      ::setenv("SAMKART_CACHE_DIR", old_->c_str(), 1);
    } else {
      ::unsetenv("SAMKART_CACHE_DIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

std::vector<fs::path> CacheFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::exists(dir / "vern")) return files;
  for (const auto& entry : fs::directory_iterator(dir / "vern")) files.push_back(entry.path());
  return files;
}

std::string Bits(const std::vector<bool>& hidden) {
  std::string s;
  for (const bool h : hidden) s += h ? '1' : '0';
  return s;
}

class ProtectionCacheTest : public ::testing::Test {
 protected:
  ProtectionCacheTest() : cache_(scratch_.path()) {
    primary_.assign(cells_.cells, false);
    primary_[0] = true;
    sensitivity_ = {primary_, {10}};
    expected_ = primary_;
    ProtectLinkedCells(cells_, sensitivity_, expected_);
  }

  testing_support::ScratchDir scratch_;
  CacheDir cache_;
  LinkedCells cells_ = ThreeByThree();
  std::vector<bool> primary_;
  Sensitivity sensitivity_;
  std::vector<bool> expected_;
};

TEST_F(ProtectionCacheTest, StoresWhatProtectionGivesAndReadsItBack) {
  EXPECT_EQ(CachedProtection(cells_, sensitivity_, primary_), expected_);
  const auto files = CacheFiles(scratch_.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(testing_support::ReadWholeFile(files[0]), Bits(expected_));
  // A stored pattern that hides more and breaks no sum is what a later run
  // reads, so the file is really used.
  std::vector<bool> more = expected_;
  for (std::size_t c = 0; c < 9; ++c) more[c] = true;
  std::ofstream(files[0], std::ios::trunc) << Bits(more);
  EXPECT_EQ(CachedProtection(cells_, sensitivity_, primary_), more);
}

TEST_F(ProtectionCacheTest, AFileThatShowsAPrimaryCellOrBreaksASumIsIgnored) {
  ASSERT_EQ(CachedProtection(cells_, sensitivity_, primary_), expected_);
  const fs::path file = CacheFiles(scratch_.path()).at(0);
  std::vector<bool> shown = expected_;
  shown[0] = false;  // the small cell shown
  std::ofstream(file, std::ios::trunc) << Bits(shown);
  EXPECT_EQ(CachedProtection(cells_, sensitivity_, primary_), expected_);
  std::vector<bool> alone(cells_.cells, false);
  alone[0] = true;  // hidden alone in its row and column
  std::ofstream(file, std::ios::trunc) << Bits(alone);
  EXPECT_EQ(CachedProtection(cells_, sensitivity_, primary_), expected_);
  std::ofstream(file, std::ios::trunc) << "1";  // the wrong length
  EXPECT_EQ(CachedProtection(cells_, sensitivity_, primary_), expected_);
}

TEST_F(ProtectionCacheTest, OtherNumbersAreAnotherFile) {
  CachedProtection(cells_, sensitivity_, primary_);
  LinkedCells other = ThreeByThree();
  other.values[0][1] += 1;
  other.values[0][9] += 1;
  other.values[0][13] += 1;
  other.values[0][15] += 1;
  CachedProtection(other, sensitivity_, primary_);
  EXPECT_EQ(CacheFiles(scratch_.path()).size(), 2u);
}

TEST(ProtectionCacheDir, ADashTurnsTheCacheOff) {
  CacheDir off("-");
  EXPECT_FALSE(ProtectionCacheDir().has_value());
}

}  // namespace
}  // namespace samkart::analysis
