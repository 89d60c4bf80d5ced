// The service agreement, measured. Definitions and worked examples are in
// docs/metrics.md ("Service agreement"); comments here say why.
#include "leadfunnel/sla.hpp"

#include <date/date.h>
#include <date/iso_week.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace leadfunnel {
namespace {

constexpr double kMsPerHour = 3600.0 * 1000.0;

double hours(Millis d) { return static_cast<double>(d.count()) / kMsPerHour; }

/// The lead's own time for an event, ignoring anything after as-of.
std::optional<Instant> event_time(const Lead& lead, Event e, Instant as_of) {
  std::optional<Instant> t;
  switch (e) {
    case Event::Created: t = lead.at[0]; break;
    case Event::Mql: t = lead.at[static_cast<std::size_t>(Stage::Mql)]; break;
    case Event::Handoff: t = lead.at[static_cast<std::size_t>(Stage::Handoff)]; break;
    case Event::Prospect: t = lead.at[static_cast<std::size_t>(Stage::Prospect)]; break;
    case Event::Opportunity: t = lead.at[static_cast<std::size_t>(Stage::Opportunity)]; break;
    case Event::Won: t = lead.at[static_cast<std::size_t>(Stage::Won)]; break;
    case Event::FirstTouch: t = lead.first_touch_at; break;
    case Event::Lost: t = lead.lost_at; break;
  }
  if (t && *t > as_of) return std::nullopt;
  return t;
}

void summarize(ClockCounts& c, std::vector<double> delays) {
  c.compliance = make_rate(c.met, c.met + c.breached);
  c.median_hours = percentile(delays, 0.5);
  c.p90_hours = percentile(std::move(delays), 0.9);
}

TargetResult clock_target(const Dataset& data, const Target& t, const Calendar& cal, const FunnelOptions& opt,
                          const std::vector<bool>& cohort, std::vector<QualityIssue>& issues) {
  TargetResult r;
  r.target = t;
  r.business_clock = !cal.always;
  std::vector<double> all_delays;
  std::map<std::optional<std::string>, std::pair<ClockCounts, std::vector<double>>> owners;
  for (std::size_t i = 0; i < data.leads.size(); ++i) {
    if (!cohort[i]) continue;
    const Lead& lead = data.leads[i];
    const auto start = event_time(lead, t.from_event, opt.as_of);
    if (!start) {
      ++r.no_start;
      continue;
    }
    const std::optional<std::string> owner =
        lead.owner.empty() ? std::nullopt : std::optional<std::string>(lead.owner);
    auto& [counts, delays] = owners[owner];
    counts.owner = owner;
    ClockCase c{lead.id, lead.owner, lead.line, *start, event_time(lead, t.to_event, opt.as_of), std::nullopt,
                due_time(cal, *start, t.within)};
    if (c.end) {
      Millis delay{0};
      if (*c.end < *start) {
        // An end before the start counts as immediate, and is listed.
        ++r.end_before_start;
        issues.push_back({lead.id, lead.line, "sla_end_before_start",
                          fmt::format("{}: {} {} is before {} {}; counted as immediate", t.name, event_name(t.to_event),
                                      format_utc(*c.end), event_name(t.from_event), format_utc(*start))});
      } else {
        delay = business_time(cal, *start, *c.end);
      }
      c.delay_hours = hours(delay);
      all_delays.push_back(*c.delay_hours);
      delays.push_back(*c.delay_hours);
      if (delay <= t.within) {
        ++r.all.met;
        ++counts.met;
      } else {
        ++r.all.breached;
        ++counts.breached;
        r.breaches.push_back(c);
      }
    } else if (c.due && opt.as_of > *c.due) {
      // No end by as-of and the limit has passed: breached, whatever happens later.
      ++r.all.breached;
      ++counts.breached;
      r.breaches.push_back(c);
    } else {
      ++r.all.pending;
      ++counts.pending;
      r.pending.push_back(c);
    }
  }
  summarize(r.all, std::move(all_delays));
  for (auto& [owner, entry] : owners) {
    summarize(entry.first, std::move(entry.second));
    r.by_owner.push_back(entry.first);
  }
  // Owners with the most cases first; blank owner last on ties.
  std::stable_sort(r.by_owner.begin(), r.by_owner.end(), [](const ClockCounts& a, const ClockCounts& b) {
    const auto na = a.met + a.breached + a.pending, nb = b.met + b.breached + b.pending;
    if (na != nb) return na > nb;
    if (a.owner.has_value() != b.owner.has_value()) return a.owner.has_value();
    return a.owner < b.owner;
  });
  // Worst first: never answered (longest overdue first), then the longest delays.
  std::stable_sort(r.breaches.begin(), r.breaches.end(), [](const ClockCase& a, const ClockCase& b) {
    if (a.end.has_value() != b.end.has_value()) return !a.end.has_value();
    if (!a.end) return a.due < b.due;
    return a.delay_hours > b.delay_hours;
  });
  std::stable_sort(r.pending.begin(), r.pending.end(), [](const ClockCase& a, const ClockCase& b) { return a.due < b.due; });
  if (r.all.compliance.value) r.pass = *r.all.compliance.value >= t.share;
  return r;
}

Instant local_midnight(const date::time_zone& zone, date::local_days d) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(zone.to_sys(d, date::choose::earliest));
}

