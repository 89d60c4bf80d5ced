// The funnel engine. Definitions live in docs/metrics.md; the comments here
// say why each rule is what it is.
#include "leadfunnel/funnel.hpp"

#include "leadfunnel/day_cache.hpp"
#include "leadfunnel/key_index.hpp"
#include "leadfunnel/listing.hpp"
#include "leadfunnel/samples.hpp"
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
constexpr auto kProspect = static_cast<std::size_t>(Stage::Prospect);

std::string iso(Instant t) { return format_utc(t); }

}  // namespace

/// Whether any stage from `s` on has a date (up to as-of).
static bool earliest_later_or(const std::array<std::optional<Instant>, kStageCount>& known, std::size_t s) {
  for (std::size_t k = s; k < kStageCount; ++k)
    if (known[k]) return true;
  return false;
}

LeadProgress lead_progress(const Lead& lead, Instant as_of) {
  LeadProgress p;
  lead_progress(lead, as_of, p);
  return p;
}

void lead_progress(const Lead& lead, Instant as_of, LeadProgress& p) {
  p.known = lead.at;
  for (std::size_t s = 1; s < kStageCount; ++s)
    if (p.known[s] && *p.known[s] > as_of) p.known[s].reset();
  // "Ever reached": a stage counts if it, or any later stage, was reached.
  // (The earliest date so far is an instant and a flag rather than an
  // optional, which GCC 12 tends to copy through the stack.)
  Instant earliest_later{};
  bool any_later = false;
  bool later_reached = false;
  for (std::size_t s = kStageCount; s-- > 0;) {
    const std::optional<Instant>& own = p.known[s];
    p.direct[s] = s == 0 || own.has_value() || lead.flagged[s] ||
                  (s == kProspect && lead.prospect_row && earliest_later_or(p.known, s));
    if (own && (!any_later || *own < earliest_later)) {
      earliest_later = *own;
      any_later = true;
    }
    if (s == 0) p.when[0] = lead.at[0];
    else if (any_later) p.when[s] = earliest_later;
    else p.when[s].reset();
    later_reached = later_reached || p.direct[s];
    p.reached[s] = later_reached;
  }
}

bool in_cohort(const Lead& lead, const FunnelOptions& opt, bool has_created) {
  const auto& created = lead.at[0];
  if (created) {
    if (*created > opt.as_of) return false;
    if ((opt.from && *created < *opt.from) || (opt.to && *created >= *opt.to)) return false;
    return true;
  }
  return !(has_created && (opt.from || opt.to || opt.window));
}

std::string period_key(Instant at, Period period, const date::time_zone& zone) {
  LocalDays days(zone);
  return period_key_of_day(period_start(days.day(at), period), period);
}

std::int64_t period_start(std::int64_t day, Period period) {
  const date::local_days d{date::days{day}};
  const date::year_month_day ymd{d};
  switch (period) {
    case Period::Day: return day;
    case Period::Week: {
      const date::weekday wd{d};
      return (d - (wd - date::Monday)).time_since_epoch().count();
    }
    case Period::Month: return date::local_days{ymd.year() / ymd.month() / 1}.time_since_epoch().count();
    case Period::Quarter: {
      const unsigned m = (static_cast<unsigned>(ymd.month()) - 1) / 3 * 3 + 1;
      return date::local_days{ymd.year() / date::month{m} / 1}.time_since_epoch().count();
    }
    case Period::Year: return date::local_days{ymd.year() / 1 / 1}.time_since_epoch().count();
  }
  return day;
}

std::string period_key_of_day(std::int64_t start, Period period) {
  const date::local_days day{date::days{start}};
  const date::year_month_day ymd{day};
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month());
  switch (period) {
    case Period::Day: return fmt::format("{:04}-{:02}-{:02}", y, m, static_cast<unsigned>(ymd.day()));
    case Period::Week: {
      const iso_week::year_weeknum_weekday w{day};
      return fmt::format("{:04}-W{:02}", static_cast<int>(w.year()), static_cast<unsigned>(w.weeknum()));
    }
    case Period::Month: return fmt::format("{:04}-{:02}", y, m);
    case Period::Quarter: return fmt::format("{:04}-Q{}", y, (m - 1) / 3 + 1);
    case Period::Year: return fmt::format("{:04}", y);
  }
  return {};
}

