// Loads and validates an instrument from its CSV files. Validation reports
// every problem at once (file, line, what is wrong), as an analyst fixing a
// spreadsheet wants, instead of stopping at the first.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "samkart/instrument/instrument.h"
#include "samkart/io/text_file.h"

namespace samkart::instrument {

struct Diagnostic {
  std::string file;
  std::size_t line = 0;  // 0 when the problem concerns the whole file
  std::string message;

  std::string ToString() const;  // "file:line: message"
};

struct LoadResult {
  std::optional<Instrument> instrument;  // set only when there are no problems
  std::vector<Diagnostic> problems;
  // False when problems in the core files stopped the crosswalk check.
  bool crosswalks_checked = false;

  bool ok() const { return instrument.has_value(); }
};

// `files` carry paths relative to the instrument folder ("families.csv",
// "background/services.csv", "crosswalks/g1.csv"); `root` prefixes them in
// messages.
LoadResult LoadInstrument(const std::vector<io::TextFile>& files, const std::string& root);

LoadResult LoadInstrumentFromDirectory(const std::string& dir);

LoadResult LoadEmbeddedInstrument();

// The instrument in `dir` (embedded when empty) with more crosswalks: the
// keys a user wrote for exports of their own (`--crosswalk FIL`). Each is
// read as crosswalks/<file name>; messages name the path given.
LoadResult LoadInstrumentWithCrosswalks(const std::string& dir,
                                        const std::vector<std::string>& crosswalk_paths);

// The instrument folder layout, for messages and documentation.
inline constexpr const char* kInstrumentFiles[] = {"scales.csv",
                                                   "families.csv",
                                                   "items.csv",
                                                   "generations.csv",
                                                   "background/services.csv",
                                                   "background/positions.csv",
                                                   "background/size_groups.csv",
                                                   "background/regions.csv",
                                                   "background/round_types.csv"};
// Files an instrument folder may leave out.
inline constexpr const char* kOptionalInstrumentFiles[] = {
    "report_figures.csv", "knowledge_areas.csv", "transitions.csv"};
inline constexpr const char* kCrosswalkFolder = "crosswalks/";

}  // namespace samkart::instrument
