// A computed table as text for people, CSV and JSON for programs, and as an
// export table for XLSX. All formats carry n, count, share, the interval and
// a suppressed flag per cell; labels are Norwegian.
#pragma once

#include <string>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/table.h"
#include "samkart/instrument/instrument.h"
#include "samkart/io/table_writer.h"

namespace samkart::analysis {

// Label of a breakdown value: «Barnehage», «Vikheim (syntetisk)», «2021».
std::string GroupValueLabel(const Dataset& data, const instrument::Instrument& instrument,
                            Variable variable, int value);

std::string FormatTableText(const Table& table, const Dataset& data,
                            const instrument::Instrument& instrument);
std::string FormatTableCsv(const Table& table, const Dataset& data,
                           const instrument::Instrument& instrument);
std::string FormatTableJson(const Table& table, const Dataset& data,
                            const instrument::Instrument& instrument);
io::ExportTable ToExportTable(const Table& table, const Dataset& data,
                              const instrument::Instrument& instrument);

// Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
// gets a leading apostrophe.
std::string NeutraliseFormula(std::string text);

}  // namespace samkart::analysis
