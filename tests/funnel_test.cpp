// Tests of compute_funnel on small datasets built by hand: no files, no parsing.
// Every expected number is worked out in a comment next to the check.
#include <catch2/catch.hpp>

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "leadfunnel/funnel.hpp"

namespace leadfunnel {
namespace {

constexpr std::size_t idx(Stage s) { return static_cast<std::size_t>(s); }

/// A UTC instant from calendar parts.
Instant utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  const date::sys_days day = date::year{y} / date::month{mo} / date::day{d};
  return Instant{day} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s};
}

/// "L" followed by a number, spelt without `const char* + std::string`
/// (GCC 12 at -O3 gives a false -Wrestrict warning for that).
std::string numbered(char prefix, int n) {
  std::string s(1, prefix);
  s += std::to_string(n);
  return s;
}

/// A lead with an id and (optionally) a creation instant.
Lead make_lead(const std::string& id, std::optional<Instant> created) {
  Lead l;
  l.id = id;
  l.at[0] = created;
  return l;
}

/// A dataset where every stage has a column, as a full HubSpot mapping would give.
Dataset make_dataset(std::vector<Lead> leads) {
  Dataset d;
  d.leads = std::move(leads);
  for (Field f : {Field::Id, Field::CreatedAt, Field::MqlAt, Field::HandoffAt, Field::ProspectAt,
                  Field::OpportunityAt, Field::WonAt, Field::Source})
    d.has_field[static_cast<std::size_t>(f)] = true;
  d.stage_observable.fill(true);
  std::size_t line = 2;
  for (auto& l : d.leads) l.line = line++;
  return d;
}

/// Adds a --by key and gives every lead a segment slot for it.
void add_by(Dataset& d, const ByKey& key, const std::vector<std::string>& values = {}) {
  d.by.push_back(key);
  for (std::size_t i = 0; i < d.leads.size(); ++i) {
    d.leads[i].segments.resize(d.by.size());
    if (i < values.size()) d.leads[i].segments.back() = values[i];
  }
}

ByKey field_key(const std::string& name, Field f) {
  ByKey k;
  k.name = name;
  k.kind = ByKey::Kind::Field;
  k.field = f;
  k.column = name;
  return k;
}

ByKey period_by(const std::string& name, Period p) {
  ByKey k;
  k.name = name;
  k.kind = ByKey::Kind::Period;
  k.period = p;
  return k;
}

FunnelOptions options_at(Instant as_of) {
  FunnelOptions o;
  o.as_of = as_of;
  o.zone = date::locate_zone("UTC");
  return o;
}

const StageCount& stage_of(const FunnelResult& r, Stage s) { return r.stages.at(idx(s)); }

}  // namespace

TEST_CASE("funnel: conversion is prospects over cohort leads with a Wilson interval", "[funnel]") {
  // 10 leads created 2024-01-01; leads 0, 3 and 7 reach prospect.
  std::vector<Lead> leads;
  for (int i = 0; i < 10; ++i) {
    Lead l = make_lead(numbered('L', i), utc(2024, 1, 1, i));
    if (i == 0 || i == 3 || i == 7) l.at[idx(Stage::Prospect)] = utc(2024, 1, 5);
    leads.push_back(l);
  }
  const auto r = compute_funnel(make_dataset(leads), options_at(utc(2024, 6, 1)));

  CHECK(r.cohort.leads_loaded == 10);
  CHECK(r.cohort.leads == 10);
  CHECK(r.conversion.numerator == 3);
  CHECK(r.conversion.denominator == 10);
  REQUIRE(r.conversion.value);
  CHECK(*r.conversion.value == Approx(0.3));  // 3 / 10
  // Wilson, z = 1.959964, z^2 = 3.841459, p = 0.3, n = 10:
  //   denom  = 1 + 3.841459/10                     = 1.3841459
  //   centre = (0.3 + 3.841459/20) / 1.3841459      = 0.49207295 / 1.3841459 = 0.355507
  //   half   = 1.959964 * sqrt(0.3*0.7/10 + 3.841459/400) / 1.3841459
  //          = 1.959964 * sqrt(0.030604) / 1.3841459 = 0.247715
  //   [0.355507 - 0.247715, 0.355507 + 0.247715] = [0.107791, 0.603222]
  REQUIRE(r.conversion.ci95);
  CHECK(r.conversion.ci95->low == Approx(0.107791).margin(1e-5));
  CHECK(r.conversion.ci95->high == Approx(0.603222).margin(1e-5));
  // The funnel's prospect row agrees with the headline.
  CHECK(stage_of(r, Stage::Prospect).reached == 3);
  CHECK(stage_of(r, Stage::Prospect).cumulative.value == r.conversion.value);
}

