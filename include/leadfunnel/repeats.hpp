#pragma once
/// Finding the values that occur more than once, in bounded memory.

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "leadfunnel/block_list.hpp"
#include "leadfunnel/prefetch.hpp"

namespace leadfunnel {

/// Collects 64-bit values (hashes of lead ids) and tells which occur more
/// than once. The values are split by their top 8 bits into 256 parts; each
/// part gathers up to kBlock values in one 2 MB staging table (taken at the
/// first value, asked for as one large page: no growing, no copies, and one
/// page fault where the system grants large pages) and writes each full
/// block to the spill file. At the end each part is read back and its
/// repeats found alone, so memory holds the staging table and one part
/// (with a table of its values), not every value: 2 MB plus up to 35 bytes
/// per value / 256. When the spill file cannot be used,
/// the values stay in memory.
class RepeatFinder {
 public:
  static constexpr std::size_t kParts = 256;
  static constexpr std::size_t kBlock = 1024;

  RepeatFinder() = default;
  /// A finder moved from is empty (its staged values went with the table).
  RepeatFinder(RepeatFinder&& other) noexcept { *this = std::move(other); }
  RepeatFinder& operator=(RepeatFinder&& other) noexcept {
    parts_ = std::move(other.parts_);
    stage_ = std::move(other.stage_);
    filled_ = std::exchange(other.filled_, {});
    count_ = std::exchange(other.count_, 0);
    other.parts_ = {};
    other.stage_ = {};
    return *this;
  }
  RepeatFinder(const RepeatFinder&) = delete;
  RepeatFinder& operator=(const RepeatFinder&) = delete;

  void add(std::uint64_t v);
  std::size_t size() const { return count_; }
  /// Takes in the values of `other` (filled on another thread), which is
  /// left empty.
  void merge(RepeatFinder& other);
  /// The values added more than once, sorted, each once; the parts are
  /// sorted on up to `threads` threads at once (each holds one part).
  std::vector<std::uint64_t> repeated(std::size_t threads = 1);

 private:
  struct Part {
    std::vector<std::uint64_t> mem;     ///< values the spill file could not take
    std::vector<std::uint64_t> blocks;  ///< spill file offsets of full blocks
  };
  /// Moves part `k`'s staged values, a full block, to the file (else to its `mem`).
  void flush(std::size_t k);
  /// Part `k`'s staged values.
  const std::uint64_t* staged(std::size_t k) const { return stage_.data() + k * kBlock; }

  std::array<Part, kParts> parts_;
  std::vector<std::uint64_t, LargePageAllocator<std::uint64_t>> stage_;  ///< kBlock values per part
  std::array<std::uint16_t, kParts> filled_{};                            ///< values staged per part
  std::size_t count_ = 0;
};

/// Finds some repeated values at once, in fixed memory: a sample of the
/// values added, all of them while it holds at most `capacity`; past that,
/// those whose bits 40 and up start with `level` zeros, one level more (and
/// about half of the sample dropped) each time it is full again. A value
/// added twice is found the second time when the sample keeps it then:
/// always while it keeps every value, else with odds 2^-level. A value
/// added once is never reported (0 and 1 count as one value). Used by a load
/// that reads the leads once on the bet that no id repeats, to lose the bet
/// early (Loader::speculative_id).
class RepeatSample {
 public:
  explicit RepeatSample(std::size_t capacity) : capacity_(capacity) {}
  /// Whether `v` was added before and is in the sample; else adds it (if kept).
  bool seen_or_add(std::uint64_t v);
  /// Starts loading the slot where seen_or_add(v) looks first into the
  /// cache, while the sample keeps every value: its table (4 MB for the
  /// loader's first ids) is then larger than a core's cache, and a miss per
  /// value cost 49 ms of a 1M-row report's 690 on one thread. (Later, most
  /// values are not kept, and the table is smaller.)
  void prefetch(std::uint64_t v) const {
    if (level_ != 0 || slots_.empty()) return;
    prefetch_line(&slots_[static_cast<std::size_t>(v >> 1) & (slots_.size() - 1)]);
  }
  /// Keeps at most `capacity` values from now on (thinning the sample at
  /// once to fit), in a table of 2 x capacity slots, rounded up to a power of 2.
  void set_capacity(std::size_t capacity);
  /// Values in the sample.
  std::size_t size() const { return count_; }
  /// How many leading zero bits (from bit 40) a value needs to be kept.
  unsigned level() const { return level_; }

 private:
  static constexpr unsigned kMaxLevel = 24;
  bool kept(std::uint64_t v) const { return ((v >> 40) & ((std::uint64_t{1} << level_) - 1)) == 0; }
  std::uint64_t& slot(std::uint64_t v);
  /// Places the kept values again in a table of `slots` slots.
  void rebuild(std::size_t slots);
  /// Raises the level to the lowest that keeps at most capacity_ values,
  /// then rebuilds in a table of `slots` slots.
  void thin(std::size_t slots);
  /// The table for `capacity` values: twice as many slots, a power of 2, at least 4,096.
  static std::size_t slots_for(std::size_t capacity);

  std::vector<std::uint64_t> slots_;  ///< 0: free
  std::size_t count_ = 0;
  std::size_t capacity_;
  unsigned level_ = 0;
};

}  // namespace leadfunnel
