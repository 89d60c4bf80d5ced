// FaultAhead: 2 MB blocks allocated and written to by a thread of their own
// (see fault_ahead.hpp).
#include "leadfunnel/fault_ahead.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "leadfunnel/block_list.hpp"

namespace leadfunnel {

struct FaultAhead::State {
  /// Blocks kept ready at most (16 MB): enough to stay ahead of a table
  /// that grows by a block every few milliseconds, and little to give back.
  static constexpr std::size_t kReady = 8;
  std::vector<void*> ready;  ///< guarded by `lock`
  bool stop = false;         ///< guarded by `lock`
  std::condition_variable wake;
  std::thread helper;
};

namespace {

std::mutex lock;                   ///< guards `live` and the live State's members
FaultAhead::State* live = nullptr;  ///< the FaultAhead alive, if any
std::atomic<bool> any_live{false};  ///< `live != nullptr`, read without the lock

/// Allocates a block and writes to each of its 4 KB pages, so that the
/// system has brought them all in. Null when memory is short.
void* faulted_block() noexcept {
  void* p = allocate_large_new(kLargePage);
  if (!p) return nullptr;
  volatile char* bytes = static_cast<char*>(p);
  for (std::size_t i = 0; i < kLargePage; i += 4096) bytes[i] = 0;
  return p;
}

void keep_ready(FaultAhead::State& s) {
  std::unique_lock guard(lock);
  for (;;) {
    s.wake.wait(guard, [&] { return s.stop || s.ready.size() < FaultAhead::State::kReady; });
    if (s.stop) return;
    guard.unlock();
    void* block = faulted_block();
    guard.lock();
    if (!block) return;  // no memory to spare: allocate_large goes on as without it
    if (s.stop) {
      std::free(block);
      return;
    }
    s.ready.push_back(block);
  }
}

}  // namespace

FaultAhead::FaultAhead() : s_(std::make_unique<State>()) {
  std::lock_guard guard(lock);
  if (live) return;  // another is alive: this one does nothing
  // The thread first: when it cannot be started, nothing was registered.
  s_->helper = std::thread(keep_ready, std::ref(*s_));
  live = s_.get();
  any_live = true;
}

FaultAhead::~FaultAhead() {
  {
    std::lock_guard guard(lock);
    if (live != s_.get()) return;
    live = nullptr;
    any_live = false;
    s_->stop = true;
  }
  s_->wake.notify_all();
  s_->helper.join();
  for (void* block : s_->ready) std::free(block);
}

void* take_faulted_block() noexcept {
  if (!any_live.load(std::memory_order_relaxed)) return nullptr;
  std::lock_guard guard(lock);
  if (!live || live->ready.empty()) return nullptr;
  void* block = live->ready.back();
  live->ready.pop_back();
  live->wake.notify_one();
  return block;
}

}  // namespace leadfunnel
