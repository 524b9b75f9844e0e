// Exports waiting between the import assistant's steps: private folders
// named by a random token, found only by their owner, gone when they expire,
// and at most a few per user.
#include "samkart/web/pending_uploads.h"

#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "samkart/web/auth.h"

#include "support/scratch_dir.h"

namespace samkart::web {
namespace {

namespace fs = std::filesystem;
using testing_support::ScratchDir;

// A clock the test moves.
struct TestClock {
  PendingUploads::Clock::time_point now = PendingUploads::Clock::now();
  std::function<PendingUploads::Clock::time_point()> Function() {
    return [this] { return now; };
  }
};

PendingUpload Upload(int64_t user, const std::string& name = "eksport.csv") {
  PendingUpload upload;
  upload.user_id = user;
  upload.file_name = name;
  upload.municipality = 9001;
  upload.round_type = "baseline";
  upload.k = 5;
  return upload;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(WebPendingUploads, TokensHaveExactlyTheShapeRandomTokenGives) {
  EXPECT_TRUE(IsPendingToken(RandomToken(kPendingTokenBytes)));
  EXPECT_TRUE(IsPendingToken(std::string(kPendingTokenChars, 'a')));
  EXPECT_TRUE(IsPendingToken("-_" + std::string(kPendingTokenChars - 2, 'Z')));
  for (const std::string& bad :
       {std::string(), std::string(kPendingTokenChars - 1, 'a'),
        std::string(kPendingTokenChars + 1, 'a'), "../" + std::string(kPendingTokenChars - 3, 'a'),
        std::string(kPendingTokenChars - 1, 'a') + ".",
        std::string(kPendingTokenChars - 1, 'a') + "/",
        std::string(kPendingTokenChars - 1, 'a') + "=",
        std::string(kPendingTokenChars - 1, 'a') + std::string(1, '\0'),
        std::string(kPendingTokenChars - 2, 'a') + "\xC3\xA6"}) {
    EXPECT_FALSE(IsPendingToken(bad)) << bad;
  }
}

TEST(WebPendingUploads, AnUploadIsKeptPrivatelyAndFoundOnlyByItsOwner) {
  ScratchDir work;
  TestClock clock;
  PendingUploads pending((work / "arbeid").string(), clock.Function());
  auto created = pending.Create(Upload(7), "a;b\n1;2\n");
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(IsPendingToken(created->token));
  EXPECT_EQ(created->dir.parent_path(), work / "arbeid" / "samkart-ventende");
  EXPECT_EQ(Read(created->export_path()), "a;b\n1;2\n");
  struct stat info {};
  ASSERT_EQ(::stat(created->dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(created->export_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(created->dir.parent_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);

  auto found = pending.Find(created->token, 7);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->file_name, "eksport.csv");
  EXPECT_EQ(found->municipality, 9001);
  EXPECT_EQ(found->round_type, "baseline");
  EXPECT_EQ(found->k, 5u);
  EXPECT_FALSE(found->year.has_value());

  // Another user, and a token that does not exist, get the same answer.
  auto other = pending.Find(created->token, 8);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
  auto bogus = pending.Find(RandomToken(kPendingTokenBytes), 7);
  ASSERT_FALSE(bogus.ok());
  EXPECT_EQ(bogus.error().message, other.error().message);
  EXPECT_FALSE(pending.Find("../../etc", 7).ok());

  // The draft and an edited crosswalk under the draft's name; messages
  // lose the folders.
  PendingUpload upload = *found;
  ASSERT_TRUE(pending.SaveDraft(upload, "g5-eksport.csv", "\xEF\xBB\xBFsource_variable\n").ok());
  EXPECT_EQ(pending.Find(created->token, 7)->draft_name, "g5-eksport.csv");
  EXPECT_EQ(Read(upload.draft_path()), "\xEF\xBB\xBFsource_variable\n");
  ASSERT_TRUE(pending.SaveEdited(upload, "første").ok());
  ASSERT_TRUE(pending.SaveEdited(upload, "andre").ok());
  EXPECT_EQ(Read(upload.edited_path()), "andre");
  EXPECT_EQ(upload.edited_path().filename(), "g5-eksport.csv");
  EXPECT_EQ(upload.StripDirs(upload.edited_path().string() + ":3: ukjent rolle"),
            "g5-eksport.csv:3: ukjent rolle");
  EXPECT_EQ(upload.StripDirs("«" + upload.export_path().string() + "»"), "«eksport.csv»");

  pending.Remove(upload);
  EXPECT_FALSE(fs::exists(upload.dir));
  EXPECT_FALSE(pending.Find(created->token, 7).ok());
}

TEST(WebPendingUploads, AnUploadExpiresAndExpiredOnesAreRemovedWhenANewOneIsMade) {
  ScratchDir work;
  TestClock clock;
  PendingUploads pending(work.path().string(), clock.Function());
  auto first = pending.Create(Upload(1), "x");
  auto second = pending.Create(Upload(2), "y");
  ASSERT_TRUE(first.ok() && second.ok());
  clock.now += kPendingUploadLifetime - std::chrono::seconds(1);
  EXPECT_TRUE(pending.Find(first->token, 1).ok());
  clock.now += std::chrono::seconds(1);
  EXPECT_FALSE(pending.Find(first->token, 1).ok());
  EXPECT_FALSE(fs::exists(first->dir)) << "found expired, removed";
  EXPECT_TRUE(fs::exists(second->dir)) << "nobody asked for it yet";
  auto third = pending.Create(Upload(3), "z");
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(fs::exists(second->dir)) << "removed when a new one was made";
  EXPECT_TRUE(pending.Find(third->token, 3).ok());
}

TEST(WebPendingUploads, AUserHasAtMostTheLimitAndTheOldestGoesFirst) {
  ScratchDir work;
  TestClock clock;
  PendingUploads pending(work.path().string(), clock.Function());
  std::vector<PendingUpload> made;
  for (std::size_t i = 0; i < kMaxPendingUploadsPerUser + 2; ++i) {
    clock.now += std::chrono::seconds(1);
    auto created = pending.Create(Upload(1, "fil" + std::to_string(i) + ".csv"), "x");
    ASSERT_TRUE(created.ok());
    made.push_back(*created);
  }
  auto someone_else = pending.Create(Upload(2), "y");
  ASSERT_TRUE(someone_else.ok());
  std::size_t kept = 0;
  for (std::size_t i = 0; i < made.size(); ++i) {
    const bool found = pending.Find(made[i].token, 1).ok();
    EXPECT_EQ(found, i >= 2) << i;
    kept += found;
  }
  EXPECT_EQ(kept, kMaxPendingUploadsPerUser);
  EXPECT_TRUE(pending.Find(someone_else->token, 2).ok()) << "another user's count is their own";
}

TEST(WebPendingUploads, NamesThatCouldLeaveTheFolderAndTamperedMetadataAreRefused) {
  ScratchDir work;
  PendingUploads pending(work.path().string());
  EXPECT_FALSE(pending.Create(Upload(1, "../ut.csv"), "x").ok());
  EXPECT_FALSE(pending.Create(Upload(1, ".skjult"), "x").ok());
  auto created = pending.Create(Upload(1), "x");
  ASSERT_TRUE(created.ok());
  PendingUpload upload = *created;
  EXPECT_FALSE(pending.SaveDraft(upload, "../g5.csv", "x").ok());
  // Metadata that names a path outside the folder is not believed.
  std::ofstream(created->dir / "opplasting.json", std::ios::trunc)
      << R"({"bruker":1,"fil":"../../passwd","opprettet":)"
      << std::chrono::duration_cast<std::chrono::seconds>(
             PendingUploads::Clock::now().time_since_epoch())
             .count()
      << R"(,"k":5})";
  EXPECT_FALSE(pending.Find(created->token, 1).ok());
}

TEST(WebPendingUploads, WithoutAWorkFolderUploadsLieInAPrivateTemporaryFolder) {
  fs::path root;
  {
    PendingUploads pending("");
    auto created = pending.Create(Upload(1), "x");
    ASSERT_TRUE(created.ok()) << created.error().message;
    root = created->dir.parent_path();
    EXPECT_TRUE(fs::exists(created->export_path()));
  }
  EXPECT_FALSE(fs::exists(root)) << "removed with the server";
}

}  // namespace
}  // namespace samkart::web
