// Tests of the CRM presets on vendor-shaped fixtures (tests/fixtures/presets/):
// recognition from the headers, the columns each preset binds, its stage
// rules, the date order decided for its dates, and report titles and footers.
// Every expected count is worked out by hand from the fixture rows.
#include <catch2/catch.hpp>

#include <date/date.h>
#include <date/tz.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "leadfunnel/cli.hpp"
#include "leadfunnel/error.hpp"
#include "leadfunnel/input.hpp"
#include "leadfunnel/load.hpp"
#include "leadfunnel/preset.hpp"

namespace leadfunnel {
namespace {

using namespace date::literals;
using nlohmann::json;

const std::string kPresets = std::string(LEADFUNNEL_SOURCE_DIR) + "/tests/fixtures/presets/";

constexpr std::size_t idx(Stage s) { return static_cast<std::size_t>(s); }

/// `day` at h:m:s UTC, built by hand.
Instant utc(date::sys_days day, int h = 0, int m = 0, int s = 0) {
  return Instant{day} + std::chrono::hours{h} + std::chrono::minutes{m} + std::chrono::seconds{s};
}

LoadOptions utc_options() {
  LoadOptions o;
  o.zone = date::locate_zone("UTC");
  return o;
}

/// Loads a fixture file of tests/fixtures/presets/ as the leads file.
Dataset load_fixture(const std::string& name, LoadOptions o = utc_options()) {
  return build_dataset(read_table(kPresets + name, ReadOptions{}), std::nullopt, o);
}

RawTable table(std::string_view text, const std::string& path = "leads.csv") {
  return parse_table(text, path, ReadOptions{});
}

/// The column a field is bound to in a file, or "" when unbound.
std::string column_of(const FileSummary& f, Field field) {
  for (const auto& m : f.mapping)
    if (m.field == field) return m.column;
  return {};
}

MappingOrigin origin_of(const FileSummary& f, Field field) {
  for (const auto& m : f.mapping)
    if (m.field == field) return m.origin;
  FAIL("field " << field_name(field) << " is not mapped");
  return MappingOrigin::Auto;
}

const Lead& lead(const Dataset& d, const std::string& id) {
  for (const auto& l : d.leads)
    if (l.id == id) return l;
  FAIL("no lead " << id);
  return d.leads.front();
}

const DateColumn& date_column(const FileSummary& f, const std::string& column) {
  for (const auto& d : f.dates)
    if (d.column == column) return d;
  FAIL("no date decision for column " << column);
  return f.dates.front();
}

template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  FAIL("no exception was thrown");
  return {};
}

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

/// run_cli in-process with a fixed clock (2026-12-01T00:00:00Z).
Run run(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  Run r;
  r.code = run_cli(args, out, err, Instant{date::sys_days{2026_y / 12 / 1}});
  r.out = out.str();
  r.err = err.str();
  return r;
}

json report_json(const std::string& fixture, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"report", kPresets + fixture, "--as-of", "2026-12-01", "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const Run r = run(args);
  INFO(r.err);
  REQUIRE(r.code == 0);
  return json::parse(r.out);
}

const char* const kMqlEntered = "Date entered \"Marketing Qualified Lead (Lifecycle Stage Pipeline)\"";
const char* const kSqlEntered = "Date entered \"Sales Qualified Lead (Lifecycle Stage Pipeline)\"";

}  // namespace

TEST_CASE("presets: each vendor fixture is recognised as its preset", "[presets]") {
  struct Case {
    const char* file;
    const char* preset;
  };
  const Case cases[] = {{"hubspot_contacts.csv", "hubspot"},
                        {"excel_resaved_hubspot.csv", "hubspot"},
                        {"salesforce_leads.csv", "salesforce"},
                        {"pipedrive_deals.csv", "pipedrive"},
                        {"rdstation_contacts.tsv", "rdstation"},
                        {"rdstation_contacts_cp1252.csv", "rdstation"},
                        {"zoho_leads.csv", "zoho"}};
  for (const auto& c : cases) {
    INFO(c.file);
    const Dataset d = load_fixture(c.file);
    REQUIRE(d.input.files.size() == 1);
    REQUIRE(d.input.files[0].preset.has_value());
    CHECK(*d.input.files[0].preset == c.preset);
    // Every fixture is clean: no row is rejected.
    CHECK(d.input.rows_rejected == 0);
  }
}

