// Timestamp parsing is hand-written for the shapes exports really use, so that
// it is exact (no locale, no normalisation of impossible dates) and fast. Time
// zone rules come from the system tz database through Howard Hinnant's date/tz.
#include "leadfunnel/timestamp.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "leadfunnel/text.hpp"
#include "timestamp_detail.hpp"

namespace leadfunnel {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

/// A small cursor over the text; every reader returns false on mismatch.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;

  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  /// Reads exactly `n` digits.
  bool digits(int n, int& out) {
    int v = 0;
    for (int k = 0; k < n; ++k) {
      char c = peek();
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
      ++i;
    }
    out = v;
    return true;
  }
};

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

TimestampParse fail(std::string why) { return TimestampParse{std::nullopt, std::move(why)}; }

// Epoch values outside 1990..2100 are far more likely a compact date such
// as 20260115120000 than a real moment: refuse to guess.
constexpr std::int64_t kEpochLow = 631152000;    // 1990-01-01
constexpr std::int64_t kEpochHigh = 4102444800;  // 2100-01-01

TimestampParse from_epoch(std::string_view text) {
  std::int64_t v = 0;
  for (char c : text) v = v * 10 + (c - '0');
  const Instant at = text.size() <= 11 ? Instant{seconds{v}} : Instant{milliseconds{v}};
  const auto secs = std::chrono::floor<seconds>(at).time_since_epoch().count();
  if (secs < kEpochLow || secs >= kEpochHigh)
    return TimestampParse{std::nullopt,
                          fmt::format("'{}' read as epoch {} is outside 1990-2100; if it is a date, write it as "
                                      "YYYY-MM-DD[ HH:MM[:SS]]",
                                      printable(text, 30), text.size() <= 11 ? "seconds" : "milliseconds")};
  return TimestampParse{Timestamp{at, false}, {}};
}

}  // namespace

const date::time_zone* find_zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

namespace {

/// Years a CRM date can plausibly have; anything else is a typo or a wrong
/// column, and would make calendars and periods run over centuries.
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2199;

std::string out_of_range(const std::string& shown) {
  return fmt::format("'{}' is outside the years {}-{}; check the value", shown, kMinYear, kMaxYear);
}

/// Whether the UTC date of `at` is in the years above.
bool in_years_utc(Instant at) {
  // The UTC date is in those years exactly when the instant is in
  // [kMinYear-01-01T00:00Z, (kMaxYear + 1)-01-01T00:00Z).
  static constexpr Instant kFirst{date::sys_days{date::year{kMinYear} / 1 / 1}};
  static constexpr Instant kEnd{date::sys_days{date::year{kMaxYear + 1} / 1 / 1}};
  return at >= kFirst && at < kEnd;
}

/// A naive local time (or a date alone) in `zone` to an instant. A date alone
/// is the start of the day, or the DST transition when midnight is skipped; a
/// time in a DST gap is an error; in a repeated hour the earlier is taken.
TimestampParse from_local(date::local_days day, bool has_time, int hh, int mm, int ss, int millis,
                          const date::time_zone& zone, const std::string& shown) {
  if (!has_time) {
    const auto info = zone.get_info(date::local_seconds{day});
    Instant at{};
    if (info.result == date::local_info::nonexistent)
      at = std::chrono::time_point_cast<milliseconds>(info.second.begin);
    else
      at = std::chrono::time_point_cast<milliseconds>(zone.to_sys(date::local_seconds{day}, date::choose::earliest));
    return TimestampParse{Timestamp{at, true}, {}};
  }
  const auto local_ms = date::local_time<milliseconds>{day} + std::chrono::hours{hh} + std::chrono::minutes{mm} +
                        seconds{ss} + milliseconds{millis};
  const auto info = zone.get_info(std::chrono::floor<seconds>(local_ms));
  if (info.result == date::local_info::nonexistent)
    return fail(fmt::format("'{}' does not exist in {} (skipped by a daylight-saving change)", shown, zone.name()));
  return TimestampParse{Timestamp{zone.to_sys(local_ms, date::choose::earliest), false}, {}};
}

/// Reads 1..max digits; false when none.
bool some_digits(Cursor& c, int max, int& out, int& count) {
  out = 0;
  count = 0;
  while (count < max && !c.done() && c.peek() >= '0' && c.peek() <= '9') {
    out = out * 10 + (c.peek() - '0');
    ++c.i;
    ++count;
  }
  return count > 0;
}

/// A locale date-time: the date pieces, then an optional time.
TimestampParse parse_locale(std::string_view text, const LocaleDate& ld, DateOrder order, const date::time_zone& zone,
                            const std::string& shown) {
  int y = 0, m = 0, d = 0, ydigits = 0;
  switch (order) {
    case DateOrder::Dmy: d = ld.first; m = ld.second; y = ld.third; ydigits = ld.third_digits; break;
    case DateOrder::Mdy: m = ld.first; d = ld.second; y = ld.third; ydigits = ld.third_digits; break;
    case DateOrder::Ymd: y = ld.first; m = ld.second; d = ld.third; ydigits = ld.first_digits; break;
  }
  if (ydigits == 2) y += y < 69 ? 2000 : 1900;
  else if (ydigits != 4) return fail(fmt::format("'{}' has no 2- or 4-digit year in {} order", shown, date_order_name(order)));
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)}, date::day{static_cast<unsigned>(d)}};
  if (y < kMinYear || y > kMaxYear) return fail(out_of_range(shown));
  // date::day keeps only 8 bits, so a day above 255 must be refused before it wraps.
  if (m < 1 || m > 12 || d < 1 || d > 31 || !ymd.ok())
    return fail(fmt::format("'{}' is not a real calendar date when read as {}", shown, date_order_name(order)));
  // The time, if any, follows the date after spaces (or a T or a comma).
  Cursor c{text};
  while (!c.done() && c.peek() != ' ' && c.peek() != 'T' && c.peek() != ',') ++c.i;
  while (!c.done() && (c.peek() == ' ' || c.peek() == 'T' || c.peek() == ',')) ++c.i;
  if (c.done()) return from_local(date::local_days{ymd}, false, 0, 0, 0, 0, zone, shown);
  int hh = 0, mm = 0, ss = 0, n = 0;
  if (!some_digits(c, 2, hh, n) || !c.eat(':') || !c.digits(2, mm))
    return fail(fmt::format("'{}' has no valid H:MM time after the date", shown));
  if (c.eat(':') && !c.digits(2, ss)) return fail(fmt::format("'{}' has invalid seconds", shown));
  while (!c.done() && c.peek() == ' ') ++c.i;
  if (!c.done()) {
    const std::string suffix = to_lower(text.substr(c.i));
    const bool am = suffix == "am" || suffix == "a.m." || suffix == "a. m.";
    const bool pm = suffix == "pm" || suffix == "p.m." || suffix == "p. m.";
    if (!am && !pm) return fail(fmt::format("'{}' has unexpected text after the time", shown));
    if (hh < 1 || hh > 12) return fail(fmt::format("'{}' has an impossible 12-hour time", shown));
    if (am && hh == 12) hh = 0;
    if (pm && hh != 12) hh += 12;
  }
  if (hh > 23 || mm > 59 || ss > 59) return fail(fmt::format("'{}' has an impossible time of day", shown));
  return from_local(date::local_days{ymd}, true, hh, mm, ss, 0, zone, shown);
}

}  // namespace