/// The local start day of the period containing local day `d`.
date::local_days period_start(date::local_days d, VolumePeriod per) {
  if (per == VolumePeriod::Week) {
    const date::weekday wd{d};
    return d - (wd - date::Monday);
  }
  const date::year_month_day ymd{d};
  return date::local_days{ymd.year() / ymd.month() / 1};
}

date::local_days next_period(date::local_days start, VolumePeriod per) {
  if (per == VolumePeriod::Week) return start + date::days{7};
  const date::year_month_day ymd{start};
  const date::year_month next = ymd.year() / ymd.month() + date::months{1};
  return date::local_days{next / 1};
}

std::string period_label(date::local_days start, VolumePeriod per) {
  if (per == VolumePeriod::Week) {
    const iso_week::year_weeknum_weekday w{start};
    return fmt::format("{:04}-W{:02}", static_cast<int>(w.year()), static_cast<unsigned>(w.weeknum()));
  }
  const date::year_month_day ymd{start};
  return fmt::format("{:04}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()));
}

TargetResult volume_target(const Dataset& data, const Target& t, const FunnelOptions& opt) {
  TargetResult r;
  r.target = t;
  const auto& zone = *opt.zone;
  const std::size_t s = static_cast<std::size_t>(t.stage);
  // Volume counts leads by when they reached the stage, whatever their
  // creation cohort; --from/--to bound the periods instead.
  std::vector<Instant> times;
  for (const auto& lead : data.leads) {
    const LeadProgress p = lead_progress(lead, opt.as_of);
    if (!p.reached[s] || !p.when[s] || *p.when[s] > opt.as_of) continue;
    if ((opt.from && *p.when[s] < *opt.from) || (opt.to && *p.when[s] >= *opt.to)) continue;
    times.push_back(*p.when[s]);
  }
  std::optional<Instant> first = opt.from;
  if (!first && !times.empty()) first = *std::min_element(times.begin(), times.end());
  if (!first) return r;
  // Periods that have begun before as-of (and before --to).
  Instant stop = opt.as_of;
  if (opt.to && *opt.to < stop) stop = *opt.to;
  if (stop <= *first) return r;
  auto day_of = [&](Instant x) { return date::floor<date::days>(zone.to_local(x)); };
  for (auto d = period_start(day_of(*first), t.per); local_midnight(zone, d) < stop; d = next_period(d, t.per)) {
    VolumePeriodResult p;
    p.key = period_label(d, t.per);
    p.start = local_midnight(zone, d);
    p.end = local_midnight(zone, next_period(d, t.per));
    p.count = static_cast<std::size_t>(
        std::count_if(times.begin(), times.end(), [&](Instant x) { return x >= p.start && x < p.end; }));
    p.attainment = t.at_least == 0 ? 1.0 : static_cast<double>(p.count) / static_cast<double>(t.at_least);
    // A period cut by --from/--to is partial: shown, never judged.
    p.complete = p.end <= opt.as_of && (!opt.from || p.start >= *opt.from) && (!opt.to || p.end <= *opt.to);
    p.met = p.count >= t.at_least;
    if (p.complete) {
      ++r.periods_complete;
      if (p.met) ++r.periods_met;
    }
    r.periods.push_back(p);
  }
  if (r.periods_complete > 0) r.pass = r.periods_met == r.periods_complete;
  return r;
}

TargetResult rate_target(const Dataset& data, const Target& t, const FunnelOptions& opt,
                         const std::vector<bool>& cohort) {
  TargetResult r;
  r.target = t;
  const auto a = static_cast<std::size_t>(t.from_stage);
  const auto b = static_cast<std::size_t>(t.to_stage);
  std::size_t den = 0, num = 0;
  for (std::size_t i = 0; i < data.leads.size(); ++i) {
    if (!cohort[i]) continue;
    const LeadProgress p = lead_progress(data.leads[i], opt.as_of);
    if (!p.reached[a]) continue;
    if (t.window) {
      if (!p.when[a]) continue;  // no date to start the window from
      if (*p.when[a] + *t.window > opt.as_of) {
        ++r.immature;
        continue;
      }
    }
    ++den;
    if (!p.reached[b]) continue;
    if (t.window && (!p.when[b] || *p.when[b] - *p.when[a] > *t.window)) continue;
    ++num;
  }
  r.rate = make_rate(num, den);
  if (r.rate.value) r.pass = *r.rate.value >= t.rate;
  return r;
}

ResponseTimes response_times(const Dataset& data, const Agreement& ag, const FunnelOptions& opt,
                             const std::vector<bool>& cohort) {
  ResponseTimes rt;
  // The sales response is measured on the calendar of the first hand-off ->
  // first-touch target that names one, else the first calendar (by name),
  // else the wall clock.
  const Calendar wall = wall_clock();
  const Calendar* cal = nullptr;
  for (const auto& t : ag.targets)
    if (t.kind == Target::Kind::Clock && t.from_event == Event::Handoff && t.to_event == Event::FirstTouch &&
        !t.calendar.empty()) {
      cal = ag.find_calendar(t.calendar);
      break;
    }
  if (!cal && !ag.calendars.empty()) cal = &ag.calendars.front();
  if (!cal) cal = &wall;
  rt.response_clock = cal->name;
  std::vector<double> speed, response;
  for (std::size_t i = 0; i < data.leads.size(); ++i) {
    if (!cohort[i]) continue;
    const Lead& lead = data.leads[i];
    const auto touch = event_time(lead, Event::FirstTouch, opt.as_of);
    if (!touch) continue;
    if (const auto c = event_time(lead, Event::Created, opt.as_of); c && *touch >= *c)
      speed.push_back(hours(*touch - *c));
    if (const auto h = event_time(lead, Event::Handoff, opt.as_of); h && *touch >= *h)
      response.push_back(hours(business_time(*cal, *h, *touch)));
  }
  rt.speed_n = speed.size();
  rt.speed_median_hours = percentile(speed, 0.5);
  rt.speed_p90_hours = percentile(speed, 0.9);
  rt.response_n = response.size();
  rt.response_median_hours = percentile(response, 0.5);
  rt.response_p90_hours = percentile(response, 0.9);
  return rt;
}

}  // namespace

