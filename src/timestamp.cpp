// Timestamp parsing is hand-written for the shapes exports really use, so that
// it is exact (no locale, no normalisation of impossible dates) and fast. Time
// zone rules come from the system tz database through Howard Hinnant's date/tz.
#include "leadfunnel/timestamp.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <cstdint>

#include "leadfunnel/text.hpp"

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

TimestampParse from_epoch(std::string_view text) {
  std::int64_t v = 0;
  for (char c : text) v = v * 10 + (c - '0');
  const Instant at = text.size() <= 11 ? Instant{seconds{v}} : Instant{milliseconds{v}};
  // Epoch values outside 1990..2100 are far more likely a compact date such
  // as 20260115120000 than a real moment: refuse to guess.
  constexpr std::int64_t kLow = 631152000;    // 1990-01-01
  constexpr std::int64_t kHigh = 4102444800;  // 2100-01-01
  const auto secs = std::chrono::floor<seconds>(at).time_since_epoch().count();
  if (secs < kLow || secs >= kHigh)
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

TimestampParse parse_timestamp(std::string_view raw, const date::time_zone& zone, std::optional<DateOrder> order) {
  const std::string_view trimmed = trim(raw);
  // Messages quote the value escaped and shortened, never raw.
  const std::string shown = printable(trimmed, 60);
  const std::string_view text = trimmed;
  if (text.empty()) return fail("empty");
  if (const auto ld = scan_locale_date(text)) {
    if (order) return parse_locale(text, *ld, *order, zone, shown);
    if (ld->first_digits == 4) return parse_locale(text, *ld, DateOrder::Ymd, zone, shown);
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

std::string format_utc(Instant at) {
  return date::format("%Y-%m-%dT%H:%M:%SZ", std::chrono::floor<seconds>(at));
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
