#include "samkart/io/read_ahead.h"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace samkart::io {

namespace {

// Rows per block and blocks in flight: enough to keep both cores busy,
// small enough that a wide export holds a few megabytes at most.
constexpr std::size_t kRowsPerBlock = 512;
constexpr std::size_t kBlocks = 4;

struct Block {
  std::vector<SourceRow> rows = std::vector<SourceRow>(kRowsPerBlock);
  std::size_t count = 0;
  bool last = false;  // the reader ended (at the end of the data or on an error)
};

class ReadAheadReader final : public SourceReader {
 public:
  explicit ReadAheadReader(std::unique_ptr<SourceReader> inner) : inner_(std::move(inner)) {
    for (std::size_t i = 0; i < kBlocks; ++i) free_.push_back(std::make_unique<Block>());
    thread_ = std::thread([this] { Produce(); });
  }

  ~ReadAheadReader() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  const SourceInfo& info() const override { return inner_->info(); }
  const std::vector<SourceColumn>& columns() const override { return inner_->columns(); }
  const std::string& error() const override { return error_; }
  double progress() const override { return progress_.load(std::memory_order_relaxed); }

  bool Next(SourceRow& row) override {
    while (!current_ || next_ == current_->count) {
      if (current_ && current_->last) return false;
      std::unique_lock lock(mutex_);
      if (current_) {
        free_.push_back(std::move(current_));
        changed_.notify_all();
      }
      changed_.wait(lock, [&] { return !filled_.empty(); });
      current_ = std::move(filled_.front());
      filled_.pop_front();
      next_ = 0;
      if (current_->last) error_ = producer_error_;
    }
    // Swapped: the caller's previous row goes back to be filled again.
    std::swap(row, current_->rows[next_++]);
    return true;
  }

 private:
  void Produce() {
    for (;;) {
      std::unique_ptr<Block> block;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopping_ || !free_.empty(); });
        if (stopping_) return;
        block = std::move(free_.front());
        free_.pop_front();
      }
      block->count = 0;
      while (block->count < kRowsPerBlock && inner_->Next(block->rows[block->count])) {
        ++block->count;
      }
      const bool last = block->count < kRowsPerBlock;
      block->last = last;
      progress_.store(inner_->progress(), std::memory_order_relaxed);
      {
        std::lock_guard lock(mutex_);
        if (last) producer_error_ = inner_->error();
        filled_.push_back(std::move(block));
      }
      changed_.notify_all();
      if (last) return;
    }
  }

  std::unique_ptr<SourceReader> inner_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Block>> free_;
  std::deque<std::unique_ptr<Block>> filled_;
  bool stopping_ = false;
  std::string producer_error_;
  std::atomic<double> progress_{0};
  std::thread thread_;
  // The consumer's side.
  std::unique_ptr<Block> current_;
  std::size_t next_ = 0;
  std::string error_;
};

}  // namespace

std::unique_ptr<SourceReader> ReadAhead(std::unique_ptr<SourceReader> inner) {
  return std::make_unique<ReadAheadReader>(std::move(inner));
}

}  // namespace samkart::io
