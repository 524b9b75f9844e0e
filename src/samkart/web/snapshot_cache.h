// Values computed from one dataset snapshot, by key, shared by every request
// that asks for the same thing (an explorer view, a result page): served
// without recomputing until the snapshot is replaced. The snapshot is held,
// so its address cannot be reused by a later one while cached; the cache is
// emptied when the dataset changes or when it holds `most` values.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "samkart/analysis/dataset.h"

namespace samkart::web {

template <typename Value>
class SnapshotCache {
 public:
  std::shared_ptr<const Value> Find(const std::shared_ptr<const analysis::Dataset>& data,
                                    const std::string& key) {
    std::lock_guard lock(mutex_);
    if (data_ != data) return nullptr;
    const auto it = values_.find(key);
    if (it == values_.end()) return nullptr;
    return it->second;
  }
  void Store(const std::shared_ptr<const analysis::Dataset>& data, const std::string& key,
             std::shared_ptr<const Value> value, std::size_t most) {
    std::lock_guard lock(mutex_);
    if (data_ != data || values_.size() >= most) {
      values_.clear();
      data_ = data;
    }
    values_.emplace(key, std::move(value));
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<const analysis::Dataset> data_;
  std::unordered_map<std::string, std::shared_ptr<const Value>> values_;
};

}  // namespace samkart::web
