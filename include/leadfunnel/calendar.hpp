#pragma once
/// Working calendars and the business-time clock measured on them.

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadfunnel/duration.hpp"
#include "leadfunnel/timestamp.hpp"

namespace date {
class time_zone;
}

namespace leadfunnel {

/// A working interval within one local day, in minutes after midnight
/// (end may be 1440, the next midnight).
struct WorkInterval {
  int start = 0;
  int end = 0;
};

/// A named calendar: weekly working intervals in a zone, minus holidays; or
/// the wall clock (24x7), where every instant counts.
struct Calendar {
  std::string name;
  bool always = false;
  const date::time_zone* zone = nullptr;
  /// Working intervals per weekday, index 0 = Sunday ... 6 = Saturday, sorted.
  std::array<std::vector<WorkInterval>, 7> week{};
  /// Local dates off work, as days since 1970-01-01, sorted.
  std::vector<int> holidays;
};

/// The wall clock: every instant is working time.
Calendar wall_clock();

/// Working time between `a` and `b` (zero when b <= a): the length of their
/// overlap with the working intervals, computed in the calendar's zone with
/// its real rules (a DST day has 23 or 25 hours; an interval that falls into
/// a DST gap is shorter).
Millis business_time(const Calendar& cal, Instant a, Instant b);

/// The instant at which `limit` of working time has passed since `start`;
/// empty when the calendar has no working time within ten years.
std::optional<Instant> due_time(const Calendar& cal, Instant start, Millis limit);

/// Parses "09:00-18:00" (end may be "24:00"); empty when malformed or empty.
std::optional<WorkInterval> parse_work_interval(std::string_view text);

/// The local dates of all-day events in iCalendar text (DTSTART;VALUE=DATE,
/// DTEND exclusive), as days since 1970-01-01; timed events are skipped.
std::vector<int> ics_holidays(std::string_view ics);

}  // namespace leadfunnel
