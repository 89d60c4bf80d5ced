#include "sections.hpp"

#include <fmt/format.h>

#include "leadfunnel/text.hpp"

namespace leadfunnel::detail {
namespace {

std::string count_text(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

Section input_section(const Report& r) {
  Section s;
  s.title = "Input";
  const auto& in = r.input;
  for (const auto& f : in.files) {
    std::string dialect = f.format;
    if (f.format == "csv") dialect += fmt::format(", {}, {}", delimiter_name(f.delimiter), f.line_ending);
    if (f.preset) dialect += ", preset " + *f.preset;
    if (f.encoding != "utf-8") dialect += ", " + f.encoding;
    if (f.bom) dialect += ", BOM";
    s.lines.push_back(fmt::format("{} ({}): {}; {} read, {} used, {} rejected", f.role, dialect, f.path, f.rows_read,
                                  f.rows_used, f.rows_rejected));
    for (const auto& d : f.dates)
      if (d.format != "iso")
        s.lines.push_back(fmt::format("  dates in \"{}\" read as {} ({})", printable(d.column, 40), d.format,
                                      d.decided_by));
    if (f.mapping.empty()) s.lines.push_back("  mapping: (none)");
    for (const auto& mc : f.mapping)
      s.lines.push_back(fmt::format("  {:<15} <- \"{}\" ({})", field_name(mc.field), printable(mc.column, 50),
                                    origin_name(mc.origin)));
  }
  s.lines.push_back(fmt::format("rows: {} read = {} used + {} rejected{}", in.rows_read, in.rows_used, in.rows_rejected,
                                in.orphans ? fmt::format(" (of which {} orphan prospects rows)", in.orphans) : ""));
  for (const auto& e : in.file_errors) s.after.push_back(fmt::format("File error: {}", e.message));
  if (!in.rejections.empty()) {
    const std::size_t shown = std::min(in.rejections.size(), kListLimit);
    s.after.push_back(fmt::format("Rejected rows ({}{}):", in.rejections.size(),
                                  shown < in.rejections.size() ? fmt::format(", first {}", shown) : ""));
    for (std::size_t i = 0; i < shown; ++i) {
      const auto& rj = in.rejections[i];
      s.after.push_back(fmt::format("  {}:{}: {}{}", rj.file, rj.line,
                                    rj.column.empty() ? "" : fmt::format("column \"{}\": ", rj.column), rj.reason));
    }
    if (shown < in.rejections.size())
      s.after.push_back(fmt::format("  ... and {} more (all are listed with --format json or csv)",
                                    in.rejections.size() - shown));
  }
  if (in.rejections_unlisted > 0)
    s.after.push_back(fmt::format("  ... and {} more rejected rows, counted but not listed (a file lists at most {})",
                                  in.rejections_unlisted, RawTable::kListedRejections));
  for (const auto& n : in.notes) s.after.push_back(fmt::format("note: {}", n));
  return s;
}

Section funnel_section(const FunnelResult& f) {
  Section s;
  s.title = "Funnel (a stage counts if it or any later stage was reached)";
  s.grid.header = {"stage", "reached", "implied", "step", "cumulative"};
  s.grid.right = {false, true, true, true, true};
  for (const auto& st : f.stages) {
    s.grid.rows.push_back({std::string(stage_name(st.stage)) + (st.observable ? "" : " (implied)"), std::to_string(st.reached),
                           st.stage == Stage::Lead ? "-" : std::to_string(st.implied),
                           st.stage == Stage::Lead ? "-" : percent_text(st.step.value),
                           percent_text(st.cumulative.value)});
  }
  bool any_unobservable = false;
  for (const auto& st : f.stages) any_unobservable = any_unobservable || !st.observable;
  s.after.push_back("step = reached / reached at the previous stage; cumulative = reached / leads");
  if (any_unobservable)
    s.after.push_back("(implied): no column or rule records this stage; its count comes from later stages only");
  return s;
}

Section time_section(const FunnelResult& f) {
  Section s;
  s.title = "Time to convert";
  s.grid.header = {"stages", "n", "median", "p90"};
  s.grid.right = {false, true, true, true};
  auto row = [&](const DurationSummary& d) {
    s.grid.rows.push_back({pair_text(d.from, d.to), std::to_string(d.n), hours_text(d.median_hours), hours_text(d.p90_hours)});
  };
  row(f.time_to_convert);
  for (const auto& d : f.stage_times) row(d);
  return s;
}

Section breakdown_section(const Breakdown& b, bool windowed) {
  Section s;
  s.title = fmt::format("By {}", b.key.name);
  s.grid.header = {b.key.name, "leads", "prospects", "rate", "95% CI"};
  s.grid.right = {false, true, true, true, true};
  if (windowed) {
    s.grid.header.push_back("immature");
    s.grid.right.push_back(true);
  }
  for (const auto& seg : b.segments) {
    std::vector<std::string> row{segment_text(seg.key), std::to_string(seg.leads), std::to_string(seg.prospects),
                                 percent_text(seg.rate.value), interval_text(seg.rate.ci95)};
    if (windowed) row.push_back(std::to_string(seg.immature));
    s.grid.rows.push_back(std::move(row));
  }
  return s;
}

Section quality_section(const FunnelResult& f, const InputSummary& in) {
  Section s;
  s.title = "Data quality";
  const auto& q = f.quality;
  s.lines.push_back(fmt::format("{}, {}, {}, {}, {}",
                                count_text(q.events_before_creation, "event before creation", "events before creation"),
                                count_text(q.leads_out_of_order, "lead out of funnel order", "leads out of funnel order"),
                                count_text(q.events_after_as_of, "event after as-of", "events after as-of"),
                                count_text(in.duplicate_ids, "duplicate id", "duplicate ids"),
                                count_text(in.orphans, "orphan", "orphans")));
  for (const auto& c : in.checks) {
    if (c.kind == "duplicate_ids") continue;  // already counted above
    s.lines.push_back(fmt::format("{}: {} ({})", c.kind, c.count, c.description));
    for (std::size_t i = 0; i < c.examples.size() && i < 3; ++i) {
      const auto& e = c.examples[i];
      std::string where = e.line ? fmt::format("{}:{}", e.file, e.line) : e.file;
      if (!e.id.empty()) where += fmt::format(" id {}", e.id);
      s.lines.push_back(fmt::format("    {}{}", where, e.value.empty() ? "" : ": " + e.value));
    }
  }
  const std::size_t shown = std::min(q.issues.size(), kListLimit);
  for (std::size_t i = 0; i < shown; ++i)
    s.lines.push_back(fmt::format("  lead {} (line {}): {}", printable(q.issues[i].lead_id, 30), q.issues[i].line,
                                  q.issues[i].detail));
  if (shown < q.issues.size() + q.issues_unlisted)
    s.lines.push_back(fmt::format("  ... and {} more ({} are listed with --format json; see --max-listed)",
                                  q.issues.size() + q.issues_unlisted - shown, q.issues.size()));
  return s;
}

std::string pass_text(const std::optional<bool>& pass) {
  if (!pass) return "n/a";
  return *pass ? "PASS" : "MISS";
}

std::string owner_text(const std::optional<std::string>& o) { return o ? printable(*o, 30) : std::string("(blank)"); }

/// Delay hours in the clock's units: "3.5 bh" for business hours, "3.5 h" on the wall clock.
std::string clock_hours(const std::optional<double>& h, bool business) {
  if (!h) return "n/a";
  return fmt::format("{:.1f} {}", *h, business ? "bh" : "h");
}

std::vector<Section> sla_sections(const SlaResult& sla, const std::string& tz_note) {
  std::vector<Section> out;
  if (!sla.targets.empty()) {
    Section s;
    s.title = "Service agreement";
    s.grid.header = {"target", "owner", "result", "threshold", "status", "counts"};
    s.grid.right = {false, false, true, true, false, false};
    for (const auto& r : sla.targets) {
      const Target& t = r.target;
      std::string result, threshold, counts;
      switch (t.kind) {
        case Target::Kind::Clock:
          result = percent_text(r.all.compliance.value);
          threshold = fmt::format(">= {}", percent_text(t.share));
          counts = fmt::format("{} met, {} breached, {} pending", r.all.met, r.all.breached, r.all.pending);
          break;
        case Target::Kind::Volume:
          result = r.periods_complete ? fmt::format("{}/{} periods", r.periods_met, r.periods_complete) : "n/a";
          threshold = fmt::format(">= {}/{}", t.at_least, t.per == VolumePeriod::Week ? "week" : "month");
          counts = r.periods.empty() ? "no periods" : fmt::format("latest {}: {}", r.periods.back().key, r.periods.back().count);
          break;
        case Target::Kind::Rate:
          result = percent_text(r.rate.value);
          threshold = fmt::format(">= {}", percent_text(t.rate));
          counts = fmt::format("{} of {}", r.rate.numerator, r.rate.denominator);
          break;
      }
      s.grid.rows.push_back({printable(t.name, 28), std::string(side_name(t.side)), result, threshold, pass_text(r.pass), counts});
    }
    out.push_back(s);
  }
  for (const auto& r : sla.targets) {
    const Target& t = r.target;
    if (t.kind == Target::Kind::Clock) {
      Section s;
      s.title = fmt::format("{}: {} -> {} within {} ({})", printable(t.name, 40), event_name(t.from_event),
                            event_name(t.to_event), format_duration(t.within),
                            t.calendar.empty() ? std::string("wall clock") : "calendar " + t.calendar);
      s.lines.push_back(fmt::format("delay median {}, p90 {}; {} lead(s) without a {} event; {} end(s) before start",
                                    clock_hours(r.all.median_hours, r.business_clock),
                                    clock_hours(r.all.p90_hours, r.business_clock), r.no_start, event_name(t.from_event),
                                    r.end_before_start));
      s.grid.header = {"owner", "met", "breached", "pending", "compliance", "median"};
      s.grid.right = {false, true, true, true, true, true};
      for (const auto& o : r.by_owner)
        s.grid.rows.push_back({owner_text(o.owner), std::to_string(o.met), std::to_string(o.breached),
                               std::to_string(o.pending), percent_text(o.compliance.value),
                               clock_hours(o.median_hours, r.business_clock)});
      const std::size_t shown = std::min(r.breaches.size(), kListLimit);
      if (shown)
        s.after.push_back(fmt::format("Worst breaches ({} of {}; {} in --format json or csv, see --max-listed):", shown,
                                      r.breaches.size() + r.breaches_unlisted, r.breaches.size()));
      for (std::size_t i = 0; i < shown; ++i) {
        const auto& c = r.breaches[i];
        s.after.push_back(fmt::format("  lead {} (line {}, {}): start {}, end {}, delay {}, due {}", printable(c.lead_id, 24),
                                      c.line, c.owner.empty() ? "(blank)" : printable(c.owner, 20), format_utc(c.start),
                                      c.end ? format_utc(*c.end) : "never", clock_hours(c.delay_hours, r.business_clock),
                                      c.due ? format_utc(*c.due) : "n/a"));
      }
      const std::size_t pend = std::min(r.pending.size(), kListLimit);
      if (pend)
        s.after.push_back(
            fmt::format("Pending, due soonest first ({} of {}):", pend, r.pending.size() + r.pending_unlisted));
      for (std::size_t i = 0; i < pend; ++i) {
        const auto& c = r.pending[i];
        s.after.push_back(fmt::format("  lead {} (line {}, {}): start {}, due {}", printable(c.lead_id, 24), c.line,
                                      c.owner.empty() ? "(blank)" : printable(c.owner, 20), format_utc(c.start),
                                      c.due ? format_utc(*c.due) : "n/a"));
      }
      out.push_back(s);
    } else if (t.kind == Target::Kind::Volume) {
      Section s;
      s.title = fmt::format("{}: at least {} {} per {} ({})", printable(t.name, 40), t.at_least, stage_name(t.stage),
                            t.per == VolumePeriod::Week ? "week" : "month", tz_note);
      s.grid.header = {"period", "count", "attainment", "status"};
      s.grid.right = {false, true, true, false};
      for (const auto& p : r.periods)
        s.grid.rows.push_back({p.key, std::to_string(p.count), percent_text(p.attainment),
                               p.complete ? (p.met ? "met" : "MISSED") : (p.met ? "met (in progress)" : "in progress")});
      out.push_back(s);
    }
  }
  if (sla.response) {
    const auto& r = *sla.response;
    Section s;
    s.title = "Response times (two different questions)";
    s.grid.header = {"measure", "clock", "n", "median", "p90"};
    s.grid.right = {false, false, true, true, true};
    s.grid.rows.push_back({"speed to lead: created -> first touch", "wall", std::to_string(r.speed_n),
                           clock_hours(r.speed_median_hours, false), clock_hours(r.speed_p90_hours, false)});
    const bool business = r.response_clock != "wall";
    s.grid.rows.push_back({"sales response: handoff -> first touch", r.response_clock, std::to_string(r.response_n),
                           clock_hours(r.response_median_hours, business), clock_hours(r.response_p90_hours, business)});
    s.after.push_back("bh = business hours on the calendar; h = wall-clock hours");
    out.push_back(s);
  }
  return out;
}

}  // namespace

std::string title_line(const Report& r) {
  std::string t = fmt::format("leadfunnel {}: as of {} (tz {})", r.meta.command, r.meta.as_of, r.meta.tz);
  if (r.meta.from || r.meta.to)
    t += fmt::format(", cohort created {} to {}", r.meta.from.value_or("start"), r.meta.to.value_or("as-of"));
  if (r.meta.window) t += fmt::format(", window {}", *r.meta.window);
  return t;
}

std::string headline(const Report& r) {
  const auto& c = r.funnel->conversion;
  std::string h = fmt::format("Lead -> prospect conversion: {} ({} of {} leads; 95% CI {})", percent_text(c.value),
                              c.numerator, c.denominator, interval_text(c.ci95));
  if (r.meta.window) h += fmt::format(", within {}", *r.meta.window);
  return h;
}

std::string sla_headline(const Report& r) {
  if (!r.sla || r.sla->targets.empty()) return {};
  std::vector<std::string> missed;
  std::size_t judged = 0;
  for (const auto& t : r.sla->targets) {
    if (t.pass) ++judged;
    if (t.pass == false) missed.push_back(printable(t.target.name, 40));
  }
  if (missed.empty())
    return fmt::format("Service agreement: {} of {} targets met{}", judged, r.sla->targets.size(),
                       judged < r.sla->targets.size() ? " (the others have nothing to judge yet)" : "");
  return fmt::format("Service agreement: {} of {} targets missed ({})", missed.size(), r.sla->targets.size(),
                     fmt::join(missed, ", "));
}

std::vector<Section> build_sections(const Report& r) {
  std::vector<Section> out;
  if (r.funnel) {
    const auto& f = *r.funnel;
    out.push_back(funnel_section(f));
    out.push_back(time_section(f));
    if (r.sla) {
      auto sla = sla_sections(*r.sla, "periods in " + r.meta.tz);
      out.insert(out.end(), sla.begin(), sla.end());
    }
    for (const auto& b : f.breakdowns) out.push_back(breakdown_section(b, r.meta.window.has_value()));
    out.push_back(quality_section(f, r.input));
  }
  out.push_back(input_section(r));
  if (r.funnel && !r.funnel->notes.empty()) {
    Section n;
    n.title = "Notes";
    for (const auto& note : r.funnel->notes) n.lines.push_back("- " + note);
    out.push_back(n);
  }
  return out;
}

}  // namespace leadfunnel::detail