TEST_CASE("presets: the JSON report names the preset of the file", "[presets]") {
  const json j = report_json("zoho_leads.csv");
  CHECK(j["input"]["files"][0]["preset"] == "zoho");
  CHECK(j["input"]["files"][0]["mapping"]["id"]["column"] == "Record Id");
  CHECK(j["input"]["files"][0]["mapping"]["id"]["origin"] == "preset");
}

TEST_CASE("presets: preset_names lists the five presets", "[presets]") {
  CHECK(preset_names() == std::vector<std::string>{"salesforce", "pipedrive", "rdstation", "zoho", "hubspot"});
}

TEST_CASE("presets: fold_header drops accents, case and separators", "[presets]") {
  CHECK(fold_header("Estágio no funil") == "estagionofunil");
  CHECK(fold_header("Data da última venda") == "datadaultimavenda");
  CHECK(fold_header("Data da primeira conversão") == "datadaprimeiraconversao");
  CHECK(fold_header("Deal - Deal created") == "dealdealcreated");
}

TEST_CASE("presets: headers that fit no vendor are not recognised", "[presets]") {
  CHECK_FALSE(detect_preset({"lead_id", "created_at", "source"}, false).has_value());
  // Salesforce needs "Lead ID" and one of Lead Status / Lead Owner / Lead Source.
  CHECK_FALSE(detect_preset({"Lead ID", "Create Date"}, false).has_value());
  // Zoho needs Created Time as well as Record Id and a Lead column.
  CHECK_FALSE(detect_preset({"Record Id", "Lead Status"}, false).has_value());
}

TEST_CASE("presets: the HubSpot preset binds the contact export's columns", "[presets]") {
  const Dataset d = load_fixture("hubspot_contacts.csv");
  const FileSummary& f = d.input.files[0];
  CHECK(f.bom);
  CHECK(f.delimiter == ',');
  CHECK(column_of(f, Field::Id) == "Record ID");
  CHECK(column_of(f, Field::CreatedAt) == "Create Date");
  CHECK(column_of(f, Field::MqlAt) == kMqlEntered);
  CHECK(column_of(f, Field::HandoffAt) == "Owner Assigned Date");
  CHECK(column_of(f, Field::FirstTouchAt) == "Date of first engagement");
  CHECK(column_of(f, Field::ProspectAt) == kSqlEntered);
  CHECK(column_of(f, Field::Source) == "Original Traffic Source");
  CHECK(column_of(f, Field::Owner) == "Contact owner");
  CHECK(column_of(f, Field::Status) == "Lead Status");
  CHECK(column_of(f, Field::WonAt).empty());  // no "Became a Customer Date" column in this export
  CHECK(origin_of(f, Field::Id) == MappingOrigin::Preset);
  // 9 fields bound: id, created_at, mql_at, handoff_at, first_touch_at, prospect_at, source, owner, status.
  CHECK(f.mapping.size() == 9);
}

TEST_CASE("presets: HubSpot Lifecycle Stage values mark the stages reached", "[presets]") {
  const Dataset d = load_fixture("hubspot_contacts.csv");
  REQUIRE(d.leads.size() == 11);
  // 101 is a plain Lead: no rule matches.
  for (std::size_t s = 0; s < kStageCount; ++s) CHECK_FALSE(lead(d, "101").flagged[s]);
  CHECK(lead(d, "102").flagged[idx(Stage::Mql)]);          // Marketing Qualified Lead
  CHECK(lead(d, "103").flagged[idx(Stage::Prospect)]);     // Sales Qualified Lead
  CHECK(lead(d, "104").flagged[idx(Stage::Opportunity)]);  // Opportunity
  CHECK(lead(d, "105").flagged[idx(Stage::Won)]);          // Customer
  CHECK(lead(d, "111").flagged[idx(Stage::Won)]);          // Evangelist counts as won too
  // 108 is a Sales Qualified Lead with no SQL date: the rule alone makes it a prospect.
  CHECK(lead(d, "108").flagged[idx(Stage::Prospect)]);
  CHECK_FALSE(lead(d, "108").at[idx(Stage::Prospect)].has_value());
  // 103's SQL date: 2026-03-09 10:15, read as UTC.
  CHECK(lead(d, "103").at[idx(Stage::Prospect)] == utc(2026_y / 3 / 9, 10, 15));
}

