// Whole-file access for small text inputs (instrument files, test fixtures).
// Large survey exports are streamed by the import readers instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "samkart/core/result.h"

namespace samkart::io {

// A named text blob: a file read from disk or embedded in the binary. `path`
// is what error messages show.
struct TextFile {
  std::string path;
  std::string content;
};

// Refuses files above this size: an instrument file is a few hundred KiB.
inline constexpr std::size_t kMaxTextFileBytes = 16u << 20;

Result<TextFile> ReadTextFile(const std::string& path, std::size_t max_bytes = kMaxTextFileBytes);

// The bytes of a regular file, refused above `max_bytes` (a mistaken path to
// a disk image must not fill memory).
Result<std::string> ReadFileBytes(const std::string& path, std::uintmax_t max_bytes);

// Files under `dir` whose names end in `suffix`, as paths relative to `dir`
// with '/' separators, sorted.
Result<std::vector<std::string>> ListFiles(const std::string& dir, const std::string& suffix);

Status WriteTextFile(const std::string& path, const std::string& content);

}  // namespace samkart::io
