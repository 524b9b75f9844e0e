#include "samkart/web/store_pool.h"

#include <algorithm>

namespace samkart::web {

StorePool::StorePool(std::unique_ptr<store::Store> first, Opener open_more, std::size_t max)
    : open_more_(std::move(open_more)), max_(std::max<std::size_t>(max, 1)) {
  idle_.push_back(first.get());
  all_.push_back(std::move(first));
}

StorePool::Lease StorePool::Acquire() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!idle_.empty()) {
      store::Store* store = idle_.back();
      idle_.pop_back();
      return Lease(*this, store);
    }
    if (open_more_ && all_.size() + opening_ < max_) {
      // Opening takes a round trip to the database: not under the lock.
      ++opening_;
      lock.unlock();
      auto opened = open_more_();
      lock.lock();
      --opening_;
      if (opened.ok()) {
        store::Store* store = opened->get();
        all_.push_back(std::move(opened).value());
        return Lease(*this, store);
      }
      // Could not open one now: wait for a connection to come back.
    }
    returned_.wait(lock);
  }
}

void StorePool::GiveBack(store::Store* store) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(store);
  }
  returned_.notify_one();
}

std::size_t StorePool::open_connections() const {
  std::lock_guard lock(mutex_);
  return all_.size();
}

}  // namespace samkart::web
