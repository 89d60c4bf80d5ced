#pragma once
/// The format-neutral report, and the printing rules every renderer shares.

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "leadfunnel/funnel.hpp"
#include "leadfunnel/load.hpp"
#include "leadfunnel/sla.hpp"
#include "leadfunnel/stats.hpp"

namespace leadfunnel {

/// The JSON schema version; minor versions only add keys.
inline constexpr const char* kSchemaVersion = "1.2";

/// What a run describes: the command, the moment, the zone, the cohort filters.
struct ReportMeta {
  std::string command;  ///< "report" or "validate"
  std::string as_of;    ///< ISO 8601 UTC
  std::string tz;
  std::optional<std::string> window;  ///< as a duration, e.g. "90d"
  std::optional<std::string> from;    ///< ISO 8601 UTC
  std::optional<std::string> to;
};

/// Everything a renderer lays out. Renderers never compute.
struct Report {
  ReportMeta meta;
  InputSummary input;
  std::optional<FunnelResult> funnel;  ///< empty for `validate`
  std::optional<SlaResult> sla;        ///< empty for `validate`
};

/// Output formats.
enum class Format { Table, Json, Csv, Markdown };

/// Renders `report` in `format`; the text ends with a newline.
std::string render(const Report& report, Format format);
/// The same text, written to `out` as it is made: the rejections of the
/// JSON and CSV reports (up to RawTable::kListedRejections per file and
/// kind) are written one at a time, never held as a whole text.
void render(const Report& report, Format format, std::ostream& out);

std::string render_table(const Report& report);
std::string render_json(const Report& report);
void render_json(const Report& report, std::ostream& out);
std::string render_csv(const Report& report);
void render_csv(const Report& report, std::ostream& out);
std::string render_markdown(const Report& report);

// Shared printing rules, so every text format shows numbers the same way.

/// "23.4%" with one decimal, or "n/a".
std::string percent_text(const std::optional<double>& rate);
/// "19.9%-27.3%", or "n/a".
std::string interval_text(const std::optional<Interval>& ci);
/// A duration in hours as "5.2 h" below two days, else "3.4 d"; "n/a" when empty.
std::string hours_text(const std::optional<double>& hours);
/// The delimiter as a word: "comma", "semicolon", "tab", "pipe".
std::string delimiter_name(char d);
/// A segment key as text: the value, or "(blank)".
std::string segment_text(const std::optional<std::string>& key);
/// "lead -> prospect".
std::string pair_text(Stage from, Stage to);

}  // namespace leadfunnel
