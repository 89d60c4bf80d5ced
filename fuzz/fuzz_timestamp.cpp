// fuzz_timestamp: the timestamp and duration parsers.
//
// Input: the first byte chooses the zone (bits 2-4) and the date order (bits
// 0-1: none, dmy, mdy, ymd); the rest is the cell text. The whole input is
// also read as a duration.
//
// Invariants (any failure aborts):
//  - parse_timestamp never throws, and a failure always carries a message;
//  - a parsed instant printed with format_utc (and with format_local, when
//    the zone's offset then is whole minutes) parses back to the same
//    instant, at seconds precision (years 0001-9998);
//  - values are never normalised: a locale date (15/03/2026) or a naive ISO
//    date (2026-03-15[ 10:00]) that parses lies on that same local date in
//    the zone (257/01/2026 must not become 01/01/2026);
//  - parse_duration never overflows (UBSan), gives no negative duration, and
//    format_duration of what it parsed parses back to the same duration.
#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "fuzz_common.hpp"
#include "leadfunnel/duration.hpp"
#include "leadfunnel/text.hpp"
#include "leadfunnel/timestamp.hpp"

using namespace leadfunnel;
using std::chrono::seconds;

namespace {

constexpr std::array<const char*, 8> kZones{"UTC",           "America/Sao_Paulo", "America/New_York",
                                            "Asia/Kolkata",  "Australia/Lord_Howe", "Europe/London",
                                            "Pacific/Apia",  "America/St_Johns"};

const date::time_zone* zone_at(std::size_t i) {
  static const auto zones = [] {
    std::array<const date::time_zone*, kZones.size()> z{};
    for (std::size_t k = 0; k < kZones.size(); ++k) {
      z[k] = date::locate_zone(kZones[k]);
      if (!z[k]) {
        std::fprintf(stderr, "fuzz_timestamp: zone %s not found; install tzdata\n", kZones[k]);
        std::abort();
      }
    }
    return z;
  }();
  return zones[i % zones.size()];
}

/// The year of `at` in the proleptic Gregorian calendar.
int year_of(date::sys_seconds at) { return static_cast<int>(date::year_month_day{date::floor<date::days>(at)}.year()); }
int year_of(date::local_seconds at) {
  return static_cast<int>(date::year_month_day{date::floor<date::days>(at)}.year());
}

/// A calendar date as written in the input.
struct Ymd {
  int y = 0, m = 0, d = 0;
  std::string text() const {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return buf;
  }
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

void check_round_trip(const Timestamp& ts, const date::time_zone& zone, const std::string& text) {
  const auto secs = std::chrono::floor<seconds>(ts.at);
  const Instant want{std::chrono::duration_cast<std::chrono::milliseconds>(secs.time_since_epoch())};
  const int y = year_of(secs);
  if (y >= 1 && y <= 9998) {
    const std::string utc = format_utc(ts.at);
    const auto back = parse_timestamp(utc, zone);
    FUZZ_CHECK(back.value.has_value(), "'" + fuzz::shown(text) + "' -> " + utc + " does not parse: " + back.error);
    FUZZ_CHECK(back.value->at == want, "'" + fuzz::shown(text) + "' -> " + utc + " parses to " +
                                           format_utc(back.value->at));
    FUZZ_CHECK(!back.value->date_only, utc + " read as date-only");
  }
  // ISO 8601 offsets have no seconds: format_local cannot name an instant
  // under a local mean time offset such as New York's -04:56:02 before 1883.
  const int ly = year_of(zone.to_local(secs));
  const bool whole_minutes = zone.get_info(secs).offset.count() % 60 == 0;
  if (ly >= 1 && ly <= 9998 && whole_minutes) {
    const std::string local = format_local(ts.at, zone);
    const auto back = parse_timestamp(local, zone);
    FUZZ_CHECK(back.value.has_value(), "'" + fuzz::shown(text) + "' -> " + local + " does not parse: " + back.error);
    FUZZ_CHECK(back.value->at == want, "'" + fuzz::shown(text) + "' -> " + local + " parses to " +
                                           format_utc(back.value->at));
  }
}

/// The calendar date a successful parse must keep, when the text names one in the zone.
std::optional<Ymd> expected_local_date(std::string_view text, std::optional<DateOrder> order) {
  if (const auto ld = scan_locale_date(text)) {
    // A four-digit first number is the year whatever the order.
    DateOrder o;
    if (ld->first_digits == 4) o = DateOrder::Ymd;
    else if (order) o = *order;
    else return std::nullopt;
    int y = 0, m = 0, d = 0, ydigits = 0;
    switch (o) {
      case DateOrder::Dmy: d = ld->first; m = ld->second; y = ld->third; ydigits = ld->third_digits; break;
      case DateOrder::Mdy: m = ld->first; d = ld->second; y = ld->third; ydigits = ld->third_digits; break;
      case DateOrder::Ymd: y = ld->first; m = ld->second; d = ld->third; ydigits = ld->first_digits; break;
    }
    if (ydigits == 2) y += y < 69 ? 2000 : 1900;
    return Ymd{y, m, d};
  }
  // A naive ISO date or date-time: YYYY-MM-DD, then nothing or a time with no
  // zone designator (only digits, ':', '.', ',' after the T or space).
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!is_digit(text[i])) return std::nullopt;
  for (std::size_t i = 11; i < text.size(); ++i)
    if (!is_digit(text[i]) && text[i] != ':' && text[i] != '.' && text[i] != ',') return std::nullopt;
  auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  return Ymd{num(0, 4), num(5, 2), num(8, 2)};
}

void check_duration(std::string_view text) {
  const auto d = parse_duration(text);
  if (!d) return;
  FUZZ_CHECK(d->count() >= 0, "'" + fuzz::shown(text) + "' parses to a negative duration");
  FUZZ_CHECK(d->count() % 1000 == 0, "'" + fuzz::shown(text) + "' parses to a fraction of a second");
  const std::string canon = format_duration(*d);
  // format_duration writes days; parse_duration refuses terms above 10^9.
  if (d->count() / 86'400'000 > 1'000'000'000) return;
  const auto back = parse_duration(canon);
  FUZZ_CHECK(back.has_value(), "'" + fuzz::shown(text) + "' -> " + canon + " does not parse");
  FUZZ_CHECK(*back == *d, "'" + fuzz::shown(text) + "' -> " + canon + " parses to another duration");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_duration(fuzz::as_view(data, size));
  if (size < 1) return 0;
  const std::uint8_t control = data[0];
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  const date::time_zone& zone = *zone_at((control >> 2) & 7);
  std::optional<DateOrder> order;
  switch (control & 3) {
    case 1: order = DateOrder::Dmy; break;
    case 2: order = DateOrder::Mdy; break;
    case 3: order = DateOrder::Ymd; break;
    default: break;
  }

  const TimestampParse p = parse_timestamp(text, zone, order);
  if (!p.value) {
    FUZZ_CHECK(!p.error.empty(), "'" + fuzz::shown(text) + "' fails without a message");
    return 0;
  }
  FUZZ_CHECK(p.error.empty(), "'" + fuzz::shown(text) + "' parses and has an error: " + p.error);
  check_round_trip(*p.value, zone, text);
  const std::string_view trimmed = trim(text);
  if (const auto want = expected_local_date(trimmed, order)) {
    const std::string got = local_date(p.value->at, zone);
    if (p.value->date_only) {
      // A date whose midnight a DST change skips (or, Pacific/Apia
      // 2011-12-30, a whole skipped day) starts at the transition.
      const date::local_days day{date::year{want->y} / date::month{static_cast<unsigned>(want->m)} /
                                 date::day{static_cast<unsigned>(want->d)}};
      const auto info = zone.get_info(date::local_seconds{day});
      if (info.result == date::local_info::nonexistent) {
        FUZZ_CHECK(p.value->at == std::chrono::time_point_cast<std::chrono::milliseconds>(info.second.begin),
                   "'" + fuzz::shown(text) + "' has no midnight in " + std::string(zone.name()) +
                       " and does not start at the transition");
        return 0;
      }
    }
    FUZZ_CHECK(got == want->text(), "'" + fuzz::shown(text) + "' in " + std::string(zone.name()) +
                                        " parsed to local date " + got + ", not " + want->text() + " (normalised?)");
  }
  return 0;
}
