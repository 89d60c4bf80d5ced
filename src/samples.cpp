// Samples: values for exact percentiles, written to the process's spill
// file in blocks once a set outgrows its memory share.
#include "leadfunnel/samples.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>

#include "leadfunnel/parallel.hpp"
#include "leadfunnel/spill.hpp"

namespace leadfunnel {
namespace {

/// An unsigned key that orders as the doubles do (zero of either sign is 0.0).
std::uint64_t key_of(double v) {
  if (v == 0) v = 0.0;
  const auto b = std::bit_cast<std::uint64_t>(v);
  return (b >> 63) ? ~b : (b | (std::uint64_t{1} << 63));
}

/// The double whose key is `k`.
double value_of(std::uint64_t k) {
  return std::bit_cast<double>((k >> 63) ? (k & ~(std::uint64_t{1} << 63)) : ~k);
}

/// At most this many values are gathered into memory to pick an order statistic.
constexpr std::size_t kGather = std::size_t{1} << 18;

/// Sets held whole of at least this many values have their order statistics
/// picked by counting them in buckets (order_stats_of), smaller ones with
/// nth_element (the 256 KB of counts would cost more than they save).
constexpr std::size_t kCountAtLeast = std::size_t{1} << 14;

/// The q-quantile of `values` for each q of `qs` (type 7: between the order
/// statistics floor(h) and floor(h) + 1, h = (n - 1) q), reordering the
/// values; empty for no values. The smallest q first: once the values are
/// split at one quantile, the next (higher) one is looked for only among
/// the values above it.
std::vector<std::optional<double>> percentiles_of(std::vector<double>& values, const std::vector<double>& qs) {
  std::vector<std::optional<double>> out(qs.size());
  if (values.empty()) return out;
  std::vector<std::size_t> order(qs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return qs[a] < qs[b]; });
  std::size_t from = 0;  // values before it are no bigger than any after it
  for (const std::size_t i : order) {
    const double h = (static_cast<double>(values.size()) - 1.0) * qs[i];
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const auto nth = values.begin() + static_cast<std::ptrdiff_t>(lo);
    std::nth_element(values.begin() + static_cast<std::ptrdiff_t>(from), nth, values.end());
    const double low = *nth;
    // The next order statistic is the smallest value after the nth.
    const double high = lo + 1 < values.size() ? *std::min_element(nth + 1, values.end()) : low;
    out[i] = low + (h - static_cast<double>(lo)) * (high - low);
    from = lo;
  }
  return out;
}

/// The k-th smallest (0-based) of the values `each` visits, one per rank of
/// `ranks`: a pass counting them by the top 16 bits of their keys, then one
/// gathering the buckets that hold the wanted ranks (and further counting
/// passes for a bucket too big to gather). `each(f)` calls f(value) for
/// every value, the same values in every call.
template <class Each>
std::vector<double> order_stats_of(const Each& each, const std::vector<std::size_t>& ranks) {
  constexpr std::size_t kBuckets = std::size_t{1} << 16;
  // Counts by the top 16 key bits: 256 KB, freed on return, so that sets
  // whose percentiles are taken one after another never hold it together.
  std::vector<std::uint32_t> top(kBuckets, 0);
  each([&](double v) { ++top[key_of(v) >> 48]; });
  auto pick = [&](const std::vector<std::uint32_t>& counts, std::size_t& rank) {
    std::size_t b = 0;
    while (rank >= counts[b]) rank -= counts[b++];
    return b;
  };
  // Each wanted order statistic: the bucket of keys that holds it (its top
  // `fixed` bits are `prefix`) and its rank there, narrowed 16 bits at a
  // time while the bucket is too big to gather.
  struct Want {
    std::size_t rank;
    std::uint64_t prefix;
    int fixed;
  };
  std::vector<Want> wants;
  std::vector<double> out(ranks.size());
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    Want w{ranks[i], 0, 16};
    w.prefix = pick(top, w.rank);
    std::size_t count = top[w.prefix];
    while (count > kGather && w.fixed < 64) {
      std::vector<std::uint32_t> next(kBuckets, 0);
      const int shift = 64 - w.fixed - 16;
      each([&](double v) {
        const std::uint64_t key = key_of(v);
        if ((key >> (64 - w.fixed)) == w.prefix) ++next[(key >> shift) & 0xFFFF];
      });
      const std::size_t b = pick(next, w.rank);
      count = next[b];
      w.prefix = (w.prefix << 16) | b;
      w.fixed += 16;
    }
    wants.push_back(w);
  }
  // One pass gathers every bucket still needed (wanted statistics are most
  // often neighbours, in one bucket); a bucket of one key needs no pass.
  std::vector<std::pair<std::uint64_t, int>> keys;  // distinct (prefix, fixed) to gather
  for (const Want& w : wants)
    if (w.fixed < 64 && std::find(keys.begin(), keys.end(), std::pair{w.prefix, w.fixed}) == keys.end())
      keys.emplace_back(w.prefix, w.fixed);
  std::vector<std::vector<double>> buckets(keys.size());
  if (!keys.empty()) {
    // Most values are in no bucket gathered: a bit per top 16 key bits
    // (8 KB) tells so at once, and only the others are compared with each
    // bucket. (Every value compared with each bucket: the percentiles took
    // about a tenth more time on 10M leads.)
    std::vector<std::uint64_t> maybe(kBuckets / 64, 0);
    for (const auto& [prefix, fixed] : keys) {
      const std::uint64_t head = prefix >> (fixed - 16);
      maybe[head / 64] |= std::uint64_t{1} << (head % 64);
    }
    each([&](double v) {
      const std::uint64_t key = key_of(v);
      const std::uint64_t head = key >> 48;
      if (((maybe[head / 64] >> (head % 64)) & 1) == 0) return;
      for (std::size_t b = 0; b < keys.size(); ++b)
        if ((key >> (64 - keys[b].second)) == keys[b].first) buckets[b].push_back(v);
    });
  }
  for (std::size_t i = 0; i < wants.size(); ++i) {
    const Want& w = wants[i];
    if (w.fixed == 64) {
      out[i] = value_of(w.prefix);  // every value in the bucket is this one
      continue;
    }
    const auto b = static_cast<std::size_t>(
        std::find(keys.begin(), keys.end(), std::pair{w.prefix, w.fixed}) - keys.begin());
    auto& bucket = buckets[b];
    const auto nth = bucket.begin() + static_cast<std::ptrdiff_t>(w.rank);
    std::nth_element(bucket.begin(), nth, bucket.end());
    out[i] = *nth;
  }
  return out;
}

