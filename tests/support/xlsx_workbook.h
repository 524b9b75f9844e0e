// Reads an XLSX workbook back for tests, with libzip and expat: every sheet
// in workbook order (following the relationships), each cell with its value,
// whether it is a number, its number format and boldness, and the sheet XML.
// Header-only so that any test can include it without a library of its own.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <expat.h>
#include <zip.h>

namespace samkart::testing_support {

struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;  // all character data inside, descendants included
  std::vector<std::unique_ptr<Element>> children;
  Element* parent = nullptr;

  std::string Attribute(const std::string& key) const {
    const auto it = attributes.find(key);
    return it == attributes.end() ? "" : it->second;
  }
  void FindAll(std::string_view tag, std::vector<const Element*>& out) const {
    for (const auto& child : children) {
      if (child->name == tag) out.push_back(child.get());
      child->FindAll(tag, out);
    }
  }
  std::vector<const Element*> FindAll(std::string_view tag) const {
    std::vector<const Element*> out;
    FindAll(tag, out);
    return out;
  }
};

// Parses XML with expat; nullptr when it is not well-formed.
inline std::unique_ptr<Element> ParseXml(const std::string& xml) {
  auto root = std::make_unique<Element>();
  Element* current = root.get();
  XML_Parser parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(parser, &current);
  XML_SetElementHandler(
      parser,
      [](void* data, const XML_Char* name, const XML_Char** attributes) {
        Element*& at = *static_cast<Element**>(data);
        auto element = std::make_unique<Element>();
        element->name = name;
        element->parent = at;
        for (int i = 0; attributes[i] != nullptr; i += 2) {
          element->attributes[attributes[i]] = attributes[i + 1];
        }
        at->children.push_back(std::move(element));
        at = at->children.back().get();
      },
      [](void* data, const XML_Char*) {
        Element*& at = *static_cast<Element**>(data);
        at = at->parent;
      });
  XML_SetCharacterDataHandler(parser, [](void* data, const XML_Char* s, int length) {
    for (Element* at = *static_cast<Element**>(data); at != nullptr; at = at->parent) {
      at->text.append(s, static_cast<std::size_t>(length));
    }
  });
  const bool ok =
      XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), 1) != XML_STATUS_ERROR;
  XML_ParserFree(parser);
  return ok ? std::move(root) : nullptr;
}

inline std::optional<std::string> ReadZipEntry(const std::filesystem::path& zip_path,
                                               const std::string& name) {
  int error = 0;
  zip_t* archive = zip_open(zip_path.c_str(), ZIP_RDONLY, &error);
  if (archive == nullptr) return std::nullopt;
  std::optional<std::string> content;
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat(archive, name.c_str(), 0, &stat) == 0) {
    if (zip_file_t* file = zip_fopen(archive, name.c_str(), 0)) {
      std::string data(stat.size, '\0');
      if (zip_fread(file, data.data(), stat.size) == static_cast<zip_int64_t>(stat.size)) {
        content = std::move(data);
      }
      zip_fclose(file);
    }
  }
  zip_close(archive);
  return content;
}

struct Cell {
  bool numeric = false;  // a <v> number, not a string
  std::string value;     // the number as written, or the string
  std::string format;    // the number format code: "General", "0 %" …
  bool bold = false;
  std::string font_colour;  // "1F6E43", or "" for the default
  std::string fill;         // the background, "DDE7F1", or "" for none
};

struct Sheet {
  std::string name;
  std::string xml;
  std::map<std::pair<int, int>, Cell> cells;  // (row, column) from 0

  const Cell* At(int row, int col) const {
    const auto it = cells.find({row, col});
    return it == cells.end() ? nullptr : &it->second;
  }
  std::string Text(int row, int col) const {
    const Cell* cell = At(row, col);
    return cell == nullptr ? "" : cell->value;
  }
  int LastRow() const { return cells.empty() ? -1 : cells.rbegin()->first.first; }
  // The first row whose column A reads `text`, from `from` on; -1 if none.
  int FindRow(std::string_view text, int from = 0) const {
    for (int row = from; row <= LastRow(); ++row) {
      if (Text(row, 0) == text) return row;
    }
    return -1;
  }
};

// "C12" as (11, 2).
inline std::pair<int, int> ParseReference(std::string_view ref) {
  int col = 0;
  std::size_t i = 0;
  while (i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z') col = col * 26 + (ref[i++] - 'A' + 1);
  return {std::stoi(std::string(ref.substr(i))) - 1, col - 1};
}

struct Workbook {
  std::string error;
  std::vector<Sheet> sheets;

  const Sheet* Find(std::string_view name) const {
    for (const auto& sheet : sheets) {
      if (sheet.name == name) return &sheet;
    }
    return nullptr;
  }
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& sheet : sheets) names.push_back(sheet.name);
    return names;
  }
};

inline std::string BuiltinFormat(int id) {
  switch (id) {
    case 0:
      return "General";
    case 3:
      return "#,##0";
    case 9:
      return "0%";
    default:
      return "builtin " + std::to_string(id);
  }
}

