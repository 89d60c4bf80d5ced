// The service agreement, measured. Definitions and worked examples are in
// docs/metrics.md ("Service agreement"); comments here say why.
#include "leadfunnel/sla.hpp"

#include "leadfunnel/day_cache.hpp"
#include "leadfunnel/key_index.hpp"
#include "leadfunnel/listing.hpp"
#include "leadfunnel/text.hpp"

#include <date/date.h>
#include <date/iso_week.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace leadfunnel {
namespace {

constexpr double kMsPerHour = 3600.0 * 1000.0;

/// The memory for owners' delays one accumulator holds, over all its clock
/// targets, in values (4 MB): each set holds up to Samples::kChunk values
/// before it writes them to the spill file, and an export with thousands of
/// owners would otherwise hold thousands of sets that grow with the file.
constexpr std::size_t kOwnerDelaysInMemory = std::size_t{1} << 19;

double hours(Millis d) { return static_cast<double>(d.count()) / kMsPerHour; }

/// The lead's field for an event.
const std::optional<Instant>& event_field(const Lead& lead, Event e) {
  switch (e) {
    case Event::Created: return lead.at[0];
    case Event::Mql: return lead.at[static_cast<std::size_t>(Stage::Mql)];
    case Event::Handoff: return lead.at[static_cast<std::size_t>(Stage::Handoff)];
    case Event::Prospect: return lead.at[static_cast<std::size_t>(Stage::Prospect)];
    case Event::Opportunity: return lead.at[static_cast<std::size_t>(Stage::Opportunity)];
    case Event::Won: return lead.at[static_cast<std::size_t>(Stage::Won)];
    case Event::FirstTouch: return lead.first_touch_at;
    case Event::Lost: return lead.lost_at;
  }
  return lead.lost_at;  // not reached: every event is above
}

/// "No such event (by as-of)" among event instants: no timestamp is this late
/// (they are limited to the years 1900-2199).
constexpr Instant kNever = Instant::max();

/// The lead's own time for an event, or kNever when it has none or it is
/// after as-of. A plain instant, not an std::optional: GCC 12 built each
/// optional local on the stack with two small stores and read it back with
/// one wide load, which the processor cannot forward (a stall of some twenty
/// cycles each time; about a fifth of the SLA accumulator's time).
Instant event_time(const Lead& lead, Event e, Instant as_of) {
  const std::optional<Instant>& t = event_field(lead, e);
  return t && *t <= as_of ? *t : kNever;
}

std::optional<Instant> unless_never(Instant t) { return t == kNever ? std::nullopt : std::optional<Instant>(t); }

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

/// The medians and 90th percentiles reported, asked of every set together.
const std::vector<double> kQuantiles{0.5, 0.9};

void summarize(ClockCounts& c, const std::vector<std::optional<double>>& q) {
  c.compliance = make_rate(c.met, c.met + c.breached);
  c.median_hours = q[0];
  c.p90_hours = q[1];
}

/// Worst first: never answered (longest overdue first), then the longest
/// delays; file order on ties.
bool worse(const ClockCase& a, const ClockCase& b) {
  if (a.end.has_value() != b.end.has_value()) return !a.end.has_value();
  if (!a.end) {
    if (a.due != b.due) return a.due < b.due;
  } else if (a.delay_hours != b.delay_hours) {
    return a.delay_hours > b.delay_hours;
  }
  // Records on one line (a JSON array on one line): by lead id.
  return a.line != b.line ? a.line < b.line : a.lead_id < b.lead_id;
}

bool due_sooner(const ClockCase& a, const ClockCase& b) {
  if (a.due != b.due) return a.due < b.due;
  return a.line != b.line ? a.line < b.line : a.lead_id < b.lead_id;
}

/// The first `limit` cases by `order`, kept in bounded memory while cases
/// arrive: the list is cut back whenever it doubles. 0 keeps them all.
struct TopCases {
  std::vector<ClockCase> cases;
  bool (*order)(const ClockCase&, const ClockCase&) = nullptr;
  std::size_t limit = 0;
  /// After a cut: the last of the `limit` cases kept. A case that does not
  /// come before it can never be listed (cases that come later only push it
  /// further down), so it need not be made.
  std::optional<ClockCase> bar;

