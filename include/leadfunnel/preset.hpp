#pragma once
/// CRM presets: each knows one vendor's export columns, stage values and
/// quirks, and is recognised from the headers.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadfunnel/agreement.hpp"
#include "leadfunnel/schema.hpp"
#include "leadfunnel/timestamp.hpp"

namespace leadfunnel {

/// What a preset says about a file with given columns.
struct PresetMatch {
  std::string name;                          ///< "hubspot", "salesforce", ...
  std::vector<ColumnRequest> columns;        ///< fields bound to columns that exist
  std::array<std::vector<StageRule>, kStageCount> rules{};  ///< stage rules on columns that exist
  std::optional<DateOrder> date_order;       ///< the vendor's order, for columns the data cannot settle
};

/// The names of all presets.
std::vector<std::string> preset_names();

/// The header, normalized and without accents: `Estágio no funil` -> `estagionofunil`.
std::string fold_header(std::string_view header);

/// Recognises the preset of a file from its columns; `prospects` selects the
/// join id for files read with --prospects (Pipedrive deals join by email).
std::optional<PresetMatch> detect_preset(const std::vector<std::string>& columns, bool prospects);

/// Applies the named preset to these columns, whether or not it is recognised;
/// empty when no preset has that name.
std::optional<PresetMatch> apply_preset(std::string_view name, const std::vector<std::string>& columns,
                                        bool prospects);

}  // namespace leadfunnel
