// XLSX: a zip of XML parts, read from memory with libzip and expat.
//
// The workbook, its relationships and the shared strings are read whole;
// the chosen sheet is streamed: its part is inflated 64 KiB at a time into
// expat, and the rows each chunk completes wait in a queue for Next(). A
// sheet of a million rows is therefore never held as text or as a tree.
//
// Limits against hostile files: every part is refused when its declared size
// is more than 1000 times the whole file (deflate cannot do better than about
// 1030:1, so only a zip bomb claims it) or when the parts together pass
// 2 GiB; inflating more than the declared size is an error; shared strings
// are bounded in count and bytes and each is kept to max_cell_bytes + 1
// bytes; a DTD (and with it every entity declaration) is refused.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <expat.h>
#include <fmt/format.h>
#include <zip.h>

#include "samkart/core/text.h"
#include "samkart/io/number_text.h"
#include "samkart/io/source_reader.h"

namespace samkart::io {

namespace {

constexpr std::size_t kChunkBytes = 64 * 1024;
// Sum of the declared (inflated) sizes of the parts read.
constexpr std::uint64_t kMaxPartBytesTotal = std::uint64_t{2} << 30;
// A part may declare at most this many times the bytes of the whole file.
constexpr std::uint64_t kMaxInflationRatio = 1000;
constexpr std::size_t kMaxSharedStrings = std::size_t{16} << 20;
constexpr std::size_t kMaxSharedStringBytes = std::size_t{1} << 30;
// Excel's own limits: rows 1–1 048 576, columns A–XFD.
constexpr std::size_t kMaxSheetRow = 1048576;
constexpr std::size_t kMaxSheetColumn = 16384;
// How many sheet names an «unknown sheet» message lists.
constexpr std::size_t kListedSheets = 20;

std::string_view LocalName(const XML_Char* name) {
  std::string_view s(name);
  const std::size_t colon = s.rfind(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

// The attribute with this local name. `prefixed`: only «r:id»-style names
// (prefix required), otherwise only names without a prefix.
const XML_Char* FindAttribute(const XML_Char** attributes, std::string_view local,
                              bool prefixed = false) {
  for (const XML_Char** a = attributes; a[0] != nullptr; a += 2) {
    const std::string_view name(a[0]);
    const std::size_t colon = name.rfind(':');
    if (prefixed) {
      if (colon != std::string_view::npos && name.substr(colon + 1) == local) return a[1];
    } else if (name == local) {
      return a[1];
    }
  }
  return nullptr;
}

// Appends `piece`, keeping at most limit + 1 bytes: enough to tell that the
// text is too long without holding all of it.
void AppendCapped(std::string& text, std::string_view piece, std::size_t limit) {
  const std::size_t cap = limit + 1;
  if (text.size() >= cap) return;
  text.append(piece.substr(0, cap - text.size()));
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Excel writes characters XML cannot hold (control characters) as _xHHHH_
// and a literal "_x" as "_x005F_x" (ST_Xstring). NUL and surrogates stay as
// written.
std::string DecodeXString(std::string s) {
  if (s.find("_x") == std::string::npos) return s;
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_') {
      unsigned code = 0;
      bool hex = true;
      for (std::size_t k = 2; k < 6; ++k) {
        const int digit = HexDigit(s[i + k]);
        if (digit < 0) {
          hex = false;
          break;
        }
        code = code * 16 + static_cast<unsigned>(digit);
      }
      if (hex && code != 0 && (code < 0xD800 || code > 0xDFFF)) {
        if (code < 0x80) {
          out += static_cast<char>(code);
        } else if (code < 0x800) {
          out += static_cast<char>(0xC0 | (code >> 6));
          out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
          out += static_cast<char>(0xE0 | (code >> 12));
          out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (code & 0x3F));
        }
        i += 7;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

// "A" for 0, "Z" for 25, "AA" for 26.
std::string ColumnLetters(std::size_t index) {
  std::string letters;
  std::size_t n = index + 1;
  while (n > 0) {
    const std::size_t rest = (n - 1) % 26;
    letters.insert(letters.begin(), static_cast<char>('A' + rest));
    n = (n - 1) / 26;
  }
  return letters;
}

// The column of a cell reference ("C7" gives 2); nullopt when it does not
// start with column letters within A–XFD.
std::optional<std::size_t> ParseColumnReference(std::string_view reference) {
  std::size_t column = 0;
  std::size_t letters = 0;
  for (const char c : reference) {
    int value = 0;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A' + 1;
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 1;
    } else {
      break;
    }
    column = column * 26 + static_cast<std::size_t>(value);
    if (++letters > 3 || column > kMaxSheetColumn) return std::nullopt;
  }
  if (letters == 0) return std::nullopt;
  return column - 1;
}

std::optional<std::size_t> ParseUnsigned(std::string_view s) {
  s = text::Trim(s);
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

std::optional<double> ParseNumber(std::string_view s) {
  s = text::Trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// "xl/" + "worksheets/sheet1.xml", "/xl/worksheets/sheet1.xml" and
// "../xl/..." resolved to a zip entry name.
std::string ResolvePartName(std::string_view base_dir, std::string_view target) {
  std::string joined;
  if (!target.empty() && target.front() == '/') {
    joined = std::string(target.substr(1));
  } else {
    joined = std::string(base_dir) + std::string(target);
  }
  std::vector<std::string> parts;
  for (const std::string& part : text::Split(joined, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  return text::Join(parts, "/");
}

// ------------------------------------------------------------------ XML

// The elements the readers care about; everything else is skipped whole.
enum class Tag : std::uint8_t {
  kNone,
  kOther,
  kWorkbook,
  kSheets,
  kSheet,
  kRelationships,
  kRelationship,
  kSst,
  kSi,
  kRun,
  kText,
  kWorksheet,
  kSheetData,
  kRow,
  kCell,
  kValue,
  kInlineString,
};

// Receives expat's callbacks. Subclasses classify elements by their parent,
// so an element in an unexpected place (a <t> inside phonetic <rPh>, an
// extension list) is skipped with all its children.
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;

  // `prefix` names the part in the DTD message: «fil.xlsx: xl/workbook.xml».
  void Attach(XML_Parser parser, const std::string& prefix) {
    parser_ = parser;
    doctype_message_ = prefix + ": XML med dokumenttypedeklarasjon (DTD) er ikke tillatt";
    XML_SetUserData(parser, this);
    XML_SetElementHandler(parser, &XmlHandler::OnStart, &XmlHandler::OnEnd);
    XML_SetCharacterDataHandler(parser, &XmlHandler::OnText);
    // OOXML parts have no DTD; refusing one rules out entity expansion.
    XML_SetStartDoctypeDeclHandler(parser, &XmlHandler::OnDoctype);
  }

  const std::string& failure() const { return failure_; }

 protected:
  virtual Tag Classify(Tag parent, std::string_view local_name) const = 0;
  virtual void Start(Tag tag, const XML_Char** attributes) = 0;
  virtual void End(Tag tag) = 0;
  virtual void Text(Tag tag, std::string_view text) = 0;

  // Stops the parser; `message` is the whole error, file name first.
  void Fail(std::string message) {
    if (failure_.empty()) failure_ = std::move(message);
    XML_StopParser(parser_, XML_FALSE);
  }
  bool failed() const { return !failure_.empty(); }
  // The element being parsed has this parent (kNone at the root).
  Tag parent() const { return stack_.size() < 2 ? Tag::kNone : stack_[stack_.size() - 2]; }

 private:
  static void OnStart(void* data, const XML_Char* name, const XML_Char** attributes) {
    auto* self = static_cast<XmlHandler*>(data);
    if (self->failed()) return;
    if (self->skip_depth_ > 0) {
      ++self->skip_depth_;
      return;
    }
    const Tag current = self->stack_.empty() ? Tag::kNone : self->stack_.back();
    const Tag tag = self->Classify(current, LocalName(name));
    if (tag == Tag::kOther) {
      self->skip_depth_ = 1;
      return;
    }
    self->stack_.push_back(tag);
    self->Start(tag, attributes);
  }
  static void OnEnd(void* data, const XML_Char*) {
    auto* self = static_cast<XmlHandler*>(data);
    if (self->failed()) return;
    if (self->skip_depth_ > 0) {
      --self->skip_depth_;
      return;
    }
    if (self->stack_.empty()) return;
    const Tag tag = self->stack_.back();
    self->End(tag);
    self->stack_.pop_back();
  }
  static void OnText(void* data, const XML_Char* s, int length) {
    auto* self = static_cast<XmlHandler*>(data);
    if (self->failed() || self->skip_depth_ > 0 || self->stack_.empty() || length <= 0) return;
    self->Text(self->stack_.back(), std::string_view(s, static_cast<std::size_t>(length)));
  }
  static void OnDoctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    auto* self = static_cast<XmlHandler*>(data);
    self->Fail(self->doctype_message_);
  }

  XML_Parser parser_ = nullptr;
  std::string doctype_message_;
  std::vector<Tag> stack_;
  std::size_t skip_depth_ = 0;
  std::string failure_;
};

// workbook.xml: the sheets in workbook order, with their relationship ids.
struct SheetEntry {
  std::string name;
  std::string relationship_id;
};

class WorkbookHandler final : public XmlHandler {
 public:
  std::vector<SheetEntry> sheets;

 protected:
  Tag Classify(Tag parent_tag, std::string_view name) const override {
    if (parent_tag == Tag::kNone && name == "workbook") return Tag::kWorkbook;
    if (parent_tag == Tag::kWorkbook && name == "sheets") return Tag::kSheets;
    if (parent_tag == Tag::kSheets && name == "sheet") return Tag::kSheet;
    return Tag::kOther;
  }
  void Start(Tag tag, const XML_Char** attributes) override {
    if (tag != Tag::kSheet) return;
    const XML_Char* name = FindAttribute(attributes, "name");
    const XML_Char* id = FindAttribute(attributes, "id", /*prefixed=*/true);
    sheets.push_back({name ? name : "", id ? id : ""});
  }
  void End(Tag) override {}
  void Text(Tag, std::string_view) override {}
};

// workbook.xml.rels: relationship id -> target, and the shared strings part.
struct Relationship {
  std::string id;
  std::string type;
  std::string target;
};

class RelationshipsHandler final : public XmlHandler {
 public:
  std::vector<Relationship> relationships;

 protected:
  Tag Classify(Tag parent_tag, std::string_view name) const override {
    if (parent_tag == Tag::kNone && name == "Relationships") return Tag::kRelationships;
    if (parent_tag == Tag::kRelationships && name == "Relationship") return Tag::kRelationship;
    return Tag::kOther;
  }
  void Start(Tag tag, const XML_Char** attributes) override {
    if (tag != Tag::kRelationship) return;
    const XML_Char* mode = FindAttribute(attributes, "TargetMode");
    if (mode != nullptr && std::string_view(mode) == "External") return;
    const XML_Char* id = FindAttribute(attributes, "Id");
    const XML_Char* type = FindAttribute(attributes, "Type");
    const XML_Char* target = FindAttribute(attributes, "Target");
    if (id == nullptr || target == nullptr) return;
    relationships.push_back({id, type ? type : "", target});
  }
  void End(Tag) override {}
  void Text(Tag, std::string_view) override {}
};

// The shared strings, concatenated in one buffer: string i is
// arena[ends[i-1], ends[i]). Each keeps at most max_cell_bytes + 1 bytes;
// a cell that uses a longer one is refused where it is.
struct SharedStrings {
  std::string arena;
  std::vector<std::size_t> ends;

  std::size_t size() const { return ends.size(); }
  std::string_view operator[](std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(arena).substr(begin, ends[i] - begin);
  }
};

class SharedStringsHandler final : public XmlHandler {
 public:
  SharedStringsHandler(SharedStrings& strings, std::size_t max_cell_bytes, std::string prefix)
      : strings_(strings), max_cell_bytes_(max_cell_bytes), prefix_(std::move(prefix)) {}

 protected:
  Tag Classify(Tag parent_tag, std::string_view name) const override {
    if (parent_tag == Tag::kNone && name == "sst") return Tag::kSst;
    if (parent_tag == Tag::kSst && name == "si") return Tag::kSi;
    if (parent_tag == Tag::kSi && name == "t") return Tag::kText;
    if (parent_tag == Tag::kSi && name == "r") return Tag::kRun;
    if (parent_tag == Tag::kRun && name == "t") return Tag::kText;
    return Tag::kOther;  // <rPh> (phonetic reading) and <phoneticPr> included
  }
  void Start(Tag tag, const XML_Char**) override {
    if (tag == Tag::kSi) current_.clear();
  }
  void End(Tag tag) override {
    if (tag != Tag::kSi) return;
    if (strings_.size() >= kMaxSharedStrings) {
      Fail(fmt::format("{}: mer enn {} delte tekster", prefix_, kMaxSharedStrings));
      return;
    }
    const std::string decoded = DecodeXString(std::move(current_));
    current_.clear();
    if (strings_.arena.size() + decoded.size() > kMaxSharedStringBytes) {
      Fail(fmt::format("{}: de delte tekstene er til sammen mer enn {} MB", prefix_,
                       kMaxSharedStringBytes >> 20));
      return;
    }
    strings_.arena += decoded;
    strings_.ends.push_back(strings_.arena.size());
  }
  void Text(Tag tag, std::string_view text) override {
    if (tag == Tag::kText) AppendCapped(current_, text, max_cell_bytes_);
  }

 private:
  SharedStrings& strings_;
  std::size_t max_cell_bytes_;
  std::string prefix_;
  std::string current_;
};

// The chosen sheet. Builds the header from the first row with content and
// queues each later row with content as a SourceRow.
class SheetHandler final : public XmlHandler {
 public:
  SheetHandler(const SharedStrings& shared, std::size_t max_cell_bytes, std::string prefix)
      : shared_(shared), max_cell_bytes_(max_cell_bytes), prefix_(std::move(prefix)) {}

  bool has_header() const { return has_header_; }
  std::size_t header_row() const { return header_row_; }
  // Header cell texts, untrimmed; one per column up to the last with content.
  const std::vector<std::string>& header() const { return header_; }
  std::deque<SourceRow>& rows() { return rows_; }

 protected:
  Tag Classify(Tag parent_tag, std::string_view name) const override {
    switch (parent_tag) {
      case Tag::kNone:
        if (name == "worksheet") return Tag::kWorksheet;
        break;
      case Tag::kWorksheet:
        if (name == "sheetData") return Tag::kSheetData;
        break;
      case Tag::kSheetData:
        if (name == "row") return Tag::kRow;
        break;
      case Tag::kRow:
        if (name == "c") return Tag::kCell;
        break;
      case Tag::kCell:
        if (name == "v") return Tag::kValue;
        if (name == "is") return Tag::kInlineString;
        break;
      case Tag::kInlineString:
        if (name == "t") return Tag::kText;
        if (name == "r") return Tag::kRun;
        break;
      case Tag::kRun:
        if (name == "t") return Tag::kText;
        break;
      default:
        break;
    }
    return Tag::kOther;  // formulas <f>, phonetic <rPh>, extension lists, ...
  }

  void Start(Tag tag, const XML_Char** attributes) override {
    if (tag == Tag::kRow) {
      StartRow(attributes);
    } else if (tag == Tag::kCell) {
      StartCell(attributes);
    }
  }

  void End(Tag tag) override {
    if (tag == Tag::kCell) {
      EndCell();
    } else if (tag == Tag::kRow) {
      EndRow();
    }
  }

  void Text(Tag tag, std::string_view text) override {
    if (tag == Tag::kValue) {
      AppendCapped(value_, text, max_cell_bytes_);
    } else if (tag == Tag::kText) {
      AppendCapped(inline_, text, max_cell_bytes_);
      has_inline_ = true;
    }
  }

 private:
  std::string RowPlace() const { return fmt::format("{}, rad {}", prefix_, row_); }
  std::string CellPlace() const {
    return fmt::format("{}, rad {}, kolonne {}", prefix_, row_, ColumnLetters(column_));
  }

  void StartRow(const XML_Char** attributes) {
    std::size_t number = last_row_ + 1;
    if (const XML_Char* r = FindAttribute(attributes, "r")) {
      const std::optional<std::size_t> parsed = ParseUnsigned(r);
      if (!parsed || *parsed == 0 || *parsed > kMaxSheetRow) {
        Fail(fmt::format("{}, etter rad {}: ugyldig radnummer «{}»", prefix_, last_row_,
                         std::string_view(r).substr(0, 20)));
        return;
      }
      number = *parsed;
    }
    if (number <= last_row_ || number > kMaxSheetRow) {
      Fail(fmt::format("{}: rad {} kommer etter rad {}; radene må stå i stigende rekkefølge",
                       prefix_, number, last_row_));
      return;
    }
    row_ = number;
    last_row_ = number;
    next_column_ = 0;
    row_has_content_ = false;
    const std::size_t width = has_header_ ? header_.size() : 0;
    text_.assign(width, std::string());
    numbers_.assign(width, std::nullopt);
  }

  void StartCell(const XML_Char** attributes) {
    std::size_t column = next_column_;
    if (const XML_Char* r = FindAttribute(attributes, "r")) {
      const std::optional<std::size_t> parsed = ParseColumnReference(r);
      if (!parsed) {
        Fail(fmt::format("{}: ugyldig cellereferanse «{}»", RowPlace(),
                         std::string_view(r).substr(0, 20)));
        return;
      }
      column = *parsed;
    }
    if (column < next_column_ || column >= kMaxSheetColumn) {
      Fail(fmt::format("{}, kolonne {}: cellene står ikke i stigende rekkefølge", prefix_, row_,
                       ColumnLetters(std::min(column, kMaxSheetColumn - 1))));
      return;
    }
    column_ = column;
    next_column_ = column + 1;
    const XML_Char* type = FindAttribute(attributes, "t");
    type_ = type ? std::string_view(type).substr(0, 16) : std::string_view();
    value_.clear();
    inline_.clear();
    has_inline_ = false;
  }

  void EndCell() {
    // Checked before anything is parsed: a number cut at the limit would
    // read as another number.
    if (value_.size() > max_cell_bytes_ || inline_.size() > max_cell_bytes_) {
      Fail(fmt::format("{}: cellen er mer enn {} byte", CellPlace(), max_cell_bytes_));
      return;
    }
    std::string text;
    std::optional<double> number;
    if (type_ == "s") {
      if (text::Trim(value_).empty()) return;
      const std::optional<std::size_t> index = ParseUnsigned(value_);
      if (!index || *index >= shared_.size()) {
        Fail(fmt::format("{}: viser til delt tekst nr. {}, men filen har {}", CellPlace(),
                         std::string_view(value_).substr(0, 20), shared_.size()));
        return;
      }
      text = std::string(shared_[*index]);
    } else if (type_ == "inlineStr") {
      text = DecodeXString(has_inline_ ? std::move(inline_) : std::move(value_));
    } else if (type_ == "b") {
      const std::string_view v = text::Trim(value_);
      if (v.empty()) return;
      if (v != "0" && v != "1") {
        Fail(fmt::format("{}: ugyldig sannhetsverdi «{}»", CellPlace(), v.substr(0, 20)));
        return;
      }
      text = v == "1" ? "TRUE" : "FALSE";
      number = v == "1" ? 1.0 : 0.0;
    } else if (type_ == "e") {
      text = std::string(text::Trim(value_));  // "#N/A", "#DIV/0!", ...
    } else if (type_.empty() || type_ == "n") {
      if (text::Trim(value_).empty()) return;
      number = ParseNumber(value_);
      if (!number) {
        Fail(fmt::format("{}: ugyldig tall «{}»", CellPlace(),
                         std::string_view(value_).substr(0, 20)));
        return;
      }
      text = internal::NumberText(*number);
    } else {
      // "str" (a formula's text), "d" (an ISO date) and unknown types: the text.
      text = DecodeXString(std::move(value_));
    }
    if (text.size() > max_cell_bytes_) {
      Fail(fmt::format("{}: cellen er mer enn {} byte", CellPlace(), max_cell_bytes_));
      return;
    }
    if (text.empty()) return;
    Place(std::move(text), number);
  }

  void Place(std::string text, std::optional<double> number) {
    if (!has_header_) {
      if (column_ >= kSourceMaxColumns) {
        Fail(fmt::format("{}: overskriftsraden har mer enn {} kolonner", CellPlace(),
                         kSourceMaxColumns));
        return;
      }
      if (column_ >= text_.size()) {
        text_.resize(column_ + 1);
        numbers_.resize(column_ + 1);
      }
    } else if (column_ >= header_.size()) {
      Fail(fmt::format("{}: cellen har innhold, men overskriftsraden (rad {}) har bare {} {}",
                       CellPlace(), header_row_, header_.size(),
                       header_.size() == 1 ? "kolonne" : "kolonner"));
      return;
    }
    text_[column_] = std::move(text);
    numbers_[column_] = number;
    row_has_content_ = true;
  }

  void EndRow() {
    if (!row_has_content_) return;  // empty rows are skipped
    if (!has_header_) {
      has_header_ = true;
      header_row_ = row_;
      header_ = std::move(text_);
    } else {
      SourceRow row;
      row.number = row_;
      row.text = std::move(text_);
      row.numbers = std::move(numbers_);
      rows_.push_back(std::move(row));
    }
    text_.clear();
    numbers_.clear();
  }

  const SharedStrings& shared_;
  std::size_t max_cell_bytes_;
  std::string prefix_;  // «fil.xlsx: ark «Ark1»»

  bool has_header_ = false;
  std::size_t header_row_ = 0;
  std::vector<std::string> header_;
  std::deque<SourceRow> rows_;

  // The row being read.
  std::size_t row_ = 0;
  std::size_t last_row_ = 0;
  std::size_t next_column_ = 0;
  bool row_has_content_ = false;
  std::vector<std::string> text_;
  std::vector<std::optional<double>> numbers_;

  // The cell being read.
  std::size_t column_ = 0;
  std::string type_;
  std::string value_;   // <v>
  std::string inline_;  // <is><t>, runs concatenated
  bool has_inline_ = false;
};

// ------------------------------------------------------------------ zip

struct ZipDiscard {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipFileClose {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};
struct XmlParserFree {
  void operator()(XML_ParserStruct* parser) const { XML_ParserFree(parser); }
};

// One zip entry inflated chunk by chunk into an expat parser.
class XmlPartStream {
 public:
  // `prefix` starts every message: «fil.xlsx: xl/sharedStrings.xml».
  XmlPartStream(std::string prefix, std::unique_ptr<XmlHandler> handler)
      : prefix_(std::move(prefix)), handler_(std::move(handler)) {}

  Status Open(zip_t* archive, zip_uint64_t index, std::uint64_t size) {
    file_.reset(zip_fopen_index(archive, index, 0));
    if (!file_) {
      return Error{fmt::format("{}: kan ikke pakkes ut ({})", prefix_, zip_strerror(archive))};
    }
    // No encoding forced: expat follows the declaration or BOM (UTF-8 or UTF-16).
    parser_.reset(XML_ParserCreate(nullptr));
    if (!parser_) return Error{fmt::format("{}: expat kan ikke starte", prefix_)};
    handler_->Attach(parser_.get(), prefix_);
    size_ = size;
    return Ok();
  }

  // Inflates and parses one chunk. False at the end of the part or on an
  // error, which is then in `error`.
  bool Pump(std::string& error) {
    if (done_) return false;
    void* buffer = XML_GetBuffer(parser_.get(), static_cast<int>(kChunkBytes));
    if (buffer == nullptr) return Finish(error, fmt::format("{}: for lite minne", prefix_));
    const zip_int64_t read = zip_fread(file_.get(), buffer, kChunkBytes);
    if (read < 0) {
      return Finish(error, fmt::format("{}: kan ikke pakkes ut ({})", prefix_,
                                       zip_file_strerror(file_.get())));
    }
    consumed_ += static_cast<std::uint64_t>(read);
    if (consumed_ > size_) {
      return Finish(
          error, fmt::format("{}: pakker ut til mer enn de {} bytene zip-katalogen oppgir", prefix_,
                             size_));
    }
    const bool final = read == 0;
    if (final && consumed_ != size_) {
      return Finish(
          error, fmt::format("{}: delen er avkortet ({} av {} byte)", prefix_, consumed_, size_));
    }
    const XML_Status status =
        XML_ParseBuffer(parser_.get(), static_cast<int>(read), final ? XML_TRUE : XML_FALSE);
    if (!handler_->failure().empty()) return Finish(error, handler_->failure());
    if (status != XML_STATUS_OK) {
      return Finish(error, fmt::format("{}: ugyldig XML på linje {} ({})", prefix_,
                                       XML_GetCurrentLineNumber(parser_.get()),
                                       XML_ErrorString(XML_GetErrorCode(parser_.get()))));
    }
    if (final) {
      done_ = true;
      file_.reset();
      return false;
    }
    return true;
  }

  // Parses the rest of the part.
  Status ReadAll() {
    std::string error;
    while (Pump(error)) {
    }
    if (!error.empty()) return Error{error};
    return Ok();
  }

  XmlHandler& handler() { return *handler_; }
  bool done() const { return done_; }
  double progress() const {
    if (done_ || size_ == 0) return 1.0;
    return static_cast<double>(consumed_) / static_cast<double>(size_);
  }

 private:
  bool Finish(std::string& error, std::string message) {
    error = std::move(message);
    done_ = true;
    file_.reset();
    return false;
  }

  std::string prefix_;
  std::unique_ptr<XmlHandler> handler_;
  std::unique_ptr<zip_file_t, ZipFileClose> file_;
  std::unique_ptr<XML_ParserStruct, XmlParserFree> parser_;
  std::uint64_t size_ = 0;
  std::uint64_t consumed_ = 0;
  bool done_ = false;
};

// ------------------------------------------------------------------ reader

class XlsxReader final : public SourceReader {
 public:
  XlsxReader(std::string bytes, std::string display_name, const SourceOptions& options)
      : bytes_(std::move(bytes)), display_name_(std::move(display_name)), options_(options) {
    info_.format = "XLSX";
    info_.row_unit = "rad";
  }

  Status Open() {
    Status opened = OpenArchive();
    if (!opened) return opened;

    WorkbookHandler* workbook = nullptr;
    Status read = ReadPart("xl/workbook.xml", /*required=*/true,
                           std::make_unique<WorkbookHandler>(), &workbook);
    if (!read) return read;
    RelationshipsHandler* rels = nullptr;
    read = ReadPart("xl/_rels/workbook.xml.rels", /*required=*/true,
                    std::make_unique<RelationshipsHandler>(), &rels);
    if (!read) return read;

    if (workbook->sheets.empty()) return Error{display_name_ + ": arbeidsboken har ingen ark"};
    const SheetEntry* sheet = &workbook->sheets.front();
    if (!options_.sheet.empty()) {
      const auto found =
          std::find_if(workbook->sheets.begin(), workbook->sheets.end(),
                       [&](const SheetEntry& entry) { return entry.name == options_.sheet; });
      if (found == workbook->sheets.end()) return UnknownSheet(workbook->sheets);
      sheet = &*found;
    }
    sheet_name_ = sheet->name;
    info_.details = fmt::format("ark «{}»", sheet_name_);
    for (const SheetEntry& entry : workbook->sheets) info_.sheets.push_back(entry.name);

    std::string sheet_part;
    std::string shared_part;
    for (const Relationship& relationship : rels->relationships) {
      if (relationship.id == sheet->relationship_id) {
        sheet_part = ResolvePartName("xl/", relationship.target);
      }
      if (relationship.type.ends_with("/sharedStrings")) {
        shared_part = ResolvePartName("xl/", relationship.target);
      }
    }
    if (sheet_part.empty()) {
      return Error{fmt::format("{}: ikke en gyldig XLSX-fil (arket «{}» mangler i {})",
                               display_name_, sheet_name_, "xl/_rels/workbook.xml.rels")};
    }
    // Shared strings are optional: a workbook of numbers or inline strings
    // needs none.
    const bool shared_listed = !shared_part.empty();
    if (!shared_listed) shared_part = "xl/sharedStrings.xml";
    read = ReadPart(shared_part, /*required=*/shared_listed,
                    std::make_unique<SharedStringsHandler>(shared_, options_.max_cell_bytes,
                                                           display_name_ + ": " + shared_part),
                    static_cast<SharedStringsHandler**>(nullptr));
    if (!read) return read;

    const std::string prefix = fmt::format("{}: ark «{}»", display_name_, sheet_name_);
    auto handler = std::make_unique<SheetHandler>(shared_, options_.max_cell_bytes, prefix);
    sheet_handler_ = handler.get();
    Result<std::unique_ptr<XmlPartStream>> stream =
        OpenPart(sheet_part, /*required=*/true, prefix, std::move(handler));
    if (!stream) return stream.error();
    sheet_ = std::move(stream).value();

    // Up to the header row: its errors are the caller's to report.
    std::string error;
    while (!sheet_handler_->has_header() && sheet_->Pump(error)) {
    }
    if (!sheet_handler_->has_header()) {
      if (!error.empty()) return Error{error};
      return Error{fmt::format("{}: arket er tomt (ingen overskriftsrad)", prefix)};
    }
    pending_error_ = std::move(error);
    for (const std::string& name : sheet_handler_->header()) {
      SourceColumn column;
      column.name = std::string(text::Trim(name));
      columns_.push_back(std::move(column));
    }
    Status checked = CheckColumnNames(columns_, display_name_);
    if (!checked) return checked;
    return Ok();
  }

  const SourceInfo& info() const override { return info_; }
  const std::vector<SourceColumn>& columns() const override { return columns_; }
  const std::string& error() const override { return error_; }
  double progress() const override { return sheet_ ? sheet_->progress() : 1.0; }

  bool Next(SourceRow& row) override {
    std::deque<SourceRow>& queue = sheet_handler_->rows();
    for (;;) {
      if (!queue.empty()) {
        row = std::move(queue.front());
        queue.pop_front();
        return true;
      }
      if (!pending_error_.empty()) {
        error_ = std::move(pending_error_);
        pending_error_.clear();
        return false;
      }
      if (!error_.empty() || sheet_->done()) return false;
      sheet_->Pump(pending_error_);
    }
  }

 private:
  Status OpenArchive() {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes_.data(), bytes_.size(), 0, &error);
    if (source != nullptr) {
      archive_.reset(zip_open_from_source(source, ZIP_RDONLY, &error));
      if (!archive_) zip_source_free(source);
    }
    if (!archive_) {
      std::string message = fmt::format("{}: ikke en gyldig XLSX-fil (zip: {})", display_name_,
                                        zip_error_strerror(&error));
      zip_error_fini(&error);
      return Error{std::move(message)};
    }
    zip_error_fini(&error);
    return Ok();
  }

  // Finds `name` (exactly, then ignoring case as OPC part names do) and
  // checks its declared size against the limits.
  Result<std::unique_ptr<XmlPartStream>> OpenPart(const std::string& name, bool required,
                                                  std::string prefix,
                                                  std::unique_ptr<XmlHandler> handler) {
    zip_int64_t index = zip_name_locate(archive_.get(), name.c_str(), 0);
    if (index < 0) index = zip_name_locate(archive_.get(), name.c_str(), ZIP_FL_NOCASE);
    if (index < 0) {
      if (!required) return std::unique_ptr<XmlPartStream>();
      return Error{fmt::format("{}: ikke en gyldig XLSX-fil (mangler {})", display_name_, name)};
    }
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive_.get(), static_cast<zip_uint64_t>(index), 0, &stat) != 0 ||
        (stat.valid & ZIP_STAT_SIZE) == 0) {
      return Error{fmt::format("{}: ikke en gyldig XLSX-fil ({}: {})", display_name_, name,
                               zip_strerror(archive_.get()))};
    }
    if (stat.size > kMaxInflationRatio * bytes_.size()) {
      return Error{fmt::format(
          "{}: {} pakker ut til {} byte fra en fil på {} byte; filen avvises (zip-bombe?)",
          display_name_, name, stat.size, bytes_.size())};
    }
    part_bytes_ += stat.size;
    if (part_bytes_ > kMaxPartBytesTotal) {
      return Error{fmt::format("{}: delene av arbeidsboken er til sammen mer enn {} MB utpakket",
                               display_name_, kMaxPartBytesTotal >> 20)};
    }
    auto stream = std::make_unique<XmlPartStream>(std::move(prefix), std::move(handler));
    Status opened = stream->Open(archive_.get(), static_cast<zip_uint64_t>(index), stat.size);
    if (!opened) return opened.error();
    return stream;
  }

  // Reads a whole part; `out` (when not null) points at its handler, which
  // `parts_` keeps alive.
  template <typename Handler>
  Status ReadPart(const std::string& name, bool required, std::unique_ptr<Handler> handler,
                  Handler** out) {
    Handler* raw = handler.get();
    Result<std::unique_ptr<XmlPartStream>> stream =
        OpenPart(name, required, display_name_ + ": " + name, std::move(handler));
    if (!stream) return stream.error();
    if (!*stream) return Ok();  // optional and absent
    Status read = (*stream)->ReadAll();
    if (!read) return read;
    parts_.push_back(std::move(stream).value());
    if (out != nullptr) *out = raw;
    return Ok();
  }

  Error UnknownSheet(const std::vector<SheetEntry>& sheets) const {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < sheets.size() && i < kListedSheets; ++i) {
      names.push_back("«" + sheets[i].name + "»");
    }
    std::string listed = text::Join(names, ", ");
    if (sheets.size() > kListedSheets) {
      listed += fmt::format(" og {} til", sheets.size() - kListedSheets);
    }
    return Error{fmt::format("{}: finner ikke arket «{}»; arbeidsboken har {}", display_name_,
                             options_.sheet, listed)};
  }

  // The zip source reads bytes_ in place: declared first, destroyed last.
  std::string bytes_;
  std::string display_name_;
  SourceOptions options_;
  std::unique_ptr<zip_t, ZipDiscard> archive_;
  std::uint64_t part_bytes_ = 0;
  std::vector<std::unique_ptr<XmlPartStream>> parts_;
  SharedStrings shared_;
  std::string sheet_name_;
  std::unique_ptr<XmlPartStream> sheet_;
  SheetHandler* sheet_handler_ = nullptr;  // owned by sheet_

  SourceInfo info_;
  std::vector<SourceColumn> columns_;
  std::string pending_error_;  // a data error, reported once the rows before it are read
  std::string error_;
};

}  // namespace

Result<std::unique_ptr<SourceReader>> OpenXlsxSource(std::string bytes,
                                                     const std::string& display_name,
                                                     const SourceOptions& options) {
  auto reader = std::make_unique<XlsxReader>(std::move(bytes), display_name, options);
  Status opened = reader->Open();
  if (!opened) return opened.error();
  return std::unique_ptr<SourceReader>(std::move(reader));
}

}  // namespace samkart::io
