// Business time. Each local working interval is turned into a pair of UTC
// instants with the zone's rules, and the clock is the total overlap of the
// measured span with those instants. Nonexistent local times (DST gap) map to
// the transition, so an interval that crosses a gap is shorter; in a repeated
// hour the interval starts at the earlier instant and ends at the later one.
#include "leadfunnel/calendar.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>

#include "leadfunnel/text.hpp"

namespace leadfunnel {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

constexpr int kHorizonDays = 3660;

/// The calendar's zone; UTC when none was resolved.
const date::time_zone& zone_of(const Calendar& cal) { return cal.zone ? *cal.zone : *date::locate_zone("UTC"); }

bool is_holiday(const Calendar& cal, date::local_days d) {
  const int n = static_cast<int>(d.time_since_epoch().count());
  return std::binary_search(cal.holidays.begin(), cal.holidays.end(), n);
}

/// Calls `f(S, E)` with each working interval of local day `d` as instants.
template <class F>
void for_each_interval(const Calendar& cal, date::local_days d, F&& f) {
  if (is_holiday(cal, d)) return;
  const unsigned wd = date::weekday{d}.c_encoding();
  for (const auto& w : cal.week[wd]) {
    const auto s_local = date::local_time<milliseconds>{d} + minutes{w.start};
    const auto e_local = date::local_time<milliseconds>{d} + minutes{w.end};
    const Instant s = std::chrono::time_point_cast<milliseconds>(zone_of(cal).to_sys(s_local, date::choose::earliest));
    const Instant e = std::chrono::time_point_cast<milliseconds>(zone_of(cal).to_sys(e_local, date::choose::latest));
    if (e > s) f(s, e);
  }
}

int parse_hhmm(std::string_view t) {
  t = trim(t);
  if (t.size() != 5 || t[2] != ':') return -1;
  for (std::size_t i : {0U, 1U, 3U, 4U})
    if (t[i] < '0' || t[i] > '9') return -1;
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

}  // namespace

Calendar wall_clock() {
  Calendar c;
  c.name = "wall";
  c.always = true;
  return c;
}

Millis business_time(const Calendar& cal, Instant a, Instant b) { return WorkingClock(cal).between(a, b); }

std::optional<Instant> due_time(const Calendar& cal, Instant start, Millis limit) {
  return WorkingClock(cal).due(start, limit);
}

namespace {
constexpr std::int64_t kDayMs = 86400000;
/// Whole days in `ms` milliseconds, rounded down (before 1970 too).
std::int64_t floor_days(std::int64_t ms) { return ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs); }
}  // namespace

std::int64_t LocalDays::offset_of(Instant at) {
  // Leads come in no time order, so every offset period they fall in is
  // remembered (a few a year), the last one used first.
  std::size_t i = 0;
  while (i < known_.size() && !(at >= known_[i].begin && at < known_[i].end)) ++i;
  if (i == known_.size()) {
    const auto info = zone_->get_info(std::chrono::floor<std::chrono::seconds>(at));
    known_.push_back({std::chrono::time_point_cast<std::chrono::milliseconds>(info.begin),
                      std::chrono::time_point_cast<std::chrono::milliseconds>(info.end),
                      std::chrono::duration_cast<std::chrono::milliseconds>(info.offset).count()});
    if (known_.size() > 64) known_.erase(known_.begin());
    i = known_.size() - 1;
  }
  if (i != 0) std::swap(known_[i], known_[0]);
  return known_[0].offset_ms;
}

std::int64_t LocalDays::day(Instant at) {
  const std::int64_t ms = at.time_since_epoch().count();
  const std::int64_t utc_day = floor_days(ms);
  if (days_.empty()) days_.resize(kDaySlots);
  UtcDay& slot = days_[static_cast<std::size_t>(utc_day) % kDaySlots];
  if (slot.day == utc_day) return floor_days(ms + slot.offset_ms);
  const std::int64_t offset = offset_of(at);
  // Kept only when the offset holds for the whole UTC day (known_[0] is the
  // stretch just used); a day with a change in it asks the stretches again.
  const Instant day_begin{std::chrono::milliseconds{utc_day * kDayMs}};
  if (known_[0].begin <= day_begin && day_begin + std::chrono::milliseconds{kDayMs} <= known_[0].end)
    slot = UtcDay{utc_day, offset};
  return floor_days(ms + offset);
}

WorkingClock::WorkingClock(const Calendar& cal) : cal_(&cal), local_days_(zone_of(cal)) {}

std::int64_t WorkingClock::local_day(Instant t) { return local_days_.day(t); }

const WorkingClock::Day& WorkingClock::day(std::int64_t d) {
  if (days_.empty()) days_.resize(kSlots);
  Day& slot = days_[static_cast<std::size_t>(d) % kSlots];
  if (slot.day == d) return slot;
  slot.day = d;
  slot.count = 0;
  for_each_interval(*cal_, date::local_days{date::days{d}}, [&](Instant s, Instant e) {
    if (slot.count < slot.spans.size()) slot.spans[slot.count] = {s, e};
    ++slot.count;
  });
  return slot;
}