std::string_view date_order_name(DateOrder order) {
  switch (order) {
    case DateOrder::Dmy: return "dmy";
    case DateOrder::Mdy: return "mdy";
    case DateOrder::Ymd: return "ymd";
  }
  return "ymd";
}

std::optional<DateOrder> date_order_from_name(std::string_view name) {
  if (name == "dmy") return DateOrder::Dmy;
  if (name == "mdy") return DateOrder::Mdy;
  if (name == "ymd") return DateOrder::Ymd;
  return std::nullopt;
}

std::optional<LocaleDate> scan_locale_date(std::string_view text) {
  text = trim(text);
  Cursor c{text};
  LocaleDate ld;
  int n2 = 0;
  if (!some_digits(c, 4, ld.first, ld.first_digits)) return std::nullopt;
  const char sep = c.peek();
  if (sep != '/' && sep != '.' && sep != '-') return std::nullopt;
  ++c.i;
  if (!some_digits(c, 2, ld.second, n2) || !c.eat(sep)) return std::nullopt;
  if (!some_digits(c, 4, ld.third, ld.third_digits)) return std::nullopt;
  // ISO dates (YYYY-MM-DD) belong to the ISO parser.
  if (sep == '-' && ld.first_digits == 4) return std::nullopt;
  if (!c.done() && c.peek() != ' ' && c.peek() != 'T' && c.peek() != ',') return std::nullopt;
  if (c.peek() == 'T' && (ld.first_digits == 4 || ld.third_digits == 4) && sep == '-') return std::nullopt;
  ld.separator = sep;
  return ld;
}

namespace {
TimestampParse general_shapes(std::string_view raw, const date::time_zone& zone, std::optional<DateOrder> order);
}  // namespace

TimestampParse detail::parse_timestamp_general(std::string_view raw, const date::time_zone& zone,
                                               std::optional<DateOrder> order) {
  TimestampParse r = general_shapes(raw, zone, order);
  // The years are checked on the written date; the instant must be inside
  // them in UTC too (1900-01-01 in a zone east of UTC is still 1899 there),
  // so that every instant read prints as a value that reads back.
  if (r.value && !in_years_utc(r.value->at))
    return TimestampParse{std::nullopt, out_of_range(printable(trim(raw), 60)) + " (in UTC)"};
  return r;
}