TEST_CASE("funnel: a stage counts as reached when any later stage was reached", "[funnel]") {
  // One lead with only won_at: it went through every stage ("ever reached").
  Lead won = make_lead("W", utc(2024, 1, 1));
  won.at[idx(Stage::Won)] = utc(2024, 2, 1);
  // One lead with mql_at only.
  Lead mql = make_lead("M", utc(2024, 1, 2));
  mql.at[idx(Stage::Mql)] = utc(2024, 1, 3);
  const auto r = compute_funnel(make_dataset({won, mql}), options_at(utc(2024, 6, 1)));

  // lead: both; mql: both (W implied); handoff, prospect, opportunity: W only (implied); won: W (own date).
  CHECK(stage_of(r, Stage::Lead).reached == 2);
  CHECK(stage_of(r, Stage::Mql).reached == 2);
  CHECK(stage_of(r, Stage::Mql).implied == 1);
  CHECK(stage_of(r, Stage::Handoff).reached == 1);
  CHECK(stage_of(r, Stage::Handoff).implied == 1);
  CHECK(stage_of(r, Stage::Prospect).reached == 1);
  CHECK(stage_of(r, Stage::Prospect).implied == 1);
  CHECK(stage_of(r, Stage::Opportunity).reached == 1);
  CHECK(stage_of(r, Stage::Opportunity).implied == 1);
  CHECK(stage_of(r, Stage::Won).reached == 1);
  CHECK(stage_of(r, Stage::Won).implied == 0);
  CHECK(r.conversion.numerator == 1);  // W counts as a prospect
  CHECK(r.conversion.denominator == 2);
}

TEST_CASE("funnel: step rate divides by the previous stage and cumulative by the leads", "[funnel]") {
  // A: mql only. B: mql + handoff. C: won only. D: nothing.
  Lead a = make_lead("A", utc(2024, 1, 1));
  a.at[idx(Stage::Mql)] = utc(2024, 1, 2);
  Lead b = make_lead("B", utc(2024, 1, 1));
  b.at[idx(Stage::Mql)] = utc(2024, 1, 2);
  b.at[idx(Stage::Handoff)] = utc(2024, 1, 3);
  Lead c = make_lead("C", utc(2024, 1, 1));
  c.at[idx(Stage::Won)] = utc(2024, 3, 1);
  Lead d = make_lead("D", utc(2024, 1, 1));
  const auto r = compute_funnel(make_dataset({a, b, c, d}), options_at(utc(2024, 6, 1)));

  // reached: lead 4, mql 3 (A B C), handoff 2 (B C), prospect 1, opportunity 1, won 1 (C).
  REQUIRE(r.stages.size() == 6);
  const std::size_t reached[] = {4, 3, 2, 1, 1, 1};
  for (std::size_t s = 0; s < 6; ++s) CHECK(r.stages[s].reached == reached[s]);

  // step = reached(k) / reached(k-1): 3/4, 2/3, 1/2, 1/1, 1/1.
  CHECK(*stage_of(r, Stage::Mql).step.value == Approx(0.75));
  CHECK(*stage_of(r, Stage::Handoff).step.value == Approx(2.0 / 3.0));
  CHECK(*stage_of(r, Stage::Prospect).step.value == Approx(0.5));
  CHECK(*stage_of(r, Stage::Opportunity).step.value == Approx(1.0));
  CHECK(*stage_of(r, Stage::Won).step.value == Approx(1.0));
  CHECK(stage_of(r, Stage::Handoff).step.numerator == 2);
  CHECK(stage_of(r, Stage::Handoff).step.denominator == 3);

  // cumulative = reached(k) / 4 leads: 4/4, 3/4, 2/4, 1/4, 1/4, 1/4.
  CHECK(*stage_of(r, Stage::Lead).cumulative.value == Approx(1.0));
  CHECK(*stage_of(r, Stage::Mql).cumulative.value == Approx(0.75));
  CHECK(*stage_of(r, Stage::Handoff).cumulative.value == Approx(0.5));
  CHECK(*stage_of(r, Stage::Prospect).cumulative.value == Approx(0.25));
  CHECK(*stage_of(r, Stage::Won).cumulative.value == Approx(0.25));
  CHECK(stage_of(r, Stage::Won).cumulative.denominator == 4);

  // implied: C alone skips mql, handoff, prospect and opportunity.
  CHECK(stage_of(r, Stage::Mql).implied == 1);
  CHECK(stage_of(r, Stage::Handoff).implied == 1);
  CHECK(stage_of(r, Stage::Prospect).implied == 1);
  CHECK(stage_of(r, Stage::Opportunity).implied == 1);
  CHECK(stage_of(r, Stage::Won).implied == 0);
}

