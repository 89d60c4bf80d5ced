#pragma once
/// An index in front of a string-keyed node map, for lookups repeated on
/// every lead.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "leadfunnel/prefetch.hpp"
#include "leadfunnel/text.hpp"

namespace leadfunnel {

/// Every element of a map that was remembered, found by the key's hash: an
/// open-addressing table of (hash, key, value) slots, probed from the
/// hash's low bits, and one string compare. A key of up to kInline bytes
/// (most owners, sources and campaigns) is compared with a copy in its
/// slot, not through the pointer: between two leads the cache has held the
/// rest of a row, and the map's element is most often gone from it. Most leads repeat one of a few
/// dozen owners, sources or campaigns, but an export may have thousands of
/// owners: std::unordered_map would divide the hash by its bucket count and
/// follow two pointers for each lookup, where this reads one slot of a
/// small, contiguous table. The map must keep its elements where they are
/// (std::unordered_map and std::unordered_set do, through rehashes and
/// moves; never erase an element that was remembered). `hash` is the map's
/// own hash of the key, so that every caller hashes once.
///
/// The index is complete once warm, but callers must not rely on it: a copy
/// or a move leaves it empty (its slots would point into another map's
/// elements), and it stops taking keys at kMaxKeys (3 MB of slots: a
/// column with a value per lead would otherwise double the map's memory),
/// so a miss is followed by a look in the map itself.
template <class Value>
class KeyIndex {
 public:
  KeyIndex() = default;
  /// A copy starts empty: its slots would point into the other map. A move
  /// leaves both empty: the moved-from table's slots would point into the
  /// map that now has the elements, and the holder's map may be replaced.
  /// (All noexcept, so that a vector of holders moves them when it grows.)
  KeyIndex(const KeyIndex&) noexcept {}
  KeyIndex(KeyIndex&& other) noexcept { other.clear(); }
  KeyIndex& operator=(const KeyIndex&) noexcept {
    clear();
    return *this;
  }
  KeyIndex& operator=(KeyIndex&& other) noexcept {
    clear();
    other.clear();
    return *this;
  }
  ~KeyIndex() = default;

  /// The value remembered for `key`, or null.
  Value* find(std::string_view key, std::size_t hash) const {
    if (slots_.empty()) return nullptr;
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == nullptr) return nullptr;
      if (s.hash == hash && s.matches(key)) return s.value;
    }
  }

  /// Starts loading the slot a lookup of `hash` reads first into the cache
  /// (48 bytes: it may run into the next cache line).
  void prefetch(std::size_t hash) const {
    if (slots_.empty()) return;
    const Slot* s = &slots_[hash & mask_];
    prefetch_line(s);
    prefetch_line(reinterpret_cast<const char*>(s) + sizeof(Slot) - 1);
  }

  /// Remembers the map's element (its key and value) for `hash`; an element
  /// already remembered for the same key is replaced.
  void remember(std::size_t hash, const std::string& key, Value& value) {
    if (count_ >= kMaxKeys) return;
    if ((count_ + 1) * 2 > slots_.size()) grow();
    Slot& s = slot_for(hash, key);
    if (s.key == nullptr) ++count_;
    s.hash = hash;
    s.value = &value;
    s.key = &key;
    s.size = static_cast<std::uint32_t>(std::min(key.size(), std::size_t{UINT32_MAX}));
    if (key.size() <= kInline) std::memcpy(s.text, key.data(), key.size());
  }

  /// How many keys are remembered.
  std::size_t size() const { return count_; }
  /// The most keys it remembers; later keys are found in the map only.
  static constexpr std::size_t max_keys() { return kMaxKeys; }

 private:
  static constexpr std::size_t kInline = 20;
  struct Slot {
    std::size_t hash = 0;
    Value* value = nullptr;
    const std::string* key = nullptr;  ///< null: the slot is free
    std::uint32_t size = 0;            ///< the key's, capped
    char text[kInline];                ///< the key, when it is at most kInline bytes
    bool matches(std::string_view k) const {
      if (k.size() != size) return false;
      return k.size() <= kInline ? same_text(std::string_view(text, k.size()), k) : same_text(*key, k);
    }
  };
  static constexpr std::size_t kFirstSlots = 64;
  static constexpr std::size_t kMaxKeys = 32768;

  void clear() noexcept {
    slots_ = std::vector<Slot>();
    mask_ = 0;
    count_ = 0;
  }

  /// The slot of `key`, or the empty slot where it goes.
  Slot& slot_for(std::size_t hash, std::string_view key) {
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == nullptr || (s.hash == hash && s.matches(key))) return s;
    }
  }

  /// Doubles the table (at most half full after), placing every slot again.
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_ = std::vector<Slot>(old.empty() ? kFirstSlots : old.size() * 2);
    mask_ = slots_.size() - 1;
    for (const Slot& s : old)
      if (s.key != nullptr) slot_for(s.hash, *s.key) = s;
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t count_ = 0;
};

}  // namespace leadfunnel
