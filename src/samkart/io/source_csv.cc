// CSV exports as survey tools and Norwegian Excel write them: UTF-8 with or
// without a BOM, or Windows-1252 ("CSV (semikolonseparert)"); comma,
// semicolon or tab. Quotes and separators are ASCII in both encodings, so the
// bytes are parsed first and each field is decoded afterwards.
#include <algorithm>
#include <array>
#include <string_view>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/io/csv_reader.h"
#include "samkart/io/encoding.h"
#include "samkart/io/source_reader.h"

namespace samkart::io {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Bytes 0x81 0x8D 0x8F 0x90 0x9D have no character in Windows-1252; a file
// that has them is in some other encoding.
bool IsUndefinedInWindows1252(unsigned char byte) {
  return byte == 0x81 || byte == 0x8D || byte == 0x8F || byte == 0x90 || byte == 0x9D;
}

const char* DelimiterName(char delimiter) {
  switch (delimiter) {
    case ';':
      return "semikolon";
    case '\t':
      return "tabulator";
    default:
      return "komma";
  }
}

class CsvSource final : public SourceReader {
 public:
  CsvSource(SourceBytes bytes, std::string display_name, const SourceOptions& options)
      : bytes_(std::move(bytes)), name_(std::move(display_name)), options_(options) {}

  Status Open() {
    std::string_view text = bytes_.view();
    const bool bom = text.starts_with(kUtf8Bom);
    if (bom) text.remove_prefix(kUtf8Bom.size());
    if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF") ||
        text.substr(0, 4096).find('\0') != std::string_view::npos) {
      return Error{name_ +
                   ": filen ser ut som UTF-16 eller en binærfil, ikke tekst; lagre den som "
                   "CSV UTF-8 eller CSV (semikolonseparert)"};
    }
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return Error{name_ + ": filen er tom"};
    }
    text_ = text;
    switch (options_.encoding) {
      case SourceEncoding::kAuto:
        known_utf8_ = options_.known_valid_utf8 ? *options_.known_valid_utf8 : ScanValidUtf8();
        windows1252_ = !bom && !known_utf8_;
        break;
      case SourceEncoding::kUtf8:
        known_utf8_ = options_.known_valid_utf8 ? *options_.known_valid_utf8 : ScanValidUtf8();
        windows1252_ = false;
        break;
      case SourceEncoding::kWindows1252:
        windows1252_ = true;
        break;
    }
    const char delimiter = DetectCsvDelimiter(text);
    info_.format = "CSV";
    info_.details = fmt::format("{}, {}",
                                windows1252_ ? "Windows-1252"
                                : bom        ? "UTF-8 med BOM"
                                             : "UTF-8",
                                DelimiterName(delimiter));
    info_.row_unit = "linje";
    if (options_.encoding == SourceEncoding::kAuto && windows1252_) {
      info_.details += " (ikke gyldig UTF-8, derfor lest som Windows-1252)";
    }
    CsvOptions csv;
    csv.delimiter = delimiter;
    csv.max_field_bytes = options_.max_cell_bytes;
    csv.max_columns = kSourceMaxColumns;
    reader_.emplace(text_, csv);

