// Tests for Samples: exact percentiles whether the values stay in memory or
// go to the temporary file. Every expected value comes from sorting a copy of
// the same values and applying the type-7 formula here.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "leadfunnel/samples.hpp"
#include "leadfunnel/spill.hpp"

namespace leadfunnel {
namespace {

/// The q-quantile of `values` by sorting: h = (n - 1) q, between order statistics floor(h) and floor(h) + 1.
double by_sorting(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double h = (static_cast<double>(values.size()) - 1.0) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const double high = lo + 1 < values.size() ? values[lo + 1] : values[lo];
  return values[lo] + (h - static_cast<double>(lo)) * (high - values[lo]);
}

struct Rng {
  std::uint64_t s;
  std::uint64_t next(std::uint64_t n) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (s >> 33) % n;
  }
};

/// Durations in hours: many ties (whole minutes), some zeros, a long tail.
std::vector<double> durations(Rng& rng, std::size_t n) {
  std::vector<double> v(n);
  for (auto& x : v) {
    const auto kind = rng.next(10);
    if (kind == 0) x = 0;
    else if (kind < 5) x = static_cast<double>(rng.next(600)) / 60.0;
    else x = static_cast<double>(rng.next(1000000000)) / 3600000.0;
  }
  return v;
}

constexpr double kQs[] = {0.0, 0.1, 0.5, 0.9, 1.0};

}  // namespace
}  // namespace leadfunnel

TEST_CASE("samples: percentiles equal those of the sorted values, in memory and spilled to the file", "[samples]") {
  using namespace leadfunnel;
  Rng rng{3};
  for (std::size_t n : {std::size_t{1}, std::size_t{2}, Samples::kChunk - 1, Samples::kChunk, Samples::kChunk + 1,
                        5 * Samples::kChunk + 17, std::size_t{300000}}) {
    const auto values = durations(rng, n);
    Samples s;
    for (double v : values) s.push_back(v);
    CHECK(s.size() == n);
    CHECK(s.spilled() == (n >= Samples::kChunk));
    for (double q : kQs) {
      INFO(fmt::format("{} values, q = {}", n, q));
      CHECK(s.percentile(q) == by_sorting(values, q));
    }
  }
  Samples none;
  CHECK_FALSE(none.percentile(0.5));
}

TEST_CASE("samples: sets joined with append and append_copy hold every value once", "[samples]") {
  using namespace leadfunnel;
  Rng rng{11};
  const auto values = durations(rng, 3 * Samples::kChunk + 999);
  Samples a, b, c;
  for (std::size_t i = 0; i < values.size(); ++i) (i % 3 == 0 ? a : i % 3 == 1 ? b : c).push_back(values[i]);
  const double b_median = by_sorting(std::vector<double>(values.begin(), values.end()), 0.5);
  std::vector<double> b_values;
  for (std::size_t i = 1; i < values.size(); i += 3) b_values.push_back(values[i]);
  Samples all;
  all.append_copy(b);  // b stays as it was
  all.append(std::move(a));
  all.append(std::move(c));
  CHECK(a.empty());
  CHECK(c.empty());
  CHECK(b.size() == b_values.size());
  CHECK(b.percentile(0.9) == by_sorting(b_values, 0.9));
  CHECK(all.size() == values.size());
  CHECK(all.percentile(0.5) == b_median);
  CHECK(all.percentile(0.9) == by_sorting(values, 0.9));
}

TEST_CASE("samples: values added after a percentile count in the next one", "[samples]") {
  using namespace leadfunnel;
  Rng rng{5};
  auto values = durations(rng, 4 * Samples::kChunk);
  Samples s;
  for (double v : values) s.push_back(v);
  CHECK(s.percentile(0.5) == by_sorting(values, 0.5));
  for (int i = 0; i < 3000; ++i) {
    values.push_back(1e6 + i);
    s.push_back(1e6 + i);
  }
  CHECK(s.percentile(0.5) == by_sorting(values, 0.5));
  CHECK(s.percentile(0.9) == by_sorting(values, 0.9));
}

TEST_CASE("samples: a bucket too big to gather is narrowed, and a million equal values need no gathering",
          "[samples]") {
  using namespace leadfunnel;
  // 1.3 million values share their top 16 key bits (1.0 to 1.0 + 1.3e-6):
  // the bucket is split on the next bits before it is gathered.
  std::vector<double> close;
  Samples s;
  for (std::size_t i = 0; i < 1300000; ++i) {
    const double v = 1.0 + static_cast<double>((i * 7919) % 1300000) * 1e-12;
    close.push_back(v);
    s.push_back(v);
  }
  for (double q : kQs) {
    INFO("q = " << q);
    CHECK(s.percentile(q) == by_sorting(close, q));
  }
  // 1.2 million equal values and a few others.
  std::vector<double> same(1200000, 2.5);
  same.push_back(0.0);
  same.push_back(99.0);
  Samples t;
  for (double v : same) t.push_back(v);
  for (double q : kQs) {
    INFO("q = " << q);
    CHECK(t.percentile(q) == by_sorting(same, q));
  }
}