TEST_CASE("funnel: with no leads every rate is empty rather than NaN", "[funnel]") {
  Dataset d;
  FunnelOptions o = options_at(utc(2024, 6, 1));
  SECTION("an empty dataset") { d = make_dataset({}); }
  SECTION("every lead is outside the cohort range") {
    d = make_dataset({make_lead("A", utc(2023, 5, 1)), make_lead("B", utc(2023, 6, 1))});
    o.from = utc(2024, 1, 1);
  }
  const auto r = compute_funnel(d, o);
  CHECK(r.cohort.leads == 0);
  CHECK(r.conversion.denominator == 0);
  CHECK_FALSE(r.conversion.value.has_value());
  CHECK_FALSE(r.conversion.ci95.has_value());
  REQUIRE(r.stages.size() == 6);
  for (const auto& s : r.stages) {
    CHECK(s.reached == 0);
    CHECK_FALSE(s.step.value.has_value());
    CHECK_FALSE(s.step.ci95.has_value());
    CHECK_FALSE(s.cumulative.value.has_value());
    CHECK_FALSE(s.cumulative.ci95.has_value());
  }
  CHECK(r.time_to_convert.n == 0);
  CHECK_FALSE(r.time_to_convert.median_hours.has_value());
  CHECK_FALSE(r.time_to_convert.p90_hours.has_value());
}

TEST_CASE("funnel: a status-rule flag reaches a stage without a date", "[funnel]") {
  Lead flagged = make_lead("F", utc(2024, 1, 1));
  flagged.flagged[idx(Stage::Prospect)] = true;
  Lead plain = make_lead("P", utc(2024, 1, 1));
  const auto r = compute_funnel(make_dataset({flagged, plain}), options_at(utc(2024, 6, 1)));

  // F reached prospect (own flag) and so mql and handoff (implied); opportunity not.
  CHECK(r.conversion.numerator == 1);
  CHECK(r.conversion.denominator == 2);
  CHECK(stage_of(r, Stage::Prospect).reached == 1);
  CHECK(stage_of(r, Stage::Prospect).implied == 0);
  CHECK(stage_of(r, Stage::Mql).reached == 1);
  CHECK(stage_of(r, Stage::Mql).implied == 1);
  CHECK(stage_of(r, Stage::Handoff).implied == 1);
  CHECK(stage_of(r, Stage::Opportunity).reached == 0);
  // No date, so no duration and (without a window) no undated-conversion count.
  CHECK(r.time_to_convert.n == 0);
  CHECK(r.quality.undated_conversions == 0);
}

TEST_CASE("funnel: the cohort is leads created at or after from and before to", "[funnel]") {
  // from = 2024-01-01T00:00Z, to = 2024-02-01T00:00Z.
  const auto r = [] {
    Lead at_from = make_lead("at_from", utc(2024, 1, 1));            // == from: in
    Lead inside = make_lead("inside", utc(2024, 1, 31, 23, 59, 59));  // < to: in
    inside.at[idx(Stage::Prospect)] = utc(2024, 2, 2);
    Lead at_to = make_lead("at_to", utc(2024, 2, 1));                // == to: out
    at_to.at[idx(Stage::Prospect)] = utc(2024, 2, 2);
    Lead before = make_lead("before", utc(2023, 12, 31, 23, 59, 59));  // < from: out
    FunnelOptions o = options_at(utc(2024, 6, 1));
    o.from = utc(2024, 1, 1);
    o.to = utc(2024, 2, 1);
    return compute_funnel(make_dataset({at_from, inside, at_to, before}), o);
  }();
  CHECK(r.cohort.leads_loaded == 4);
  CHECK(r.cohort.leads == 2);          // at_from, inside
  CHECK(r.cohort.outside_range == 2);  // at_to, before
  CHECK(r.conversion.numerator == 1);  // inside; at_to's prospect is not counted
  CHECK(r.conversion.denominator == 2);
}

