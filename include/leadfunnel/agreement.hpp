#pragma once
/// The agreement file: the definitions both teams keep in git (JSON, comments allowed).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadfunnel/calendar.hpp"
#include "leadfunnel/duration.hpp"
#include "leadfunnel/schema.hpp"

namespace leadfunnel {

/// A rule that marks a stage as reached from a column's current value.
struct StageRule {
  std::string column;
  std::vector<std::string> values;  ///< reached when the value is one of these (trimmed, case-insensitive)
  bool flag = false;                ///< reached when the value is 1/true/t/yes/y/sim/s/x
};

/// Events a clock target can start or stop on.
enum class Event { Created, Mql, Handoff, FirstTouch, Prospect, Opportunity, Won, Lost };

/// The name of an event as written in the agreement (`first_touch`).
std::string_view event_name(Event e);

/// Which side of the hand-off owns a target.
enum class Side { Marketing, Sales, Shared };
std::string_view side_name(Side s);

/// Volume periods.
enum class VolumePeriod { Week, Month };

/// A target of the service agreement.
struct Target {
  enum class Kind { Clock, Volume, Rate };
  std::string name;
  Side side = Side::Shared;
  Kind kind = Kind::Clock;
  // clock: from -> to within `within`, on `calendar` (empty = wall clock), share met >= `share`
  Event from_event = Event::Handoff;
  Event to_event = Event::FirstTouch;
  Millis within{0};
  std::string calendar;
  double share = 0;
  // volume: at least `at_least` leads reaching `stage` per `per`
  Stage stage = Stage::Mql;
  std::size_t at_least = 0;
  VolumePeriod per = VolumePeriod::Week;
  // rate: from_stage -> to_stage at or above `rate`, optionally within `window`
  Stage from_stage = Stage::Lead;
  Stage to_stage = Stage::Prospect;
  double rate = 0;
  std::optional<Millis> window;
};

/// What an agreement file says; empty members were not set.
struct Agreement {
  std::string path;
  std::optional<std::string> timezone;
  std::optional<Millis> window;
  std::optional<DateOrder> date_order;
  std::vector<std::pair<Field, std::string>> columns;
  std::array<std::vector<StageRule>, kStageCount> stage_rules;
  std::vector<Calendar> calendars;
  std::vector<Target> targets;

  /// The calendar with that name, or nullptr.
  const Calendar* find_calendar(std::string_view name) const;
};

/// Parses agreement text; throws AgreementError naming the key and the fix.
Agreement parse_agreement(std::string_view text, const std::string& path);

/// Reads and parses an agreement file; throws AgreementError (exit 78).
Agreement load_agreement(const std::string& path);

/// Whether `value` reads as true in a flag column.
bool is_truthy(std::string_view value);

/// Whether `value` satisfies `rule` (trimmed, case-insensitive).
bool rule_matches(const StageRule& rule, std::string_view value);

/// The stage rules of several stages on one column, matched together: the
/// value is trimmed once, turned down at once when no wanted value has its
/// length, else compared with the wanted values of its length (each distinct
/// value once, whatever number of stages want it).
class ColumnRules {
 public:
  /// Adds a rule of stage `stage` (0-31).
  void add(std::size_t stage, const StageRule& rule);
  /// Bit s set: `value` satisfies a rule of stage s (as rule_matches says).
  std::uint32_t operator()(std::string_view value) const;

 private:
  struct Want {
    std::string lower;  ///< trimmed, ASCII lowercase
    std::uint32_t stages = 0;
  };
  std::vector<Want> wants_;
  std::uint64_t lengths_ = 0;      ///< bit n: a wanted value of n bytes (bit 63: 63 or more)
  std::uint32_t flag_stages_ = 0;  ///< stages with a flag rule on this column
};

}  // namespace leadfunnel
