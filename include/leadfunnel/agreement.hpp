#pragma once
/// The agreement file: the definitions both teams keep in git (JSON, comments allowed).

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadfunnel/duration.hpp"
#include "leadfunnel/schema.hpp"

namespace leadfunnel {

/// A rule that marks a stage as reached from a column's current value.
struct StageRule {
  std::string column;
  std::vector<std::string> values;  ///< reached when the value is one of these (trimmed, case-insensitive)
  bool flag = false;                ///< reached when the value is 1/true/t/yes/y/sim/s/x
};

/// What an agreement file says; empty members were not set.
struct Agreement {
  std::string path;
  std::optional<std::string> timezone;
  std::optional<Millis> window;
  std::vector<std::pair<Field, std::string>> columns;
  std::array<std::vector<StageRule>, kStageCount> stage_rules;
};

/// Parses agreement text; throws AgreementError naming the key and the fix.
Agreement parse_agreement(std::string_view text, const std::string& path);

/// Reads and parses an agreement file; throws AgreementError (exit 78).
Agreement load_agreement(const std::string& path);

/// Whether `value` reads as true in a flag column.
bool is_truthy(std::string_view value);

/// Whether `value` satisfies `rule` (trimmed, case-insensitive).
bool rule_matches(const StageRule& rule, std::string_view value);

}  // namespace leadfunnel
