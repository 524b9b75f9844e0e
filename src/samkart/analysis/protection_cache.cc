#include "samkart/analysis/protection_cache.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string_view>
#include <system_error>

#include <fmt/format.h>
#include <unistd.h>

#include "samkart/core/sha256.h"

namespace samkart::analysis {

namespace fs = std::filesystem;

namespace {

// Change whenever ProtectLinkedCells, the line rule or the audit would hide
// other cells for the same input: old files then no longer match.
constexpr std::string_view kProtectionVersion = "samkart-vern 4";

template <typename T>
void Feed(Sha256& hash, const std::vector<T>& values) {
  const std::size_t size = values.size();
  hash.Update({reinterpret_cast<const char*>(&size), sizeof size});
  if (!values.empty()) {
    hash.Update({reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)});
  }
}

void Feed(Sha256& hash, const std::vector<bool>& bits) {
  std::string bytes(bits.size(), '0');
  for (std::size_t i = 0; i < bits.size(); ++i) bytes[i] = bits[i] ? '1' : '0';
  Feed(hash, std::vector<char>(bytes.begin(), bytes.end()));
}

std::string KeyOf(const LinkedCells& cells, const Sensitivity& sensitivity,
                  const std::vector<bool>& primary) {
  Sha256 hash;
  hash.Update(kProtectionVersion);
  Feed(hash, std::vector<std::size_t>{cells.cells});
  for (const LinkedCells::Sum& sum : cells.sums) {
    Feed(hash, std::vector<std::size_t>{sum.total});
    Feed(hash, sum.parts);
  }
  for (const auto& layer : cells.values) Feed(hash, layer);
  for (const auto& [low, high] : cells.at_most) Feed(hash, std::vector<std::size_t>{low, high});
  Feed(hash, cells.cost);
  Feed(hash, sensitivity.sensitive);
  Feed(hash, sensitivity.threshold);
  Feed(hash, primary);
  return hash.FinishHex();
}

std::optional<std::vector<bool>> Load(const fs::path& file, const LinkedCells& cells,
                                      const std::vector<bool>& primary) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() != cells.cells) return std::nullopt;
  std::vector<bool> hidden(cells.cells);
  for (std::size_t c = 0; c < cells.cells; ++c) {
    if (text[c] != '0' && text[c] != '1') return std::nullopt;
    hidden[c] = text[c] == '1';
    if (primary[c] && !hidden[c]) return std::nullopt;
  }
  std::vector<bool> check = hidden;
  if (ApplyLineRule(cells, check) != 0) return std::nullopt;
  return hidden;
}

void Store(const fs::path& dir, const fs::path& file, const std::vector<bool>& hidden) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return;
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, error);
  // Written beside, then renamed: a reader sees the whole file or none.
  const fs::path partial = file.string() + fmt::format(".{}.partial", ::getpid());
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) return;
    for (const bool h : hidden) out.put(h ? '1' : '0');
    if (!out) return;
  }
  fs::rename(partial, file, error);
  if (error) fs::remove(partial, error);
}

}  // namespace

std::optional<fs::path> ProtectionCacheDir() {
  if (const char* dir = std::getenv("SAMKART_CACHE_DIR")) {
    const std::string_view value = dir;
    if (value.empty() || value == "-") return std::nullopt;
    return fs::path(value) / "vern";
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return fs::path(xdg) / "samkart" / "vern";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return fs::path(home) / ".cache" / "samkart" / "vern";
  }
  return std::nullopt;
}

std::vector<bool> CachedProtection(const LinkedCells& cells, const Sensitivity& sensitivity,
                                   const std::vector<bool>& primary) {
  const auto dir = ProtectionCacheDir();
  fs::path file;
  if (dir) {
    file = *dir / KeyOf(cells, sensitivity, primary);
    if (auto hidden = Load(file, cells, primary)) return *hidden;
  }
  std::vector<bool> hidden = primary;
  ProtectLinkedCells(cells, sensitivity, hidden);
  if (dir) Store(*dir, file, hidden);
  return hidden;
}

}  // namespace samkart::analysis