namespace {

TimestampParse general_shapes(std::string_view raw, const date::time_zone& zone,
                                               std::optional<DateOrder> order) {
  const std::string_view trimmed = trim(raw);
  // Messages quote the value escaped and shortened, never raw.
  const std::string shown = printable(trimmed, 60);
  const std::string_view text = trimmed;
  if (text.empty()) return fail("empty");
  if (const auto ld = scan_locale_date(text)) {
    // A four-digit first number is a year whatever the column's order: no
    // export writes day 2026. So a year-first date reads the same before
    // and after its column's order is known.
    if (ld->first_digits == 4) return parse_locale(text, *ld, DateOrder::Ymd, zone, shown);
    if (order) return parse_locale(text, *ld, *order, zone, shown);
    return fail(fmt::format("'{}' is a locale date whose day/month order is unknown; pass --date-order dmy or mdy",
                            shown));
  }
  if (all_digits(text)) {
    if (text.size() >= 9 && text.size() <= 14) return from_epoch(text);
    return fail(fmt::format("'{}' is not a date (a number of {} digits is neither epoch seconds nor milliseconds)",
                            shown, text.size()));
  }

  Cursor c{text};
  int y = 0, mo = 0, d = 0;
  if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d))
    return fail(fmt::format("'{}' is not a recognised date; use YYYY-MM-DD[ HH:MM[:SS]][Z|+HH:MM]", shown));
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return fail(fmt::format("'{}' is not a real calendar date", shown));
  if (y < kMinYear || y > kMaxYear) return fail(out_of_range(shown));
  const date::local_days local_day{ymd};

  if (c.done()) return from_local(local_day, false, 0, 0, 0, 0, zone, shown);

  if (!c.eat('T') && !c.eat('t') && !c.eat(' '))
    return fail(fmt::format("'{}' has unexpected text after the date", shown));
  int hh = 0, mm = 0, ss = 0;
  if (!c.digits(2, hh) || !c.eat(':') || !c.digits(2, mm))
    return fail(fmt::format("'{}' has no valid HH:MM time", shown));
  if (c.eat(':') && !c.digits(2, ss)) return fail(fmt::format("'{}' has invalid seconds", shown));
  int millis = 0;
  if (c.peek() == '.' || c.peek() == ',') {
    ++c.i;
    int n = 0;
    while (!c.done() && c.peek() >= '0' && c.peek() <= '9') {
      if (n < 3) millis = millis * 10 + (c.peek() - '0');
      ++n;
      ++c.i;
    }
    if (n == 0) return fail(fmt::format("'{}' has an empty fraction of a second", shown));
    for (int k = n; k < 3; ++k) millis *= 10;
  }
  // RFC 3339 allows a leap second, :60, in the last minute of a UTC day; it
  // is read as the next minute's start, as POSIX time does. Which minute that
  // is in local time depends on the offset, checked below.
  if (hh > 23 || mm > 59 || ss > 60)
    return fail(fmt::format("'{}' has an impossible time of day", shown));
  auto leap_ok = [&](int offset_minutes) {
    const int utc_minute = ((hh * 60 + mm - offset_minutes) % 1440 + 1440) % 1440;
    return ss != 60 || utc_minute == 1439;
  };

  const auto local_ms = date::local_time<milliseconds>{local_day} + std::chrono::hours{hh} +
                        std::chrono::minutes{mm} + seconds{ss} + milliseconds{millis};

  // Offset or zone designator.
  if (c.peek() == ' ') {
    ++c.i;
    if (c.done()) return fail(fmt::format("'{}' ends with a space", shown));
  }
  const std::string impossible = fmt::format("'{}' has an impossible time of day", shown);
  if (c.done()) {
    if (ss == 60) return fail(impossible + " (a leap second needs an explicit UTC offset)");
    return from_local(local_day, true, hh, mm, ss, millis, zone, shown);
  }
  const std::string_view rest = text.substr(c.i);
  if (rest == "Z" || rest == "z" || rest == "UTC" || rest == "GMT") {
    if (!leap_ok(0)) return fail(impossible);
    return TimestampParse{Timestamp{Instant{local_ms.time_since_epoch()}, false}, {}};
  }
  if (c.peek() == '+' || c.peek() == '-') {
    const int sign = c.peek() == '-' ? -1 : 1;
    ++c.i;
    int oh = 0, om = 0;
    if (!c.digits(2, oh)) return fail(fmt::format("'{}' has an invalid UTC offset", shown));
    if (!c.done()) {
      c.eat(':');
      if (!c.digits(2, om)) return fail(fmt::format("'{}' has an invalid UTC offset", shown));
    }
    if (!c.done() || oh > 23 || om > 59) return fail(fmt::format("'{}' has an invalid UTC offset", shown));
    const auto offset = std::chrono::minutes{sign * (oh * 60 + om)};
    if (!leap_ok(sign * (oh * 60 + om))) return fail(impossible);
    return TimestampParse{Timestamp{Instant{local_ms.time_since_epoch() - offset}, false}, {}};
  }
  return fail(fmt::format("'{}' has unexpected text after the time", shown));
}

}  // namespace

