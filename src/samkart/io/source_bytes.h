// The bytes a reader parses: held in memory (an upload, a test) or a file
// mapped into the address space. A mapped export is read front to back, and
// the pages already read are handed back as the reader moves on, so a
// gigabyte export never occupies more than a window of memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "samkart/core/result.h"

namespace samkart::io {

class SourceBytes {
 public:
  // Bytes in memory. Implicit, so a string can be passed where bytes are read.
  SourceBytes(std::string bytes);  // NOLINT(google-explicit-constructor)
  // Maps a regular file read-only; refused above `max_bytes`. The file must
  // not be truncated while it is mapped (the import reads its own copy of an
  // upload, and a user's export is not written to while it is imported).
  static Result<SourceBytes> MapFile(const std::string& path, std::uintmax_t max_bytes);

  SourceBytes(SourceBytes&& other) noexcept;
  SourceBytes& operator=(SourceBytes&& other) noexcept;
  SourceBytes(const SourceBytes&) = delete;
  SourceBytes& operator=(const SourceBytes&) = delete;
  ~SourceBytes();

  std::string_view view() const { return view_; }
  // Says that the bytes before `offset` will not be read again: a mapped
  // file's pages leave the process (they stay in the page cache, so reading
  // them once more costs a page fault, not a disk read). No-op in memory.
  void ReleaseBefore(std::size_t offset);
  // The bytes as an owned string (readers that need random access copy a
  // mapped file; such exports are small).
  std::string TakeString() &&;

 private:
  SourceBytes() = default;
  void Unmap();

  std::string owned_;
  void* mapping_ = nullptr;
  std::size_t mapped_size_ = 0;
  std::size_t released_ = 0;
  std::string_view view_;
};

// What one read of a whole file finds: its content hash and whether it is
// UTF-8 throughout (a CSV reader told so need not check it again).
struct FileScan {
  std::string sha256;
  std::uintmax_t bytes = 0;
  bool valid_utf8 = true;
};

// Reads the file with read() into a small buffer, not through a mapping,
// so it can run on another thread beside the parse without touching the
// parse's pages or its memory bound.
Result<FileScan> ScanFile(const std::string& path);

}  // namespace samkart::io
