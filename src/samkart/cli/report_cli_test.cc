// `samkart report` as a user runs it: files where asked, clear errors for
// wrong arguments, and a non-zero exit that writes nothing.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/imported_store.h"
#include "support/run_samkart.h"
#include "support/scratch_dir.h"

namespace samkart::cli {
namespace {

namespace fs = std::filesystem;

class ReportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing_support::ImportedStore();
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = db->string();
  }

  testing_support::CommandRun Report(const std::string& args) {
    return testing_support::Samkart("--db '" + db_ + "' report " + args);
  }

  std::string db_;
  testing_support::ScratchDir scratch_;
};

TEST_F(ReportCli, WritesTheNationalReportInTheFormatsAsked) {
  const fs::path out = scratch_.path() / "rapporter";
  const auto run = Report("national --format html,xlsx --out '" + out.string() + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(fs::exists(out / "nasjonal_rapport.html"));
  EXPECT_TRUE(fs::exists(out / "nasjonal_rapport.xlsx"));
  EXPECT_FALSE(fs::exists(out / "nasjonal_rapport.pdf"));
  EXPECT_NE(run.output.find("Skrev " + (out / "nasjonal_rapport.html").string()), std::string::npos)
      << run.output;
  // What protection costs, said after every run.
  EXPECT_NE(run.output.find("Skjult av publiseringsreglene: "), std::string::npos) << run.output;
}

TEST_F(ReportCli, WritesOneMunicipalityWithANameInTheFileName) {
  const fs::path out = scratch_.path() / "k";
  const auto run =
      Report("municipality --municipality 9001 --format pdf,pptx --out '" + out.string() + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(fs::exists(out / "kommune_9001_vikheim-syntetisk.pdf")) << run.output;
  EXPECT_TRUE(fs::exists(out / "kommune_9001_vikheim-syntetisk.pptx")) << run.output;
}

TEST_F(ReportCli, WrongArgumentsAreExplainedAndWriteNothing) {
  const fs::path out = scratch_.path() / "ingenting";
  struct Case {
    std::string args;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{
           {"municipality", "velg --municipality NR eller --all"},
           {"national --municipality 9001", "gjelder bare kommunerapporter"},
           {"national --format html,docx",
            "ukjent rapportformat «docx» (html, pdf, xlsx eller pptx)"},
           {"municipality --municipality 4242", "kommune 4242 har ingen svar"},
           {"municipality --municipality 9001 --text .",
            "--text gjelder bare den nasjonale rapporten"},
           {"national --text /finnes/ikke", "/finnes/ikke: finnes ikke eller er ikke en mappe"},
       }) {
    const auto run = Report(c.args + " --out '" + out.string() + "'");
    EXPECT_NE(run.exit_code, 0) << c.args;
    EXPECT_NE(run.output.find(c.expected), std::string::npos) << c.args << "\n" << run.output;
  }
  EXPECT_TRUE(!fs::exists(out) || fs::is_empty(out));
}

TEST_F(ReportCli, TakesTheTeamsChaptersFromTheTextFolder) {
  const fs::path text = scratch_.path() / "tekst";
  fs::create_directories(text);
  { std::ofstream(text / "konklusjon.md") << "# Anbefalinger\n\n1. Del kompetansen på tvers.\n"; }
  const fs::path out = scratch_.path() / "r";
  const auto run =
      Report("national --format html --text '" + text.string() + "' --out '" + out.string() + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::ifstream in(out / "nasjonal_rapport.html");
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<ol><li>Del kompetansen på tvers.</li></ol>"), std::string::npos);
  // A chapter without its file says so, naming the file.
  EXPECT_NE(html.find((text / "diskusjon.md").string() + " finnes ikke"), std::string::npos);

  // A misspelt chapter file stops the report before anything is written.
  { std::ofstream(text / "diskusion.md") << "Tekst.\n"; }
  const fs::path again = scratch_.path() / "r2";
  const auto refused = Report("national --format html --text '" + text.string() + "' --out '" +
                              again.string() + "'");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("diskusion.md: ukjent kapittelfil"), std::string::npos)
      << refused.output;
  EXPECT_FALSE(fs::exists(again / "nasjonal_rapport.html"));
}

TEST_F(ReportCli, AnEmptyDatabaseIsExplained) {
  const auto run = testing_support::Samkart("--db '" + (scratch_.path() / "tom.sqlite").string() +
                                            "' report national --out '" +
                                            (scratch_.path() / "r").string() + "'");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("importer data først"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace samkart::cli
