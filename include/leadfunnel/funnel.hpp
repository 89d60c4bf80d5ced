#pragma once
/// The funnel engine: pure functions from leads to numbers. No I/O, no clock.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadfunnel/calendar.hpp"
#include "leadfunnel/duration.hpp"
#include "leadfunnel/load.hpp"
#include "leadfunnel/stats.hpp"
#include "leadfunnel/timestamp.hpp"

namespace date {
class time_zone;
}

namespace leadfunnel {

/// What to compute; `as_of` is the moment the report describes.
struct FunnelOptions {
  Instant as_of{};
  const date::time_zone* zone = nullptr;
  std::optional<Millis> window;
  std::optional<Instant> from;  ///< cohort: created_at >= from
  std::optional<Instant> to;    ///< cohort: created_at < to
  /// Lists of leads in the report (data-quality issues, SLA breaches and
  /// pending leads) keep at most this many entries; all are counted. 0: no limit.
  std::size_t max_listed = 1000;
  /// Threads the percentiles at the end may use (--threads).
  std::size_t threads = 1;
};

/// Which leads the numbers are about.
struct Cohort {
  std::size_t leads_loaded = 0;
  std::size_t leads = 0;               ///< the denominator of the headline rate
  std::size_t outside_range = 0;       ///< created before --from or at/after --to
  std::size_t created_after_as_of = 0;
  std::size_t no_created_date = 0;     ///< excluded only when a date filter or window needs it
  std::size_t immature = 0;            ///< window still open at as_of (with --window)
};

/// One stage of the funnel.
struct StageCount {
  Stage stage = Stage::Lead;
  bool observable = true;  ///< false when no column or rule records this stage
  std::size_t reached = 0;
  std::size_t implied = 0;  ///< reached only because a later stage was
  Rate step;                ///< reached / reached at the previous stage
  Rate cumulative;          ///< reached / leads
};

/// One segment of a breakdown.
struct Segment {
  std::optional<std::string> key;  ///< empty = blank value
  std::size_t leads = 0;
  std::size_t prospects = 0;
  Rate rate;
  std::size_t immature = 0;  ///< leads of this segment left out because their window is open
};

/// A --by breakdown.
struct Breakdown {
  ByKey key;
  std::vector<Segment> segments;
};

/// Median and 90th percentile of a set of durations, in hours.
struct DurationSummary {
  Stage from = Stage::Lead;
  Stage to = Stage::Prospect;
  std::size_t n = 0;
  std::optional<double> median_hours;
  std::optional<double> p90_hours;
  std::size_t date_only = 0;  ///< durations with a date-only end (whole-day precision)
  std::size_t negative = 0;   ///< left out: the later event is dated before the earlier one
};

/// A data-quality finding about one lead.
struct QualityIssue {
  std::string lead_id;
  std::size_t line = 0;
  std::string kind;  ///< "before_creation", "out_of_order", "after_as_of"
  std::string detail;
};

/// The key that orders issues of leads on one line (QualityIssue lists).
struct IssueLeadId {
  std::string_view operator()(const QualityIssue& q) const { return q.lead_id; }
};

/// Counters of things that look wrong in the data, and the list of them.
struct DataQuality {
  std::size_t events_before_creation = 0;
  std::size_t leads_out_of_order = 0;
  std::size_t events_after_as_of = 0;
  std::size_t undated_conversions = 0;  ///< reached prospect with no date, so outside any --window
  std::vector<QualityIssue> issues;
  std::size_t issues_unlisted = 0;  ///< issues over FunnelOptions::max_listed (counted only)
};

/// Everything the engine computes.
struct FunnelResult {
  Cohort cohort;
  Rate conversion;  ///< lead -> prospect, the shared metric
  std::vector<StageCount> stages;
  std::vector<Breakdown> breakdowns;
  DurationSummary time_to_convert;          ///< lead -> prospect
  std::vector<DurationSummary> stage_times;  ///< each consecutive pair
  DataQuality quality;
  std::vector<std::string> notes;
};

/// How far one lead got by as-of: events after as-of have not happened yet.
struct LeadProgress {
  std::array<bool, kStageCount> reached{};  ///< it or any later stage was reached
  std::array<bool, kStageCount> direct{};   ///< reached by its own date or a rule
  /// When the stage was reached: the earliest date of it or any later stage
  /// (reaching a later stage means this one was passed by then, even when the
  /// export dates the stages out of order).
  std::array<std::optional<Instant>, kStageCount> when{};
  /// The lead's own stage dates up to as-of (later ones removed).
  std::array<std::optional<Instant>, kStageCount> known{};
};

/// Works out the progress of `lead` as of `as_of`.
LeadProgress lead_progress(const Lead& lead, Instant as_of);
/// The same into `out`, every field written: for a caller that keeps one
/// LeadProgress for all its leads (a new one is zeroed first, 200 bytes).
void lead_progress(const Lead& lead, Instant as_of, LeadProgress& out);

/// Whether `lead` belongs to the cohort: created in [from, to) and by as-of.
/// Leads without a creation date belong only when no date filter is asked for.
bool in_cohort(const Lead& lead, const FunnelOptions& options, bool has_created);

/// The key of the period containing `at`: 2026-03-12, 2026-W11, 2026-03, 2026-Q1, 2026.
std::string period_key(Instant at, Period period, const date::time_zone& zone);

/// The key of the period starting on local day `start` (as period_start gives it).
std::string period_key_of_day(std::int64_t day, Period period);

/// The first local day of the period containing local day `day`.
std::int64_t period_start(std::int64_t day, Period period);

/// The funnel, computed one lead at a time: add every lead in file order,
/// then finish. Holds counters, the durations for the medians and at most
/// max_listed issues: never the leads.
class FunnelAccumulator {
 public:
  FunnelAccumulator(const DatasetShape& shape, const FunnelOptions& options);
  FunnelAccumulator(FunnelAccumulator&&) noexcept;
  FunnelAccumulator& operator=(FunnelAccumulator&&) noexcept;
  ~FunnelAccumulator();
  void add(const Lead& lead);
  /// add() with the lead's lead_progress at the options' as_of, computed once
  /// for several accumulators.
  void add(const Lead& lead, const LeadProgress& progress);
  /// Adds what `later` saw, as if its leads had been added after these.
  void merge(FunnelAccumulator&& later);
  FunnelResult finish();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

/// Computes the funnel for the leads of `data` under `options`.
FunnelResult compute_funnel(const Dataset& data, const FunnelOptions& options);

}  // namespace leadfunnel
