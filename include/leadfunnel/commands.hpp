#pragma once
/// The subcommands: each has an options struct, a setup that binds its flags,
/// and a run function.

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "leadfunnel/load.hpp"
#include "leadfunnel/report.hpp"
#include "leadfunnel/timestamp.hpp"

namespace CLI {
class App;
}

namespace leadfunnel {

/// Options shared by every command that reads leads.
struct InputOptions {
  std::string leads;
  std::optional<std::string> prospects;
  std::vector<std::string> map;
  std::optional<std::string> config;
  std::optional<std::string> tz;
  std::optional<std::string> delimiter;
  std::optional<std::string> date_order;
  std::optional<std::string> encoding;
  std::optional<std::string> preset;
  std::string duplicates = "first";
  bool fold_case = false;
  std::optional<std::string> as_of;
  std::string format = "table";
  std::optional<std::string> output;
  bool strict = false;
  std::string max_rejected = "0";
  std::string max_field_bytes = "1M";
  std::size_t threads = 0;  ///< --threads; 0 = the number of cores
  std::size_t max_listed = 1000;  ///< --max-listed; 0 = no limit
  bool dump_records = false;  ///< validate only: print the parsed records
};

/// Options of `leadfunnel report`.
struct ReportOptions {
  InputOptions input;
  std::vector<std::string> by;
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::string> window;
  bool fail_on_breach = false;
  bool quiet = false;
};

/// Options of `leadfunnel init`.
struct InitOptions {
  std::optional<std::string> file;  ///< an export whose headers fill the column mapping
  std::optional<std::string> output;
  bool force = false;
};

/// Streams the run writes to, and the default moment.
struct RunContext {
  std::ostream& out;
  std::ostream& err;
  Instant now;
};

void setup_report(CLI::App& app, ReportOptions& options);
int run_report(const ReportOptions& options, const RunContext& ctx);

void setup_init(CLI::App& app, InitOptions& options);
int run_init(const InitOptions& options, const RunContext& ctx);
/// The starter agreement text for a file with these columns (none: placeholders).
std::string starter_agreement(const std::vector<std::string>& columns, const std::string& source);

void setup_validate(CLI::App& app, InputOptions& options);
int run_validate(const InputOptions& options, const RunContext& ctx);

// Shared steps of both commands.

/// What the input options resolve to before loading.
struct ResolvedInput {
  LoadOptions load;
  const date::time_zone* zone = nullptr;
  std::string tz_name;
  Instant as_of{};
  Format format = Format::Table;
  std::size_t max_listed = 1000;
};

/// Binds the input options shared by report and validate.
void setup_input(CLI::App& app, InputOptions& options);
/// Checks and resolves the input options (zone, agreement, as-of, format).
ResolvedInput resolve_input(const InputOptions& options, Instant now);
/// Writes the report to -o FILE (atomically) or to the output stream.
void write_output(const std::string& text, const std::optional<std::string>& output, std::ostream& out);
/// The same, for a report written by `write` as it is made.
void write_output(const std::function<void(std::ostream&)>& write, const std::optional<std::string>& output,
                  std::ostream& out);
/// --max-rejected, parsed: a count, or a percentage of rows read.
struct RejectLimit {
  double limit = 0;
  bool percent = false;
};
/// Parses "N" or "N%"; throws UsageError on anything else.
RejectLimit parse_max_rejected(const std::string& text);
/// Parses a byte count with an optional K, M or G suffix (powers of 1024);
/// throws UsageError naming `option` on anything else.
std::size_t parse_byte_size(const std::string& text, const std::string& option);
/// The exit status for the rejections in `input` under --max-rejected.
int rejection_status(const InputSummary& input, const std::string& max_rejected, std::ostream& err);

}  // namespace leadfunnel