namespace {

/// The segments of one breakdown: by value, or by period start day.
struct Groups {
  std::unordered_map<std::string, Segment, TextHash, std::equal_to<>> values;
  KeyIndex<Segment> index;  ///< in front of `values`
  std::map<std::int64_t, Segment> periods;
  DayCache<Segment> period_of_day;  ///< into `periods`
  Segment blank;
  bool blank_seen = false;

  Segment& of_day(std::int64_t day, Period period) {
    return period_of_day.get(day, [&](std::int64_t d) -> Segment& { return periods[period_start(d, period)]; });
  }

  Segment& of_value(const std::string& v) {
    if (v.empty()) {
      blank_seen = true;
      return blank;
    }
    const std::size_t hash = TextHash{}(v);
    if (Segment* known = index.find(v, hash)) return *known;
    auto it = values.find(std::string_view(v));
    if (it == values.end()) it = values.emplace(v, Segment{}).first;
    index.remember(hash, it->first, it->second);
    return it->second;
  }
};

void add_segment(Segment& into, const Segment& from) {
  into.leads += from.leads;
  into.prospects += from.prospects;
  into.immature += from.immature;
}

void add_summary(DurationSummary& into, const DurationSummary& from) {
  into.date_only += from.date_only;
  into.negative += from.negative;
}

}  // namespace

struct FunnelAccumulator::State {
  const DatasetShape* shape = nullptr;
  FunnelOptions opt;
  bool has_created = false;
  bool date_filter = false;
  FunnelResult r;
  std::array<std::size_t, kStageCount> reached{}, implied{};
  DurationSummary ttc;
  Samples ttc_hours;
  std::array<DurationSummary, kStageCount> stage;  ///< [s] is the pair s-1 -> s
  std::array<Samples, kStageCount> stage_hours;
  std::vector<Groups> groups;
  std::optional<LocalDays> days;

  FirstByLine<QualityIssue, IssueLeadId> issues;

  template <typename MakeDetail>
  void issue(const Lead& lead, const char* kind, MakeDetail&& detail) {
    if (issues.wants(lead.line)) issues.add(lead.line, QualityIssue{lead.id, lead.line, kind, detail()});
    else issues.count();
  }
};

FunnelAccumulator::FunnelAccumulator(const DatasetShape& shape, const FunnelOptions& opt)
    : s_(std::make_unique<State>()) {
  s_->shape = &shape;
  s_->opt = opt;
  s_->has_created = shape.has_field[static_cast<std::size_t>(Field::CreatedAt)];
  s_->date_filter = opt.from || opt.to || opt.window;
  s_->issues = FirstByLine<QualityIssue, IssueLeadId>(opt.max_listed);
  s_->groups.resize(shape.by.size());
  if (opt.zone) s_->days.emplace(*opt.zone);
}
FunnelAccumulator::FunnelAccumulator(FunnelAccumulator&&) noexcept = default;
FunnelAccumulator& FunnelAccumulator::operator=(FunnelAccumulator&&) noexcept = default;
FunnelAccumulator::~FunnelAccumulator() = default;

void FunnelAccumulator::add(const Lead& lead) { add(lead, lead_progress(lead, s_->opt.as_of)); }

