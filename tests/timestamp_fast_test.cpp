// Differential tests: parse_timestamp's fast path against the general parser
// it short-cuts. The general parser is the reference; on every input the two
// must give the same instant, the same date_only flag, or the same error. The
// inputs are hand-picked edge cases, local times around every daylight-saving
// transition of a few zones, and seeded random strings from the grammar, valid
// and slightly broken.
#include <catch2/catch.hpp>
#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../src/timestamp_detail.hpp"
#include "leadfunnel/timestamp.hpp"

namespace leadfunnel {
namespace {

using std::chrono::seconds;

const date::time_zone& zone(const char* name) {
  const date::time_zone* z = find_zone(name);
  REQUIRE(z != nullptr);
  return *z;
}

constexpr std::array<const char*, 8> kZoneNames{"UTC",           "America/New_York",    "Europe/London",
                                                "America/Sao_Paulo", "Australia/Lord_Howe", "Pacific/Apia",
                                                "Asia/Kolkata",  "America/St_Johns"};

std::string show(const TimestampParse& r) {
  if (!r.value) return "error '" + r.error + "'";
  return fmt::format("{} ms{}", r.value->at.time_since_epoch().count(), r.value->date_only ? " (date only)" : "");
}

std::string order_name(std::optional<DateOrder> order) {
  return order ? std::string(date_order_name(*order)) : std::string("none");
}

/// Counts inputs, fast-path hits and disagreements, keeping the first few.
struct Tally {
  std::size_t total = 0, fast = 0, mismatches = 0;
  std::vector<std::string> examples;

  void check(std::string_view text, const date::time_zone& z, std::optional<DateOrder> order) {
    ++total;
    const TimestampParse general = detail::parse_timestamp_general(text, z, order);
    const TimestampParse combined = parse_timestamp(text, z, order);
    bool same = general.value.has_value() == combined.value.has_value() && general.error == combined.error;
    if (same && general.value)
      same = general.value->at == combined.value->at && general.value->date_only == combined.value->date_only;
    Timestamp fast_value;
    const bool took_fast = detail::parse_timestamp_fast(text, z, order, fast_value);
    if (took_fast) {
      ++fast;
      same = same && general.value && general.value->at == fast_value.at &&
             general.value->date_only == fast_value.date_only;
    }
    if (same) return;
    ++mismatches;
    if (examples.size() < 20)
      examples.push_back(fmt::format("'{}' in {} (order {}): general {}, parse_timestamp {}{}", text, z.name(),
                                     order_name(order), show(general), show(combined),
                                     took_fast ? ", fast path " + show(TimestampParse{fast_value, {}}) : ""));
  }

  void require_agreement() const {
    std::string all;
    for (const std::string& e : examples) all += e + "\n";
    INFO(fmt::format("{} inputs, {} on the fast path, {} disagreements:\n{}", total, fast, mismatches, all));
    REQUIRE(mismatches == 0);
  }
};

/// The local times around every transition of `z` from 1900 to 2199: the
/// boundary on either side's clock, and a few seconds, minutes and hours off.
std::vector<date::local_seconds> local_times_near_transitions(const date::time_zone& z) {
  std::vector<date::local_seconds> out;
  const date::sys_seconds stop{date::sys_days{date::year{2200} / 1 / 2}};
  date::sys_seconds t{date::sys_days{date::year{1899} / 12 / 30}};
  constexpr std::array<int, 21> kDeltas{-7200, -3601, -3600, -3599, -1801, -1800, -1799, -61, -60, -1, 0,
                                        1,     59,    60,    61,    1799,  1800,  1801,  3599, 3600, 3601};
  while (true) {
    const date::sys_info info = z.get_info(t);
    if (info.end >= stop) break;
    const date::sys_info next = z.get_info(info.end);
    for (const auto offset : {info.offset, next.offset})
      for (int delta : kDeltas)
        out.push_back(date::local_seconds{(info.end + offset + seconds{delta}).time_since_epoch()});
    t = info.end;
  }
  return out;
}

std::string iso_local(date::local_seconds at, bool with_seconds) {
  const auto day = date::floor<date::days>(at);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<seconds> tod{at - day};
  std::string s = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", static_cast<int>(ymd.year()),
                              static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), tod.hours().count(),
                              tod.minutes().count());
  if (with_seconds) s += fmt::format(":{:02}", tod.seconds().count());
  return s;
}

