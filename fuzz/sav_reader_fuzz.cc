// Fuzz target for the SPSS reader (.sav and .zsav, through ReadStat): the
// input is the whole file, opened with OpenSource and read to the end. Built
// with libFuzzer, or with replay_main.cc to run the committed corpus as a test.
#include "source_fuzz.h"

using samkart::fuzzing::Check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string name = "fuzz.sav";
  auto reader = samkart::fuzzing::OpenForFuzzing(data, size, samkart::io::SourceFormat::kSav, name);
  if (!reader) return 0;
  Check(reader->info().format.starts_with("SPSS .") && reader->info().row_unit == "case");
  std::size_t cases = 0;
  samkart::fuzzing::DrainAndCheck(
      *reader, name, samkart::fuzzing::kFuzzMaxCellBytes, [&](const samkart::io::SourceRow& row) {
        Check(row.number == ++cases);  // case numbers count from 1 without gaps
      });
  return 0;
}
