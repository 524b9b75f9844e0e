#include "samkart/io/source_bytes.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "samkart/core/sha256.h"
#include "samkart/io/encoding.h"

namespace samkart::io {

namespace {

// Pages are handed back in steps of this size: large enough that the
// madvise calls cost nothing, small enough to bound the memory used.
constexpr std::size_t kReleaseStep = 8u << 20;

std::size_t PageSize() {
  static const std::size_t size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

// Closes a descriptor on every path out of MapFile.
struct Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

SourceBytes::SourceBytes(std::string bytes) : owned_(std::move(bytes)), view_(owned_) {}

Result<SourceBytes> SourceBytes::MapFile(const std::string& path, std::uintmax_t max_bytes) {
  Descriptor file{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    return Error{fmt::format("{}: kan ikke åpnes for lesing ({})", path, std::strerror(errno)),
                 errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInvalidInput};
  }
  struct stat info {};
  if (fstat(file.fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    return Error{fmt::format("{}: finnes ikke eller er ikke en vanlig fil", path)};
  }
  const auto size = static_cast<std::uintmax_t>(info.st_size);
  if (size > max_bytes) {
    return Error{fmt::format("{}: filen er {} byte, grensen er {} byte", path, size, max_bytes)};
  }
  SourceBytes bytes;
  if (size == 0) return bytes;
  void* mapping = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, file.fd, 0);
  if (mapping == MAP_FAILED) {
    return Error{fmt::format("{}: kan ikke leses ({})", path, std::strerror(errno))};
  }
  // Read-ahead for a front-to-back read.
  madvise(mapping, size, MADV_SEQUENTIAL);
  bytes.mapping_ = mapping;
  bytes.mapped_size_ = size;
  bytes.view_ = std::string_view(static_cast<const char*>(mapping), size);
  return bytes;
}

SourceBytes::SourceBytes(SourceBytes&& other) noexcept
    : owned_(std::move(other.owned_)),
      mapping_(std::exchange(other.mapping_, nullptr)),
      mapped_size_(std::exchange(other.mapped_size_, 0)),
      released_(std::exchange(other.released_, 0)) {
  view_ = mapping_ ? std::exchange(other.view_, {}) : std::string_view(owned_);
  other.view_ = other.owned_;
}

SourceBytes& SourceBytes::operator=(SourceBytes&& other) noexcept {
  if (this != &other) {
    Unmap();
    owned_ = std::move(other.owned_);
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapped_size_ = std::exchange(other.mapped_size_, 0);
    released_ = std::exchange(other.released_, 0);
    view_ = mapping_ ? std::exchange(other.view_, {}) : std::string_view(owned_);
    other.view_ = other.owned_;
  }
  return *this;
}

SourceBytes::~SourceBytes() { Unmap(); }

void SourceBytes::Unmap() {
  if (mapping_ != nullptr) munmap(mapping_, mapped_size_);
  mapping_ = nullptr;
  mapped_size_ = 0;
}

void SourceBytes::ReleaseBefore(std::size_t offset) {
  if (mapping_ == nullptr) return;
  const std::size_t end = std::min(offset, mapped_size_) / PageSize() * PageSize();
  // A reader that starts over from the front (the hash, then the parse)
  // releases again from there.
  if (end < released_) released_ = 0;
  if (end < released_ + kReleaseStep) return;
  madvise(static_cast<char*>(mapping_) + released_, end - released_, MADV_DONTNEED);
  released_ = end;
}

std::string SourceBytes::TakeString() && {
  if (mapping_ == nullptr) return std::move(owned_);
  std::string copy(view_);
  Unmap();
  owned_ = std::move(copy);
  view_ = owned_;
  return std::move(owned_);
}

Result<FileScan> ScanFile(const std::string& path) {
  Descriptor file{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    return Error{fmt::format("{}: kan ikke åpnes for lesing ({})", path, std::strerror(errno))};
  }
  constexpr std::size_t kBuffer = 1u << 20;
  std::string buffer(kBuffer, '\0');
  Sha256 hash;
  Utf8Checker utf8;
  FileScan scan;
  for (;;) {
    const ssize_t got = read(file.fd, buffer.data(), kBuffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      return Error{fmt::format("{}: lesingen feilet ({})", path, std::strerror(errno))};
    }
    if (got == 0) break;
    const std::string_view fresh(buffer.data(), static_cast<std::size_t>(got));
    hash.Update(fresh);
    utf8.Feed(fresh);
    scan.bytes += fresh.size();
  }
  scan.valid_utf8 = utf8.Valid();
  scan.sha256 = hash.FinishHex();
  return scan;
}

}  // namespace samkart::io
