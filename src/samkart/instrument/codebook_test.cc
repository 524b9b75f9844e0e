#include "samkart/instrument/codebook.h"

#include <gtest/gtest.h>

#include "samkart/instrument/embedded.h"
#include "samkart/instrument/loader.h"

namespace samkart::instrument {
namespace {

Instrument Load(std::vector<io::TextFile> files = EmbeddedInstrumentFiles()) {
  auto result = LoadInstrument(files, "");
  EXPECT_TRUE(result.ok());
  return std::move(*result.instrument);
}

TEST(Codebook, DenominatorRuleNamesDontKnowRoutingAndExcludedServices) {
  const Instrument in = Load();
  const std::string concern = DescribeDenominator(in, *in.FindFamily("concern_content"));
  EXPECT_NE(concern.find("Ikke stilt til: Barneverntjeneste."), std::string::npos) << concern;
  EXPECT_NE(
      concern.find("Stilt bare til dem som svarte «Ja, jeg har opplevd mindre alvorlig bekymring»"),
      std::string::npos)
      << concern;
  const std::string risk = DescribeDenominator(in, *in.FindFamily("risk_identification"));
  EXPECT_NE(risk.find("«Vet ikke/ikke relevant» blir stående i nevneren."), std::string::npos)
      << risk;
  EXPECT_NE(risk.find("Ubesvart og «ikke stilt» holdes utenfor."), std::string::npos) << risk;
  const std::string coop = DescribeDenominator(in, *in.FindFamily("cooperation_with_services"));
  EXPECT_NE(coop.find("Ingen vurderer sin egen tjeneste."), std::string::npos) << coop;
}

TEST(Codebook, ReportedShareReadsAsTheReportCaption) {
  const Instrument in = Load();
  EXPECT_EQ(DescribeReportedShare(in, *in.FindFamily("risk_identification")),
            "«I ganske stor grad» eller «I svært stor grad»");
  EXPECT_EQ(DescribeReportedShare(in, *in.FindFamily("early_intervention_statements")),
            "«Delvis enig» eller «Helt enig»");
}

TEST(Codebook, DocumentsCoverEveryFamilyItemAndGeneration) {
  const Instrument in = Load();
  const auto blocks = BuildCodebook(in);
  const std::string markdown = RenderMarkdown(blocks);
  const std::string html = RenderHtml(blocks, "Kodebok");
  for (const Family& f : in.families) {
    EXPECT_NE(markdown.find(f.title), std::string::npos) << f.id;
    EXPECT_NE(html.find(f.title), std::string::npos) << f.id;
    for (const Item& i : f.items) EXPECT_NE(markdown.find(f.id + "." + i.id), std::string::npos);
  }
  for (const Generation& g : in.generations) {
    EXPECT_NE(html.find("Nøkkel for " + g.name), std::string::npos) << g.id;
  }
  EXPECT_NE(html.find("<html lang=\"nb\">"), std::string::npos);
  EXPECT_NE(html.find("<nav aria-label=\"Innhold\">"), std::string::npos);
}

TEST(Codebook, ReadsInNorwegianAndNamesTheCurrentGenerationOnce) {
  const Instrument in = Load();
  const std::string markdown = RenderMarkdown(BuildCodebook(in));
  EXPECT_NE(markdown.find("Gjeldende skjema er generasjon G5 (fra 2020)."), std::string::npos);
  EXPECT_EQ(markdown.find("(gjeldende) (gjeldende)"), std::string::npos);
  // Roles in Norwegian, with the word an editor of the crosswalk writes.
  EXPECT_NE(markdown.find("| svar (answer) |"), std::string::npos);
  EXPECT_NE(markdown.find("| identifikator, fjernes ved import (identifier) |"), std::string::npos);
  EXPECT_EQ(markdown.find("| answer |"), std::string::npos);
  // Municipality, year and generation are described like the other
  // background variables.
  EXPECT_NE(markdown.find("Kommunenummer, fire sifre (SSB)"), std::string::npos);
  EXPECT_NE(markdown.find("nøkkelen som leste filen, aldri en kolonne"), std::string::npos);
  // Without the crosswalks the codebook is a handout of a few pages.
  const std::string handout = RenderMarkdown(BuildCodebook(in, {"", false}));
  EXPECT_EQ(handout.find("Nøkkel for"), std::string::npos);
  EXPECT_LT(handout.size() * 3, markdown.size());
}

TEST(Codebook, HostileLabelsAreEscaped) {
  auto files = EmbeddedInstrumentFiles();
  for (auto& f : files) {
    if (f.path != "families.csv") continue;
    const std::string from = "Kunnskap om risikofaktorer";
    f.content.replace(f.content.find(from), from.size(), "<script>alert(1)</script> | *x*");
  }
  const Instrument in = Load(files);
  const auto blocks = BuildCodebook(in);
  const std::string html = RenderHtml(blocks, "<b>tittel</b>");
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<b>tittel"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  const std::string markdown = RenderMarkdown(blocks);
  EXPECT_NE(markdown.find("\\<script\\>alert(1)\\</script\\> \\| \\*x\\*"), std::string::npos);
}

TEST(Codebook, OneFamilyOnly) {
  const Instrument in = Load();
  const std::string text = RenderText(BuildCodebook(in, {"barriers", false}));
  EXPECT_NE(text.find("Barrierer for å handle hensiktsmessig"), std::string::npos);
  EXPECT_EQ(text.find("Kunnskap om risikofaktorer"), std::string::npos);
  EXPECT_EQ(text.find("Bakgrunnsvariabler"), std::string::npos);
}

}  // namespace
}  // namespace samkart::instrument