/// Seeded random strings from the parse_timestamp grammar, mostly valid,
/// often near a limit, sometimes broken by one character.
class Grammar {
 public:
  explicit Grammar(std::uint64_t seed) : rng_(seed) {}

  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int percent) { return below(100) < percent; }
  template <typename T, std::size_t N>
  T pick(const std::array<T, N>& a) {
    return a[static_cast<std::size_t>(below(static_cast<int>(N)))];
  }

  std::string padded(int v, int width) { return fmt::format("{:0{}}", v, width); }

  /// Near-transition local times for ISO and locale strings, per zone.
  const std::vector<date::local_seconds>* near = nullptr;

  bool have_near() const { return near != nullptr && !near->empty(); }
  date::local_seconds some_near() {
    return (*near)[static_cast<std::size_t>(below(static_cast<int>(near->size())))];
  }

  std::string year4() {
    if (chance(50)) return padded(between(1900, 2199), 4);
    return padded(pick(std::array<int, 18>{1899, 1900, 1901, 1969, 1970, 1999, 2000, 2004, 2011, 2018, 2023, 2024,
                                           2025, 2037, 2038, 2100, 2199, 2200}),
                  4);
  }
  std::string month() {
    const int m = chance(90) ? between(1, 12) : pick(std::array<int, 3>{0, 13, 99});
    return chance(3) ? std::to_string(m) : padded(m, 2);
  }
  std::string day() {
    const int d = chance(60) ? between(1, 28) : pick(std::array<int, 6>{0, 29, 30, 31, 32, 99});
    return chance(3) ? std::to_string(d) : padded(d, 2);
  }
  std::string hour() {
    return padded(chance(88) ? between(0, 23) : pick(std::array<int, 3>{24, 25, 99}), chance(3) ? 1 : 2);
  }
  std::string minute() {
    return padded(chance(88) ? between(0, 59) : pick(std::array<int, 3>{59, 60, 99}), 2);
  }
  std::string second() {
    return padded(chance(80) ? between(0, 59) : pick(std::array<int, 4>{59, 60, 61, 99}), 2);
  }
  std::string fraction() {
    std::string f(1, chance(80) ? '.' : ',');
    const int digits = chance(5) ? 0 : between(1, 9);
    for (int k = 0; k < digits; ++k) f += static_cast<char>('0' + below(10));
    return f;
  }
  std::string offset() {
    std::string o = chance(50) ? "+" : "-";
    const int oh = chance(85) ? between(0, 14) : pick(std::array<int, 4>{15, 23, 24, 99});
    const int om = chance(60) ? 0 : pick(std::array<int, 7>{15, 30, 45, 59, 60, 99, 5});
    switch (below(10)) {
      case 0: case 1: case 2: case 3: case 4: o += padded(oh, 2) + ":" + padded(om, 2); break;
      case 5: case 6: o += padded(oh, 2) + padded(om, 2); break;
      case 7: case 8: o += padded(oh, 2); break;
      default: {
        // A malformed offset: one hour digit, one minute digit, a dangling colon, trailing junk.
        const std::array<std::string, 5> odd{std::to_string(oh % 10), padded(oh, 2) + ":" + std::to_string(om % 10),
                                             padded(oh, 2) + ":", padded(oh, 2) + ":" + padded(om, 2) + "x",
                                             padded(oh, 2) + padded(om, 2) + "0"};
        o += odd[static_cast<std::size_t>(below(5))];
      }
    }
    return o;
  }
  std::string zone_suffix() {
    if (chance(45)) return "";
    if (chance(45)) return fmt::format("{}{}", chance(20) ? " " : "", offset());
    return pick(std::array<std::string, 12>{"Z", "z", " Z", "UTC", " UTC", "GMT", " GMT", "utc", "Zulu", "  Z",
                                            " z", "ZZ"});
  }

  /// An ISO date or date-time; a quarter of them near a DST transition.
  std::string iso() {
    std::string s;
    bool time = chance(85);
    std::string hh, mm, ss;
    bool has_seconds = chance(70);
    if (have_near() && chance(30)) {
      const std::string full = iso_local(some_near(), true);  // YYYY-MM-DD HH:MM:SS
      s = full.substr(0, 10);
      hh = full.substr(11, 2);
      mm = full.substr(14, 2);
      ss = full.substr(17, 2);
      time = chance(90);
    } else {
      s = year4() + "-" + month() + "-" + day();
      if (chance(1)) s = std::to_string(between(0, 999)) + s.substr(4);
      hh = hour();
      mm = minute();
      ss = second();
    }
    if (!time) return s;
    s += std::array<std::string, 8>{"T", "T", " ", " ", "t", "  ", "x", "_"}.at(
        static_cast<std::size_t>(chance(95) ? below(5) : between(5, 7)));
    s += hh + ":" + mm;
    if (has_seconds) s += ":" + ss;
    if ((has_seconds && chance(30)) || chance(3)) s += fraction();
    return s + zone_suffix();
  }

  /// A locale date and maybe a time, in one of the shapes scan_locale_date knows.
  std::string locale() {
    const char sep = pick(std::array<char, 4>{'/', '/', '.', '-'});
    std::string s;
    auto number = [&](int lo, int hi, bool pad) {
      const int v = between(lo, hi);
      return pad ? padded(v, 2) : std::to_string(v);
    };
    std::string hh, mm, ss;
    bool time = chance(60);
    if (have_near() && chance(25)) {
      const std::string full = iso_local(some_near(), true);
      const std::string y = full.substr(0, 4), m = full.substr(5, 2), d = full.substr(8, 2);
      switch (below(3)) {
        case 0: s = m + sep + d + sep + y; break;
        case 1: s = d + sep + m + sep + y; break;
        default: s = y + (sep == '-' ? '.' : sep) + m + (sep == '-' ? '.' : sep) + d; break;
      }
      hh = full.substr(11, 2);
      mm = full.substr(14, 2);
      ss = full.substr(17, 2);
      time = chance(90);
    } else {
      const bool pad = chance(50);
      const std::string a = chance(90) ? number(1, 31, pad) : pick(std::array<std::string, 4>{"0", "00", "32", "123"});
      const std::string b = chance(90) ? number(1, 12, pad) : pick(std::array<std::string, 3>{"0", "13", "31"});
      const std::string y = chance(70) ? year4()
                                       : pick(std::array<std::string, 6>{"24", "68", "69", "99", "00", "123"});
      if (chance(15)) s = y + sep + b + sep + a;
      else s = a + sep + b + sep + y;
      hh = chance(90) ? std::to_string(between(0, 23)) : pick(std::array<std::string, 4>{"24", "00", "012", "7"});
      if (chance(30) && hh.size() == 1) hh = "0" + hh;
      mm = minute();
      ss = second();
    }
    if (!time) return s + (chance(3) ? pick(std::array<std::string, 3>{"T", ",", " "}) : "");
    s += pick(std::array<std::string, 6>{" ", " ", " ", "T", ", ", "  "});
    s += hh + ":" + mm;
    if (chance(50)) s += ":" + ss;
    if (chance(40)) {
      // 12-hour clocks want 1-12; the string may still be 13 or 0.
      if (chance(70) && !hh.empty()) {
        const int h = std::stoi(hh) % 12 + 1;
        s = s.substr(0, s.rfind(hh + ":" + mm)) + std::to_string(h) + s.substr(s.rfind(hh + ":" + mm) + hh.size());
      }
      s += pick(std::array<std::string, 14>{" AM", " PM", "AM", "pm", " am", " Pm", " aM", " a.m.", " P.M.", " a. m.",
                                             "  PM", " xm", " AMx", " A M"});
    }
    return s;
  }

  std::string epoch() {
    if (chance(50)) {
      const std::int64_t base = pick(std::array<std::int64_t, 4>{631152000, 4102444800, 631152000000, 4102444800000});
      return std::to_string(base + between(-2, 2));
    }
    std::string s;
    const int digits = between(8, 15);
    for (int k = 0; k < digits; ++k) s += static_cast<char>('0' + (k == 0 ? between(1, 9) : below(10)));
    return s;
  }

  /// Surrounding blanks, a stray character, a deleted or doubled one.
  std::string damage(std::string s) {
    constexpr std::string_view kJunk = "0123456789-:/.,+ TtZzAPMapmUC\t";
    if (chance(4)) s.insert(0, pick(std::array<std::string, 4>{" ", "\t", "  ", "\r\n"}));
    if (chance(4)) s += pick(std::array<std::string, 4>{" ", "\t", "\n", " \r\n"});
    if (s.empty()) return s;
    if (chance(4)) s += kJunk[static_cast<std::size_t>(below(static_cast<int>(kJunk.size())))];
    const auto at = [&] { return static_cast<std::size_t>(below(static_cast<int>(s.size()))); };
    if (chance(3)) s[at()] = kJunk[static_cast<std::size_t>(below(static_cast<int>(kJunk.size())))];
    if (chance(2)) s.erase(at(), 1);
    if (chance(2)) {
      const std::size_t i = at();
      s.insert(i, 1, s[i]);
    }
    return s;
  }

 private:
  std::mt19937_64 rng_;
};

