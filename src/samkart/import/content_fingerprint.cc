#include "samkart/import/content_fingerprint.h"

#include <algorithm>
#include <array>
#include <string_view>

#include <fmt/format.h>

#include "samkart/core/sha256.h"

namespace samkart::import {

std::string ContentFingerprint(const std::vector<harmonise::HarmonisedRow>& rows) {
  using Digest = std::array<unsigned char, 32>;
  std::vector<Digest> digests;
  digests.reserve(rows.size());
  std::string serialised;
  for (const auto& r : rows) {
    serialised.clear();
    fmt::format_to(std::back_inserter(serialised), "{};{};{};{};", r.municipality, r.year,
                   r.service, r.position);
    serialised.append(r.answers.begin(), r.answers.end());
    digests.push_back(Sha256Digest(serialised));
  }
  std::sort(digests.begin(), digests.end());
  Sha256 all;
  // Named, so a later way of fingerprinting cannot be mistaken for this one.
  all.Update("samkart innhold 1\n");
  for (const Digest& d : digests) {
    all.Update(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
  }
  return all.FinishHex();
}

}  // namespace samkart::import
