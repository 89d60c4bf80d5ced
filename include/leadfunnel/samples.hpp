#pragma once
/// Durations collected one at a time for exact percentiles, in bounded memory.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "leadfunnel/prefetch.hpp"

namespace leadfunnel {

/// Values collected for a percentile. Up to kChunk values stay in memory;
/// each further kChunk values are written as a block to one temporary file
/// shared by the whole process (in $TMPDIR, else /tmp; deleted by the system
/// when the process ends), so a set of any size costs at most kChunk values
/// of memory. A holder of many sets may write one's values sooner
/// (spill_now, a block of any size), to keep their memory together within a
/// budget. Percentiles stay exact: a big spilled set is read back in two
/// passes, one counting values by their top 16 bits and one gathering the
/// buckets that hold the wanted order statistics of every quantile asked
/// together (further passes only when a bucket is too big to gather); a
/// smaller one is read back once and picked from in memory. When the file
/// cannot be made or written, values stay in memory.
///
/// Not thread-safe: one object belongs to one thread at a time. Blocks are
/// never changed once written, so copies share them.
class Samples {
 public:
  static constexpr std::size_t kChunk = 4096;

  void push_back(double v);
  std::size_t size() const { return mem_.size() + spilled_; }
  /// The values held in memory, not yet written to the file.
  std::size_t in_memory() const { return mem_.size(); }
  /// The memory the set holds, in values: room for this many doubles (the
  /// values not yet written to the file, and room for more), and the
  /// records of its blocks in the file (two values' worth each).
  std::size_t memory_values() const { return mem_.capacity() + blocks_.capacity() * 2; }
  bool empty() const { return size() == 0; }
  /// Starts loading the place of the next value into the cache.
  void prefetch_end() const noexcept { prefetch_line(mem_.data() + mem_.size()); }

  /// Takes all of `other`'s values (its blocks are moved, not read); `other` is left empty.
  void append(Samples&& other);
  /// Adds `other`'s values, leaving it as it was (written blocks are shared).
  void append_copy(const Samples& other);

  /// The q-quantile (0..1) by linear interpolation between order statistics
  /// (NumPy's default, Hyndman & Fan type 7), equal to that of the same values
  /// in a vector; empty for no values. May reorder the values in memory.
  std::optional<double> percentile(double q);
  /// Several quantiles at once, each as percentile() gives it; a spilled set
  /// is read twice for all of them together, not twice for each.
  std::vector<std::optional<double>> percentiles(const std::vector<double>& qs);

  /// Frees everything (written blocks stay in the file until the process ends).
  void clear();
  /// Writes the values held in memory to the file now, as one block, and
  /// frees the set's memory. Nothing changes when the values cannot be written.
  void spill_now();

  /// Whether some values were written to the file (for tests and measurements).
  bool spilled() const { return !blocks_.empty(); }

 private:
  /// Writes the values in memory as a block; false when the file cannot be written.
  bool spill();
  /// Calls f(value) for every value, in memory and in the file.
  template <class F>
  void for_each(F&& f) const;

  /// A block of values in the file: where it starts and how many values it holds.
  struct Block {
    std::uint64_t at;
    std::size_t count;
  };
  std::vector<double> mem_;
  std::vector<Block> blocks_;
  std::size_t spilled_ = 0;  ///< values in blocks_
};

/// percentiles(qs) of every set, on up to `threads` threads at once (a set
/// is read by one thread); the results are in the order of `sets`.
std::vector<std::vector<std::optional<double>>> percentiles_of_sets(const std::vector<Samples*>& sets,
                                                                    const std::vector<double>& qs,
                                                                    std::size_t threads);

/// The same percentile on values in a vector (reordered in place, linear time).
std::optional<double> percentile_in_place(std::vector<double>& values, double q);
inline std::optional<double> percentile_in_place(Samples& values, double q) { return values.percentile(q); }

}  // namespace leadfunnel