  /// Whether a case ordered as `probe` (its order fields set) may be listed.
  bool may_list(const ClockCase& probe) const { return !bar || order(probe, *bar); }
  void add(ClockCase c) {
    if (!may_list(c)) return;
    cases.push_back(std::move(c));
    if (limit != 0 && cases.size() >= 2 * limit + 64) cut();
  }
  void cut() {
    if (limit == 0 || cases.size() <= limit) return;
    std::nth_element(cases.begin(), cases.begin() + static_cast<std::ptrdiff_t>(limit), cases.end(), order);
    cases.resize(limit);
    bar = *std::max_element(cases.begin(), cases.end(), order);
  }
  std::vector<ClockCase> take() {
    cut();
    std::sort(cases.begin(), cases.end(), order);
    return std::move(cases);
  }
};

/// One clock target while leads are added.
struct ClockState {
  const Calendar* cal = nullptr;
  std::optional<WorkingClock> clock;  ///< on `cal`
  TargetResult r;
  // The delays are kept per owner only; the target's own percentiles are
  // taken over all of them at the end.
  std::unordered_map<std::string, std::pair<ClockCounts, Samples>, TextHash, std::equal_to<>> owners;
  KeyIndex<std::pair<ClockCounts, Samples>> owner_index;  ///< in front of `owners`
  std::pair<ClockCounts, Samples> blank_owner;
  bool blank_seen = false;
  TopCases breaches, pending;
  FirstByLine<QualityIssue, IssueLeadId> issues;  ///< ends before their start, first by line (at most max_listed)
};

struct VolumeState {
  std::map<std::int64_t, std::size_t> per_period;  ///< period start (local day) -> leads
  DayCache<std::size_t> period_of_day;              ///< into per_period
  std::optional<Instant> first;
};

struct RateState {
  std::size_t den = 0, num = 0, immature = 0;
};

}  // namespace

struct SlaAccumulator::State {
  const DatasetShape* shape = nullptr;
  const Agreement* agreement = nullptr;
  FunnelOptions opt;
  bool has_created = false;
  Calendar wall = wall_clock();
  std::vector<ClockState> clocks;
  std::vector<VolumeState> volumes;
  std::vector<RateState> rates;
  // response times
  bool response = false;
  const Calendar* response_cal = nullptr;
  std::optional<WorkingClock> response_clock;  ///< on response_cal
  Samples speed, reply;
  std::optional<LocalDays> days;
  /// The memory the owners' delays hold, in values (see
  /// kOwnerDelaysInMemory), and the count at which it is next brought down.
  std::size_t owner_delays = 0;
  std::size_t owner_delays_limit = kOwnerDelaysInMemory;

  /// Writes the owners' biggest sets of delays to the spill file until
  /// they hold at most half the budget. Only sets of kSpillAtLeast values
  /// or more are written: a block of a few values would cost its record
  /// and a read more than it saves (thousands of owners with a few delays
  /// each stay in memory; the budget is then raised instead).
  void spill_owner_delays() {
    static constexpr std::size_t kSpillAtLeast = 256;
    std::vector<Samples*> big;
    owner_delays = 0;
    auto look = [&](Samples& s) {
      owner_delays += s.memory_values();
      if (s.memory_values() >= kSpillAtLeast) big.push_back(&s);
    };
    for (ClockState& c : clocks) {
      for (auto& entry : c.owners) look(entry.second.second);
      look(c.blank_owner.second);
    }
    std::sort(big.begin(), big.end(),
              [](const Samples* a, const Samples* b) { return a->memory_values() > b->memory_values(); });
    for (Samples* s : big) {
      if (owner_delays <= kOwnerDelaysInMemory / 2) break;
      const std::size_t held = s->memory_values();
      s->spill_now();
      owner_delays -= held - s->memory_values();
    }
    // When too little could be written (no spill file, or small sets only),
    // look again half a budget later.
    owner_delays_limit = std::max(owner_delays, kOwnerDelaysInMemory / 2) + kOwnerDelaysInMemory / 2;
  }
};

