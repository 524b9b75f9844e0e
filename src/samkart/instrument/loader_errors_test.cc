// Runs the instrument error cases of testdata/loader_errors.test: each case
// breaks the shipped instrument and names the problems the loader must
// report (the format is described at the top of that file).
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "samkart/instrument/embedded.h"
#include "samkart/instrument/loader.h"

#include "support/case_file.h"

namespace samkart::instrument {
namespace {

using testing_support::CaseLine;
using testing_support::TableCase;

constexpr const char* kTable =
    SAMKART_SOURCE_DIR "/src/samkart/instrument/testdata/loader_errors.test";

std::vector<TableCase> Cases() {
  auto table = testing_support::ReadCaseTable(kTable);
  if (!table.error.empty()) {
    // One failing case that says why, rather than silently running none.
    return {TableCase{"TableCanBeRead", 0, {CaseLine{0, "unreadable", table.error}}}};
  }
  return std::move(table.cases);
}

std::size_t LineOf(const std::string& content, std::size_t offset) {
  return static_cast<std::size_t>(
             std::count(content.begin(), content.begin() + static_cast<long>(offset), '\n')) +
         1;
}

io::TextFile* Find(std::vector<io::TextFile>& files, const std::string& path) {
  for (auto& f : files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

enum class Match { kAll, kFirst, kAny };

struct Expected {
  Match match = Match::kAll;
  std::string file;
  std::string line;  // a number, "edit", "row:PREFIX" or "*"
  std::string text;
  std::size_t table_line = 0;
};

// Splits "A B REST" into three parts; false when there are fewer than two spaces.
bool SplitTwo(const std::string& rest, std::string& a, std::string& b, std::string& tail) {
  const auto first = rest.find(' ');
  if (first == std::string::npos) return false;
  const auto second = rest.find(' ', first + 1);
  if (second == std::string::npos) return false;
  a = rest.substr(0, first);
  b = rest.substr(first + 1, second - first - 1);
  tail = rest.substr(second + 1);
  return true;
}

std::string Dump(const LoadResult& result) {
  std::string all;
  for (const auto& p : result.problems) all += p.ToString() + "\n";
  return all.empty() ? "(no problems)\n" : all;
}

class LoaderErrors : public ::testing::TestWithParam<TableCase> {};

TEST_P(LoaderErrors, ReportsTheExpectedProblems) {
  const TableCase& test_case = GetParam();
  auto files = EmbeddedInstrumentFiles();
  std::size_t edit_line = 0;
  std::vector<Expected> expected;
  std::string pending_replace;  // the file of a «replace» waiting for its «with»
  std::string pending_from;

  // The edits, applied in table order, and the expected problems.
  for (const CaseLine& l : test_case.lines) {
    SCOPED_TRACE(std::string(kTable) + ":" + std::to_string(l.number));
    const auto unescaped = testing_support::Unescape(l.rest);
    ASSERT_TRUE(unescaped.has_value()) << "bad escape in «" << l.rest << "»";
    ASSERT_TRUE(pending_replace.empty() || l.keyword == "with") << "«replace» without «with»";
    const std::string& rest = *unescaped;
    const auto space = rest.find(' ');
    const std::string path = rest.substr(0, space);
    const std::string text = space == std::string::npos ? "" : rest.substr(space + 1);

    if (l.keyword == "unreadable") {
      FAIL() << l.rest;
    } else if (l.keyword == "append") {
      io::TextFile* file = Find(files, path);
      ASSERT_NE(file, nullptr) << path << " is not an instrument file";
      edit_line = LineOf(file->content, file->content.size());
      file->content += text + "\n";
    } else if (l.keyword == "replace") {
      ASSERT_NE(Find(files, path), nullptr) << path << " is not an instrument file";
      pending_replace = path;
      pending_from = text;
    } else if (l.keyword == "with") {
      ASSERT_FALSE(pending_replace.empty()) << "«with» without «replace»";
      auto& content = Find(files, pending_replace)->content;
      const auto at = content.find(pending_from);
      ASSERT_NE(at, std::string::npos) << "«" << pending_from << "» not in " << pending_replace;
      content.replace(at, pending_from.size(), rest);
      edit_line = LineOf(content, at);
      pending_replace.clear();
    } else if (l.keyword == "write") {
      if (io::TextFile* file = Find(files, path)) {
        file->content = text;
      } else {
        files.push_back({path, text});
      }
    } else if (l.keyword == "copy") {
      const io::TextFile* from = Find(files, text);
      ASSERT_NE(from, nullptr) << text << " is not an instrument file";
      ASSERT_EQ(Find(files, path), nullptr) << path << " exists already";
      files.push_back({path, from->content});
    } else if (l.keyword == "remove") {
      ASSERT_NE(Find(files, path), nullptr) << path << " is not an instrument file";
      std::erase_if(files, [&](const io::TextFile& f) { return f.path == path; });
    } else if (l.keyword == "expect" || l.keyword == "expect-first" || l.keyword == "expect-any") {
      Expected e;
      e.match = l.keyword == "expect"         ? Match::kAll
                : l.keyword == "expect-first" ? Match::kFirst
                                              : Match::kAny;
      e.table_line = l.number;
      ASSERT_TRUE(SplitTwo(rest, e.file, e.line, e.text)) << "expected FILE LINE TEXT";
      ASSERT_FALSE(e.text.empty()) << "the expected message is empty";
      expected.push_back(e);
    } else {
      FAIL() << "unknown directive «" << l.keyword << "»";
    }
  }
  ASSERT_TRUE(pending_replace.empty()) << "«replace» without «with»";
  ASSERT_FALSE(expected.empty()) << "the case expects nothing";
  const bool exhaustive = expected.front().match == Match::kAll;
  for (const auto& e : expected) {
    ASSERT_EQ(e.match == Match::kAll, exhaustive) << "mix of «expect» and «expect-first/any»";
  }

  // Load the broken instrument and find each expected problem.
  const auto result = LoadInstrument(files, "data/");
  EXPECT_FALSE(result.ok());
  if (exhaustive) {
    ASSERT_EQ(result.problems.size(), expected.size()) << Dump(result);
  }
  ASSERT_FALSE(result.problems.empty());

  for (std::size_t i = 0; i < expected.size(); ++i) {
    const Expected& e = expected[i];
    SCOPED_TRACE(std::string(kTable) + ":" + std::to_string(e.table_line));
    bool any_line = false;
    std::size_t line = 0;
    if (e.line == "*") {
      any_line = true;
    } else if (e.line == "edit") {
      ASSERT_NE(edit_line, 0u) << "«edit» needs an append or a replace";
      line = edit_line;
    } else if (e.line.starts_with("row:")) {
      const io::TextFile* file = Find(files, e.file);
      ASSERT_NE(file, nullptr) << e.file;
      const std::string prefix = e.line.substr(4);
      const auto at = file->content.starts_with(prefix) ? 0 : file->content.find("\n" + prefix);
      ASSERT_NE(at, std::string::npos) << "no line of " << e.file << " starts with " << prefix;
      line = at == 0 ? 1 : LineOf(file->content, at + 1);
    } else {
      ASSERT_TRUE(!e.line.empty() && std::all_of(e.line.begin(), e.line.end(),
                                                 [](char c) { return c >= '0' && c <= '9'; }))
          << "bad LINE «" << e.line << "»";
      line = std::stoul(e.line);
    }
    const auto matches = [&](const Diagnostic& p) {
      return p.file == "data/" + e.file && (any_line || p.line == line) &&
             testing_support::TextMatches(p.message, e.text);
    };
    const std::string want =
        "data/" + e.file + ":" + (any_line ? "*" : std::to_string(line)) + ": " + e.text;
    if (e.match == Match::kAny) {
      EXPECT_TRUE(std::any_of(result.problems.begin(), result.problems.end(), matches))
          << "expected some problem like «" << want << "» in:\n"
          << Dump(result);
    } else {
      ASSERT_LT(i, result.problems.size()) << Dump(result);
      EXPECT_TRUE(matches(result.problems[i]))
          << "expected problem " << i + 1 << " like «" << want << "» in:\n"
          << Dump(result);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Table, LoaderErrors, ::testing::ValuesIn(Cases()),
                         testing_support::CaseName);

}  // namespace
}  // namespace samkart::instrument