Millis WorkingClock::between(Instant a, Instant b) {
  if (b <= a) return Millis{0};
  if (cal_->always) return b - a;
  Millis total{0};
  const std::int64_t first = local_day(a) - 1;
  const std::int64_t last = local_day(b) + 1;
  // Where clocks fall back at midnight, one day's 24:00 (the later instant)
  // comes after the next day's 00:00 (the earlier one): count that hour once.
  Instant covered = Instant::min();
  auto span = [&](Instant s, Instant e) {
    s = std::max(s, covered);
    if (e <= s) return;
    covered = e;
    const Instant lo = std::max(a, s);
    const Instant hi = std::min(b, e);
    if (hi > lo) total += hi - lo;
  };
  for (std::int64_t d = first; d <= last; ++d) {
    const Day& w = day(d);
    if (w.count <= w.spans.size()) {
      for (std::size_t i = 0; i < w.count; ++i) span(w.spans[i].first, w.spans[i].second);
    } else {
      for_each_interval(*cal_, date::local_days{date::days{d}}, span);  // a day with many intervals is not kept
    }
  }
  return total;
}

std::optional<Instant> WorkingClock::due(Instant start, Millis limit) {
  if (cal_->always) return start + limit;
  if (limit <= Millis{0}) return start;
  Millis remaining = limit;
  const std::int64_t first = local_day(start) - 1;
  std::optional<Instant> due;
  Instant covered = Instant::min();  // as in between(): a repeated midnight hour counts once
  auto span = [&](Instant s, Instant e) {
    if (due) return;
    s = std::max(s, covered);
    if (e <= s) return;
    covered = e;
    const Instant lo = std::max(start, s);
    if (e <= lo) return;
    const Millis avail = e - lo;
    if (avail >= remaining) {
      due = lo + remaining;
    } else {
      remaining -= avail;
    }
  };
  for (int k = 0; k < kHorizonDays && !due; ++k) {
    const std::int64_t d = first + k;
    const Day& w = day(d);
    if (w.count <= w.spans.size()) {
      for (std::size_t i = 0; i < w.count; ++i) span(w.spans[i].first, w.spans[i].second);
    } else {
      for_each_interval(*cal_, date::local_days{date::days{d}}, span);
    }
  }
  return due;
}

std::optional<WorkInterval> parse_work_interval(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const int s = parse_hhmm(text.substr(0, dash));
  const int e = parse_hhmm(text.substr(dash + 1));
  if (s < 0 || e < 0 || e <= s || s == 1440) return std::nullopt;
  return WorkInterval{s, e};
}

std::vector<int> ics_holidays(std::string_view ics) {
  // Unfold continuation lines (a line starting with a space continues the previous one).
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos <= ics.size()) {
    std::size_t eol = ics.find('\n', pos);
    if (eol == std::string_view::npos) eol = ics.size();
    std::string_view line = ics.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t') && !lines.empty())
      lines.back() += std::string(line.substr(1));
    else
      lines.emplace_back(line);
    pos = eol + 1;
  }
  auto date_value = [](std::string_view line) -> std::optional<int> {
    // DTSTART;VALUE=DATE:20261225 -> days; a DATE-TIME value is not all-day.
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::string_view params = line.substr(0, colon);
    const std::string_view v = trim(line.substr(colon + 1));
    // All-day events carry VALUE=DATE, or a bare 8-digit value.
    const bool is_date = params.find("VALUE=DATE-TIME") == std::string_view::npos;
    if (!is_date || v.size() != 8) return std::nullopt;
    for (char c : v)
      if (c < '0' || c > '9') return std::nullopt;
    const int y = std::stoi(std::string(v.substr(0, 4)));
    const unsigned m = static_cast<unsigned>(std::stoi(std::string(v.substr(4, 2))));
    const unsigned d = static_cast<unsigned>(std::stoi(std::string(v.substr(6, 2))));
    const date::year_month_day ymd{date::year{y}, date::month{m}, date::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return static_cast<int>(date::sys_days{ymd}.time_since_epoch().count());
  };
  std::vector<int> out;
  int start = 0, end = 0;
  bool has_start = false, has_end = false, in_event = false;
  for (const auto& l : lines) {
    if (l == "BEGIN:VEVENT") {
      in_event = true;
      has_start = has_end = false;
    } else if (l == "END:VEVENT") {
      if (in_event && has_start) {
        const int last = has_end && end > start ? end : start + 1;
        for (int d = start; d < last && d < start + 366; ++d) out.push_back(d);
      }
      in_event = false;
    } else if (in_event && l.rfind("DTSTART", 0) == 0) {
      const auto v = date_value(l);
      has_start = v.has_value();
      start = v.value_or(0);
    } else if (in_event && l.rfind("DTEND", 0) == 0) {
      const auto v = date_value(l);
      has_end = v.has_value();
      end = v.value_or(0);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace leadfunnel
