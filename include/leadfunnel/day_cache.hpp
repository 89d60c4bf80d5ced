#pragma once
/// A cache in front of a map keyed by the period a local day falls in.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace leadfunnel {

/// The entry last found for each local day number (days since 1970-01-01),
/// one slot per day modulo 1,024: looking the same day up again skips the
/// calendar arithmetic and the map search. The entries must not move while
/// cached (std::map nodes do not); copying is not allowed, since the copy
/// would point into the original's map.
template <class V>
class DayCache {
 public:
  DayCache() = default;
  DayCache(const DayCache&) = delete;
  DayCache& operator=(const DayCache&) = delete;
  DayCache(DayCache&&) noexcept = default;
  DayCache& operator=(DayCache&&) noexcept = default;

  /// The entry of `day`: cached, or `find(day)` (a V&), then cached.
  template <class Find>
  V& get(std::int64_t day, Find&& find) {
    if (slots_.empty()) slots_.resize(kSlots);
    Slot& s = slots_[static_cast<std::uint64_t>(day) % kSlots];
    if (s.value == nullptr || s.day != day) {
      s.day = day;
      s.value = &find(day);
    }
    return *s.value;
  }

 private:
  struct Slot {
    std::int64_t day = 0;
    V* value = nullptr;
  };
  static constexpr std::size_t kSlots = 1024;
  std::vector<Slot> slots_;
};

}  // namespace leadfunnel
