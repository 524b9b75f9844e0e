// Secondary suppression of a family takes seconds (the audit's linear
// programs); every process that publishes — a report run, the web server
// after a restart, each test — would otherwise pay it again for the same
// data. The cache keeps each protected pattern in a file named by the
// SHA-256 of everything the protection depends on: the cells, their
// values and sums, the weights, the primary pattern, the sensitivity and
// the version of the protection code. Changed data is a different name,
// so a file never goes stale; old files are simply not read again.
//
// The folder: $SAMKART_CACHE_DIR, else $XDG_CACHE_HOME/samkart, else
// ~/.cache/samkart (created with mode 0700; «-» or an empty value turns the
// cache off). A file that does not fit — wrong length, a primary cell
// shown, a sum the line rule would still break — is ignored and
// recomputed: the cache can save time, never weaken the protection.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "samkart/analysis/linked_cells.h"

namespace samkart::analysis {

// The cache folder, or nullopt when the cache is off.
std::optional<std::filesystem::path> ProtectionCacheDir();

// The hidden pattern ProtectLinkedCells gives `primary`, from the cache
// when it holds a fitting one, else computed and stored.
std::vector<bool> CachedProtection(const LinkedCells& cells, const Sensitivity& sensitivity,
                                   const std::vector<bool>& primary);

}  // namespace samkart::analysis