    CsvRecord header;
    if (!reader_->Next(header)) {
      if (!reader_->error().empty()) return Error{name_ + ": " + reader_->error()};
      return Error{name_ + ": filen er tom"};
    }
    CountLineBreaksInCells(header);
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
      SAMKART_TRY(Decode(header.fields[i], header.line, i));
      columns_.push_back({std::string(text::Trim(header.fields[i])), {}, {}});
    }
    // A trailing separator on the header line makes one empty name; tools
    // such as Excel write it, and the rows then end in an empty cell too.
    if (columns_.size() > 1 && columns_.back().name.empty()) {
      columns_.pop_back();
      drop_trailing_empty_ = true;
    }
    auto names = CheckColumnNames(columns_, name_);
    if (!names.ok()) return names.error();
    return Ok();
  }

  const SourceInfo& info() const override { return info_; }
  const std::vector<SourceColumn>& columns() const override { return columns_; }
  const std::string& error() const override { return error_; }
  double progress() const override {
    return text_.empty()
               ? 1.0
               : static_cast<double>(reader_->offset()) / static_cast<double>(text_.size());
  }

  bool Next(SourceRow& row) override {
    if (!error_.empty()) return false;
    if (!reader_->Next(record_)) {
      if (!reader_->error().empty()) error_ = name_ + ": " + reader_->error();
      return false;
    }
    const std::size_t width = columns_.size();
    if (drop_trailing_empty_ && record_.fields.size() == width + 1 &&
        record_.fields.back().empty()) {
      record_.fields.pop_back();
    }
    if (record_.fields.size() > width) {
      for (std::size_t i = width; i < record_.fields.size(); ++i) {
        if (!text::Trim(record_.fields[i]).empty()) {
          error_ = fmt::format(
              "{}: linje {}: {} felt, men overskriften har bare {} kolonner (verdi «{}» i felt {})",
              name_, record_.line, record_.fields.size(), width, Abbreviate(record_.fields[i]),
              i + 1);
          return false;
        }
      }
    }
    row.number = record_.line;
    row.spreadsheet_row = record_.line - line_breaks_in_cells_;
    CountLineBreaksInCells(record_);
    row.text.resize(width);
    row.numbers.assign(width, std::nullopt);
    for (std::size_t i = 0; i < width; ++i) {
      if (i >= record_.fields.size()) {
        row.text[i].clear();
        continue;
      }
      if (auto decoded = Decode(record_.fields[i], record_.line, i); !decoded.ok()) {
        error_ = decoded.error().message;
        return false;
      }
      // Swapped, not moved: both strings keep their buffers for the next row.
      row.text[i].swap(record_.fields[i]);
    }
    bytes_.ReleaseBefore(Consumed());
    return true;
  }

 private:
  // A line break inside a quoted cell starts a new text line but not a new
  // spreadsheet row: the row a spreadsheet shows is the line less these.
  void CountLineBreaksInCells(const CsvRecord& record) {
    for (const std::string& field : record.fields) {
      line_breaks_in_cells_ +=
          static_cast<std::size_t>(std::count(field.begin(), field.end(), '\n'));
    }
  }

  static std::string Abbreviate(std::string_view value) {
    constexpr std::size_t kShown = 40;
    if (value.size() <= kShown) return std::string(value);
    std::size_t cut = kShown;
    // Do not split a UTF-8 sequence.
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
    return std::string(value.substr(0, cut)) + "…";
  }

  std::string ColumnName(std::size_t index) const {
    if (index < columns_.size()) return fmt::format("kolonne «{}»", columns_[index].name);
    return fmt::format("kolonne {}", index + 1);
  }

  // Bytes of the mapping the reader has passed.
  std::size_t Consumed() const {
    return static_cast<std::size_t>(text_.data() - bytes_.view().data()) + reader_->offset();
  }

  // The whole text is checked once, in steps, handing each step's pages back.
  bool ScanValidUtf8() {
    constexpr std::size_t kStep = 4u << 20;
    const std::size_t skipped = static_cast<std::size_t>(text_.data() - bytes_.view().data());
    Utf8Checker utf8;
    for (std::size_t at = 0; at < text_.size(); at += kStep) {
      utf8.Feed(text_.substr(at, kStep));
      bytes_.ReleaseBefore(skipped + at + kStep);
    }
    return utf8.Valid();
  }

  // Decodes a field in place to UTF-8 (or checks that it is UTF-8).
  Status Decode(std::string& field, std::size_t line, std::size_t index) const {
    if (windows1252_) {
      bool ascii = true;
      for (const char c : field) {
        const auto byte = static_cast<unsigned char>(c);
        if (IsUndefinedInWindows1252(byte)) {
          return Error{fmt::format(
              "{}: linje {}, {}: byten 0x{:02X} finnes ikke i Windows-1252; filen har en annen "
              "tegnkoding (lagre den som CSV UTF-8)",
              name_, line, ColumnName(index), byte)};
        }
        ascii = ascii && byte < 0x80;
      }
      if (!ascii) field = Windows1252ToUtf8(field);
      return Ok();
    }
    if (!known_utf8_ && !text::IsValidUtf8(field)) {
      return Error{
          fmt::format("{}: linje {}, {}: verdien er ikke gyldig UTF-8; filen har en annen "
                      "tegnkoding (prøv --encoding windows-1252)",
                      name_, line, ColumnName(index))};
    }
    return Ok();
  }

  SourceBytes bytes_;
  std::string name_;
  SourceOptions options_;
  std::string_view text_;
  bool windows1252_ = false;
  // Set when the whole text was checked and is UTF-8, so no field needs it.
  bool known_utf8_ = false;
  bool drop_trailing_empty_ = false;
  std::optional<CsvReader> reader_;
  CsvRecord record_;
  std::size_t line_breaks_in_cells_ = 0;
  SourceInfo info_;
  std::vector<SourceColumn> columns_;
  std::string error_;
};

}  // namespace

Result<std::unique_ptr<SourceReader>> OpenCsvSource(SourceBytes bytes,
                                                    const std::string& display_name,
                                                    const SourceOptions& options) {
  auto source = std::make_unique<CsvSource>(std::move(bytes), display_name, options);
  auto opened = source->Open();
  if (!opened.ok()) return opened.error();
  return std::unique_ptr<SourceReader>(std::move(source));
}

}  // namespace samkart::io
