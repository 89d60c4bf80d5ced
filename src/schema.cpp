#include "leadfunnel/schema.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace leadfunnel {
namespace {

constexpr std::array<std::string_view, kFieldCount> kFieldNames{
    "id",           "created_at",     "mql_at", "handoff_at", "first_touch_at", "prospect_at", "opportunity_at",
    "won_at",       "lost_at",        "source", "campaign",   "owner",          "status"};

constexpr std::array<std::string_view, kStageCount> kStageNames{"lead",     "mql",         "handoff",
                                                                "prospect", "opportunity", "won"};

constexpr std::array<Field, kFieldCount> kAllFields{
    Field::Id,         Field::CreatedAt,     Field::MqlAt, Field::HandoffAt, Field::FirstTouchAt,
    Field::ProspectAt, Field::OpportunityAt, Field::WonAt, Field::LostAt,    Field::Source,
    Field::Campaign,   Field::Owner,         Field::Status};

/// Normalized header spellings that mean each field. Kept small on purpose:
/// only names that cannot reasonably mean anything else. Vendor presets come
/// with the CRM-exports work.
struct Synonyms {
  Field field;
  std::vector<std::string_view> names;
};

const std::vector<Synonyms>& synonym_table() {
  static const std::vector<Synonyms> table{
      {Field::Id, {"id", "leadid", "recordid", "contactid", "mqlid"}},
      {Field::CreatedAt,
       {"createdat", "created", "createdate", "createddate", "createdtime", "creationdate", "datecreated", "createdon",
        "leadcreatedat", "leadcreateddate", "leadcreatedate"}},
      {Field::MqlAt,
       {"mqlat", "mqldate", "becameamarketingqualifiedleaddate", "marketingqualifiedat",
        "marketingqualifieddate"}},
      {Field::HandoffAt, {"handoffat", "handoffdate", "handedoffat", "ownerassigneddate", "assignedat"}},
      {Field::FirstTouchAt,
       {"firsttouchat", "firsttouchdate", "dateoffirstengagement", "firstengagementdate", "firstoutreachdate",
        "firstcontactat"}},
      {Field::ProspectAt,
       {"prospectat", "prospectdate", "becameasalesqualifiedleaddate", "sqlat", "sqldate", "salesacceptedat",
        "salesaccepteddate"}},
      {Field::OpportunityAt,
       {"opportunityat", "opportunitydate", "becameanopportunitydate", "opportunitycreatedat"}},
      {Field::WonAt,
       {"wonat", "wondate", "becameacustomerdate", "closedwonat", "closedwondate", "customerat", "dealwontime"}},
      {Field::LostAt, {"lostat", "lostdate", "closedlostat", "closedlostdate", "deallosttime"}},
      {Field::Source,
       {"source", "leadsource", "originalsource", "originaltrafficsource", "origin", "utmsource", "channel"}},
      {Field::Campaign, {"campaign", "campaignname", "utmcampaign", "leadcampaign"}},
      {Field::Owner, {"owner", "leadowner", "contactowner", "dealowner", "ownername", "salesrep", "assignedto"}},
      {Field::Status, {"status", "leadstatus"}},
  };
  return table;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string_view field_name(Field f) { return kFieldNames[static_cast<std::size_t>(f)]; }

std::optional<Field> field_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kFieldCount; ++i)
    if (kFieldNames[i] == name) return static_cast<Field>(i);
  return std::nullopt;
}

const std::array<Field, kFieldCount>& all_fields() { return kAllFields; }

std::string_view stage_name(Stage s) { return kStageNames[static_cast<std::size_t>(s)]; }

std::optional<Stage> stage_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kStageCount; ++i)
    if (kStageNames[i] == name) return static_cast<Stage>(i);
  return std::nullopt;
}

std::string normalize_header(std::string_view header) {
  std::string out;
  out.reserve(header.size());
  for (char c : header) {
    if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '"' || c == '\'' || c == '\t') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string_view origin_name(MappingOrigin o) {
  switch (o) {
    case MappingOrigin::Auto: return "auto";
    case MappingOrigin::Preset: return "preset";
    case MappingOrigin::Agreement: return "agreement";
    case MappingOrigin::CommandLine: return "map";
  }
  return "auto";
}

std::optional<std::size_t> find_column(const std::vector<std::string>& columns, std::string_view name) {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return i;
  const std::string want = normalize_header(name);
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (normalize_header(columns[i]) != want) continue;
    if (found) return std::nullopt;  // ambiguous
    found = i;
  }
  return found;
}

ColumnMapping map_columns(const std::vector<std::string>& columns, const std::vector<ColumnRequest>& requests) {
  ColumnMapping mapping;
  std::vector<std::string> normalized;
  normalized.reserve(columns.size());
  for (const auto& c : columns) normalized.push_back(normalize_header(c));

  std::vector<bool> taken(columns.size(), false);
  for (const auto& req : requests)
    if (auto col = find_column(columns, req.column)) taken[*col] = true;

  for (const auto& syn : synonym_table()) {
    std::vector<std::size_t> matches;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (taken[i]) continue;
      if (std::find(syn.names.begin(), syn.names.end(), normalized[i]) != syn.names.end()) matches.push_back(i);
    }
    if (matches.size() == 1) {
      mapping[syn.field] = FieldBinding{matches[0], MappingOrigin::Auto};
      taken[matches[0]] = true;
    } else if (matches.size() > 1) {
      mapping.ambiguous.emplace_back(syn.field, matches);
    }
  }
  for (const auto& req : requests)
    if (auto col = find_column(columns, req.column)) mapping[req.field] = FieldBinding{*col, req.origin};
  // A request settles an ambiguity about its field.
  std::erase_if(mapping.ambiguous, [&](const auto& a) { return mapping[a.first].has_value(); });
  return mapping;
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string w = lower(word);
  std::optional<std::string> best;
  std::size_t best_d = 0;
  for (const auto& c : candidates) {
    // Compare both as typed and normalized, so "lead id" finds "Lead_ID".
    const std::size_t d = std::min(edit_distance(w, lower(c)), edit_distance(normalize_header(word), normalize_header(c)));
    if (!best || d < best_d) {
      best = c;
      best_d = d;
    }
  }
  if (!best) return std::nullopt;
  // Accept up to a third of the word's length in edits (at least 2).
  const std::size_t limit = std::max<std::size_t>(2, w.size() / 3);
  if (best_d > limit) return std::nullopt;
  return best;
}

}  // namespace leadfunnel
