#include "samkart/io/text_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

namespace samkart::io {

namespace fs = std::filesystem;

Result<TextFile> ReadTextFile(const std::string& path, std::size_t max_bytes) {
  auto bytes = ReadFileBytes(path, max_bytes);
  if (!bytes.ok()) return bytes.error();
  return TextFile{path, std::move(bytes.value())};
}

Result<std::string> ReadFileBytes(const std::string& path, std::uintmax_t max_bytes) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return Error{fmt::format("{}: finnes ikke eller er ikke en vanlig fil", path)};
  }
  const auto size = fs::file_size(path, ec);
  if (ec) return Error{fmt::format("{}: kan ikke lese filstørrelsen ({})", path, ec.message())};
  if (size > max_bytes) {
    return Error{fmt::format("{}: filen er {} byte, grensen er {} byte", path, size, max_bytes)};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("{}: kan ikke åpnes for lesing", path)};
  std::string content(static_cast<std::size_t>(size), '\0');
  in.read(content.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::size_t>(in.gcount()) != size) {
    return Error{fmt::format("{}: lesingen stoppet etter {} byte", path, in.gcount())};
  }
  return content;
}

Result<std::vector<std::string>> ListFiles(const std::string& dir, const std::string& suffix) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Error{fmt::format("{}: finnes ikke eller er ikke en mappe", dir)};
  std::vector<std::string> files;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string name = it->path().filename().string();
    if (name.size() < suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    files.push_back(fs::relative(it->path(), dir).generic_string());
  }
  if (ec) return Error{fmt::format("{}: kan ikke lese mappen ({})", dir, ec.message())};
  std::sort(files.begin(), files.end());
  return files;
}

Status WriteTextFile(const std::string& path, const std::string& content) {
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec)
    return Error{fmt::format("{}: kan ikke opprette mappen ({})", parent.string(), ec.message())};
  // Write beside the target and rename, so a reader never sees half a file.
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return Error{fmt::format("{}: kan ikke åpnes for skriving", temporary)};
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) return Error{fmt::format("{}: skrivingen feilet", temporary)};
  }
  fs::rename(temporary, path, ec);
  if (ec) return Error{fmt::format("{}: kan ikke skrives ({})", path, ec.message())};
  return Ok();
}

}  // namespace samkart::io
