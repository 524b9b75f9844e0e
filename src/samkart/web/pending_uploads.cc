#include "samkart/web/pending_uploads.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "samkart/web/auth.h"

namespace samkart::web {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRootName = "samkart-ventende";
constexpr const char* kMetaName = "opplasting.json";
constexpr const char* kSubdirs[] = {"eksport", "utkast", "redigert"};
// Metadata is a few hundred bytes; anything larger is not ours.
constexpr std::uintmax_t kMaxMetaBytes = 16 * 1024;

bool TokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

Error NotFound() {
  return Error{
      "Forslaget finnes ikke, tilhører en annen bruker eller er utløpt. Last opp filen "
      "på nytt.",
      ErrorCode::kNotFound};
}

// A folder only this process may use: made with mode 0700, or an existing
// one that is a real folder (not a link) owned by this user.
Status PrivateFolder(const fs::path& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error{fmt::format("kan ikke opprette mappen «{}»", path.string()), ErrorCode::kInternal};
  }
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::geteuid()) {
    return Error{fmt::format("mappen «{}» er ikke en mappe som bare Samkart eier", path.string()),
                 ErrorCode::kInternal};
  }
  if ((info.st_mode & 0077) != 0 && ::chmod(path.c_str(), 0700) != 0) {
    return Error{fmt::format("kan ikke stenge mappen «{}» for andre", path.string()),
                 ErrorCode::kInternal};
  }
  return Ok();
}

std::string Replace(std::string text, const std::string& from) {
  if (from.empty()) return text;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.erase(at, from.size());
  }
  return text;
}

}  // namespace

bool IsPendingToken(std::string_view token) {
  return token.size() == kPendingTokenChars && std::all_of(token.begin(), token.end(), TokenChar);
}

std::string PendingUpload::StripDirs(std::string text) const {
  if (dir.empty()) return text;
  for (const char* sub : kSubdirs) text = Replace(std::move(text), (dir / sub).string() + "/");
  return Replace(std::move(text), dir.string() + "/");
}

PendingUploads::PendingUploads(std::string work_dir, std::function<Clock::time_point()> now)
    : work_dir_(std::move(work_dir)), now_(now ? std::move(now) : [] { return Clock::now(); }) {}

Result<fs::path> PendingUploads::Root() {
  if (!root_.empty()) return root_;
  if (work_dir_.empty()) {
    auto temp = PrivateTempDir::Create("", std::string(kRootName) + "-");
    if (!temp.ok()) return Error{temp.error().message, ErrorCode::kInternal};
    temp_root_.emplace(std::move(temp).value());
    root_ = temp_root_->path();
    return root_;
  }
  std::error_code ec;
  fs::create_directories(work_dir_, ec);
  if (ec) {
    return Error{fmt::format("kan ikke opprette arbeidsmappen «{}»: {}", work_dir_, ec.message()),
                 ErrorCode::kInternal};
  }
  const fs::path root = fs::path(work_dir_) / kRootName;
  if (auto made = PrivateFolder(root); !made.ok()) return made.error();
  root_ = root;
  return root_;
}

bool PendingUploads::Expired(const PendingUpload& upload) const {
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(now_().time_since_epoch()).count();
  return now - upload.created >= kPendingUploadLifetime.count() || upload.created > now + 60;
}

