// Tests for durations written by people ("90d", "1h30m") and their short form.
#include <catch2/catch.hpp>

#include <string>

#include "leadfunnel/duration.hpp"

namespace leadfunnel {
namespace {

constexpr long long kSecond = 1000;
constexpr long long kMinute = 60 * kSecond;
constexpr long long kHour = 60 * kMinute;
constexpr long long kDay = 24 * kHour;
constexpr long long kWeek = 7 * kDay;

}  // namespace

TEST_CASE("duration: single terms are read in milliseconds", "[duration]") {
  SECTION("days") {
    // 90 * 86 400 000 = 7 776 000 000 ms.
    REQUIRE(parse_duration("90d") == Millis{7'776'000'000LL});
    REQUIRE(parse_duration("90d") == Millis{90 * kDay});
  }
  SECTION("weeks") {
    // 2 * 604 800 000 = 1 209 600 000 ms.
    REQUIRE(parse_duration("2w") == Millis{1'209'600'000LL});
    REQUIRE(parse_duration("2w") == Millis{2 * kWeek});
  }
  SECTION("hours") {
    // 36 * 3 600 000 = 129 600 000 ms.
    REQUIRE(parse_duration("36h") == Millis{129'600'000LL});
  }
  SECTION("minutes") { REQUIRE(parse_duration("45m") == Millis{45 * kMinute}); }
  SECTION("seconds") { REQUIRE(parse_duration("45s") == Millis{45'000}); }
  SECTION("zero seconds is a valid, empty duration") { REQUIRE(parse_duration("0s") == Millis{0}); }
}

TEST_CASE("duration: several terms add up", "[duration]") {
  // 1h30m = 3 600 000 + 1 800 000 = 5 400 000 ms.
  REQUIRE(parse_duration("1h30m") == Millis{5'400'000});
  // 1w2d = 9 days.
  REQUIRE(parse_duration("1w2d") == Millis{9 * kDay});
  // 1d12h = 36 hours.
  REQUIRE(parse_duration("1d12h") == Millis{36 * kHour});
  // 2m30s = 150 s.
  REQUIRE(parse_duration("2m30s") == Millis{150 * kSecond});
}

TEST_CASE("duration: surrounding spaces are ignored", "[duration]") {
  REQUIRE(parse_duration("  90d ") == Millis{90 * kDay});
}

TEST_CASE("duration: text that is not a sum of <integer><unit> is rejected", "[duration]") {
  SECTION("empty") { REQUIRE_FALSE(parse_duration("").has_value()); }
  SECTION("blank") { REQUIRE_FALSE(parse_duration("   ").has_value()); }
  SECTION("a unit with no number") { REQUIRE_FALSE(parse_duration("d").has_value()); }
  SECTION("a number with no unit") { REQUIRE_FALSE(parse_duration("5").has_value()); }
  SECTION("an unknown unit") { REQUIRE_FALSE(parse_duration("5x").has_value()); }
  SECTION("a negative number") { REQUIRE_FALSE(parse_duration("-3d").has_value()); }
  SECTION("a trailing number after a term") { REQUIRE_FALSE(parse_duration("1h30").has_value()); }
  SECTION("a space between terms") { REQUIRE_FALSE(parse_duration("1h 30m").has_value()); }
  SECTION("uppercase units") { REQUIRE_FALSE(parse_duration("90D").has_value()); }
  SECTION("a decimal") { REQUIRE_FALSE(parse_duration("1.5h").has_value()); }
  SECTION("a word") { REQUIRE_FALSE(parse_duration("ninety days").has_value()); }
  SECTION("an absurdly large number") { REQUIRE_FALSE(parse_duration("99999999999d").has_value()); }
}

TEST_CASE("duration: format_duration gives the canonical short form", "[duration]") {
  SECTION("whole days") { CHECK(format_duration(Millis{90 * kDay}) == "90d"); }
  SECTION("hours and minutes") { CHECK(format_duration(Millis{90 * kMinute}) == "1h30m"); }
  SECTION("weeks are shown as days") {
    // 2w = 14d.
    CHECK(format_duration(Millis{2 * kWeek}) == "14d");
  }
  SECTION("36 hours are a day and twelve hours") { CHECK(format_duration(Millis{36 * kHour}) == "1d12h"); }
  SECTION("every unit") {
    // 1d 2h 3m 4s.
    CHECK(format_duration(Millis{kDay + 2 * kHour + 3 * kMinute + 4 * kSecond}) == "1d2h3m4s");
  }
  SECTION("zero") { CHECK(format_duration(Millis{0}) == "0s"); }
  SECTION("negative") { CHECK(format_duration(Millis{-(90 * kMinute)}) == "-1h30m"); }
}

TEST_CASE("duration: parse then format round-trips canonical spellings", "[duration]") {
  for (const char* text : {"90d", "1h30m", "45s", "0s", "1d2h3m4s"}) {
    INFO("text: " << text);
    const auto d = parse_duration(text);
    REQUIRE(d.has_value());
    CHECK(format_duration(*d) == text);
  }
}

TEST_CASE("duration: parse then format canonicalises other spellings", "[duration]") {
  // 36h = 1d12h; 90m = 1h30m; 2w = 14d.
  CHECK(format_duration(parse_duration("36h").value()) == "1d12h");
  CHECK(format_duration(parse_duration("90m").value()) == "1h30m");
  CHECK(format_duration(parse_duration("2w").value()) == "14d");
}

}  // namespace leadfunnel
