// Tests for BlockList: values added at the end, never moved, in 2 MB blocks.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "leadfunnel/block_list.hpp"

using leadfunnel::BlockList;

TEST_CASE("block list: values across many blocks read back in order and never move", "[block-list]") {
  struct Record {
    std::string id;
    char padding[200];
  };
  BlockList<Record> list;
  CHECK(list.empty());
  const std::size_t n = 50000;  // about 10 MB: several blocks
  std::vector<const Record*> where;
  for (std::size_t i = 0; i < n; ++i) {
    Record& r = list.emplace_back(Record{"id-" + std::to_string(i) + std::string(20, 'x'), {}});
    where.push_back(&r);
  }
  REQUIRE(list.size() == n);
  for (std::size_t i = 0; i < n; i += 997) {
    CHECK(list[i].id == "id-" + std::to_string(i) + std::string(20, 'x'));
    CHECK(&list[i] == where[i]);
  }
  BlockList<Record> moved = std::move(list);
  CHECK(list.empty());
  CHECK(moved.size() == n);
  CHECK(&moved[n - 1] == where[n - 1]);
  moved.clear();
  CHECK(moved.empty());
  moved.emplace_back(Record{"again", {}});
  CHECK(moved[0].id == "again");
}
