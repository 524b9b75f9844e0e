// Fuzz target for the CSV import source: encoding detection (UTF-8, BOM,
// Windows-1252, UTF-16 refusal), separator detection and per-field decoding
// on top of the CSV parser. Byte 0 picks the encoding option (auto, UTF-8,
// Windows-1252 by value % 3); the rest is the file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "samkart/core/text.h"
#include "samkart/io/source_reader.h"

namespace {

constexpr std::size_t kFuzzMaxCellBytes = 256;
const std::string kName = "fuzz.csv";

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  constexpr samkart::io::SourceEncoding kEncodings[] = {samkart::io::SourceEncoding::kAuto,
                                                        samkart::io::SourceEncoding::kUtf8,
                                                        samkart::io::SourceEncoding::kWindows1252};
  samkart::io::SourceOptions options;
  options.encoding = kEncodings[data[0] % 3];
  options.max_cell_bytes = kFuzzMaxCellBytes;
  auto opened =
      samkart::io::OpenSource(std::string(reinterpret_cast<const char*>(data + 1), size - 1),
                              samkart::io::SourceFormat::kCsv, kName, options);
  if (!opened.ok()) {
    Check(opened.error().message.starts_with(kName + ": "));
    return 0;
  }
  samkart::io::SourceReader& reader = *opened.value();
  const std::size_t width = reader.columns().size();
  Check(width > 0 && width <= samkart::io::kSourceMaxColumns);
  for (const auto& column : reader.columns()) {
    Check(!column.name.empty() && samkart::text::IsValidUtf8(column.name));
  }
  samkart::io::SourceRow row;
  std::size_t last_line = 1;
  while (reader.Next(row)) {
    Check(row.text.size() == width && row.numbers.size() == width);
    Check(row.number > last_line);
    last_line = row.number;
    for (const auto& cell : row.text) Check(samkart::text::IsValidUtf8(cell));
  }
  Check(reader.error().empty() || reader.error().starts_with(kName + ": "));
  Check(reader.progress() >= 0 && reader.progress() <= 1.0);
  return 0;
}
