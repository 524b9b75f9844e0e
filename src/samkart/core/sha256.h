// Content hashes for import provenance: a re-imported file is recognised by
// its bytes, whatever it is called. The incremental form checksums whole
// tables for `samkart copy`.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

namespace samkart {

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);
// The 32 bytes of the SHA-256 of `bytes`.
std::array<unsigned char, 32> Sha256Digest(std::string_view bytes);

// SHA-256 over bytes fed in pieces.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // Lower-case hex; the hash cannot be fed after this.
  std::string FinishHex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace samkart
