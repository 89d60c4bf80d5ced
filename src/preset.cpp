// Vendor presets, built from the column names the vendors publish (see
// docs/presets.md for the sources and what each preset assumes). A preset
// only binds columns that exist; the agreement and --map override it.
#include "leadfunnel/preset.hpp"

#include <algorithm>

#include "leadfunnel/text.hpp"

namespace leadfunnel {
namespace {

struct RuleSpec {
  Stage stage;
  std::vector<std::string_view> columns;  ///< header alternatives
  std::vector<std::string_view> values;   ///< empty = a flag column
};

struct PresetSpec {
  std::string_view name;
  /// Every group must match at least one header (folded).
  std::vector<std::vector<std::string_view>> detect;
  std::vector<std::pair<Field, std::vector<std::string_view>>> columns;
  /// Id alternatives when the file is the prospects file, if different.
  std::vector<std::string_view> prospects_id;
  std::vector<RuleSpec> rules;
  std::optional<DateOrder> date_order;
};

const std::vector<PresetSpec>& presets() {
  static const std::vector<PresetSpec> all{
      {"salesforce",
       // Report labels, or the API names of a Data Loader export (Id, LeadSource, IsConverted).
       {{"Lead ID", "Id"}, {"Lead Status", "Lead Owner", "Lead Source", "IsConverted"}},
       {{Field::Id, {"Lead ID", "Id"}},
        {Field::CreatedAt, {"Create Date", "Created Date"}},
        {Field::ProspectAt, {"Converted Date"}},
        {Field::Source, {"Lead Source"}},
        {Field::Owner, {"Lead Owner", "Owner", "OwnerId"}},
        {Field::Status, {"Lead Status", "Status"}}},
       {},
       {{Stage::Prospect, {"Converted", "IsConverted"}, {}},
        {Stage::Prospect, {"Lead Status", "Status"}, {"Qualified", "Closed - Converted", "Converted"}}},
       std::nullopt},
      {"pipedrive",
       {{"Deal - ID"}, {"Deal - Deal created", "Deal - Deal created on", "Deal - Status", "Deal - Stage"}},
       {{Field::Id, {"Deal - ID"}},
        {Field::CreatedAt, {"Deal - Deal created", "Deal - Deal created on"}},
        {Field::WonAt, {"Deal - Won time"}},
        {Field::LostAt, {"Deal - Lost time"}},
        {Field::Source, {"Deal - Source"}},
        {Field::Owner, {"Deal - Owner"}},
        {Field::Status, {"Deal - Status"}}},
       {"Person - Email"},
       {{Stage::Won, {"Deal - Status"}, {"won"}}},
       std::nullopt},
      {"rdstation",
       {{"Email"}, {"Estágio no funil", "Data da primeira conversão", "Origem da primeira conversão"}},
       {{Field::Id, {"Email"}},
        {Field::CreatedAt, {"Data da primeira conversão"}},
        {Field::WonAt, {"Data da última venda"}},
        {Field::Source, {"Origem da primeira conversão"}},
        {Field::Campaign, {"Identificador da primeira conversão"}},
        {Field::Status, {"Estágio no funil"}}},
       {},
       {{Stage::Mql, {"Estágio no funil"}, {"Lead Qualificado"}},
        {Stage::Won, {"Estágio no funil"}, {"Cliente"}}},
       DateOrder::Dmy},
      {"zoho",
       {{"Record Id"}, {"Created Time"}, {"Lead Owner", "Lead Status", "Lead Source"}},
       {{Field::Id, {"Record Id"}},
        {Field::CreatedAt, {"Created Time"}},
        {Field::Source, {"Lead Source"}},
        {Field::Owner, {"Lead Owner"}},
        {Field::Status, {"Lead Status"}}},
       {},
       {{Stage::Prospect, {"Lead Status"}, {"Pre-Qualified", "Qualified", "Converted"}}},
       DateOrder::Mdy},
      {"hubspot",
       // Property labels of a contacts export, or the internal names of an API/warehouse dump.
       {{"Record ID", "Contact ID", "hs_object_id"},
        {"Create Date"},
        {"Lifecycle Stage", "Became a Lead Date", "Became a Marketing Qualified Lead Date", "Contact owner",
         "Original Source", "Original Traffic Source", "hs_lead_status", "hubspot_owner_id"}},
       {{Field::Id, {"Record ID", "Contact ID", "hs_object_id"}},
        {Field::CreatedAt, {"Create Date"}},
        {Field::MqlAt,
         {"Became a Marketing Qualified Lead Date",
          "Date entered \"Marketing Qualified Lead (Lifecycle Stage Pipeline)\"",
          "hs_lifecyclestage_marketingqualifiedlead_date"}},
        {Field::HandoffAt, {"Owner Assigned Date", "hubspot_owner_assigneddate"}},
        {Field::FirstTouchAt, {"Date of first engagement", "First outreach date", "hs_sa_first_engagement_date"}},
        {Field::ProspectAt,
         {"Became a Sales Qualified Lead Date", "Date entered \"Sales Qualified Lead (Lifecycle Stage Pipeline)\"",
          "hs_lifecyclestage_salesqualifiedlead_date"}},
        {Field::OpportunityAt,
         {"Became an Opportunity Date", "Date entered \"Opportunity (Lifecycle Stage Pipeline)\"",
          "hs_lifecyclestage_opportunity_date"}},
        {Field::WonAt,
         {"Became a Customer Date", "Date entered \"Customer (Lifecycle Stage Pipeline)\"",
          "hs_lifecyclestage_customer_date"}},
        {Field::Source, {"Original Source", "Original Traffic Source", "hs_analytics_source"}},
        {Field::Campaign, {"Original Source Drill-Down 1", "Original Traffic Source Drill-Down 1"}},
        {Field::Owner, {"Contact owner", "hubspot_owner_id"}},
        {Field::Status, {"Lead Status", "hs_lead_status"}}},
       {},
       {{Stage::Mql, {"Lifecycle Stage"}, {"Marketing Qualified Lead", "marketingqualifiedlead"}},
        {Stage::Prospect, {"Lifecycle Stage"}, {"Sales Qualified Lead", "salesqualifiedlead"}},
        {Stage::Opportunity, {"Lifecycle Stage"}, {"Opportunity"}},
        {Stage::Won, {"Lifecycle Stage"}, {"Customer", "Evangelist"}}},
       std::nullopt},
  };
  return all;
}

/// The column whose folded header equals one of `names`, first by `names` order.
std::optional<std::size_t> find_folded(const std::vector<std::string>& folded, const std::vector<std::string_view>& names) {
  for (auto name : names) {
    const std::string want = fold_header(name);
    for (std::size_t i = 0; i < folded.size(); ++i)
      if (folded[i] == want) return i;
  }
  return std::nullopt;
}

PresetMatch build(const PresetSpec& p, const std::vector<std::string>& columns, bool prospects) {
  std::vector<std::string> folded;
  for (const auto& c : columns) folded.push_back(fold_header(c));
  PresetMatch m;
  m.name = std::string(p.name);
  m.date_order = p.date_order;
  for (const auto& [field, names] : p.columns) {
    const auto& alternatives = (field == Field::Id && prospects && !p.prospects_id.empty()) ? p.prospects_id : names;
    if (auto col = find_folded(folded, alternatives))
      m.columns.push_back({field, columns[*col], MappingOrigin::Preset});
  }
  for (const auto& r : p.rules) {
    auto col = find_folded(folded, r.columns);
    if (!col) continue;
    StageRule rule;
    rule.column = columns[*col];
    rule.flag = r.values.empty();
    for (auto v : r.values) rule.values.emplace_back(v);
    m.rules[static_cast<std::size_t>(r.stage)].push_back(rule);
  }
  return m;
}

}  // namespace

std::string fold_header(std::string_view header) {
  // Replace the accented letters of Portuguese and Spanish headers by their
  // base letter, then normalize as any header.
  static const std::vector<std::pair<std::string_view, char>> kAccents{
      {"á", 'a'}, {"à", 'a'}, {"â", 'a'}, {"ã", 'a'}, {"ä", 'a'}, {"é", 'e'}, {"ê", 'e'}, {"è", 'e'},
      {"í", 'i'}, {"ó", 'o'}, {"ô", 'o'}, {"õ", 'o'}, {"ö", 'o'}, {"ú", 'u'}, {"ü", 'u'}, {"ç", 'c'},
      {"ñ", 'n'}, {"Á", 'a'}, {"À", 'a'}, {"Â", 'a'}, {"Ã", 'a'}, {"É", 'e'}, {"Ê", 'e'}, {"Í", 'i'},
      {"Ó", 'o'}, {"Ô", 'o'}, {"Õ", 'o'}, {"Ú", 'u'}, {"Ç", 'c'}};
  std::string out;
  for (std::size_t i = 0; i < header.size();) {
    bool replaced = false;
    for (const auto& [from, to] : kAccents)
      if (header.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        replaced = true;
        break;
      }
    if (!replaced) out += header[i++];
  }
  return normalize_header(out);
}

std::vector<std::string> preset_names() {
  std::vector<std::string> out;
  for (const auto& p : presets()) out.emplace_back(p.name);
  return out;
}

std::optional<PresetMatch> detect_preset(const std::vector<std::string>& columns, bool prospects) {
  std::vector<std::string> folded;
  for (const auto& c : columns) folded.push_back(fold_header(c));
  for (const auto& p : presets()) {
    const bool all = std::all_of(p.detect.begin(), p.detect.end(),
                                 [&](const auto& group) { return find_folded(folded, group).has_value(); });
    if (all) return build(p, columns, prospects);
  }
  return std::nullopt;
}

std::optional<PresetMatch> apply_preset(std::string_view name, const std::vector<std::string>& columns,
                                        bool prospects) {
  for (const auto& p : presets())
    if (p.name == name) return build(p, columns, prospects);
  return std::nullopt;
}

}  // namespace leadfunnel
