#pragma once
/// Working calendars and the business-time clock measured on them.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

/// The local calendar day of instants in one zone. Each UTC day met whose
/// offset does not change within it is kept (one slot per day number, about
/// 2.8 years of days without a clash), so that most lookups are one compare
/// and an addition; the zone's offset periods met so far answer the rest.
class LocalDays {
 public:
  explicit LocalDays(const date::time_zone& zone) : zone_(&zone) {}
  /// The number of days since 1970-01-01 of the local date of `at`.
  std::int64_t day(Instant at);

 private:
  struct Stretch {
    Instant begin, end;  ///< the offset is constant in [begin, end)
    std::int64_t offset_ms;
  };
  struct UtcDay {
    std::int64_t day = INT64_MIN;  ///< days since 1970-01-01 (UTC), or none
    std::int64_t offset_ms = 0;    ///< the zone's offset all that day
  };
  static constexpr std::size_t kDaySlots = 1024;
  std::int64_t offset_of(Instant at);

  const date::time_zone* zone_;
  std::vector<Stretch> known_;  ///< the stretches met so far, most recent first
  std::vector<UtcDay> days_;    ///< kDaySlots, allocated on first use
};

/// The same clock as business_time and due_time, for many calls on one
/// calendar: each local day's working intervals are turned into instants
/// once and kept (one day per slot of a table indexed by the day number), and
/// the zone's offset periods met so far are kept (LocalDays). One object per
/// thread; the calendar must outlive it.
class WorkingClock {
 public:
  explicit WorkingClock(const Calendar& cal);
  Millis between(Instant a, Instant b);
  std::optional<Instant> due(Instant start, Millis limit);

 private:
  struct Day {
    std::int64_t day = INT64_MIN;
    std::uint32_t count = 0;                           ///< working intervals that day (only the first 4 are kept)
    std::array<std::pair<Instant, Instant>, 4> spans;  ///< their start and end instants
  };
  static constexpr std::size_t kSlots = 4096;  ///< about eleven years of days without a clash
  const Day& day(std::int64_t d);
  std::int64_t local_day(Instant t);

  const Calendar* cal_;
  std::vector<Day> days_;      ///< allocated on first use
  LocalDays local_days_;  ///< the local day of an instant, in the calendar's zone
};

/// Parses "09:00-18:00" (end may be "24:00"); empty when malformed or empty.
std::optional<WorkInterval> parse_work_interval(std::string_view text);

/// The local dates of all-day events in iCalendar text (DTSTART;VALUE=DATE,
/// DTEND exclusive), as days since 1970-01-01; timed events are skipped.
std::vector<int> ics_holidays(std::string_view ics);

}  // namespace leadfunnel