SlaAccumulator::SlaAccumulator(const DatasetShape& shape, const Agreement& agreement, const FunnelOptions& opt)
    : s_(std::make_unique<State>()) {
  State& st = *s_;
  st.shape = &shape;
  st.agreement = &agreement;
  st.opt = opt;
  st.has_created = shape.has_field[static_cast<std::size_t>(Field::CreatedAt)];
  if (opt.zone) st.days.emplace(*opt.zone);
  for (const auto& t : agreement.targets) {
    if (t.kind == Target::Kind::Clock) {
      ClockState c;
      c.cal = t.calendar.empty() ? &st.wall : agreement.find_calendar(t.calendar);
      if (!c.cal) c.cal = &st.wall;
      c.clock.emplace(*c.cal);
      c.r.target = t;
      c.r.business_clock = !c.cal->always;
      c.breaches.order = worse;
      c.breaches.limit = opt.max_listed;
      c.pending.order = due_sooner;
      c.pending.limit = opt.max_listed;
      c.issues = FirstByLine<QualityIssue, IssueLeadId>(opt.max_listed);
      st.clocks.push_back(std::move(c));
    } else if (t.kind == Target::Kind::Volume) {
      st.volumes.emplace_back();
    } else {
      st.rates.emplace_back();
    }
  }
  // The sales response is measured on the calendar of the first hand-off ->
  // first-touch target that names one, else the first calendar (by name),
  // else the wall clock.
  st.response = shape.has_field[static_cast<std::size_t>(Field::FirstTouchAt)];
  for (const auto& t : agreement.targets)
    if (t.kind == Target::Kind::Clock && t.from_event == Event::Handoff && t.to_event == Event::FirstTouch &&
        !t.calendar.empty()) {
      st.response_cal = agreement.find_calendar(t.calendar);
      break;
    }
  if (!st.response_cal && !agreement.calendars.empty()) st.response_cal = &agreement.calendars.front();
  if (!st.response_cal) st.response_cal = &st.wall;
  st.response_clock.emplace(*st.response_cal);
}
SlaAccumulator::SlaAccumulator(SlaAccumulator&&) noexcept = default;
SlaAccumulator& SlaAccumulator::operator=(SlaAccumulator&&) noexcept = default;
SlaAccumulator::~SlaAccumulator() = default;

void SlaAccumulator::add(const Lead& lead) { add(lead, lead_progress(lead, s_->opt.as_of)); }

