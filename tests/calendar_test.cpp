// Tests of the working-calendar clock: business_time, due_time,
// parse_work_interval and ics_holidays. Calendars are built by hand (or from a
// small agreement); every expected value is worked out in a comment, and
// instants are written out as UTC parts, never produced by the code under test.
#include <catch2/catch.hpp>

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "leadfunnel/agreement.hpp"
#include "leadfunnel/calendar.hpp"

namespace leadfunnel {
namespace {

const std::string kFixtures = std::string(LEADFUNNEL_SOURCE_DIR) + "/tests/fixtures/sla/";

/// The instant y-mo-d h:mi UTC.
Instant utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0) {
  const date::sys_days day = date::year{y} / date::month{mo} / date::day{d};
  return Instant{day} + std::chrono::hours{h} + std::chrono::minutes{mi};
}

/// h hours and m minutes.
Millis hm(int h, int m = 0) { return std::chrono::hours{h} + std::chrono::minutes{m}; }

/// A duration in minutes, for readable failure messages (exact for whole minutes).
double in_minutes(Millis d) { return static_cast<double>(d.count()) / 60000.0; }

/// An instant as ISO text, formatted by the date library (not by leadfunnel).
std::string iso(Instant t) { return date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(t)); }
std::string iso(const std::optional<Instant>& t) { return t ? iso(*t) : std::string("(none)"); }

/// Days since 1970-01-01 of a calendar date, as the holiday lists store them.
int day_number(int y, unsigned mo, unsigned d) {
  const date::sys_days day = date::year{y} / date::month{mo} / date::day{d};
  return static_cast<int>(day.time_since_epoch().count());
}

/// Minutes after midnight.
constexpr int at(int h, int m = 0) { return h * 60 + m; }

/// A calendar in `zone` with the same intervals on each of `days` (0 = Sunday).
Calendar weekly(const char* zone, std::initializer_list<unsigned> days, std::vector<WorkInterval> intervals,
                std::vector<int> holidays = {}) {
  Calendar c;
  c.name = "test";
  c.zone = date::locate_zone(zone);
  for (unsigned d : days) c.week[d] = intervals;
  c.holidays = std::move(holidays);
  return c;
}

/// Monday to Friday 09:00-18:00.
Calendar office(const char* zone = "UTC", std::vector<int> holidays = {}) {
  return weekly(zone, {1, 2, 3, 4, 5}, {{at(9), at(18)}}, std::move(holidays));
}

/// Monday to Friday 09:00-12:00 and 13:00-18:00.
Calendar office_with_lunch(const char* zone = "UTC") {
  return weekly(zone, {1, 2, 3, 4, 5}, {{at(9), at(12)}, {at(13), at(18)}});
}