/// The same arithmetic as percentiles_of, on order statistics `stats(ranks)`
/// gives: for each quantile of a set of `n` values, the order statistic
/// below it and the next one.
template <class Stats>
std::vector<std::optional<double>> percentiles_by_rank(std::size_t n, const std::vector<double>& qs,
                                                       const Stats& stats) {
  std::vector<std::size_t> ranks;
  std::vector<double> hs;
  for (const double q : qs) {
    const double h = (static_cast<double>(n) - 1.0) * q;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    hs.push_back(h);
    ranks.push_back(lo);
    ranks.push_back(lo + 1 < n ? lo + 1 : lo);
  }
  const std::vector<double> found = stats(ranks);
  std::vector<std::optional<double>> out(qs.size());
  for (std::size_t i = 0; i < qs.size(); ++i) {
    const double low = found[2 * i], high = found[2 * i + 1];
    out[i] = low + (hs[i] - std::floor(hs[i])) * (high - low);
  }
  return out;
}

}  // namespace

std::optional<double> percentile_in_place(std::vector<double>& values, double q) {
  return percentiles_of(values, {q}).front();
}

void Samples::push_back(double v) {
  mem_.push_back(v);
  if (mem_.size() == kChunk) spill();
}

bool Samples::spill() {
  SpillFile* file = SpillFile::get();
  if (!file || mem_.empty()) return false;
  const auto at = file->write(mem_.data(), mem_.size() * sizeof(double));
  if (!at) return false;
  blocks_.push_back(Block{*at, mem_.size()});
  spilled_ += mem_.size();
  mem_.clear();  // the capacity stays: the next chunk fills the same memory
  return true;
}