// The fast path. A 10M-row export has about 7 date cells a row, and the
// general parser above spends most of its time building strings for messages
// it will not need and asking the tz database for an offset. The fast path
// reads the common shapes with fixed-position byte checks and converts naive
// times through a per-thread cache of the local stretches in which a zone's
// offset is constant and unambiguous, so most conversions are an addition.
// It never reports an error: whatever it does not fully accept goes to the
// general parser, which stays the reference (tests/timestamp_fast_test.cpp
// compares the two on edge cases and on random strings from the grammar).
namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr int digit_value(char c) { return c - '0'; }
constexpr int two_digits(const char* p) { return digit_value(p[0]) * 10 + digit_value(p[1]); }
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr std::int64_t kSecondsPerDay = 86400;

/// Days since 1970-01-01 of January 1st of each accepted year, and of the
/// year after the last: a table, so that a date is checked and numbered
/// without the divisions of the leap-year rule and the civil-day formula.
constexpr std::array<std::int32_t, kMaxYear - kMinYear + 2> kYearStarts = [] {
  std::array<std::int32_t, kMaxYear - kMinYear + 2> out{};
  std::int32_t day = -25567;  // 1900-01-01
  for (int y = kMinYear; y <= kMaxYear + 1; ++y) {
    out[static_cast<std::size_t>(y - kMinYear)] = day;
    day += (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 366 : 365;
  }
  return out;
}();
static_assert(kYearStarts[2000 - kMinYear] == 10957, "2000-01-01 is day 10957");

/// The days of each month, and the days of a year before it (not a leap
/// year). Not local to day_of_date: GCC 12 copied them to the stack on every
/// call, and read the day of the month back from that copy.
constexpr std::array<int, 12> kMonthDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
constexpr std::array<int, 12> kDaysBefore{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

/// Days since 1970-01-01 of a real Gregorian date in the accepted years (what
/// `ymd.ok()` plus the year check accept in the general parser), in `day`;
/// false for any other date.
constexpr bool day_of_date(int y, int m, int d, std::int64_t& day) {
  if (y < kMinYear || y > kMaxYear || m < 1 || m > 12 || d < 1) return false;
  const auto year = static_cast<std::size_t>(y - kMinYear);
  const std::int32_t start = kYearStarts[year];
  const bool leap = kYearStarts[year + 1] - start == 366;
  const auto month = static_cast<std::size_t>(m - 1);
  if (d > (m == 2 && leap ? 29 : kMonthDays[month])) return false;
  day = start + kDaysBefore[month] + (leap && m > 2 ? 1 : 0) + d - 1;
  return true;
}

/// A stretch of local time, [begin, end) in seconds on the local time line,
/// in which the zone's offset is one value and every local time occurs once:
/// no daylight-saving gap and no repeated hour inside.
struct LocalSpan {
  std::int64_t begin = 0, end = 0;
  std::int64_t offset = 0;  ///< seconds; UTC = local - offset
};

/// The spans of one zone found so far on this thread, sorted and disjoint.
/// A local day (days since 1970-01-01 on the local time line) that lies
/// wholly inside one span, and that span's offset.
struct LocalDay {
  std::int64_t day = INT64_MIN;  ///< none
  std::int64_t offset = 0;
};

struct ZoneSpans {
  const date::time_zone* zone = nullptr;
  std::vector<LocalSpan> spans;
  std::size_t last = 0;  ///< the span that answered last, tried first
  /// Days met so far, one slot per day number (about 2.8 years without a
  /// clash), allocated on first use: most local times of a file fall in
  /// days that need no search (leads come in no time order, so the span
  /// that answered last is often not the one).
  std::vector<LocalDay> days;
};
constexpr std::size_t kDaySlots = 1024;

// Bounds on the per-thread cache; a zone has about 600 spans in 1900-2199.
constexpr std::size_t kMaxCachedZones = 8;
constexpr std::size_t kMaxCachedSpans = 4096;

// Neighbouring periods are looked up only between these instants: a zone's
// first and last periods reach to the years -32767 and 32767, and the spans
// need to be right only for local dates in 1900-2199.
constexpr std::int64_t kNeighbourLow =
    date::sys_days{date::year{1800} / 1 / 1}.time_since_epoch().count() * kSecondsPerDay;
constexpr std::int64_t kNeighbourHigh =
    date::sys_days{date::year{2300} / 1 / 1}.time_since_epoch().count() * kSecondsPerDay;

/// The span around local second `t`, from the tz database; empty when `t` is
/// in a gap or a repeated hour, or when anything looks irregular.
std::optional<LocalSpan> find_span(const date::time_zone& zone, std::int64_t t) {
  const date::local_info li = zone.get_info(date::local_seconds{seconds{t}});
  if (li.result != date::local_info::unique) return std::nullopt;
  const date::sys_info& info = li.first;
  const std::int64_t off = info.offset.count();
  const std::int64_t begin = info.begin.time_since_epoch().count();
  const std::int64_t end = info.end.time_since_epoch().count();
  std::int64_t prev_off = off, next_off = off;
  if (begin > kNeighbourLow) prev_off = zone.get_info(info.begin - seconds{1}).offset.count();
  if (end < kNeighbourHigh) next_off = zone.get_info(info.end).offset.count();
  // The period covers local [begin + off, end + off). Where the offset falls
  // at a boundary, the first local times after it were already lived under
  // the larger offset (a repeated hour); where it rises at the end, a gap
  // follows. Either way the unique part is the narrower one.
  const LocalSpan span{begin + std::max(off, prev_off), end + std::min(off, next_off), off};
  if (t < span.begin || t >= span.end) return std::nullopt;
  // Both ends must read the same through the local lookup the general path
  // uses; if the database is irregular there, leave it all to that path.
  auto unique_with_offset = [&](std::int64_t x) {
    const date::local_info l = zone.get_info(date::local_seconds{seconds{x}});
    return l.result == date::local_info::unique && l.first.offset.count() == off;
  };
  if (span.begin > kNeighbourLow && !unique_with_offset(span.begin)) return std::nullopt;
  if (span.end < kNeighbourHigh && !unique_with_offset(span.end - 1)) return std::nullopt;
  return span;
}

// Per thread, so parse_timestamp needs no lock. Zones come from the tz
// database, which lives as long as the program, so their addresses are keys.
thread_local std::vector<ZoneSpans> t_zone_spans;

/// Local second `t`'s day, rounded down (before 1970 too).
std::int64_t local_day_of(std::int64_t t) { return t >= 0 ? t / kSecondsPerDay : -((-t + kSecondsPerDay - 1) / kSecondsPerDay); }

std::optional<std::int64_t> span_offset(ZoneSpans& zs, std::int64_t t);

/// The offset of local second `t` in `zone` (in `offset`), when that local
/// time occurs exactly once there; false near a transition. (Not an
/// std::optional: GCC 12 returned one through the stack, and reading its
/// flag back stalled every naive timestamp.)
bool unique_offset(const date::time_zone& zone, std::int64_t t, std::int64_t& offset) {
  ZoneSpans* zs = nullptr;
  for (ZoneSpans& z : t_zone_spans)
    if (z.zone == &zone) {
      zs = &z;
      break;
    }
  if (zs == nullptr) {
    if (t_zone_spans.size() >= kMaxCachedZones) t_zone_spans.clear();
    zs = &t_zone_spans.emplace_back();
    zs->zone = &zone;
  }
  const std::int64_t day = local_day_of(t);
  if (zs->days.empty()) zs->days.resize(kDaySlots);
  LocalDay& slot = zs->days[static_cast<std::size_t>(day) % kDaySlots];
  if (slot.day == day) {
    offset = slot.offset;
    return true;
  }
  const std::optional<std::int64_t> found = span_offset(*zs, t);
  if (!found) return false;
  offset = *found;
  // spans[last] is the span that answered (or was just added): keep the
  // day when it holds the whole day.
  if (zs->last < zs->spans.size()) {
    const LocalSpan& s = zs->spans[zs->last];
    if (s.begin <= day * kSecondsPerDay && (day + 1) * kSecondsPerDay <= s.end && s.offset == offset)
      slot = LocalDay{day, offset};
  }
  return true;
}

/// unique_offset through the zone's spans (and the tz database for a span
/// not met yet).
std::optional<std::int64_t> span_offset(ZoneSpans& zs, std::int64_t t) {
  const date::time_zone& zone = *zs.zone;
  std::vector<LocalSpan>& spans = zs.spans;
  if (zs.last < spans.size()) {
    const LocalSpan& s = spans[zs.last];
    if (s.begin <= t && t < s.end) return s.offset;
  }
  auto it = std::upper_bound(spans.begin(), spans.end(), t,
                             [](std::int64_t x, const LocalSpan& s) { return x < s.begin; });
  if (it != spans.begin() && t < std::prev(it)->end) {
    zs.last = static_cast<std::size_t>(std::prev(it) - spans.begin());
    return std::prev(it)->offset;
  }
  const std::optional<LocalSpan> found = find_span(zone, t);
  if (!found) return std::nullopt;
  const bool overlaps =
      (it != spans.begin() && std::prev(it)->end > found->begin) || (it != spans.end() && it->begin < found->end);
  if (!overlaps) {
    if (spans.size() >= kMaxCachedSpans) {
      spans.clear();
      it = spans.begin();
    }
    it = spans.insert(it, *found);
    zs.last = static_cast<std::size_t>(it - spans.begin());
  }
  return found->offset;
}

/// A naive local time (seconds plus milliseconds) to a timestamp, when it is
/// far from any transition; the general path's from_local decides the rest.
bool naive_to_timestamp(const date::time_zone& zone, std::int64_t local_s, int millis, bool date_only,
                        Timestamp& out) {
  std::int64_t offset = 0;
  if (!unique_offset(zone, local_s, offset)) return false;
  out = Timestamp{Instant{milliseconds{(local_s - offset) * 1000 + millis}}, date_only};
  return true;
}

/// Whether the 16 bytes at `p` are `YYYY-MM-DD(T|t| )HH:MM`: the checks
/// fast_iso makes byte by byte, made at once (SSE2).
bool iso_date_and_minute(const char* p) {
#if defined(__SSE2__)
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
  // A digit is a byte whose distance from '0' is at most 9 (unsigned).
  const auto digits = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d)));
  const auto marks =
      static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_setr_epi8('0', '0', '0', '0', '-', '0', '0', '-',
                                                                               '0', '0', 'T', '0', '0', ':', '0',
                                                                               '0'))));
  constexpr unsigned kDigits = 0xDB6F;  // bytes 0-3, 5-6, 8-9, 11-12 and 14-15
  constexpr unsigned kMarks = 0x2090;   // the dashes at 4 and 7, the colon at 13
  return (digits & kDigits) == kDigits && (marks & kMarks) == kMarks && (p[10] == 'T' || p[10] == 't' || p[10] == ' ');