TEST_CASE("presets: the HubSpot fixture's funnel counts", "[presets]") {
  const json j = report_json("hubspot_contacts.csv");
  // Prospect = an SQL date (103, 104, 105, 111) or a later lifecycle stage or the SQL
  // rule (103, 108, 104 opportunity, 105 customer, 111 evangelist) = {103,104,105,108,111}.
  CHECK(j["conversion"]["leads"] == 11);
  CHECK(j["conversion"]["prospects"] == 5);
  CHECK(j["conversion"]["rate"].get<double>() == Approx(5.0 / 11.0));  // 0.4545
  // mql: dates on 102 103 104 105 107 111, plus 108 through its SQL stage = 7.
  // handoff: Owner Assigned Date on the same six, plus 108 = 7.
  // opportunity: 104, plus customers 105 and 111 = 3; won: 105 and 111 = 2.
  const int reached[] = {11, 7, 7, 5, 3, 2};
  REQUIRE(j["funnel"].size() == 6);
  for (std::size_t s = 0; s < 6; ++s) CHECK(j["funnel"][s]["reached"] == reached[s]);
}

TEST_CASE("presets: the Excel re-saved HubSpot copy gives the same conversion counts", "[presets]") {
  // Same rows, re-saved by a European Excel: ';', CRLF, no BOM, dates 12/03/2026 09:14.
  const Dataset original = load_fixture("hubspot_contacts.csv");
  const Dataset resaved = load_fixture("excel_resaved_hubspot.csv");
  const FileSummary& f = resaved.input.files[0];
  CHECK(f.delimiter == ';');
  CHECK(f.line_ending == "CRLF");
  CHECK_FALSE(f.bom);
  // The day-first order is proved per column by a day above 12, e.g. 14/03/2026 on line 7.
  CHECK(date_column(f, "Create Date").format == "dmy");
  CHECK(date_column(f, "Create Date").decided_by == "'14/03/2026 17:45' on line 7 has a first number above 12");
  for (const auto& d : f.dates) CHECK(d.format == "dmy");

  SECTION("every lead has the same instants and flags") {
    REQUIRE(resaved.leads.size() == original.leads.size());
    for (std::size_t i = 0; i < original.leads.size(); ++i) {
      INFO("lead " << original.leads[i].id);
      CHECK(resaved.leads[i].id == original.leads[i].id);
      CHECK(resaved.leads[i].at == original.leads[i].at);
      CHECK(resaved.leads[i].flagged == original.leads[i].flagged);
      CHECK(resaved.leads[i].first_touch_at == original.leads[i].first_touch_at);
    }
    // 105 was created 2026-03-12 09:14 in both: 12/03/2026 is 12 March, not 3 December.
    CHECK(lead(resaved, "105").at[idx(Stage::Lead)] == utc(2026_y / 3 / 12, 9, 14));
  }
  SECTION("the report counts are equal") {
    const json a = report_json("hubspot_contacts.csv");
    const json b = report_json("excel_resaved_hubspot.csv");
    CHECK(b["conversion"]["leads"] == 11);
    CHECK(b["conversion"]["prospects"] == 5);
    CHECK(b["conversion"]["leads"] == a["conversion"]["leads"]);
    CHECK(b["conversion"]["prospects"] == a["conversion"]["prospects"]);
    REQUIRE(b["funnel"].size() == a["funnel"].size());
    for (std::size_t s = 0; s < a["funnel"].size(); ++s) {
      CHECK(b["funnel"][s]["stage"] == a["funnel"][s]["stage"]);
      CHECK(b["funnel"][s]["reached"] == a["funnel"][s]["reached"]);
    }
  }
}

TEST_CASE("presets: the Salesforce preset binds the lead report's columns", "[presets]") {
  const Dataset d = load_fixture("salesforce_leads.csv");
  const FileSummary& f = d.input.files[0];
  CHECK(column_of(f, Field::Id) == "Lead ID");
  CHECK(column_of(f, Field::CreatedAt) == "Create Date");
  CHECK(column_of(f, Field::ProspectAt) == "Converted Date");
  CHECK(column_of(f, Field::Source) == "Lead Source");
  CHECK(column_of(f, Field::Owner) == "Lead Owner");
  CHECK(column_of(f, Field::Status) == "Lead Status");
  CHECK(f.mapping.size() == 6);
}