/// A zone and the local times around its transitions, looked up once.
struct ZoneCase {
  const date::time_zone* zone = nullptr;
  std::vector<date::local_seconds> near;
};

std::vector<ZoneCase> zone_cases() {
  std::vector<ZoneCase> out;
  for (const char* name : kZoneNames) {
    const date::time_zone& z = zone(name);
    out.push_back(ZoneCase{&z, local_times_near_transitions(z)});
  }
  return out;
}

/// Runs `count` random inputs through the tally, spread over the zones.
void random_inputs(Tally& tally, const std::vector<ZoneCase>& zones, std::uint64_t seed, int count) {
  Grammar g(seed);
  constexpr std::array<std::optional<DateOrder>, 4> kOrders{std::nullopt, DateOrder::Dmy, DateOrder::Mdy,
                                                            DateOrder::Ymd};
  for (int k = 0; k < count; ++k) {
    const ZoneCase& zc = zones[static_cast<std::size_t>(g.below(static_cast<int>(zones.size())))];
    g.near = &zc.near;
    const std::optional<DateOrder> order = g.pick(kOrders);
    const int shape = g.below(100);
    std::string text = shape < 60 ? g.iso() : shape < 92 ? g.locale() : g.epoch();
    text = g.damage(std::move(text));
    tally.check(text, *zc.zone, order);
  }
}

}  // namespace