void Samples::spill_now() {
  // A new vector, not `= {}`: that assigns an empty list and keeps the capacity.
  if (mem_.empty() || spill()) mem_ = std::vector<double>();
}

void Samples::append(Samples&& other) {
  if (&other == this) return;
  for (double v : other.mem_) push_back(v);
  blocks_.insert(blocks_.end(), other.blocks_.begin(), other.blocks_.end());
  spilled_ += other.spilled_;
  other.clear();
}

void Samples::append_copy(const Samples& other) {
  if (&other == this) return;
  for (double v : other.mem_) push_back(v);
  blocks_.insert(blocks_.end(), other.blocks_.begin(), other.blocks_.end());
  spilled_ += other.spilled_;
}

void Samples::clear() {
  mem_ = std::vector<double>();
  blocks_ = std::vector<Block>();
  spilled_ = 0;
}

template <class F>
void Samples::for_each(F&& f) const {
  for (double v : mem_) f(v);
  if (blocks_.empty()) return;
  SpillFile* file = SpillFile::get();
  std::vector<double> buf;
  for (const Block& b : blocks_) {
    buf.resize(b.count);
    file->read(b.at, buf.data(), b.count * sizeof(double));
    for (double v : buf) f(v);
  }
}

std::optional<double> Samples::percentile(double q) { return percentiles({q}).front(); }

std::vector<std::optional<double>> Samples::percentiles(const std::vector<double>& qs) {
  const std::size_t n = size();
  if (n > kGather) {
    // Not held whole: each pass of order_stats_of reads the values again
    // (from the file; from memory only when there is no file).
    return percentiles_by_rank(n, qs, [&](const std::vector<std::size_t>& ranks) {
      return order_stats_of([&](auto&& f) { for_each(f); }, ranks);
    });
  }
  // A set no bigger than one gather is held whole, read back from the file
  // once if it was written there: cheaper than counting its values in the
  // file, for the many small sets of an export with thousands of owners.
  std::vector<double> read;
  if (!blocks_.empty()) {
    read.reserve(n);
    for_each([&](double v) { read.push_back(v); });
  }
  std::vector<double>& values = blocks_.empty() ? mem_ : read;
  if (n < kCountAtLeast) return percentiles_of(values, qs);
  // Counted by buckets in memory: on 80,000 durations a third of the time
  // nth_element takes (which mispredicts a branch per comparison or so).
  return percentiles_by_rank(n, qs, [&](const std::vector<std::size_t>& ranks) {
    return order_stats_of(
        [&](auto&& f) {
          for (const double v : values) f(v);
        },
        ranks);
  });
}

std::vector<std::vector<std::optional<double>>> percentiles_of_sets(const std::vector<Samples*>& sets,
                                                                    const std::vector<double>& qs,
                                                                    std::size_t threads) {
  std::vector<std::vector<std::optional<double>>> out(sets.size());
  // The biggest sets first, so that no thread is left with one at the end.
  std::vector<std::size_t> order(sets.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return sets[a]->size() > sets[b]->size(); });
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t k; (k = next++) < order.size();) out[order[k]] = sets[order[k]]->percentiles(qs);
  };
  run_parts(std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(sets.size(), 1)), [&](std::size_t) {
    try {
      work();
    } catch (...) {
      next = order.size();  // the others stop too
      throw;
    }
  });
  return out;
}

}  // namespace leadfunnel
