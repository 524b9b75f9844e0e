// A computed table as text for people, CSV and JSON for programs, and as an
// export table for XLSX. All formats carry n, count, share, the interval and
// a suppressed flag per cell; labels are Norwegian.
#pragma once

#include <string>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/table.h"
#include "samkart/core/text.h"
#include "samkart/instrument/instrument.h"
#include "samkart/io/table_writer.h"

namespace samkart::present {

// Label of a breakdown value: «Barnehage», «Vikheim (syntetisk)», «2021».
std::string GroupValueLabel(const analysis::Dataset& data, const instrument::Instrument& instrument,
                            analysis::Variable variable, int value);

std::string FormatTableText(const analysis::Table& table, const analysis::Dataset& data,
                            const instrument::Instrument& instrument);
std::string FormatTableCsv(const analysis::Table& table, const analysis::Dataset& data,
                           const instrument::Instrument& instrument);
std::string FormatTableJson(const analysis::Table& table, const analysis::Dataset& data,
                            const instrument::Instrument& instrument);
io::ExportTable ToExportTable(const analysis::Table& table, const analysis::Dataset& data,
                              const instrument::Instrument& instrument);

// What every output of the internal mode (all cells, unprotected) says.
inline constexpr const char* kInternalMark = "Internt – ikke for publisering";
// The mark on a text, CSV or JSON output (format "text", "csv", "json").
std::string MarkInternal(const std::string& output, const std::string& format);
// The mark as the first column of every row of an XLSX export.
void MarkInternal(io::ExportTable& table);

// A group nobody in it answered (or was asked): never a share.
inline constexpr const char* kNoAnswersMark = "ingen svar";

using text::NeutraliseFormula;

}  // namespace samkart::present
