// Runs body(i) for every i below count on up to `threads` threads (0: one
// per core), the calling thread among them. Each index runs once; the
// order is not fixed, so the body must not depend on it.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace samkart {

template <typename Body>
void ParallelFor(std::size_t count, unsigned threads, Body&& body) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::max(1u, static_cast<unsigned>(std::min<std::size_t>(threads, count)));
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) body(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
}

}  // namespace samkart
