// What the administration pages need that is not HTTP: checking an uploaded
// file's name before it touches the disk, a private temporary folder per
// request, and removing that folder's path from the messages
// and reports the importer writes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "samkart/core/result.h"

namespace samkart::web {

// The longest file name an upload may have, in bytes.
inline constexpr std::size_t kMaxUploadNameBytes = 120;

// The uploaded file's name when it is a plain file name: 1–120 bytes of
// valid UTF-8, letters, digits, space and «-_.,()+», not starting with a dot
// and without «..». Anything else — slashes, backslashes, NUL, control
// characters, «<>:"|?*» — is refused (never repaired), with a Norwegian
// message that shows the name with control characters made visible.
Result<std::string> SanitiseUploadName(std::string_view name);

// `name` with control characters as «?» and at most 80 characters, for messages.
std::string PrintableName(std::string_view name);

// A folder only this process may use (mkdtemp, mode 0700), removed with
// everything in it on destruction.
class PrivateTempDir {
 public:
  // Under `parent`, or the system's temporary folder when `parent` is empty.
  static Result<PrivateTempDir> Create(const std::string& parent, const std::string& prefix);
  PrivateTempDir(PrivateTempDir&& other) noexcept;
  PrivateTempDir& operator=(PrivateTempDir&& other) noexcept;
  PrivateTempDir(const PrivateTempDir&) = delete;
  PrivateTempDir& operator=(const PrivateTempDir&) = delete;
  ~PrivateTempDir();

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit PrivateTempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Writes `content` to a new file only this process can read (0600; an
// existing file or a link there is refused); the message on failure is the
// one the user sees.
Status WritePrivateFile(const std::filesystem::path& path, std::string_view content);

// The prefix of the folders uploads are saved in.
inline constexpr const char* kUploadDirPrefix = "samkart-opplasting-";

// Removes every «…/samkart-opplasting-XXXXXX/» path prefix from `text`, so
// messages and reports name the uploaded file as the user called it.
std::string StripUploadDirs(std::string text);

}  // namespace samkart::web