std::string read_fixture(const std::string& name) {
  std::ifstream in(kFixtures + name, std::ios::binary);
  REQUIRE(in);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("calendar: a Friday 17:30 hand-off answered Monday 09:30 is one business hour", "[calendar]") {
  // 2026-03-06 is a Friday, 2026-03-09 the Monday after.
  // Friday 17:30-18:00 = 0.5 h, Saturday and Sunday 0 h, Monday 09:00-09:30 = 0.5 h: 1 h.
  // On the wall clock it is 6.5 h (Fri) + 48 h (weekend) + 9.5 h (Mon) = 64 h.
  SECTION("in UTC") {
    const Instant a = utc(2026, 3, 6, 17, 30);
    const Instant b = utc(2026, 3, 9, 9, 30);
    CHECK(in_minutes(business_time(office(), a, b)) == 60.0);
    CHECK(in_minutes(business_time(wall_clock(), a, b)) == 64.0 * 60.0);
  }
  SECTION("in a zone three hours behind UTC, on local hours") {
    // America/Sao_Paulo has been UTC-3 all year since 2019: local 17:30 is 20:30Z.
    const Instant a = utc(2026, 3, 6, 20, 30);
    const Instant b = utc(2026, 3, 9, 12, 30);
    CHECK(in_minutes(business_time(office("America/Sao_Paulo"), a, b)) == 60.0);
    // The same UTC instants read as UTC office hours would be Fri 0 h + Mon 09:00-12:30 = 3.5 h.
    CHECK(in_minutes(business_time(office("UTC"), a, b)) == 210.0);
  }
}

TEST_CASE("calendar: an end at or before the start is zero, and the wall clock counts every instant", "[calendar]") {
  const Instant a = utc(2026, 3, 9, 10);
  CHECK(in_minutes(business_time(office(), a, a)) == 0.0);
  CHECK(in_minutes(business_time(office(), a, a - hm(2))) == 0.0);
  CHECK(in_minutes(business_time(wall_clock(), a, a - hm(2))) == 0.0);
  // Wall clock: Saturday 2026-03-07 20:00 -> Sunday 03:15 = 4 h + 3.25 h = 7.25 h = 435 min.
  CHECK(in_minutes(business_time(wall_clock(), utc(2026, 3, 7, 20), utc(2026, 3, 8, 3, 15))) == 435.0);
  // Within one working day: Monday 10:00 -> 14:45 = 4.75 h = 285 min.
  CHECK(in_minutes(business_time(office(), a, utc(2026, 3, 9, 14, 45))) == 285.0);
  // Monday 10:00 -> Wednesday 11:00: Mon 8 h + Tue 9 h + Wed 2 h = 19 h.
  CHECK(in_minutes(business_time(office(), a, utc(2026, 3, 11, 11))) == 19.0 * 60.0);
}

TEST_CASE("calendar: a listed holiday skips that day's hours", "[calendar]") {
  // Monday 2026-03-09 is a holiday (day 20 521 since 1970-01-01).
  CHECK(day_number(2026, 3, 9) == 20521);
  const Calendar cal = office("UTC", {20521});
  // Friday 17:30 -> Tuesday 09:30: Fri 0.5 h + Mon 0 h (holiday) + Tue 0.5 h = 1 h
  // (wall clock: 64 h + 24 h = 88 h).
  CHECK(in_minutes(business_time(cal, utc(2026, 3, 6, 17, 30), utc(2026, 3, 10, 9, 30))) == 60.0);
  // A span wholly inside the holiday counts nothing: Monday 09:00 -> 18:00 = 0 h.
  CHECK(in_minutes(business_time(cal, utc(2026, 3, 9, 9), utc(2026, 3, 9, 18))) == 0.0);
  // Without the holiday the same Friday -> Tuesday span is 0.5 + 9 + 0.5 = 10 h.
  CHECK(in_minutes(business_time(office(), utc(2026, 3, 6, 17, 30), utc(2026, 3, 10, 9, 30))) == 600.0);
}

TEST_CASE("calendar: a lunch break is not working time", "[calendar]") {
  const Calendar cal = office_with_lunch();
  // Monday 2026-03-09 11:30 -> 13:30: 11:30-12:00 = 0.5 h, lunch, 13:00-13:30 = 0.5 h: 1 h.
  CHECK(in_minutes(business_time(cal, utc(2026, 3, 9, 11, 30), utc(2026, 3, 9, 13, 30))) == 60.0);
  // Inside the break: 12:10 -> 12:50 = 0 h.
  CHECK(in_minutes(business_time(cal, utc(2026, 3, 9, 12, 10), utc(2026, 3, 9, 12, 50))) == 0.0);
  // A whole day, 07:00 -> 20:00: 3 h + 5 h = 8 h.
  CHECK(in_minutes(business_time(cal, utc(2026, 3, 9, 7), utc(2026, 3, 9, 20))) == 480.0);
  // due_time: 2 h from 11:30 = 0.5 h before lunch + 1.5 h after it = 14:30.
  CHECK(iso(due_time(cal, utc(2026, 3, 9, 11, 30), hm(2))) == "2026-03-09T14:30:00Z");
  // A start inside the break waits for 13:00: 1 h later is 14:00.
  CHECK(iso(due_time(cal, utc(2026, 3, 9, 12, 15), hm(1))) == "2026-03-09T14:00:00Z");
}

TEST_CASE("calendar: a hand-off at 23:00 on Saturday starts the clock on Monday 09:00", "[calendar]") {
  const Calendar cal = office();
  const Instant saturday = utc(2026, 3, 7, 23);  // 2026-03-07 is a Saturday
  // Nothing counts until Monday 09:00.
  CHECK(in_minutes(business_time(cal, saturday, utc(2026, 3, 9, 9))) == 0.0);
  // Monday 09:45: 0.75 h = 45 min.
  CHECK(in_minutes(business_time(cal, saturday, utc(2026, 3, 9, 9, 45))) == 45.0);
  // A 1 h limit runs out on Monday at 09:00 + 1 h = 10:00.
  CHECK(iso(due_time(cal, saturday, hm(1))) == "2026-03-09T10:00:00Z");
  // A 9 h limit fills Monday exactly: 09:00 + 9 h = 18:00 on Monday.
  CHECK(iso(due_time(cal, saturday, hm(9))) == "2026-03-09T18:00:00Z");
  // 9 h 30 min: Monday's 9 h, then 0.5 h on Tuesday = Tuesday 09:30.
  CHECK(iso(due_time(cal, saturday, hm(9, 30))) == "2026-03-10T09:30:00Z");
}

TEST_CASE("calendar: due_time skips a weekend and a holiday", "[calendar]") {
  // Friday 2026-04-03 16:00, a 4 h limit, Monday 2026-04-06 a holiday (day 20 549).
  CHECK(day_number(2026, 4, 6) == 20549);
  const Calendar cal = office("UTC", {20549});
  // Friday 16:00-18:00 = 2 h; weekend and Monday off; Tuesday 09:00 + 2 h = 11:00.
  CHECK(iso(due_time(cal, utc(2026, 4, 3, 16), hm(4))) == "2026-04-07T11:00:00Z");
  // Without the holiday: Monday 09:00 + 2 h = 11:00 on Monday.
  CHECK(iso(due_time(office(), utc(2026, 4, 3, 16), hm(4))) == "2026-04-06T11:00:00Z");
  // Zero limit: due at the start itself; the wall clock adds the limit as it is.
  CHECK(iso(due_time(cal, utc(2026, 4, 4, 12), hm(0))) == "2026-04-04T12:00:00Z");
  CHECK(iso(due_time(wall_clock(), utc(2026, 4, 3, 16), hm(4))) == "2026-04-03T20:00:00Z");
  // The due time and business_time agree: from the start to the due time is the limit.
  CHECK(in_minutes(business_time(cal, utc(2026, 4, 3, 16), utc(2026, 4, 7, 11))) == 240.0);
}

TEST_CASE("calendar: a calendar with no working time has no due time", "[calendar]") {
  Calendar cal;
  cal.name = "never";
  cal.zone = date::locate_zone("UTC");
  CHECK_FALSE(due_time(cal, utc(2026, 3, 9, 9), hm(1)).has_value());
  CHECK(in_minutes(business_time(cal, utc(2026, 3, 9), utc(2026, 3, 20))) == 0.0);
}

TEST_CASE("calendar: DST days in America/New_York have 5 and 7 working hours from 00:00 to 06:00", "[calendar]") {
  // Working time only on Sundays 00:00-06:00, New York local.
  const Calendar cal = weekly("America/New_York", {0}, {{at(0), at(6)}});
  SECTION("2026-03-08, spring forward at 02:00") {
    // zdump: 01:59:59 EST (UTC-5) is followed by 03:00 EDT (UTC-4).
    // 00:00 EST = 05:00Z; 06:00 EDT = 10:00Z: 5 h.
    // The span Thursday 03-05 .. Thursday 03-12 holds only this Sunday.
    CHECK(in_minutes(business_time(cal, utc(2026, 3, 5), utc(2026, 3, 12))) == 300.0);
    // The clock starts at 05:00Z: a 5 h limit from Saturday noon runs out at 10:00Z.
    CHECK(iso(due_time(cal, utc(2026, 3, 7, 12), hm(5))) == "2026-03-08T10:00:00Z");
  }
  SECTION("2026-11-01, fall back at 02:00") {
    // zdump: 01:59:59 EDT (UTC-4) is followed by 01:00 EST (UTC-5).
    // 00:00 EDT = 04:00Z; 06:00 EST = 11:00Z: 7 h.
    CHECK(in_minutes(business_time(cal, utc(2026, 10, 29), utc(2026, 11, 5))) == 420.0);
    // An ordinary Sunday a week later: 00:00 EST = 05:00Z .. 06:00 EST = 11:00Z = 6 h.
    CHECK(in_minutes(business_time(cal, utc(2026, 11, 5), utc(2026, 11, 12))) == 360.0);
  }
  SECTION("an interval inside the gap is empty, and the repeated hour counts twice") {
    // 02:00-03:00 on 2026-03-08 does not exist: 02:00 maps to the transition (07:00Z)
    // and 03:00 EDT is also 07:00Z: 0 h.
    const Calendar gap = weekly("America/New_York", {0}, {{at(2), at(3)}});
    CHECK(in_minutes(business_time(gap, utc(2026, 3, 5), utc(2026, 3, 12))) == 0.0);
    // 01:00-02:00 on 2026-11-01: from the first 01:00 (EDT, 05:00Z) to 02:00 EST (07:00Z) = 2 h.
    const Calendar repeated = weekly("America/New_York", {0}, {{at(1), at(2)}});
    CHECK(in_minutes(business_time(repeated, utc(2026, 10, 29), utc(2026, 11, 5))) == 120.0);
  }
}

TEST_CASE("calendar: DST days in Europe/Berlin have 5 and 7 working hours from 00:00 to 06:00", "[calendar]") {
  const Calendar cal = weekly("Europe/Berlin", {0}, {{at(0), at(6)}});
  SECTION("2026-03-29, spring forward at 02:00") {
    // zdump: 01:59:59 CET (UTC+1) is followed by 03:00 CEST (UTC+2).
    // 00:00 CET = 03-28 23:00Z; 06:00 CEST = 04:00Z: 5 h.
    CHECK(in_minutes(business_time(cal, utc(2026, 3, 26), utc(2026, 4, 2))) == 300.0);
  }
  SECTION("2026-10-25, fall back at 03:00") {
    // zdump: 02:59:59 CEST (UTC+2) is followed by 02:00 CET (UTC+1).
    // 00:00 CEST = 10-24 22:00Z; 06:00 CET = 05:00Z: 7 h.
    CHECK(in_minutes(business_time(cal, utc(2026, 10, 22), utc(2026, 10, 29))) == 420.0);
  }
}

TEST_CASE("calendar: America/Sao_Paulo DST at midnight gave a 23 h day in 2018 and a 25 h day in 2019", "[calendar]") {
  // zdump -v America/Sao_Paulo:
  //   Sat Nov  3 23:59:59 2018 -03  ->  Sun Nov  4 01:00:00 2018 -02   (00:00 on 11-04 did not exist)
  //   Sat Feb 16 23:59:59 2019 -02  ->  Sat Feb 16 23:00:00 2019 -03   (23:00-24:00 on 02-16 twice)
  SECTION("2018-11-04, a Sunday that started at 01:00") {
    // Only Sundays, all day. 00:00 local maps to the transition, 03:00Z; the next
    // midnight 00:00 -02 = 11-05 02:00Z: 23 h. Thursday 11-01 .. Thursday 11-08
    // holds only this Sunday.
    const Calendar sundays = weekly("America/Sao_Paulo", {0}, {{at(0), at(24)}});
    CHECK(in_minutes(business_time(sundays, utc(2018, 11, 1), utc(2018, 11, 8))) == 23.0 * 60.0);
  }
  SECTION("2019-02-16, a Saturday with 25 hours") {
    // 00:00 -02 = 02-16 02:00Z; the next midnight 00:00 -03 = 02-17 03:00Z: 25 h.
    const Calendar saturdays = weekly("America/Sao_Paulo", {6}, {{at(0), at(24)}});
    CHECK(in_minutes(business_time(saturdays, utc(2019, 2, 14), utc(2019, 2, 21))) == 25.0 * 60.0);
  }
  SECTION("every day 00:00-24:00 matches the wall clock across both changes") {
    const Calendar every = weekly("America/Sao_Paulo", {0, 1, 2, 3, 4, 5, 6}, {{at(0), at(24)}});
    // Local day 2018-11-04: 03:00Z .. 11-05 02:00Z = 23 h.
    CHECK(in_minutes(business_time(every, utc(2018, 11, 4, 3), utc(2018, 11, 5, 2))) == 23.0 * 60.0);
    // Local day 2019-02-16: 02:00Z .. 02-17 03:00Z = 25 h.
    CHECK(in_minutes(business_time(every, utc(2019, 2, 16, 2), utc(2019, 2, 17, 3))) == 25.0 * 60.0);
    // A week around the 2018 change is 7 * 24 = 168 h of wall time and of working time.
    CHECK(in_minutes(business_time(every, utc(2018, 11, 1, 12), utc(2018, 11, 8, 12))) == 168.0 * 60.0);
  }
}

TEST_CASE("calendar: parse_work_interval takes HH:MM-HH:MM with the end after the start", "[calendar]") {
  SECTION("accepted") {
    const auto day = parse_work_interval("09:00-18:00");
    REQUIRE(day);
    CHECK(day->start == 540);  // 9 * 60
    CHECK(day->end == 1080);   // 18 * 60
    const auto whole = parse_work_interval("00:00-24:00");
    REQUIRE(whole);
    CHECK(whole->start == 0);
    CHECK(whole->end == 1440);  // 24 * 60, the next midnight
    const auto spaced = parse_work_interval(" 13:15 - 17:45 ");
    REQUIRE(spaced);
    CHECK(spaced->start == 795);  // 13 * 60 + 15
    CHECK(spaced->end == 1065);   // 17 * 60 + 45
  }
  SECTION("rejected") {
    for (const char* bad : {"18:00-09:00", "9-18", "24:30-25:00", "09:00-09:00", "09:00", "", "9:00-18:00",
                            "09:60-10:00", "24:00-24:00", "ab:cd-ef:gh", "09:00-18:00:00"}) {
      INFO("interval: '" << bad << "'");
      CHECK_FALSE(parse_work_interval(bad).has_value());
    }
  }
}

TEST_CASE("calendar: ics_holidays reads all-day events with an exclusive DTEND and skips timed ones", "[calendar]") {
  SECTION("the fixture file") {
    // Christmas 20261224..20261226 (exclusive) = 24 and 25 December; the timed
    // offsite on the 28th is skipped; 20261229..20261231 = 29 and 30 December.
    // 2026-01-01 is day 20 454; 24 December is day-of-year 358, so 20 454 + 357 = 20 811.
    const std::vector<int> expected{20811, 20812, 20816, 20817};
    CHECK(day_number(2026, 12, 24) == 20811);
    CHECK(ics_holidays(read_fixture("holidays.ics")) == expected);
  }
  SECTION("LF endings, a folded line, a bare date, an event without DTEND, duplicates") {
    const std::string ics =
        "BEGIN:VCALENDAR\n"
        "BEGIN:VEVENT\n"
        "DTSTART;VALU\n"
        " E=DATE:20260101\n"  // folded: DTSTART;VALUE=DATE:20260101, no DTEND = one day
        "END:VEVENT\n"
        "BEGIN:VEVENT\n"
        "DTSTART:20260102\n"  // a bare 8-digit value is a date too
        "DTEND:20260103\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\n"
        "DTSTART;TZID=Europe/Berlin:20260105T090000\n"  // timed, local: skipped
        "DTEND;TZID=Europe/Berlin:20260105T100000\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\n"
        "DTSTART;VALUE=DATE:20260101\n"  // the same day again: listed once
        "DTEND;VALUE=DATE:20260102\n"
        "END:VEVENT\n"
        "END:VCALENDAR\n";
    // 2026-01-01 = 20 454, 2026-01-02 = 20 455.
    CHECK(ics_holidays(ics) == std::vector<int>{20454, 20455});
  }
  SECTION("no events") { CHECK(ics_holidays("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").empty()); }
}

TEST_CASE("calendar: an agreement calendar reads hours, holidays and an .ics file relative to the agreement",
          "[calendar]") {
  const std::string text = R"({
    "timezone": "America/Sao_Paulo",
    "calendars": {
      "office": {
        "hours": { "mon-fri": ["13:00-18:00", "09:00-12:00"], "sat": "09:00-13:00" },
        "holidays": ["2026-04-03"],
        "holidays_ics": "holidays.ics"
      },
      "berlin": { "timezone": "Europe/Berlin", "hours": { "every day": "08:00-20:00" } },
      "always": "24x7"
    }
  })";
  const Agreement a = parse_agreement(text, kFixtures + "inline-agreement.json");
  REQUIRE(a.calendars.size() == 3);

  const Calendar* office_cal = a.find_calendar("office");
  REQUIRE(office_cal != nullptr);
  CHECK_FALSE(office_cal->always);
  REQUIRE(office_cal->zone != nullptr);
  CHECK(office_cal->zone->name() == "America/Sao_Paulo");  // the agreement's zone
  // Monday: sorted 09:00-12:00 (540-720), 13:00-18:00 (780-1080).
  REQUIRE(office_cal->week[1].size() == 2);
  CHECK(office_cal->week[1][0].start == 540);
  CHECK(office_cal->week[1][0].end == 720);
  CHECK(office_cal->week[1][1].start == 780);
  CHECK(office_cal->week[1][1].end == 1080);
  CHECK(office_cal->week[5].size() == 2);
  // Saturday 09:00-13:00 = 540-780; Sunday nothing.
  REQUIRE(office_cal->week[6].size() == 1);
  CHECK(office_cal->week[6][0].start == 540);
  CHECK(office_cal->week[6][0].end == 780);
  CHECK(office_cal->week[0].empty());
  // 2026-04-03 = 20 546 (2026-03-09 = 20 521, + 25), then the .ics days.
  CHECK(office_cal->holidays == std::vector<int>{20546, 20811, 20812, 20816, 20817});

  const Calendar* berlin = a.find_calendar("berlin");
  REQUIRE(berlin != nullptr);
  CHECK(berlin->zone->name() == "Europe/Berlin");
  for (unsigned d = 0; d < 7; ++d) CHECK(berlin->week[d].size() == 1);

  const Calendar* always = a.find_calendar("always");
  REQUIRE(always != nullptr);
  CHECK(always->always);
  CHECK(a.find_calendar("nope") == nullptr);
}