TEST_CASE("timestamp fast path: typical export cells take the fast path and agree with the general parser",
          "[timestamp_fast]") {
  const auto& ny = zone("America/New_York");
  const std::vector<std::string_view> iso{
      "2025-03-04 10:22:33-05:00", "2025-03-04T10:22:33Z",     "2025-03-04 10:22",          "2025-03-04",
      "2025-03-04T10:22:33",       "2025-03-04T10:22:33.123Z", "2025-03-04T10:22:33.123456+01:00",
      "2025-03-04t10:22:33z",      "2025-03-04 10:22:33 UTC",  "2025-03-04 10:22:33 GMT",   "2025-03-04T10:22:33+0530",
      "2025-03-04T10:22:33-03",    "2025-03-04T10:22 +02:00",  " 2025-03-04 10:22:33\r\n",   "2025-03-04T10:22:33,5Z",
      "2025-07-04 23:59:59",       "1900-01-01T00:00:00Z",     "2199-12-31T23:59:59.999Z", "2016-12-31T23:59:60Z",
      "2024-02-29",
      // The fixed shapes read first (fixed_iso), and their near misses.
      "2025-03-04T10:22:33.123+0530", "2025-03-04 10:22:33.000-05:00", "2025-03-04t10:22:33-0330",
      "2025-03-04T10:22:33.1234Z", "2025-03-04T10:22:33.12+01:00",
      "2025-03-04T10:22:33+00:59", "2025-03-04T00:00:00-23:59", "2024-12-31T23:59:59-12:00"};
  Tally tally;
  for (const std::string_view text : iso) {
    Timestamp t;
    INFO(std::string(text));
    CHECK(detail::parse_timestamp_fast(text, ny, std::nullopt, t));
    tally.check(text, ny, std::nullopt);
  }
  SECTION("locale dates with an order") {
    const std::array<std::pair<const char*, DateOrder>, 9> locale{{{"3/4/2025", DateOrder::Mdy},
                                                                   {"3/4/2025 2:22 PM", DateOrder::Mdy},
                                                                   {"03/04/2025 14:22:33", DateOrder::Mdy},
                                                                   {"12/31/24 12:00 am", DateOrder::Mdy},
                                                                   {"04.03.2025 14:22", DateOrder::Dmy},
                                                                   {"04.03.2025", DateOrder::Dmy},
                                                                   {"04-03-2025 08:00:00", DateOrder::Dmy},
                                                                   {"2025.03.04 08:00", DateOrder::Ymd},
                                                                   {"15/03/2024 2:30PM", DateOrder::Dmy}}};
    for (const auto& [text, order] : locale) {
      Timestamp t;
      INFO(text);
      CHECK(detail::parse_timestamp_fast(text, ny, order, t));
      tally.check(text, ny, order);
    }
  }
  SECTION("a year-first locale date needs no order") {
    Timestamp t;
    CHECK(detail::parse_timestamp_fast("2025/03/04 10:00", ny, std::nullopt, t));
    tally.check("2025/03/04 10:00", ny, std::nullopt);
  }
  SECTION("epoch seconds and milliseconds") {
    for (const char* text : {"1741083753", "1741083753123", "631152000"}) {
      Timestamp t;
      INFO(text);
      CHECK(detail::parse_timestamp_fast(text, ny, std::nullopt, t));
      tally.check(text, ny, std::nullopt);
    }
  }
  tally.require_agreement();
}

