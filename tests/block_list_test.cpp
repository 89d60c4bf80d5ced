// Tests for BlockList: values added at the end, never moved, in 2 MB blocks.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "leadfunnel/block_list.hpp"
#include "leadfunnel/fault_ahead.hpp"

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

TEST_CASE("block list: while a FaultAhead lives, blocks come ready and hold values like any other", "[block-list]") {
  using leadfunnel::FaultAhead;
  using leadfunnel::take_faulted_block;
  CHECK(take_faulted_block() == nullptr);  // none alive
  {
    FaultAhead ahead;
    FaultAhead second;  // another while one lives does nothing, and ends cleanly
    // The helper thread has a block ready soon (it writes 512 pages).
    void* block = nullptr;
    for (int i = 0; i < 2000 && !block; ++i) {
      block = take_faulted_block();
      if (!block) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    REQUIRE(block != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(block) % leadfunnel::kLargePage == 0);
    std::memset(block, 7, leadfunnel::kLargePage);
    std::free(block);
    // A list growing meanwhile takes ready blocks or new ones alike.
    BlockList<std::uint64_t> list;
    const std::size_t n = 3 * leadfunnel::kLargePage / sizeof(std::uint64_t) + 5;
    for (std::size_t i = 0; i < n; ++i) list.emplace_back(i * 3);
    for (std::size_t i = 0; i < n; i += 4099) CHECK(list[i] == i * 3);
    CHECK(list[n - 1] == (n - 1) * 3);
  }
  CHECK(take_faulted_block() == nullptr);  // none ready once it ended (LeakSanitizer sees they were freed)
  FaultAhead later;                       // and a new one may start
}