void FunnelAccumulator::add(const Lead& lead, const LeadProgress& progress) {
  State& st = *s_;
  const FunnelOptions& opt = st.opt;
  FunnelResult& r = st.r;
  ++r.cohort.leads_loaded;
  const auto& created = lead.at[0];

  // Cohort membership.
  if (created) {
    if (*created > opt.as_of) {
      ++r.cohort.created_after_as_of;
      return;
    }
    if ((opt.from && *created < *opt.from) || (opt.to && *created >= *opt.to)) {
      ++r.cohort.outside_range;
      return;
    }
  } else if (st.has_created && st.date_filter) {
    ++r.cohort.no_created_date;
    return;
  }

  // Events after as_of have not happened yet, as far as this report knows.
  // `progress` is read in place, not copied: lead_progress wrote its flags a
  // byte at a time, and a wider copy of them just after cannot be forwarded
  // from those stores (a stall on every lead). The window's changes to
  // `reached` are kept apart, as bits.
  const LeadProgress& v = progress;
  static_assert(kStageCount <= 32, "a stage is a bit of outside_window");
  std::uint32_t outside_window = 0;  // bit s: reached, but not within the window
  auto reached = [&](std::size_t s) { return v.reached[s] && ((outside_window >> s) & 1U) == 0; };
  bool mature = true;
  const auto& known = v.known;
  for (std::size_t s = 1; s < kStageCount; ++s) {
    if (lead.at[s] && !known[s]) {
      ++r.quality.events_after_as_of;
      st.issue(lead, "after_as_of", [&] {
        return fmt::format("{} {} is after as-of; not counted", field_name(stage_field(static_cast<Stage>(s))),
                           iso(*lead.at[s]));
      });
    }
  }
  if (opt.window && created && *created + *opt.window > opt.as_of) mature = false;
  // With a window, a stage counts only if reached within it; a stage reached
  // with no date at all cannot be shown to be inside the window.
  if (opt.window && created) {
    for (std::size_t s = 1; s < kStageCount; ++s) {
      if (!v.reached[s]) continue;
      if (!v.when[s] || *v.when[s] - *created > *opt.window) {
        if (s == kProspect && !v.when[s] && mature) ++r.quality.undated_conversions;
        outside_window |= std::uint32_t{1} << s;
      }
    }
  }

  // Data quality: events before creation, and stage dates out of funnel order.
  if (created) {
    for (std::size_t s = 1; s < kStageCount; ++s)
      if (known[s] && *known[s] < *created) {
        ++r.quality.events_before_creation;
        st.issue(lead, "before_creation", [&] {
          return fmt::format("{} {} is before created_at {}", field_name(stage_field(static_cast<Stage>(s))),
                             iso(*known[s]), iso(*created));
        });
      }
  }
  std::optional<std::size_t> prev;
  for (std::size_t s = 1; s < kStageCount; ++s) {
    if (!known[s]) continue;
    if (prev && *known[s] < *known[*prev]) {
      ++r.quality.leads_out_of_order;
      st.issue(lead, "out_of_order", [&] {
        return fmt::format("{} {} is before {} {}", field_name(stage_field(static_cast<Stage>(s))), iso(*known[s]),
                           field_name(stage_field(static_cast<Stage>(*prev))), iso(*known[*prev]));
      });
      break;
    }
    prev = s;
  }

  // Breakdowns: every cohort lead has a segment; immature ones are counted apart.
  for (std::size_t k = 0; k < st.groups.size(); ++k) {
    const ByKey& key = st.shape->by[k];
    Groups& g = st.groups[k];
    Segment* seg = nullptr;
    if (key.kind == ByKey::Kind::Period) {
      if (created) seg = &g.of_day(st.days->day(*created), key.period);
      else {
        g.blank_seen = true;
        seg = &g.blank;
      }
    } else {
      seg = &g.of_value(lead.segments[k]);
    }
    if (!mature) ++seg->immature;
    else {
      ++seg->leads;
      if (reached(kProspect)) ++seg->prospects;
    }
  }

  if (!mature) {
    ++r.cohort.immature;
    return;
  }
  // Funnel counts over mature cohort leads.
  ++r.cohort.leads;
  for (std::size_t s = 0; s < kStageCount; ++s) {
    if (!reached(s)) continue;
    ++st.reached[s];
    if (!v.direct[s]) ++st.implied[s];
  }

  // Time to convert: lead -> prospect (the reach time, which may come from a
  // later stage), and each consecutive pair where both own dates are known.
  if (reached(kProspect) && v.when[kProspect] && v.when[0]) {
    const auto ms = (*v.when[kProspect] - *v.when[0]).count();
    if (ms < 0) {
      ++st.ttc.negative;
    } else {
      // Which stage supplied the reach time decides its precision.
      for (std::size_t s = kProspect; s < kStageCount; ++s)
        if (lead.at[s] && *lead.at[s] == *v.when[kProspect]) {
          if (lead.date_only[s] || lead.date_only[0]) ++st.ttc.date_only;
          break;
        }
      st.ttc_hours.push_back(static_cast<double>(ms) / kMsPerHour);
    }
  }
  for (std::size_t s = 1; s < kStageCount; ++s) {
    if (!reached(s)) continue;
    const auto& a = lead.at[s - 1];
    const auto& b = lead.at[s];
    if (!a || !b || *a > opt.as_of || *b > opt.as_of) continue;
    const auto ms = (*b - *a).count();
    if (ms < 0) {
      ++st.stage[s].negative;
      continue;
    }
    if (lead.date_only[s - 1] || lead.date_only[s]) ++st.stage[s].date_only;
    st.stage_hours[s].push_back(static_cast<double>(ms) / kMsPerHour);
  }
}

