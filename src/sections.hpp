#pragma once
// The human-readable report as sections of lines and grids, built once and
// laid out by the table and markdown renderers.

#include <string>
#include <vector>

#include "leadfunnel/report.hpp"

namespace leadfunnel::detail {

/// A small table: a header, per-column right alignment, rows of text.
struct Grid {
  std::vector<std::string> header;
  std::vector<bool> right;
  std::vector<std::vector<std::string>> rows;
};

/// A titled block: lines, an optional grid, more lines.
struct Section {
  std::string title;
  std::vector<std::string> lines;
  Grid grid;
  std::vector<std::string> after;
};

/// How many rejected rows and quality issues the text formats list.
inline constexpr std::size_t kListLimit = 10;

/// The headline sentence: "Lead -> prospect conversion: 23.4% (70 of 299 leads; 95% CI 19.0%-28.5%)".
std::string headline(const Report& report);

/// One line on the agreement's targets, or "" when it has none:
/// "Service agreement: 1 of 3 targets missed (Sales response)".
std::string sla_headline(const Report& report);

/// The title line: command, as-of, zone, filters.
std::string title_line(const Report& report);

/// All sections after the headline, in reading order.
std::vector<Section> build_sections(const Report& report);

}  // namespace leadfunnel::detail
