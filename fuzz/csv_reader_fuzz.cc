// Fuzz target for the CSV reader. Byte 0 picks the delimiter (',' ';' '\t' by
// value % 3); the rest is the file. Built with libFuzzer, or with
// replay_main.cc to run the committed corpus as a test.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "samkart/io/csv_reader.h"

namespace {

// Small limits, well under libFuzzer's default -max_len of 4096, so the
// fuzzer reaches the limit checks and not only the happy path.
constexpr std::size_t kFuzzMaxFieldBytes = 1024;
constexpr std::size_t kFuzzMaxColumns = 64;

// abort() rather than assert(): the checks must hold in release builds too.
void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  constexpr char kDelimiters[] = {',', ';', '\t'};
  samkart::io::CsvOptions options;
  options.delimiter = kDelimiters[data[0] % 3];
  options.max_field_bytes = kFuzzMaxFieldBytes;
  options.max_columns = kFuzzMaxColumns;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  samkart::io::CsvReader reader(text, options);
  samkart::io::CsvRecord record;
  std::size_t records = 0;
  std::size_t last_line = 0;
  while (reader.Next(record)) {
    // The limits hold for every record that is returned.
    Check(!record.fields.empty() && record.fields.size() <= options.max_columns);
    for (const auto& field : record.fields) Check(field.size() <= options.max_field_bytes);
    Check(record.line > last_line);
    last_line = record.line;
    ++records;
  }
  Check(!reader.Next(record));  // stays finished

  // ParseCsv is the same reader: header plus rows, or the reader's error.
  const auto table = samkart::io::ParseCsv(text, options);
  if (!reader.error().empty()) {
    Check(!table.ok() && table.error().message == reader.error());
  } else if (records == 0) {
    Check(!table.ok());
  } else {
    Check(table.ok() && table->rows.size() == records - 1);
  }
  return 0;
}
