#include "samkart/io/table_writer.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <set>
#include <system_error>

#include <fmt/format.h>
#include <readstat.h>
#include <xlsxwriter.h>

#include "samkart/core/text.h"
#include "samkart/io/encoding.h"
#include "samkart/io/text_file.h"

namespace samkart::io {

namespace {

namespace fs = std::filesystem;

// SPSS limits (bytes); ReadStat would truncate silently beyond them.
constexpr std::size_t kSavMaxVariableLabelBytes = 256;
constexpr std::size_t kSavMaxValueLabelBytes = 120;
constexpr std::size_t kSavMaxStringBytes = 32767;
// Year 10000; gmtime and the formats' date fields stop before it.
constexpr std::int64_t kMaxTimestamp = 253402300800;

// Valid UTF-8 without NUL, which the C libraries would cut the text at.
bool IsCleanText(std::string_view s) {
  return text::IsValidUtf8(s) && s.find('\0') == std::string_view::npos;
}

std::string CellPlace(const std::string& path, std::size_t row, const ExportColumn& column) {
  return fmt::format("{}: datarad {}, kolonne «{}»", path, row + 1, column.name);
}

Status CheckTable(const ExportTable& table, const std::string& path,
                  const ExportWriteOptions& options) {
  if (options.timestamp <= 0 || options.timestamp >= kMaxTimestamp) {
    return Error{fmt::format("{}: tidsstempelet {} er utenfor gyldig område (1970–9999)", path,
                             options.timestamp)};
  }
  if (table.columns.empty()) return Error{fmt::format("{}: eksporten har ingen kolonner", path)};
  std::set<std::string> names;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const ExportColumn& column = table.columns[c];
    if (column.name.empty() || !IsCleanText(column.name)) {
      return Error{
          fmt::format("{}: kolonne {} har et tomt eller ugyldig navn (ikke UTF-8)", path, c + 1)};
    }
    if (!names.insert(column.name).second) {
      return Error{
          fmt::format("{}: kolonnenavnet «{}» forekommer flere ganger", path, column.name)};
    }
    if (!IsCleanText(column.label)) {
      return Error{fmt::format("{}: kolonne «{}»: spørsmålsteksten er ikke gyldig UTF-8", path,
                               column.name)};
    }
    if (!column.numeric && !column.value_labels.empty()) {
      return Error{fmt::format("{}: kolonne «{}» er en tekstkolonne og kan ikke ha verdietiketter",
                               path, column.name)};
    }
    std::set<int> codes;
    for (const auto& [code, label] : column.value_labels) {
      if (!codes.insert(code).second) {
        return Error{fmt::format("{}: kolonne «{}»: koden {} har mer enn én verdietikett", path,
                                 column.name, code)};
      }
      if (!IsCleanText(label)) {
        return Error{
            fmt::format("{}: kolonne «{}»: verdietiketten for koden {} er ikke gyldig UTF-8", path,
                        column.name, code)};
      }
    }
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    if (row.size() != table.columns.size()) {
      return Error{fmt::format("{}: datarad {} har {} celler, men eksporten har {} kolonner", path,
                               r + 1, row.size(), table.columns.size())};
    }
    for (std::size_t c = 0; c < row.size(); ++c) {
      const ExportColumn& column = table.columns[c];
      const auto& value = row[c].value;
      if (column.numeric && std::holds_alternative<std::string>(value)) {
        return Error{CellPlace(path, r, column) + ": tekst i en numerisk kolonne"};
      }
      if (!column.numeric &&
          (std::holds_alternative<int>(value) || std::holds_alternative<double>(value))) {
        return Error{CellPlace(path, r, column) + ": tall i en tekstkolonne"};
      }
      if (const auto* number = std::get_if<double>(&value); number && !std::isfinite(*number)) {
        return Error{CellPlace(path, r, column) + ": tallet er ikke endelig (NaN eller uendelig)"};
      }
      if (const auto* s = std::get_if<std::string>(&value); s && !IsCleanText(*s)) {
        return Error{CellPlace(path, r, column) + ": teksten er ikke gyldig UTF-8"};
      }
    }
  }
  return Ok();
}

const std::string* FindValueLabel(const ExportColumn& column, int code) {
  for (const auto& [labelled_code, label] : column.value_labels) {
    if (labelled_code == code) return &label;
  }
  return nullptr;
}

// Shortest text that reads back as the same double ("0.1", "2", "1e+20").
std::string FormatNumber(double number, bool decimal_comma) {
  std::string formatted = fmt::format("{}", number);
  if (decimal_comma) {
    for (char& ch : formatted) {
      if (ch == '.') ch = ',';
    }
  }
  return formatted;
}

// ---------------------------------------------------------------- CSV

std::string CsvCellText(const ExportColumn& column, const ExportCell& cell, bool labels,
                        bool decimal_comma) {
  if (const auto* code = std::get_if<int>(&cell.value)) {
    if (labels) {
      if (const std::string* label = FindValueLabel(column, *code)) return *label;
    }
    return std::to_string(*code);
  }
  if (const auto* number = std::get_if<double>(&cell.value)) {
    return FormatNumber(*number, decimal_comma);
  }
  if (const auto* s = std::get_if<std::string>(&cell.value)) return *s;
  return {};
}

// The whole CSV text; `path` names the file in error messages.
Result<std::string> CsvText(const ExportTable& table, const std::string& path,
                            const ExportWriteOptions& options, bool windows1252) {
  const char separator = windows1252 || options.semicolon_separator ? ';' : ',';
  const std::string_view line_end = windows1252 ? "\r\n" : "\n";
  const bool decimal_comma = windows1252 || options.decimal_comma;

  std::string out;
  if (!windows1252 && options.utf8_bom) out += "\xEF\xBB\xBF";
  // Appends one field; `place` names it in an error message.
  auto append = [&](const std::string& utf8, auto place) -> Status {
    if (!windows1252) {
      out += QuoteCsvField(utf8, separator);
      return Ok();
    }
    Result<std::string> encoded = Utf8ToWindows1252(utf8);
    if (!encoded) return Error{fmt::format("{}: {}", place(), encoded.error().message)};
    out += QuoteCsvField(*encoded, separator);
    return Ok();
  };

  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (c > 0) out += separator;
    const std::string& name = table.columns[c].name;
    SAMKART_TRY(append(name, [&] { return fmt::format("{}: kolonnenavnet «{}»", path, name); }));
  }
  out += line_end;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      if (c > 0) out += separator;
      const ExportColumn& column = table.columns[c];
      const std::string field =
          CsvCellText(column, table.rows[r][c], options.value_labels_as_text, decimal_comma);
      // A lone empty field would be a blank line, which readers skip.
      if (field.empty() && table.columns.size() == 1) {
        out += "\"\"";
        continue;
      }
      SAMKART_TRY(append(field, [&] { return CellPlace(path, r, column); }));
    }
    out += line_end;
  }
  return out;
}