TEST_CASE("presets: the Salesforce title line and footer are skipped and counted", "[presets]") {
  const Dataset d = load_fixture("salesforce_leads.csv");
  const FileSummary& f = d.input.files[0];
  // Line 1 title; line 2 header; lines 3-12 the 10 leads; line 13 empty;
  // lines 14-16 Copyright, Confidential and Generated By.
  CHECK(f.columns.front() == "Lead ID");
  CHECK(f.non_data_rows == 4);  // 1 title + 3 footer lines
  CHECK(f.blank_rows == 1);     // the empty line before the footer
  CHECK(f.rows_read == 10);
  CHECK(f.rows_used == 10);
  CHECK(f.rows_rejected == 0);
  CHECK(f.rows_read == f.rows_used + f.rows_rejected);
  CHECK(d.input.rows_read == d.input.rows_used + d.input.rows_rejected);
  CHECK(d.leads.front().line == 3);
  CHECK(d.leads.back().line == 12);
  const std::string path = kPresets + "salesforce_leads.csv";
  REQUIRE(d.input.notes.size() == 2);
  CHECK(d.input.notes[0] ==
        path + ": line 1 ('Leads by Status - As of 10/2/2026 8:00 A...') looks like a report title and was skipped");
  CHECK(d.input.notes[1] == path +
                                ": lines 14-16 look like a report footer ('Copyright (c) 2000-2026 salesforce.com, "
                                "...') and were skipped");
}

TEST_CASE("presets: an Excel re-saved Salesforce report still has its footer skipped", "[presets]") {
  const Dataset d = build_dataset(table("Leads by Status - As of 10/2/2026 8:00 AM;;;\r\n"
                                        "Lead ID;Lead Status;Create Date;Converted\r\n"
                                        "L1;Open;14/09/2026 10:12;0\r\n"
                                        "L2;Qualified;15/09/2026 14:30;0\r\n"
                                        ";;;\r\n"
                                        "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.;;;\r\n"
                                        "Confidential Information - Do Not Distribute;;;\r\n"
                                        "Generated By:  Paula Grant  02/10/2026 08:00;;;\r\n"),
                                  std::nullopt, utc_options());
  const FileSummary& f = d.input.files[0];
  CHECK(f.rows_read == 2);
  CHECK(f.non_data_rows == 4);
  CHECK(d.leads.size() == 2);
}

TEST_CASE("presets: Salesforce dates are read month-first from the evidence", "[presets]") {
  const Dataset d = load_fixture("salesforce_leads.csv");
  const FileSummary& f = d.input.files[0];
  CHECK(date_column(f, "Create Date").format == "mdy");
  CHECK(date_column(f, "Create Date").decided_by == "'9/14/2026 10:12 AM' on line 3 has a second number above 12");
  CHECK(date_column(f, "Converted Date").format == "mdy");
  CHECK(date_column(f, "Converted Date").decided_by == "'9/20/2026' on line 5 has a second number above 12");
  // 9/15/2026 2:30 PM = 14:30; 9/22/2026 12:00 PM = noon; 9/23/2026 12:30 AM = 00:30.
  CHECK(lead(d, "00Q5g00000AbC002").at[idx(Stage::Lead)] == utc(2026_y / 9 / 15, 14, 30));
  CHECK(lead(d, "00Q5g00000AbC007").at[idx(Stage::Lead)] == utc(2026_y / 9 / 22, 12, 0));
  CHECK(lead(d, "00Q5g00000AbC008").at[idx(Stage::Lead)] == utc(2026_y / 9 / 23, 0, 30));
  // Converted Date 9/20/2026 is a date alone: the start of that day.
  const Lead& c3 = lead(d, "00Q5g00000AbC003");
  CHECK(c3.at[idx(Stage::Prospect)] == utc(2026_y / 9 / 20));
  CHECK(c3.date_only[idx(Stage::Prospect)]);
}

TEST_CASE("presets: Salesforce leads convert by the Converted flag or the Lead Status", "[presets]") {
  SECTION("on the fixture") {
    const json j = report_json("salesforce_leads.csv");
    // Converted = 1 on C003, C006, C009; Lead Status Qualified on C004 = 4 of 10.
    CHECK(j["conversion"]["leads"] == 10);
    CHECK(j["conversion"]["prospects"] == 4);
    CHECK(lead(load_fixture("salesforce_leads.csv"), "00Q5g00000AbC004").flagged[idx(Stage::Prospect)]);
  }
  SECTION("each rule works alone") {
    const Dataset d = build_dataset(table("Lead ID,Lead Status,Create Date,Converted\n"
                                          "L1,Working - Contacted,2026-09-14,1\n"
                                          "L2,Qualified,2026-09-14,0\n"
                                          "L3,Working - Contacted,2026-09-14,0\n"
                                          "L4, closed - converted ,2026-09-14,no\n"
                                          "L5,Open - Not Contacted,2026-09-14,TRUE\n"),
                                    std::nullopt, utc_options());
    REQUIRE(d.input.files[0].preset == std::optional<std::string>("salesforce"));
    CHECK(lead(d, "L1").flagged[idx(Stage::Prospect)]);        // Converted = 1
    CHECK(lead(d, "L2").flagged[idx(Stage::Prospect)]);        // status Qualified
    CHECK_FALSE(lead(d, "L3").flagged[idx(Stage::Prospect)]);  // neither
    CHECK(lead(d, "L4").flagged[idx(Stage::Prospect)]);        // status, any case and spaces
    CHECK(lead(d, "L5").flagged[idx(Stage::Prospect)]);        // TRUE is a true flag
  }
}