TEST_CASE("funnel: a date filter leaves out leads that have no creation date", "[funnel]") {
  Lead undated = make_lead("U", std::nullopt);
  undated.at[idx(Stage::Prospect)] = utc(2024, 1, 5);
  Lead dated = make_lead("D", utc(2024, 1, 2));
  FunnelOptions o = options_at(utc(2024, 6, 1));
  SECTION("without a filter the undated lead is in the cohort") {
    const auto r = compute_funnel(make_dataset({undated, dated}), o);
    CHECK(r.cohort.leads == 2);
    CHECK(r.cohort.no_created_date == 0);
    CHECK(r.conversion.numerator == 1);
  }
  SECTION("with --from it is left out and counted") {
    o.from = utc(2024, 1, 1);
    const auto r = compute_funnel(make_dataset({undated, dated}), o);
    CHECK(r.cohort.leads == 1);
    CHECK(r.cohort.no_created_date == 1);
    CHECK(r.conversion.numerator == 0);
  }
}

TEST_CASE("funnel: leads created after as-of are left out", "[funnel]") {
  // as_of = 2024-06-01T00:00Z.
  Lead before = make_lead("before", utc(2024, 5, 31));
  Lead exactly = make_lead("exactly", utc(2024, 6, 1));  // created == as_of: in
  Lead after = make_lead("after", utc(2024, 6, 1, 0, 0, 1));
  after.at[idx(Stage::Prospect)] = utc(2024, 6, 2);
  const auto r = compute_funnel(make_dataset({before, exactly, after}), options_at(utc(2024, 6, 1)));
  CHECK(r.cohort.leads == 2);
  CHECK(r.cohort.created_after_as_of == 1);
  CHECK(r.conversion.numerator == 0);
  CHECK(r.conversion.denominator == 2);
}

TEST_CASE("funnel: stage events after as-of are not counted and are reported", "[funnel]") {
  // as_of 2024-06-01. mql is before it; prospect and won are after.
  Lead l = make_lead("A", utc(2024, 1, 1));
  l.at[idx(Stage::Mql)] = utc(2024, 2, 1);
  l.at[idx(Stage::Prospect)] = utc(2024, 7, 1);
  l.at[idx(Stage::Won)] = utc(2024, 8, 1);
  const auto r = compute_funnel(make_dataset({l}), options_at(utc(2024, 6, 1)));
  CHECK(stage_of(r, Stage::Mql).reached == 1);
  CHECK(stage_of(r, Stage::Prospect).reached == 0);
  CHECK(stage_of(r, Stage::Won).reached == 0);
  CHECK(r.conversion.numerator == 0);
  CHECK(r.quality.events_after_as_of == 2);  // prospect_at and won_at
  std::size_t after = 0;
  for (const auto& q : r.quality.issues)
    if (q.kind == "after_as_of") {
      ++after;
      CHECK(q.lead_id == "A");
    }
  CHECK(after == 2);
}

TEST_CASE("funnel: with a window a conversion counts only within the window of creation", "[funnel]") {
  // window 30d; as_of 2024-12-31T00:00Z.
  FunnelOptions o = options_at(utc(2024, 12, 31));
  o.window = std::chrono::hours{30 * 24};
  // 2024-01-01 + 30 days = 2024-01-31T00:00Z (January has 31 days).
  Lead on_edge = make_lead("edge", utc(2024, 1, 1));
  on_edge.at[idx(Stage::Prospect)] = utc(2024, 1, 31);  // exactly 30d: counts
  Lead past_edge = make_lead("past", utc(2024, 1, 1));
  past_edge.at[idx(Stage::Prospect)] = utc(2024, 1, 31, 0, 0, 1);  // 30d + 1s: does not
  Lead mql_only_in = make_lead("mql", utc(2024, 1, 1));
  mql_only_in.at[idx(Stage::Mql)] = utc(2024, 1, 10);
  mql_only_in.at[idx(Stage::Prospect)] = utc(2024, 3, 1);  // mql inside, prospect outside
  Lead none = make_lead("none", utc(2024, 1, 1));
  const auto r = compute_funnel(make_dataset({on_edge, past_edge, mql_only_in, none}), o);

  CHECK(r.cohort.leads == 4);
  CHECK(r.cohort.immature == 0);
  CHECK(r.conversion.numerator == 1);  // on_edge only
  CHECK(r.conversion.denominator == 4);
  // mql: on_edge (implied, via prospect at 30d) and mql_only_in (own date at 9d).
  // past_edge's implied mql dates from its prospect (30d + 1s), outside the window.
  CHECK(stage_of(r, Stage::Mql).reached == 2);
  // Only on_edge's duration is inside: 30 * 24 = 720 h.
  CHECK(r.time_to_convert.n == 1);
  CHECK(*r.time_to_convert.median_hours == Approx(720.0));
}

