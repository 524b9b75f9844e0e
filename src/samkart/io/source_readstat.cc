// SPSS .sav/.zsav and Stata .dta through ReadStat, parsed from memory.
//
// ReadStat pushes (variables, then values case by case, then for Stata the
// value labels); these files are one municipality's answers, so the whole
// file is collected first and Next() serves it. Cells are stored compactly,
// a double per numeric cell (NaN when missing) and a string per text cell,
// and never preallocated from the case count the header claims; the total
// is capped so a file that inflates (zsav) or lies cannot fill memory.
//
// Errors in the dictionary (variables, value labels) come from
// OpenReadStatSource; an error in the data comes from Next() once the cases
// before it have been read.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <readstat.h>

#include "samkart/core/text.h"
#include "samkart/io/encoding.h"
#include "samkart/io/number_text.h"
#include "samkart/io/source_reader.h"

namespace samkart::io {

namespace {

// At most this many cells (cases × variables) are held, taking at most this
// many bytes (8 per numeric cell, a std::string per text cell), and at most
// this many bytes of text in them.
constexpr std::size_t kMaxCells = 200'000'000;
constexpr std::size_t kMaxCellStorageBytes = std::size_t{2} << 30;
constexpr std::size_t kMaxTextBytes = std::size_t{1} << 30;
// Value labels over all label sets.
constexpr std::size_t kMaxValueLabels = 1'000'000;

// ------------------------------------------------------------ memory I/O

struct MemoryFile {
  const std::string* bytes = nullptr;
  std::size_t position = 0;
};

int OpenMemory(const char*, void* io_ctx) {
  static_cast<MemoryFile*>(io_ctx)->position = 0;
  return 0;
}

int CloseMemory(void*) { return 0; }

readstat_off_t SeekMemory(readstat_off_t offset, readstat_io_flags_t whence, void* io_ctx) {
  auto* file = static_cast<MemoryFile*>(io_ctx);
  const auto size = static_cast<readstat_off_t>(file->bytes->size());
  readstat_off_t base = 0;
  switch (whence) {
    case READSTAT_SEEK_SET:
      base = 0;
      break;
    case READSTAT_SEEK_CUR:
      base = static_cast<readstat_off_t>(file->position);
      break;
    case READSTAT_SEEK_END:
      base = size;
      break;
    default:
      return -1;
  }
  // Seeking outside the file is an error here (a truncated file), not a hole.
  // (0 <= base <= size, so neither side overflows, whatever offset a file holds.)
  if (offset > size - base || offset < -base) return -1;
  file->position = static_cast<std::size_t>(base + offset);
  return static_cast<readstat_off_t>(file->position);
}

ssize_t ReadMemory(void* buffer, std::size_t length, void* io_ctx) {
  auto* file = static_cast<MemoryFile*>(io_ctx);
  const std::size_t available = file->bytes->size() - file->position;
  const std::size_t count = std::min(length, available);
  if (count > 0) std::memcpy(buffer, file->bytes->data() + file->position, count);
  file->position += count;
  return static_cast<ssize_t>(count);
}

readstat_error_t UpdateMemory(long, readstat_progress_handler progress, void* user_ctx,
                              void* io_ctx) {
  if (progress == nullptr) return READSTAT_OK;
  const auto* file = static_cast<MemoryFile*>(io_ctx);
  const double done = file->bytes->empty() ? 1.0
                                           : static_cast<double>(file->position) /
                                                 static_cast<double>(file->bytes->size());
  return progress(done, user_ctx) == READSTAT_HANDLER_OK ? READSTAT_OK : READSTAT_ERROR_USER_ABORT;
}

struct ParserFree {
  void operator()(readstat_parser_t* parser) const { readstat_parser_free(parser); }
};

// ReadStat converts text to UTF-8 when the file names its encoding; old
// files that do not are taken as Windows-1252, what Norwegian SPSS wrote.
std::string Utf8Text(std::string_view s) {
  if (text::IsValidUtf8(s)) return std::string(s);
  return Windows1252ToUtf8(s);
}
std::string Utf8Text(const char* s) {
  return s == nullptr ? std::string() : Utf8Text(std::string_view(s));
}

// A Stata float shown as Stata shows it (0.1, not 0.100000001490116), and
// the double that text reads back as.
double FloatAsShown(float value) {
  const std::string shown = internal::NumberText(value);
  double number = 0;
  const auto [end, ec] = std::from_chars(shown.data(), shown.data() + shown.size(), number);
  if (ec != std::errc() || end != shown.data() + shown.size()) return static_cast<double>(value);
  return number;
}

// ------------------------------------------------------------ collection

struct Variable {
  bool numeric = true;
  std::size_t slot = 0;   // index among the numeric or the string variables
  std::string label_set;  // name of its value labels, if any
};

// What the handlers collect; `ctx` of every ReadStat callback.
struct Collector {
  std::string display_name;
  bool stata = false;
  std::size_t max_cell_bytes = kSourceMaxCellBytes;

