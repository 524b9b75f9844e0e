// The store connections requests share: a caller waits only when every
// connection is busy and no more may be opened.
#include "samkart/web/store_pool.h"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "support/scratch_dir.h"

namespace samkart::web {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class StorePoolTest : public ::testing::Test {
 protected:
  std::unique_ptr<store::Store> Open() {
    auto opened = store::OpenStore((scratch_ / "db.sqlite").string());
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    return opened.ok() ? std::move(opened).value() : nullptr;
  }
  StorePool::Opener Opener() {
    return [this]() -> Result<std::unique_ptr<store::Store>> {
      ++opened_;
      auto more = Open();
      if (!more) return Error{"kunne ikke åpne"};
      return more;
    };
  }

  testing_support::ScratchDir scratch_;
  std::atomic<int> opened_{0};
};

TEST_F(StorePoolTest, ASecondCallerGetsItsOwnConnectionWhileTheFirstWorks) {
  StorePool pool(Open(), Opener(), 4);
  std::promise<void> second_done;
  auto second_finished = second_done.get_future();
  auto first = std::async(std::launch::async, [&] {
    const StorePool::Lease lease = pool.Acquire();
    // Holds its connection until the second caller has used another.
    return second_finished.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  });
  std::this_thread::sleep_for(milliseconds(50));
  {
    const StorePool::Lease lease = pool.Acquire();
    EXPECT_TRUE((*lease).SchemaVersion().ok());
  }
  second_done.set_value();
  EXPECT_TRUE(first.get());
  EXPECT_EQ(pool.open_connections(), 2u);
  EXPECT_EQ(opened_.load(), 1);
  // Idle connections are used again before a new one is opened.
  { const StorePool::Lease lease = pool.Acquire(); }
  EXPECT_EQ(pool.open_connections(), 2u);
}

TEST_F(StorePoolTest, AtTheLimitACallerWaitsForAConnectionToComeBack) {
  StorePool pool(Open(), Opener(), 1);
  auto first = std::async(std::launch::async, [&] {
    const StorePool::Lease lease = pool.Acquire();
    std::this_thread::sleep_for(milliseconds(300));
  });
  std::this_thread::sleep_for(milliseconds(50));
  const auto start = Clock::now();
  { const StorePool::Lease lease = pool.Acquire(); }
  EXPECT_GE(Clock::now() - start, milliseconds(150));
  first.get();
  EXPECT_EQ(pool.open_connections(), 1u);
  EXPECT_EQ(opened_.load(), 0);
}

}  // namespace
}  // namespace samkart::web
