#pragma once
/// One lead, as the funnel engine sees it: no text left to parse.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "leadfunnel/schema.hpp"
#include "leadfunnel/timestamp.hpp"

namespace leadfunnel {

struct Lead {
  std::string id;
  std::size_t line = 0;  ///< physical line in the leads file
  /// The lead's own timestamp for each stage (Stage::Lead = created_at).
  std::array<std::optional<Instant>, kStageCount> at{};
  /// Whether each timestamp above carried only a date.
  std::array<bool, kStageCount> date_only{};
  /// Reached without a date: a status rule matched, or (prospect) a row in
  /// the prospects file exists for this lead.
  std::array<bool, kStageCount> flagged{};
  /// A dated row of the prospects file joined this lead: it reached prospect
  /// directly (not only implied), at the earliest date that row gives.
  bool prospect_row = false;
  std::optional<Instant> first_touch_at;
  std::optional<Instant> lost_at;
  /// The owner (sales rep or queue); from the prospects file when blank in the leads file.
  std::string owner;
  /// One value per --by key that reads a field or column; "" is blank.
  std::vector<std::string> segments;
};

}  // namespace leadfunnel
