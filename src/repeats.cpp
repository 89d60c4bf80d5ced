// RepeatFinder: values partitioned by their top bits, spilled in blocks,
// each part sorted alone at the end.
#include "leadfunnel/repeats.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <optional>

#include "leadfunnel/parallel.hpp"
#include "leadfunnel/spill.hpp"

namespace leadfunnel {

void RepeatFinder::add(std::uint64_t v) {
  static_assert(kBlock <= UINT16_MAX, "filled_ counts up to kBlock");
  if (stage_.empty()) stage_.resize(kParts * kBlock);
  const std::size_t k = static_cast<std::size_t>(v >> 56);
  stage_[k * kBlock + filled_[k]] = v;
  ++count_;
  if (++filled_[k] == kBlock) flush(k);
}

void RepeatFinder::flush(std::size_t k) {
  Part& p = parts_[k];
  const std::uint64_t* values = staged(k);
  filled_[k] = 0;
  std::optional<std::uint64_t> at;
  if (SpillFile* file = SpillFile::get()) at = file->write(values, kBlock * sizeof(std::uint64_t));
  if (at) p.blocks.push_back(*at);
  else p.mem.insert(p.mem.end(), values, values + kBlock);
}

void RepeatFinder::merge(RepeatFinder& other) {
  for (std::size_t k = 0; k < kParts; ++k) {
    Part& mine = parts_[k];
    Part& theirs = other.parts_[k];
    mine.blocks.insert(mine.blocks.end(), theirs.blocks.begin(), theirs.blocks.end());
    count_ += theirs.blocks.size() * kBlock;
    for (const std::uint64_t v : theirs.mem) add(v);
    theirs = Part{};
    if (other.filled_[k] == 0) continue;
    const std::uint64_t* staged = other.staged(k);
    for (std::size_t i = 0; i < other.filled_[k]; ++i) add(staged[i]);
    other.filled_[k] = 0;
  }
  other.stage_ = decltype(other.stage_)();  // frees the memory (`= {}` would keep it)
  other.count_ = 0;
}

namespace {

/// Appends to `out` the values that occur more than once in `values`, in no
/// order, once or more each: one pass through an open-addressing table of
/// the values (linear probing, at most 60% full, 0 marks a free slot),
/// which is quicker than sorting the part. The table is of bare values, so
/// that a part of 10M ids' 39,000 takes 512 KB and stays in the core's cache
/// (slots with a count took 2 MB: 256 such parts took 38 ms, 19 ms now).
void find_repeats(const std::vector<std::uint64_t>& values, std::vector<std::uint64_t>& table,
                  std::vector<std::uint64_t>& out) {
  if (values.size() < 2) return;
  const std::size_t size = std::bit_ceil(values.size() * 5 / 3 + 1);
  const int shift = 64 - std::countr_zero(size);
  table.assign(size, 0);
  const std::size_t mask = size - 1;
  std::size_t zeros = 0;
  for (const std::uint64_t v : values) {
    if (v == 0) {
      if (++zeros == 2) out.push_back(0);
      continue;
    }
    // The values of a part share their top byte: the slot comes from a mix of all the bits.
    std::size_t i = static_cast<std::size_t>(((v ^ (v >> 29)) * 0x9E3779B97F4A7C15ULL) >> shift) & mask;
    while (table[i] != 0 && table[i] != v) i = (i + 1) & mask;
    if (table[i] == v) out.push_back(v);
    else table[i] = v;
  }
}

}  // namespace

std::vector<std::uint64_t> RepeatFinder::repeated(std::size_t threads) {
  // Each part's repeated values, found by whichever thread takes the part.
  std::vector<std::vector<std::uint64_t>> found(kParts);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    std::vector<std::uint64_t> all;
    std::vector<std::uint64_t> table;
    for (std::size_t k; (k = next++) < kParts;) {
      Part& p = parts_[k];
      all.clear();
      all.resize(p.blocks.size() * kBlock);
      for (std::size_t b = 0; b < p.blocks.size(); ++b)
        SpillFile::get()->read(p.blocks[b], all.data() + b * kBlock, kBlock * sizeof(std::uint64_t));
      all.insert(all.end(), p.mem.begin(), p.mem.end());
      if (!stage_.empty()) all.insert(all.end(), staged(k), staged(k) + filled_[k]);
      p = Part{};
      auto& out = found[k];
      find_repeats(all, table, out);
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
    }
  };
  run_parts(std::max<std::size_t>(threads, 1), [&](std::size_t) {
    try {
      work();
    } catch (...) {
      next = kParts;  // the others stop too
      throw;
    }
  });
  stage_ = decltype(stage_)();
  filled_ = {};
  std::vector<std::uint64_t> out;
  for (const auto& f : found) out.insert(out.end(), f.begin(), f.end());
  return out;
}

bool RepeatSample::seen_or_add(std::uint64_t v) {
  if (v == 0) v = 1;  // 0 marks a free slot
  if (level_ > kMaxLevel || !kept(v)) return false;
  // The whole table at once: growing it step by step cost a rebuild at each
  // doubling, on the thread that commits rows in order.
  if (slots_.empty()) slots_.assign(slots_for(capacity_), 0);
  std::uint64_t& s = slot(v);
  if (s == v) return true;
  s = v;
  ++count_;
  if (count_ > capacity_) thin(slots_.size());
  return false;
}

void RepeatSample::set_capacity(std::size_t capacity) {
  capacity_ = capacity;
  if (slots_.empty()) return;
  // Thinned and moved to a table for the new capacity in one rebuild (a
  // bigger table goes back to the system).
  thin(slots_for(capacity_));
}

std::size_t RepeatSample::slots_for(std::size_t capacity) {
  std::size_t slots = 4096;
  while (slots < 2 * capacity) slots *= 2;
  return slots;
}

void RepeatSample::thin(std::size_t slots) {
  // How many values each level keeps, from one pass: a value is kept up to
  // the level of its trailing zeros from bit 40. Past kMaxLevel nothing is
  // kept (values alike in those bits then still fit).
  std::array<std::size_t, kMaxLevel + 1> by_zeros{};
  for (const std::uint64_t v : slots_) {
    if (v == 0) continue;
    const std::uint64_t high = (v >> 40) & ((std::uint64_t{1} << kMaxLevel) - 1);
    ++by_zeros[high == 0 ? kMaxLevel : static_cast<unsigned>(std::countr_zero(high))];
  }
  // Every value held is kept at level_; each level more drops those with
  // that many trailing zeros exactly.
  for (std::size_t held = count_; level_ <= kMaxLevel && held > capacity_;) held -= by_zeros[level_++];
  rebuild(slots);
}

std::uint64_t& RepeatSample::slot(std::uint64_t v) {
  const std::size_t mask = slots_.size() - 1;
  // Probing starts from the bits above the lowest (lead_id_hash sets it).
  for (std::size_t i = static_cast<std::size_t>(v >> 1) & mask;; i = (i + 1) & mask)
    if (slots_[i] == v || slots_[i] == 0) return slots_[i];
}

void RepeatSample::rebuild(std::size_t slots) {
  std::vector<std::uint64_t> old = std::move(slots_);
  slots_.assign(slots, 0);
  count_ = 0;
  for (const std::uint64_t v : old)
    if (v != 0 && level_ <= kMaxLevel && kept(v)) {
      slot(v) = v;
      ++count_;
    }
}

}  // namespace leadfunnel