Status WriteCsv(const ExportTable& table, const std::string& path,
                const ExportWriteOptions& options, bool windows1252) {
  SAMKART_ASSIGN_OR_RETURN(const std::string out, CsvText(table, path, options, windows1252));
  SAMKART_TRY(WriteTextFile(path, out));
  return Ok();
}

// ------------------------------------------------ temporary file + rename

// Runs write(temporary) and renames the result to `path`, so a reader never
// sees half a file; the temporary is removed when anything fails.
template <typename WriteFunction>
Status WriteViaTemporary(const std::string& path, WriteFunction write) {
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) {
    return Error{fmt::format("{}: kan ikke opprette mappen ({})", parent.string(), ec.message())};
  }
  const std::string temporary = path + ".tmp";
  Status written = write(temporary);
  if (written) {
    fs::rename(temporary, path, ec);
    if (!ec) return Ok();
    written = Error{fmt::format("{}: kan ikke skrives ({})", path, ec.message())};
  }
  fs::remove(temporary, ec);  // best effort; the first error is the one to report
  return written;
}

// ---------------------------------------------------------------- XLSX

Status FillWorkbook(lxw_workbook* workbook, const ExportTable& table, const std::string& path,
                    const ExportWriteOptions& options) {
  auto failed = [&](std::string_view what, lxw_error error) {
    return Error{fmt::format("{}: {} ({})", path, what, lxw_strerror(error))};
  };
  // libxlsxwriter stamps docProps/core.xml with the current time unless
  // `created` is set (0 means "now"; CheckTable keeps the timestamp > 0).
  lxw_doc_properties properties{};
  properties.created = static_cast<std::time_t>(options.timestamp);
  if (const lxw_error error = workbook_set_properties(workbook, &properties)) {
    return failed("kan ikke sette dokumentegenskapene", error);
  }
  if (const lxw_error error = workbook_validate_sheet_name(workbook, options.sheet_name.c_str())) {
    return failed(fmt::format("arknavnet «{}» er ugyldig", options.sheet_name), error);
  }
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, options.sheet_name.c_str());
  if (sheet == nullptr) {
    return Error{fmt::format("{}: kan ikke opprette arket «{}»", path, options.sheet_name)};
  }
  if (table.columns.size() > LXW_COL_MAX || table.rows.size() + 1 > LXW_ROW_MAX) {
    return Error{fmt::format("{}: {} rader × {} kolonner er mer enn et Excel-ark rommer", path,
                             table.rows.size() + 1, table.columns.size())};
  }
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const std::string& name = table.columns[c].name;
    if (const lxw_error error =
            worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), name.c_str(), nullptr)) {
      return failed(fmt::format("kolonnenavnet «{}» kan ikke skrives", name), error);
    }
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto xlsx_row = static_cast<lxw_row_t>(r + 1);
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const ExportColumn& column = table.columns[c];
      const auto& value = table.rows[r][c].value;
      const auto xlsx_col = static_cast<lxw_col_t>(c);
      lxw_error error = LXW_NO_ERROR;
      if (const auto* code = std::get_if<int>(&value)) {
        const std::string* label =
            options.value_labels_as_text ? FindValueLabel(column, *code) : nullptr;
        error = label != nullptr
                    ? worksheet_write_string(sheet, xlsx_row, xlsx_col, label->c_str(), nullptr)
                    : worksheet_write_number(sheet, xlsx_row, xlsx_col, *code, nullptr);
      } else if (const auto* number = std::get_if<double>(&value)) {
        error = worksheet_write_number(sheet, xlsx_row, xlsx_col, *number, nullptr);
      } else if (const auto* s = std::get_if<std::string>(&value)) {
        // An empty string leaves the cell empty: Excel has no empty text cell.
        error = worksheet_write_string(sheet, xlsx_row, xlsx_col, s->c_str(), nullptr);
      }
      if (error != LXW_NO_ERROR) {
        return Error{fmt::format("{}: cellen kan ikke skrives ({})", CellPlace(path, r, column),
                                 lxw_strerror(error))};
      }
    }
  }
  return Ok();
}

