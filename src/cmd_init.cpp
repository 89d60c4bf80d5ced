// leadfunnel init [EXPORT] [-o FILE]
//
// Writes a commented starter agreement: the column mapping (filled from the
// export's headers where auto-detection can tell, the rest left as comments to
// fill in), one working calendar, and one example target of each kind. The
// text parses as it is, so `report --config` works straight away. Refuses to
// overwrite an existing file unless --force.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>

#include "leadfunnel/commands.hpp"
#include "leadfunnel/error.hpp"
#include "leadfunnel/input.hpp"
#include "leadfunnel/schema.hpp"

namespace leadfunnel {

namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += fmt::format("\\u{:04x}", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

void setup_init(CLI::App& app, InitOptions& o) {
  app.add_option("EXPORT", o.file, "An export (CSV/JSON) whose headers fill in the column mapping");
  app.add_option("-o,--output", o.output, "Write the agreement to FILE instead of stdout")->type_name("FILE");
  app.add_flag("--force", o.force, "Overwrite FILE if it exists");
}

std::string starter_agreement(const std::vector<std::string>& columns, const std::string& source) {
  const ColumnMapping m = map_columns(columns, {});
  std::vector<std::string> found, missing;
  for (Field f : all_fields()) {
    if (m[f])
      found.push_back(fmt::format("    {}: {}", json_string(field_name(f)), json_string(columns[m[f]->column])));
    else
      missing.push_back(fmt::format("    // {}: \"\",", json_string(field_name(f))));
  }
  std::string out;
  out += "{\n";
  out += "  // leadfunnel agreement: the definitions marketing and sales are both judged by.\n";
  out += "  // Keep it in git next to the nightly job. Format: docs/agreement.md.\n\n";
  out += "  // The time zone naive timestamps are read in and periods are cut in.\n";
  out += "  \"timezone\": \"UTC\",\n\n";
  out += source.empty() ? "  // Which column holds each field. Name yours below.\n"
                        : fmt::format("  // Which column holds each field, found in the headers of {}.\n"
                                      "  // Fields still commented out were not recognised: name their column.\n",
                                      source);
  out += "  \"columns\": {\n";
  for (std::size_t i = 0; i < found.size(); ++i) out += found[i] + (i + 1 < found.size() ? ",\n" : "\n");
  for (const auto& l : missing) out += l + "\n";
  out += "  },\n\n";
  out += "  // Stages an export records as a status rather than a date, for example:\n";
  out += "  // \"stages\": { \"prospect\": [ { \"column\": \"Lead Status\", \"in\": [\"Qualified\"] } ] },\n\n";
  out += "  // Working calendars for business-hours clocks (several intervals a day allowed).\n";
  out += "  \"calendars\": {\n";
  out += "    \"sales_hours\": {\n";
  out += "      \"timezone\": \"UTC\",\n";
  out += "      \"hours\": { \"mon-fri\": [\"09:00-12:00\", \"13:00-18:00\"] },\n";
  out += "      \"holidays\": []\n";
  out += "      // \"holidays_ics\": \"holidays.ics\"   (all-day events; path relative to this file)\n";
  out += "    }\n";
  out += "  },\n\n";
  out += "  // What each side promises. Adjust the numbers to what your teams agreed.\n";
  out += "  \"targets\": [\n";
  out += "    // Sales touches every hand-off within 4 business hours, 90% of the time.\n";
  out += "    { \"name\": \"Sales response\", \"owner\": \"sales\", \"type\": \"clock\", \"from\": \"handoff\",\n";
  out += "      \"to\": \"first_touch\", \"within\": \"4h\", \"calendar\": \"sales_hours\", \"target\": \"90%\" },\n";
  out += "    // Marketing delivers at least 50 MQLs a month.\n";
  out += "    { \"name\": \"MQL volume\", \"owner\": \"marketing\", \"type\": \"volume\", \"stage\": \"mql\",\n";
  out += "      \"at_least\": 50, \"per\": \"month\" },\n";
  out += "    // Both own the shared number: lead -> prospect within 90 days.\n";
  out += "    { \"name\": \"Lead to prospect\", \"owner\": \"shared\", \"type\": \"rate\", \"from\": \"lead\",\n";
  out += "      \"to\": \"prospect\", \"at_least\": \"15%\", \"window\": \"90d\" }\n";
  out += "  ]\n";
  out += "}\n";
  return out;
}

int run_init(const InitOptions& o, const RunContext& ctx) {
  std::vector<std::string> columns;
  if (o.file) columns = read_table(*o.file, ReadOptions{}).columns;
  const std::string text = starter_agreement(columns, o.file.value_or(""));
  if (o.output && *o.output != "-" && !o.force && std::filesystem::exists(*o.output))
    throw UsageError(fmt::format("{} exists; pass --force to overwrite it", *o.output));
  write_output(text, o.output, ctx.out);
  return 0;
}

}  // namespace leadfunnel
