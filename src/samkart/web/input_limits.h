// What `samkart serve` accepts from clients beyond the connection limits:
// how long a session cookie may be, how many entries the in-memory caches
// hold, how large an invited count may be. Every limit has a name, a
// default that suits a municipality's network, and can be set with
// `samkart serve --limit NAME=VALUE`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "samkart/core/result.h"

namespace samkart::web {

struct ServeOptions;

struct InputLimits {
  // A session cookie longer than this is no session (ours are 43 bytes).
  std::size_t max_session_token_bytes = 200;
  // Sessions remembered between store lookups; the oldest go first.
  std::size_t max_cached_sessions = 100'000;
  // Explorer results kept for the current dataset.
  std::size_t max_cached_views = 4096;
  // Built reports kept for the current dataset.
  std::size_t max_cached_reports = 48;
  // The largest invited count per service a round form accepts.
  std::size_t max_invited_per_service = 100'000;
  // How far ahead (days from today) a new round's closing date may be.
  std::size_t max_round_days = 183;
};

// Sets the limit `assignment` names («NAME=VALUE», VALUE a whole number
// above 0), in the input or the connection limits; a Norwegian error names
// the known limits.
Status SetLimit(ServeOptions& options, std::string_view assignment);

// One line per limit: its name, its default and what it limits.
std::string DescribeLimits(const ServeOptions& options);

}  // namespace samkart::web
