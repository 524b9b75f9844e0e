// Reading survey-tool exports row by row, whatever their format: CSV in any of
// the encodings and separators Norwegian tools write, XLSX, SPSS .sav/.zsav and
// Stata .dta. The importer sees one interface: named columns (with value labels
// where the format has them) and rows of cells, each cell as text and, where
// the format stores numbers, as a number too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/io/source_bytes.h"

namespace samkart::io {

// A cell larger than this is refused (hostile or broken input), whatever the format.
inline constexpr std::size_t kSourceMaxCellBytes = 64u * 1024;
inline constexpr std::size_t kSourceMaxColumns = 4096;
// Above this a file is not a municipality's survey export (nor a national
// merge of them); refusing early keeps a mistaken path from filling memory.
inline constexpr std::uintmax_t kMaxSourceFileBytes = 8ull << 30;

struct SourceColumn {
  std::string name;   // trimmed of surrounding spaces by every reader
  std::string label;  // variable label (SPSS, Stata); empty otherwise
  // Value labels (SPSS, Stata): the code stored and the category it stands for.
  std::vector<std::pair<double, std::string>> value_labels;
};

struct SourceRow {
  // Where the row is in the file, in the unit info().row_unit names: the CSV
  // line it starts on, the spreadsheet row number, the SPSS/Stata case number.
  std::size_t number = 0;
  // The row a spreadsheet shows (the header is row 1); for a CSV file whose
  // earlier cells hold line breaks it is less than the line. 0: as number.
  std::size_t spreadsheet_row = 0;
  std::vector<std::string> text;  // one per column; "" when the cell is empty
  // One per column: the stored number for numeric cells of SPSS, Stata and
  // XLSX; nullopt for text cells, empty cells, system-missing and all CSV.
  std::vector<std::optional<double>> numbers;
};

enum class SourceEncoding { kAuto, kUtf8, kWindows1252 };

struct SourceOptions {
  std::string sheet;                                // XLSX: the sheet to read; empty = the first
  SourceEncoding encoding = SourceEncoding::kAuto;  // CSV only
  std::size_t max_cell_bytes = kSourceMaxCellBytes;
  // CSV: whether the whole file is UTF-8, when a scan elsewhere (the
  // import's hash) has found out; unset, the reader checks it itself.
  std::optional<bool> known_valid_utf8;
};

struct SourceInfo {
  std::string format;            // «CSV», «XLSX», «SPSS .sav», «SPSS .zsav», «Stata .dta»
  std::string details;           // what was detected, in Norwegian: «UTF-8 med BOM, semikolon»
  std::string row_unit = "rad";  // «linje» for CSV, «rad» for XLSX, «case» for SPSS/Stata
  std::vector<std::string> sheets{};  // XLSX: every sheet of the workbook, in its order
};

// A pull reader. Next() until it returns false; then error() is empty at the
// end of the data or says what went wrong, naming the file and the row.
class SourceReader {
 public:
  virtual ~SourceReader() = default;
  virtual const SourceInfo& info() const = 0;
  virtual const std::vector<SourceColumn>& columns() const = 0;
  // Fills `row` with the next data row (text and numbers have one entry per
  // column; short rows are padded with empty cells). False at the end or on error.
  virtual bool Next(SourceRow& row) = 0;
  virtual const std::string& error() const = 0;
  // Fraction of the input consumed so far (0–1), for a progress bar.
  virtual double progress() const = 0;
};

enum class SourceFormat { kCsv, kXlsx, kSav, kDta };

// Guesses the format from the first bytes (zip, SPSS and Stata signatures),
// falling back to the file name's extension and then to CSV.
SourceFormat DetectSourceFormat(std::string_view bytes, const std::string& file_name);

// Opens a reader over a whole file, held in memory or mapped (a CSV export
// is then read front to back in bounded memory). `display_name` is what
// error messages call the file. Errors in the header (no header, duplicated
// or empty column names, a zip without the sheet) are returned here; errors
// in the data come from Next().
Result<std::unique_ptr<SourceReader>> OpenSource(SourceBytes bytes, SourceFormat format,
                                                 const std::string& display_name,
                                                 const SourceOptions& options = {});

// Maps the file and opens it in the format it has.
Result<std::unique_ptr<SourceReader>> OpenSourceFile(const std::string& path,
                                                     const SourceOptions& options = {});

// Per-format entry points behind OpenSource (source_csv.cc, source_xlsx.cc,
// source_readstat.cc).
Result<std::unique_ptr<SourceReader>> OpenCsvSource(SourceBytes bytes,
                                                    const std::string& display_name,
                                                    const SourceOptions& options);
Result<std::unique_ptr<SourceReader>> OpenXlsxSource(std::string bytes,
                                                     const std::string& display_name,
                                                     const SourceOptions& options);
// SPSS .sav/.zsav (kSav) or Stata .dta (kDta), through ReadStat.
Result<std::unique_ptr<SourceReader>> OpenReadStatSource(std::string bytes, SourceFormat format,
                                                         const std::string& display_name,
                                                         const SourceOptions& options);

// Header checks every format shares: no empty names, no duplicates (a
// duplicated column would make two answers claim one item).
Status CheckColumnNames(const std::vector<SourceColumn>& columns, const std::string& display_name);

}  // namespace samkart::io
