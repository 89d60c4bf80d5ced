#pragma once
/// Canonical fields and stages, and how a file's columns map onto them.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadfunnel {

/// The fields leadfunnel understands, whatever the export calls them.
enum class Field {
  Id,
  CreatedAt,
  MqlAt,
  HandoffAt,
  FirstTouchAt,
  ProspectAt,
  OpportunityAt,
  WonAt,
  LostAt,
  Source,
  Campaign,
  Owner,
  Status,
};
inline constexpr std::size_t kFieldCount = 13;

/// Funnel stages, in order.
enum class Stage { Lead, Mql, Handoff, Prospect, Opportunity, Won };
inline constexpr std::size_t kStageCount = 6;

/// The canonical name of a field (`created_at`).
std::string_view field_name(Field f);
/// The field with that canonical name, if any.
std::optional<Field> field_from_name(std::string_view name);
/// Whether the field holds a timestamp.
constexpr bool is_timestamp_field(Field f) {
  switch (f) {
    case Field::CreatedAt:
    case Field::MqlAt:
    case Field::HandoffAt:
    case Field::FirstTouchAt:
    case Field::ProspectAt:
    case Field::OpportunityAt:
    case Field::WonAt:
    case Field::LostAt: return true;
    default: return false;
  }
}
/// All fields, in canonical order.
const std::array<Field, kFieldCount>& all_fields();

/// The name of a stage (`prospect`).
std::string_view stage_name(Stage s);
/// The stage with that name, if any.
std::optional<Stage> stage_from_name(std::string_view name);
/// The timestamp field that records reaching the stage (lead -> created_at).
constexpr Field stage_field(Stage s) {
  switch (s) {
    case Stage::Lead: return Field::CreatedAt;
    case Stage::Mql: return Field::MqlAt;
    case Stage::Handoff: return Field::HandoffAt;
    case Stage::Prospect: return Field::ProspectAt;
    case Stage::Opportunity: return Field::OpportunityAt;
    case Stage::Won: return Field::WonAt;
  }
  return Field::CreatedAt;
}

/// Lowercase, with spaces, `_`, `-`, `.` and quotes removed: "Lead_ID" -> "leadid".
std::string normalize_header(std::string_view header);

/// Where a mapping came from, for the report.
enum class MappingOrigin { Auto, Preset, Agreement, CommandLine };
std::string_view origin_name(MappingOrigin o);

/// One canonical field bound to one column of one file.
struct FieldBinding {
  std::size_t column = 0;
  MappingOrigin origin = MappingOrigin::Auto;
};

/// The columns of one file that give each canonical field.
struct ColumnMapping {
  std::array<std::optional<FieldBinding>, kFieldCount> fields;
  /// Fields left unbound because several columns matched them, with those columns.
  std::vector<std::pair<Field, std::vector<std::size_t>>> ambiguous;
  const std::optional<FieldBinding>& operator[](Field f) const { return fields[static_cast<std::size_t>(f)]; }
  std::optional<FieldBinding>& operator[](Field f) { return fields[static_cast<std::size_t>(f)]; }
};

/// A request to bind a field to a named column.
struct ColumnRequest {
  Field field;
  std::string column;
  MappingOrigin origin;
};

/// Finds the column named `name` exactly, else the only one whose normalized
/// name matches; empty when none or when several match.
std::optional<std::size_t> find_column(const std::vector<std::string>& columns, std::string_view name);

/// Auto-detects each field from the synonym table, then applies `requests`
/// (later ones win) for the requests whose column exists in `columns`.
/// A column is bound to at most one field by auto-detection, and a field is
/// auto-bound only when exactly one column matches it.
ColumnMapping map_columns(const std::vector<std::string>& columns, const std::vector<ColumnRequest>& requests);

/// The candidate closest to `word` by edit distance (case-insensitive), when
/// close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace leadfunnel
