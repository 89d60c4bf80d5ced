// CSV: one observation per row, so a spreadsheet can filter and pivot it.
// Columns: section,key,segment,stage,measure,value,file,line,column,detail.
#include <fmt/format.h>

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

class Writer {
 public:
  void add(const Row& r) {
    const std::string cells[] = {r.section, r.key, r.segment, r.stage, r.measure, r.value, r.file, r.line, r.column, r.detail};
    bool first = true;
    for (const auto& c : cells) {
      if (!first) out_ += ',';
      out_ += quote(c);
      first = false;
    }
    out_ += "\r\n";
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
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string render_csv(const Report& report) {
  Writer w;
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
    for (const auto& q : f.quality.issues)
      w.add(Row{"data_quality_issue", {}, q.lead_id, {}, q.kind, {}, {}, std::to_string(q.line), {}, q.detail});
  }
  return w.take();
}

}  // namespace leadfunnel
