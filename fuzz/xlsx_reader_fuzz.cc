// Fuzz target for the XLSX reader: the input is the whole .xlsx file, opened
// with OpenSource and read to the end. Built with libFuzzer, or with
// replay_main.cc to run the committed corpus as a test.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "samkart/io/source_reader.h"

namespace {

// Small, so the fuzzer reaches the limit checks and not only the happy path.
constexpr std::size_t kFuzzMaxCellBytes = 256;
const std::string kName = "fuzz.xlsx";

// abort() rather than assert(): the checks must hold in release builds too.
void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  samkart::io::SourceOptions options;
  options.max_cell_bytes = kFuzzMaxCellBytes;
  auto opened = samkart::io::OpenSource(std::string(reinterpret_cast<const char*>(data), size),
                                        samkart::io::SourceFormat::kXlsx, kName, options);
  if (!opened.ok()) {
    Check(opened.error().message.starts_with(kName + ": "));
    return 0;
  }
  samkart::io::SourceReader& reader = *opened.value();
  const std::size_t width = reader.columns().size();
  Check(width > 0 && width <= samkart::io::kSourceMaxColumns);
  for (const auto& column : reader.columns()) Check(!column.name.empty());
  Check(reader.info().format == "XLSX" && reader.info().row_unit == "rad");

  samkart::io::SourceRow row;
  std::size_t last_number = 0;
  double last_progress = reader.progress();
  while (reader.Next(row)) {
    Check(row.text.size() == width && row.numbers.size() == width);
    Check(row.number > last_number);  // spreadsheet rows only go down
    last_number = row.number;
    bool has_content = false;
    for (std::size_t i = 0; i < width; ++i) {
      Check(row.text[i].size() <= kFuzzMaxCellBytes);
      // A number always shows as text, and is finite.
      if (row.numbers[i]) Check(!row.text[i].empty() && std::isfinite(*row.numbers[i]));
      has_content = has_content || !row.text[i].empty();
    }
    Check(has_content);  // empty rows are skipped
    const double progress = reader.progress();
    Check(progress >= last_progress && progress <= 1.0);
    last_progress = progress;
  }
  const std::string error = reader.error();
  Check(error.empty() || error.starts_with(kName + ": "));
  Check(!reader.Next(row));  // stays finished
  Check(reader.error() == error);
  if (error.empty()) Check(reader.progress() == 1.0);
  return 0;
}
