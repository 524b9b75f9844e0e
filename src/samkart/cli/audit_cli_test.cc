// `samkart audit` on the whole default publication: every canonical table
// of every family and of the respondent counts, in both round sets, for
// both audiences. Every channel publishes only canonical cells with their
// canonical pattern (Publication::Apply refuses anything else), so this is
// the audit of the national report, all municipality reports, the explorer
// and the CLI together.
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "samkart/instrument/loader.h"

#include "support/imported_store.h"
#include "support/run_samkart.h"

namespace samkart::cli {
namespace {

TEST(AuditCli, TheWholeDefaultPublicationHasNoExposedCell) {
  auto db = testing_support::ImportedStore();
  ASSERT_TRUE(db.ok()) << db.error().message;
  const auto run = testing_support::Samkart("--db '" + db->string() + "' audit");
  EXPECT_EQ(run.exit_code, 0) << run.output;

  // One line per family and the respondents, per round set and audience.
  auto in = instrument::LoadEmbeddedInstrument();
  ASSERT_TRUE(in.ok());
  const std::size_t families = in.instrument->families.size() + 1;
  std::size_t lines = 0, exposed_lines = 0;
  std::istringstream text(run.output);
  const std::regex row(
      R"(^(\S+)\s+(0-punkt|oppfølging)\s+(alle|lesere)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s)");
  for (std::string line; std::getline(text, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, row)) continue;
    ++lines;
    const std::size_t cells = std::stoul(m[4]), hidden = std::stoul(m[5]),
                      primary = std::stoul(m[6]);
    EXPECT_GE(hidden, primary) << line;
    EXPECT_LE(hidden, cells) << line;
    if (m[7] != "0") ++exposed_lines;
  }
  EXPECT_EQ(lines, families * 2 * 2) << run.output;
  EXPECT_EQ(exposed_lines, 0u) << run.output;
  const std::regex summary(
      R"((\d+) celler, (\d+) skjult \(([0-9.]+) %\), (\d+) primært skjult; 0 avslørt)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(run.output, m, summary)) << run.output;
  EXPECT_GT(std::stoul(m[4]), 0u) << "the default data has small groups to protect";
}

}  // namespace
}  // namespace samkart::cli
