// The synthetic national dataset imported once per samkart binary and kept
// in the build tree, for the tests that need the whole pipeline's output
// (the golden test, the report tests).
#pragma once

#include <filesystem>
#include <string>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include "samkart/core/result.h"

#include "support/run_samkart.h"

namespace samkart::testing_support {

namespace fs = std::filesystem;
using samkart::Error;
using samkart::Result;

// Exclusive lock on a file, released on destruction (or when the process dies).
class FileLock {
 public:
  explicit FileLock(const fs::path& path) : fd_(::open(path.c_str(), O_CREAT | O_RDWR, 0644)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

// The synthetic dataset at scale 1, exported by `samkart synth` and imported
// by `samkart import` into a store; returns the store's path.
//
// CTest runs every test in its own process, so SetUpTestSuite alone would
// generate and import once per test (about 40 s under ASan). The store is
// therefore kept in the build tree (golden_test_data/ beside src/), keyed by
// the samkart binary's size and modification time — the instrument, the
// synthetic country and the import code are all inside it. The first process
// builds it under a file lock; the others wait and reuse it.
inline Result<fs::path> ImportedStore() {
  const fs::path binary = SAMKART_BINARY;
  std::error_code error;
  const auto size = fs::file_size(binary, error);
  if (error) return Error{"no samkart binary at " + binary.string()};
  const auto modified = fs::last_write_time(binary, error).time_since_epoch().count();
  const fs::path root = binary.parent_path().parent_path() / "golden_test_data";
  fs::create_directories(root, error);
  if (error) return Error{"cannot create " + root.string() + ": " + error.message()};
  const std::string key = fmt::format("{}_{}", size, modified);
  const fs::path db = root / key / "samkart.sqlite";

  const FileLock lock(root / "lock");
  if (!lock.ok()) return Error{"cannot lock " + (root / "lock").string()};
  if (fs::exists(db)) return db;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) fs::remove_all(entry.path(), error);  // older binaries' stores
  }
  const fs::path partial = root / (key + ".partial");
  const fs::path exports = partial / "syntetisk";
  fs::create_directories(partial);
  const auto synth = testing_support::Samkart("synth --out " + exports.string());
  if (synth.exit_code != 0) return Error{"samkart synth: " + synth.output};
  const auto import = testing_support::Samkart("--db " + (partial / "samkart.sqlite").string() +
                                               " import " + exports.string());
  if (import.exit_code != 0) return Error{"samkart import: " + import.output};
  if (import.output.find("0 feilet") == std::string::npos) {
    return Error{"samkart import: some files failed:\n" + import.output};
  }
  fs::remove_all(exports);
  fs::rename(partial, root / key, error);
  if (error) return Error{"cannot rename " + partial.string() + ": " + error.message()};
  return db;
}

}  // namespace samkart::testing_support
