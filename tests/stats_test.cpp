// Tests for Wilson intervals, rates and percentiles.
//
// Wilson score interval, with p = k/n and z = 1.959963984540054 (z^2 = 3.841458820694124):
//   centre = (p + z^2/2n) / (1 + z^2/n)
//   half   = z * sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)
//   [low, high] = [centre - half, centre + half]
#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "leadfunnel/stats.hpp"

namespace leadfunnel {
namespace {

constexpr double kTol = 1e-4;

void check_interval(const std::optional<Interval>& ci, double low, double high) {
  REQUIRE(ci.has_value());
  CHECK(ci->low == Approx(low).margin(kTol));
  CHECK(ci->high == Approx(high).margin(kTol));
}

/// The percentile, which must exist.
double pct(std::vector<double> values, double q) {
  const auto r = percentile(std::move(values), q);
  REQUIRE(r.has_value());
  return *r;
}

}  // namespace

TEST_CASE("stats: the z constant is the 97.5% normal quantile", "[stats]") {
  CHECK(kZ95 == Approx(1.96).margin(1e-3));
}

TEST_CASE("stats: wilson_interval matches hand-computed 95% intervals", "[stats]") {
  SECTION("0 of 10") {
    // z^2/n = 0.384146, denominator 1.384146.
    // centre = (0 + 0.192073) / 1.384146 = 0.138766
    // half   = 1.959964 * sqrt(0 + 3.841459/400) / 1.384146
    //        = 1.959964 * 0.097998 / 1.384146 = 0.138766
    // -> [0, 0.277533]
    check_interval(wilson_interval(0, 10), 0.0, 0.2775);
    // The low end is exactly 0, never a negative rounding artefact.
    CHECK(wilson_interval(0, 10)->low >= 0.0);
  }
  SECTION("10 of 10") {
    // Mirror image of 0 of 10: centre = (1 + 0.192073) / 1.384146 = 0.861234,
    // half = 0.138766 -> [0.722467, 1].
    check_interval(wilson_interval(10, 10), 0.7225, 1.0);
    CHECK(wilson_interval(10, 10)->high <= 1.0);
  }
  SECTION("5 of 10") {
    // centre = (0.5 + 0.192073) / 1.384146 = 0.5
    // half   = 1.959964 * sqrt(0.025 + 0.009604) / 1.384146
    //        = 1.959964 * 0.186020 / 1.384146 = 0.263407
    // -> [0.236593, 0.763407]
    check_interval(wilson_interval(5, 10), 0.2366, 0.7634);
  }
  SECTION("81 of 263") {
    // p = 0.307985; z^2/n = 0.014606, denominator 1.014606.
    // centre = (0.307985 + 0.007303) / 1.014606 = 0.310749
    // half   = 1.959964 * sqrt(0.307985 * 0.692015 / 263 + 3.841459 / 276676) / 1.014606
    //        = 1.959964 * sqrt(0.00081039 + 0.00001388) / 1.014606
    //        = 1.959964 * 0.028710 / 1.014606 = 0.055461
    // -> [0.255289, 0.366210]
    check_interval(wilson_interval(81, 263), 0.2553, 0.3662);
  }
  SECTION("1 of 1") {
    // z^2/n = 3.841459, denominator 4.841459.
    // centre = (1 + 1.920729) / 4.841459 = 0.603275
    // half   = 1.959964 * sqrt(0 + 3.841459/4) / 4.841459 = 1.959964 * 0.979982 / 4.841459 = 0.396725
    // -> [0.206549, 1]
    check_interval(wilson_interval(1, 1), 0.2065, 1.0);
  }
  SECTION("the interval always contains p (up to rounding) and stays in [0, 1]") {
    for (std::size_t n : {1U, 7U, 50U, 1000U}) {
      for (std::size_t k = 0; k <= n; k += (n / 7 + 1)) {
        const auto ci = wilson_interval(k, n);
        REQUIRE(ci.has_value());
        const double p = static_cast<double>(k) / static_cast<double>(n);
        CHECK(ci->low <= p + 1e-12);
        CHECK(ci->high >= p - 1e-12);
        CHECK(ci->low >= 0.0);
        CHECK(ci->high <= 1.0);
      }
    }
  }
}

TEST_CASE("stats: no successes start the interval at exactly 0 and all successes end it at exactly 1", "[stats]") {
  for (std::size_t n : {1U, 2U, 3U, 5U, 7U, 10U, 50U, 100U, 263U, 1000U}) {
    INFO("n = " << n);
    CHECK(wilson_interval(0, n)->low == 0.0);
    CHECK(wilson_interval(n, n)->high == 1.0);
  }
}

TEST_CASE("stats: a different z changes the width", "[stats]") {
  // z = 1 for 5 of 10: z^2/n = 0.1, denominator 1.1.
  // centre = (0.5 + 0.05) / 1.1 = 0.5
  // half   = 1 * sqrt(0.025 + 1/400) / 1.1 = sqrt(0.0275) / 1.1 = 0.165831 / 1.1 = 0.150756
  // -> [0.349244, 0.650756]
  check_interval(wilson_interval(5, 10, 1.0), 0.3492, 0.6508);
}

TEST_CASE("stats: wilson_interval is empty for no trials or impossible counts", "[stats]") {
  CHECK_FALSE(wilson_interval(0, 0).has_value());
  CHECK_FALSE(wilson_interval(3, 0).has_value());
  CHECK_FALSE(wilson_interval(11, 10).has_value());
}

TEST_CASE("stats: make_rate gives the value and its interval, or nothing for 0/0", "[stats]") {
  SECTION("0 of 0 is undefined, not NaN") {
    const Rate r = make_rate(0, 0);
    CHECK(r.numerator == 0);
    CHECK(r.denominator == 0);
    CHECK_FALSE(r.value.has_value());
    CHECK_FALSE(r.ci95.has_value());
  }
  SECTION("81 of 263") {
    const Rate r = make_rate(81, 263);
    CHECK(r.numerator == 81);
    CHECK(r.denominator == 263);
    REQUIRE(r.value.has_value());
    // 81 / 263 = 0.307985
    CHECK(*r.value == Approx(0.307985).margin(1e-6));
    check_interval(r.ci95, 0.2553, 0.3662);
  }
  SECTION("0 of 10 is a real zero") {
    const Rate r = make_rate(0, 10);
    REQUIRE(r.value.has_value());
    CHECK(*r.value == 0.0);
    check_interval(r.ci95, 0.0, 0.2775);
  }
  SECTION("3 of 4") {
    const Rate r = make_rate(3, 4);
    REQUIRE(r.value.has_value());
    CHECK(*r.value == 0.75);
    REQUIRE(r.ci95.has_value());
  }
}

TEST_CASE("stats: percentile interpolates linearly like NumPy's default", "[stats]") {
  const std::vector<double> v{1, 2, 3, 4};
  SECTION("median of an even count") {
    // h = (4 - 1) * 0.5 = 1.5 -> x[1] + 0.5 * (x[2] - x[1]) = 2 + 0.5 = 2.5
    CHECK(pct(v, 0.5) == Approx(2.5));
  }
  SECTION("90th percentile") {
    // h = 3 * 0.9 = 2.7 -> x[2] + 0.7 * (x[3] - x[2]) = 3 + 0.7 = 3.7
    CHECK(pct(v, 0.9) == Approx(3.7));
  }
  SECTION("25th percentile") {
    // h = 3 * 0.25 = 0.75 -> 1 + 0.75 * 1 = 1.75
    CHECK(pct(v, 0.25) == Approx(1.75));
  }
  SECTION("the ends are the minimum and maximum") {
    CHECK(pct(v, 0.0) == Approx(1.0));
    CHECK(pct(v, 1.0) == Approx(4.0));
  }
  SECTION("odd count median is the middle value") {
    // h = 4 * 0.5 = 2 -> x[2] = 30
    CHECK(pct({10, 20, 30, 40, 50}, 0.5) == Approx(30.0));
  }
  SECTION("uneven gaps") {
    // {0, 10, 100}: h = 2 * 0.75 = 1.5 -> 10 + 0.5 * 90 = 55
    CHECK(pct({0, 10, 100}, 0.75) == Approx(55.0));
  }
}

TEST_CASE("stats: percentile sorts its input first", "[stats]") {
  // Sorted: {1, 2, 3, 4}; h = 1.5 -> 2.5; h = 2.7 -> 3.7.
  CHECK(pct({4, 1, 3, 2}, 0.5) == Approx(2.5));
  CHECK(pct({4, 1, 3, 2}, 0.9) == Approx(3.7));
  // Sorted: {-5, 0, 7}; h = 2 * 0.5 = 1 -> 0.
  CHECK(pct({7, -5, 0}, 0.5) == Approx(0.0).margin(1e-12));
}

TEST_CASE("stats: percentile of one value is that value", "[stats]") {
  CHECK(pct({42.0}, 0.0) == Approx(42.0));
  CHECK(pct({42.0}, 0.5) == Approx(42.0));
  CHECK(pct({42.0}, 1.0) == Approx(42.0));
}

TEST_CASE("stats: percentile of nothing is empty", "[stats]") {
  CHECK_FALSE(percentile({}, 0.5).has_value());
}

TEST_CASE("stats: percentile handles repeated values", "[stats]") {
  // {5, 5, 5, 9}: h = 3 * 0.5 = 1.5 -> 5 + 0.5 * 0 = 5; h = 3 * 0.9 = 2.7 -> 5 + 0.7 * 4 = 7.8
  CHECK(pct({5, 9, 5, 5}, 0.5) == Approx(5.0));
  CHECK(pct({5, 9, 5, 5}, 0.9) == Approx(7.8));
}

}  // namespace leadfunnel
