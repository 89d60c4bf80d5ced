// Tests for parsing export cells into instants and printing them back.
#include <catch2/catch.hpp>
#include <date/date.h>
#include <date/tz.h>

#include <string>

#include "leadfunnel/timestamp.hpp"

namespace leadfunnel {
namespace {

using namespace date::literals;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

/// The instant `day` + `h`:`m`:`s` UTC, built by hand without the parser.
Instant utc(date::sys_days day, int h = 0, int m = 0, int s = 0, int ms = 0) {
  return Instant{day} + hours{h} + minutes{m} + seconds{s} + milliseconds{ms};
}

const date::time_zone& zone(const char* name) {
  const date::time_zone* z = find_zone(name);
  REQUIRE(z != nullptr);
  return *z;
}

/// Parses and requires success.
Timestamp ok(std::string_view text, const date::time_zone& z) {
  const TimestampParse r = parse_timestamp(text, z);
  INFO("input: '" << std::string(text) << "' error: " << r.error);
  REQUIRE(r.value.has_value());
  return *r.value;
}

/// Parses and requires a rejection with a reason.
std::string rejected(std::string_view text, const date::time_zone& z) {
  const TimestampParse r = parse_timestamp(text, z);
  INFO("input: '" << std::string(text) << "'");
  REQUIRE_FALSE(r.value.has_value());
  REQUIRE_FALSE(r.error.empty());
  return r.error;
}

}  // namespace

TEST_CASE("timestamp: find_zone knows IANA names and refuses unknown ones", "[timestamp]") {
  REQUIRE(find_zone("America/Sao_Paulo") != nullptr);
  REQUIRE(find_zone("UTC") != nullptr);
  REQUIRE(find_zone("Mars/Olympus_Mons") == nullptr);
  REQUIRE(find_zone("") == nullptr);
}

TEST_CASE("timestamp: a date alone is the start of that day in the zone", "[timestamp]") {
  SECTION("Sao Paulo is UTC-3, so local midnight is 03:00Z") {
    const Timestamp t = ok("2024-03-15", zone("America/Sao_Paulo"));
    CHECK(t.at == utc(2024_y / 3 / 15, 3));
    CHECK(t.date_only);
  }
  SECTION("in UTC it is midnight UTC") {
    const Timestamp t = ok("2024-03-15", zone("UTC"));
    CHECK(t.at == utc(2024_y / 3 / 15));
    CHECK(t.date_only);
  }
  SECTION("Tokyo is UTC+9, so local midnight is 15:00Z the day before") {
    const Timestamp t = ok("2024-03-15", zone("Asia/Tokyo"));
    CHECK(t.at == utc(2024_y / 3 / 14, 15));
  }
  SECTION("surrounding spaces are ignored") {
    const Timestamp t = ok("  2024-03-15\t", zone("UTC"));
    CHECK(t.at == utc(2024_y / 3 / 15));
    CHECK(t.date_only);
  }
}

TEST_CASE("timestamp: a day whose midnight is skipped by DST starts at the transition", "[timestamp]") {
  // Brazil started DST on 2018-11-04 at 00:00 local (-03:00), jumping to 01:00
  // (-02:00). The first local instant of the day is 01:00-02:00 = 03:00Z.
  const Timestamp t = ok("2018-11-04", zone("America/Sao_Paulo"));
  CHECK(t.at == utc(2018_y / 11 / 4, 3));
  CHECK(t.date_only);
}

TEST_CASE("timestamp: a naive date-time is local time in the given zone", "[timestamp]") {
  const auto& sp = zone("America/Sao_Paulo");
  // 10:30 at -03:00 is 13:30Z.
  SECTION("T separator") {
    const Timestamp t = ok("2024-03-15T10:30", sp);
    CHECK(t.at == utc(2024_y / 3 / 15, 13, 30));
    CHECK_FALSE(t.date_only);
  }
  SECTION("lowercase t separator") { CHECK(ok("2024-03-15t10:30", sp).at == utc(2024_y / 3 / 15, 13, 30)); }
  SECTION("space separator") { CHECK(ok("2024-03-15 10:30", sp).at == utc(2024_y / 3 / 15, 13, 30)); }
  SECTION("with seconds") { CHECK(ok("2024-03-15 10:30:45", sp).at == utc(2024_y / 3 / 15, 13, 30, 45)); }
  SECTION("late evening crosses into the next UTC day") {
    // 22:15 at -03:00 is 01:15Z on the 16th.
    CHECK(ok("2024-03-15 22:15", sp).at == utc(2024_y / 3 / 16, 1, 15));
  }
}

TEST_CASE("timestamp: fractional seconds are kept to the millisecond, truncated", "[timestamp]") {
  const auto& z = zone("UTC");
  SECTION("one digit is tenths") { CHECK(ok("2024-03-15T10:00:00.5Z", z).at == utc(2024_y / 3 / 15, 10, 0, 0, 500)); }
  SECTION("two digits are hundredths") {
    CHECK(ok("2024-03-15T10:00:00.25Z", z).at == utc(2024_y / 3 / 15, 10, 0, 0, 250));
  }
  SECTION("three digits are milliseconds") {
    CHECK(ok("2024-03-15T10:00:00.123Z", z).at == utc(2024_y / 3 / 15, 10, 0, 0, 123));
  }
  SECTION("microseconds are truncated, not rounded") {
    // .123456 -> 123 ms; .999999 -> 999 ms (rounding would carry into the next second).
    CHECK(ok("2024-03-15T10:00:00.123456Z", z).at == utc(2024_y / 3 / 15, 10, 0, 0, 123));
    CHECK(ok("2024-03-15T10:00:00.999999Z", z).at == utc(2024_y / 3 / 15, 10, 0, 0, 999));
  }
  SECTION("a comma works as the decimal mark") {
    CHECK(ok("2024-03-15T10:00:00,5Z", z).at == utc(2024_y / 3 / 15, 10, 0, 0, 500));
  }
  SECTION("a naive local time keeps its fraction") {
    // 10:00:00.250 at -03:00 is 13:00:00.250Z.
    CHECK(ok("2024-03-15 10:00:00.25", zone("America/Sao_Paulo")).at == utc(2024_y / 3 / 15, 13, 0, 0, 250));
  }
  SECTION("a dot with no digits is rejected") { rejected("2024-03-15T10:00:00.Z", z); }
}

TEST_CASE("timestamp: an explicit offset or Z overrides the zone", "[timestamp]") {
  // The zone is Sao Paulo throughout, to show it is ignored.
  const auto& sp = zone("America/Sao_Paulo");
  SECTION("Z") {
    CHECK(ok("2024-03-15T10:00:00Z", sp).at == utc(2024_y / 3 / 15, 10));
    CHECK(ok("2024-03-15T10:00:00z", sp).at == utc(2024_y / 3 / 15, 10));
  }
  SECTION("+HH:MM") {
    // 12:00 at +02:00 is 10:00Z.
    CHECK(ok("2024-03-15T12:00:00+02:00", sp).at == utc(2024_y / 3 / 15, 10));
  }
  SECTION("-HHMM") {
    // 07:00 at -03:00 is 10:00Z.
    CHECK(ok("2024-03-15T07:00:00-0300", sp).at == utc(2024_y / 3 / 15, 10));
  }
  SECTION("+HH") {
    // 15:00 at +05:00 is 10:00Z.
    CHECK(ok("2024-03-15T15:00+05", sp).at == utc(2024_y / 3 / 15, 10));
  }
  SECTION("offset with minutes") {
    // 15:30 at +05:30 is 10:00Z.
    CHECK(ok("2024-03-15T15:30+05:30", sp).at == utc(2024_y / 3 / 15, 10));
  }
  SECTION("an offset can move the instant to the previous UTC day") {
    // 01:00 at +05:00 is 20:00Z on the 14th.
    CHECK(ok("2024-03-15 01:00+05:00", sp).at == utc(2024_y / 3 / 14, 20));
  }
  SECTION("' UTC' suffix") {
    CHECK(ok("2024-03-15 10:00:00 UTC", sp).at == utc(2024_y / 3 / 15, 10));
    CHECK_FALSE(ok("2024-03-15 10:00:00 UTC", sp).date_only);
  }
  SECTION("fraction followed by an offset") {
    // 12:00:00.750 at +02:00 is 10:00:00.750Z.
    CHECK(ok("2024-03-15T12:00:00.75+02:00", sp).at == utc(2024_y / 3 / 15, 10, 0, 0, 750));
  }
}

TEST_CASE("timestamp: malformed offsets are rejected", "[timestamp]") {
  const auto& z = zone("UTC");
  SECTION("hour out of range") { rejected("2024-03-15T10:00+24:00", z); }
  SECTION("minute out of range") { rejected("2024-03-15T10:00+02:60", z); }
  SECTION("one digit") { rejected("2024-03-15T10:00+2", z); }
  SECTION("trailing junk") { rejected("2024-03-15T10:00+02:00x", z); }
  SECTION("unknown zone word") { rejected("2024-03-15T10:00 EST", z); }
}

TEST_CASE("timestamp: epoch seconds and milliseconds are read as UTC", "[timestamp]") {
  const auto& sp = zone("America/Sao_Paulo");
  SECTION("10 digits are seconds") {
    // 2024-01-01 is day 19723 since 1970 (1704067200 / 86400); +31 (Jan) +29 (Feb)
    // +14 = day 19797 -> 2024-03-15; 19797 * 86400 = 1710460800.
    const Timestamp t = ok("1710460800", sp);
    CHECK(t.at == utc(2024_y / 3 / 15));
    CHECK_FALSE(t.date_only);
  }
  SECTION("13 digits are milliseconds") {
    CHECK(ok("1710460800123", sp).at == utc(2024_y / 3 / 15, 0, 0, 0, 123));
  }
  SECTION("seconds plus an hour") {
    // 1710460800 + 3600 = 1710464400 -> 01:00Z.
    CHECK(ok("1710464400", sp).at == utc(2024_y / 3 / 15, 1));
  }
  SECTION("9 and 11 digits are still seconds") {
    // 946 684 800 s = 10 957 days = 2000-01-01 00:00Z.
    CHECK(ok("946684800", sp).at == utc(2000_y / 1 / 1, 0));
    CHECK(ok("00946684800", sp).at == utc(2000_y / 1 / 1, 0));
  }
  SECTION("12 and 14 digits are still milliseconds") {
    CHECK(ok("946684800000", sp).at == utc(2000_y / 1 / 1, 0));
    CHECK(ok("00946684800000", sp).at == utc(2000_y / 1 / 1, 0));
  }
  SECTION("epoch values outside 1990-2100 are refused, not guessed") {
    // 100 000 000 s is 1973; 20260115120000 ms is the year 2612: a compact date, not an epoch.
    CHECK_THAT(rejected("100000000", sp), Catch::Contains("1990-2100"));
    CHECK_THAT(rejected("20260115120000", sp), Catch::Contains("1990-2100"));
    CHECK_THAT(rejected("202601151200", sp), Catch::Contains("1990-2100"));
  }
  SECTION("8 digits are neither and are rejected, mentioning the value") {
    const std::string why = rejected("20240315", sp);
    CHECK_THAT(why, Catch::Contains("20240315"));
  }
  SECTION("15 digits are rejected") { rejected("171046080012345", sp); }
}

TEST_CASE("timestamp: impossible dates and times are rejected, never normalised", "[timestamp]") {
  const auto& z = zone("America/Sao_Paulo");
  SECTION("February 30th") { CHECK_THAT(rejected("2024-02-30", z), Catch::Contains("2024-02-30")); }
  SECTION("February 29th in a common year") { CHECK_THAT(rejected("2023-02-29", z), Catch::Contains("2023-02-29")); }
  SECTION("month 13") { CHECK_THAT(rejected("2024-13-01", z), Catch::Contains("2024-13-01")); }
  SECTION("month 0 and day 0") {
    rejected("2024-00-10", z);
    rejected("2024-01-00", z);
  }
  SECTION("a time alone") { CHECK_THAT(rejected("24:00", z), Catch::Contains("24:00")); }
  SECTION("hour 24") { CHECK_THAT(rejected("2024-03-15 24:00", z), Catch::Contains("2024-03-15 24:00")); }
  SECTION("minute 60 alone") { rejected("12:60", z); }
  SECTION("minute 60 with a date") { CHECK_THAT(rejected("2024-03-15 12:60", z), Catch::Contains("12:60")); }
  SECTION("second 60") { rejected("2024-03-15 12:00:60", z); }
  SECTION("a word") { CHECK_THAT(rejected("abc", z), Catch::Contains("abc")); }
  SECTION("empty and blank") {
    rejected("", z);
    rejected("   ", z);
  }
  SECTION("one-digit month") { rejected("2024-3-15", z); }
  SECTION("US order") { rejected("03/15/2024", z); }
  SECTION("hour without minutes") { rejected("2024-03-15T10", z); }
  SECTION("dangling colon for seconds") { rejected("2024-03-15T10:00:", z); }
  SECTION("junk after the date") { rejected("2024-03-15x", z); }
}

TEST_CASE("timestamp: February 29th of a leap year is accepted", "[timestamp]") {
  const Timestamp t = ok("2024-02-29", zone("UTC"));
  CHECK(t.at == utc(2024_y / 2 / 29));
  CHECK(t.date_only);
  // 2000 is a leap year (divisible by 400).
  CHECK(ok("2000-02-29 12:00Z", zone("UTC")).at == utc(2000_y / 2 / 29, 12));
}

TEST_CASE("timestamp: a local time in a DST gap is rejected and the zone is named", "[timestamp]") {
  // New York sprang forward on 2024-03-10 from 02:00 EST straight to 03:00 EDT.
  const auto& ny = zone("America/New_York");
  const std::string why = rejected("2024-03-10 02:30", ny);
  CHECK_THAT(why, Catch::Contains("America/New_York"));
  CHECK_THAT(why, Catch::Contains("2024-03-10 02:30"));
  SECTION("the minutes either side of the gap are fine") {
    // 01:59 EST (-5) = 06:59Z; 03:00 EDT (-4) = 07:00Z.
    CHECK(ok("2024-03-10 01:59", ny).at == utc(2024_y / 3 / 10, 6, 59));
    CHECK(ok("2024-03-10 03:00", ny).at == utc(2024_y / 3 / 10, 7));
  }
  SECTION("an explicit offset in the gap is not a problem") {
    // 02:30-05:00 = 07:30Z.
    CHECK(ok("2024-03-10 02:30-05:00", ny).at == utc(2024_y / 3 / 10, 7, 30));
  }
}

TEST_CASE("timestamp: a local time in a DST fold takes the earlier instant", "[timestamp]") {
  // New York fell back on 2024-11-03 at 02:00 EDT to 01:00 EST; 01:30 happens
  // twice, at 01:30-04:00 = 05:30Z and at 01:30-05:00 = 06:30Z.
  const auto& ny = zone("America/New_York");
  CHECK(ok("2024-11-03 01:30", ny).at == utc(2024_y / 11 / 3, 5, 30));
  // After the fold, 02:30 EST = 07:30Z.
  CHECK(ok("2024-11-03 02:30", ny).at == utc(2024_y / 11 / 3, 7, 30));
}

TEST_CASE("timestamp: Europe/Berlin uses +01:00 in winter and +02:00 in summer", "[timestamp]") {
  const auto& berlin = zone("Europe/Berlin");
  SECTION("winter (CET)") {
    // 12:00+01:00 = 11:00Z.
    CHECK(ok("2024-01-15 12:00", berlin).at == utc(2024_y / 1 / 15, 11));
  }
  SECTION("summer (CEST)") {
    // 12:00+02:00 = 10:00Z.
    CHECK(ok("2024-07-15 12:00", berlin).at == utc(2024_y / 7 / 15, 10));
  }
  SECTION("the spring-forward gap (2024-03-31 02:00 -> 03:00) is rejected") {
    CHECK_THAT(rejected("2024-03-31 02:30", berlin), Catch::Contains("Europe/Berlin"));
  }
}

TEST_CASE("timestamp: format_utc prints ISO 8601 with Z at seconds precision", "[timestamp]") {
  CHECK(format_utc(utc(2026_y / 3 / 1, 14)) == "2026-03-01T14:00:00Z");
  CHECK(format_utc(utc(2024_y / 2 / 29, 23, 59, 58)) == "2024-02-29T23:59:58Z");
  SECTION("milliseconds are dropped, not rounded") {
    CHECK(format_utc(utc(2024_y / 3 / 15, 3, 0, 0, 999)) == "2024-03-15T03:00:00Z");
  }
  CHECK(format_utc(Instant{}) == "1970-01-01T00:00:00Z");
  SECTION("it writes what date::format writes, before 1970, after 9999 and at every millisecond of a day's ends") {
    std::uint64_t state = 7;
    auto next = [&state] {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return static_cast<std::int64_t>(state >> 20);  // up to about 557,000 years of milliseconds
    };
    std::vector<Instant> cases{Instant{std::chrono::milliseconds{-1}}, Instant{std::chrono::milliseconds{86'399'999}},
                               utc(0_y / 1 / 1), utc(9999_y / 12 / 31, 23, 59, 59, 999), utc(10000_y / 1 / 1),
                               utc(-1_y / 12 / 31, 23, 59, 59)};
    for (int i = 0; i < 20000; ++i) {
      const std::int64_t ms = next() % (std::int64_t{400} * 366 * 86'400'000);  // within about 400 years of 1970
      cases.push_back(Instant{std::chrono::milliseconds{i % 2 ? ms : -ms}});
      cases.push_back(Instant{std::chrono::milliseconds{i % 2 ? next() : -next()}});
    }
    for (const Instant at : cases) {
      INFO(at.time_since_epoch().count());
      REQUIRE(format_utc(at) == date::format("%Y-%m-%dT%H:%M:%SZ", std::chrono::floor<std::chrono::seconds>(at)));
    }
  }
}

TEST_CASE("timestamp: format_local prints local time with the zone's offset", "[timestamp]") {
  // 14:00Z in Sao Paulo (-03:00) is 11:00.
  CHECK(format_local(utc(2026_y / 3 / 1, 14), zone("America/Sao_Paulo")) == "2026-03-01T11:00:00-03:00");
  CHECK(format_local(utc(2026_y / 3 / 1, 14), zone("UTC")) == "2026-03-01T14:00:00+00:00");
  SECTION("Berlin shows +01:00 in winter and +02:00 in summer") {
    const auto& berlin = zone("Europe/Berlin");
    CHECK(format_local(utc(2024_y / 1 / 15, 11), berlin) == "2024-01-15T12:00:00+01:00");
    CHECK(format_local(utc(2024_y / 7 / 15, 10), berlin) == "2024-07-15T12:00:00+02:00");
  }
  SECTION("offsets with minutes") {
    // 10:00Z in Kolkata (+05:30) is 15:30.
    CHECK(format_local(utc(2024_y / 3 / 15, 10), zone("Asia/Kolkata")) == "2024-03-15T15:30:00+05:30");
  }
}

TEST_CASE("timestamp: local_date gives the calendar date in the zone", "[timestamp]") {
  const auto& sp = zone("America/Sao_Paulo");
  // 02:00Z is 23:00 on the previous day at -03:00; 03:00Z is exactly local midnight.
  CHECK(local_date(utc(2024_y / 3 / 15, 2), sp) == "2024-03-14");
  CHECK(local_date(utc(2024_y / 3 / 15, 3), sp) == "2024-03-15");
  CHECK(local_date(utc(2024_y / 3 / 15, 2, 59, 59, 999), sp) == "2024-03-14");
  // 20:00Z is 05:00 the next day in Tokyo (+09:00).
  CHECK(local_date(utc(2024_y / 3 / 15, 20), zone("Asia/Tokyo")) == "2024-03-16");
  CHECK(local_date(utc(2024_y / 3 / 15, 20), zone("UTC")) == "2024-03-15");
}

}  // namespace leadfunnel

namespace leadfunnel {

TEST_CASE("timestamp: an RFC 3339 leap second is the start of the next minute", "[timestamp]") {
  const auto& utc = *date::locate_zone("UTC");
  const auto leap = parse_timestamp("1990-12-31T23:59:60Z", utc);
  const auto next = parse_timestamp("1991-01-01T00:00:00Z", utc);
  REQUIRE(leap.value);
  REQUIRE(next.value);
  CHECK(leap.value->at == next.value->at);
  const auto offset = parse_timestamp("1990-12-31T15:59:60-08:00", utc);
  REQUIRE(offset.value);
  CHECK(offset.value->at == next.value->at);
  CHECK_FALSE(parse_timestamp("2024-03-15T12:00:60Z", utc).value);
  CHECK_FALSE(parse_timestamp("2016-12-31T10:59:60Z", utc).value);
  CHECK(parse_timestamp("2016-12-31T05:29:60+05:30", utc).value);
}

}  // namespace leadfunnel
