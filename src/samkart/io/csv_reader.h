// RFC 4180 CSV over an in-memory UTF-8 buffer: quoted fields with embedded
// separators, doubled quotes and newlines; CRLF or LF; an optional BOM.
// Every record knows the line it starts on, so errors can name it.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "samkart/core/result.h"

namespace samkart::io {

// Limits against hostile input, named as cpp-httplib names its limits.
inline constexpr std::size_t kCsvMaxFieldBytes = 1u << 20;
inline constexpr std::size_t kCsvMaxColumns = 4096;

struct CsvOptions {
  char delimiter = ',';
  std::size_t max_field_bytes = kCsvMaxFieldBytes;
  std::size_t max_columns = kCsvMaxColumns;
};

struct CsvRecord {
  std::size_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

// Pull parser: call Next() until it returns false, then check error().
class CsvReader {
 public:
  explicit CsvReader(std::string_view text, CsvOptions options = {});

  // Reads the next non-blank record. False at the end or on a syntax error.
  bool Next(CsvRecord& record);
  // Empty unless parsing failed; the message names the line.
  const std::string& error() const { return error_; }
  // The same error in parts, for callers that report lines themselves.
  std::size_t error_line() const { return error_line_; }
  const std::string& error_reason() const { return error_reason_; }
  // Bytes consumed so far, for progress reporting.
  std::size_t offset() const { return pos_; }

 private:
  bool Fail(std::size_t line, std::string message);
  // Reads one field from pos_ and stops at the separator or line end after
  // it (not consumed) or at the end of the text.
  bool ReadField(std::string& field, std::size_t start_line);

  std::string_view text_;
  CsvOptions options_;
  // The bytes that end a run of an unquoted field: separator, line ends, quote.
  std::array<bool, 256> ends_unquoted_{};
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::string error_;
  std::size_t error_line_ = 0;
  std::string error_reason_;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRecord> rows;
};

// The separator (comma, semicolon or tab) that occurs most often outside
// quotes on the first line; a comma when none does.
char DetectCsvDelimiter(std::string_view text);

// Reads a header and all rows. Rows may be shorter or longer than the header;
// callers decide whether that is an error (they know the file name).
Result<CsvTable> ParseCsv(std::string_view text, CsvOptions options = {});

}  // namespace samkart::io
