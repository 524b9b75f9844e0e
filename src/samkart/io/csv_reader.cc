#include "samkart/io/csv_reader.h"

#include <array>

#include <fmt/format.h>

namespace samkart::io {

CsvReader::CsvReader(std::string_view text, CsvOptions options) : text_(text), options_(options) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool CsvReader::Fail(std::size_t line, std::string message) {
  error_ = fmt::format("linje {}: {}", line, message);
  error_line_ = line;
  error_reason_ = std::move(message);
  pos_ = text_.size();
  return false;
}

bool CsvReader::Next(CsvRecord& record) {
  if (!error_.empty()) return false;
  while (pos_ < text_.size()) {
    // Skip blank lines between records.
    if (text_[pos_] == '\n') {
      ++pos_;
      ++line_;
      continue;
    }
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
      pos_ += 2;
      ++line_;
      continue;
    }
    break;
  }
  if (pos_ >= text_.size()) return false;

  record.line = line_;
  record.fields.clear();
  std::string field;
  bool quoted = false;       // inside a quoted field
  bool was_quoted = false;   // the current field started with a quote
  bool after_quote = false;  // a quoted field just closed
  const std::size_t start_line = line_;

  auto end_field = [&]() -> bool {
    if (record.fields.size() >= options_.max_columns) {
      return Fail(start_line, fmt::format("mer enn {} kolonner", options_.max_columns));
    }
    record.fields.push_back(std::move(field));
    field.clear();
    was_quoted = false;
    after_quote = false;
    return true;
  };

  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (quoted) {
      // No early continue: a doubled quote grows the field too, so every
      // branch must reach the size check below.
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field += '"';
          pos_ += 2;
        } else {
          quoted = false;
          after_quote = true;
          ++pos_;
        }
      } else {
        if (c == '\n') ++line_;
        field += c;
        ++pos_;
      }
    } else if (c == options_.delimiter) {
      ++pos_;
      if (!end_field()) return false;
    } else if (c == '\n' || (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n')) {
      pos_ += (c == '\r') ? 2 : 1;
      ++line_;
      return end_field();
    } else if (after_quote) {
      return Fail(line_, fmt::format("tegnet '{}' etter et avsluttende anførselstegn", c));
    } else if (c == '"') {
      if (!field.empty() || was_quoted) {
        return Fail(line_, "anførselstegn midt i et felt som ikke er sitert");
      }
      quoted = true;
      was_quoted = true;
      ++pos_;
    } else {
      field += c;
      ++pos_;
    }
    if (field.size() > options_.max_field_bytes) {
      return Fail(start_line,
                  fmt::format("et felt er større enn {} byte", options_.max_field_bytes));
    }
  }
  if (quoted) return Fail(start_line, "anførselstegnet som åpner feltet, lukkes aldri");
  return end_field();
}

Result<CsvTable> ParseCsv(std::string_view text, CsvOptions options) {
  CsvReader reader(text, options);
  CsvTable table;
  CsvRecord record;
  if (!reader.Next(record)) {
    if (!reader.error().empty()) return Error{reader.error()};
    return Error{"filen er tom (mangler overskriftsrad)"};
  }
  table.header = std::move(record.fields);
  while (reader.Next(record)) table.rows.push_back(record);
  if (!reader.error().empty()) return Error{reader.error()};
  return table;
}

char DetectCsvDelimiter(std::string_view text) {
  std::array<std::size_t, 3> counts{};
  constexpr std::array<char, 3> kCandidates = {',', ';', '\t'};
  bool quoted = false;
  for (const char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    for (std::size_t i = 0; i < kCandidates.size(); ++i) {
      if (c == kCandidates[i]) ++counts[i];
    }
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < counts.size(); ++i) {
    if (counts[i] > counts[best]) best = i;
  }
  return kCandidates[best];
}

}  // namespace samkart::io
