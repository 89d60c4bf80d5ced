// The funnel engine. Definitions live in docs/metrics.md; the comments here
// say why each rule is what it is.
#include "leadfunnel/funnel.hpp"

#include <date/date.h>
#include <date/iso_week.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace leadfunnel {
namespace {

constexpr double kMsPerHour = 3600.0 * 1000.0;
constexpr auto kProspect = static_cast<std::size_t>(Stage::Prospect);

/// What one lead contributes, worked out once.
struct LeadView : LeadProgress {
  bool in_cohort = false;
  bool mature = true;
};

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
  p.known = lead.at;
  for (std::size_t s = 1; s < kStageCount; ++s)
    if (p.known[s] && *p.known[s] > as_of) p.known[s].reset();
  // "Ever reached": a stage counts if it, or any later stage, was reached.
  std::optional<Instant> earliest_later;
  bool later_reached = false;
  for (std::size_t s = kStageCount; s-- > 0;) {
    p.direct[s] = s == 0 || p.known[s].has_value() || lead.flagged[s] ||
                  (s == kProspect && lead.prospect_row && earliest_later_or(p.known, s));
    if (p.known[s] && (!earliest_later || *p.known[s] < *earliest_later)) earliest_later = p.known[s];
    p.when[s] = s == 0 ? lead.at[0] : earliest_later;
    later_reached = later_reached || p.direct[s];
    p.reached[s] = later_reached;
  }
  return p;
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
  const auto local = zone.to_local(std::chrono::floor<std::chrono::seconds>(at));
  const auto day = date::floor<date::days>(local);
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

FunnelResult compute_funnel(const Dataset& data, const FunnelOptions& opt) {
  FunnelResult r;
  const bool has_created = data.has_field[static_cast<std::size_t>(Field::CreatedAt)];
  const bool date_filter = opt.from || opt.to || opt.window;
  r.cohort.leads_loaded = data.leads.size();

  std::vector<LeadView> views(data.leads.size());
  for (std::size_t i = 0; i < data.leads.size(); ++i) {
    const Lead& lead = data.leads[i];
    LeadView& v = views[i];
    const auto& created = lead.at[0];

    // Cohort membership.
    if (created) {
      if (*created > opt.as_of) {
        ++r.cohort.created_after_as_of;
        continue;
      }
      if ((opt.from && *created < *opt.from) || (opt.to && *created >= *opt.to)) {
        ++r.cohort.outside_range;
        continue;
      }
    } else if (has_created) {
      if (date_filter) {
        ++r.cohort.no_created_date;
        continue;
      }
    }
    v.in_cohort = true;

    // Events after as_of have not happened yet, as far as this report knows.
    static_cast<LeadProgress&>(v) = lead_progress(lead, opt.as_of);
    const auto& known = v.known;
    for (std::size_t s = 1; s < kStageCount; ++s) {
      if (lead.at[s] && !known[s]) {
        ++r.quality.events_after_as_of;
        r.quality.issues.push_back({lead.id, lead.line, "after_as_of",
                                    fmt::format("{} {} is after as-of; not counted", field_name(stage_field(static_cast<Stage>(s))),
                                                iso(*lead.at[s]))});
      }
    }
    if (opt.window && created && *created + *opt.window > opt.as_of) v.mature = false;
    // With a window, a stage counts only if reached within it; a stage reached
    // with no date at all cannot be shown to be inside the window.
    if (opt.window && created) {
      for (std::size_t s = 1; s < kStageCount; ++s) {
        if (!v.reached[s]) continue;
        if (!v.when[s] || *v.when[s] - *created > *opt.window) {
          if (s == kProspect && !v.when[s] && v.mature) ++r.quality.undated_conversions;
          v.reached[s] = false;
        }
      }
    }

    // Data quality: events before creation, and stage dates out of funnel order.
    if (created) {
      for (std::size_t s = 1; s < kStageCount; ++s)
        if (known[s] && *known[s] < *created) {
          ++r.quality.events_before_creation;
          r.quality.issues.push_back({lead.id, lead.line, "before_creation",
                                      fmt::format("{} {} is before created_at {}", field_name(stage_field(static_cast<Stage>(s))),
                                                  iso(*known[s]), iso(*created))});
        }
    }
    std::optional<std::size_t> prev;
    for (std::size_t s = 1; s < kStageCount; ++s) {
      if (!known[s]) continue;
      if (prev && *known[s] < *known[*prev]) {
        ++r.quality.leads_out_of_order;
        r.quality.issues.push_back({lead.id, lead.line, "out_of_order",
                                    fmt::format("{} {} is before {} {}", field_name(stage_field(static_cast<Stage>(s))),
                                                iso(*known[s]), field_name(stage_field(static_cast<Stage>(*prev))),
                                                iso(*known[*prev]))});
        break;
      }
      prev = s;
    }
  }

  // Funnel counts over mature cohort leads.
  std::array<std::size_t, kStageCount> reached{}, implied{};
  for (const auto& v : views) {
    if (!v.in_cohort) continue;
    if (!v.mature) {
      ++r.cohort.immature;
      continue;
    }
    ++r.cohort.leads;
    for (std::size_t s = 0; s < kStageCount; ++s) {
      if (!v.reached[s]) continue;
      ++reached[s];
      if (!v.direct[s]) ++implied[s];
    }
  }
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

  // Time to convert: lead -> prospect (the reach time, which may come from a
  // later stage), and each consecutive pair where both own dates are known.
  {
    DurationSummary d;
    d.from = Stage::Lead;
    d.to = Stage::Prospect;
    std::vector<double> hours;
    for (std::size_t i = 0; i < views.size(); ++i) {
      const auto& v = views[i];
      if (!v.in_cohort || !v.mature || !v.reached[kProspect] || !v.when[kProspect] || !v.when[0]) continue;
      const auto ms = (*v.when[kProspect] - *v.when[0]).count();
      if (ms < 0) {
        ++d.negative;
        continue;
      }
      const Lead& lead = data.leads[i];
      // Which stage supplied the reach time decides its precision.
      for (std::size_t s = kProspect; s < kStageCount; ++s)
        if (lead.at[s] && *lead.at[s] == *v.when[kProspect]) {
          if (lead.date_only[s] || lead.date_only[0]) ++d.date_only;
          break;
        }
      hours.push_back(static_cast<double>(ms) / kMsPerHour);
    }
    d.n = hours.size();
    d.median_hours = percentile(hours, 0.5);
    d.p90_hours = percentile(hours, 0.9);
    r.time_to_convert = d;
  }
  for (std::size_t s = 1; s < kStageCount; ++s) {
    DurationSummary d;
    d.from = static_cast<Stage>(s - 1);
    d.to = static_cast<Stage>(s);
    std::vector<double> hours;
    for (std::size_t i = 0; i < views.size(); ++i) {
      const auto& v = views[i];
      const Lead& lead = data.leads[i];
      if (!v.in_cohort || !v.mature || !v.reached[s]) continue;
      const auto& a = lead.at[s - 1];
      const auto& b = lead.at[s];
      if (!a || !b || *a > opt.as_of || *b > opt.as_of) continue;
      const auto ms = (*b - *a).count();
      if (ms < 0) {
        ++d.negative;
        continue;
      }
      if (lead.date_only[s - 1] || lead.date_only[s]) ++d.date_only;
      hours.push_back(static_cast<double>(ms) / kMsPerHour);
    }
    d.n = hours.size();
    d.median_hours = percentile(hours, 0.5);
    d.p90_hours = percentile(hours, 0.9);
    r.stage_times.push_back(d);
  }

  // Breakdowns.
  for (std::size_t k = 0; k < data.by.size(); ++k) {
    const ByKey& key = data.by[k];
    std::map<std::optional<std::string>, Segment> groups;
    for (std::size_t i = 0; i < views.size(); ++i) {
      const auto& v = views[i];
      if (!v.in_cohort) continue;
      const Lead& lead = data.leads[i];
      std::optional<std::string> value;
      if (key.kind == ByKey::Kind::Period) {
        if (lead.at[0]) value = period_key(*lead.at[0], key.period, *opt.zone);
      } else if (!lead.segments[k].empty()) {
        value = lead.segments[k];
      }
      Segment& seg = groups[value];
      seg.key = value;
      if (!v.mature) {
        ++seg.immature;
        continue;
      }
      ++seg.leads;
      if (v.reached[kProspect]) ++seg.prospects;
    }
    Breakdown b;
    b.key = key;
    for (auto& [value, seg] : groups) {
      seg.rate = make_rate(seg.prospects, seg.leads);
      b.segments.push_back(seg);
    }
    if (key.kind == ByKey::Kind::Period) {
      // Periods read best in time order; leads with no date come last.
      std::stable_sort(b.segments.begin(), b.segments.end(), [](const Segment& x, const Segment& y) {
        if (x.key.has_value() != y.key.has_value()) return x.key.has_value();
        return x.key < y.key;
      });
    } else {
      std::stable_sort(b.segments.begin(), b.segments.end(), [](const Segment& x, const Segment& y) {
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

}  // namespace leadfunnel
