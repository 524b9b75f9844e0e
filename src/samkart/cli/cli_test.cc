// Runs the real samkart binary as a user would and checks output and exit codes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "support/run_samkart.h"
#include "support/scratch_dir.h"

namespace {

namespace fs = std::filesystem;
namespace testing_support = samkart::testing_support;

using testing_support::CommandRun;
using testing_support::ReadWholeFile;
using testing_support::Samkart;

class CliTest : public ::testing::Test {
 protected:
  testing_support::ScratchDir scratch_;
  fs::path dir_ = scratch_.path();
};

TEST_F(CliTest, HelpListsCommandsInNorwegian) {
  const CommandRun run = Samkart("--help");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("Kommandoer:"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("instrument"), std::string::npos);
}

TEST_F(CliTest, UnknownCommandFails) {
  const CommandRun run = Samkart("frobnicate");
  EXPECT_NE(run.exit_code, 0);
}

TEST_F(CliTest, CheckAcceptsTheShippedInstrumentFolder) {
  const CommandRun run =
      Samkart(std::string("instrument check ") + SAMKART_SOURCE_DIR + "/data/instrument");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("Instrumentet er i orden"), std::string::npos) << run.output;
}

TEST_F(CliTest, CheckNamesFileAndLineOfABrokenInstrument) {
  const fs::path copy = dir_ / "instrument";
  fs::copy(fs::path(SAMKART_SOURCE_DIR) / "data/instrument", copy, fs::copy_options::recursive);
  std::ofstream(copy / "scales.csv", std::ios::app) << "grad,4,Dobbel kode,answer\n";
  const std::size_t line = [&] {
    std::ifstream in(copy / "scales.csv");
    std::size_t n = 0;
    std::string l;
    while (std::getline(in, l)) ++n;
    return n;
  }();
  const CommandRun run = Samkart("instrument check " + copy.string());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find((copy / "scales.csv").string() + ":" + std::to_string(line) + ":"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("1 feil i instrumentet."), std::string::npos) << run.output;
}

TEST_F(CliTest, GlobalInstrumentOptionIsUsedByShow) {
  const fs::path copy = dir_ / "instrument";
  fs::copy(fs::path(SAMKART_SOURCE_DIR) / "data/instrument", copy, fs::copy_options::recursive);
  fs::remove(copy / "items.csv");
  const CommandRun run = Samkart("--instrument " + copy.string() + " instrument show");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("items.csv: filen mangler"), std::string::npos) << run.output;
}

TEST_F(CliTest, ShowOneFamilyAndRefuseAnUnknownOne) {
  CommandRun run = Samkart("instrument show --family concern_experienced");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("Ja, jeg har opplevd både alvorlig og mindre alvorlig bekymring"),
            std::string::npos);
  run = Samkart("instrument show --family no_such_family");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("ukjent spørsmålsfamilie «no_such_family»"), std::string::npos)
      << run.output;
}

TEST_F(CliTest, DocsWritesMarkdownAndHtml) {
  const CommandRun run = Samkart("instrument docs --out " + (dir_ / "kodebok").string());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  const std::string md = ReadWholeFile(dir_ / "kodebok/kodebok.md");
  const std::string html = ReadWholeFile(dir_ / "kodebok/kodebok.html");
  EXPECT_NE(md.find("# Kodebok for BTI/BTS-kartleggingen"), std::string::npos);
  EXPECT_NE(html.find("<h2 id=\"s1\">Oversikt</h2>"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "kodebok/kodebok.md.tmp"));
}

TEST_F(CliTest, DocsWithoutCrosswalksIsAHandout) {
  const CommandRun run =
      Samkart("instrument docs --no-crosswalks --format md --out " + (dir_ / "kort").string());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  const std::string md = ReadWholeFile(dir_ / "kort/kodebok.md");
  EXPECT_NE(md.find("## Bakgrunnsvariabler"), std::string::npos);
  EXPECT_EQ(md.find("Nøkkel for"), std::string::npos);
}

TEST_F(CliTest, DocsRefusesAnUnknownFormat) {
  const CommandRun run = Samkart("instrument docs --format pdf --out " + dir_.string());
  EXPECT_NE(run.exit_code, 0);
}

}  // namespace
