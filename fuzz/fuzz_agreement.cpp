// fuzz_agreement: the agreement loader (parse_agreement, the text of an
// agreement file), and the calendar code it feeds: working intervals, .ics
// holidays, business time.
//
// The agreement is parsed as if it were /tmp/leadfunnel-fuzz-<pid>/agreement.json;
// that folder holds a holidays.ics, so "holidays_ics": "holidays.ics" reads a
// real file. Inputs whose holidays_ics is absolute or climbs out with ".."
// are skipped (an agreement is trusted configuration; /dev/zero would hang).
//
// Invariants (any failure aborts):
//  - parse_agreement throws only AgreementError (or another documented
//    leadfunnel::Error, never ExitCode::Internal);
//  - a parsed agreement: target names unique, shares and rates in [0, 1],
//    windows and clock limits not negative, rate targets go to a later stage,
//    clock calendars exist, timezone names resolve; each calendar's intervals
//    are sorted, disjoint and within 00:00-24:00, its holidays sorted and unique;
//  - on each calendar, around DST changes: 0 <= business_time(a, b) <= b - a,
//    and due_time(a, 1h), when it exists, is >= a with business_time(a, due) == 1h;
//  - ics_holidays of the raw input is sorted and unique; parse_work_interval
//    of the raw input, when it parses, is 0 <= start < end <= 1440.
#include <date/date.h>
#include <date/tz.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "leadfunnel/agreement.hpp"
#include "leadfunnel/calendar.hpp"

using namespace leadfunnel;
using std::chrono::hours;

namespace {

std::filesystem::path g_dir;
std::string g_path;

constexpr const char* kIcs =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261226\r\n"
    "SUMMARY:Christmas\r\n , folded\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:20261228T090000Z\r\n"
    "DTEND:20261228T170000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n";

void cleanup() {
  std::error_code ec;
  if (!g_dir.empty()) std::filesystem::remove_all(g_dir, ec);
}

/// Whether every "holidays_ics" in the document stays inside the sandbox folder.
bool ics_paths_are_safe(std::string_view text) {
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (doc.is_discarded()) return true;  // parse_agreement will reject it before reading any file
  std::vector<const nlohmann::json*> todo{&doc};
  while (!todo.empty()) {
    const nlohmann::json* v = todo.back();
    todo.pop_back();
    if (v->is_object()) {
      for (const auto& [key, value] : v->items()) {
        if (key == "holidays_ics" && value.is_string()) {
          const std::string p = value.get<std::string>();
          if (p.empty() || p.front() == '/' || p.find("..") != std::string::npos) return false;
        }
        todo.push_back(&value);
      }
    } else if (v->is_array()) {
      for (const auto& item : *v) todo.push_back(&item);
    }
  }
  return true;
}

Instant at_utc(int y, unsigned m, unsigned d, int h) {
  return Instant{date::sys_days{date::year{y} / date::month{m} / date::day{d}}} + hours{h};
}

void check_calendar(Calendar cal) {
  static const date::time_zone* utc = date::locate_zone("UTC");
  for (const auto& day : cal.week) {
    int previous_end = 0;
    for (const auto& w : day) {
      FUZZ_CHECK(w.start >= 0 && w.start < w.end && w.end <= 1440,
                 "calendar " + cal.name + ": interval " + std::to_string(w.start) + "-" + std::to_string(w.end));
      FUZZ_CHECK(w.start >= previous_end, "calendar " + cal.name + ": intervals overlap or are unsorted");
      previous_end = w.end;
    }
  }
  FUZZ_CHECK(std::is_sorted(cal.holidays.begin(), cal.holidays.end()) &&
                 std::adjacent_find(cal.holidays.begin(), cal.holidays.end()) == cal.holidays.end(),
             "calendar " + cal.name + ": holidays not sorted and unique");
  if (!cal.always && !cal.zone) cal.zone = utc;  // as resolve_input does with --tz UTC
  // Weeks around the DST changes of both hemispheres in 2026.
  for (const Instant a : {at_utc(2026, 3, 6, 12), at_utc(2026, 3, 27, 12), at_utc(2026, 4, 2, 12),
                          at_utc(2026, 10, 23, 12), at_utc(2026, 10, 30, 12)}) {
    const Instant b = a + date::days{7};
    const Millis worked = business_time(cal, a, b);
    FUZZ_CHECK(worked >= Millis{0} && worked <= b - a,
               "calendar " + cal.name + ": business_time over 7 days is " + std::to_string(worked.count()) + " ms");
    const auto due = due_time(cal, a, hours{1});
    if (due) {
      FUZZ_CHECK(*due >= a, "calendar " + cal.name + ": due_time before the start");
      const Millis to_due = business_time(cal, a, *due);
      FUZZ_CHECK(to_due == Millis{hours{1}}, "calendar " + cal.name + ": business_time(start, due_time(start, 1h)) is " +
                                                 std::to_string(to_due.count()) + " ms");
    }
  }
}

void check_agreement(const Agreement& a) {
  FUZZ_CHECK(a.path == g_path, "agreement path " + a.path);
  if (a.timezone) FUZZ_CHECK(find_zone(*a.timezone) != nullptr, "unknown timezone accepted: " + *a.timezone);
  if (a.window) FUZZ_CHECK(a.window->count() > 0, "a window of zero or less accepted");
  std::set<std::string> names;
  for (const auto& t : a.targets) {
    FUZZ_CHECK(names.insert(t.name).second, "target name used twice: " + t.name);
    switch (t.kind) {
      case Target::Kind::Clock:
        FUZZ_CHECK(t.share >= 0 && t.share <= 1, "clock share out of [0,1] in " + t.name);
        FUZZ_CHECK(t.within.count() >= 0, "negative clock limit in " + t.name);
        FUZZ_CHECK(t.calendar.empty() || a.find_calendar(t.calendar) != nullptr,
                   "clock target " + t.name + " names a missing calendar " + t.calendar);
        break;
      case Target::Kind::Rate:
        FUZZ_CHECK(t.rate >= 0 && t.rate <= 1, "rate out of [0,1] in " + t.name);
        FUZZ_CHECK(t.to_stage > t.from_stage, "rate target " + t.name + " does not go to a later stage");
        if (t.window) FUZZ_CHECK(t.window->count() > 0, "rate window of zero or less in " + t.name);
        break;
      case Target::Kind::Volume:
        break;
    }
  }
  for (const auto& cal : a.calendars) check_calendar(cal);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_dir = std::filesystem::temp_directory_path() / ("leadfunnel-fuzz-" + std::to_string(::getpid()));
  std::filesystem::create_directories(g_dir);
  g_path = (g_dir / "agreement.json").string();
  std::ofstream(g_dir / "holidays.ics", std::ios::binary) << kIcs;
  std::atexit(cleanup);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::as_view(data, size);

  const std::vector<int> days = ics_holidays(text);
  FUZZ_CHECK(std::is_sorted(days.begin(), days.end()) && std::adjacent_find(days.begin(), days.end()) == days.end(),
             "ics_holidays is not sorted and unique");
  if (const auto w = parse_work_interval(text))
    FUZZ_CHECK(w->start >= 0 && w->start < w->end && w->end <= 1440,
               "parse_work_interval('" + fuzz::shown(text) + "') = " + std::to_string(w->start) + "-" +
                   std::to_string(w->end));

  if (!ics_paths_are_safe(text)) return 0;
  try {
    const Agreement a = parse_agreement(text, g_path);
    check_agreement(a);
  } catch (const AgreementError& e) {
    fuzz::documented_error(e);
  } catch (const Error& e) {
    fuzz::documented_error(e);
  }
  return 0;
}
