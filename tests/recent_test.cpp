#include <catch2/catch.hpp>

#include <cstdint>
#include <type_traits>
#include <string>
#include <unordered_map>

#include "leadfunnel/recent.hpp"
#include "leadfunnel/text.hpp"

namespace leadfunnel {
namespace {

using Map = std::unordered_map<std::string, int, TextHash, std::equal_to<>>;

/// The map's element for `key`, through the table first, as the accumulators look it up.
int& lookup(Map& map, RecentLookups<int>& recent, const std::string& key) {
  const std::size_t hash = TextHash{}(key);
  if (int* known = recent.find(key, hash)) return *known;
  auto it = map.try_emplace(key, 0).first;
  recent.remember(hash, it->first, it->second);
  return it->second;
}

TEST_CASE("recent lookups: a remembered element is found again, and only for its own key", "[recent]") {
  Map map;
  RecentLookups<int> recent;
  const std::string a = "Camille Laurent";
  CHECK(recent.find(a, TextHash{}(a)) == nullptr);
  lookup(map, recent, a) = 7;
  CHECK(recent.find(a, TextHash{}(a)) == &map.at(a));
  // The same hash with other text (a clash in the table) is not taken for it.
  CHECK(recent.find("Camille Laurenz", TextHash{}(a)) == nullptr);
  CHECK(recent.find("Camille Laurenz", TextHash{}(std::string("Camille Laurenz"))) == nullptr);
}

TEST_CASE("recent lookups: counts through the table equal counts in the map, across rehashes", "[recent]") {
  Map map;
  RecentLookups<int> recent;
  std::unordered_map<std::string, int> expected;
  // 500 distinct keys (far more than the table's 64 slots), met in a
  // scrambled order, so that slots are overwritten and the map rehashes.
  std::uint64_t s = 11;
  for (int i = 0; i < 20000; ++i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::string key = "owner " + std::to_string((s >> 33) % 500);
    ++lookup(map, recent, key);
    ++expected[key];
  }
  REQUIRE(map.size() == expected.size());
  for (const auto& [key, n] : expected) CHECK(map.at(key) == n);
}

TEST_CASE("recent lookups: a copy starts empty rather than point into the other map", "[recent]") {
  Map map;
  RecentLookups<int> recent;
  const std::string a = "Referrals";
  lookup(map, recent, a);
  const RecentLookups<int> copy = recent;
  CHECK(copy.find(a, TextHash{}(a)) == nullptr);
  RecentLookups<int> assigned;
  lookup(map, assigned, a);
  assigned = copy;
  CHECK(assigned.find(a, TextHash{}(a)) == nullptr);
  CHECK(recent.find(a, TextHash{}(a)) == &map.at(a));
}

TEST_CASE("recent lookups: a move leaves both tables empty, and a holder of map and table moves without copying",
          "[recent]") {
  struct Holder {
    Map map;
    RecentLookups<int> recent;
  };
  static_assert(std::is_nothrow_move_constructible_v<RecentLookups<int>>);
  static_assert(std::is_nothrow_move_constructible_v<Holder>);
  Holder a;
  const std::string k = "Paid Search";
  lookup(a.map, a.recent, k) = 3;
  Holder b = std::move(a);
  CHECK(b.recent.find(k, TextHash{}(k)) == nullptr);
  CHECK(a.recent.find(k, TextHash{}(k)) == nullptr);  // NOLINT(bugprone-use-after-move): what a move leaves
  // The moved-from holder, used again, counts into its own map only.
  a.map.clear();
  lookup(a.map, a.recent, k) = 1;
  CHECK(b.map.at(k) == 3);
  Holder c;
  lookup(c.map, c.recent, k);
  c = std::move(b);
  CHECK(c.recent.find(k, TextHash{}(k)) == nullptr);
  CHECK(c.map.at(k) == 3);
}

}  // namespace
}  // namespace leadfunnel