TEST_CASE("presets: Salesforce has no date order of its own", "[presets]") {
  // No day above 12 anywhere and no vendor order: the run asks for --date-order.
  const std::string msg = message_of<InputError>([] {
    build_dataset(table("Lead ID,Lead Status,Create Date\nL1,Open,3/4/2026 10:00 AM\n"), std::nullopt, utc_options());
  });
  CHECK(msg ==
        "leads.csv: the dates in column \"Create Date\" (3/4/2026 10:00 AM) could be day-first or month-first: no day "
        "above 12 anywhere. Pass --date-order dmy or --date-order mdy (or set \"date_order\" in the agreement)");
}

TEST_CASE("presets: the Pipedrive preset binds the deal export's columns", "[presets]") {
  const Dataset d = load_fixture("pipedrive_deals.csv");
  const FileSummary& f = d.input.files[0];
  CHECK(column_of(f, Field::Id) == "Deal - ID");
  CHECK(column_of(f, Field::CreatedAt) == "Deal - Deal created");
  CHECK(column_of(f, Field::WonAt) == "Deal - Won time");
  CHECK(column_of(f, Field::LostAt) == "Deal - Lost time");
  CHECK(column_of(f, Field::Source) == "Deal - Source");
  CHECK(column_of(f, Field::Owner) == "Deal - Owner");
  CHECK(column_of(f, Field::Status) == "Deal - Status");
  CHECK(f.mapping.size() == 7);
  // Seconds are kept: 2026-05-03 14:22:05.
  CHECK(lead(d, "1").at[idx(Stage::Lead)] == utc(2026_y / 5 / 3, 14, 22, 5));
  CHECK(lead(d, "3").lost_at == utc(2026_y / 5 / 15, 10, 30));
}

TEST_CASE("presets: a Pipedrive deal with Status won is won, with or without a Won time", "[presets]") {
  const Dataset d = load_fixture("pipedrive_deals.csv");
  CHECK(lead(d, "2").flagged[idx(Stage::Won)]);
  CHECK(lead(d, "2").at[idx(Stage::Won)] == utc(2026_y / 5 / 20, 16, 0));
  CHECK(lead(d, "8").flagged[idx(Stage::Won)]);  // won, Won time left blank
  CHECK_FALSE(lead(d, "8").at[idx(Stage::Won)].has_value());
  CHECK_FALSE(lead(d, "1").flagged[idx(Stage::Won)]);  // open
  CHECK_FALSE(lead(d, "3").flagged[idx(Stage::Won)]);  // lost
  const json j = report_json("pipedrive_deals.csv");
  // won: deals 2, 5 and 8 = 3 of 10; a won deal has also passed prospect.
  CHECK(j["conversion"]["leads"] == 10);
  CHECK(j["conversion"]["prospects"] == 3);
  CHECK(j["funnel"][5]["reached"] == 3);
}

TEST_CASE("presets: Pipedrive deals as the prospects file join the leads by Person - Email", "[presets]") {
  const Dataset d = build_dataset(table("lead_id,created_at\n"
                                        "ana.costa@example.com,2026-05-01 09:00\n"
                                        "ben.hart@example.com,2026-05-01 10:00\n"
                                        "cleo.ng@example.com,2026-05-02 11:00\n"
                                        "zoe.quinn@example.com,2026-05-02 12:00\n"),
                                  read_table(kPresets + "pipedrive_deals.csv", ReadOptions{}), utc_options());
  REQUIRE(d.input.files.size() == 2);
  const FileSummary& p = d.input.files[1];
  CHECK(p.preset == std::optional<std::string>("pipedrive"));
  CHECK(column_of(p, Field::Id) == "Person - Email");
  // Deals 1-3 belong to ana, ben and cleo; the other 7 deals have no lead.
  CHECK(d.input.orphans == 7);
  CHECK(d.input.rows_read == 14);  // 4 leads + 10 deals
  CHECK(d.input.rows_used == 7);   // 4 leads + 3 joined deals
  CHECK(d.input.rows_rejected == 7);
  // Deal created is when the lead became a prospect: ana's deal 1 on 2026-05-03 14:22:05.
  CHECK(lead(d, "ana.costa@example.com").at[idx(Stage::Prospect)] == utc(2026_y / 5 / 3, 14, 22, 5));
  CHECK(lead(d, "ben.hart@example.com").flagged[idx(Stage::Won)]);  // deal 2 is won
  CHECK_FALSE(lead(d, "cleo.ng@example.com").flagged[idx(Stage::Won)]);
  CHECK_FALSE(lead(d, "zoe.quinn@example.com").at[idx(Stage::Prospect)].has_value());
}