Status WriteXlsx(const ExportTable& table, const std::string& path,
                 const ExportWriteOptions& options) {
  return WriteViaTemporary(path, [&](const std::string& temporary) -> Status {
    lxw_workbook* workbook = workbook_new(temporary.c_str());
    if (workbook == nullptr) {
      return Error{fmt::format("{}: libxlsxwriter kan ikke opprette arbeidsboken", path)};
    }
    Status filled = FillWorkbook(workbook, table, path, options);
    // workbook_close writes the zip and frees the workbook, also after an error.
    const lxw_error closed = workbook_close(workbook);
    if (!filled) return filled;
    if (closed != LXW_NO_ERROR) {
      return Error{
          fmt::format("{}: Excel-filen kan ikke skrives ({})", path, lxw_strerror(closed))};
    }
    return Ok();
  });
}

// ---------------------------------------------------------------- SAV

struct ReadstatWriterFree {
  void operator()(readstat_writer_t* writer) const { readstat_writer_free(writer); }
};
struct FileClose {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

ssize_t WriteSavBytes(const void* data, std::size_t length, void* context) {
  return static_cast<ssize_t>(std::fwrite(data, 1, length, static_cast<std::FILE*>(context)));
}

// ReadStat prints the header date with localtime(). Passing the time_t whose
// local time reads as the UTC time of `timestamp` makes the bytes independent
// of the machine's time zone.
Result<std::time_t> LocalTimeShowingUtc(std::int64_t timestamp, const std::string& path) {
  const auto utc = static_cast<std::time_t>(timestamp);
  std::tm broken_down{};
  if (gmtime_r(&utc, &broken_down) == nullptr) {
    return Error{fmt::format("{}: tidsstempelet {} kan ikke tolkes", path, timestamp)};
  }
  broken_down.tm_isdst = -1;
  const std::time_t local = std::mktime(&broken_down);
  if (local == static_cast<std::time_t>(-1)) {
    return Error{fmt::format("{}: tidsstempelet {} kan ikke tolkes", path, timestamp)};
  }
  return local;
}

// The longest prefix of at most `max_bytes` that ends on a character boundary.
std::string TruncateUtf8(const std::string& s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

bool HasOnlyCodes(const ExportTable& table, std::size_t c) {
  for (const auto& row : table.rows) {
    if (std::holds_alternative<double>(row[c].value)) return false;
  }
  return true;
}

Error ReadstatFailure(const std::string& path, std::string_view what, readstat_error_t error) {
  return Error{fmt::format("{}: {} ({})", path, what, readstat_error_message(error))};
}

// The value labels of column c as a ReadStat label set; null when it has none.
Result<readstat_label_set_t*> AddSavLabelSet(readstat_writer_t* writer, const ExportColumn& column,
                                             std::size_t c, const std::string& path) {
  if (!column.numeric || column.value_labels.empty()) return nullptr;
  readstat_label_set_t* label_set =
      readstat_add_label_set(writer, READSTAT_TYPE_DOUBLE, fmt::format("labels{}", c).c_str());
  if (label_set == nullptr) {
    return Error{
        fmt::format("{}: kolonne «{}»: verdietikettene kan ikke lages", path, column.name)};
  }
  for (const auto& [code, label] : column.value_labels) {
    // Labels are the key the importer matches on, so refuse to cut them.
    if (label.size() > kSavMaxValueLabelBytes) {
      return Error{
          fmt::format("{}: kolonne «{}»: verdietiketten for koden {} er {} byte, SPSS tillater {}",
                      path, column.name, code, label.size(), kSavMaxValueLabelBytes)};
    }
    readstat_label_double_value(label_set, code, label.c_str());
  }
  return label_set;
}

// Column c as a SPSS variable with its label, value labels and format.
Result<readstat_variable_t*> AddSavVariable(readstat_writer_t* writer, const ExportTable& table,
                                            std::size_t c, const std::string& path) {
  const ExportColumn& column = table.columns[c];
  SAMKART_ASSIGN_OR_RETURN(auto label_set, AddSavLabelSet(writer, column, c, path));
  std::size_t width = 0;
  if (!column.numeric) {
    width = 1;  // SPSS has no zero-width strings
    for (const auto& row : table.rows) {
      if (const auto* s = std::get_if<std::string>(&row[c].value)) {
        width = std::max(width, s->size());
      }
    }
    if (width > kSavMaxStringBytes) {
      return Error{fmt::format("{}: kolonne «{}»: en tekst er {} byte, SPSS tillater {}", path,
                               column.name, width, kSavMaxStringBytes)};
    }
  }
  readstat_variable_t* variable =
      readstat_add_variable(writer, column.name.c_str(),
                            column.numeric ? READSTAT_TYPE_DOUBLE : READSTAT_TYPE_STRING, width);
  if (variable == nullptr) {
    return Error{fmt::format("{}: kolonne «{}»: variabelen kan ikke lages", path, column.name)};
  }
  // SPSS keeps 256 bytes of a variable label; question text is only shown.
  readstat_variable_set_label(variable,
                              TruncateUtf8(column.label, kSavMaxVariableLabelBytes).c_str());
  if (label_set != nullptr) readstat_variable_set_label_set(variable, label_set);
  // Whole codes display as "3", not SPSS's default "3.00".
  if (column.numeric && HasOnlyCodes(table, c)) readstat_variable_set_format(variable, "F8.0");
  return variable;
}

Status WriteSavRows(readstat_writer_t* writer, const ExportTable& table,
                    const std::vector<readstat_variable_t*>& variables, const std::string& path) {
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    if (const auto error = readstat_begin_row(writer)) {
      return ReadstatFailure(path, fmt::format("datarad {} kan ikke skrives", r + 1), error);
    }
    for (std::size_t c = 0; c < variables.size(); ++c) {
      const auto& value = table.rows[r][c].value;
      readstat_error_t error = READSTAT_OK;
      if (const auto* code = std::get_if<int>(&value)) {
        error = readstat_insert_double_value(writer, variables[c], *code);
      } else if (const auto* number = std::get_if<double>(&value)) {
        error = readstat_insert_double_value(writer, variables[c], *number);
      } else if (const auto* s = std::get_if<std::string>(&value)) {
        error = readstat_insert_string_value(writer, variables[c], s->c_str());
      } else {
        error = readstat_insert_missing_value(writer, variables[c]);
      }
      if (error != READSTAT_OK) {
        return Error{fmt::format("{}: verdien kan ikke skrives ({})",
                                 CellPlace(path, r, table.columns[c]),
                                 readstat_error_message(error))};
      }
    }
    if (const auto error = readstat_end_row(writer)) {
      return ReadstatFailure(path, fmt::format("datarad {} kan ikke skrives", r + 1), error);
    }
  }
  return Ok();
}

Status WriteSavFile(const ExportTable& table, const std::string& temporary, const std::string& path,
                    const ExportWriteOptions& options) {
  std::unique_ptr<readstat_writer_t, ReadstatWriterFree> writer(readstat_writer_init());
  if (!writer) return Error{fmt::format("{}: ReadStat kan ikke starte skrivingen", path)};
  if (const auto error = readstat_set_data_writer(writer.get(), &WriteSavBytes)) {
    return ReadstatFailure(path, "ReadStat kan ikke starte skrivingen", error);
  }
  Result<std::time_t> header_time = LocalTimeShowingUtc(options.timestamp, path);
  if (!header_time) return header_time.error();
  if (const auto error = readstat_writer_set_file_timestamp(writer.get(), *header_time)) {
    return ReadstatFailure(path, "kan ikke sette tidsstempelet", error);
  }
  // Row compression is what SPSS itself writes by default.
  if (const auto error = readstat_writer_set_compression(writer.get(), READSTAT_COMPRESS_ROWS)) {
    return ReadstatFailure(path, "kan ikke velge komprimering", error);
  }

  std::vector<readstat_variable_t*> variables;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    SAMKART_ASSIGN_OR_RETURN(auto variable, AddSavVariable(writer.get(), table, c, path));
    variables.push_back(variable);
  }