#else
  (void)p;
  return false;
#endif
}

/// The shapes most exports write, at fixed places:
/// `YYYY-MM-DD(T|t| )HH:MM:SS[.fff](Z|z|±HH:MM|±HHMM)` (HubSpot, Salesforce,
/// most APIs), read with few branches. False when `s` has another shape, or a
/// value out of range (a leap second, say): fast_iso then reads it, and gives
/// the same instant for every text read here.
bool fixed_iso(std::string_view s, Timestamp& out) {
  const std::size_t n = s.size();
  const char* p = s.data();
  if (n < 20 || n > 29 || !iso_date_and_minute(p) || p[16] != ':' || !is_digit(p[17]) || !is_digit(p[18]))
    return false;
  std::size_t i = 19;
  int millis = 0;
  if (p[i] == '.') {
    if (n < 24 || !is_digit(p[20]) || !is_digit(p[21]) || !is_digit(p[22])) return false;
    millis = digit_value(p[20]) * 100 + two_digits(p + 21);
    i = 23;
  }
  const char* r = p + i;
  int offset_minutes = 0;
  switch (n - i) {
    case 1:  // Z
      if (r[0] != 'Z' && r[0] != 'z') return false;
      break;
    case 5:  // ±HHMM
    case 6: {  // ±HH:MM
      const char* m = r + (n - i == 6 ? 4 : 3);
      if ((r[0] != '+' && r[0] != '-') || !is_digit(r[1]) || !is_digit(r[2]) || !is_digit(m[0]) || !is_digit(m[1]) ||
          (n - i == 6 && r[3] != ':'))
        return false;
      const int oh = two_digits(r + 1), om = two_digits(m);
      if (oh > 23 || om > 59) return false;
      offset_minutes = (r[0] == '-' ? -1 : 1) * (oh * 60 + om);
      break;
    }
    default: return false;
  }
  const int hh = two_digits(p + 11), mm = two_digits(p + 14), ss = two_digits(p + 17);
  if (hh > 23 || mm > 59 || ss > 59) return false;
  std::int64_t day = 0;
  if (!day_of_date(two_digits(p) * 100 + two_digits(p + 2), two_digits(p + 5), two_digits(p + 8), day)) return false;
  const std::int64_t utc_s = day * kSecondsPerDay + hh * 3600 + mm * 60 + ss - offset_minutes * 60;
  out = Timestamp{Instant{milliseconds{utc_s * 1000 + millis}}, false};
  return true;
}

