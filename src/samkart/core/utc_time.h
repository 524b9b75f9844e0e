// Times as Samkart stores, shows and logs them: UTC in ISO 8601 to the
// second, «2026-12-05T17:03:00Z», which sorts as text in time order.
#pragma once

#include <chrono>
#include <string>

namespace samkart {

std::string UtcTimestamp(
    std::chrono::system_clock::time_point at = std::chrono::system_clock::now());

}  // namespace samkart
