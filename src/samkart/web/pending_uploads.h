// Exports kept on the server between the steps of the import assistant:
// described, a crosswalk drafted, and imported once the user has looked at
// the draft, without uploading the file again. Each upload lies in a
// folder of its own, only this process may read it, named by a random
// token; it belongs to the user who uploaded it and expires after a bounded
// time. Nothing here speaks HTTP.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "samkart/core/result.h"
#include "samkart/web/admin.h"

namespace samkart::web {

// How long an upload waits for its import.
inline constexpr std::chrono::seconds kPendingUploadLifetime{60 * 60};
// Uploads one user may have waiting; a new one beyond this replaces the
// user's oldest.
inline constexpr std::size_t kMaxPendingUploadsPerUser = 5;
// Random bytes in a token (43 characters of URL-safe base64).
inline constexpr std::size_t kPendingTokenBytes = 32;
inline constexpr std::size_t kPendingTokenChars = 43;

// Exactly the shape RandomToken(kPendingTokenBytes) gives: 43 characters of
// A–Z, a–z, 0–9, «-» and «_». Anything else is never looked up.
bool IsPendingToken(std::string_view token);

struct PendingUpload {
  std::string token;
  int64_t user_id = 0;
  std::string file_name;  // as SanitiseUploadName accepted it
  int64_t created = 0;    // seconds since the epoch
  // The import form's fields, used when the upload is imported.
  std::optional<int> municipality;
  std::optional<int> year;
  std::optional<std::string> round_type;
  std::size_t k = 0;
  bool append = false;                   // «Legg til i runden»
  std::optional<int64_t> replace_batch;  // «Erstatter import nr.»
  // The draft crosswalk's file name (a layout name and «.csv»); empty
  // until a draft is saved.
  std::string draft_name;
  std::filesystem::path dir;

  std::filesystem::path export_path() const { return dir / "eksport" / file_name; }
  std::filesystem::path draft_path() const { return dir / "utkast" / draft_name; }
  // A crosswalk the user edited and uploaded, kept under the draft's name so
  // that its layout is named like the draft's.
  std::filesystem::path edited_path() const { return dir / "redigert" / draft_name; }
  // `text` without this upload's folders, so messages name files as the
  // user knows them.
  std::string StripDirs(std::string text) const;
};

class PendingUploads {
 public:
  using Clock = std::chrono::system_clock;
  // Under `work_dir`/samkart-ventende, or a private temporary folder when
  // `work_dir` is empty. `now` is the clock (tests move it).
  explicit PendingUploads(std::string work_dir, std::function<Clock::time_point()> now = {});
  PendingUploads(const PendingUploads&) = delete;
  PendingUploads& operator=(const PendingUploads&) = delete;

  // Keeps `content` as `upload.file_name` for `upload.user_id`; fills in the
  // token, the folder and the time. Removes expired uploads first, and the
  // user's oldest when they have kMaxPendingUploadsPerUser already.
  Result<PendingUpload> Create(PendingUpload upload, std::string_view content);

  // Saves the draft crosswalk under `draft_name` (a plain file name).
  Status SaveDraft(PendingUpload& upload, const std::string& draft_name, std::string_view csv);
  // Saves a crosswalk the user edited, replacing an earlier one.
  Status SaveEdited(const PendingUpload& upload, std::string_view csv);

  // The upload `token` names when it belongs to `user_id` and has not
  // expired; otherwise kNotFound, the same for every reason, so a token
  // that exists is not told apart from one that does not.
  Result<PendingUpload> Find(std::string_view token, int64_t user_id);

  void Remove(const PendingUpload& upload);

  // Removes every expired upload; returns how many.
  std::size_t RemoveExpired();

 private:
  Result<std::filesystem::path> Root();
  std::optional<PendingUpload> Read(const std::filesystem::path& dir) const;
  Status WriteMeta(const PendingUpload& upload) const;
  bool Expired(const PendingUpload& upload) const;
  std::size_t RemoveExpiredLocked(const std::filesystem::path& root);

  std::mutex mutex_;
  std::string work_dir_;
  std::function<Clock::time_point()> now_;
  std::optional<PrivateTempDir> temp_root_;
  std::filesystem::path root_;
};

}  // namespace samkart::web
