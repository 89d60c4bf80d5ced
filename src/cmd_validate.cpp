// leadfunnel validate LEADS [options]
//
// Loads and checks the input without computing any metric: which columns were
// mapped to which fields (and why), the dialect sniffed, and every row that was
// rejected, with file, line, column and reason. With --format json it prints
// the same `input` section as `report`. With --dump-records it prints instead
// the records the reader parsed from LEADS, as a JSON array of objects keyed
// by the header, so a parse can be compared with what a file should hold.
// Exit 0 when rejections are within --max-rejected (default 0), else 65.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "leadfunnel/commands.hpp"
#include "leadfunnel/error.hpp"

namespace leadfunnel {
namespace {

/// The records of `t` as JSON, one object per line, keys in header order.
std::string records_json(const RawTable& t) {
  std::vector<std::string> keys = t.columns;
  for (std::size_t j = 0; j < keys.size() && j < t.header.size(); ++j) keys[j] = t.header[j];
  std::string out = "[";
  bool first = true;
  for (const auto& row : t.rows) {
    nlohmann::ordered_json obj = nlohmann::ordered_json::object();
    for (std::size_t j = 0; j < keys.size(); ++j) obj[keys[j]] = j < row.fields.size() ? std::string(row.fields[j]) : std::string();
    out += first ? "\n" : ",\n";
    first = false;
    out += obj.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  out += first ? "]\n" : "\n]\n";
  return out;
}

int dump_records(const InputOptions& options, const ResolvedInput& in, const RunContext& ctx) {
  if (in.format != Format::Json && in.format != Format::Table)
    throw UsageError("--dump-records prints JSON; use it with --format json");
  ReadOptions read = in.load.read;
  read.raw_records = true;
  const RawTable t = read_table(options.leads, read);
  if (options.strict) {
    if (!t.file_errors.empty()) throw InputError(t.path, 0, "", t.file_errors.front());
    if (!t.rejections.empty()) {
      const Rejection& r = t.rejections.front();
      throw InputError(r.file, r.line, r.column, fmt::format("{}:{}: {}", r.file, r.line, r.reason));
    }
  }
  write_output(t.file_errors.empty() ? records_json(t) : "[]\n", options.output, ctx.out);
  InputSummary summary;
  for (const auto& e : t.file_errors) summary.file_errors.push_back(FileError{t.path, e});
  summary.rows_read = t.rows_read();
  summary.rows_rejected = summary.rows_read - t.rows.size();
  summary.rows_used = t.rows.size();
  for (const auto& r : t.rejections)
    ctx.err << fmt::format("{}:{}: {}{}\n", r.file, r.line, r.column.empty() ? "" : "column \"" + r.column + "\": ",
                           r.reason);
  if (t.unlisted_rejections > 0) ctx.err << fmt::format("... and {} more rejected rows\n", t.unlisted_rejections);
  return rejection_status(summary, options.max_rejected, ctx.err);
}

}  // namespace

void setup_validate(CLI::App& app, InputOptions& options) {
  setup_input(app, options);
  app.add_flag("--dump-records", options.dump_records,
               "Print the records parsed from LEADS as a JSON array of objects keyed by the header (values are the "
               "text as read, rows whose fields are all empty included, report titles and footers not skipped), "
               "instead of the summary; rejected rows go to stderr with their line");
}

int run_validate(const InputOptions& options, const RunContext& ctx) {
  const ResolvedInput in = resolve_input(options, ctx.now);
  if (options.dump_records) return dump_records(options, in, ctx);
  // Validation needs the account of the rows, not the leads: none are kept.
  struct Discard final : LeadConsumer {
    void begin(const DatasetShape&) override {}
    void add(const Lead&) override {}
  } discard;
  Report report;
  report.meta.command = "validate";
  report.meta.as_of = format_utc(in.as_of);
  report.meta.tz = in.tz_name;
  report.input = stream_leads(options.leads, options.prospects, in.load, discard);
  write_output([&](std::ostream& out) { render(report, in.format, out); }, options.output, ctx.out);
  return rejection_status(report.input, options.max_rejected, ctx.err);
}

}  // namespace leadfunnel
