#pragma once
/// Compact homes for many short strings: an arena that keeps each string
/// once, one after another (a handle of 8 bytes instead of a 32-byte
/// std::string and, past 15 bytes, a heap block of its own), and a table
/// that keeps each distinct value once and names it by a 4-byte number.

#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "leadfunnel/text.hpp"

namespace leadfunnel {

/// Strings added one after another into blocks of 1 MB (a longer string gets
/// a block of its own); each is found again by the handle add() gave.
class TextArena {
 public:
  using Handle = std::uint64_t;

  Handle add(std::string_view s) {
    if (s.size() > UINT32_MAX) throw std::length_error("TextArena: a string over 4 GB");
    const std::size_t need = sizeof(std::uint32_t) + s.size();
    if (blocks_.empty() || used_ + need > capacity_) {
      capacity_ = need > kBlock ? need : kBlock;
      blocks_.push_back(std::make_unique<char[]>(capacity_));
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    const auto size = static_cast<std::uint32_t>(s.size());
    std::memcpy(at, &size, sizeof size);
    if (!s.empty()) std::memcpy(at + sizeof size, s.data(), s.size());
    const Handle h = (static_cast<Handle>(blocks_.size() - 1) << 32) | used_;
    used_ += need;
    return h;
  }

  std::string_view operator[](Handle h) const {
    const char* at = blocks_[static_cast<std::size_t>(h >> 32)].get() + (h & 0xFFFFFFFFu);
    std::uint32_t size = 0;
    std::memcpy(&size, at, sizeof size);
    return {at + sizeof size, size};
  }

  void clear() {
    blocks_.clear();
    used_ = capacity_ = 0;
  }

 private:
  // A string's size is kept in 4 bytes; a longer one throws (no field that
  // long fits in memory anyway).
  static constexpr std::size_t kBlock = std::size_t{1} << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t used_ = 0, capacity_ = 0;
};

/// Each distinct value once, numbered from 1 in order of first add; 0 is
/// the empty string. For values that repeat (owners, sources). A value
/// never moves once added.
class StringTable {
 public:
  StringTable() { values_.emplace_back(); }
  // The index's keys are views into values_: a copy would point into the
  // original. Moving is fine (a deque's elements do not move with it).
  StringTable(const StringTable&) = delete;
  StringTable& operator=(const StringTable&) = delete;
  StringTable(StringTable&&) = default;
  StringTable& operator=(StringTable&&) = default;

  std::uint32_t add(std::string_view v) {
    if (v.empty()) return 0;
    const auto it = numbers_.find(v);
    if (it != numbers_.end()) return it->second;
    const auto n = static_cast<std::uint32_t>(values_.size());
    numbers_.emplace(values_.emplace_back(v), n);
    return n;
  }

  const std::string& operator[](std::uint32_t n) const { return values_[n]; }
  std::size_t size() const { return values_.size(); }

 private:
  std::deque<std::string> values_;
  std::unordered_map<std::string_view, std::uint32_t, TextHash> numbers_;
};

}  // namespace leadfunnel