  std::unique_ptr<std::FILE, FileClose> file(std::fopen(temporary.c_str(), "wb"));
  if (!file) return Error{fmt::format("{}: kan ikke åpnes for skriving", temporary)};
  if (const auto error = readstat_begin_writing_sav(writer.get(), file.get(),
                                                    static_cast<long>(table.rows.size()))) {
    return ReadstatFailure(path, "SPSS-filen kan ikke påbegynnes", error);
  }
  if (const auto error = readstat_validate_metadata(writer.get())) {
    return ReadstatFailure(path, "ugyldige metadata for SPSS", error);
  }
  for (std::size_t c = 0; c < variables.size(); ++c) {
    if (const auto error = readstat_validate_variable(writer.get(), variables[c])) {
      return ReadstatFailure(
          path, fmt::format("kolonne «{}» kan ikke bli en SPSS-variabel", table.columns[c].name),
          error);
    }
  }
  SAMKART_TRY(WriteSavRows(writer.get(), table, variables, path));
  if (const auto error = readstat_end_writing(writer.get())) {
    return ReadstatFailure(path, "SPSS-filen kan ikke avsluttes", error);
  }
  if (std::fclose(file.release()) != 0) {
    return Error{fmt::format("{}: skrivingen feilet", temporary)};
  }
  return Ok();
}

}  // namespace

