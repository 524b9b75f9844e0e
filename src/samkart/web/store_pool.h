// The store connections `samkart serve` shares between its workers. A
// connection serves one caller at a time, so requests that reach the
// database take turns per connection; with several (up to
// ServeOptions::store_connections, opened as they are needed) they no
// longer wait for each other. Safe because every change that must not
// interleave with another is one transaction in the store.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/store/store.h"

namespace samkart::web {

class StorePool {
 public:
  using Opener = std::function<Result<std::unique_ptr<store::Store>>()>;

  // `first` is always there; `open_more` (empty: never) adds connections
  // while all are busy, up to `max` in all.
  StorePool(std::unique_ptr<store::Store> first, Opener open_more, std::size_t max);

  // A connection for one caller, given back when the lease ends.
  class Lease {
   public:
    Lease(StorePool& pool, store::Store* store) : pool_(&pool), store_(store) {}
    ~Lease() {
      if (pool_) pool_->GiveBack(store_);
    }
    Lease(Lease&& other) noexcept : pool_(other.pool_), store_(other.store_) {
      other.pool_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    store::Store& operator*() const { return *store_; }

   private:
    StorePool* pool_;
    store::Store* store_;
  };

  // Waits for a free connection, opening one when all are busy and fewer
  // than `max` exist (a failed open is logged by the caller's next error,
  // and the wait goes on for one that is given back).
  Lease Acquire();
  std::size_t open_connections() const;

 private:
  void GiveBack(store::Store* store);

  Opener open_more_;
  const std::size_t max_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<store::Store>> all_;
  std::vector<store::Store*> idle_;
  std::size_t opening_ = 0;  // being opened now, outside the lock
};

}  // namespace samkart::web
