#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <type_traits>
#include <unordered_map>

#include <fmt/format.h>

#include "leadfunnel/key_index.hpp"
#include "leadfunnel/text.hpp"

namespace leadfunnel {
namespace {

using Map = std::unordered_map<std::string, int, TextHash, std::equal_to<>>;

/// The map's element for `key`, through the index first, as the accumulators look it up.
int& lookup(Map& map, KeyIndex<int>& index, const std::string& key) {
  const std::size_t hash = TextHash{}(key);
  if (int* known = index.find(key, hash)) return *known;
  auto it = map.try_emplace(key, 0).first;
  index.remember(hash, it->first, it->second);
  return it->second;
}

TEST_CASE("key index: a remembered element is found again, and only for its own key", "[key_index]") {
  Map map;
  KeyIndex<int> index;
  const std::string a = "Camille Laurent";
  CHECK(index.find(a, TextHash{}(a)) == nullptr);
  lookup(map, index, a) = 7;
  CHECK(index.find(a, TextHash{}(a)) == &map.at(a));
  // The same hash with other text (a clash) is not taken for it.
  CHECK(index.find("Camille Laurenz", TextHash{}(a)) == nullptr);
  CHECK(index.find("Camille Laurenz", TextHash{}(std::string("Camille Laurenz"))) == nullptr);
}

TEST_CASE("key index: keys whose hashes share their low bits are each found in their own slot", "[key_index]") {
  // Hashes given by hand, all equal in their low 16 bits: every key probes
  // from the same slot, across the table's growth.
  Map map;
  KeyIndex<int> index;
  for (int i = 0; i < 300; ++i) {
    const std::string key = fmt::format("k{}", i);
    auto it = map.try_emplace(key, i).first;
    index.remember((std::size_t{static_cast<unsigned>(i)} << 16) | 0x5a5a, it->first, it->second);
  }
  REQUIRE(index.size() == 300);
  for (int i = 0; i < 300; ++i) {
    const std::string key = fmt::format("k{}", i);
    const std::size_t hash = (std::size_t{static_cast<unsigned>(i)} << 16) | 0x5a5a;
    REQUIRE(index.find(key, hash) == &map.at(key));
    CHECK(index.find(key, hash ^ (std::size_t{1} << 40)) == nullptr);  // its own hash only
  }
  // Remembering a key again replaces its slot, and adds none.
  int other = 0;
  index.remember(std::size_t{7} << 16 | 0x5a5a, map.find("k7")->first, other);
  CHECK(index.size() == 300);
  CHECK(index.find("k7", std::size_t{7} << 16 | 0x5a5a) == &other);
}

TEST_CASE("key index: counts through the index equal counts in the map, and every key stays indexed",
          "[key_index]") {
  Map map;
  KeyIndex<int> index;
  std::unordered_map<std::string, int> expected;
  // 3,000 distinct keys (within its most) met in a scrambled order, so that the index grows
  // and the map rehashes many times.
  std::uint64_t s = 11;
  for (int i = 0; i < 60000; ++i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::string key = "owner " + std::to_string((s >> 33) % 3000);
    ++lookup(map, index, key);
    ++expected[key];
  }
  REQUIRE(map.size() == expected.size());
  CHECK(index.size() == map.size());
  for (const auto& [key, n] : expected) {
    CHECK(map.at(key) == n);
    CHECK(index.find(key, TextHash{}(key)) == &map.at(key));
  }
}

TEST_CASE("key index: past its most keys it takes no more, and later keys are still counted through the map",
          "[key_index]") {
  Map map;
  KeyIndex<int> index;
  const std::size_t keys = KeyIndex<int>::max_keys() + 3000;
  for (int round = 0; round < 2; ++round)
    for (std::size_t i = 0; i < keys; ++i) ++lookup(map, index, fmt::format("value {}", i));
  CHECK(index.size() == KeyIndex<int>::max_keys());
  REQUIRE(map.size() == keys);
  for (const auto& [key, n] : map) CHECK(n == 2);
  const std::string first = "value 0", last = fmt::format("value {}", keys - 1);
  CHECK(index.find(first, TextHash{}(first)) == &map.at(first));
  CHECK(index.find(last, TextHash{}(last)) == nullptr);
}

TEST_CASE("key index: a copy starts empty rather than point into the other map", "[key_index]") {
  Map map;
  KeyIndex<int> index;
  const std::string a = "Referrals";
  lookup(map, index, a);
  const KeyIndex<int> copy = index;
  CHECK(copy.find(a, TextHash{}(a)) == nullptr);
  CHECK(copy.size() == 0);
  KeyIndex<int> assigned;
  lookup(map, assigned, a);
  assigned = copy;
  CHECK(assigned.find(a, TextHash{}(a)) == nullptr);
  CHECK(index.find(a, TextHash{}(a)) == &map.at(a));
}

TEST_CASE("key index: a move leaves both indexes empty, and a holder of map and index moves without copying",
          "[key_index]") {
  struct Holder {
    Map map;
    KeyIndex<int> index;
  };
  static_assert(std::is_nothrow_move_constructible_v<KeyIndex<int>>);
  static_assert(std::is_nothrow_move_constructible_v<Holder>);
  Holder a;
  const std::string k = "Paid Search";
  lookup(a.map, a.index, k) = 3;
  Holder b = std::move(a);
  CHECK(b.index.find(k, TextHash{}(k)) == nullptr);
  CHECK(a.index.find(k, TextHash{}(k)) == nullptr);  // NOLINT(bugprone-use-after-move): what a move leaves
  // The moved-from holder, used again, counts into its own map only.
  a.map.clear();
  lookup(a.map, a.index, k) = 1;
  CHECK(b.map.at(k) == 3);
  Holder c;
  lookup(c.map, c.index, k);
  c = std::move(b);
  CHECK(c.index.find(k, TextHash{}(k)) == nullptr);
  CHECK(c.map.at(k) == 3);
}

}  // namespace
}  // namespace leadfunnel