std::optional<PendingUpload> PendingUploads::Read(const fs::path& dir) const {
  const fs::path meta = dir / kMetaName;
  std::error_code ec;
  const auto size = fs::file_size(meta, ec);
  if (ec || size > kMaxMetaBytes || fs::is_symlink(meta, ec)) return std::nullopt;
  std::ifstream in(meta, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const auto json = nlohmann::json::parse(buffer.str(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  try {
    PendingUpload upload;
    upload.token = dir.filename().string();
    upload.dir = dir;
    upload.user_id = json.at("bruker").get<int64_t>();
    upload.file_name = json.at("fil").get<std::string>();
    upload.created = json.at("opprettet").get<int64_t>();
    if (json.contains("kommune")) upload.municipality = json.at("kommune").get<int>();
    if (json.contains("aar")) upload.year = json.at("aar").get<int>();
    if (json.contains("runde")) upload.round_type = json.at("runde").get<std::string>();
    upload.k = json.at("k").get<std::size_t>();
    upload.append = json.value("legg_til", false);
    if (json.contains("erstatter")) upload.replace_batch = json.at("erstatter").get<int64_t>();
    upload.draft_name = json.value("utkast", "");
    // Names become paths: the same check as when they were first accepted.
    if (!SanitiseUploadName(upload.file_name).ok()) return std::nullopt;
    if (!upload.draft_name.empty() && !SanitiseUploadName(upload.draft_name).ok()) {
      return std::nullopt;
    }
    return upload;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

Status PendingUploads::WriteMeta(const PendingUpload& upload) const {
  nlohmann::json json = {{"bruker", upload.user_id},
                         {"fil", upload.file_name},
                         {"opprettet", upload.created},
                         {"k", upload.k}};
  if (upload.municipality) json["kommune"] = *upload.municipality;
  if (upload.year) json["aar"] = *upload.year;
  if (upload.round_type) json["runde"] = *upload.round_type;
  if (upload.append) json["legg_til"] = true;
  if (upload.replace_batch) json["erstatter"] = *upload.replace_batch;
  if (!upload.draft_name.empty()) json["utkast"] = upload.draft_name;
  // Written beside and renamed over, so a reader never sees half a file.
  const fs::path next = upload.dir / (std::string(kMetaName) + ".ny");
  std::error_code ec;
  fs::remove(next, ec);
  if (auto written = WritePrivateFile(next, json.dump()); !written.ok()) return written;
  fs::rename(next, upload.dir / kMetaName, ec);
  if (ec) return Error{"Opplastingen kunne ikke lagres.", ErrorCode::kInternal};
  return Ok();
}

std::size_t PendingUploads::RemoveExpiredLocked(const fs::path& root) {
  std::size_t removed = 0;
  std::error_code ec;
  std::vector<fs::path> expired;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (!IsPendingToken(name)) continue;
    const auto upload = Read(entry.path());
    // A folder without readable metadata (a crash between the steps) goes
    // when it is as old as an upload may get.
    bool old = false;
    if (!upload) {
      const auto written = fs::last_write_time(entry.path(), ec);
      old = !ec && fs::file_time_type::clock::now() - written > kPendingUploadLifetime;
    }
    if (upload ? Expired(*upload) : old) expired.push_back(entry.path());
  }
  for (const fs::path& dir : expired) {
    fs::remove_all(dir, ec);
    removed += ec ? 0 : 1;
  }
  return removed;
}

std::size_t PendingUploads::RemoveExpired() {
  std::lock_guard lock(mutex_);
  auto root = Root();
  return root.ok() ? RemoveExpiredLocked(*root) : 0;
}

Result<PendingUpload> PendingUploads::Create(PendingUpload upload, std::string_view content) {
  auto name = SanitiseUploadName(upload.file_name);
  if (!name.ok()) return name.error();
  std::lock_guard lock(mutex_);
  auto root = Root();
  if (!root.ok()) return root.error();
  RemoveExpiredLocked(*root);

  // Room for one more of this user's: the oldest go first.
  std::vector<PendingUpload> own;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(*root, ec)) {
    if (!IsPendingToken(entry.path().filename().string())) continue;
    if (auto other = Read(entry.path()); other && other->user_id == upload.user_id) {
      own.push_back(std::move(*other));
    }
  }
  std::sort(own.begin(), own.end(),
            [](const auto& a, const auto& b) { return a.created < b.created; });
  for (std::size_t i = 0; i + kMaxPendingUploadsPerUser <= own.size(); ++i) {
    fs::remove_all(own[i].dir, ec);
  }

  upload.token = RandomToken(kPendingTokenBytes);
  upload.dir = *root / upload.token;
  upload.created =
      std::chrono::duration_cast<std::chrono::seconds>(now_().time_since_epoch()).count();
  upload.draft_name.clear();
  if (::mkdir(upload.dir.c_str(), 0700) != 0) {
    return Error{"Filen kunne ikke mellomlagres.", ErrorCode::kInternal};
  }
  for (const char* sub : kSubdirs) {
    if (::mkdir((upload.dir / sub).c_str(), 0700) != 0) {
      fs::remove_all(upload.dir, ec);
      return Error{"Filen kunne ikke mellomlagres.", ErrorCode::kInternal};
    }
  }
  Status saved = WritePrivateFile(upload.export_path(), content);
  if (saved.ok()) saved = WriteMeta(upload);
  if (!saved.ok()) {
    fs::remove_all(upload.dir, ec);
    return saved.error();
  }
  return upload;
}

Status PendingUploads::SaveDraft(PendingUpload& upload, const std::string& draft_name,
                                 std::string_view csv) {
  if (!SanitiseUploadName(draft_name).ok()) {
    return Error{"Utkastet kunne ikke lagres.", ErrorCode::kInternal};
  }
  std::lock_guard lock(mutex_);
  std::error_code ec;
  if (!upload.draft_name.empty()) fs::remove(upload.draft_path(), ec);
  PendingUpload changed = upload;
  changed.draft_name = draft_name;
  fs::remove(changed.draft_path(), ec);
  if (auto written = WritePrivateFile(changed.draft_path(), csv); !written.ok()) return written;
  if (auto meta = WriteMeta(changed); !meta.ok()) return meta;
  upload = std::move(changed);
  return Ok();
}

Status PendingUploads::SaveEdited(const PendingUpload& upload, std::string_view csv) {
  if (upload.draft_name.empty()) {
    return Error{"Forslaget har ikke noe utkast ennå.", ErrorCode::kConflict};
  }
  std::lock_guard lock(mutex_);
  std::error_code ec;
  fs::remove(upload.edited_path(), ec);
  return WritePrivateFile(upload.edited_path(), csv);
}

Result<PendingUpload> PendingUploads::Find(std::string_view token, int64_t user_id) {
  if (!IsPendingToken(token)) return NotFound();
  std::lock_guard lock(mutex_);
  auto root = Root();
  if (!root.ok()) return NotFound();
  const fs::path dir = *root / std::string(token);
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dir, ec))) return NotFound();
  auto upload = Read(dir);
  if (!upload || upload->user_id != user_id) return NotFound();
  if (Expired(*upload)) {
    fs::remove_all(dir, ec);
    return NotFound();
  }
  return std::move(*upload);
}

void PendingUploads::Remove(const PendingUpload& upload) {
  if (!IsPendingToken(upload.token) || upload.dir.empty()) return;
  std::lock_guard lock(mutex_);
  std::error_code ec;
  fs::remove_all(upload.dir, ec);
}

}  // namespace samkart::web