TEST_CASE("samples: several quantiles asked together equal each asked alone", "[samples]") {
  using namespace leadfunnel;
  Rng rng{11};
  const std::vector<double> qs(std::begin(kQs), std::end(kQs));
  for (std::size_t n : {std::size_t{7}, Samples::kChunk + 3, std::size_t{200000}}) {
    const auto values = durations(rng, n);
    Samples s;
    for (double v : values) s.push_back(v);
    const auto together = s.percentiles(qs);
    REQUIRE(together.size() == qs.size());
    for (std::size_t i = 0; i < qs.size(); ++i) {
      INFO(fmt::format("{} values, q = {}", n, qs[i]));
      CHECK(together[i] == by_sorting(values, qs[i]));
    }
  }
  // Quantiles in different buckets, one of them too big to gather (half a
  // million values between 1.0 and 1.0 + 5e-7) and one of a single key.
  std::vector<double> mixed;
  Samples m;
  for (std::size_t i = 0; i < 500000; ++i) mixed.push_back(1.0 + static_cast<double>((i * 7919) % 500000) * 1e-12);
  for (std::size_t i = 0; i < 300000; ++i) mixed.push_back(40.0);
  for (std::size_t i = 0; i < 200000; ++i) mixed.push_back(static_cast<double>(i % 977) * 0.37);
  for (double v : mixed) m.push_back(v);
  const std::vector<double> wide{0.05, 0.1, 0.3, 0.5, 0.75, 0.9, 0.99};
  const auto got = m.percentiles(wide);
  for (std::size_t i = 0; i < wide.size(); ++i) {
    INFO("q = " << wide[i]);
    CHECK(got[i] == by_sorting(mixed, wide[i]));
  }
  // Asked in any order, and twice: each answer is that quantile's own.
  const std::vector<double> shuffled{0.9, 0.1, 0.5, 1.0, 0.5, 0.0};
  for (std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{1000}, Samples::kChunk + 3, std::size_t{50000}}) {
    const auto values = durations(rng, n);
    Samples s;
    for (double v : values) s.push_back(v);
    const auto got_shuffled = s.percentiles(shuffled);
    for (std::size_t i = 0; i < shuffled.size(); ++i) {
      INFO(fmt::format("{} values, q = {}", n, shuffled[i]));
      CHECK(got_shuffled[i] == by_sorting(values, shuffled[i]));
    }
  }
  Samples none;
  CHECK(none.percentiles({0.5, 0.9}) == std::vector<std::optional<double>>{std::nullopt, std::nullopt});
}

TEST_CASE("samples: percentiles of many sets on several threads equal each set's own, in the sets' order",
          "[samples]") {
  using namespace leadfunnel;
  Rng rng{5};
  const std::vector<double> qs{0.5, 0.9};
  std::vector<std::vector<double>> values;
  for (std::size_t n : {std::size_t{0}, std::size_t{3}, Samples::kChunk * 3 + 1, std::size_t{50000}, std::size_t{9}})
    values.push_back(durations(rng, n));
  for (std::size_t threads : {1U, 2U, 4U, 9U}) {
    std::vector<Samples> sets(values.size());
    std::vector<Samples*> ptrs;
    for (std::size_t i = 0; i < values.size(); ++i) {
      for (double v : values[i]) sets[i].push_back(v);
      ptrs.push_back(&sets[i]);
    }
    const auto got = percentiles_of_sets(ptrs, qs, threads);
    REQUIRE(got.size() == values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
      for (std::size_t k = 0; k < qs.size(); ++k) {
        INFO(fmt::format("{} threads, set {}, q = {}", threads, i, qs[k]));
        if (values[i].empty()) CHECK_FALSE(got[i][k]);
        else CHECK(got[i][k] == by_sorting(values[i], qs[k]));
      }
  }
  CHECK(percentiles_of_sets({}, qs, 2).empty());
}

TEST_CASE("samples: values written early in blocks of any size give the same percentiles", "[samples]") {
  using namespace leadfunnel;
  Rng rng{29};
  for (int trial = 0; trial < 40; ++trial) {
    const auto values = durations(rng, 1 + rng.next(3 * Samples::kChunk));
    Samples s;
    for (double v : values) {
      s.push_back(v);
      if (rng.next(50) == 0) {
        s.spill_now();
        CHECK(s.in_memory() == 0);
      }
    }
    s.spill_now();  // the last values too, then once more with nothing left
    s.spill_now();
    REQUIRE(s.size() == values.size());
    CHECK(s.in_memory() == 0);
    CHECK(s.spilled());
    // Joined with a set still in memory, both ways.
    const auto more = durations(rng, 1 + rng.next(500));
    Samples t;
    for (double v : more) t.push_back(v);
    std::vector<double> all = values;
    all.insert(all.end(), more.begin(), more.end());
    Samples copy;
    copy.append_copy(s);
    copy.append_copy(t);
    t.append(std::move(s));
    REQUIRE(t.size() == all.size());
    REQUIRE(copy.size() == all.size());
    for (double q : kQs) {
      INFO(fmt::format("trial {}, {} values, q = {}", trial, all.size(), q));
      CHECK(t.percentile(q) == by_sorting(all, q));
      CHECK(copy.percentile(q) == by_sorting(all, q));
    }
  }
}

TEST_CASE("samples: once the temporary file is released, the next values go to a new one", "[samples]") {
  using namespace leadfunnel;
  Rng rng{11};
  const auto before = durations(rng, 3 * Samples::kChunk + 5);
  Samples spilled;
  for (double v : before) spilled.push_back(v);
  REQUIRE(spilled.spilled());
  CHECK(spilled.percentile(0.5) == by_sorting(before, 0.5));
  spilled.clear();
  SpillFile::release();
  SpillFile::release();  // twice is harmless
  // Enough values to have their order statistics counted in buckets, and
  // more than one gather: read back from the new file in passes.
  for (std::size_t n : {5 * Samples::kChunk + 5, std::size_t{300000}}) {
    const auto after = durations(rng, n);
    Samples again;
    for (double v : after) again.push_back(v);
    CHECK(again.spilled());
    CHECK(SpillFile::get() != nullptr);
    for (double q : kQs) CHECK(again.percentile(q) == by_sorting(after, q));
  }
}
