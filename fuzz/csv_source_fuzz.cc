// Fuzz target for the CSV import source: encoding detection (UTF-8, BOM,
// Windows-1252, UTF-16 refusal), separator detection and per-field decoding
// on top of the CSV parser. Byte 0 picks the encoding option (auto, UTF-8,
// Windows-1252 by value % 3); the rest is the file.
#include "samkart/core/text.h"

#include "source_fuzz.h"

using samkart::fuzzing::Check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  constexpr samkart::io::SourceEncoding kEncodings[] = {samkart::io::SourceEncoding::kAuto,
                                                        samkart::io::SourceEncoding::kUtf8,
                                                        samkart::io::SourceEncoding::kWindows1252};
  samkart::io::SourceOptions options;
  options.encoding = kEncodings[data[0] % 3];
  const std::string name = "fuzz.csv";
  auto reader = samkart::fuzzing::OpenForFuzzing(data + 1, size - 1,
                                                 samkart::io::SourceFormat::kCsv, name, options);
  if (!reader) return 0;
  for (const auto& column : reader->columns()) Check(samkart::text::IsValidUtf8(column.name));
  std::size_t last_line = 1;
  // A Windows-1252 byte decodes to at most three UTF-8 bytes.
  samkart::fuzzing::DrainAndCheck(*reader, name, 3 * samkart::fuzzing::kFuzzMaxCellBytes,
                                  [&](const samkart::io::SourceRow& row) {
                                    Check(row.number > last_line);
                                    last_line = row.number;
                                    for (const auto& cell : row.text) {
                                      Check(samkart::text::IsValidUtf8(cell));
                                    }
                                  });
  return 0;
}
