// Runs fuzz inputs through LLVMFuzzerTestOneInput without libFuzzer, so the
// committed corpus, and every crash once found, is an ordinary test in every
// build (as cpp-httplib's standalone runner does).
//   <target>_fuzz_replay DIR|FILE...
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// Adds `path`, or the regular files under it in sorted order, to `inputs`.
bool Collect(const fs::path& path, std::vector<fs::path>& inputs) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    inputs.push_back(path);
    return true;
  }
  if (!fs::is_directory(path, ec)) {
    std::cerr << path.string() << ": finnes ikke eller er ikke en fil eller mappe\n";
    return false;
  }
  std::vector<fs::path> found;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) found.push_back(it->path());
  }
  if (ec) {
    std::cerr << path.string() << ": kan ikke lese mappen (" << ec.message() << ")\n";
    return false;
  }
  std::sort(found.begin(), found.end());
  inputs.insert(inputs.end(), found.begin(), found.end());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "bruk: " << argv[0] << " MAPPE|FIL...\n";
    return 2;
  }
  std::vector<fs::path> inputs;
  bool ok = true;
  for (int i = 1; i < argc; ++i) ok = Collect(argv[i], inputs) && ok;

  std::size_t ran = 0;
  for (const fs::path& input : inputs) {
    std::ifstream in(input, std::ios::binary);
    if (!in) {
      std::cerr << input.string() << ": kan ikke åpnes\n";
      ok = false;
      continue;
    }
    // An exact-size heap copy, so AddressSanitizer sees reads past the end.
    const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                          std::istreambuf_iterator<char>()};
    // Named before running, so a crash shows which input caused it.
    std::cout << "kjører " << input.string() << " (" << bytes.size() << " byte)" << std::endl;
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    ++ran;
  }
  std::cout << ran << " inndata kjørt\n";
  if (ran == 0) {
    std::cerr << "fant ingen inndata\n";
    return 1;
  }
  return ok ? 0 : 1;
}
