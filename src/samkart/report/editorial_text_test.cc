// The national team's chapters from Markdown: what the parser keeps, and
// how a folder with a wrong file or bad text is refused.
#include "samkart/report/editorial_text.h"

#include <fstream>

#include <gtest/gtest.h>

#include "support/scratch_dir.h"

namespace samkart::report {
namespace {

void Write(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

TEST(EditorialMarkdown, ParagraphsListsAndHeadingsBecomeBlocksAndSubsections) {
  const auto chapter = ParseEditorialMarkdown(
      "Kommunene har **kunnskapen**, men den er\nspredt i *lommer*.\n\n"
      "- første punkt\n- andre punkt som\n  fortsetter\n\n"
      "## Anbefalinger\n\n1. Del kompetansen.\n2) Styrk overgangene.\n\n"
      "Se [veilederen](https://example.org/veileder) og fil_navn.\n",
      "konklusjon");
  ASSERT_EQ(chapter.blocks.size(), 2u);
  const auto* paragraph = std::get_if<Paragraph>(&chapter.blocks[0]);
  ASSERT_NE(paragraph, nullptr);
  EXPECT_EQ(paragraph->text, "Kommunene har kunnskapen, men den er spredt i lommer.");
  const auto* bullets = std::get_if<BulletList>(&chapter.blocks[1]);
  ASSERT_NE(bullets, nullptr);
  EXPECT_FALSE(bullets->numbered);
  EXPECT_EQ(bullets->items,
            (std::vector<std::string>{"første punkt", "andre punkt som fortsetter"}));

  ASSERT_EQ(chapter.subsections.size(), 1u);
  const Section& sub = chapter.subsections[0];
  EXPECT_EQ(sub.id, "konklusjon-1");
  EXPECT_EQ(sub.title, "Anbefalinger");
  EXPECT_EQ(sub.level, 2);
  ASSERT_EQ(sub.blocks.size(), 2u);
  const auto* numbered = std::get_if<BulletList>(&sub.blocks[0]);
  ASSERT_NE(numbered, nullptr);
  EXPECT_TRUE(numbered->numbered);
  EXPECT_EQ(numbered->items, (std::vector<std::string>{"Del kompetansen.", "Styrk overgangene."}));
  const auto* link = std::get_if<Paragraph>(&sub.blocks[1]);
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->text, "Se veilederen (https://example.org/veileder) og fil_navn.");
}

TEST(EditorialMarkdown, ReadsTheChapterFilesOfAFolder) {
  testing_support::ScratchDir dir;
  // Windows line ends and a byte order mark, as an editor on Windows saves.
  Write(dir.path() / "diskusjon.md",
        "\xEF\xBB\xBF"
        "F\xC3\xB8rste linje\r\nandre linje\r\n");
  Write(dir.path() / "innledning.md", "Innledningen.\n");
  auto text = LoadEditorialText(dir.path().string());
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(text->dir, dir.path().string());
  ASSERT_EQ(text->chapters.size(), 2u);
  const auto& discussion = text->chapters.at("diskusjon").blocks;
  ASSERT_EQ(discussion.size(), 1u);
  EXPECT_EQ(std::get<Paragraph>(discussion[0]).text, "Første linje andre linje");
  EXPECT_EQ(text->chapters.count("konklusjon"), 0u);
}

TEST(EditorialMarkdown, RefusesAFileThatIsNoChapterAndNamesTheKnownOnes) {
  testing_support::ScratchDir dir;
  Write(dir.path() / "diskusion.md", "Feilstavet filnavn.\n");
  auto text = LoadEditorialText(dir.path().string());
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find("diskusion.md: ukjent kapittelfil"), std::string::npos)
      << text.error().message;
  EXPECT_NE(text.error().message.find("diskusjon.md"), std::string::npos);
}

TEST(EditorialMarkdown, RefusesTextThatIsNotUtf8AndNamesTheLine) {
  testing_support::ScratchDir dir;
  Write(dir.path() / "konklusjon.md", "Første linje.\n\nH\xF8yt konfliktniv\xE5.\n");
  auto text = LoadEditorialText(dir.path().string());
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find("konklusjon.md, linje 3"), std::string::npos)
      << text.error().message;
}

TEST(EditorialMarkdown, RefusesAChapterFileAboveTheLimit) {
  testing_support::ScratchDir dir;
  Write(dir.path() / "sammendrag.md", std::string(kEditorialFileMaxBytes + 1, 'a'));
  EXPECT_FALSE(LoadEditorialText(dir.path().string()).ok());
}

TEST(EditorialMarkdown, RefusesAFolderThatDoesNotExist) {
  auto text = LoadEditorialText("/finnes/ikke/tekst");
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find("/finnes/ikke/tekst"), std::string::npos);
}

}  // namespace
}  // namespace samkart::report
