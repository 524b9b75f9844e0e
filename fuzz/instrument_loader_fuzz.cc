// Fuzz target for the instrument loader. Byte 0 picks one embedded instrument
// file (value % file count, in the sorted order of data/instrument); the rest
// replaces its content. Whatever the bytes, the loader must return
// diagnostics, never crash. With today's 14 files the seeds use 'p' for
// background/positions.csv through '}' for scales.csv (see fuzz/README.md).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "samkart/instrument/embedded.h"
#include "samkart/instrument/loader.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // One copy for the whole run; each input swaps one file in and back out
  // instead of copying ~450 KB of instrument per input.
  static std::vector<samkart::io::TextFile> files = samkart::instrument::EmbeddedInstrumentFiles();
  if (files.empty()) return 0;
  samkart::io::TextFile& file = files[data[0] % files.size()];
  std::string original = std::move(file.content);
  file.content.assign(reinterpret_cast<const char*>(data) + 1, size - 1);

  const samkart::instrument::LoadResult result = samkart::instrument::LoadInstrument(files, "");
  Check(result.ok() == result.problems.empty());
  for (const auto& problem : result.problems) Check(!problem.file.empty());

  file.content = std::move(original);
  return 0;
}