TEST_CASE("funnel: leads whose window is still open are immature and leave the denominators", "[funnel]") {
  // window 30d; as_of 2024-12-31T00:00Z.
  FunnelOptions o = options_at(utc(2024, 12, 31));
  o.window = std::chrono::hours{30 * 24};
  Lead old_conv = make_lead("old", utc(2024, 6, 1));
  old_conv.at[idx(Stage::Prospect)] = utc(2024, 6, 3);
  Lead old_none = make_lead("old2", utc(2024, 6, 1));
  // 2024-12-01 + 30d = 2024-12-31T00:00Z == as_of: the window has just closed, mature.
  Lead just_closed = make_lead("closed", utc(2024, 12, 1));
  just_closed.at[idx(Stage::Prospect)] = utc(2024, 12, 10);
  // 2024-12-01T00:00:01 + 30d = 2024-12-31T00:00:01Z > as_of: immature.
  Lead open1 = make_lead("open1", utc(2024, 12, 1, 0, 0, 1));
  open1.at[idx(Stage::Prospect)] = utc(2024, 12, 5);  // converted, but still immature
  Lead open2 = make_lead("open2", utc(2024, 12, 20));  // +30d = 2025-01-19: immature
  Dataset d = make_dataset({old_conv, old_none, just_closed, open1, open2});
  add_by(d, field_key("source", Field::Source), {"web", "web", "ads", "ads", "web"});
  const auto r = compute_funnel(d, o);

  CHECK(r.cohort.immature == 2);       // open1, open2
  CHECK(r.cohort.leads == 3);          // old, old2, closed
  CHECK(r.conversion.numerator == 2);  // old, closed
  CHECK(r.conversion.denominator == 3);
  CHECK(stage_of(r, Stage::Lead).reached == 3);
  // time to convert only over mature leads: old 48 h, closed 9 d = 216 h.
  CHECK(r.time_to_convert.n == 2);

  // Segments: web = old (mature, converted), old2 (mature), open2 (immature);
  //           ads = closed (mature, converted), open1 (immature).
  REQUIRE(r.breakdowns.size() == 1);
  const auto& segs = r.breakdowns[0].segments;
  REQUIRE(segs.size() == 2);
  // Sorted by size including immature leads: web 3, ads 2.
  CHECK(segs[0].key == std::optional<std::string>("web"));
  CHECK(segs[0].leads == 2);
  CHECK(segs[0].prospects == 1);
  CHECK(segs[0].immature == 1);
  CHECK(*segs[0].rate.value == Approx(0.5));  // 1 / 2
  CHECK(segs[1].key == std::optional<std::string>("ads"));
  CHECK(segs[1].leads == 1);
  CHECK(segs[1].prospects == 1);
  CHECK(segs[1].immature == 1);
  CHECK(*segs[1].rate.value == Approx(1.0));  // 1 / 1
}

TEST_CASE("funnel: undated conversions cannot count inside a window", "[funnel]") {
  FunnelOptions o = options_at(utc(2024, 12, 31));
  Lead flagged = make_lead("F", utc(2024, 1, 1));
  flagged.flagged[idx(Stage::Prospect)] = true;
  Lead dated = make_lead("D", utc(2024, 1, 1));
  dated.at[idx(Stage::Prospect)] = utc(2024, 1, 2);
  SECTION("without a window the flag counts") {
    const auto r = compute_funnel(make_dataset({flagged, dated}), o);
    CHECK(r.conversion.numerator == 2);
    CHECK(r.quality.undated_conversions == 0);
  }
  SECTION("with a window it does not, and is counted") {
    o.window = std::chrono::hours{90 * 24};
    const auto r = compute_funnel(make_dataset({flagged, dated}), o);
    CHECK(r.conversion.numerator == 1);  // D only
    CHECK(r.conversion.denominator == 2);
    CHECK(r.quality.undated_conversions == 1);
  }
}

