// CSV: one observation per row, so a spreadsheet can filter and pivot it.
// Columns: section,key,segment,stage,measure,value,file,line,column,detail.
#include <fmt/format.h>

#include <ostream>
#include <sstream>

#include "leadfunnel/report.hpp"

namespace leadfunnel {
namespace {

std::string quote(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

struct Row {
  std::string section, key, segment, stage, measure, value, file, line, column, detail;
};

/// Writes each row to the output as it is added (a report may list
/// hundreds of thousands of rejected rows).
class Writer {
 public:
  explicit Writer(std::ostream& out) : out_(out) {}
  void add(const Row& r) {
    const std::string cells[] = {r.section, r.key, r.segment, r.stage, r.measure, r.value, r.file, r.line, r.column, r.detail};
    line_.clear();
    for (const auto& c : cells) {
      if (&c != cells) line_ += ',';
      line_ += quote(c);
    }
    line_ += "\r\n";
    out_ << line_;
  }
  void measure(std::string section, std::string measure, std::string value, std::string key = {},
               std::string segment = {}, std::string stage = {}) {
    add(Row{std::move(section), std::move(key), std::move(segment), std::move(stage), std::move(measure), std::move(value),
            {}, {}, {}, {}});
  }
  void rate(const std::string& section, const Rate& r, const std::string& key = {}, const std::string& segment = {},
            const std::string& stage = {}, const std::string& prefix = {}) {
    measure(section, prefix + "rate", num(r.value), key, segment, stage);
    measure(section, prefix + "ci95_low", r.ci95 ? fmt::format("{}", r.ci95->low) : "", key, segment, stage);
    measure(section, prefix + "ci95_high", r.ci95 ? fmt::format("{}", r.ci95->high) : "", key, segment, stage);
  }
  static std::string num(const std::optional<double>& v) { return v ? fmt::format("{}", *v) : std::string(); }

 private:
  std::ostream& out_;
  std::string line_;
};

}  // namespace

void render_csv(const Report& report, std::ostream& out) {
  Writer w(out);
  w.add(Row{"section", "key", "segment", "stage", "measure", "value", "file", "line", "column", "detail"});
  w.measure("meta", "schema_version", kSchemaVersion);
  w.measure("meta", "command", report.meta.command);
  w.measure("meta", "as_of", report.meta.as_of);
  w.measure("meta", "tz", report.meta.tz);
  w.measure("meta", "window", report.meta.window.value_or(""));
  w.measure("meta", "from", report.meta.from.value_or(""));
  w.measure("meta", "to", report.meta.to.value_or(""));

  const auto& in = report.input;
  for (const auto& f : in.files) {
    auto file_measure = [&](const std::string& m, const std::string& v) {
      w.add(Row{"input", f.role, {}, {}, m, v, f.path, {}, {}, {}});
    };
    file_measure("format", f.format);
    if (f.format == "csv") file_measure("delimiter", f.delimiter == '\t' ? "\t" : std::string(1, f.delimiter));
    file_measure("rows_read", std::to_string(f.rows_read));
    file_measure("rows_used", std::to_string(f.rows_used));
    file_measure("rows_rejected", std::to_string(f.rows_rejected));
    for (const auto& m : f.mapping)
      w.add(Row{"mapping", f.role, {}, {}, std::string(field_name(m.field)), m.column, f.path, {}, {},
                std::string(origin_name(m.origin))});
  }
  w.measure("input", "rows_read", std::to_string(in.rows_read));
  w.measure("input", "rows_used", std::to_string(in.rows_used));
  w.measure("input", "rows_rejected", std::to_string(in.rows_rejected));
  w.measure("input", "orphans", std::to_string(in.orphans));
  for (const auto& e : in.file_errors) w.add(Row{"file_error", {}, {}, {}, {}, {}, e.file, {}, {}, e.message});
  for (const auto& r : in.rejections)
    w.add(Row{"rejection", {}, {}, {}, {}, {}, r.file, std::to_string(r.line), r.column, r.reason});

  if (report.funnel) {
    const auto& f = *report.funnel;
    w.measure("conversion", "leads", std::to_string(f.conversion.denominator), {}, {}, "lead -> prospect");
    w.measure("conversion", "prospects", std::to_string(f.conversion.numerator), {}, {}, "lead -> prospect");
    w.rate("conversion", f.conversion, {}, {}, "lead -> prospect");
    w.measure("conversion", "immature_leads", std::to_string(f.cohort.immature), {}, {}, "lead -> prospect");
    for (const auto& s : f.stages) {
      const std::string st(stage_name(s.stage));
      w.measure("funnel", "reached", std::to_string(s.reached), {}, {}, st);
      w.measure("funnel", "implied", std::to_string(s.implied), {}, {}, st);
      w.measure("funnel", "step_rate", s.stage == Stage::Lead ? "" : Writer::num(s.step.value), {}, {}, st);
      w.measure("funnel", "cumulative_rate", Writer::num(s.cumulative.value), {}, {}, st);
    }
    for (const auto& b : f.breakdowns)
      for (const auto& seg : b.segments) {
        const std::string key = seg.key.value_or("");
        w.measure("breakdown", "leads", std::to_string(seg.leads), b.key.name, key);
        w.measure("breakdown", "prospects", std::to_string(seg.prospects), b.key.name, key);
        w.rate("breakdown", seg.rate, b.key.name, key);
        if (report.meta.window) w.measure("breakdown", "immature_leads", std::to_string(seg.immature), b.key.name, key);
      }
    auto duration = [&](const DurationSummary& d) {
      const std::string st = pair_text(d.from, d.to);
      w.measure("time_to_convert", "n", std::to_string(d.n), {}, {}, st);
      w.measure("time_to_convert", "median_hours", Writer::num(d.median_hours), {}, {}, st);
      w.measure("time_to_convert", "p90_hours", Writer::num(d.p90_hours), {}, {}, st);
    };
    duration(f.time_to_convert);
    for (const auto& d : f.stage_times) duration(d);
    w.measure("data_quality", "events_before_creation", std::to_string(f.quality.events_before_creation));
    w.measure("data_quality", "leads_out_of_order", std::to_string(f.quality.leads_out_of_order));
    w.measure("data_quality", "events_after_as_of", std::to_string(f.quality.events_after_as_of));
    w.measure("data_quality", "undated_conversions", std::to_string(f.quality.undated_conversions));
    w.measure("data_quality", "duplicate_ids", std::to_string(in.duplicate_ids));
    w.measure("data_quality", "orphans", std::to_string(in.orphans));
    for (const auto& c : in.checks) {
      w.measure("data_quality", c.kind, std::to_string(c.count));
      for (const auto& e : c.examples)
        w.add(Row{"data_quality_example", c.kind, e.id, {}, {}, e.value, e.file, e.line ? std::to_string(e.line) : "", {}, c.description});
    }
    for (const auto& q : f.quality.issues)
      w.add(Row{"data_quality_issue", {}, q.lead_id, {}, q.kind, {}, {}, std::to_string(q.line), {}, q.detail});
  }
  if (report.sla) {
    // SLA rows: key = target name; segment = owner or period; stage = the clock or stage pair.
    for (const auto& q : report.sla->issues)
      w.add(Row{"data_quality_issue", {}, q.lead_id, {}, q.kind, {}, {}, std::to_string(q.line), {}, q.detail});
    for (const auto& r : report.sla->targets) {
      const Target& t = r.target;
      const std::string& name = t.name;
      w.measure("sla", "pass", r.pass ? (*r.pass ? "true" : "false") : "", name);
      if (t.kind == Target::Kind::Clock) {
        const std::string st = fmt::format("{} -> {}", event_name(t.from_event), event_name(t.to_event));
        w.measure("sla", "threshold", fmt::format("{}", t.share), name, {}, st);
        auto counts = [&](const ClockCounts& c, const std::string& segment) {
          w.measure("sla", "met", std::to_string(c.met), name, segment, st);
          w.measure("sla", "breached", std::to_string(c.breached), name, segment, st);
          w.measure("sla", "pending", std::to_string(c.pending), name, segment, st);
          w.rate("sla", c.compliance, name, segment, st, "compliance_");
          w.measure("sla", r.business_clock ? "median_business_hours" : "median_hours", Writer::num(c.median_hours), name, segment, st);
          w.measure("sla", r.business_clock ? "p90_business_hours" : "p90_hours", Writer::num(c.p90_hours), name, segment, st);
        };
        counts(r.all, "");
        for (const auto& o : r.by_owner) counts(o, o.owner ? "owner:" + *o.owner : "owner:");
        auto cases = [&](const std::vector<ClockCase>& list, const char* section) {
          for (const auto& c : list)
            w.add(Row{section, name, c.lead_id, st, c.owner, Writer::num(c.delay_hours), {}, std::to_string(c.line), {},
                      fmt::format("start {}; end {}; due {}", format_utc(c.start), c.end ? format_utc(*c.end) : "never",
                                  c.due ? format_utc(*c.due) : "n/a")});
        };
        cases(r.breaches, "sla_breach");
        cases(r.pending, "sla_pending");
      } else if (t.kind == Target::Kind::Volume) {
        w.measure("sla", "threshold", std::to_string(t.at_least), name, {}, std::string(stage_name(t.stage)));
        for (const auto& p : r.periods) {
          w.measure("sla", "count", std::to_string(p.count), name, p.key, std::string(stage_name(t.stage)));
          w.measure("sla", "attainment", fmt::format("{}", p.attainment), name, p.key, std::string(stage_name(t.stage)));
          w.measure("sla", "complete", p.complete ? "true" : "false", name, p.key, std::string(stage_name(t.stage)));
        }
      } else {
        const std::string st = pair_text(t.from_stage, t.to_stage);
        w.measure("sla", "threshold", fmt::format("{}", t.rate), name, {}, st);
        w.measure("sla", "leads", std::to_string(r.rate.denominator), name, {}, st);
        w.measure("sla", "reached", std::to_string(r.rate.numerator), name, {}, st);
        w.rate("sla", r.rate, name, {}, st);
      }
    }
  }
}

std::string render_csv(const Report& report) {
  std::ostringstream out;
  render_csv(report, out);
  return std::move(out).str();
}

}  // namespace leadfunnel