/// `YYYY-MM-DD[(T|t| )HH:MM[:SS[(.|,)f...]][[ ](Z|z|UTC|GMT|±HH[[:]MM])]]`.
bool fast_iso(std::string_view s, const date::time_zone& zone, Timestamp& out) {
  const std::size_t n = s.size();
  const char* p = s.data();
  // Most cells have a time of day: their first 16 bytes are checked at once.
  const bool checked = n >= 16 && iso_date_and_minute(p);
  if (!checked && (n < 10 || !is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]) || !is_digit(p[3]) ||
                   p[4] != '-' || !is_digit(p[5]) || !is_digit(p[6]) || p[7] != '-' || !is_digit(p[8]) ||
                   !is_digit(p[9])))
    return false;
  const int y = two_digits(p) * 100 + two_digits(p + 2), mo = two_digits(p + 5), d = two_digits(p + 8);
  std::int64_t day = 0;
  if (!day_of_date(y, mo, d, day)) return false;
  if (n == 10) return naive_to_timestamp(zone, day * kSecondsPerDay, 0, true, out);

  if (!checked && ((p[10] != 'T' && p[10] != 't' && p[10] != ' ') || n < 16 || !is_digit(p[11]) ||
                   !is_digit(p[12]) || p[13] != ':' || !is_digit(p[14]) || !is_digit(p[15])))
    return false;
  const int hh = two_digits(p + 11), mm = two_digits(p + 14);
  int ss = 0, millis = 0;
  std::size_t i = 16;
  // The general parser also reads a fraction straight after HH:MM (as a
  // fraction of a second); that is odd enough to leave to it.
  if (i < n && p[i] == ':') {
    if (n < i + 3 || !is_digit(p[i + 1]) || !is_digit(p[i + 2])) return false;
    ss = two_digits(p + i + 1);
    i += 3;
    if (i < n && (p[i] == '.' || p[i] == ',')) {
      const std::size_t start = ++i;
      // Milliseconds, truncated: digits past the third are read and dropped.
      while (i < n && is_digit(p[i])) {
        if (i - start < 3) millis = millis * 10 + digit_value(p[i]);
        ++i;
      }
      if (i == start) return false;
      for (std::size_t k = i - start; k < 3; ++k) millis *= 10;
    }
  }
  if (hh > 23 || mm > 59 || ss > 60) return false;
  const std::int64_t local_s = day * kSecondsPerDay + hh * 3600 + mm * 60 + ss;

  if (i < n && p[i] == ' ') {
    ++i;
    if (i == n) return false;
  }
  if (i == n) {
    if (ss == 60) return false;  // a leap second needs an explicit offset
    return naive_to_timestamp(zone, local_s, millis, false, out);
  }
  int offset_minutes = 0;
  const std::size_t left = n - i;
  const char* r = p + i;
  if ((left == 1 && (r[0] == 'Z' || r[0] == 'z')) ||
      (left == 3 && ((r[0] == 'U' && r[1] == 'T' && r[2] == 'C') || (r[0] == 'G' && r[1] == 'M' && r[2] == 'T')))) {
    offset_minutes = 0;
  } else if (r[0] == '+' || r[0] == '-') {
    const int sign = r[0] == '-' ? -1 : 1;
    const char* q = r + 1;
    int oh = 0, om = 0;
    switch (left - 1) {
      case 2:  // ±HH
        if (!is_digit(q[0]) || !is_digit(q[1])) return false;
        oh = two_digits(q);
        break;
      case 4:  // ±HHMM
        if (!is_digit(q[0]) || !is_digit(q[1]) || !is_digit(q[2]) || !is_digit(q[3])) return false;
        oh = two_digits(q);
        om = two_digits(q + 2);
        break;
      case 5:  // ±HH:MM
        if (!is_digit(q[0]) || !is_digit(q[1]) || q[2] != ':' || !is_digit(q[3]) || !is_digit(q[4])) return false;
        oh = two_digits(q);
        om = two_digits(q + 3);
        break;
      default: return false;
    }
    if (oh > 23 || om > 59) return false;
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return false;
  }
  // A leap second only in the last minute of the UTC day (see the general path).
  if (ss == 60 && ((hh * 60 + mm - offset_minutes) % 1440 + 1440) % 1440 != 1439) return false;
  out = Timestamp{Instant{milliseconds{(local_s - offset_minutes * 60) * 1000 + millis}}, false};
  return true;
}

