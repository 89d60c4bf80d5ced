// DayCache: the entry of a day, found once and then kept.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>

#include "leadfunnel/day_cache.hpp"

TEST_CASE("day cache: each day gives its period's entry, with days that share a slot told apart", "[day_cache]") {
  // Periods of 10 days; days 3 and 3 + 1024 share a slot, as do -5 and 1019.
  std::map<std::int64_t, int> periods;
  int finds = 0;
  auto find = [&](std::int64_t d) -> int& {
    ++finds;
    const std::int64_t start = d >= 0 ? d / 10 * 10 : -((-d + 9) / 10) * 10;
    return periods[start];
  };
  leadfunnel::DayCache<int> cache;
  for (std::int64_t d : {3, 3, 4, 1027, 3, -5, 1019, -5, 1027})
    ++cache.get(d, find);
  CHECK(periods == std::map<std::int64_t, int>{{-10, 2}, {0, 4}, {1010, 1}, {1020, 2}});
  // Found: 3, 4, 1027, 3 again (1027 had taken its slot), -5, 1019, -5 again
  // (1019 had taken its slot), 1027 again; the second 3 was cached.
  CHECK(finds == 8);
}
