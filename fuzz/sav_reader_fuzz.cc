// Fuzz target for the SPSS reader (.sav and .zsav, through ReadStat): the
// input is the whole file, opened with OpenSource and read to the end. Built
// with libFuzzer, or with replay_main.cc to run the committed corpus as a test.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "samkart/io/source_reader.h"

namespace {

// Small, so the fuzzer reaches the limit checks and not only the happy path.
constexpr std::size_t kFuzzMaxCellBytes = 256;
const std::string kName = "fuzz.sav";

// abort() rather than assert(): the checks must hold in release builds too.
void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  samkart::io::SourceOptions options;
  options.max_cell_bytes = kFuzzMaxCellBytes;
  auto opened = samkart::io::OpenSource(std::string(reinterpret_cast<const char*>(data), size),
                                        samkart::io::SourceFormat::kSav, kName, options);
  if (!opened.ok()) {
    Check(opened.error().message.starts_with(kName + ": "));
    return 0;
  }
  samkart::io::SourceReader& reader = *opened.value();
  const std::size_t width = reader.columns().size();
  Check(width > 0 && width <= samkart::io::kSourceMaxColumns);
  for (const auto& column : reader.columns()) {
    Check(!column.name.empty());
    for (const auto& [code, label] : column.value_labels) Check(std::isfinite(code));
  }
  Check(reader.info().format.starts_with("SPSS .") && reader.info().row_unit == "case");

  samkart::io::SourceRow row;
  std::size_t cases = 0;
  while (reader.Next(row)) {
    Check(row.text.size() == width && row.numbers.size() == width);
    Check(row.number == ++cases);  // case numbers count from 1 without gaps
    for (std::size_t i = 0; i < width; ++i) {
      Check(row.text[i].size() <= kFuzzMaxCellBytes);
      if (row.numbers[i]) Check(!row.text[i].empty() && std::isfinite(*row.numbers[i]));
    }
    Check(reader.progress() >= 0.0 && reader.progress() <= 1.0);
  }
  const std::string error = reader.error();
  Check(error.empty() || error.starts_with(kName + ": "));
  Check(!reader.Next(row));  // stays finished
  Check(reader.error() == error);
  return 0;
}
