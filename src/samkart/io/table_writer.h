// Writes one survey-tool export (a rectangular table of answers) as CSV,
// Excel or SPSS, the formats the importer reads back. The synthetic-data
// generator fills an ExportTable; WriteExport renders it in one format.
//
// Output is byte-for-byte deterministic: the same table and options give the
// same file on every run, on every machine. The timestamps XLSX and SAV embed
// come from ExportWriteOptions::timestamp, never from the clock.
//
// All text (names, labels, strings) is data and is written verbatim, with
// the quoting or escaping each format needs. Nothing neutralises cells that
// start with "=", "+", "-" or "@" (formula injection when a CSV is opened in
// Excel): these files are synthetic test exports, not downloads for users.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "samkart/core/result.h"

namespace samkart::io {

struct ExportColumn {
  std::string name;   // variable name, e.g. "risiko_bullied"
  std::string label;  // question text; the SPSS variable label
  // Numeric columns hold codes and numbers; text columns hold strings.
  bool numeric = true;
  // Code -> label; SPSS value labels, and CSV/XLSX text when
  // ExportWriteOptions::value_labels_as_text is set. Numeric columns only.
  std::vector<std::pair<int, std::string>> value_labels;
};

// One cell: missing, an integer code, a number or UTF-8 text. Build it with
// the factories: ExportCell::Code(3), ExportCell::Text("Oslo").
struct ExportCell {
  std::variant<std::monostate, int, double, std::string> value;

  static ExportCell Missing() { return {}; }
  static ExportCell Code(int code) { return {code}; }
  static ExportCell Number(double number) { return {number}; }
  static ExportCell Text(std::string text) { return {std::move(text)}; }

  bool is_missing() const { return std::holds_alternative<std::monostate>(value); }
};

// Every row has one cell per column. Numeric columns take Missing, Code and
// Number cells; text columns take Missing and Text cells.
struct ExportTable {
  std::vector<ExportColumn> columns;
  std::vector<std::vector<ExportCell>> rows;
};

enum class ExportFormat {
  kCsvUtf8,         // "," separated, LF, "." decimals unless decimal_comma
  kCsvWindows1252,  // ";" separated, CRLF, "," decimals: Norwegian Excel
  kXlsx,            // one sheet, column names in the first row
  kSav,             // SPSS system file with variable and value labels
};

// "csv", "xlsx" or "sav", without the dot.
std::string_view ExportFormatExtension(ExportFormat format);

// 2000-01-01T00:00:00Z, seconds since the Unix epoch.
inline constexpr std::int64_t kExportDefaultTimestamp = 946684800;

struct ExportWriteOptions {
  // CSV and XLSX: write a coded answer as its value label («I ganske stor
  // grad») when the column has one for that code, as many survey tools
  // export; codes without a label stay numbers. SAV always stores codes.
  bool value_labels_as_text = false;
  // CSV UTF-8: write 2,5 instead of 2.5. The Windows-1252 CSV always does.
  bool decimal_comma = false;
  // CSV UTF-8: start the file with a byte order mark, as Excel writes it.
  bool utf8_bom = false;
  // XLSX: worksheet name; Excel's rules apply (at most 31 characters, none
  // of [ ] : * ? / \).
  std::string sheet_name = "Data";
  // XLSX and SAV: creation time written into the file, seconds since the
  // Unix epoch (UTC). SAV stores the UTC date and time of it.
  std::int64_t timestamp = kExportDefaultTimestamp;
  // CSV UTF-8: separate fields with «;», as Norwegian Excel expects (with
  // decimal_comma, since «,» is then the decimal mark).
  bool semicolon_separator = false;
};

// RFC 4180: quotes a field holding the separator, a quote, CR or LF, and
// doubles the quotes inside it.
std::string QuoteCsvField(std::string_view field, char separator = ',');

// Checks the table, then writes `path` (creating its folder) through a
// temporary file beside it, so a reader never sees half a file. Errors are in
// Norwegian and name the file, and the row and column where they apply; data
// rows are numbered from 1, not counting the header.
Status WriteExport(const ExportTable& table, ExportFormat format, const std::string& path,
                   const ExportWriteOptions& options = {});

// The UTF-8 CSV that WriteExport would write, in memory (for a download).
Result<std::string> ExportCsvText(const ExportTable& table, const ExportWriteOptions& options = {});

}  // namespace samkart::io
