#include "samkart/report/output_file.h"

#include <system_error>

#include "fmt/format.h"

namespace samkart::report {

namespace fs = std::filesystem;

std::string WhyNotWritable(const fs::path& path, std::string_view what) {
  std::error_code ec;
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::exists(parent, ec)) return fmt::format("mappen {} finnes ikke", parent.string());
  if (!fs::is_directory(parent, ec)) return fmt::format("{} er ikke en mappe", parent.string());
  if (fs::is_directory(path, ec)) return "det finnes en mappe med det navnet";
  return fmt::format("{} kan ikke skrives", what);
}

Status CheckWritable(const fs::path& path, std::string_view what) {
  std::error_code ec;
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec) || fs::is_directory(path, ec)) {
    return Error{fmt::format("{}: {}", path.string(), WhyNotWritable(path, what))};
  }
  return Ok();
}

}  // namespace samkart::report
