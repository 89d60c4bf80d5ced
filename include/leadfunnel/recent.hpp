#pragma once
/// A small table in front of a string-keyed node map, for lookups repeated on
/// every lead.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "leadfunnel/text.hpp"

namespace leadfunnel {

/// The entries of a map met lately, found by the key's hash: a mask and one
/// string compare. Most leads repeat one of a few dozen owners, sources or
/// campaigns; std::unordered_map would divide the hash by its bucket count
/// and follow two pointers for each. The map must keep its elements where
/// they are (std::unordered_map and std::unordered_set do, through rehashes;
/// never erase an element that was remembered). `hash` is the map's own hash
/// of the key, so that every caller hashes once.
template <class Value>
class RecentLookups {
 public:
  RecentLookups() = default;
  /// A copy starts empty: its slots would point into the other map. A move
  /// leaves both empty: the moved-from table's slots would point into the
  /// map that now has the elements. (All noexcept, so that a vector of
  /// holders moves them when it grows.)
  RecentLookups(const RecentLookups&) noexcept {}
  RecentLookups(RecentLookups&& other) noexcept { other.slots_ = {}; }
  RecentLookups& operator=(const RecentLookups&) noexcept {
    slots_ = {};
    return *this;
  }
  RecentLookups& operator=(RecentLookups&& other) noexcept {
    slots_ = {};
    other.slots_ = {};
    return *this;
  }
  ~RecentLookups() = default;

  /// The value remembered for `key`, or null.
  Value* find(std::string_view key, std::size_t hash) const {
    const Slot& s = slots_[hash & (kSlots - 1)];
    return s.key != nullptr && s.hash == hash && same_text(*s.key, key) ? s.value : nullptr;
  }
  /// Remembers the map's element (its key and value) for `hash`.
  void remember(std::size_t hash, const std::string& key, Value& value) {
    slots_[hash & (kSlots - 1)] = Slot{hash, &key, &value};
  }

 private:
  struct Slot {
    std::size_t hash = 0;
    const std::string* key = nullptr;
    Value* value = nullptr;
  };
  static constexpr std::size_t kSlots = 64;
  std::array<Slot, kSlots> slots_{};
};

}  // namespace leadfunnel