std::string QuoteCsvField(std::string_view field, char separator) {
  if (field.find_first_of(std::string{separator, '"', '\r', '\n'}) == std::string_view::npos) {
    return std::string(field);
  }
  std::string quoted = "\"";
  for (const char ch : field) {
    if (ch == '"') quoted += '"';
    quoted += ch;
  }
  quoted += '"';
  return quoted;
}

std::string_view ExportFormatExtension(ExportFormat format) {
  switch (format) {
    case ExportFormat::kCsvUtf8:
    case ExportFormat::kCsvWindows1252:
      return "csv";
    case ExportFormat::kXlsx:
      return "xlsx";
    case ExportFormat::kSav:
      return "sav";
  }
  return "";
}

Status WriteExport(const ExportTable& table, ExportFormat format, const std::string& path,
                   const ExportWriteOptions& options) {
  SAMKART_TRY(CheckTable(table, path, options));
  switch (format) {
    case ExportFormat::kCsvUtf8:
      return WriteCsv(table, path, options, /*windows1252=*/false);
    case ExportFormat::kCsvWindows1252:
      return WriteCsv(table, path, options, /*windows1252=*/true);
    case ExportFormat::kXlsx:
      return WriteXlsx(table, path, options);
    case ExportFormat::kSav:
      return WriteViaTemporary(path, [&](const std::string& temporary) {
        return WriteSavFile(table, temporary, path, options);
      });
  }
  return Error{fmt::format("{}: ukjent eksportformat", path)};
}

Result<std::string> ExportCsvText(const ExportTable& table, const ExportWriteOptions& options) {
  const std::string place = "CSV";
  SAMKART_TRY(CheckTable(table, place, options));
  return CsvText(table, place, options, /*windows1252=*/false);
}

}  // namespace samkart::io
