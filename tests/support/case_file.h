#pragma once
// Reads the case tables in testdata/*.test folders. A table is plain text:
//
//   # a comment (only at the start of a line)
//   case SomeName            starts a case; the name is a gtest name
//   keyword the rest         one directive of that case
//
// Blank lines and comments are skipped. What a keyword means is up to the
// test that reads the table; this reader only splits lines into keyword and
// rest (the text after one space, kept as written, trailing spaces too).
// `Unescape` decodes the escapes the tables use in byte strings: \\ \n \r
// \t and \xHH (two hex digits), the subset printf '%b' shares, so a shell
// script can write the same bytes.

#include <cctype>
#include <cstddef>
#include <fstream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace samkart::testing_support {

struct CaseLine {
  std::size_t number = 0;  // line in the table, for messages
  std::string keyword;
  std::string rest;
};

struct TableCase {
  std::string name;
  std::size_t number = 0;  // line of «case NAME»
  std::vector<CaseLine> lines;
};

struct CaseTable {
  std::vector<TableCase> cases;
  std::string error;  // "" when the table was read; else what is wrong and where
};

inline bool IsCaseName(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return false;
  }
  return true;
}

inline CaseTable ReadCaseTable(const std::string& path) {
  CaseTable table;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    table.error = path + ": cannot be read";
    return table;
  }
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.find(' ');
    CaseLine parsed{number, line.substr(0, space),
                    space == std::string::npos ? std::string() : line.substr(space + 1)};
    if (parsed.keyword == "case") {
      if (!IsCaseName(parsed.rest)) {
        table.error = path + ":" + std::to_string(number) + ": bad case name «" + parsed.rest + "»";
        return table;
      }
      for (const auto& earlier : table.cases) {
        if (earlier.name == parsed.rest) {
          table.error = path + ":" + std::to_string(number) + ": case «" + parsed.rest +
                        "» also on line " + std::to_string(earlier.number);
          return table;
        }
      }
      table.cases.push_back({parsed.rest, number, {}});
      continue;
    }
    if (table.cases.empty()) {
      table.error = path + ":" + std::to_string(number) + ": directive before the first case";
      return table;
    }
    table.cases.back().lines.push_back(std::move(parsed));
  }
  if (table.cases.empty()) table.error = path + ": no cases";
  return table;
}

// Decodes \\ \n \r \t \xHH; nullopt for any other escape.
inline std::optional<std::string> Unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    switch (text[i]) {
      case '\\':
        out += '\\';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'x': {
        if (i + 2 >= text.size()) return std::nullopt;
        const std::string hex(text.substr(i + 1, 2));
        if (std::isxdigit(static_cast<unsigned char>(hex[0])) == 0 ||
            std::isxdigit(static_cast<unsigned char>(hex[1])) == 0) {
          return std::nullopt;
        }
        out += static_cast<char>(std::stoi(hex, nullptr, 16));
        i += 2;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

// True when `text` occurs in `message`; a leading ^ anchors it to the
// message's start and a trailing $ to its end, as in grep.
inline bool TextMatches(const std::string& message, std::string text) {
  const bool at_start = !text.empty() && text.front() == '^';
  if (at_start) text.erase(0, 1);
  const bool at_end = !text.empty() && text.back() == '$';
  if (at_end) text.pop_back();
  if (at_start && at_end) return message == text;
  if (at_start) return message.starts_with(text);
  if (at_end) return message.ends_with(text);
  return message.find(text) != std::string::npos;
}

// Splits A|B|C at every | that is not escaped (\|), then decodes each part;
// nullopt for a bad escape.
inline std::optional<std::vector<std::string>> SplitCells(const std::string& text) {
  std::vector<std::string> cells(1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      cells.back() += text[i + 1] == '|' ? std::string("\\x7C") : text.substr(i, 2);
      ++i;
    } else if (text[i] == '|') {
      cells.emplace_back();
    } else {
      cells.back() += text[i];
    }
  }
  for (auto& cell : cells) {
    auto decoded = Unescape(cell);
    if (!decoded) return std::nullopt;
    cell = std::move(*decoded);
  }
  return cells;
}

// How gtest shows a case in a failure: its name and line, not its bytes.
inline void PrintTo(const TableCase& test_case, std::ostream* os) {
  *os << test_case.name << " (line " << test_case.number << ")";
}

// Names each case of a value-parameterised test after its table entry.
inline std::string CaseName(const ::testing::TestParamInfo<TableCase>& param) {
  return param.param.name;
}

}  // namespace samkart::testing_support
