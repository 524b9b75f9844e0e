#include "samkart/synth/exporter.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "samkart/instrument/loader.h"
#include "samkart/io/csv_reader.h"

#include "support/scratch_dir.h"

namespace samkart::synth {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) { return testing_support::ReadWholeFile(path); }

class ExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = instrument::LoadEmbeddedInstrument();
    ASSERT_TRUE(loaded.ok());
    instrument_ = std::move(*loaded.instrument);
    auto parameters = LoadParameters(EmbeddedSynthFiles());
    ASSERT_TRUE(parameters.ok());
    parameters_ = std::move(parameters.value());
  }

  ExportSummary Write(const fs::path& dir, uint64_t seed, double scale) {
    auto data = Generate(instrument_, parameters_, {seed, scale});
    EXPECT_TRUE(data.ok());
    auto summary = WriteSynthDataset(instrument_, parameters_, *data, dir.string(), seed);
    EXPECT_TRUE(summary.ok()) << summary.error().message;
    return summary.ok() ? summary.value() : ExportSummary{};
  }

  instrument::Instrument instrument_;
  Parameters parameters_;
  testing_support::ScratchDir scratch_;
  fs::path root_ = scratch_.path();
};

TEST_F(ExporterTest, SameSeedAndScaleGiveTheSameBytes) {
  Write(root_ / "a", 7, 0.05);
  Write(root_ / "b", 7, 0.05);
  std::size_t compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root_ / "a")) {
    if (!entry.is_regular_file()) continue;
    const fs::path other = root_ / "b" / fs::relative(entry.path(), root_ / "a");
    ASSERT_TRUE(fs::exists(other)) << other;
    EXPECT_EQ(Slurp(entry.path()), Slurp(other)) << entry.path();
    ++compared;
  }
  EXPECT_GT(compared, 90u);
  // A different seed gives different answers.
  Write(root_ / "c", 8, 0.05);
  EXPECT_NE(Slurp(root_ / "a/eksport/2019_9009_baseline.csv"),
            Slurp(root_ / "c/eksport/2019_9009_baseline.csv"));
}

TEST_F(ExporterTest, OneFilePerRoundInEveryFormatWithNoise) {
  const ExportSummary summary = Write(root_ / "d", 2022, 1.0);
  EXPECT_EQ(summary.baseline_respondents, 25909u);
  EXPECT_EQ(summary.files, 73u + 18u);
  for (const char* format : {"sav", "xlsx", "csv-utf8", "csv-cp1252"}) {
    EXPECT_GE(summary.files_by_format.count(format) ? summary.files_by_format.at(format) : 0, 5u)
        << format;
  }
  const auto manifest = io::ParseCsv(Slurp(root_ / "d/manifest.csv"));
  ASSERT_TRUE(manifest.ok());
  ASSERT_EQ(manifest->rows.size(), summary.files);
  std::set<std::string> generations;
  for (const auto& row : manifest->rows) {
    const std::string file = Slurp(root_ / "d" / row.fields[0]);
    const std::string& format = row.fields[6];
    generations.insert(row.fields[5]);
    if (format == "sav") {
      EXPECT_EQ(file.substr(0, 4), "$FL2") << row.fields[0];
    }
    if (format == "xlsx") {
      EXPECT_EQ(file.substr(0, 2), "PK") << row.fields[0];
    }
    if (format == "csv-cp1252") {
      // Semicolons, CRLF and Windows-1252: «ø» is one byte (0xF8), never UTF-8.
      EXPECT_NE(file.find(";"), std::string::npos);
      EXPECT_NE(file.find("\r\n"), std::string::npos);
      EXPECT_EQ(file.find("\xC3\xB8"), std::string::npos);
    }
    if (format == "csv-utf8") {
      // Identifier columns the importer must drop: e-mail on a reserved domain.
      EXPECT_NE(file.find("@example.org"), std::string::npos);
    }
  }
  EXPECT_EQ(generations, (std::set<std::string>{"G1", "G2", "G3", "G4", "G5"}));
  // Label exports spell categories inconsistently across files.
  std::set<std::string> spellings;
  for (const auto& row : manifest->rows) {
    if (row.fields[6] != "csv-utf8") continue;
    const std::string file = Slurp(root_ / "d" / row.fields[0]);
    for (const char* variant : {"I ganske stor grad", "i ganske stor grad", "I GANSKE STOR GRAD",
                                "I  ganske stor grad "}) {
      if (file.find(variant) != std::string::npos) spellings.insert(variant);
    }
  }
  EXPECT_GE(spellings.size(), 3u);
  for (const char* extra : {"kommuner.csv", "inviterte.csv", "kalibrering.csv"}) {
    EXPECT_TRUE(fs::exists(root_ / "d" / extra)) << extra;
  }
  // The parameter files that made the data, unchanged.
  ASSERT_FALSE(parameters_.files.empty());
  for (const io::TextFile& file : parameters_.files) {
    const fs::path copy = root_ / "d/parametere" / file.path;
    ASSERT_TRUE(fs::exists(copy)) << copy;
    EXPECT_EQ(Slurp(copy), file.content) << copy;
  }
  const std::string targets = Slurp(root_ / "d/kalibrering.csv");
  EXPECT_NE(targets.find("004 Tabell 3.1"), std::string::npos);
  EXPECT_NE(targets.find("004 Figur 3.1"), std::string::npos);
  EXPECT_NE(targets.find("§5.3.1"), std::string::npos);
}

}  // namespace
}  // namespace samkart::synth
