// RepeatFinder: values partitioned by their top bits, spilled in blocks,
// each part sorted alone at the end.
#include "leadfunnel/repeats.hpp"

#include <algorithm>
#include <atomic>

#include "leadfunnel/parallel.hpp"
#include "leadfunnel/spill.hpp"

namespace leadfunnel {

void RepeatFinder::add(std::uint64_t v) {
  Part& p = parts_[v >> 56];
  p.mem.push_back(v);
  ++count_;
  if (p.mem.size() < kBlock) return;
  SpillFile* file = SpillFile::get();
  if (!file) return;
  if (p.mem.size() == kBlock) {
    if (const auto at = file->write(p.mem.data(), kBlock * sizeof(std::uint64_t))) {
      p.blocks.push_back(*at);
      p.mem.clear();
    }
  }
}

void RepeatFinder::merge(RepeatFinder& other) {
  for (std::size_t k = 0; k < kParts; ++k) {
    Part& mine = parts_[k];
    Part& theirs = other.parts_[k];
    mine.blocks.insert(mine.blocks.end(), theirs.blocks.begin(), theirs.blocks.end());
    count_ += theirs.blocks.size() * kBlock;
    for (const std::uint64_t v : theirs.mem) add(v);
    theirs = Part{};
  }
  other.count_ = 0;
}

std::vector<std::uint64_t> RepeatFinder::repeated(std::size_t threads) {
  // Each part's repeated values, found by whichever thread takes the part.
  std::vector<std::vector<std::uint64_t>> found(kParts);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    std::vector<std::uint64_t> all;
    for (std::size_t k; (k = next++) < kParts;) {
      Part& p = parts_[k];
      all.clear();
      all.resize(p.blocks.size() * kBlock);
      for (std::size_t b = 0; b < p.blocks.size(); ++b)
        SpillFile::get()->read(p.blocks[b], all.data() + b * kBlock, kBlock * sizeof(std::uint64_t));
      all.insert(all.end(), p.mem.begin(), p.mem.end());
      p = Part{};
      std::sort(all.begin(), all.end());
      auto& out = found[k];
      for (std::size_t i = 1; i < all.size(); ++i)
        if (all[i] == all[i - 1] && (out.empty() || out.back() != all[i])) out.push_back(all[i]);
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
  std::vector<std::uint64_t> out;
  for (const auto& f : found) out.insert(out.end(), f.begin(), f.end());
  return out;
}

}  // namespace leadfunnel
