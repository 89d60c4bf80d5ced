// RepeatFinder: values partitioned by their top bits, spilled in blocks,
// each part sorted alone at the end.
#include "leadfunnel/repeats.hpp"

#include <algorithm>

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

std::vector<std::uint64_t> RepeatFinder::repeated() {
  std::vector<std::uint64_t> out;
  std::vector<std::uint64_t> all;
  for (Part& p : parts_) {
    all.clear();
    all.resize(p.blocks.size() * kBlock);
    for (std::size_t b = 0; b < p.blocks.size(); ++b)
      SpillFile::get()->read(p.blocks[b], all.data() + b * kBlock, kBlock * sizeof(std::uint64_t));
    all.insert(all.end(), p.mem.begin(), p.mem.end());
    p = Part{};
    std::sort(all.begin(), all.end());
    for (std::size_t i = 1; i < all.size(); ++i)
      if (all[i] == all[i - 1] && (out.empty() || out.back() != all[i])) out.push_back(all[i]);
  }
  return out;
}

}  // namespace leadfunnel
