// Content hashes for import provenance: a re-imported file is recognised by
// its bytes, whatever it is called.
#pragma once

#include <string>
#include <string_view>

namespace samkart {

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

}  // namespace samkart