  std::vector<SourceColumn> columns;
  std::vector<Variable> variables;
  std::size_t numeric_count = 0;
  std::size_t string_count = 0;
  std::map<std::string, std::vector<std::pair<double, std::string>>> label_sets;
  std::size_t value_labels = 0;

  std::size_t rows = 0;              // cases started
  std::size_t complete_rows = 0;     // cases whose last variable arrived
  std::vector<double> numbers;       // rows × numeric_count, NaN = missing
  std::vector<std::string> strings;  // rows × string_count
  std::size_t text_bytes = 0;

  std::string encoding;
  int format_version = -1;  // from the metadata, which comes before the variables
  bool values_started = false;
  // Set by a handler that aborts the parse; the message is complete.
  std::string header_error;
  std::string data_error;
};

int HandleMetadata(readstat_metadata_t* metadata, void* ctx) {
  auto* collector = static_cast<Collector*>(ctx);
  collector->format_version = readstat_get_file_format_version(metadata);
  if (const char* encoding = readstat_get_file_encoding(metadata)) {
    collector->encoding = Utf8Text(encoding).substr(0, 40);
  }
  return READSTAT_HANDLER_OK;
}

// ReadStat (1.1.8) passes a .dta variable's value-label name as a pointer
// into the file's table of fixed-width fields, without the terminating NUL
// when the name fills its field (found by fuzzing: strlen read past the
// table). Its width depends on the format version; SPSS names are ReadStat's
// own ("labels0") and terminated.
std::size_t LabelNameWidth(const Collector& collector) {
  if (!collector.stata) return std::numeric_limits<std::size_t>::max();
  if (collector.format_version >= 118) return 129;
  if (collector.format_version >= 110) return 33;
  return 9;  // also when no version came: the narrowest field is safe
}

int HandleVariable(int index, readstat_variable_t* variable, const char* val_labels, void* ctx) {
  auto* collector = static_cast<Collector*>(ctx);
  if (index < 0 || static_cast<std::size_t>(index) != collector->columns.size()) {
    collector->header_error = fmt::format("{}: variablene kommer i uventet rekkefølge (nr. {})",
                                          collector->display_name, index);
    return READSTAT_HANDLER_ABORT;
  }
  if (collector->columns.size() >= kSourceMaxColumns) {
    collector->header_error =
        fmt::format("{}: mer enn {} variabler", collector->display_name, kSourceMaxColumns);
    return READSTAT_HANDLER_ABORT;
  }
  SourceColumn column;
  column.name = std::string(text::Trim(Utf8Text(readstat_variable_get_name(variable))));
  column.label = Utf8Text(readstat_variable_get_label(variable));
  Variable stored;
  stored.numeric = readstat_variable_get_type_class(variable) != READSTAT_TYPE_CLASS_STRING;
  stored.slot = stored.numeric ? collector->numeric_count++ : collector->string_count++;
  if (val_labels != nullptr) {
    stored.label_set = std::string(val_labels, strnlen(val_labels, LabelNameWidth(*collector)));
  }
  collector->columns.push_back(std::move(column));
  collector->variables.push_back(std::move(stored));
  return READSTAT_HANDLER_OK;
}

int HandleValueLabel(const char* val_labels, readstat_value_t value, const char* label, void* ctx) {
  auto* collector = static_cast<Collector*>(ctx);
  // Labels of string values, and of Stata's tagged missing values (.a–.z),
  // name no code the importer can match.
  if (val_labels == nullptr || readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING ||
      readstat_value_is_system_missing(value) || readstat_value_is_tagged_missing(value)) {
    return READSTAT_HANDLER_OK;
  }
  double code = readstat_value_type(value) == READSTAT_TYPE_FLOAT
                    ? FloatAsShown(readstat_float_value(value))
                    : readstat_double_value(value);
  if (!std::isfinite(code)) return READSTAT_HANDLER_OK;
  if (++collector->value_labels > kMaxValueLabels) {
    collector->header_error =
        fmt::format("{}: mer enn {} verdietiketter", collector->display_name, kMaxValueLabels);
    return READSTAT_HANDLER_ABORT;
  }
  const std::string set(val_labels, strnlen(val_labels, LabelNameWidth(*collector)));
  // A label is dictionary, not a cell: the per-cell option does not shrink
  // its limit below the default (SPSS keeps 120 bytes, Stata 32 000).
  const std::size_t limit = std::max(collector->max_cell_bytes, kSourceMaxCellBytes);
  std::string text = Utf8Text(label);
  if (text.size() > limit) {
    collector->header_error = fmt::format(
        "{}: verdietiketten for koden {} i «{}» er {} byte; grensen er {}", collector->display_name,
        internal::NumberText(code), Utf8Text(set.substr(0, 64)), text.size(), limit);
    return READSTAT_HANDLER_ABORT;
  }
  collector->label_sets[set].emplace_back(code, std::move(text));
  return READSTAT_HANDLER_OK;
}

std::string CasePlace(const Collector& collector, std::size_t row, std::size_t column) {
  return fmt::format("{}: case {}, variabel «{}»", collector.display_name, row + 1,
                     collector.columns[column].name);
}

int HandleValue(int obs_index, readstat_variable_t* variable, readstat_value_t value, void* ctx) {
  auto* collector = static_cast<Collector*>(ctx);
  collector->values_started = true;
  const int index = readstat_variable_get_index(variable);
  if (obs_index < 0 || index < 0 || static_cast<std::size_t>(index) >= collector->columns.size()) {
    collector->data_error = fmt::format("{}: case {}: verdi for en ukjent variabel",
                                        collector->display_name, obs_index + 1);
    return READSTAT_HANDLER_ABORT;
  }
  const auto row = static_cast<std::size_t>(obs_index);
  const auto column = static_cast<std::size_t>(index);
  const std::size_t row_bytes =
      collector->numeric_count * sizeof(double) + collector->string_count * sizeof(std::string);
  while (collector->rows <= row) {
    if (collector->rows + 1 > kMaxCells / collector->columns.size() ||
        collector->rows + 1 > kMaxCellStorageBytes / row_bytes) {
      collector->data_error = fmt::format(
          "{}: case {}: filen er for stor (grensen er {} millioner celler og {} MB i minnet)",
          collector->display_name, collector->rows + 1, kMaxCells / 1'000'000,
          kMaxCellStorageBytes >> 20);
      return READSTAT_HANDLER_ABORT;
    }
    collector->numbers.resize(collector->numbers.size() + collector->numeric_count,
                              std::numeric_limits<double>::quiet_NaN());
    collector->strings.resize(collector->strings.size() + collector->string_count);
    ++collector->rows;
  }

  const Variable& stored = collector->variables[column];
  const bool missing = readstat_value_is_missing(value, variable) != 0;
  const bool is_string = readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING;
  if (stored.numeric) {
    double number = std::numeric_limits<double>::quiet_NaN();
    if (!missing && !is_string) {
      number = readstat_value_type(value) == READSTAT_TYPE_FLOAT
                   ? FloatAsShown(readstat_float_value(value))
                   : readstat_double_value(value);
    }
    collector->numbers[row * collector->numeric_count + stored.slot] = number;
  } else if (!missing) {
    std::string text;
    if (is_string) {
      text = Utf8Text(readstat_string_value(value));
    } else {
      const double number = readstat_double_value(value);
      if (std::isfinite(number)) text = internal::NumberText(number);
    }
    if (text.size() > collector->max_cell_bytes) {
      collector->data_error =
          fmt::format("{}: teksten er {} byte; grensen er {}", CasePlace(*collector, row, column),
                      text.size(), collector->max_cell_bytes);
      return READSTAT_HANDLER_ABORT;
    }
    collector->text_bytes += text.size();
    if (collector->text_bytes > kMaxTextBytes) {
      collector->data_error = fmt::format("{}: tekstene er til sammen mer enn {} MB",
                                          CasePlace(*collector, row, column), kMaxTextBytes >> 20);
      return READSTAT_HANDLER_ABORT;
    }
    collector->strings[row * collector->string_count + stored.slot] = std::move(text);
  }
  if (column + 1 == collector->columns.size()) collector->complete_rows = row + 1;
  return READSTAT_HANDLER_OK;
}

// ------------------------------------------------------------ reader

class ReadStatReader final : public SourceReader {
 public:
  ReadStatReader(SourceInfo info, Collector collected, std::size_t row_count, std::string error)
      : info_(std::move(info)),
        collected_(std::move(collected)),
        row_count_(row_count),
        pending_error_(std::move(error)) {}