TEST_CASE("presets: the RD Station preset binds the contact export's columns", "[presets]") {
  const Dataset d = load_fixture("rdstation_contacts.tsv");
  const FileSummary& f = d.input.files[0];
  CHECK(f.encoding == "utf-16le");
  CHECK(f.delimiter == '\t');
  CHECK(column_of(f, Field::Id) == "Email");
  CHECK(column_of(f, Field::CreatedAt) == "Data da primeira conversão");
  CHECK(column_of(f, Field::WonAt) == "Data da última venda");
  CHECK(column_of(f, Field::Source) == "Origem da primeira conversão");
  CHECK(column_of(f, Field::Status) == "Estágio no funil");
  CHECK(f.mapping.size() == 5);
}

TEST_CASE("presets: RD Station stages: Lead Qualificado is mql and Cliente is won", "[presets]") {
  const Dataset d = load_fixture("rdstation_contacts.tsv");
  CHECK(lead(d, "bruno.lima@example.com").flagged[idx(Stage::Mql)]);
  CHECK_FALSE(lead(d, "bruno.lima@example.com").flagged[idx(Stage::Won)]);
  CHECK(lead(d, "carla.mendes@example.com").flagged[idx(Stage::Won)]);
  CHECK_FALSE(lead(d, "ana.souza@example.com").flagged[idx(Stage::Mql)]);
  const json j = report_json("rdstation_contacts.tsv");
  // Lead Qualificado: bruno, erica, iara; Cliente: carla, giovana.
  // mql = 3 + 2 = 5; prospect = won = the 2 clients (won implies every stage before it).
  CHECK(j["conversion"]["leads"] == 10);
  CHECK(j["conversion"]["prospects"] == 2);
  CHECK(j["funnel"][1]["reached"] == 5);
  CHECK(j["funnel"][5]["reached"] == 2);
}

TEST_CASE("presets: RD Station dates are day-first", "[presets]") {
  SECTION("from the evidence in the fixture") {
    const Dataset d = load_fixture("rdstation_contacts.tsv");
    const FileSummary& f = d.input.files[0];
    CHECK(date_column(f, "Data da primeira conversão").format == "dmy");
    CHECK(date_column(f, "Data da primeira conversão").decided_by ==
          "'15/03/2026 14:30' on line 2 has a first number above 12");
    // 02/03/2026 09:05 is 2 March; Carla's last sale 20/03/2026 16:45.
    CHECK(lead(d, "bruno.lima@example.com").at[idx(Stage::Lead)] == utc(2026_y / 3 / 2, 9, 5));
    CHECK(lead(d, "carla.mendes@example.com").at[idx(Stage::Won)] == utc(2026_y / 3 / 20, 16, 45));
  }
  SECTION("from the preset when no day is above 12") {
    const Dataset d = build_dataset(table("Email\tEstágio no funil\tData da primeira conversão\n"
                                          "ana@example.com\tLead\t02/03/2026 09:05\n"
                                          "bia@example.com\tCliente\t11/04/2026 10:00\n"),
                                    std::nullopt, utc_options());
    const DateColumn& c = date_column(d.input.files[0], "Data da primeira conversão");
    CHECK(c.format == "dmy");
    CHECK(c.decided_by == "the rdstation preset's date order (no day above 12 in the column)");
    CHECK(lead(d, "bia@example.com").at[idx(Stage::Lead)] == utc(2026_y / 4 / 11, 10, 0));
  }
}

