// Tests of the service agreement through the command line: run_cli in-process
// with string streams and a fixed clock, on the fixtures in tests/fixtures/sla/.
//
// tests/fixtures/sla/leads.csv (UTC, naive), measured as of Friday 2026-03-20 12:00
// on the "office" calendar, Mon-Fri 09:00-12:00 + 13:00-18:00 (8 h a day):
//   G1 Ana  hand-off Mon 03-02 09:00, touch 10:00            1 bh
//   G2 Ana  hand-off Mon 03-02 11:30, touch 13:30            0.5 + 0.5 = 1 bh
//   G3 Bo   hand-off Fri 03-06 17:30, touch Mon 03-09 09:30  0.5 + 0.5 = 1 bh
//   G4 (blank) hand-off Sat 03-07 23:00, touch Mon 12:00     09:00-12:00 = 3 bh
//   Bk (k = 1..12; B01-B06 Ana, B07-B12 Bo) hand-off Mon 03-09 09:00, touch Tue 03-10 09:00 + 5k min
//                                                            8 h + 5k min = 8 + k/12 bh
//   N1 (blank) hand-off Mon 03-16 09:00, never touched
//   P1 (blank) hand-off Fri 03-20 10:00, never touched
// G1..G3 have MQL dates in February (02-20, 02-20, 02-21); G1 and G2 reached prospect.
// 18 leads in all, every one created by as-of.
#include <catch2/catch.hpp>

#include <date/date.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "leadfunnel/agreement.hpp"
#include "leadfunnel/cli.hpp"