  const SourceInfo& info() const override { return info_; }
  const std::vector<SourceColumn>& columns() const override { return collected_.columns; }
  const std::string& error() const override { return error_; }
  double progress() const override {
    if (row_count_ == 0) return 1.0;
    return static_cast<double>(next_) / static_cast<double>(row_count_);
  }

  bool Next(SourceRow& row) override {
    if (next_ >= row_count_) {
      if (!pending_error_.empty()) {
        error_ = std::move(pending_error_);
        pending_error_.clear();
      }
      return false;
    }
    const Collector& c = collected_;
    const std::size_t width = c.columns.size();
    row.number = next_ + 1;
    row.text.assign(width, std::string());
    row.numbers.assign(width, std::nullopt);
    for (std::size_t i = 0; i < width; ++i) {
      const Variable& variable = c.variables[i];
      if (variable.numeric) {
        const double number = c.numbers[next_ * c.numeric_count + variable.slot];
        if (std::isfinite(number)) {
          row.text[i] = internal::NumberText(number);
          row.numbers[i] = number;
        }
      } else {
        // Moved out: each case is served once.
        row.text[i] = std::move(collected_.strings[next_ * c.string_count + variable.slot]);
      }
    }
    ++next_;
    return true;
  }

 private:
  SourceInfo info_;
  Collector collected_;
  std::size_t row_count_;
  std::size_t next_ = 0;
  std::string pending_error_;
  std::string error_;
};

}  // namespace

Result<std::unique_ptr<SourceReader>> OpenReadStatSource(std::string bytes, SourceFormat format,
                                                         const std::string& display_name,
                                                         const SourceOptions& options) {
  const bool stata = format == SourceFormat::kDta;
  const std::string_view kind = stata ? "Stata" : "SPSS";
  SourceInfo info;
  info.format = stata                              ? "Stata .dta"
                : bytes.compare(0, 4, "$FL3") == 0 ? "SPSS .zsav"
                                                   : "SPSS .sav";
  info.row_unit = "case";

  std::unique_ptr<readstat_parser_t, ParserFree> parser(readstat_parser_init());
  if (!parser) return Error{fmt::format("{}: ReadStat kan ikke starte", display_name)};
  MemoryFile file{&bytes, 0};
  readstat_set_open_handler(parser.get(), &OpenMemory);
  readstat_set_close_handler(parser.get(), &CloseMemory);
  readstat_set_seek_handler(parser.get(), &SeekMemory);
  readstat_set_read_handler(parser.get(), &ReadMemory);
  readstat_set_update_handler(parser.get(), &UpdateMemory);
  readstat_set_io_ctx(parser.get(), &file);
  readstat_set_metadata_handler(parser.get(), &HandleMetadata);
  readstat_set_variable_handler(parser.get(), &HandleVariable);
  readstat_set_value_label_handler(parser.get(), &HandleValueLabel);
  readstat_set_value_handler(parser.get(), &HandleValue);

  Collector collector;
  collector.display_name = display_name;
  collector.stata = stata;
  collector.max_cell_bytes = options.max_cell_bytes;
  const readstat_error_t status = stata ? readstat_parse_dta(parser.get(), "", &collector)
                                        : readstat_parse_sav(parser.get(), "", &collector);
  parser.reset();

  if (!collector.header_error.empty()) return Error{collector.header_error};
  std::string data_error = collector.data_error;
  std::size_t row_count = collector.rows;
  if (status != READSTAT_OK && data_error.empty()) {
    const std::string invalid =
        fmt::format("ikke en gyldig {}-fil ({})", kind, readstat_error_message(status));
    // Broken before any case: the whole file is unreadable.
    if (!collector.values_started) return Error{fmt::format("{}: {}", display_name, invalid)};
    data_error = fmt::format("{}: case {}: {}", display_name, collector.complete_rows + 1, invalid);
  }
  // After an error, only the cases read whole are served.
  if (!data_error.empty()) row_count = std::min(row_count, collector.complete_rows);

  Status checked = CheckColumnNames(collector.columns, display_name);
  if (!checked) return checked.error();

  for (std::size_t i = 0; i < collector.columns.size(); ++i) {
    const std::string& set = collector.variables[i].label_set;
    if (set.empty()) continue;
    const auto found = collector.label_sets.find(set);
    if (found != collector.label_sets.end()) collector.columns[i].value_labels = found->second;
  }
  info.details = fmt::format("{} variabler, {} case", collector.columns.size(), row_count);
  if (!collector.encoding.empty()) info.details += ", tegnsett " + collector.encoding;

  return std::unique_ptr<SourceReader>(std::make_unique<ReadStatReader>(
      std::move(info), std::move(collector), row_count, std::move(data_error)));
}

}  // namespace samkart::io
