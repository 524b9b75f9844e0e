#include "samkart/io/csv_reader.h"

#include <array>

#include <fmt/format.h>

namespace samkart::io {

CsvReader::CsvReader(std::string_view text, CsvOptions options) : text_(text), options_(options) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  for (const char c : {options_.delimiter, '\n', '\r', '"'}) {
    ends_unquoted_[static_cast<unsigned char>(c)] = true;
  }
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
  const std::size_t start_line = line_;
  // Fields are assigned in place, so a reader that reuses its record keeps
  // every field's buffer from one row to the next.
  std::size_t count = 0;
  for (;;) {
    if (count >= options_.max_columns) {
      return Fail(start_line, fmt::format("mer enn {} kolonner", options_.max_columns));
    }
    if (count == record.fields.size()) record.fields.emplace_back();
    std::string& field = record.fields[count++];
    field.clear();
    if (!ReadField(field, start_line)) return false;
    if (pos_ >= text_.size()) break;
    const char c = text_[pos_];
    if (c == options_.delimiter) {
      ++pos_;
      // A separator at the very end still ends a field: the last one is empty.
      if (pos_ >= text_.size()) {
        if (count >= options_.max_columns) {
          return Fail(start_line, fmt::format("mer enn {} kolonner", options_.max_columns));
        }
        if (count == record.fields.size()) record.fields.emplace_back();
        record.fields[count++].clear();
        break;
      }
      continue;
    }
    // ReadField stops only at a separator, a line end or the end of the text.
    pos_ += (c == '\r') ? 2 : 1;
    ++line_;
    break;
  }
  record.fields.resize(count);
  return true;
}

bool CsvReader::ReadField(std::string& field, std::size_t start_line) {
  const std::size_t size = text_.size();
  const auto too_large = [&] {
    return Fail(start_line, fmt::format("et felt er større enn {} byte", options_.max_field_bytes));
  };
  if (pos_ < size && text_[pos_] == '"') {
    ++pos_;
    for (;;) {
      const std::size_t quote = text_.find('"', pos_);
      const std::size_t run_end = quote == std::string_view::npos ? size : quote;
      for (std::size_t i = pos_; i < run_end; ++i) line_ += text_[i] == '\n' ? 1 : 0;
      field.append(text_.data() + pos_, run_end - pos_);
      pos_ = run_end;
      if (field.size() > options_.max_field_bytes) return too_large();
      if (quote == std::string_view::npos) {
        return Fail(start_line, "anførselstegnet som åpner feltet, lukkes aldri");
      }
      if (quote + 1 < size && text_[quote + 1] == '"') {
        field += '"';
        pos_ = quote + 2;
        if (field.size() > options_.max_field_bytes) return too_large();
        continue;
      }
      pos_ = quote + 1;
      break;
    }
    if (pos_ >= size) return true;
    const char c = text_[pos_];
    if (c == options_.delimiter || c == '\n' ||
        (c == '\r' && pos_ + 1 < size && text_[pos_ + 1] == '\n')) {
      return true;
    }
    return Fail(line_, fmt::format("tegnet '{}' etter et avsluttende anførselstegn", c));
  }
  for (;;) {
    std::size_t end = pos_;
    while (end < size && !ends_unquoted_[static_cast<unsigned char>(text_[end])]) ++end;
    field.append(text_.data() + pos_, end - pos_);
    pos_ = end;
    if (field.size() > options_.max_field_bytes) return too_large();
    if (pos_ >= size) return true;
    const char c = text_[pos_];
    if (c == '"') return Fail(line_, "anførselstegn midt i et felt som ikke er sitert");
    // A carriage return not followed by a line feed is part of the field.
    if (c == '\r' && !(pos_ + 1 < size && text_[pos_ + 1] == '\n')) {
      field += '\r';
      ++pos_;
      if (field.size() > options_.max_field_bytes) return too_large();
      continue;
    }
    return true;
  }
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
