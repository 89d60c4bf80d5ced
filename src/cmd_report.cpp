// leadfunnel report LEADS [options]
//
// The main job. Computes the shared metric, lead -> prospect conversion on a
// cohort basis (leads created in [--from, --to) that reached prospect by
// --as-of, or within --window of creation), with a 95% Wilson interval; the
// funnel lead -> mql -> handoff -> prospect -> opportunity -> won with step and
// cumulative rates ("ever reached": skipped stages are implied and counted);
// breakdowns by field, column or period (--by); median and p90 time to
// convert; and data-quality counters. Reads the files in blocks (the leads
// file's ids once before its rows) and keeps counters rather than leads (see
// docs/performance.md).
// With an agreement (--config), it also measures the service agreement: clock
// targets on the wall clock or a working calendar, volume targets per week or
// month, rate targets; --fail-on-breach turns a missed target into exit 1.
// Defaults: --as-of now, --tz UTC (or the agreement's), --format table,
// --max-rejected 0.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <system_error>
#include <thread>

#include "leadfunnel/commands.hpp"
#include "leadfunnel/error.hpp"
#include "leadfunnel/funnel.hpp"
#include "leadfunnel/parallel.hpp"
#include "leadfunnel/sla.hpp"
#include "leadfunnel/spill.hpp"

namespace leadfunnel {

void setup_report(CLI::App& app, ReportOptions& o) {
  setup_input(app, o.input);
  app.add_option("--by", o.by,
                 "Break the conversion down by KEY (repeatable): a field (source, campaign, owner, status), a period "
                 "of lead creation (day, week, month, quarter, year), or any column name. A column only the prospects "
                 "file has takes each lead's first prospects row; leads without one are (blank)")
      ->type_name("KEY");
  app.add_option("--from", o.from, "Cohort: leads created at or after this date/time (in --tz)")->type_name("DATE");
  app.add_option("--to", o.to, "Cohort: leads created before this date/time (in --tz)")->type_name("DATE");
  app.add_option("--window", o.window,
                 "Count a conversion only within DURATION of lead creation (e.g. 90d, 2w, 36h); leads whose window "
                 "is still open at --as-of are reported as immature and left out of every rate")
      ->type_name("DURATION");
  app.add_flag("--fail-on-breach", o.fail_on_breach,
               "Exit 1 when any target of the agreement (--config) is missed; the report is still printed");
  app.add_flag("-q,--quiet", o.quiet,
               "Print nothing when the exit status is 0 (for cron); -o FILE is still written");
}

namespace {

/// Takes the leads as the load step accepts them, into the funnel and the agreement.
class Measure final : public LeadConsumer {
 public:
  Measure(const FunnelOptions& f, const Agreement& agreement, bool needs_created)
      : f_(f), agreement_(agreement), needs_created_(needs_created) {}

  void begin(const DatasetShape& shape) override {
    if (needs_created_ && !shape.has_field[static_cast<std::size_t>(Field::CreatedAt)])
      throw UsageError("--from, --to and --window need the lead creation date, and no column is mapped to "
                       "created_at; use --map created_at=COLUMN");
    shape_ = shape;
    funnel.emplace(shape_, f_);
    sla.emplace(shape_, agreement_, f_);
  }
  void add(const Lead& lead) override {
    lead_progress(lead, f_.as_of, progress_);
    funnel->add(lead, progress_);
    sla->add(lead, progress_);
  }
  bool wants_prefetch() const override { return sla->many_owners(); }
  void prefetch(const Lead& lead, std::size_t step) override { sla->prefetch(lead, step); }
  // The accumulators give the same result however leads are shared out.
  std::unique_ptr<LeadConsumer> part() override {
    auto p = std::make_unique<Measure>(f_, agreement_, false);
    p->begin(shape_);
    return p;
  }
  void join(LeadConsumer& part) override {
    auto& p = static_cast<Measure&>(part);
    funnel->merge(std::move(*p.funnel));
    sla->merge(std::move(*p.sla));
  }

  std::optional<FunnelAccumulator> funnel;
  std::optional<SlaAccumulator> sla;

 private:
  FunnelOptions f_;
  const Agreement& agreement_;
  bool needs_created_;
  DatasetShape shape_;
  LeadProgress progress_;  ///< the lead being added (kept: see lead_progress)
};

}  // namespace

int run_report(const ReportOptions& o, const RunContext& ctx) {
  const ResolvedInput in = resolve_input(o.input, ctx.now);

  FunnelOptions f;
  f.as_of = in.as_of;
  f.zone = in.zone;
  f.max_listed = in.max_listed;
  f.threads = in.load.threads;
  auto parse_bound = [&](const std::optional<std::string>& text, const char* flag) -> std::optional<Instant> {
    if (!text) return std::nullopt;
    auto t = parse_timestamp(*text, *in.zone);
    if (!t.value) throw UsageError(fmt::format("{} {}: {}", flag, *text, t.error));
    return t.value->at;
  };
  f.from = parse_bound(o.from, "--from");
  f.to = parse_bound(o.to, "--to");
  if (f.from && f.to && *f.to <= *f.from)
    throw UsageError(fmt::format("--from {} --to {}: the range is empty; --to must be after --from", *o.from, *o.to));
  if (o.window) {
    auto w = parse_duration(*o.window);
    if (!w || w->count() <= 0)
      throw UsageError(fmt::format("--window {}: not a duration; write it like 90d, 2w or 36h", *o.window));
    f.window = *w;
  } else if (in.load.agreement && in.load.agreement->window) {
    f.window = in.load.agreement->window;
  }

  LoadOptions load = in.load;
  load.by = o.by;
  const Agreement no_agreement;
  const Agreement& agreement = in.load.agreement ? *in.load.agreement : no_agreement;
  Measure measure(f, agreement, f.from || f.to || f.window);

  Report report;
  report.meta.command = "report";
  report.meta.as_of = format_utc(in.as_of);
  report.meta.tz = in.tz_name;
  if (f.window) report.meta.window = format_duration(*f.window);
  if (f.from) report.meta.from = format_utc(*f.from);
  if (f.to) report.meta.to = format_utc(*f.to);
  report.input = stream_leads(o.input.leads, o.input.prospects, load, measure);
  // The funnel's medians and the agreement's are taken at once: each set
  // is read back from the temporary file, and neither half alone keeps the
  // threads busy to its end.
  const std::size_t parts = f.threads > 1 ? 2 : 1;
  run_parts(parts, [&](std::size_t k) {
    if (k == parts - 1) report.funnel = measure.funnel->finish();
    if (k == 0) report.sla = measure.sla->finish();
  });
  // The temporary file is no longer needed: it is closed while the report is
  // written (freeing its pages took 30 ms at 10M leads, more than the JSON),
  // or here when no thread can be started.
  std::jthread release_spill;
  try {
    release_spill = std::jthread(SpillFile::release);
  } catch (const std::system_error&) {
    SpillFile::release();
  }

  int status = rejection_status(report.input, o.input.max_rejected, ctx.err);
  if (status == 0 && o.fail_on_breach && report.sla->any_missed()) {
    std::vector<std::string> missed;
    for (const auto& t : report.sla->targets)
      if (t.pass == false) missed.push_back(fmt::format("\"{}\"", t.target.name));
    ctx.err << fmt::format("leadfunnel: target(s) missed: {}\n", fmt::join(missed, ", "));
    status = static_cast<int>(ExitCode::Alert);
  }
  if (o.quiet && status == 0 && !o.input.output) return 0;
  write_output([&](std::ostream& out) { render(report, in.format, out); }, o.input.output, ctx.out);
  return status;
}

}  // namespace leadfunnel