bool SlaResult::any_missed() const {
  return std::any_of(targets.begin(), targets.end(), [](const TargetResult& t) { return t.pass == false; });
}

SlaResult evaluate_sla(const Dataset& data, const Agreement& agreement, const FunnelOptions& opt) {
  SlaResult out;
  const bool has_created = data.has_field[static_cast<std::size_t>(Field::CreatedAt)];
  std::vector<bool> cohort(data.leads.size());
  for (std::size_t i = 0; i < data.leads.size(); ++i) cohort[i] = in_cohort(data.leads[i], opt, has_created);
  const Calendar wall = wall_clock();
  for (const auto& t : agreement.targets) {
    switch (t.kind) {
      case Target::Kind::Clock: {
        const Calendar* cal = t.calendar.empty() ? &wall : agreement.find_calendar(t.calendar);
        out.targets.push_back(clock_target(data, t, cal ? *cal : wall, opt, cohort, out.issues));
        break;
      }
      case Target::Kind::Volume: out.targets.push_back(volume_target(data, t, opt)); break;
      case Target::Kind::Rate: out.targets.push_back(rate_target(data, t, opt, cohort)); break;
    }
  }
  if (data.has_field[static_cast<std::size_t>(Field::FirstTouchAt)])
    out.response = response_times(data, agreement, opt, cohort);
  return out;
}

}  // namespace leadfunnel