void SlaAccumulator::add(const Lead& lead, const LeadProgress& progress) {
  State& st = *s_;
  const FunnelOptions& opt = st.opt;
  const bool cohort = in_cohort(lead, opt, st.has_created);
  std::size_t clock_i = 0, volume_i = 0, rate_i = 0;
  // The owners maps' own hash of the owner, once, and only for a lead that
  // starts a clock: most leads start none (never handed off), and reading
  // the owner's text cost a cache miss on every lead.
  std::size_t owner_hash = 0;
  bool owner_hashed = false;
  // The hand-off -> first-touch delay on the response calendar, when a
  // clock target measured it already (the sales response is the same delay):
  // two scalars, not an optional (see event_time).
  bool replied = false;
  Millis reply_delay{0};
  for (const auto& t : st.agreement->targets) {
    if (t.kind == Target::Kind::Clock) {
      ClockState& c = st.clocks[clock_i++];
      if (!cohort) continue;
      TargetResult& r = c.r;
      const Instant start = event_time(lead, t.from_event, opt.as_of);
      if (start == kNever) {
        ++r.no_start;
        continue;
      }
      auto& [counts, delays] = lead.owner.empty() ? c.blank_owner : [&]() -> auto& {
        if (!owner_hashed) {
          owner_hash = TextHash{}(lead.owner);
          owner_hashed = true;
        }
        if (auto* known = c.owner_index.find(lead.owner, owner_hash)) return *known;
        auto it = c.owners.find(std::string_view(lead.owner));
        if (it == c.owners.end()) it = c.owners.emplace(lead.owner, std::pair<ClockCounts, Samples>{}).first;
        c.owner_index.remember(owner_hash, it->first, it->second);
        return it->second;
      }();
      if (lead.owner.empty()) c.blank_seen = true;
      const Instant end = event_time(lead, t.to_event, opt.as_of);
      // Lists the lead's case, if it may be listed: the id, the owner and a
      // due time not yet known (with an end, it plays no part in the order)
      // are filled in only then.
      auto list_case = [&](TopCases& top, std::optional<double> delay, std::optional<Instant> due) {
        ClockCase k;
        k.line = lead.line;
        k.start = start;
        k.end = unless_never(end);
        k.delay_hours = delay;
        k.due = due;
        if (!top.may_list(k)) return;
        k.lead_id = lead.id;
        k.owner = lead.owner;
        if (!due) k.due = c.clock->due(start, t.within);
        top.add(std::move(k));
      };
      if (end != kNever) {
        Millis delay{0};
        if (end < start) {
          // An end before the start counts as immediate, and is listed.
          ++r.end_before_start;
          if (c.issues.wants(lead.line))
            c.issues.add(lead.line, QualityIssue{lead.id, lead.line, "sla_end_before_start",
                                                 fmt::format("{}: {} {} is before {} {}; counted as immediate", t.name,
                                                             event_name(t.to_event), format_utc(end),
                                                             event_name(t.from_event), format_utc(start))});
          else
            c.issues.count();
        } else {
          delay = c.clock->between(start, end);
          if (t.from_event == Event::Handoff && t.to_event == Event::FirstTouch && c.cal == st.response_cal) {
            replied = true;
            reply_delay = delay;
          }
        }
        const double h = hours(delay);
        const std::size_t held = delays.memory_values();
        delays.push_back(h);
        st.owner_delays = st.owner_delays + delays.memory_values() - held;
        if (st.owner_delays > st.owner_delays_limit) st.spill_owner_delays();
        if (delay <= t.within) {
          ++r.all.met;
          ++counts.met;
        } else {
          ++r.all.breached;
          ++counts.breached;
          list_case(c.breaches, h, std::nullopt);
        }
        continue;
      }
      const auto due = c.clock->due(start, t.within);
      if (due && opt.as_of > *due) {
        // No end by as-of and the limit has passed: breached, whatever happens later.
        ++r.all.breached;
        ++counts.breached;
        list_case(c.breaches, std::nullopt, due);
      } else {
        ++r.all.pending;
        ++counts.pending;
        list_case(c.pending, std::nullopt, due);
      }
    } else if (t.kind == Target::Kind::Volume) {
      // Volume counts leads by when they reached the stage, whatever their
      // creation cohort; --from/--to bound the periods instead.
      VolumeState& v = st.volumes[volume_i++];
      const std::size_t s = static_cast<std::size_t>(t.stage);
      const LeadProgress& p = progress;
      if (!p.reached[s] || !p.when[s] || *p.when[s] > opt.as_of) continue;
      const Instant when = *p.when[s];
      if ((opt.from && when < *opt.from) || (opt.to && when >= *opt.to)) continue;
      if (!v.first || when < *v.first) v.first = when;
      ++v.period_of_day.get(st.days->day(when), [&](std::int64_t d) -> std::size_t& {
        return v.per_period[period_start(date::local_days{date::days{d}}, t.per).time_since_epoch().count()];
      });
    } else {
      RateState& rs = st.rates[rate_i++];
      if (!cohort) continue;
      const auto a = static_cast<std::size_t>(t.from_stage);
      const auto b = static_cast<std::size_t>(t.to_stage);
      const LeadProgress& p = progress;
      if (!p.reached[a]) continue;
      if (t.window) {
        if (!p.when[a]) continue;  // no date to start the window from
        if (*p.when[a] + *t.window > opt.as_of) {
          ++rs.immature;
          continue;
        }
      }
      ++rs.den;
      if (!p.reached[b]) continue;
      if (t.window && (!p.when[b] || *p.when[b] - *p.when[a] > *t.window)) continue;
      ++rs.num;
    }
  }
  if (st.response && cohort) {
    const Instant touch = event_time(lead, Event::FirstTouch, opt.as_of);
    if (touch != kNever) {
      if (const Instant c = event_time(lead, Event::Created, opt.as_of); c != kNever && touch >= c)
        st.speed.push_back(hours(touch - c));
      if (const Instant h = event_time(lead, Event::Handoff, opt.as_of); h != kNever && touch >= h)
        st.reply.push_back(hours(replied ? reply_delay : st.response_clock->between(h, touch)));
    }
  }
}