// Reads every sheet in workbook order, following the relationships, with
// shared strings resolved and each cell's number format looked up.
inline Workbook ReadWorkbook(const std::filesystem::path& path) {
  Workbook book;
  const auto workbook_xml = ReadZipEntry(path, "xl/workbook.xml");
  const auto rels_xml = ReadZipEntry(path, "xl/_rels/workbook.xml.rels");
  const auto styles_xml = ReadZipEntry(path, "xl/styles.xml");
  if (!workbook_xml || !rels_xml || !styles_xml) {
    book.error = "not an XLSX file";
    return book;
  }
  const auto workbook = ParseXml(*workbook_xml);
  const auto rels = ParseXml(*rels_xml);
  const auto styles = ParseXml(*styles_xml);
  if (!workbook || !rels || !styles) {
    book.error = "malformed workbook XML";
    return book;
  }
  std::vector<std::string> strings;
  if (const auto shared = ReadZipEntry(path, "xl/sharedStrings.xml")) {
    const auto parsed = ParseXml(*shared);
    if (!parsed) {
      book.error = "malformed sharedStrings.xml";
      return book;
    }
    for (const Element* si : parsed->FindAll("si")) strings.push_back(si->text);
  }
  std::map<int, std::string> custom_formats;
  for (const Element* format : styles->FindAll("numFmt")) {
    custom_formats[std::stoi(format->Attribute("numFmtId"))] = format->Attribute("formatCode");
  }
  std::vector<const Element*> fonts = styles->FindAll("fonts").at(0)->FindAll("font");
  // "FF1F6E43" as OOXML writes an opaque colour, as "1F6E43".
  auto colour = [](const Element* parent, std::string_view tag) -> std::string {
    const auto found = parent->FindAll(tag);
    const std::string rgb = found.empty() ? "" : found[0]->Attribute("rgb");
    return rgb.size() == 8 ? rgb.substr(2) : rgb;
  };
  std::vector<const Element*> fills = styles->FindAll("fills").at(0)->FindAll("fill");
  struct Style {
    std::string format;
    bool bold = false;
    std::string font_colour;
    std::string fill;
  };
  std::vector<Style> xfs;
  for (const Element* xf : styles->FindAll("cellXfs").at(0)->FindAll("xf")) {
    const int id = std::stoi(xf->Attribute("numFmtId"));
    const auto custom = custom_formats.find(id);
    Style style;
    style.format = custom != custom_formats.end() ? custom->second : BuiltinFormat(id);
    const std::size_t font = static_cast<std::size_t>(std::stoi(xf->Attribute("fontId")));
    style.bold = font < fonts.size() && !fonts[font]->FindAll("b").empty();
    if (font < fonts.size()) style.font_colour = colour(fonts[font], "color");
    const std::string fill_id = xf->Attribute("fillId");
    const std::size_t fill = fill_id.empty() ? 0 : static_cast<std::size_t>(std::stoi(fill_id));
    if (fill < fills.size()) style.fill = colour(fills[fill], "fgColor");
    xfs.push_back(style);
  }
  std::map<std::string, std::string> targets;
  for (const Element* rel : rels->FindAll("Relationship")) {
    targets[rel->Attribute("Id")] = rel->Attribute("Target");
  }
  for (const Element* entry : workbook->FindAll("sheet")) {
    Sheet sheet;
    sheet.name = entry->Attribute("name");
    const auto xml = ReadZipEntry(path, "xl/" + targets[entry->Attribute("r:id")]);
    const auto parsed = xml ? ParseXml(*xml) : nullptr;
    if (!parsed) {
      book.error = "cannot read the sheet " + sheet.name;
      return book;
    }
    sheet.xml = *xml;
    for (const Element* c : parsed->FindAll("c")) {
      Cell cell;
      const std::string type = c->Attribute("t");
      const auto values = c->FindAll("v");
      const std::string v = values.empty() ? "" : values[0]->text;
      if (type == "s") {
        cell.value = strings.at(static_cast<std::size_t>(std::stoi(v)));
      } else if (type == "inlineStr" || type == "str") {
        cell.value = c->text;
      } else if (type.empty() || type == "n") {
        cell.numeric = !values.empty();
        cell.value = v;
      } else {
        cell.value = "?" + type;
      }
      const std::string s = c->Attribute("s");
      const Style style = xfs.at(s.empty() ? 0 : static_cast<std::size_t>(std::stoi(s)));
      cell.format = style.format;
      cell.bold = style.bold;
      cell.font_colour = style.font_colour;
      cell.fill = style.fill;
      sheet.cells[ParseReference(c->Attribute("r"))] = cell;
    }
    book.sheets.push_back(std::move(sheet));
  }
  return book;
}

// A table on a sheet, found by its caption: the heading row follows it.
struct SheetTable {
  int heading_row = -1;
  std::map<std::string, int> columns;

  const Cell* Get(const Sheet& sheet, std::string_view row_label, const std::string& column) const {
    for (int row = heading_row + 1; row <= sheet.LastRow() && !sheet.Text(row, 0).empty(); ++row) {
      if (sheet.Text(row, 0) == row_label) return sheet.At(row, columns.at(column));
    }
    return nullptr;
  }
  int Row(const Sheet& sheet, std::string_view row_label) const {
    for (int row = heading_row + 1; row <= sheet.LastRow() && !sheet.Text(row, 0).empty(); ++row) {
      if (sheet.Text(row, 0) == row_label) return row;
    }
    return -1;
  }
};

inline SheetTable FindTable(const Sheet& sheet, std::string_view caption) {
  SheetTable table;
  const int caption_row = sheet.FindRow(caption);
  if (caption_row < 0) return table;
  table.heading_row = caption_row + 1;
  for (const auto& [place, cell] : sheet.cells) {
    if (place.first == table.heading_row) table.columns[cell.value] = place.second;
  }
  return table;
}

}  // namespace samkart::testing_support
