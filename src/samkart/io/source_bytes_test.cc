#include "samkart/io/source_bytes.h"

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "samkart/core/sha256.h"

#include "support/scratch_dir.h"

namespace samkart::io {
namespace {

std::string WriteFile(const testing_support::ScratchDir& dir, const std::string& name,
                      const std::string& content) {
  const std::string path = (dir.path() / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(SourceBytes, AMappedFileReadsAsItsBytesAfterPagesAreReleased) {
  testing_support::ScratchDir dir;
  std::string content;
  for (int i = 0; content.size() < (20u << 20); ++i) content += "rad " + std::to_string(i) + "\n";
  const std::string path = WriteFile(dir, "stor.csv", content);
  auto mapped = SourceBytes::MapFile(path, 1u << 30);
  ASSERT_TRUE(mapped.ok()) << mapped.error().message;
  ASSERT_EQ(mapped->view().size(), content.size());
  mapped.value().ReleaseBefore(content.size());
  // Released pages come back from the file when read again.
  EXPECT_TRUE(mapped->view() == content);
  EXPECT_EQ(std::move(mapped.value()).TakeString(), content);
}

TEST(SourceBytes, RefusesAMissingOrOversizedFileAndMapsAnEmptyOne) {
  testing_support::ScratchDir dir;
  auto missing = SourceBytes::MapFile((dir.path() / "finnes-ikke.csv").string(), 100);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto large = SourceBytes::MapFile(WriteFile(dir, "stor.csv", std::string(101, 'x')), 100);
  ASSERT_FALSE(large.ok());
  EXPECT_NE(large.error().message.find("grensen er 100 byte"), std::string::npos);
  auto empty = SourceBytes::MapFile(WriteFile(dir, "tom.csv", ""), 100);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->view().empty());
}

TEST(ScanFile, HashesTheFileAndFindsWhetherItIsUtf8AcrossReadBoundaries) {
  testing_support::ScratchDir dir;
  // «ø» (two bytes) placed across every read boundary the scan may use.
  std::string utf8;
  while (utf8.size() < (3u << 20)) utf8 += "Miljøarbeider;";
  const auto scanned = ScanFile(WriteFile(dir, "utf8.csv", utf8));
  ASSERT_TRUE(scanned.ok()) << scanned.error().message;
  EXPECT_EQ(scanned->sha256, Sha256Hex(utf8));
  EXPECT_EQ(scanned->bytes, utf8.size());
  EXPECT_TRUE(scanned->valid_utf8);
  for (std::size_t shift = 0; shift < 4; ++shift) {
    std::string split = std::string((1u << 20) - 1 - shift, 'a') + "ø€𝄞" + "slutt";
    const auto result = ScanFile(WriteFile(dir, "split.csv", split));
    ASSERT_TRUE(result.ok());
    EXPECT_TRUE(result->valid_utf8) << shift;
  }
  std::string windows = utf8 + "Sv\xE6rt lite\n";
  const auto latin = ScanFile(WriteFile(dir, "windows.csv", windows));
  ASSERT_TRUE(latin.ok());
  EXPECT_FALSE(latin->valid_utf8);
  EXPECT_EQ(latin->sha256, Sha256Hex(windows));
  // A character cut off by the end of the file is not UTF-8.
  const auto cut = ScanFile(WriteFile(dir, "cut.csv", "abc\xC3"));
  ASSERT_TRUE(cut.ok());
  EXPECT_FALSE(cut->valid_utf8);
}

}  // namespace
}  // namespace samkart::io
