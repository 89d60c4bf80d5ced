// Tests for run_parts: every part runs once, the first error in part order wins.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <string>
#include <vector>

#include "leadfunnel/parallel.hpp"

using leadfunnel::run_parts;

TEST_CASE("parallel: run_parts runs every part once, part 0 on the calling thread", "[parallel]") {
  for (std::size_t n : {0U, 1U, 2U, 7U}) {
    std::vector<std::atomic<int>> runs(n);
    std::atomic<bool> zero_here{false};
    const auto caller = std::this_thread::get_id();
    run_parts(n, [&](std::size_t k) {
      ++runs[k];
      if (k == 0) zero_here = std::this_thread::get_id() == caller;
    });
    for (std::size_t k = 0; k < n; ++k) CHECK(runs[k] == 1);
    if (n > 0) CHECK(zero_here);
  }
}

TEST_CASE("parallel: run_parts waits for every part, then rethrows the lowest part's error", "[parallel]") {
  std::atomic<int> finished{0};
  try {
    run_parts(4, [&](std::size_t k) {
      if (k == 1 || k == 3) throw std::runtime_error("part " + std::to_string(k));
      ++finished;
    });
    FAIL("no exception");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "part 1");
  }
  CHECK(finished == 2);
}
