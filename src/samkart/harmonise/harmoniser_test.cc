#include "samkart/harmonise/harmoniser.h"

#include <gtest/gtest.h>

#include "samkart/instrument/embedded.h"
#include "samkart/instrument/loader.h"
#include "samkart/io/source_reader.h"

namespace samkart::harmonise {
namespace {

TEST(PersonalData, EmailAddressesAreRecognised) {
  EXPECT_TRUE(LooksLikeEmail("ola.nordmann@kommune.no"));
  EXPECT_TRUE(LooksLikeEmail(" a@b.no "));
  EXPECT_FALSE(LooksLikeEmail("I ganske stor grad"));
  EXPECT_FALSE(LooksLikeEmail("@kommune.no"));
  EXPECT_FALSE(LooksLikeEmail("ola@kommune"));
  EXPECT_FALSE(LooksLikeEmail("ola @ kommune.no"));
}

TEST(PersonalData, NorwegianPhoneNumbersAreRecognised) {
  EXPECT_TRUE(LooksLikePhoneNumber("41234567"));
  EXPECT_TRUE(LooksLikePhoneNumber("+47 412 34 567"));
  EXPECT_TRUE(LooksLikePhoneNumber("0047 22-33-44-55"));
  EXPECT_FALSE(LooksLikePhoneNumber("9001"));      // a municipality number
  EXPECT_FALSE(LooksLikePhoneNumber("12345678"));  // no Norwegian number starts with 1
  EXPECT_FALSE(LooksLikePhoneNumber("412345678"));
  EXPECT_FALSE(LooksLikePhoneNumber("Ring 41234567"));
}

TEST(PersonalData, MaskKeepsOnlyTheFirstLetterOfEachPart) {
  EXPECT_EQ(Mask("ola.nordmann@kommune.no"), "o**.n*******@k******.n*");
  EXPECT_EQ(Mask("+47 41234567"), "+4* 4*******");
  EXPECT_EQ(Mask("Åse"), "Å**");
}

class GenerationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = instrument::LoadEmbeddedInstrument();
    ASSERT_TRUE(loaded.ok());
    instrument_ = std::move(*loaded.instrument);
  }
  std::vector<io::SourceColumn> Columns(std::initializer_list<const char*> names) {
    std::vector<io::SourceColumn> out;
    for (const char* n : names) out.push_back({n, "", {}});
    return out;
  }
  instrument::Instrument instrument_;
};

TEST_F(GenerationTest, TheCrosswalkThatKnowsTheColumnsWins) {
  auto g4 = ChooseGeneration(instrument_, Columns({"kommunenummer", "aar", "q1", "q2", "q3_r1"}),
                             "f.csv", std::nullopt, std::nullopt);
  ASSERT_TRUE(g4.ok()) << g4.error().message;
  EXPECT_EQ(g4->crosswalk->generation, "G4");
  EXPECT_NE(g4->reason.find("5 av 5"), std::string::npos) << g4->reason;
  // Column names are matched without regard to case, as SPSS upper-cases them.
  auto upper = ChooseGeneration(instrument_, Columns({"KOMMUNENUMMER", "AAR", "Q1", "Q3_R1"}),
                                "f.csv", std::nullopt, std::nullopt);
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->crosswalk->generation, "G4");
}

TEST_F(GenerationTest, AGivenGenerationMustKnowEveryColumn) {
  auto wrong = ChooseGeneration(instrument_, Columns({"kommunenummer", "q3_r1"}), "f.csv",
                                std::string("G5"), std::nullopt);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("«q3_r1»"), std::string::npos) << wrong.error().message;
  auto unknown =
      ChooseGeneration(instrument_, Columns({"q3_r1"}), "f.csv", std::string("G9"), std::nullopt);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("«G9» finnes ikke"), std::string::npos);
}

TEST_F(GenerationTest, AFileOfNoKnownGenerationIsNamedAsSuch) {
  auto none = ChooseGeneration(instrument_, Columns({"navn", "alder"}), "f.csv", std::nullopt,
                               std::nullopt);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("ingen av de 2 kolonnene"), std::string::npos);
}

TEST_F(GenerationTest, TheYearBreaksATie) {
  // Both G4 and G5 know a file of only these two columns.
  auto tie = ChooseGeneration(instrument_, Columns({"kommunenummer", "aar"}), "f.csv", std::nullopt,
                              std::nullopt);
  ASSERT_FALSE(tie.ok());
  EXPECT_NE(tie.error().message.find("oppgi --generation"), std::string::npos)
      << tie.error().message;
  auto by_year =
      ChooseGeneration(instrument_, Columns({"kommunenummer", "aar"}), "f.csv", std::nullopt, 2022);
  ASSERT_TRUE(by_year.ok()) << by_year.error().message;
  EXPECT_EQ(by_year->crosswalk->generation, "G5");
  EXPECT_NE(by_year->reason.find("året 2022 avgjorde"), std::string::npos);
}

// A category mapped to no target code («Ønsker ikke å svare», or one a later
// generation removed) is read as a blank answer, not as an unknown category.
TEST(Harmoniser, ACategoryMappedToNothingIsABlankAnswer) {
  auto files = instrument::EmbeddedInstrumentFiles();
  for (auto& file : files) {
    if (file.path != "crosswalks/g5.csv") continue;
    file.content +=
        "bekymring,Uro?,answer,concern_experienced.concern_last_12_months,,Ønsker ikke å "
        "svare,,\n";
  }
  auto loaded = instrument::LoadInstrument(files, "data/");
  ASSERT_TRUE(loaded.ok());
  const instrument::Instrument& instrument = *loaded.instrument;
  const auto items = instrument.ItemsInOrder();
  std::size_t concern = items.size();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].family->id == "concern_experienced") concern = i;
  }
  ASSERT_LT(concern, items.size());

  auto source = io::OpenCsvSource(
      std::string("kommunenummer,aar,tjenestested,risiko_learning_difficulties,bekymring\n"
                  "9001,2021,1,4,ønsker ikke å svare\n9001,2021,1,4,2\n"),
      "test.csv", {});
  ASSERT_TRUE(source.ok()) << source.error().message;
  auto created =
      Harmoniser::Create(instrument, *instrument.FindCrosswalk("G5"), **source, "test.csv", {});
  ASSERT_TRUE(created.ok()) << created.error().message;
  Harmoniser harmoniser = std::move(created).value();
  io::SourceRow row;
  HarmonisedRow out;
  ASSERT_TRUE((*source)->Next(row));
  auto first = harmoniser.Convert(row, out);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(*first);
  EXPECT_EQ(out.answers[concern], instrument::kBlank);
  ASSERT_TRUE((*source)->Next(row));
  auto second = harmoniser.Convert(row, out);
  ASSERT_TRUE(second.ok()) << second.error().message;
  ASSERT_TRUE(*second);
  EXPECT_EQ(out.answers[concern], 2);
}

}  // namespace
}  // namespace samkart::harmonise
