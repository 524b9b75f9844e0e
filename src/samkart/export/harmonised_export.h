// The harmonised national data as one file for analysts who continue in
// SPSS or R: one row per respondent, background variables and every item as
// codes with their value labels (.sav) or as codes with a label row-free CSV.
#pragma once

#include <cstddef>
#include <string>

#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"
#include "samkart/io/table_writer.h"
#include "samkart/store/store.h"

namespace samkart::exporting {

// Writes every stored respondent to `path`. Unanswered and not-asked items
// are missing values. Returns the number of rows written.
Result<std::size_t> ExportHarmonised(store::Store& store, const instrument::Instrument& instrument,
                                     io::ExportFormat format, const std::string& path);

}  // namespace samkart::exporting
