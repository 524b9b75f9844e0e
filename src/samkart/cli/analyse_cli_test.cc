// `samkart analyse` as a user runs it on the default synthetic data: the
// sharing pairs as sentences, the chain and the follow-up evaluation for
// programs, and clear errors that write nothing.
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/imported_store.h"
#include "support/run_samkart.h"
#include "support/scratch_dir.h"

namespace samkart::cli {
namespace {

namespace fs = std::filesystem;

class AnalyseCli : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing_support::ImportedStore();
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = db->string();
  }

  testing_support::CommandRun Analyse(const std::string& args) {
    return testing_support::Samkart("--db '" + db_ + "' analyse " + args);
  }

  std::string db_;
  testing_support::ScratchDir scratch_;
};

TEST_F(AnalyseCli, SharingPairsReadAsSentencesWithTheirEvidence) {
  // Bydel Neshaug, the largest synthetic municipality.
  const auto run = Analyse("pairs --municipality 9032 --limit 3");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find(" 1. "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(" → "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("prosentpoeng (95 % KI"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("par testet"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find(" 4. "), std::string::npos) << run.output;
}

TEST_F(AnalyseCli, TheNationalChainMakesYoungPeoplesSubstanceUseStandOut) {
  const auto run = Analyse("chain --format json");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto json = nlohmann::json::parse(run.output);
  ASSERT_EQ(json["rader"].size(), 12u);
  bool found = false;
  for (const auto& row : json["rader"]) {
    if (row["omrade"] != "Problematisk rusbruk") continue;
    found = true;
    EXPECT_EQ(row["skiller_seg_ut"], "ja") << row.dump();
    EXPECT_LT(row["mot_andre_omrader_kunnskap"].get<double>(), -0.05) << row.dump();
  }
  EXPECT_TRUE(found);
}

TEST_F(AnalyseCli, TheFollowUpEvaluationCountsMunicipalitiesAsUnits) {
  const auto run = Analyse("followup --family risk_identification --format csv");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.rfind("familie,sporsmal,tjeneste,kommuner,okte,falt,endring,", 0), 0u)
      << run.output;
  // Twelve risk areas, one row each.
  EXPECT_EQ(std::count(run.output.begin(), run.output.end(), '\n'), 13) << run.output;
}

TEST_F(AnalyseCli, WritesASpreadsheetWhereAsked) {
  const fs::path out = scratch_.path() / "lommer.xlsx";
  const auto run =
      Analyse("pockets --municipality 9032 --format xlsx --out '" + out.string() + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(fs::exists(out));
}

TEST_F(AnalyseCli, WrongArgumentsAreExplained) {
  struct Case {
    std::string args;
    std::string expected;
  };
  for (const Case& c : {
           Case{"pairs", "delingspar finnes inne i én kommune"},
           Case{"pockets --municipality 1234", "kommune 1234 har ingen svar i databasen"},
           Case{"chain --format xlsx", "--format xlsx krever --out FIL"},
           Case{"lommer", "«lommer» er ikke et gyldig valg; velg en av: pockets, pairs"},
       }) {
    const auto run = Analyse(c.args);
    EXPECT_NE(run.exit_code, 0) << c.args;
    EXPECT_NE(run.output.find(c.expected), std::string::npos) << c.args << "\n" << run.output;
  }
}

}  // namespace
}  // namespace samkart::cli