bool SlaAccumulator::many_owners() const {
  // On 1M leads with 5,000 owners and two clock targets, one pinned core:
  // 760 -> 715 ms (medians of 9); with the benchmark's 45 owners the hints
  // are not given, and cost nothing.
  constexpr std::size_t kMany = 512;
  return std::any_of(s_->clocks.begin(), s_->clocks.end(),
                     [](const ClockState& c) { return c.owner_index.size() >= kMany; });
}

void SlaAccumulator::prefetch(const Lead& lead, std::size_t step) const {
  if (lead.owner.empty()) return;
  const std::size_t hash = TextHash{}(lead.owner);
  for (const ClockState& c : s_->clocks) {
    if (step == 0) {
      c.owner_index.prefetch(hash);
      continue;
    }
    const auto* known = c.owner_index.find(lead.owner, hash);
    if (!known) continue;
    if (step == 1) {
      prefetch_line(&known->first);
      prefetch_line(&known->second);
    } else {
      known->second.prefetch_end();
    }
  }
}

void SlaAccumulator::merge(SlaAccumulator&& later) {
  State& a = *s_;
  State& b = *later.s_;
  auto add_counts = [](ClockCounts& x, const ClockCounts& y) {
    x.met += y.met;
    x.breached += y.breached;
    x.pending += y.pending;
  };
  auto append = [](Samples& x, Samples& y) { x.append(std::move(y)); };
  for (std::size_t i = 0; i < a.clocks.size(); ++i) {
    ClockState& x = a.clocks[i];
    ClockState& y = b.clocks[i];
    add_counts(x.r.all, y.r.all);
    x.r.no_start += y.r.no_start;
    x.r.end_before_start += y.r.end_before_start;
    // The owners' delays join this accumulator's, within its budget.
    auto join_delays = [&a](Samples& mine, Samples& theirs) {
      const std::size_t held = mine.memory_values();
      mine.append(std::move(theirs));
      a.owner_delays = a.owner_delays + mine.memory_values() - held;
      if (a.owner_delays > a.owner_delays_limit) a.spill_owner_delays();
    };
    for (auto& [owner, entry] : y.owners) {
      auto& mine = x.owners[owner];
      add_counts(mine.first, entry.first);
      join_delays(mine.second, entry.second);
    }
    add_counts(x.blank_owner.first, y.blank_owner.first);
    join_delays(x.blank_owner.second, y.blank_owner.second);
    x.blank_seen = x.blank_seen || y.blank_seen;
    x.issues.merge(std::move(y.issues));
    for (auto& cs : y.breaches.cases) x.breaches.add(std::move(cs));
    for (auto& cs : y.pending.cases) x.pending.add(std::move(cs));
  }
  for (std::size_t i = 0; i < a.volumes.size(); ++i) {
    for (const auto& [day, n] : b.volumes[i].per_period) a.volumes[i].per_period[day] += n;
    if (b.volumes[i].first && (!a.volumes[i].first || *b.volumes[i].first < *a.volumes[i].first))
      a.volumes[i].first = b.volumes[i].first;
  }
  for (std::size_t i = 0; i < a.rates.size(); ++i) {
    a.rates[i].den += b.rates[i].den;
    a.rates[i].num += b.rates[i].num;
    a.rates[i].immature += b.rates[i].immature;
  }
  append(a.speed, b.speed);
  append(a.reply, b.reply);
}

