// leadfunnel validate LEADS [options]
//
// Loads and checks the input without computing any metric: which columns were
// mapped to which fields (and why), the dialect sniffed, and every row that was
// rejected, with file, line, column and reason. With --format json it prints
// the same `input` section as `report`. Reads each file into memory once.
// Exit 0 when rejections are within --max-rejected (default 0), else 65.
#include <CLI/CLI.hpp>

#include "leadfunnel/commands.hpp"

namespace leadfunnel {

void setup_validate(CLI::App& app, InputOptions& options) { setup_input(app, options); }

int run_validate(const InputOptions& options, const RunContext& ctx) {
  const ResolvedInput in = resolve_input(options, ctx.now);
  const Dataset data = load_dataset(options.leads, options.prospects, in.load);
  Report report;
  report.meta.command = "validate";
  report.meta.as_of = format_utc(in.as_of);
  report.meta.tz = in.tz_name;
  report.input = data.input;
  write_output(render(report, in.format), options.output, ctx.out);
  return rejection_status(report.input, options.max_rejected, ctx.err);
}

}  // namespace leadfunnel