TEST_CASE("timestamp fast path: hand-picked edge cases agree with the general parser", "[timestamp_fast]") {
  const std::vector<std::string_view> cases{
      // Calendar limits, leap years included.
      "1899-12-31", "1900-01-01", "1900-02-29", "2000-02-29", "2024-02-29", "2023-02-29", "2100-02-29", "2199-12-31",
      "2200-01-01", "0000-01-01", "2024-00-10", "2024-13-01", "2024-04-31", "2024-06-31", "2024-09-31", "2024-11-31",
      "2024-01-32", "2024-01-00", "2024-1-05", "2024-01-5", "2024-01-05x", "2024-01-05T", "2024-01-05 ",
      "20240105", "2024/01/05", "2024.01.05", "02024-01-05", "99-01-05",
      // Times of day.
      "2024-01-05T23:59", "2024-01-05T24:00", "2024-01-05T24:00:00Z", "2024-01-05T23:60", "2024-01-05T23:59:59",
      "2024-01-05T23:59:60", "2024-01-05T23:59:61Z", "2024-01-05T9:30", "2024-01-05T09:3", "2024-01-05T09:30:",
      "2024-01-05T09:30:5", "2024-01-05T09:30:05.", "2024-01-05T09:30:05.Z", "2024-01-05T09:30.5",
      "2024-01-05T09:30,25Z", "2024-01-05T09:30:05.9999999999999", "2024-01-05T09:30:05.000000001Z",
      "2024-01-05T09:30:05,1", "2024-01-05  09:30", "2024-01-05_09:30", "2024-01-05t09:30",
      // Leap seconds: only at 23:59 UTC once the offset is applied.
      "2016-12-31T23:59:60Z", "2016-12-31T23:59:60.5Z", "2016-12-31T23:59:60+00:00", "2016-12-31T23:59:60",
      "2016-12-31T18:59:60-05:00", "2017-01-01T00:59:60+01:00", "2016-12-31T23:58:60Z", "2016-12-31T23:59:60 UTC",
      "2016-12-31T12:29:60-11:30", "2017-01-01T05:29:60+05:30",
      // Zone designators and offsets.
      "2024-01-05T09:30Z", "2024-01-05T09:30z", "2024-01-05T09:30 Z", "2024-01-05T09:30  Z", "2024-01-05T09:30UTC",
      "2024-01-05T09:30 utc", "2024-01-05T09:30 GMT", "2024-01-05T09:30 Zulu", "2024-01-05T09:30ZZ",
      "2024-01-05T09:30+00:00", "2024-01-05T09:30-00:00", "2024-01-05T09:30+14:00", "2024-01-05T09:30-12:00",
      "2024-01-05T09:30+23:59", "2024-01-05T09:30+24:00", "2024-01-05T09:30+05:60", "2024-01-05T09:30+0545",
      "2024-01-05T09:30+05", "2024-01-05T09:30+5", "2024-01-05T09:30+05:", "2024-01-05T09:30+05:3",
      "2024-01-05T09:30+053", "2024-01-05T09:30+05300", "2024-01-05T09:30 +05:30", "2024-01-05T09:30  +05:30",
      "2024-01-05T09:30+05:30 ", "2024-01-05T09:30+05:30x", "2024-01-05T09:30++05", "2024-01-05 +05:00",
      "1900-01-01T00:00+01:00", "2199-12-31T23:59-01:00", "1899-12-31T23:00-02:00",
      // Daylight saving in New York: the gap on 2024-03-10, the repeat on 2024-11-03.
      "2024-03-10 01:59:59", "2024-03-10 02:00", "2024-03-10 02:30", "2024-03-10 02:59:59.999", "2024-03-10 03:00",
      "2024-11-03 00:59:59", "2024-11-03 01:00", "2024-11-03 01:30", "2024-11-03 01:59:59.999", "2024-11-03 02:00",
      "2024-03-10", "2024-11-03", "2024-03-10 02:30-05:00",
      // Epoch numbers.
      "631151999", "631152000", "4102444799", "4102444800", "631151999999", "631152000000", "4102444799999",
      "4102444800000", "12345678", "123456789012345", "00000001741083753", "1741083753.5",
      // Near misses of the fixed shapes (fixed_iso).
      "2025-03-04T10:22:33+01:00:00", "2025-03-04T10:22:33+0100x", "2025-03-04T10:22:33.123+01",
      "2025-03-04T10:22:33.+0100",
      "2025-03-04T10:22:33.12a+01:00", "2025-03-04T10:22:33*01:00", "2025-03-04T10:22:33+01-00", "2025-02-29T10:22:33Z",
      "2025-03-04T10:22:3aZ", "2025-03-04T10:22-33Z", "2025-03-04T10:22:33.999-24:00",
      // Blank and junk.
      "", "   ", "\t2024-01-05\t", "Z", "T", "-", "2024-", "2024-01-", "2024-01-05T09:30:05.123456789+05:30x"};
  Tally tally;
  for (const char* name : kZoneNames)
    for (const std::string_view text : cases)
      for (const std::optional<DateOrder> order : {std::optional<DateOrder>{}, std::optional{DateOrder::Dmy}})
        tally.check(text, zone(name), order);

  const std::vector<std::string_view> locale{
      "3/4/2025", "3/4/25", "3/4/68", "3/4/69", "3/4/1899", "3/4/2200", "3/4/025", "3/4/2025 2:22 PM",
      "3/4/2025 12:00 AM", "3/4/2025 12:00 PM", "3/4/2025 0:30 AM", "3/4/2025 13:00 PM", "3/4/2025 2:22 pm",
      "3/4/2025 2:22 p.m.", "3/4/2025 2:22 a. m.", "3/4/2025 2:22PM", "3/4/2025 2:22  PM", "3/4/2025 2:22 PMx",
      "3/4/2025 24:00", "3/4/2025 23:60", "3/4/2025 23:59:60", "3/4/2025 2:2", "3/4/2025 022:00", "3/4/2025T10:00",
      "3/4/2025,10:00", "3/4/2025, 10:00", "3/4/2025T", "3/4/2025 ,T 10:00", "31/4/2025", "29/2/2024", "29/2/2023",
      "29.02.1900", "29.02.2000", "2025.02.29", "2024.02.29 10:00", "3-4-2025", "3/4-2025", "13/13/2025",
      "3/11/2024 1:30 AM", "3/10/2024 2:30 AM"};
  for (const char* name : kZoneNames)
    for (const std::string_view text : locale)
      for (const std::optional<DateOrder> order : {std::optional<DateOrder>{}, std::optional<DateOrder>{DateOrder::Dmy},
                                                   std::optional<DateOrder>{DateOrder::Mdy},
                                                   std::optional<DateOrder>{DateOrder::Ymd}})
        tally.check(text, zone(name), order);
  tally.require_agreement();
}

