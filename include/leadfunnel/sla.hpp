#pragma once
/// The service agreement, measured: clock, volume and rate targets. Pure
/// functions; "now" is the as-of passed in.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "leadfunnel/agreement.hpp"
#include "leadfunnel/calendar.hpp"
#include "leadfunnel/funnel.hpp"
#include "leadfunnel/load.hpp"
#include "leadfunnel/stats.hpp"

namespace leadfunnel {

/// One lead of a clock target that missed, or is still open.
struct ClockCase {
  std::string lead_id;
  std::string owner;
  std::size_t line = 0;
  Instant start{};
  std::optional<Instant> end;      ///< empty: no end event by as-of ("never")
  std::optional<double> delay_hours;  ///< measured delay, in the clock's units
  std::optional<Instant> due;      ///< when the limit runs out
};

/// Counts for one owner (or for all) under a clock target.
struct ClockCounts {
  std::optional<std::string> owner;  ///< empty = blank owner (or "all" at the top)
  std::size_t met = 0;
  std::size_t breached = 0;
  std::size_t pending = 0;
  Rate compliance;  ///< met / (met + breached)
  std::optional<double> median_hours;
  std::optional<double> p90_hours;
};

/// One period of a volume target.
struct VolumePeriodResult {
  std::string key;  ///< 2026-W11 or 2026-03
  Instant start{};
  Instant end{};
  std::size_t count = 0;
  double attainment = 0;  ///< count / at_least
  bool complete = false;  ///< the period has ended by as-of
  bool met = false;
};

/// The result of one target.
struct TargetResult {
  Target target;
  bool business_clock = false;  ///< measured on a working calendar (else wall hours)
  /// Met, missed, or empty when there is nothing to judge yet.
  std::optional<bool> pass;
  // clock
  ClockCounts all;
  std::vector<ClockCounts> by_owner;
  std::vector<ClockCase> breaches;  ///< sorted worst first
  std::vector<ClockCase> pending;   ///< sorted by due time
  std::size_t breaches_unlisted = 0;  ///< breaches over FunnelOptions::max_listed (counted only)
  std::size_t pending_unlisted = 0;
  std::size_t end_before_start = 0;
  std::size_t no_start = 0;  ///< cohort leads without the start event
  // volume
  std::vector<VolumePeriodResult> periods;
  std::size_t periods_met = 0;
  std::size_t periods_complete = 0;
  // rate
  Rate rate;
  std::size_t immature = 0;
};

/// Delays on the two clocks people confuse: created -> first touch on the wall
/// clock (speed to lead) and hand-off -> first touch on the agreement's
/// calendar (the sales response), side by side.
struct ResponseTimes {
  std::size_t speed_n = 0;
  std::optional<double> speed_median_hours;
  std::optional<double> speed_p90_hours;
  std::string response_clock;  ///< calendar name, or "wall"
  std::size_t response_n = 0;
  std::optional<double> response_median_hours;
  std::optional<double> response_p90_hours;
};

/// Everything measured against the agreement.
struct SlaResult {
  std::vector<TargetResult> targets;
  std::optional<ResponseTimes> response;
  std::vector<QualityIssue> issues;  ///< end events before their start, etc.
  std::size_t issues_unlisted = 0;
  /// Whether any target was missed.
  bool any_missed() const;
};

/// The agreement measured one lead at a time: add every lead in file order,
/// then finish. Holds counters, delays for the medians and at most
/// max_listed breaches and pending leads per target: never the leads.
class SlaAccumulator {
 public:
  /// `shape` and `agreement` must outlive the accumulator.
  SlaAccumulator(const DatasetShape& shape, const Agreement& agreement, const FunnelOptions& options);
  SlaAccumulator(SlaAccumulator&&) noexcept;
  SlaAccumulator& operator=(SlaAccumulator&&) noexcept;
  ~SlaAccumulator();
  void add(const Lead& lead);
  /// add() with the lead's lead_progress at the options' as_of, computed once
  /// for several accumulators.
  void add(const Lead& lead, const LeadProgress& progress);
  /// Whether the clock targets have so many owners that their counts and
  /// delays are not in the cache between two leads of an owner; then
  /// prefetch(), a few leads ahead of add(), starts loading in 3 steps an
  /// owner's index slots, its counts, and the end of its delays. (With
  /// fewer owners it would only cost hashing the owner's name again.)
  bool many_owners() const;
  void prefetch(const Lead& lead, std::size_t step) const;
  /// Adds what `later` saw, as if its leads had been added after these.
  void merge(SlaAccumulator&& later);
  SlaResult finish();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

/// Measures every target of `agreement` on the cohort of `data`.
SlaResult evaluate_sla(const Dataset& data, const Agreement& agreement, const FunnelOptions& options);

}  // namespace leadfunnel