TEST_CASE("funnel: time to convert uses linear interpolation for the median and p90", "[funnel]") {
  // Durations 30 h, 10 h, 40 h, 20 h (deliberately unsorted) and one lead that never converts.
  const Instant created = utc(2024, 1, 1);
  std::vector<Lead> leads;
  for (int h : {30, 10, 40, 20}) {
    Lead l = make_lead(numbered('L', h), created);
    l.at[idx(Stage::Prospect)] = created + std::chrono::hours{h};
    leads.push_back(l);
  }
  leads.push_back(make_lead("never", created));
  const auto r = compute_funnel(make_dataset(leads), options_at(utc(2024, 6, 1)));

  CHECK(r.time_to_convert.from == Stage::Lead);
  CHECK(r.time_to_convert.to == Stage::Prospect);
  CHECK(r.time_to_convert.n == 4);
  // Sorted 10, 20, 30, 40. median: h = 3 * 0.5 = 1.5 -> 20 + 0.5 * (30 - 20) = 25.
  REQUIRE(r.time_to_convert.median_hours);
  CHECK(*r.time_to_convert.median_hours == Approx(25.0));
  // p90: h = 3 * 0.9 = 2.7 -> 30 + 0.7 * (40 - 30) = 37.
  REQUIRE(r.time_to_convert.p90_hours);
  CHECK(*r.time_to_convert.p90_hours == Approx(37.0));
  CHECK(r.time_to_convert.negative == 0);
}

TEST_CASE("funnel: a prospect reached only through a later stage takes that stage's date", "[funnel]") {
  // Created 2024-01-01T00:00Z; opportunity at +50 h (2024-01-03T02:00Z), won at +72 h.
  Lead l = make_lead("A", utc(2024, 1, 1));
  l.at[idx(Stage::Opportunity)] = utc(2024, 1, 3, 2);
  l.at[idx(Stage::Won)] = utc(2024, 1, 4);
  SECTION("no prospect record at all") {}
  SECTION("prospect flagged by a rule, with no date") { l.flagged[idx(Stage::Prospect)] = true; }
  const auto r = compute_funnel(make_dataset({l}), options_at(utc(2024, 6, 1)));
  CHECK(r.conversion.numerator == 1);
  REQUIRE(r.time_to_convert.n == 1);
  // The earliest later date is the opportunity: 2 days + 2 h = 50 h.
  CHECK(*r.time_to_convert.median_hours == Approx(50.0));
  CHECK(*r.time_to_convert.p90_hours == Approx(50.0));
}

TEST_CASE("funnel: events dated before creation are left out of durations and counted", "[funnel]") {
  // Created 2024-01-10; mql 2024-01-07 and prospect 2024-01-08 are both earlier.
  Lead bad = make_lead("bad", utc(2024, 1, 10));
  bad.at[idx(Stage::Mql)] = utc(2024, 1, 7);
  bad.at[idx(Stage::Prospect)] = utc(2024, 1, 8);
  // A normal lead: 12 h to prospect.
  Lead good = make_lead("good", utc(2024, 1, 10));
  good.at[idx(Stage::Prospect)] = utc(2024, 1, 10, 12);
  const auto r = compute_funnel(make_dataset({bad, good}), options_at(utc(2024, 6, 1)));

  CHECK(r.conversion.numerator == 2);  // the bad lead still reached prospect
  CHECK(r.time_to_convert.negative == 1);
  CHECK(r.time_to_convert.n == 1);
  CHECK(*r.time_to_convert.median_hours == Approx(12.0));
  CHECK(r.quality.events_before_creation == 2);  // mql_at and prospect_at
  // lead -> mql for "bad": 2024-01-07 - 2024-01-10 < 0, left out too.
  REQUIRE(r.stage_times.size() == 5);
  CHECK(r.stage_times[0].from == Stage::Lead);
  CHECK(r.stage_times[0].to == Stage::Mql);
  CHECK(r.stage_times[0].negative == 1);
  CHECK(r.stage_times[0].n == 0);
  std::size_t before = 0;
  for (const auto& q : r.quality.issues)
    if (q.kind == "before_creation") ++before;
  CHECK(before == 2);
}