TEST_CASE("calendar: .ics holidays from the fixture skip Christmas and the days between the years", "[calendar]") {
  Calendar cal = office();
  cal.holidays = ics_holidays(read_fixture("holidays.ics"));
  // Wednesday 2026-12-23 17:00 -> Thursday 2026-12-31 10:00 (UTC, Mon-Fri 09-18):
  //   Wed 23: 17-18 = 1 h; Thu 24, Fri 25 holidays; Sat 26, Sun 27 off;
  //   Mon 28: 9 h (the timed offsite is no holiday); Tue 29, Wed 30 holidays
  //   (DTEND 20261231 is exclusive); Thu 31: 09-10 = 1 h.  Total 1 + 9 + 1 = 11 h.
  CHECK(in_minutes(business_time(cal, utc(2026, 12, 23, 17), utc(2026, 12, 31, 10))) == 11.0 * 60.0);
  // A 2 h limit from Wednesday 17:00: 1 h on Wednesday, then Monday 28 09:00 + 1 h = 10:00.
  CHECK(iso(due_time(cal, utc(2026, 12, 23, 17), hm(2))) == "2026-12-28T10:00:00Z");
  // A 10 h limit: 1 h Wed + 9 h Mon = 10 h, due Monday 18:00.
  CHECK(iso(due_time(cal, utc(2026, 12, 23, 17), hm(10))) == "2026-12-28T18:00:00Z");
  // An 11 h limit: Tuesday and Wednesday are off, so Thursday 31 09:00 + 1 h = 10:00.
  CHECK(iso(due_time(cal, utc(2026, 12, 23, 17), hm(11))) == "2026-12-31T10:00:00Z");
}

}  // namespace leadfunnel