/// Epoch seconds (9-11 digits) or milliseconds (12-14) in 1990-2100.
bool fast_epoch(std::string_view s, Timestamp& out) {
  if (s.size() < 9 || s.size() > 14) return false;
  std::int64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    v = v * 10 + digit_value(c);
  }
  const bool in_seconds = s.size() <= 11;
  const std::int64_t secs = in_seconds ? v : v / 1000;
  if (secs < kEpochLow || secs >= kEpochHigh) return false;
  out = Timestamp{in_seconds ? Instant{seconds{v}} : Instant{milliseconds{v}}, false};
  return true;
}

/// Locale dates as parse_locale reads them, `H:MM[:SS]` and a bare AM/PM in
/// any case; the dotted `a.m.` forms are left to the general path.
bool fast_locale(std::string_view s, const date::time_zone& zone, std::optional<DateOrder> order, Timestamp& out) {
  const std::optional<LocaleDate> ld = scan_locale_date(s);
  if (!ld) return false;
  if (!order && ld->first_digits != 4) return false;  // the general path asks for an order
  int y = 0, m = 0, d = 0, ydigits = 0;
  switch (ld->first_digits == 4 ? DateOrder::Ymd : *order) {  // year first, as general_shapes
    case DateOrder::Dmy: d = ld->first; m = ld->second; y = ld->third; ydigits = ld->third_digits; break;
    case DateOrder::Mdy: m = ld->first; d = ld->second; y = ld->third; ydigits = ld->third_digits; break;
    case DateOrder::Ymd: y = ld->first; m = ld->second; d = ld->third; ydigits = ld->first_digits; break;
  }
  if (ydigits == 2) y += y < 69 ? 2000 : 1900;
  else if (ydigits != 4) return false;
  std::int64_t day = 0;
  if (!day_of_date(y, m, d, day)) return false;

  const std::size_t n = s.size();
  auto separator = [](char c) { return c == ' ' || c == 'T' || c == ','; };
  std::size_t i = 0;
  while (i < n && !separator(s[i])) ++i;
  while (i < n && separator(s[i])) ++i;
  if (i == n) return naive_to_timestamp(zone, day * kSecondsPerDay, 0, true, out);

  if (!is_digit(s[i])) return false;
  int hh = digit_value(s[i++]);
  if (i < n && is_digit(s[i])) hh = hh * 10 + digit_value(s[i++]);
  if (n < i + 3 || s[i] != ':' || !is_digit(s[i + 1]) || !is_digit(s[i + 2])) return false;
  const int mm = two_digits(s.data() + i + 1);
  i += 3;
  int ss = 0;
  if (i < n && s[i] == ':') {
    if (n < i + 3 || !is_digit(s[i + 1]) || !is_digit(s[i + 2])) return false;
    ss = two_digits(s.data() + i + 1);
    i += 3;
  }
  while (i < n && s[i] == ' ') ++i;
  if (i < n) {
    if (n - i != 2 || ascii_lower(s[i + 1]) != 'm') return false;
    const char half = ascii_lower(s[i]);
    if (half != 'a' && half != 'p') return false;
    if (hh < 1 || hh > 12) return false;
    if (half == 'a' && hh == 12) hh = 0;
    if (half == 'p' && hh != 12) hh += 12;
  }
  if (hh > 23 || mm > 59 || ss > 59) return false;
  return naive_to_timestamp(zone, day * kSecondsPerDay + hh * 3600 + mm * 60 + ss, 0, false, out);
}

}  // namespace