TEST_CASE("funnel: stage dates out of funnel order are counted once per lead", "[funnel]") {
  // handoff (01-03) before mql (01-05), and opportunity (01-08) before prospect (01-10).
  Lead twisted = make_lead("twisted", utc(2024, 1, 1));
  twisted.at[idx(Stage::Mql)] = utc(2024, 1, 5);
  twisted.at[idx(Stage::Handoff)] = utc(2024, 1, 3);
  twisted.at[idx(Stage::Prospect)] = utc(2024, 1, 10);
  twisted.at[idx(Stage::Opportunity)] = utc(2024, 1, 8);
  Lead straight = make_lead("straight", utc(2024, 1, 1));
  straight.at[idx(Stage::Mql)] = utc(2024, 1, 2);
  straight.at[idx(Stage::Prospect)] = utc(2024, 1, 4);
  // Skipping a stage (no handoff) is not out of order.
  const auto r = compute_funnel(make_dataset({twisted, straight}), options_at(utc(2024, 6, 1)));
  CHECK(r.quality.leads_out_of_order == 1);
  CHECK(r.quality.events_before_creation == 0);
  std::size_t issues = 0;
  for (const auto& q : r.quality.issues)
    if (q.kind == "out_of_order") {
      ++issues;
      CHECK(q.lead_id == "twisted");
    }
  CHECK(issues == 1);
}

TEST_CASE("funnel: a field breakdown keeps blanks as their own segment and sorts by size", "[funnel]") {
  // source: web x2 (1 prospect), blank x2 (1), ads x2 (1), ref x1 (0).
  std::vector<Lead> leads;
  const std::vector<std::string> source{"web", "web", "", "", "ads", "ads", "ref"};
  const std::vector<bool> converted{true, false, true, false, false, true, false};
  for (std::size_t i = 0; i < source.size(); ++i) {
    Lead l = make_lead(numbered('L', static_cast<int>(i)), utc(2024, 1, 1));
    if (converted[i]) l.at[idx(Stage::Prospect)] = utc(2024, 1, 2);
    leads.push_back(l);
  }
  Dataset d = make_dataset(leads);
  add_by(d, field_key("source", Field::Source), source);
  const auto r = compute_funnel(d, options_at(utc(2024, 6, 1)));

  REQUIRE(r.breakdowns.size() == 1);
  CHECK(r.breakdowns[0].key.name == "source");
  const auto& segs = r.breakdowns[0].segments;
  REQUIRE(segs.size() == 4);
  // Ties at 2 leads sort by key ("ads" < "web"), blank after the named ones; ref (1) last.
  CHECK(segs[0].key == std::optional<std::string>("ads"));
  CHECK(segs[1].key == std::optional<std::string>("web"));
  CHECK_FALSE(segs[2].key.has_value());
  CHECK(segs[3].key == std::optional<std::string>("ref"));
  const std::size_t leads_per[] = {2, 2, 2, 1};
  const std::size_t prospects_per[] = {1, 1, 1, 0};
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(segs[i].leads == leads_per[i]);
    CHECK(segs[i].prospects == prospects_per[i]);
  }
  CHECK(*segs[2].rate.value == Approx(0.5));  // blank: 1 / 2
  CHECK(*segs[3].rate.value == Approx(0.0));  // ref: 0 / 1
}