TEST_CASE("presets: RD Station headers are recognised without their accents", "[presets]") {
  const Dataset d = build_dataset(table("Email,Estagio no funil,Data da primeira conversao,Origem da primeira conversao\n"
                                        "ana@example.com,Lead Qualificado,2026-03-02 09:05,Google Ads\n"),
                                  std::nullopt, utc_options());
  const FileSummary& f = d.input.files[0];
  CHECK(f.preset == std::optional<std::string>("rdstation"));
  CHECK(column_of(f, Field::CreatedAt) == "Data da primeira conversao");
  CHECK(column_of(f, Field::Status) == "Estagio no funil");
  CHECK(lead(d, "ana@example.com").flagged[idx(Stage::Mql)]);
}

TEST_CASE("presets: the Windows-1252 RD Station copy reads like the UTF-16 one", "[presets]") {
  const Dataset a = load_fixture("rdstation_contacts.tsv");
  const Dataset b = load_fixture("rdstation_contacts_cp1252.csv");
  CHECK(b.input.files[0].encoding == "windows-1252");
  CHECK(b.input.files[0].delimiter == ';');
  CHECK(b.input.files[0].columns == a.input.files[0].columns);
  REQUIRE(b.leads.size() == a.leads.size());
  for (std::size_t i = 0; i < a.leads.size(); ++i) {
    CHECK(b.leads[i].id == a.leads[i].id);
    CHECK(b.leads[i].at == a.leads[i].at);
    CHECK(b.leads[i].flagged == a.leads[i].flagged);
  }
}

TEST_CASE("presets: the Zoho preset binds the lead export's columns", "[presets]") {
  const Dataset d = load_fixture("zoho_leads.csv");
  const FileSummary& f = d.input.files[0];
  CHECK(column_of(f, Field::Id) == "Record Id");
  CHECK(column_of(f, Field::CreatedAt) == "Created Time");
  CHECK(column_of(f, Field::Source) == "Lead Source");
  CHECK(column_of(f, Field::Owner) == "Lead Owner");
  CHECK(column_of(f, Field::Status) == "Lead Status");
  CHECK(f.mapping.size() == 5);
  // The long numeric ids keep their exact text.
  CHECK(d.leads.front().id == "5725767000000412001");
}

TEST_CASE("presets: Zoho prospects are Pre-Qualified, Qualified or Converted leads", "[presets]") {
  const Dataset d = load_fixture("zoho_leads.csv");
  CHECK(lead(d, "5725767000000412003").flagged[idx(Stage::Prospect)]);        // Pre-Qualified
  CHECK(lead(d, "5725767000000412005").flagged[idx(Stage::Prospect)]);        // Qualified
  CHECK(lead(d, "5725767000000412011").flagged[idx(Stage::Prospect)]);        // Converted
  CHECK_FALSE(lead(d, "5725767000000412009").flagged[idx(Stage::Prospect)]);  // Not Qualified is not Qualified
  CHECK_FALSE(lead(d, "5725767000000412002").flagged[idx(Stage::Prospect)]);  // Contacted
  const json j = report_json("zoho_leads.csv");
  // Pre-Qualified x2 (003, 008) + Qualified (005) + Converted (011) = 4 of 11.
  CHECK(j["conversion"]["leads"] == 11);
  CHECK(j["conversion"]["prospects"] == 4);
}

TEST_CASE("presets: Zoho dates are month-first", "[presets]") {
  SECTION("from the evidence in the fixture") {
    const Dataset d = load_fixture("zoho_leads.csv");
    const DateColumn& c = date_column(d.input.files[0], "Created Time");
    CHECK(c.format == "mdy");
    CHECK(c.decided_by == "'03/14/2026 09:05:00' on line 6 has a second number above 12");
    // 03/04/2026 10:30:00 is 4 March.
    CHECK(lead(d, "5725767000000412002").at[idx(Stage::Lead)] == utc(2026_y / 3 / 4, 10, 30));
  }
  SECTION("from the preset when no day is above 12") {
    const Dataset d = build_dataset(table("Record Id,Lead Status,Created Time\n"
                                          "1,Contacted,03/04/2026 10:30:00\n"),
                                    std::nullopt, utc_options());
    const DateColumn& c = date_column(d.input.files[0], "Created Time");
    CHECK(c.format == "mdy");
    CHECK(c.decided_by == "the zoho preset's date order (no day above 12 in the column)");
    CHECK(lead(d, "1").at[idx(Stage::Lead)] == utc(2026_y / 3 / 4, 10, 30));
  }
  SECTION("--date-order wins over the preset") {
    LoadOptions o = utc_options();
    o.date_order = DateOrder::Dmy;
    const Dataset d = build_dataset(table("Record Id,Lead Status,Created Time\n"
                                          "1,Contacted,03/04/2026 10:30:00\n"),
                                    std::nullopt, o);
    CHECK(date_column(d.input.files[0], "Created Time").decided_by == "--date-order");
    CHECK(lead(d, "1").at[idx(Stage::Lead)] == utc(2026_y / 4 / 3, 10, 30));
  }
}