TEST_CASE("calendar: a WorkingClock used for many calls gives what a fresh clock gives for each call",
          "[calendar]") {
  using namespace leadfunnel;
  // The clock keeps each day's intervals in a table slot by day number (4096
  // slots) and reuses the last zone offset: calls far apart in time share
  // slots, and DST days, holidays and days with more intervals than a slot
  // holds must still come out as a clock that keeps nothing would give.
  std::vector<Calendar> cals{
      office("America/New_York", {day_number(2026, 12, 25), day_number(2031, 1, 1)}),
      office_with_lunch("Europe/Berlin"),
      weekly("America/Sao_Paulo", {0, 1, 2, 3, 4, 5, 6}, {{at(0), at(6)}, {at(20), at(24)}}),
      weekly("Asia/Kolkata", {1, 3, 5},
             {{at(1), at(2)}, {at(3), at(4)}, {at(5), at(6)}, {at(7), at(8)}, {at(9), at(10)}, {at(11), at(12)}}),
  };
  std::uint64_t state = 7;
  auto rnd = [&](std::uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  const Instant base = utc(2015, 1, 1);
  for (const auto& cal : cals) {
    WorkingClock kept(cal);
    for (int i = 0; i < 4000; ++i) {
      // Starts over 30 years (so day slots clash), spans up to 20 days.
      const Instant a = base + std::chrono::minutes{rnd(30ULL * 366 * 24 * 60)};
      const Instant b = a + std::chrono::minutes{rnd(20 * 24 * 60)} - std::chrono::minutes{rnd(60)};
      const Millis limit = std::chrono::minutes{rnd(40 * 60)};
      INFO(cal.zone->name() << " from " << iso(a) << " to " << iso(b) << ", limit " << in_minutes(limit) << " min");
      CHECK(in_minutes(kept.between(a, b)) == in_minutes(WorkingClock(cal).between(a, b)));
      CHECK(iso(kept.due(a, limit)) == iso(WorkingClock(cal).due(a, limit)));
    }
  }
}

TEST_CASE("calendar: a day of hundreds of one-minute intervals counts every minute", "[calendar]") {
  using namespace leadfunnel;
  for (int n : {4, 5, 255, 256, 257, 300}) {
    std::vector<WorkInterval> minutes;
    for (int i = 0; i < n; ++i) minutes.push_back({2 * i, 2 * i + 1});
    const Calendar cal = weekly("UTC", {0, 1, 2, 3, 4, 5, 6}, minutes);
    WorkingClock clock(cal);
    INFO(n << " intervals");
    CHECK(in_minutes(clock.between(utc(2026, 3, 4), utc(2026, 3, 5))) == n);
    CHECK(in_minutes(business_time(cal, utc(2026, 3, 4), utc(2026, 3, 5))) == n);
  }
}

namespace leadfunnel {
namespace {

/// The local day of `at` in `zone` as the date library gives it.
std::int64_t reference_day(const date::time_zone& zone, Instant at) {
  const auto local = zone.to_local(std::chrono::floor<std::chrono::seconds>(at));
  return date::floor<date::days>(local).time_since_epoch().count();
}

TEST_CASE("calendar: LocalDays gives the date library's local day, in any order, around every transition",
          "[calendar]") {
  // Zones with half-hour DST (Lord Howe), a skipped day (Apia, 2011-12-30),
  // changes at odd UTC minutes (St John's), none (Kolkata), and DST that
  // was dropped (Sao Paulo).
  for (const char* name : {"America/New_York", "Australia/Lord_Howe", "Pacific/Apia", "America/St_Johns",
                           "Asia/Kolkata", "America/Sao_Paulo", "Europe/London", "UTC"}) {
    const date::time_zone& zone = *date::locate_zone(name);
    LocalDays days(zone);
    std::vector<Instant> instants;
    // Every transition of the years timestamps may have (1900-2199, with
    // the early offsets in seconds), and instants just around it.
    auto t = date::sys_seconds{date::sys_days{date::year{1900} / 1 / 1}};
    const auto stop = date::sys_seconds{date::sys_days{date::year{2200} / 1 / 1}};
    while (t < stop) {
      const auto info = zone.get_info(t);
      const Instant change = std::chrono::time_point_cast<std::chrono::milliseconds>(info.end);
      for (std::int64_t d : {-86400001, -3600000, -1, 0, 1, 1800000, 3600000, 86399999})
        instants.push_back(change + std::chrono::milliseconds{d});
      if (info.end >= stop) break;
      t = info.end;
    }
    // And instants scattered over those years, before 1970 too.
    std::uint64_t s = 5;
    const std::int64_t first = -2208988800000LL, span = 9467107200000LL;  // 1900-01-01, 300 years in ms
    for (int i = 0; i < 20000; ++i) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      const auto ms = static_cast<std::int64_t>((s >> 20) % static_cast<std::uint64_t>(span)) + first;
      instants.push_back(Instant{std::chrono::milliseconds{ms}});
    }
    // Shuffled, so that the kept days and offset periods are met in no order.
    for (std::size_t i = instants.size(); i > 1; --i) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      std::swap(instants[i - 1], instants[(s >> 33) % i]);
    }
    std::size_t wrong = 0;
    for (const Instant at : instants)
      if (days.day(at) != reference_day(zone, at)) ++wrong;
    INFO(name << ": " << instants.size() << " instants");
    CHECK(wrong == 0);
  }
}

}  // namespace
}  // namespace leadfunnel