TEST_CASE("funnel: month and week breakdowns use the local calendar and run in time order", "[funnel]") {
  const date::time_zone* ny = date::locate_zone("America/New_York");
  FunnelOptions o = options_at(utc(2025, 6, 1));
  o.zone = ny;

  SECTION("month") {
    // New York is UTC-5 in winter (EST).
    std::vector<Lead> leads{
        make_lead("m1", utc(2024, 3, 1, 2)),     // 2024-02-29 21:00 local -> 2024-02
        make_lead("m2", utc(2024, 3, 15, 12)),   // 2024-03-15 08:00 EDT    -> 2024-03
        make_lead("m3", utc(2024, 3, 20, 12)),   // 2024-03-20 08:00 EDT    -> 2024-03
        make_lead("m4", utc(2024, 1, 31, 23, 30)),  // 2024-01-31 18:30      -> 2024-01
        make_lead("m5", utc(2024, 2, 1, 3)),     // 2024-01-31 22:00 local -> 2024-01
        make_lead("m6", std::nullopt),           // no date: a blank segment, last
    };
    leads[0].at[idx(Stage::Prospect)] = utc(2024, 3, 2);
    Dataset d = make_dataset(leads);
    add_by(d, period_by("month", Period::Month));
    const auto r = compute_funnel(d, o);
    REQUIRE(r.breakdowns.size() == 1);
    const auto& segs = r.breakdowns[0].segments;
    REQUIRE(segs.size() == 4);
    // Chronological, not by size (2024-01 and 2024-03 have 2 leads, 2024-02 has 1).
    CHECK(segs[0].key == std::optional<std::string>("2024-01"));
    CHECK(segs[0].leads == 2);
    CHECK(segs[1].key == std::optional<std::string>("2024-02"));
    CHECK(segs[1].leads == 1);
    CHECK(segs[1].prospects == 1);
    CHECK(segs[2].key == std::optional<std::string>("2024-03"));
    CHECK(segs[2].leads == 2);
    CHECK_FALSE(segs[3].key.has_value());
    CHECK(segs[3].leads == 1);
  }
  SECTION("week") {
    // 2024-12-30 is the Monday of ISO week 2025-W01 (its Thursday is 2025-01-02).
    std::vector<Lead> leads{
        make_lead("w1", utc(2025, 1, 6, 6)),    // 2025-01-06 01:00 local, Monday  -> 2025-W02
        make_lead("w2", utc(2024, 12, 30, 12)),  // 2024-12-30 07:00 local, Monday -> 2025-W01
        make_lead("w3", utc(2024, 12, 30, 3)),   // 2024-12-29 22:00 local, Sunday -> 2024-W52
        make_lead("w4", utc(2025, 1, 5, 12)),    // 2025-01-05 07:00 local, Sunday -> 2025-W01
        make_lead("w5", utc(2025, 1, 6, 4)),     // 2025-01-05 23:00 local, Sunday -> 2025-W01
    };
    Dataset d = make_dataset(leads);
    add_by(d, period_by("week", Period::Week));
    const auto r = compute_funnel(d, o);
    REQUIRE(r.breakdowns.size() == 1);
    const auto& segs = r.breakdowns[0].segments;
    REQUIRE(segs.size() == 3);
    CHECK(segs[0].key == std::optional<std::string>("2024-W52"));
    CHECK(segs[0].leads == 1);
    CHECK(segs[1].key == std::optional<std::string>("2025-W01"));
    CHECK(segs[1].leads == 3);
    CHECK(segs[2].key == std::optional<std::string>("2025-W02"));
    CHECK(segs[2].leads == 1);
  }
}

TEST_CASE("funnel: period_key names the local day, ISO week, month, quarter and year", "[funnel]") {
  const date::time_zone* ny = date::locate_zone("America/New_York");
  const date::time_zone* utc_zone = date::locate_zone("UTC");
  // 2024-03-01T02:00Z is 2024-02-29 21:00 in New York (EST, UTC-5).
  const Instant t = utc(2024, 3, 1, 2);
  CHECK(period_key(t, Period::Day, *ny) == "2024-02-29");
  CHECK(period_key(t, Period::Month, *ny) == "2024-02");
  CHECK(period_key(t, Period::Quarter, *ny) == "2024-Q1");
  CHECK(period_key(t, Period::Year, *ny) == "2024");
  CHECK(period_key(t, Period::Day, *utc_zone) == "2024-03-01");
  CHECK(period_key(t, Period::Month, *utc_zone) == "2024-03");
  // 2024-12-30 (Monday) belongs to 2025-W01; 2025-01-01T03:00Z is still 2024 in New York.
  CHECK(period_key(utc(2024, 12, 30, 12), Period::Week, *utc_zone) == "2025-W01");
  CHECK(period_key(utc(2025, 1, 1, 3), Period::Year, *ny) == "2024");
  CHECK(period_key(utc(2025, 1, 1, 3), Period::Quarter, *ny) == "2024-Q4");
  CHECK(period_key(utc(2025, 1, 1, 3), Period::Week, *ny) == "2025-W01");  // Tue 2024-12-31 local
}

}  // namespace leadfunnel