void FunnelAccumulator::merge(FunnelAccumulator&& later) {
  State& a = *s_;
  State& b = *later.s_;
  auto& c = a.r.cohort;
  const auto& d = b.r.cohort;
  c.leads_loaded += d.leads_loaded;
  c.leads += d.leads;
  c.outside_range += d.outside_range;
  c.created_after_as_of += d.created_after_as_of;
  c.no_created_date += d.no_created_date;
  c.immature += d.immature;
  auto& q = a.r.quality;
  auto& p = b.r.quality;
  q.events_before_creation += p.events_before_creation;
  q.leads_out_of_order += p.leads_out_of_order;
  q.events_after_as_of += p.events_after_as_of;
  q.undated_conversions += p.undated_conversions;
  a.issues.merge(std::move(b.issues));
  for (std::size_t s = 0; s < kStageCount; ++s) {
    a.reached[s] += b.reached[s];
    a.implied[s] += b.implied[s];
    add_summary(a.stage[s], b.stage[s]);
    a.stage_hours[s].append(std::move(b.stage_hours[s]));  // b's share is freed as it is taken
  }
  add_summary(a.ttc, b.ttc);
  a.ttc_hours.append(std::move(b.ttc_hours));
  for (std::size_t k = 0; k < a.groups.size(); ++k) {
    auto& x = a.groups[k];
    auto& y = b.groups[k];
    for (auto& [value, seg] : y.values) add_segment(x.values[value], seg);
    for (auto& [day, seg] : y.periods) add_segment(x.periods[day], seg);
    add_segment(x.blank, y.blank);
    x.blank_seen = x.blank_seen || y.blank_seen;
  }
}

