// Fuzz target for the XLSX reader: the input is the whole .xlsx file, opened
// with OpenSource and read to the end. Built with libFuzzer, or with
// replay_main.cc to run the committed corpus as a test.
#include "source_fuzz.h"

using samkart::fuzzing::Check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string name = "fuzz.xlsx";
  auto reader =
      samkart::fuzzing::OpenForFuzzing(data, size, samkart::io::SourceFormat::kXlsx, name);
  if (!reader) return 0;
  Check(reader->info().format == "XLSX" && reader->info().row_unit == "rad");
  std::size_t last_number = 0;
  double last_progress = reader->progress();
  samkart::fuzzing::DrainAndCheck(
      *reader, name, samkart::fuzzing::kFuzzMaxCellBytes, [&](const samkart::io::SourceRow& row) {
        Check(row.number > last_number);  // spreadsheet rows only go down
        last_number = row.number;
        bool has_content = false;
        for (const auto& cell : row.text) has_content = has_content || !cell.empty();
        Check(has_content);  // empty rows are skipped
        const double progress = reader->progress();
        Check(progress >= last_progress);
        last_progress = progress;
      });
  if (reader->error().empty()) Check(reader->progress() == 1.0);
  return 0;
}
