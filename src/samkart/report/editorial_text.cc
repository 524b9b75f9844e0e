#include "samkart/report/editorial_text.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "samkart/core/text.h"
#include "samkart/io/text_file.h"

#include "fmt/format.h"

namespace samkart::report {

namespace {

// «**viktig**» → «viktig», «[veileder](https://…)» → «veileder (https://…)».
// An asterisk or underscore inside a word (2*3, file_name) stays.
std::string PlainInline(std::string_view line) {
  std::string out;
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '[') {
      const std::size_t close = line.find("](", i);
      const std::size_t end = close == std::string_view::npos ? close : line.find(')', close);
      if (close != std::string_view::npos && end != std::string_view::npos) {
        out += PlainInline(line.substr(i + 1, close - i - 1));
        out += fmt::format(" ({})", line.substr(close + 2, end - close - 2));
        i = end;
        continue;
      }
    }
    if (c == '*' || c == '_' || c == '`') {
      const bool before = i > 0 && word(line[i - 1]);
      const bool after = i + 1 < line.size() && word(line[i + 1]);
      if (c == '`' || !(before && after)) continue;  // a mark, not part of a word
    }
    out += c;
  }
  return out;
}

// «- punkt», «* punkt», «+ punkt» → the item; «12. punkt» → the item, numbered.
std::optional<std::pair<std::string_view, bool>> ListItem(std::string_view line) {
  if (line.size() > 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') && line[1] == ' ') {
    return std::make_pair(text::Trim(line.substr(2)), false);
  }
  std::size_t digits = 0;
  while (digits < line.size() && line[digits] >= '0' && line[digits] <= '9') ++digits;
  if (digits > 0 && digits + 1 < line.size() && (line[digits] == '.' || line[digits] == ')') &&
      line[digits + 1] == ' ') {
    return std::make_pair(text::Trim(line.substr(digits + 2)), true);
  }
  return std::nullopt;
}

}  // namespace

EditorialText::Chapter ParseEditorialMarkdown(const std::string& markdown, const std::string& key) {
  EditorialText::Chapter chapter;
  std::vector<Block>* target = &chapter.blocks;
  std::string paragraph;
  BulletList list;
  auto flush = [&] {
    if (!paragraph.empty()) target->push_back(Paragraph{PlainInline(paragraph)});
    paragraph.clear();
    if (!list.items.empty()) target->push_back(list);
    list = BulletList{};
  };
  for (const std::string& raw : text::Split(markdown, '\n')) {
    const std::string_view line = text::Trim(raw);
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == '#') {
      flush();
      const std::size_t level = line.find_first_not_of('#');
      const std::string title =
          PlainInline(text::Trim(level == std::string_view::npos ? "" : line.substr(level)));
      if (title.empty()) continue;
      Section section{fmt::format("{}-{}", key, chapter.subsections.size() + 1), title, 2, {}};
      chapter.subsections.push_back(std::move(section));
      target = &chapter.subsections.back().blocks;
      continue;
    }
    if (const auto item = ListItem(line)) {
      if (!paragraph.empty()) {
        target->push_back(Paragraph{PlainInline(paragraph)});
        paragraph.clear();
      }
      if (!list.items.empty() && list.numbered != item->second) flush();
      list.numbered = item->second;
      list.items.push_back(PlainInline(item->first));
      continue;
    }
    if (!list.items.empty() && raw.size() > 0 && (raw[0] == ' ' || raw[0] == '\t')) {
      list.items.back() += " " + PlainInline(line);  // an item that runs on
      continue;
    }
    if (!list.items.empty()) flush();
    if (!paragraph.empty()) paragraph += ' ';
    paragraph += line;
  }
  flush();
  return chapter;
}

Result<EditorialText> LoadEditorialText(const std::string& dir) {
  EditorialText text_out;
  text_out.dir = dir;
  SAMKART_ASSIGN_OR_RETURN(const std::vector<std::string> files, io::ListFiles(dir, ".md"));
  std::vector<std::string> known;
  for (const auto& c : kEditorialChapters) known.push_back(std::string(c.key) + ".md");
  for (const std::string& name : files) {
    const std::string path = dir + "/" + name;
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return Error{fmt::format("{}: ukjent kapittelfil; tekstmappen kan ha {}", path,
                               text::JoinList(known))};
    }
    auto file = io::ReadTextFile(path, kEditorialFileMaxBytes);
    if (!file.ok()) return file.error();
    const std::vector<std::string> lines = text::Split(file->content, '\n');
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (!text::IsValidUtf8(lines[i])) {
        return Error{
            fmt::format("{}, linje {}: teksten er ikke gyldig UTF-8 (lagre filen som "
                        "UTF-8)",
                        path, i + 1)};
      }
    }
    std::string content = std::move(file->content);
    if (content.starts_with("\xEF\xBB\xBF")) content.erase(0, 3);  // a byte order mark
    content.erase(std::remove(content.begin(), content.end(), '\r'), content.end());
    const std::string key = name.substr(0, name.size() - 3);
    text_out.chapters[key] = ParseEditorialMarkdown(content, key);
  }
  return text_out;
}

}  // namespace samkart::report