TEST_CASE("timestamp fast path: every day of the accepted years, and the days that do not exist, agree",
          "[timestamp_fast]") {
  // The fast path numbers dates from a table of year starts; the general
  // parser through the date library. Days 29-31 of every month of every year
  // from 1899 to 2200 cover the leap-year rule (1900 and 2100 are not leap
  // years, 2000 is) and both ends of the accepted years.
  const auto& utc = zone("UTC");
  Tally tally;
  for (int y = 1899; y <= 2200; ++y)
    for (int m = 1; m <= 12; ++m)
      for (int d = 1; d <= 31; ++d) {
        tally.check(fmt::format("{:04}-{:02}-{:02}T12:00:00Z", y, m, d), utc, std::nullopt);
        if (d >= 28) tally.check(fmt::format("{}/{}/{}", m, d, y), utc, DateOrder::Mdy);
      }
  tally.require_agreement();
  CHECK(tally.fast > 100000);
}

TEST_CASE("timestamp fast path: local times around every DST transition from 1900 to 2199 agree", "[timestamp_fast]") {
  Tally tally;
  for (const char* name : kZoneNames) {
    const auto& z = zone(name);
    for (const date::local_seconds at : local_times_near_transitions(z)) {
      const std::string full = iso_local(at, true);
      tally.check(full, z, std::nullopt);
      tally.check(full + ".999", z, std::nullopt);
      tally.check(full.substr(0, 16), z, std::nullopt);
      tally.check(full.substr(0, 10), z, std::nullopt);
      // The same moment as a locale date, month first.
      const std::string mdy = full.substr(5, 2) + "/" + full.substr(8, 2) + "/" + full.substr(0, 4) + full.substr(10);
      tally.check(mdy, z, DateOrder::Mdy);
    }
  }
  tally.require_agreement();
}

TEST_CASE("timestamp fast path: seeded random strings from the grammar agree with the general parser",
          "[timestamp_fast]") {
  Tally tally;
  random_inputs(tally, zone_cases(), 20250304, 300000);
  tally.require_agreement();
  // Most generated strings are valid and common; the fast path must take many.
  CHECK(tally.fast > tally.total / 5);
}

TEST_CASE("timestamp fast path: threads parsing at once agree with the general parser", "[timestamp_fast]") {
  // Each thread fills its own offset cache while the others do the same. The
  // zones are looked up here first, as the program does before it starts
  // threads.
  constexpr int kThreads = 4;
  const std::vector<ZoneCase> zones = zone_cases();
  std::vector<Tally> tallies(kThreads);
  std::vector<std::thread> threads;
  for (int k = 0; k < kThreads; ++k)
    threads.emplace_back([&tallies, &zones, k] {
      random_inputs(tallies[static_cast<std::size_t>(k)], zones, 77 + static_cast<std::uint64_t>(k), 20000);
    });
  for (std::thread& t : threads) t.join();
  for (const Tally& t : tallies) t.require_agreement();
}

}  // namespace leadfunnel
