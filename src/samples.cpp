// Samples: values for exact percentiles, written to the process's spill
// file in blocks once a set outgrows its memory share.
#include "leadfunnel/samples.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

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
constexpr std::size_t kGather = std::size_t{1} << 20;

template <typename Values>
std::optional<double> percentile_of(Values& values, double q) {
  if (values.empty()) return std::nullopt;
  const double h = (static_cast<double>(values.size()) - 1.0) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const auto nth = values.begin() + static_cast<std::ptrdiff_t>(lo);
  std::nth_element(values.begin(), nth, values.end());
  const double low = *nth;
  // The next order statistic is the smallest value after the nth.
  const double high = lo + 1 < values.size() ? *std::min_element(nth + 1, values.end()) : low;
  return low + (h - static_cast<double>(lo)) * (high - low);
}

}  // namespace

std::optional<double> percentile_in_place(std::vector<double>& values, double q) { return percentile_of(values, q); }

void Samples::push_back(double v) {
  mem_.push_back(v);
  if (mem_.size() == kChunk) spill();
}

void Samples::spill() {
  SpillFile* file = SpillFile::get();
  if (!file) return;
  if (const auto at = file->write(mem_.data(), mem_.size() * sizeof(double))) {
    blocks_.push_back(*at);
    mem_.clear();  // the capacity stays: the next chunk fills the same memory
  }
}

void Samples::append(Samples&& other) {
  if (&other == this) return;
  for (double v : other.mem_) push_back(v);
  blocks_.insert(blocks_.end(), other.blocks_.begin(), other.blocks_.end());
  other.clear();
}

void Samples::append_copy(const Samples& other) {
  if (&other == this) return;
  for (double v : other.mem_) push_back(v);
  blocks_.insert(blocks_.end(), other.blocks_.begin(), other.blocks_.end());
}

void Samples::clear() {
  mem_ = {};
  blocks_ = {};
  top_ = {};
}

template <class F>
void Samples::for_each(F&& f) const {
  for (double v : mem_) f(v);
  if (blocks_.empty()) return;
  SpillFile* file = SpillFile::get();
  std::vector<double> buf(kChunk);
  for (const std::uint64_t at : blocks_) {
    file->read(at, buf.data(), kChunk * sizeof(double));
    for (double v : buf) f(v);
  }
}

double Samples::order_stat(std::size_t k) {
  constexpr std::size_t kBuckets = std::size_t{1} << 16;
  if (top_.empty()) {
    top_.assign(kBuckets, 0);
    for_each([&](double v) { ++top_[key_of(v) >> 48]; });
  }
  // Narrow down to the bucket of keys holding the k-th value, 16 bits at a time.
  auto pick = [&](const std::vector<std::uint32_t>& counts, std::size_t& rank) {
    std::size_t b = 0;
    while (rank >= counts[b]) rank -= counts[b++];
    return b;
  };
  std::size_t rank = k;
  std::uint64_t prefix = pick(top_, rank);
  std::size_t count = top_[prefix];
  int fixed = 16;  // the key's top bits that `prefix` holds
  while (count > kGather && fixed < 64) {
    std::vector<std::uint32_t> next(kBuckets, 0);
    const int shift = 64 - fixed - 16;
    for_each([&](double v) {
      const std::uint64_t key = key_of(v);
      if ((key >> (64 - fixed)) == prefix) ++next[(key >> shift) & 0xFFFF];
    });
    const std::size_t b = pick(next, rank);
    count = next[b];
    prefix = (prefix << 16) | b;
    fixed += 16;
  }
  if (fixed == 64) return value_of(prefix);  // every value in the bucket is this one
  std::vector<double> bucket;
  bucket.reserve(count);
  for_each([&](double v) {
    if ((key_of(v) >> (64 - fixed)) == prefix) bucket.push_back(v);
  });
  const auto nth = bucket.begin() + static_cast<std::ptrdiff_t>(rank);
  std::nth_element(bucket.begin(), nth, bucket.end());
  return *nth;
}

std::optional<double> Samples::percentile(double q) {
  if (blocks_.empty()) return percentile_of(mem_, q);
  const std::size_t n = size();
  if (top_.size() != 0 && top_n_ != n) top_.clear();
  top_n_ = n;
  // The same arithmetic as percentile_of, on order statistics found in the file.
  const double h = (static_cast<double>(n) - 1.0) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const double low = order_stat(lo);
  const double high = lo + 1 < n ? order_stat(lo + 1) : low;
  return low + (h - static_cast<double>(lo)) * (high - low);
}

}  // namespace leadfunnel
