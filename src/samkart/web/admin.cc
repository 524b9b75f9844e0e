#include "samkart/web/admin.h"

#include <cstdlib>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "samkart/core/text.h"

namespace samkart::web {

namespace fs = std::filesystem;

namespace {

// Letters Norwegian and Sami names use: Latin-1 and Latin Extended-A/B,
// without × and ÷.
bool AllowedLetter(char32_t cp) { return cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7; }

bool AllowedAscii(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
         c == '-' || c == '_' || c == '.' || c == ',' || c == '(' || c == ')' || c == '+';
}

}  // namespace

std::string PrintableName(std::string_view name) {
  std::string out;
  std::size_t shown = 0;
  for (std::size_t i = 0; i < name.size() && shown < 80; ++shown) {
    char32_t cp = 0;
    const std::size_t used = text::DecodeUtf8(name, i, cp);
    if (used == 0) {
      out += '?';
      ++i;
      continue;
    }
    // Control characters and the invisible direction marks that reorder text.
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x200E || cp == 0x200F ||
        (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
      out += '?';
    } else {
      out.append(name.substr(i, used));
    }
    i += used;
  }
  if (shown == 80 && out.size() < name.size()) out += "…";
  return out;
}

Result<std::string> SanitiseUploadName(std::string_view name) {
  auto refuse = [&](std::string_view why) -> Result<std::string> {
    return Error{
        fmt::format("Filnavnet «{}» kan ikke brukes: {}. Gi filen et enkelt navn, for "
                    "eksempel «eksport_2024.csv», og last den opp igjen.",
                    PrintableName(name), why)};
  };
  if (name.empty()) return refuse("filen mangler navn");
  if (name.size() > kMaxUploadNameBytes) {
    return refuse(fmt::format("navnet er lengre enn {} tegn", kMaxUploadNameBytes));
  }
  if (name.find('\0') != std::string_view::npos) return refuse("navnet inneholder NUL-tegn");
  if (name.find('/') != std::string_view::npos || name.find('\\') != std::string_view::npos) {
    return refuse("navnet inneholder skråstrek; bare selve filnavnet, uten mappe, er tillatt");
  }
  if (name.find("..") != std::string_view::npos) return refuse("navnet inneholder «..»");
  if (name.front() == '.') return refuse("navnet begynner med punktum");
  if (name.back() == ' ' || name.back() == '.') {
    return refuse("navnet slutter med mellomrom eller punktum");
  }
  for (std::size_t i = 0; i < name.size();) {
    const char c = name[i];
    if (static_cast<unsigned char>(c) < 0x80) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
        return refuse("navnet inneholder kontrolltegn");
      }
      if (!AllowedAscii(c)) return refuse(fmt::format("tegnet «{}» er ikke tillatt", c));
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t used = text::DecodeUtf8(name, i, cp);
    if (used == 0) return refuse("navnet er ikke gyldig UTF-8");
    if (!AllowedLetter(cp)) {
      return refuse(
          fmt::format("tegnet «{}» er ikke tillatt", PrintableName(name.substr(i, used))));
    }
    i += used;
  }
  return std::string(name);
}

Result<PrivateTempDir> PrivateTempDir::Create(const std::string& parent,
                                              const std::string& prefix) {
  std::error_code ec;
  fs::path base = parent.empty() ? fs::temp_directory_path(ec) : fs::path(parent);
  if (ec) return Error{"finner ingen mappe for midlertidige filer: " + ec.message()};
  fs::create_directories(base, ec);
  if (ec) {
    return Error{
        fmt::format("kan ikke opprette arbeidsmappen «{}»: {}", base.string(), ec.message())};
  }
  std::string pattern = (base / (prefix + "XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {  // mode 0700
    return Error{fmt::format("kan ikke opprette en midlertidig mappe i «{}»", base.string())};
  }
  return PrivateTempDir(fs::path(buffer.data()));
}

PrivateTempDir::PrivateTempDir(PrivateTempDir&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

PrivateTempDir& PrivateTempDir::operator=(PrivateTempDir&& other) noexcept {
  if (this != &other) {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

PrivateTempDir::~PrivateTempDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

Status WritePrivateFile(const fs::path& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Error{"Filen kunne ikke mellomlagres."};
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n <= 0) {
      ::close(fd);
      return Error{"Filen kunne ikke mellomlagres (disken kan være full)."};
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return Error{"Filen kunne ikke mellomlagres."};
  return Ok();
}

std::string StripUploadDirs(std::string text) {
  const std::string marker = kUploadDirPrefix;
  std::size_t from = 0;
  while (true) {
    const std::size_t at = text.find(marker, from);
    if (at == std::string::npos) break;
    const std::size_t slash = text.find('/', at + marker.size());
    // The path starts after the last whitespace, quote or guillemet before it.
    std::size_t start = at;
    while (start > 0) {
      const char c = text[start - 1];
      if (c == ' ' || c == '\n' || c == '\t' || c == '"' || c == '\'' || c == '(') break;
      if (start >= 2 && text.compare(start - 2, 2, "\xC2\xAB") == 0) break;  // «
      --start;
    }
    if (slash == std::string::npos || slash - at > marker.size() + 16) {
      from = at + marker.size();
      continue;
    }
    text.erase(start, slash + 1 - start);
    from = start;
  }
  return text;
}

}  // namespace samkart::web
