#include "samkart/io/source_reader.h"

#include <filesystem>
#include <unordered_set>

#include <fmt/format.h>

namespace samkart::io {

namespace {

std::string LowerExtension(const std::string& file_name) {
  std::string ext = std::filesystem::path(file_name).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

}  // namespace

SourceFormat DetectSourceFormat(std::string_view bytes, const std::string& file_name) {
  if (bytes.starts_with("PK\x03\x04")) return SourceFormat::kXlsx;
  if (bytes.starts_with("$FL2") || bytes.starts_with("$FL3")) return SourceFormat::kSav;
  if (bytes.starts_with("<stata_dta>")) return SourceFormat::kDta;
  const std::string ext = LowerExtension(file_name);
  if (ext == ".xlsx") return SourceFormat::kXlsx;
  if (ext == ".sav" || ext == ".zsav") return SourceFormat::kSav;
  if (ext == ".dta") return SourceFormat::kDta;
  return SourceFormat::kCsv;
}

Result<std::unique_ptr<SourceReader>> OpenSource(SourceBytes bytes, SourceFormat format,
                                                 const std::string& display_name,
                                                 const SourceOptions& options) {
  if (bytes.view().empty()) return Error{display_name + ": filen er tom"};
  switch (format) {
    case SourceFormat::kCsv:
      return OpenCsvSource(std::move(bytes), display_name, options);
    case SourceFormat::kXlsx:
      return OpenXlsxSource(std::move(bytes).TakeString(), display_name, options);
    case SourceFormat::kSav:
    case SourceFormat::kDta:
      return OpenReadStatSource(std::move(bytes).TakeString(), format, display_name, options);
  }
  return Error{display_name + ": ukjent filformat"};
}

Result<std::unique_ptr<SourceReader>> OpenSourceFile(const std::string& path,
                                                     const SourceOptions& options) {
  SAMKART_ASSIGN_OR_RETURN(SourceBytes bytes, SourceBytes::MapFile(path, kMaxSourceFileBytes));
  const SourceFormat format = DetectSourceFormat(bytes.view(), path);
  return OpenSource(std::move(bytes), format, path, options);
}

Status CheckColumnNames(const std::vector<SourceColumn>& columns, const std::string& display_name) {
  if (columns.empty()) return Error{display_name + ": filen har ingen kolonner"};
  if (columns.size() > kSourceMaxColumns) {
    return Error{fmt::format("{}: {} kolonner; grensen er {}", display_name, columns.size(),
                             kSourceMaxColumns)};
  }
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const std::string& name = columns[i].name;
    if (name.empty()) {
      return Error{fmt::format("{}: kolonne {} har ikke noe navn", display_name, i + 1)};
    }
    if (!seen.insert(name).second) {
      return Error{fmt::format("{}: kolonnenavnet «{}» forekommer mer enn én gang (kolonne {})",
                               display_name, name, i + 1)};
    }
  }
  return Ok();
}

}  // namespace samkart::io
