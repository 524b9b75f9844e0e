// Every cell of every sheet of an XLSX workbook, read with libzip and expat
// for tests that check what a workbook holds: per sheet, rows of cells with
// their text and whether the cell is a number.
#pragma once

#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <expat.h>
#include <zip.h>

namespace samkart::testing_support {

struct XlsxCell {
  std::string text;  // the string, or the number as written in the file
  bool number = false;
};

struct XlsxRow {
  int number = 0;               // the spreadsheet row number (1-based); empty rows are absent
  std::vector<XlsxCell> cells;  // in column order, gaps left out
};

struct XlsxSheet {
  std::string name;
  std::vector<XlsxRow> rows;
};

namespace xlsx_detail {

inline std::optional<std::string> ZipEntry(zip_t* archive, const std::string& name) {
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat(archive, name.c_str(), 0, &stat) != 0) return std::nullopt;
  zip_file_t* file = zip_fopen(archive, name.c_str(), 0);
  if (file == nullptr) return std::nullopt;
  std::string data(stat.size, '\0');
  const bool ok = zip_fread(file, data.data(), stat.size) == static_cast<zip_int64_t>(stat.size);
  zip_fclose(file);
  return ok ? std::optional<std::string>(std::move(data)) : std::nullopt;
}

// Collects the text of <t> elements per <si> (shared strings), or cells per
// <row> (a sheet), or sheet names in order (the workbook).
struct Parser {
  enum class Mode { kStrings, kSheet, kWorkbook };
  explicit Parser(Mode m) : mode(m) {}
  Mode mode;
  const std::vector<std::string>* shared = nullptr;
  std::vector<std::string> strings;  // kStrings: one per <si>; kWorkbook: sheet names
  std::vector<XlsxRow> rows;
  std::string text;
  bool in_text = false;
  std::string cell_type;
  bool in_cell = false;

  static void Start(void* self, const XML_Char* name, const XML_Char** attrs) {
    auto* p = static_cast<Parser*>(self);
    const std::string element = name;
    auto attr = [&](const char* wanted) -> std::string {
      for (int i = 0; attrs[i] != nullptr; i += 2) {
        if (std::string(attrs[i]) == wanted) return attrs[i + 1];
      }
      return {};
    };
    if (p->mode == Mode::kWorkbook && element == "sheet") p->strings.push_back(attr("name"));
    if (p->mode == Mode::kStrings && element == "si") p->text.clear();
    if (p->mode == Mode::kSheet && element == "row") {
      p->rows.push_back({std::atoi(attr("r").c_str()), {}});
    }
    if (p->mode == Mode::kSheet && element == "c") {
      p->in_cell = true;
      p->cell_type = attr("t");
      p->text.clear();
    }
    if (element == "t" || element == "v") p->in_text = true;
  }
  static void End(void* self, const XML_Char* name) {
    auto* p = static_cast<Parser*>(self);
    const std::string element = name;
    if (element == "t" || element == "v") p->in_text = false;
    if (p->mode == Mode::kStrings && element == "si") p->strings.push_back(p->text);
    if (p->mode == Mode::kSheet && element == "c" && !p->rows.empty()) {
      XlsxCell cell;
      if (p->cell_type == "s") {
        const std::size_t index = std::stoul(p->text.empty() ? "0" : p->text);
        cell.text = index < p->shared->size() ? (*p->shared)[index] : "";
      } else {
        cell.text = p->text;
        cell.number = p->cell_type.empty() || p->cell_type == "n";
      }
      p->rows.back().cells.push_back(cell);
      p->in_cell = false;
    }
  }
  static void Text(void* self, const XML_Char* s, int len) {
    auto* p = static_cast<Parser*>(self);
    if (p->in_text) p->text.append(s, static_cast<std::size_t>(len));
  }

  bool Parse(const std::string& xml) {
    XML_Parser parser = XML_ParserCreate("UTF-8");
    XML_SetUserData(parser, this);
    XML_SetElementHandler(parser, Start, End);
    XML_SetCharacterDataHandler(parser, Text);
    const bool ok =
        XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE) == XML_STATUS_OK;
    XML_ParserFree(parser);
    return ok;
  }
};

}  // namespace xlsx_detail

// The workbook's sheets in order; empty when the file is not a readable workbook.
inline std::vector<XlsxSheet> ReadXlsxSheets(const std::string& path) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (archive == nullptr) return {};
  std::vector<XlsxSheet> sheets;
  xlsx_detail::Parser workbook(xlsx_detail::Parser::Mode::kWorkbook);
  xlsx_detail::Parser strings(xlsx_detail::Parser::Mode::kStrings);
  const auto workbook_xml = xlsx_detail::ZipEntry(archive, "xl/workbook.xml");
  const auto strings_xml = xlsx_detail::ZipEntry(archive, "xl/sharedStrings.xml");
  if (workbook_xml && workbook.Parse(*workbook_xml) &&
      (!strings_xml || strings.Parse(*strings_xml))) {
    // libxlsxwriter numbers its sheet parts in workbook order.
    for (std::size_t i = 0; i < workbook.strings.size(); ++i) {
      const auto xml =
          xlsx_detail::ZipEntry(archive, "xl/worksheets/sheet" + std::to_string(i + 1) + ".xml");
      xlsx_detail::Parser sheet(xlsx_detail::Parser::Mode::kSheet);
      sheet.shared = &strings.strings;
      if (!xml || !sheet.Parse(*xml)) break;
      sheets.push_back({workbook.strings[i], std::move(sheet.rows)});
    }
  }
  zip_close(archive);
  return sheets;
}

}  // namespace samkart::testing_support