SlaResult SlaAccumulator::finish() {
  State& st = *s_;
  const FunnelOptions& opt = st.opt;
  const auto& zone = *opt.zone;
  SlaResult out;
  // The percentiles of every set of delays first, the sets shared out among
  // the threads: each owner's of each clock target, the target's own (all
  // owners together) and the response times. They are taken below in the
  // same order.
  std::vector<Samples> all(st.clocks.size());
  std::vector<Samples*> sets;
  for (std::size_t i = 0; i < st.clocks.size(); ++i) {
    ClockState& c = st.clocks[i];
    const std::size_t first = sets.size();
    for (auto& entry : c.owners) sets.push_back(&entry.second.second);
    if (c.blank_seen) sets.push_back(&c.blank_owner.second);
    for (std::size_t k = first; k < sets.size(); ++k) all[i].append_copy(*sets[k]);
    sets.push_back(&all[i]);
  }
  if (st.response) {
    sets.push_back(&st.speed);
    sets.push_back(&st.reply);
  }
  const std::size_t speed_n = st.speed.size(), reply_n = st.reply.size();
  const auto quantiles = percentiles_of_sets(sets, kQuantiles, opt.threads);
  for (Samples* set : sets) set->clear();
  std::size_t set_i = 0;
  std::size_t clock_i = 0, volume_i = 0, rate_i = 0;
  for (const auto& t : st.agreement->targets) {
    if (t.kind == Target::Kind::Clock) {
      ClockState& c = st.clocks[clock_i++];
      TargetResult r = std::move(c.r);
      auto take_owner = [&](ClockCounts& counts) {
        summarize(counts, quantiles[set_i++]);
        r.by_owner.push_back(counts);
      };
      for (auto& [owner, entry] : c.owners) {
        entry.first.owner = owner;
        take_owner(entry.first);
      }
      if (c.blank_seen) take_owner(c.blank_owner.first);
      summarize(r.all, quantiles[set_i++]);
      // Owners with the most cases first; blank owner last on ties.
      std::sort(r.by_owner.begin(), r.by_owner.end(), [](const ClockCounts& a, const ClockCounts& b) {
        const auto na = a.met + a.breached + a.pending, nb = b.met + b.breached + b.pending;
        if (na != nb) return na > nb;
        if (a.owner.has_value() != b.owner.has_value()) return a.owner.has_value();
        return a.owner < b.owner;
      });
      r.breaches = c.breaches.take();
      r.pending = c.pending.take();
      r.breaches_unlisted = r.all.breached - r.breaches.size();
      r.pending_unlisted = r.all.pending - r.pending.size();
      if (r.all.compliance.value) r.pass = *r.all.compliance.value >= t.share;
      out.targets.push_back(std::move(r));
      // The issues of each clock target, in target order, within one limit.
      std::size_t unlisted = c.issues.total();  // less each one listed here
      for (auto& q : c.issues.take()) {
        --unlisted;
        if (opt.max_listed == 0 || out.issues.size() < opt.max_listed) out.issues.push_back(std::move(q));
        else ++out.issues_unlisted;
      }
      out.issues_unlisted += unlisted;
    } else if (t.kind == Target::Kind::Volume) {
      VolumeState& v = st.volumes[volume_i++];
      TargetResult r;
      r.target = t;
      std::optional<Instant> first = opt.from ? opt.from : v.first;
      // Periods that have begun before as-of (and before --to).
      Instant stop = opt.as_of;
      if (opt.to && *opt.to < stop) stop = *opt.to;
      if (first && stop > *first) {
        auto day_of = [&](Instant x) { return date::floor<date::days>(zone.to_local(x)); };
        for (auto d = period_start(day_of(*first), t.per); local_midnight(zone, d) < stop;
             d = next_period(d, t.per)) {
          VolumePeriodResult p;
          p.key = period_label(d, t.per);
          p.start = local_midnight(zone, d);
          p.end = local_midnight(zone, next_period(d, t.per));
          const auto it = v.per_period.find(d.time_since_epoch().count());
          p.count = it == v.per_period.end() ? 0 : it->second;
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
      }
      out.targets.push_back(std::move(r));
    } else {
      RateState& rs = st.rates[rate_i++];
      TargetResult r;
      r.target = t;
      r.immature = rs.immature;
      r.rate = make_rate(rs.num, rs.den);
      if (r.rate.value) r.pass = *r.rate.value >= t.rate;
      out.targets.push_back(std::move(r));
    }
  }
  if (st.response) {
    ResponseTimes rt;
    rt.response_clock = st.response_cal->name;
    rt.speed_n = speed_n;
    rt.speed_median_hours = quantiles[set_i][0];
    rt.speed_p90_hours = quantiles[set_i][1];
    rt.response_n = reply_n;
    rt.response_median_hours = quantiles[set_i + 1][0];
    rt.response_p90_hours = quantiles[set_i + 1][1];
    out.response = rt;
  }
  return out;
}

bool SlaResult::any_missed() const {
  return std::any_of(targets.begin(), targets.end(), [](const TargetResult& t) { return t.pass == false; });
}

SlaResult evaluate_sla(const Dataset& data, const Agreement& agreement, const FunnelOptions& opt) {
  SlaAccumulator acc(data, agreement, opt);
  for (const Lead& lead : data.leads) acc.add(lead);
  return acc.finish();
}

}  // namespace leadfunnel