TEST_CASE("presets: --preset none turns recognition off", "[presets]") {
  SECTION("build_dataset") {
    LoadOptions o = utc_options();
    o.preset = "none";
    const Dataset d = load_fixture("zoho_leads.csv", o);
    const FileSummary& f = d.input.files[0];
    CHECK_FALSE(f.preset.has_value());
    // The generic synonyms still find the columns, but as "auto" bindings,
    // and without the preset's status rule nobody is a prospect.
    CHECK(column_of(f, Field::Id) == "Record Id");
    CHECK(origin_of(f, Field::Id) == MappingOrigin::Auto);
    for (const auto& l : d.leads) CHECK_FALSE(l.flagged[idx(Stage::Prospect)]);
  }
  SECTION("run_cli") {
    const json j = report_json("zoho_leads.csv", {"--preset", "none"});
    CHECK(j["input"]["files"][0]["preset"].is_null());
    CHECK(j["input"]["files"][0]["mapping"]["id"]["origin"] == "auto");
    CHECK(j["conversion"]["prospects"] == 0);
  }
  SECTION("a file only the preset can read has no id without it") {
    const Run r = run({"validate", kPresets + "rdstation_contacts.tsv", "--preset", "none"});
    CHECK(r.code == 65);
    CHECK(r.err.find("no column was recognised as the lead id") != std::string::npos);
  }
}

TEST_CASE("presets: --preset NAME applies a preset the headers would not trigger", "[presets]") {
  // Zoho is recognised only with a Lead Owner/Status/Source column; forced, it binds what exists.
  LoadOptions o = utc_options();
  o.preset = "zoho";
  const Dataset d = build_dataset(table("Record Id,Created Time\n1,03/04/2026 10:30:00\n"), std::nullopt, o);
  CHECK(d.input.files[0].preset == std::optional<std::string>("zoho"));
  CHECK(origin_of(d.input.files[0], Field::Id) == MappingOrigin::Preset);
  CHECK(origin_of(d.input.files[0], Field::CreatedAt) == MappingOrigin::Preset);
  // Zoho's month-first order applies.
  CHECK(lead(d, "1").at[idx(Stage::Lead)] == utc(2026_y / 3 / 4, 10, 30));
}

TEST_CASE("presets: --preset with an unknown name is a usage error listing the names", "[presets]") {
  SECTION("run_cli") {
    const Run r = run({"validate", kPresets + "zoho_leads.csv", "--preset", "nosuch"});
    CHECK(r.code == 64);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "leadfunnel: error: --preset nosuch: unknown preset; use one of: salesforce, pipedrive, rdstation, zoho, "
          "hubspot, none\n");
  }
  SECTION("build_dataset") {
    LoadOptions o = utc_options();
    o.preset = "nosuch";
    CHECK_THROWS_AS(load_fixture("zoho_leads.csv", o), UsageError);
  }
}

TEST_CASE("presets: --map and the agreement override a preset's bindings and rules", "[presets]") {
  SECTION("--map source=Company") {
    LoadOptions o = utc_options();
    o.map = {"source=Company"};
    const Dataset d = load_fixture("zoho_leads.csv", o);
    CHECK(column_of(d.input.files[0], Field::Source) == "Company");
    CHECK(origin_of(d.input.files[0], Field::Source) == MappingOrigin::CommandLine);
    CHECK(origin_of(d.input.files[0], Field::Id) == MappingOrigin::Preset);
  }
  SECTION("agreement stages replace the preset's rule for that stage") {
    LoadOptions o = utc_options();
    o.agreement = parse_agreement(R"({"stages": {"prospect": {"column": "Lead Status", "in": ["Contacted"]}}})",
                                  "agreement.json");
    const Dataset d = load_fixture("zoho_leads.csv", o);
    CHECK(lead(d, "5725767000000412002").flagged[idx(Stage::Prospect)]);        // Contacted: the agreement's rule
    CHECK_FALSE(lead(d, "5725767000000412005").flagged[idx(Stage::Prospect)]);  // Qualified: preset rule replaced
  }
}

}  // namespace leadfunnel
