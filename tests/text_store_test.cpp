// Tests for TextArena and StringTable: compact homes for many short strings.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "leadfunnel/text_store.hpp"

using leadfunnel::StringTable;
using leadfunnel::TextArena;

TEST_CASE("text arena: every string added reads back the same, across many blocks", "[text-store]") {
  TextArena arena;
  std::vector<TextArena::Handle> handles;
  std::vector<std::string> added;
  // About 3 MB: several 1 MB blocks, so strings land at block edges too.
  for (std::size_t i = 0; i < 150000; ++i) {
    added.push_back("L-" + std::to_string(i) + std::string(i % 23, 'x'));
    handles.push_back(arena.add(added.back()));
  }
  for (std::size_t i = 0; i < added.size(); ++i) REQUIRE(arena[handles[i]] == added[i]);
}

TEST_CASE("text arena: an empty string, and one longer than a block, read back", "[text-store]") {
  TextArena arena;
  const auto before = arena.add("first");
  const auto empty = arena.add("");
  const std::string huge(3u << 20, 'h');
  const auto big = arena.add(huge);
  const auto after = arena.add("after");
  CHECK(arena[before] == "first");
  CHECK(arena[empty].empty());
  CHECK(arena[big] == huge);
  CHECK(arena[after] == "after");
  arena.clear();
  CHECK(arena[arena.add("again")] == "again");
}

TEST_CASE("string table: a value added twice has one number, and the empty string is 0", "[text-store]") {
  StringTable table;
  CHECK(table.add("") == 0);
  const auto ana = table.add("Ana Souza");
  const auto bo = table.add("Bo Lind");
  CHECK(ana != 0);
  CHECK(bo != ana);
  CHECK(table.add("Ana Souza") == ana);
  CHECK(table.add(std::string("Bo") + " Lind") == bo);
  CHECK(table[ana] == "Ana Souza");
  CHECK(table[bo] == "Bo Lind");
  CHECK(table[0].empty());
  CHECK(table.size() == 3);  // the empty string and two values
}

TEST_CASE("string table: values stay where they are while many more are added", "[text-store]") {
  StringTable table;
  const auto first = table.add("short");
  const std::string* where = &table[first];
  for (int i = 0; i < 10000; ++i) table.add("owner " + std::to_string(i));
  CHECK(&table[first] == where);
  CHECK(table[first] == "short");
  CHECK(table.add("owner 9999") == table.add("owner 9999"));
}