FunnelResult FunnelAccumulator::finish() {
  State& st = *s_;
  const DatasetShape& data = *st.shape;
  const FunnelOptions& opt = st.opt;
  const bool has_created = st.has_created;
  FunnelResult r = std::move(st.r);
  r.quality.issues = st.issues.take();
  r.quality.issues_unlisted = st.issues.total() - r.quality.issues.size();
  const auto& reached = st.reached;
  const auto& implied = st.implied;
  r.conversion = make_rate(reached[kProspect], r.cohort.leads);
  for (std::size_t s = 0; s < kStageCount; ++s) {
    StageCount c;
    c.stage = static_cast<Stage>(s);
    c.observable = data.stage_observable[s];
    c.reached = reached[s];
    c.implied = implied[s];
    c.step = s == 0 ? make_rate(reached[0], r.cohort.leads) : make_rate(reached[s], reached[s - 1]);
    c.cumulative = make_rate(reached[s], r.cohort.leads);
    r.stages.push_back(c);
  }
  // The medians and 90th percentiles of every set at once, on the threads.
  std::vector<Samples*> sets{&st.ttc_hours};
  for (std::size_t s = 1; s < kStageCount; ++s) sets.push_back(&st.stage_hours[s]);
  const auto quantiles = percentiles_of_sets(sets, {0.5, 0.9}, opt.threads);
  auto summarize = [&](DurationSummary d, std::size_t set) {
    d.n = sets[set]->size();
    d.median_hours = quantiles[set][0];
    d.p90_hours = quantiles[set][1];
    sets[set]->clear();
    return d;
  };
  st.ttc.from = Stage::Lead;
  st.ttc.to = Stage::Prospect;
  r.time_to_convert = summarize(st.ttc, 0);
  for (std::size_t s = 1; s < kStageCount; ++s) {
    st.stage[s].from = static_cast<Stage>(s - 1);
    st.stage[s].to = static_cast<Stage>(s);
    r.stage_times.push_back(summarize(st.stage[s], s));
  }

  // Breakdowns.
  for (std::size_t k = 0; k < data.by.size(); ++k) {
    const ByKey& key = data.by[k];
    Groups& g = st.groups[k];
    Breakdown b;
    b.key = key;
    for (auto& [value, seg] : g.values) {
      seg.key = value;
      b.segments.push_back(seg);
    }
    for (auto& [day, seg] : g.periods) {
      seg.key = period_key_of_day(day, key.period);
      b.segments.push_back(seg);
    }
    if (g.blank_seen) b.segments.push_back(g.blank);
    for (auto& seg : b.segments) seg.rate = make_rate(seg.prospects, seg.leads);
    if (key.kind == ByKey::Kind::Period) {
      // Periods read best in time order; leads with no date come last.
      std::stable_sort(b.segments.begin(), b.segments.end(), [](const Segment& x, const Segment& y) {
        if (x.key.has_value() != y.key.has_value()) return x.key.has_value();
        return x.key < y.key;
      });
    } else {
      std::sort(b.segments.begin(), b.segments.end(), [](const Segment& x, const Segment& y) {
        if (x.leads != y.leads) return x.leads > y.leads;
        if (x.key.has_value() != y.key.has_value()) return x.key.has_value();
        return x.key < y.key;
      });
    }
    r.breakdowns.push_back(std::move(b));
  }

  // Notes that explain numbers a reader might otherwise misread.
  std::vector<std::string_view> unobserved;
  bool prospect_observable = false;
  for (std::size_t s = 1; s < kStageCount; ++s) {
    if (!data.stage_observable[s]) unobserved.push_back(stage_name(static_cast<Stage>(s)));
    if (s >= kProspect && data.stage_observable[s]) prospect_observable = true;
  }
  const bool prospect_dated = data.has_field[static_cast<std::size_t>(Field::ProspectAt)] ||
                              data.has_field[static_cast<std::size_t>(Field::OpportunityAt)] ||
                              data.has_field[static_cast<std::size_t>(Field::WonAt)] ||
                              (data.two_files && r.time_to_convert.n > 0);
  if (prospect_observable && !prospect_dated)
    r.notes.push_back("time to convert is not available for this input: prospect is known only from a status or "
                      "flag column, with no date");
  if (!prospect_observable)
    r.notes.push_back("nothing in the input records prospect or a later stage, so the conversion is 0 by "
                      "construction; map prospect_at (or opportunity_at, won_at), add a stage rule in the "
                      "agreement, or pass --prospects");
  if (!unobserved.empty())
    r.notes.push_back(fmt::format("no column or rule records these stages: {}; their counts are only implied by "
                                  "later stages (map the *_at column or add a stage rule)",
                                  fmt::join(unobserved, ", ")));
  if (!has_created)
    r.notes.push_back("no column is mapped to created_at: every lead is in the cohort, and time to convert, --from, "
                      "--to, --window and period breakdowns are unavailable");
  if (r.cohort.no_created_date)
    r.notes.push_back(fmt::format("{} lead(s) have no creation date and were left out of the cohort because a date "
                                  "range or window was asked for",
                                  r.cohort.no_created_date));
  if (r.cohort.created_after_as_of)
    r.notes.push_back(fmt::format("{} lead(s) were created after as-of and are not counted", r.cohort.created_after_as_of));
  if (r.cohort.immature)
    r.notes.push_back(fmt::format("{} lead(s) were created less than {} before as-of; their window is still open, so "
                                  "they are left out of every rate (shown as immature)",
                                  r.cohort.immature, format_duration(*opt.window)));
  if (r.quality.undated_conversions)
    r.notes.push_back(fmt::format("{} lead(s) reached prospect with no date, so they cannot count within the window",
                                  r.quality.undated_conversions));
  if (r.time_to_convert.negative)
    r.notes.push_back(fmt::format("{} lead -> prospect duration(s) were left out of time to convert because the "
                                  "prospect date is before the creation date (listed under data quality)",
                                  r.time_to_convert.negative));
  if (r.time_to_convert.date_only)
    r.notes.push_back(fmt::format("{} of the lead -> prospect durations end or start on a date-only value (whole-day "
                                  "precision)",
                                  r.time_to_convert.date_only));
  return r;
}

FunnelResult compute_funnel(const Dataset& data, const FunnelOptions& options) {
  FunnelAccumulator acc(data, options);
  for (const Lead& lead : data.leads) acc.add(lead);
  return acc.finish();
}

}  // namespace leadfunnel