namespace leadfunnel {
namespace {

using nlohmann::json;

const std::string kSource = LEADFUNNEL_SOURCE_DIR;
const std::string kSla = kSource + "/tests/fixtures/sla/";
const std::string kLeads = kSla + "leads.csv";

/// The clock of every run: 2026-12-01T00:00:00Z (each test passes --as-of anyway).
Instant fixed_now() { return Instant{date::sys_days{date::year{2026} / 12 / 1}}; }

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

Outcome run(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  Outcome o;
  o.code = run_cli(args, out, err, fixed_now());
  o.out = out.str();
  o.err = err.str();
  return o;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// `report leads.csv --config FIXTURE --as-of 2026-03-20 12:00` plus `extra`.
std::vector<std::string> report_args(const std::string& agreement, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"report", kLeads, "--config", kSla + agreement, "--as-of", "2026-03-20 12:00"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

/// A path in the temp folder unique to this process.
std::filesystem::path temp_path(const std::string& name) {
  std::string file = "leadfunnel-sla-cli-";
  file += std::to_string(static_cast<long>(::getpid()));
  file += "-";
  file += name;
  return std::filesystem::temp_directory_path() / file;
}

const json& target_named(const json& sla, const std::string& name) {
  for (const auto& t : sla["targets"])
    if (t["name"] == name) return t;
  FAIL("no target named " << name);
  return sla;
}

}  // namespace

TEST_CASE("sla cli: --fail-on-breach exits 1 when a target is missed and still prints the report", "[sla][cli]") {
  const Outcome r = run(report_args("miss.json", {"--fail-on-breach", "--format", "json"}));
  CHECK(r.code == 1);
  CHECK(has(r.err, "target(s) missed: \"Sales response\", \"MQL volume\", \"Lead to prospect\""));
  const json j = json::parse(r.out);
  CHECK(j["sla"]["passed"] == false);
  CHECK(j["sla"]["missed"] == json({"Sales response", "MQL volume", "Lead to prospect"}));
}

TEST_CASE("sla cli: --fail-on-breach exits 0 when every target passes", "[sla][cli]") {
  const Outcome r = run(report_args("pass.json", {"--fail-on-breach", "--format", "json"}));
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  const json j = json::parse(r.out);
  CHECK(j["sla"]["passed"] == true);
  CHECK(j["sla"]["missed"].empty());
  // 2d = 48 business hours: every measured delay (at most 9 bh) is met; N1 (due
  // Mon 03-23 18:00, after 6 days of 8 h) and P1 are pending. 16 / 16 = 1.
  const json& clock = target_named(j["sla"], "Sales response");
  CHECK(clock["met"] == 16);
  CHECK(clock["breached"] == 0);
  CHECK(clock["pending"] == 2);
  CHECK(clock["result"].get<double>() == 1.0);
  CHECK(clock["pass"] == true);
  // February: 3 MQLs >= 3. Rate: 2 / 18 = 0.111 >= 0.10.
  CHECK(target_named(j["sla"], "MQL volume")["pass"] == true);
  CHECK(target_named(j["sla"], "Lead to prospect")["pass"] == true);
}

TEST_CASE("sla cli: without --fail-on-breach a missed target still exits 0", "[sla][cli]") {
  const Outcome r = run(report_args("miss.json", {"--format", "json"}));
  CHECK(r.code == 0);
  CHECK_FALSE(has(r.err, "missed"));
  const json j = json::parse(r.out);
  CHECK(j["sla"]["passed"] == false);
}

TEST_CASE("sla cli: -q prints nothing on success and prints the report when the status is 1", "[sla][cli]") {
  SECTION("all targets pass") {
    const Outcome r = run(report_args("pass.json", {"--fail-on-breach", "-q"}));
    CHECK(r.code == 0);
    CHECK(r.out.empty());
    CHECK(r.err.empty());
  }
  SECTION("a miss without --fail-on-breach is still status 0: quiet") {
    const Outcome r = run(report_args("miss.json", {"--quiet"}));
    CHECK(r.code == 0);
    CHECK(r.out.empty());
  }
  SECTION("a miss with --fail-on-breach is status 1: the table is printed") {
    const Outcome r = run(report_args("miss.json", {"--fail-on-breach", "-q"}));
    CHECK(r.code == 1);
    CHECK(has(r.out, "Service agreement"));
    CHECK(has(r.out, "Sales response"));
    CHECK(has(r.err, "target(s) missed"));
  }
}

TEST_CASE("sla cli: the JSON sla section lists a clock target with counts, owners and every breach", "[sla][cli]") {
  const Outcome r = run(report_args("miss.json", {"--format", "json"}));
  REQUIRE(r.code == 0);
  const json j = json::parse(r.out);
  REQUIRE(j.contains("sla"));
  REQUIRE(j["sla"]["targets"].size() == 3);
  const json& t = j["sla"]["targets"][0];
  CHECK(t["name"] == "Sales response");
  CHECK(t["owner"] == "sales");
  CHECK(t["type"] == "clock");
  CHECK(t["from"] == "handoff");
  CHECK(t["to"] == "first_touch");
  CHECK(t["clock"] == "office");
  CHECK(t["units"] == "business_hours");
  CHECK(t["within_hours"].get<double>() == 4.0);
  CHECK(t["threshold"].get<double>() == Approx(0.8));
  // Met within 4 bh: G1, G2, G3 (1 bh), G4 (3 bh) = 4. Breached: B01..B12 (8 h+)
  // and N1 (due Mon 03-16 09:00 + 3 h + 1 h = 14:00, never touched) = 13.
  // Pending: P1, due Fri 03-20 10:00 + 2 h + (13:00 + 2 h) = 15:00.
  CHECK(t["met"] == 4);
  CHECK(t["breached"] == 13);
  CHECK(t["pending"] == 1);
  // 4 / 17 = 0.235294 < 0.8.
  CHECK(t["result"].get<double>() == Approx(4.0 / 17.0));
  CHECK(t["pass"] == false);
  CHECK(t["no_start_event"] == 0);
  CHECK(t["end_before_start"] == 0);
  // Measured delays, sorted: 1, 1, 1, 3, then 8 + k/12 for k = 1..12 (16 values).
  // Median = (v[7] + v[8]) / 2 = (8 + 4/12 + 8 + 5/12) / 2 = 8.375.
  // p90 at rank 15 * 0.9 = 13.5: v[13] = 8 + 10/12, v[14] = 8 + 11/12 -> 8.875.
  CHECK(t["median_hours"].get<double>() == Approx(8.375));
  CHECK(t["p90_hours"].get<double>() == Approx(8.875));

  // By owner, most cases first: Ana 8 (G1, G2, B01-B06), Bo 7 (G3, B07-B12), blank 3 (G4, N1, P1).
  const json& owners = t["by_owner"];
  REQUIRE(owners.size() == 3);
  CHECK(owners[0]["owner"] == "Ana");
  CHECK(owners[0]["met"] == 2);
  CHECK(owners[0]["breached"] == 6);
  CHECK(owners[0]["pending"] == 0);
  CHECK(owners[0]["rate"].get<double>() == Approx(0.25));  // 2 / 8
  CHECK(owners[1]["owner"] == "Bo");
  CHECK(owners[1]["met"] == 1);
  CHECK(owners[1]["breached"] == 6);
  CHECK(owners[1]["rate"].get<double>() == Approx(1.0 / 7.0));
  CHECK(owners[2]["owner"].is_null());
  CHECK(owners[2]["met"] == 1);
  CHECK(owners[2]["breached"] == 1);
  CHECK(owners[2]["pending"] == 1);
  CHECK(owners[2]["rate"].get<double>() == Approx(0.5));  // 1 / 2

  // All 13 breaches, more than the table's 10: N1 (never answered) first, then
  // the longest delay first, B12 (9 bh) down to B01 (8 h 5 min).
  const json& breaches = t["breaches"];
  REQUIRE(breaches.size() == 13);
  CHECK(breaches[0]["lead_id"] == "N1");
  CHECK(breaches[0]["owner"].is_null());
  CHECK(breaches[0]["end"].is_null());
  CHECK(breaches[0]["delay_hours"].is_null());
  CHECK(breaches[0]["start"] == "2026-03-16T09:00:00Z");
  CHECK(breaches[0]["due"] == "2026-03-16T14:00:00Z");
  CHECK(breaches[0]["line"] == 18);  // header line 1, N1 is the 17th data row
  CHECK(breaches[1]["lead_id"] == "B12");
  CHECK(breaches[1]["owner"] == "Bo");
  CHECK(breaches[1]["end"] == "2026-03-10T10:00:00Z");
  CHECK(breaches[1]["delay_hours"].get<double>() == Approx(9.0));  // 8 h + 60 min
  // Due: Mon 09:00 + 3 h (to 12:00) + 1 h (13:00-14:00) = Mon 14:00.
  CHECK(breaches[1]["due"] == "2026-03-09T14:00:00Z");
  CHECK(breaches[12]["lead_id"] == "B01");
  CHECK(breaches[12]["delay_hours"].get<double>() == Approx(8.0 + 5.0 / 60.0));

  const json& pending = t["pending_leads"];
  REQUIRE(pending.size() == 1);
  CHECK(pending[0]["lead_id"] == "P1");
  CHECK(pending[0]["end"].is_null());
  CHECK(pending[0]["due"] == "2026-03-20T15:00:00Z");

  // The table lists at most 10 breaches and says so.
  const Outcome table = run(report_args("miss.json"));
  CHECK(has(table.out, "Worst breaches (10 of 13"));
}

TEST_CASE("sla cli: the JSON sla section reports volume periods and the rate target", "[sla][cli]") {
  const Outcome r = run(report_args("miss.json", {"--format", "json"}));
  REQUIRE(r.code == 0);
  const json j = json::parse(r.out);
  const json& volume = target_named(j["sla"], "MQL volume");
  CHECK(volume["owner"] == "marketing");
  CHECK(volume["type"] == "volume");
  CHECK(volume["threshold"] == 5);
  // February (complete): G1, G2, G3 = 3 < 5, missed. March is current: not judged.
  // Every other lead passed MQL by its hand-off (a later stage implies it), in March: 15.
  REQUIRE(volume["periods"].size() == 2);
  CHECK(volume["periods"][0]["period"] == "2026-02");
  CHECK(volume["periods"][0]["count"] == 3);
  CHECK(volume["periods"][0]["attainment"].get<double>() == Approx(0.6));  // 3 / 5
  CHECK(volume["periods"][0]["complete"] == true);
  CHECK(volume["periods"][0]["met"] == false);
  CHECK(volume["periods"][1]["period"] == "2026-03");
  CHECK(volume["periods"][1]["count"] == 15);
  CHECK(volume["periods"][1]["complete"] == false);
  CHECK(volume["periods_complete"] == 1);
  CHECK(volume["periods_met"] == 0);
  CHECK(volume["result"] == 0);
  CHECK(volume["pass"] == false);

  const json& rate = target_named(j["sla"], "Lead to prospect");
  CHECK(rate["owner"] == "shared");
  CHECK(rate["type"] == "rate");
  CHECK(rate["window"].is_null());
  CHECK(rate["threshold"].get<double>() == Approx(0.2));
  // G1 and G2 of 18: 0.111 < 0.2.
  CHECK(rate["leads"] == 18);
  CHECK(rate["reached"] == 2);
  CHECK(rate["result"].get<double>() == Approx(2.0 / 18.0));
  CHECK(rate["pass"] == false);
  CHECK(rate["immature_leads"] == 0);

  // Sales response on the office calendar: 16 measured delays, as above.
  const json& response = j["sla"]["response"]["sales_response"];
  CHECK(response["clock"] == "office");
  CHECK(response["n"] == 16);
  CHECK(response["median_hours"].get<double>() == Approx(8.375));
}

TEST_CASE("sla cli: .ics holidays shorten the clock and an early touch is a data-quality issue", "[sla][cli]") {
  // december.csv, on the office calendar with tests/fixtures/sla/holidays.ics
  // (24, 25, 29, 30 December 2026 off), as of 2026-12-30:
  //   E1 hand-off Mon 12-21 10:00, touched 09:00 the same day: before the start,
  //      counted as immediate (0 h, met) and listed.
  //   X1 hand-off Wed 12-23 17:00, touched Mon 12-28 10:00: Wed 1 h, Thu 24 and
  //      Fri 25 holidays, weekend, Mon 09:00-10:00 1 h = 2 bh <= 4 h: met.
  //      (Without the holidays it would be 1 + 8 + 8 + 1 = 18 bh.)
  const Outcome r = run({"report", kSla + "december.csv", "--config", kSla + "miss.json", "--as-of", "2026-12-30",
                         "--format", "json"});
  REQUIRE(r.code == 0);
  const json j = json::parse(r.out);
  const json& clock = target_named(j["sla"], "Sales response");
  CHECK(clock["met"] == 2);
  CHECK(clock["breached"] == 0);
  CHECK(clock["end_before_start"] == 1);
  CHECK(clock["pass"] == true);
  // Delays 0 and 2: median 1, p90 0 + 0.9 * 2 = 1.8.
  CHECK(clock["median_hours"].get<double>() == Approx(1.0));
  CHECK(clock["p90_hours"].get<double>() == Approx(1.8));
  bool listed = false;
  for (const auto& issue : j["data_quality"]["issues"])
    if (issue["kind"] == "sla_end_before_start") {
      listed = true;
      CHECK(issue["lead_id"] == "E1");
      CHECK(issue["line"] == 2);
    }
  CHECK(listed);
}

TEST_CASE("sla cli: agreement mistakes exit 78 naming the key and the fix", "[sla][cli]") {
  struct Case {
    const char* file;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases{
      {"bad_zone.json",
       {"\"calendars\".\"office\".timezone", "unknown time zone \"Mars/Olympus_Mons\"", "use an IANA name"}},
      {"overlap.json",
       {"\"calendars\".\"office\".hours", "on mon", "09:00-13:00 and 12:00-18:00 overlap", "make them disjoint"}},
      {"unknown_event.json",
       {"\"targets\"[0] (\"Sales response\").from", "unknown event \"handof\"", "events: created, mql, handoff"}},
      {"unknown_stage.json", {"\"targets\"[0] (\"MQL volume\").stage", "unknown stage \"sql\"", "stages: lead, mql"}},
      {"bad_duration.json",
       {"\"targets\"[0] (\"Sales response\").within", "\"4 hours\" is not a duration", "write it like \"4h\""}},
      {"undefined_calendar.json",
       {"\"targets\"[0] (\"Sales response\").calendar", "no calendar named \"ofice\"", "did you mean \"office\"",
        "define it under \"calendars\""}},
      {"duplicate_target.json", {"\"targets\"[1]", "the name \"Sales response\" is used twice"}},
      {"share_150.json",
       {"\"targets\"[0] (\"Sales response\").target", "\"150%\" is not a share", "write it as 0.9 or \"90%\""}},
      {"missing_ics.json",
       {"\"calendars\".\"office\".holidays_ics", "no-such-holidays.ics", "relative to the agreement file"}},
  };
  for (const auto& c : cases) {
    INFO("agreement: " << c.file);
    const Outcome r = run(report_args(c.file));
    CHECK(r.code == 78);
    CHECK(r.out.empty());
    CHECK(has(r.err, std::string("leadfunnel: error: ") + kSla + c.file + ": "));
    for (const auto& part : c.parts) {
      INFO("expected in the message: " << part);
      CHECK(has(r.err, part));
    }
  }
}

TEST_CASE("sla cli: init on the HubSpot export writes an agreement that report accepts", "[sla][cli]") {
  const Outcome init = run({"init", kSource + "/data/hubspot-contacts.csv"});
  REQUIRE(init.code == 0);
  CHECK(init.err.empty());
  // It is JSON with comments, and maps "Record ID" to id.
  const json doc = json::parse(init.out, nullptr, true, /*ignore_comments=*/true);
  CHECK(doc["columns"]["id"] == "Record ID");
  const Agreement a = parse_agreement(init.out, "init.json");
  bool id_mapped = false;
  for (const auto& [field, column] : a.columns)
    if (field == Field::Id) id_mapped = column == "Record ID";
  CHECK(id_mapped);
  REQUIRE(a.targets.size() == 3);
  REQUIRE(a.find_calendar("sales_hours") != nullptr);

  // report --config on it, through a temp file.
  const auto path = temp_path("init-agreement.json");
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    REQUIRE(f);
    f << init.out;
  }
  const Outcome r = run({"report", kSource + "/data/hubspot-contacts.csv", "--config", path.string(), "--as-of",
                         "2026-11-01", "--format", "json"});
  std::filesystem::remove(path);
  CHECK(r.code == 0);
  const json j = json::parse(r.out);
  CHECK(j["tz"] == "UTC");  // the starter agreement's zone
  REQUIRE(j["sla"]["targets"].size() == 3);
  CHECK(j["sla"]["targets"][0]["name"] == "Sales response");
  CHECK(j["sla"]["targets"][0]["type"] == "clock");
  CHECK(j["sla"]["targets"][0]["clock"] == "sales_hours");
  CHECK(j["sla"]["targets"][1]["type"] == "volume");
  CHECK(j["sla"]["targets"][2]["type"] == "rate");
  // The id column is the one init named.
  bool id_from_agreement = false;
  for (const auto& m : j["input"]["mapping"])
    if (m["field"] == "id") id_from_agreement = m["column"] == "Record ID" && m["origin"] == "agreement";
  CHECK(id_from_agreement);
}

TEST_CASE("sla cli: init -o refuses to overwrite a file without --force", "[sla][cli]") {
  const auto path = temp_path("existing-agreement.json");
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << "{}\n";
  }
  const Outcome refused = run({"init", "-o", path.string()});
  CHECK(refused.code == 64);
  CHECK(has(refused.err, "--force"));
  const Outcome forced = run({"init", "-o", path.string(), "--force"});
  CHECK(forced.code == 0);
  CHECK(forced.out.empty());
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  std::filesystem::remove(path);
  // Without an export the starter still parses, with placeholders commented out.
  CHECK_NOTHROW(parse_agreement(text, "starter.json"));
}

}  // namespace leadfunnel
