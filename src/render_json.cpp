// The JSON report. Key order is fixed (ordered_json), rows are in the order
// the engine produced them, and undefined numbers are null. docs/json.md
// describes every key; keep the two in step.
#include <nlohmann/json.hpp>

#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "leadfunnel/report.hpp"

namespace leadfunnel {
namespace {

using ojson = nlohmann::ordered_json;

ojson opt(const std::optional<double>& v) { return v ? ojson(*v) : ojson(nullptr); }
ojson opt(const std::optional<std::string>& v) { return v ? ojson(*v) : ojson(nullptr); }
ojson interval(const std::optional<Interval>& ci) {
  return ci ? ojson::array({ci->low, ci->high}) : ojson(nullptr);
}
ojson days(const std::optional<double>& hours) { return hours ? ojson(*hours / 24.0) : ojson(nullptr); }

std::string delimiter_text(char d) { return d == '\t' ? std::string("\t") : std::string(1, d); }

ojson file_json(const FileSummary& f) {
  ojson j;
  j["role"] = f.role;
  j["path"] = f.path;
  j["preset"] = f.preset ? ojson(*f.preset) : ojson(nullptr);
  ojson dialect;
  dialect["format"] = f.format;
  dialect["encoding"] = f.encoding;
  dialect["bom"] = f.bom;
  if (f.format == "csv") {
    dialect["delimiter"] = delimiter_text(f.delimiter);
    dialect["line_ending"] = f.line_ending;
    dialect["trailing_delimiter"] = f.trailing_delimiter;
  }
  j["dialect"] = dialect;
  ojson dates = ojson::array();
  for (const auto& d : f.dates)
    dates.push_back(ojson{{"column", d.column}, {"format", d.format}, {"decided_by", d.decided_by}});
  j["dates"] = dates;
  j["columns"] = f.columns;
  ojson mapping = ojson::object();
  for (const auto& m : f.mapping)
    mapping[std::string(field_name(m.field))] = ojson{{"column", m.column}, {"origin", origin_name(m.origin)}};
  j["mapping"] = mapping;
  j["rows_read"] = f.rows_read;
  j["rows_used"] = f.rows_used;
  j["rows_rejected"] = f.rows_rejected;
  j["blank_rows"] = f.blank_rows;
  j["non_data_rows"] = f.non_data_rows;
  j["errors"] = f.errors;
  return j;
}

ojson checks_json(const std::vector<QualityCheck>& checks) {
  ojson out = ojson::array();
  for (const auto& c : checks) {
    ojson examples = ojson::array();
    for (const auto& e : c.examples)
      examples.push_back(ojson{{"file", e.file},
                               {"line", e.line},
                               {"id", e.id.empty() ? ojson(nullptr) : ojson(e.id)},
                               {"value", e.value.empty() ? ojson(nullptr) : ojson(e.value)}});
    out.push_back(ojson{{"kind", c.kind}, {"description", c.description}, {"count", c.count}, {"examples", examples}});
  }
  return out;
}

ojson input_json(const InputSummary& in) {
  ojson j;
  ojson files = ojson::array();
  for (const auto& f : in.files) files.push_back(file_json(f));
  j["files"] = files;
  j["dialect"] = in.files.empty() ? ojson(nullptr) : files[0]["dialect"];
  ojson mapping = ojson::array();
  for (const auto& f : in.files)
    for (const auto& m : f.mapping)
      mapping.push_back(
          ojson{{"field", field_name(m.field)}, {"file", f.path}, {"column", m.column}, {"origin", origin_name(m.origin)}});
  j["mapping"] = mapping;
  j["rows_read"] = in.rows_read;
  j["rows_used"] = in.rows_used;
  j["rows_rejected"] = in.rows_rejected;
  j["orphans"] = in.orphans;
  j["duplicate_ids"] = in.duplicate_ids;
  // Left empty here: write_rejections writes them into the text (see render_json).
  j["rejections"] = ojson::array();
  j["rejections_unlisted"] = in.rejections_unlisted;
  ojson file_errors = ojson::array();
  for (const auto& e : in.file_errors) file_errors.push_back(ojson{{"file", e.file}, {"message", e.message}});
  j["file_errors"] = file_errors;
  j["notes"] = in.notes;
  j["checks"] = checks_json(in.checks);
  return j;
}

ojson rate_fields(ojson j, const Rate& r) {
  j["rate"] = opt(r.value);
  j["ci95"] = interval(r.ci95);
  return j;
}

ojson duration_json(const DurationSummary& d) {
  ojson j;
  j["from"] = stage_name(d.from);
  j["to"] = stage_name(d.to);
  j["n"] = d.n;
  j["median_hours"] = opt(d.median_hours);
  j["p90_hours"] = opt(d.p90_hours);
  j["median_days"] = days(d.median_hours);
  j["p90_days"] = days(d.p90_hours);
  j["date_only"] = d.date_only;
  j["negative_excluded"] = d.negative;
  return j;
}

void add_funnel(ojson& j, const FunnelResult& f, const InputSummary& in, bool windowed) {
  ojson cohort;
  cohort["leads_loaded"] = f.cohort.leads_loaded;
  cohort["leads"] = f.cohort.leads;
  cohort["outside_range"] = f.cohort.outside_range;
  cohort["created_after_as_of"] = f.cohort.created_after_as_of;
  cohort["no_created_date"] = f.cohort.no_created_date;
  cohort["immature"] = f.cohort.immature;
  j["cohort"] = cohort;

  ojson conv;
  conv["from"] = "lead";
  conv["to"] = "prospect";
  conv["leads"] = f.conversion.denominator;
  conv["prospects"] = f.conversion.numerator;
  conv = rate_fields(conv, f.conversion);
  conv["mature"] = windowed ? ojson(f.cohort.immature == 0) : ojson(nullptr);
  conv["immature_leads"] = f.cohort.immature;
  j["conversion"] = conv;

  ojson funnel = ojson::array();
  for (const auto& s : f.stages) {
    ojson row;
    row["stage"] = stage_name(s.stage);
    row["observable"] = s.observable;
    row["reached"] = s.reached;
    row["implied"] = s.implied;
    row["step_rate"] = s.stage == Stage::Lead ? ojson(nullptr) : opt(s.step.value);
    row["step_ci95"] = s.stage == Stage::Lead ? ojson(nullptr) : interval(s.step.ci95);
    row["cumulative_rate"] = opt(s.cumulative.value);
    row["cumulative_ci95"] = interval(s.cumulative.ci95);
    funnel.push_back(row);
  }
  j["funnel"] = std::move(funnel);

  ojson breakdowns = ojson::object();
  for (const auto& b : f.breakdowns) {
    ojson rows = ojson::array();
    for (const auto& s : b.segments) {
      ojson row;
      row["key"] = opt(s.key);
      row["leads"] = s.leads;
      row["prospects"] = s.prospects;
      row = rate_fields(row, s.rate);
      if (windowed) {
        row["mature"] = s.immature == 0;
        row["immature_leads"] = s.immature;
      }
      rows.push_back(row);
    }
    breakdowns[b.key.name] = rows;
  }
  j["breakdowns"] = std::move(breakdowns);

  ojson ttc = duration_json(f.time_to_convert);
  ojson stages = ojson::array();
  for (const auto& d : f.stage_times) stages.push_back(duration_json(d));
  ttc["stages"] = stages;
  j["time_to_convert"] = ttc;

  ojson dq;
  dq["events_before_creation"] = f.quality.events_before_creation;
  dq["leads_out_of_order"] = f.quality.leads_out_of_order;
  dq["events_after_as_of"] = f.quality.events_after_as_of;
  dq["undated_conversions"] = f.quality.undated_conversions;
  dq["duplicate_ids"] = in.duplicate_ids;
  dq["orphans"] = in.orphans;
  dq["checks"] = checks_json(in.checks);
  ojson issues = ojson::array();
  for (const auto& q : f.quality.issues)
    issues.push_back(ojson{{"lead_id", q.lead_id}, {"line", q.line}, {"kind", q.kind}, {"detail", q.detail}});
  dq["issues"] = issues;
  dq["issues_unlisted"] = f.quality.issues_unlisted;
  j["data_quality"] = std::move(dq);
  j["notes"] = f.notes;
}

ojson instant(const std::optional<Instant>& t) { return t ? ojson(format_utc(*t)) : ojson(nullptr); }

ojson clock_counts(const ClockCounts& c) {
  ojson j;
  j["met"] = c.met;
  j["breached"] = c.breached;
  j["pending"] = c.pending;
  j = rate_fields(j, c.compliance);
  j["median_hours"] = opt(c.median_hours);
  j["p90_hours"] = opt(c.p90_hours);
  return j;
}

ojson clock_case(const ClockCase& c) {
  return ojson{{"lead_id", c.lead_id},
               {"owner", c.owner.empty() ? ojson(nullptr) : ojson(c.owner)},
               {"line", c.line},
               {"start", format_utc(c.start)},
               {"end", instant(c.end)},
               {"delay_hours", opt(c.delay_hours)},
               {"due", instant(c.due)}};
}

ojson target_json(const TargetResult& r) {
  const Target& t = r.target;
  ojson j;
  j["name"] = t.name;
  j["owner"] = side_name(t.side);
  switch (t.kind) {
    case Target::Kind::Clock: {
      j["type"] = "clock";
      j["from"] = event_name(t.from_event);
      j["to"] = event_name(t.to_event);
      j["within"] = format_duration(t.within);
      j["within_hours"] = static_cast<double>(t.within.count()) / 3600000.0;
      j["clock"] = t.calendar.empty() ? ojson("wall") : ojson(t.calendar);
      j["units"] = r.business_clock ? "business_hours" : "wall_hours";
      j["threshold"] = t.share;
      j["result"] = opt(r.all.compliance.value);
      j["pass"] = r.pass ? ojson(*r.pass) : ojson(nullptr);
      ojson counts = clock_counts(r.all);
      for (auto it = counts.begin(); it != counts.end(); ++it) j[it.key()] = it.value();
      j["no_start_event"] = r.no_start;
      j["end_before_start"] = r.end_before_start;
      ojson owners = ojson::array();
      for (const auto& o : r.by_owner) {
        ojson row;
        row["owner"] = opt(o.owner);
        ojson c = clock_counts(o);
        for (auto it = c.begin(); it != c.end(); ++it) row[it.key()] = it.value();
        owners.push_back(row);
      }
      j["by_owner"] = std::move(owners);
      ojson breaches = ojson::array();
      for (const auto& c : r.breaches) breaches.push_back(clock_case(c));
      j["breaches"] = std::move(breaches);
      ojson pending = ojson::array();
      for (const auto& c : r.pending) pending.push_back(clock_case(c));
      j["pending_leads"] = std::move(pending);
      j["breaches_unlisted"] = r.breaches_unlisted;
      j["pending_unlisted"] = r.pending_unlisted;
      break;
    }
    case Target::Kind::Volume: {
      j["type"] = "volume";
      j["stage"] = stage_name(t.stage);
      j["per"] = t.per == VolumePeriod::Week ? "week" : "month";
      j["threshold"] = t.at_least;
      j["result"] = r.periods_complete ? ojson(r.periods_met) : ojson(nullptr);
      j["pass"] = r.pass ? ojson(*r.pass) : ojson(nullptr);
      j["periods_met"] = r.periods_met;
      j["periods_complete"] = r.periods_complete;
      ojson periods = ojson::array();
      for (const auto& p : r.periods)
        periods.push_back(ojson{{"period", p.key},
                                {"start", format_utc(p.start)},
                                {"end", format_utc(p.end)},
                                {"count", p.count},
                                {"attainment", p.attainment},
                                {"complete", p.complete},
                                {"met", p.met}});
      j["periods"] = std::move(periods);
      break;
    }
    case Target::Kind::Rate: {
      j["type"] = "rate";
      j["from"] = stage_name(t.from_stage);
      j["to"] = stage_name(t.to_stage);
      j["window"] = t.window ? ojson(format_duration(*t.window)) : ojson(nullptr);
      j["threshold"] = t.rate;
      j["result"] = opt(r.rate.value);
      j["pass"] = r.pass ? ojson(*r.pass) : ojson(nullptr);
      j["leads"] = r.rate.denominator;
      j["reached"] = r.rate.numerator;
      j["ci95"] = interval(r.rate.ci95);
      j["immature_leads"] = r.immature;
      break;
    }
  }
  return j;
}

ojson sla_json(const SlaResult& s) {
  ojson j;
  bool any_judged = false;
  for (const auto& t : s.targets) any_judged = any_judged || t.pass.has_value();
  j["passed"] = any_judged ? ojson(!s.any_missed()) : ojson(nullptr);
  std::vector<std::string> missed;
  for (const auto& t : s.targets)
    if (t.pass == false) missed.push_back(t.target.name);
  j["missed"] = missed;
  ojson targets = ojson::array();
  for (const auto& t : s.targets) targets.push_back(target_json(t));
  j["targets"] = std::move(targets);
  if (s.response) {
    const auto& r = *s.response;
    j["response"] = ojson{
        {"speed_to_lead",
         {{"from", "created"}, {"to", "first_touch"}, {"clock", "wall"}, {"n", r.speed_n},
          {"median_hours", opt(r.speed_median_hours)}, {"p90_hours", opt(r.speed_p90_hours)}}},
        {"sales_response",
         {{"from", "handoff"}, {"to", "first_touch"}, {"clock", r.response_clock}, {"n", r.response_n},
          {"median_hours", opt(r.response_median_hours)}, {"p90_hours", opt(r.response_p90_hours)}}}};
  } else {
    j["response"] = nullptr;
  }
  return j;
}

ojson rejection_json(const Rejection& r) {
  return ojson{{"file", r.file},
               {"line", r.line},
               {"column", r.column.empty() ? ojson(nullptr) : ojson(r.column)},
               {"reason", r.reason}};
}

/// Invalid UTF-8 in the data is replaced rather than failing the report.
std::string dump(const ojson& j) { return j.dump(2, ' ', false, ojson::error_handler_t::replace); }

/// The items of `input.rejections`, as dump() would lay them out inside the
/// report (array items 6 spaces in), one at a time: a report may list
/// hundreds of thousands, and as one JSON tree they would take a kilobyte each.
void write_rejections(const std::vector<Rejection>& rejections, std::ostream& out) {
  std::string item;
  for (std::size_t i = 0; i < rejections.size(); ++i) {
    item = i == 0 ? "[\n      " : ",\n      ";
    // A string's own line breaks are escaped, so every line break here is
    // the layout's: each gets the 6 spaces.
    for (const char c : dump(rejection_json(rejections[i]))) {
      item += c;
      if (c == '\n') item += "      ";
    }
    out << item;
  }
  out << "\n    ]";
}

ojson report_json(const Report& report) {
  ojson j;
  j["schema_version"] = kSchemaVersion;
  j["tool"] = ojson{{"name", "leadfunnel"}, {"version", LEADFUNNEL_VERSION}};
  j["command"] = report.meta.command;
  j["as_of"] = report.meta.as_of;
  j["tz"] = report.meta.tz;
  j["window"] = opt(report.meta.window);
  j["from"] = opt(report.meta.from);
  j["to"] = opt(report.meta.to);
  j["input"] = input_json(report.input);
  if (report.funnel) add_funnel(j, *report.funnel, report.input, report.meta.window.has_value());
  if (report.sla) {
    j["sla"] = sla_json(*report.sla);
    // SLA findings belong with the other data-quality issues.
    for (const auto& q : report.sla->issues)
      j["data_quality"]["issues"].push_back(
          ojson{{"lead_id", q.lead_id}, {"line", q.line}, {"kind", q.kind}, {"detail", q.detail}});
    if (j["data_quality"].contains("issues_unlisted"))
      j["data_quality"]["issues_unlisted"] =
          j["data_quality"]["issues_unlisted"].get<std::size_t>() + report.sla->issues_unlisted;
  }
  return j;
}

}  // namespace

void render_json(const Report& report, std::ostream& out) {
  const std::string text = dump(report_json(report));
  // The tree has `input.rejections` empty; the items go in its place. A line
  // break in the text is the layout's (a string's own are escaped), and only
  // that key is 4 spaces in, so this finds it and nothing else.
  constexpr std::string_view kEmpty = "\n    \"rejections\": []";
  const std::size_t at = report.input.rejections.empty() ? std::string::npos : text.find(kEmpty);
  if (at == std::string::npos) {
    out << text << '\n';
    return;
  }
  const std::size_t items = at + kEmpty.size() - 2;  // where "[]" starts
  out.write(text.data(), static_cast<std::streamsize>(items));
  write_rejections(report.input.rejections, out);
  out.write(text.data() + items + 2, static_cast<std::streamsize>(text.size() - items - 2));
  out << '\n';
}

std::string render_json(const Report& report) {
  std::ostringstream out;
  render_json(report, out);
  return std::move(out).str();
}

}  // namespace leadfunnel