namespace {
bool fast_shapes(std::string_view raw, const date::time_zone& zone, std::optional<DateOrder> order, Timestamp& out);
}  // namespace

bool detail::parse_timestamp_fast(std::string_view raw, const date::time_zone& zone, std::optional<DateOrder> order,
                                  Timestamp& out) {
  // Most cells of an export are in one of a few shapes, with nothing around them.
  if (fixed_iso(raw, out)) return in_years_utc(out.at);
  return fast_shapes(raw, zone, order, out) && in_years_utc(out.at);
}

namespace {

bool fast_shapes(std::string_view raw, const date::time_zone& zone, std::optional<DateOrder> order, Timestamp& out) {
  const std::string_view s = trim(raw);
  if (s.empty()) return false;
  // Shape by shape, in the general parser's order of precedence: text that
  // starts YYYY- is never a locale date, and neither is a bare number.
  if (s.size() >= 5 && s[4] == '-' && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]))
    return fast_iso(s, zone, out);
  if (is_digit(s.back()) && s.size() >= 9 && s.size() <= 14 &&
      std::all_of(s.begin(), s.end(), [](char c) { return is_digit(c); }))
    return fast_epoch(s, out);
  return fast_locale(s, zone, order, out);
}

}  // namespace

TimestampParse parse_timestamp(std::string_view text, const date::time_zone& zone, std::optional<DateOrder> order) {
  Timestamp t;
  if (detail::parse_timestamp_fast(text, zone, order, t)) return TimestampParse{t, {}};
  return detail::parse_timestamp_general(text, zone, order);
}

std::string format_utc(Instant at) {
  const auto secs = std::chrono::floor<seconds>(at);
  const auto day = std::chrono::floor<date::days>(secs);
  const date::year_month_day ymd{day};
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) return date::format("%Y-%m-%dT%H:%M:%SZ", secs);
  // Written by hand: date::format goes through a stream and a locale, and a
  // report with its listed cases formats thousands of these.
  const auto in_day = static_cast<int>((secs - day).count());
  char out[20];
  auto put = [&out](std::size_t pos, int value, std::size_t digits) {
    for (std::size_t i = digits; i-- > 0; value /= 10) out[pos + i] = static_cast<char>('0' + value % 10);
  };
  put(0, y, 4);
  out[4] = '-';
  put(5, static_cast<int>(static_cast<unsigned>(ymd.month())), 2);
  out[7] = '-';
  put(8, static_cast<int>(static_cast<unsigned>(ymd.day())), 2);
  out[10] = 'T';
  put(11, in_day / 3600, 2);
  out[13] = ':';
  put(14, in_day / 60 % 60, 2);
  out[16] = ':';
  put(17, in_day % 60, 2);
  out[19] = 'Z';
  return std::string(out, sizeof out);
}

std::string format_local(Instant at, const date::time_zone& zone) {
  const auto zt = date::make_zoned(&zone, std::chrono::floor<seconds>(at));
  // %Ez gives the ISO 8601 extended offset, +00:00.
  return date::format("%Y-%m-%dT%H:%M:%S%Ez", zt);
}

std::string local_date(Instant at, const date::time_zone& zone) {
  const auto local = zone.to_local(std::chrono::floor<seconds>(at));
  return date::format("%Y-%m-%d", date::floor<date::days>(local));
}

}  // namespace leadfunnel
