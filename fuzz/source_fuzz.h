// What every import-source fuzz target checks, whatever the format: an
// error names the file; columns have names; each row has one text and one
// number per column, cells within the limit, numbers finite and shown as
// text; progress stays in [0, 1]; a finished reader stays finished with the
// same error. Each target adds the checks of its own format.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "samkart/io/source_reader.h"

namespace samkart::fuzzing {

// Small, so the fuzzer reaches the limit checks and not only the happy path.
inline constexpr std::size_t kFuzzMaxCellBytes = 256;

// abort() rather than assert(): the checks must hold in release builds too.
inline void Check(bool condition) {
  if (!condition) std::abort();
}

// Opens the input; on failure checks that the error names the file and
// returns null.
inline std::unique_ptr<io::SourceReader> OpenForFuzzing(const std::uint8_t* data, std::size_t size,
                                                        io::SourceFormat format,
                                                        const std::string& name,
                                                        io::SourceOptions options = {}) {
  options.max_cell_bytes = kFuzzMaxCellBytes;
  auto opened =
      io::OpenSource(std::string(reinterpret_cast<const char*>(data), size), format, name, options);
  if (!opened.ok()) {
    Check(opened.error().message.starts_with(name + ": "));
    return nullptr;
  }
  const auto& columns = opened.value()->columns();
  Check(!columns.empty() && columns.size() <= io::kSourceMaxColumns);
  for (const auto& column : columns) {
    Check(!column.name.empty());
    for (const auto& [code, label] : column.value_labels) Check(std::isfinite(code));
  }
  return std::move(opened.value());
}

// Reads to the end. `max_text_bytes` bounds a cell's text (decoding can make
// it longer than the raw cell); `check_row` adds the format's own checks.
template <typename RowCheck>
void DrainAndCheck(io::SourceReader& reader, const std::string& name, std::size_t max_text_bytes,
                   RowCheck check_row) {
  const std::size_t width = reader.columns().size();
  io::SourceRow row;
  while (reader.Next(row)) {
    Check(row.text.size() == width && row.numbers.size() == width);
    for (std::size_t i = 0; i < width; ++i) {
      Check(row.text[i].size() <= max_text_bytes);
      if (row.numbers[i]) Check(!row.text[i].empty() && std::isfinite(*row.numbers[i]));
    }
    Check(reader.progress() >= 0.0 && reader.progress() <= 1.0);
    check_row(row);
  }
  const std::string error = reader.error();
  Check(error.empty() || error.starts_with(name + ": "));
  Check(!reader.Next(row));  // stays finished
  Check(reader.error() == error);
}

}  // namespace samkart::fuzzing
