// Tests of build_dataset: tables parsed from in-memory CSV text, mapped and
// validated into leads, with every row accounted for.
#include <catch2/catch.hpp>

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "leadfunnel/error.hpp"
#include "leadfunnel/input.hpp"
#include "leadfunnel/load.hpp"

namespace leadfunnel {
namespace {

constexpr std::size_t idx(Stage s) { return static_cast<std::size_t>(s); }

Instant utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0) {
  const date::sys_days day = date::year{y} / date::month{mo} / date::day{d};
  return Instant{day} + std::chrono::hours{h} + std::chrono::minutes{mi};
}

RawTable table(std::string_view text, const std::string& path = "leads.csv") {
  return parse_table(text, path, ReadOptions{});
}

LoadOptions utc_options() {
  LoadOptions o;
  o.zone = date::locate_zone("UTC");
  return o;
}

const MappedColumn* mapped(const FileSummary& f, Field field) {
  for (const auto& m : f.mapping)
    if (m.field == field) return &m;
  return nullptr;
}

const Lead* find_lead(const Dataset& d, const std::string& id) {
  for (const auto& l : d.leads)
    if (l.id == id) return &l;
  return nullptr;
}

/// The message of the exception of type E that `f` throws.
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

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("load: columns are mapped automatically from their headers", "[load]") {
  // These headers would also be recognised as a Salesforce export; the
  // synonym table alone is under test here.
  LoadOptions o = utc_options();
  o.preset = "none";
  const auto d = build_dataset(table("Lead ID,Create Date,Lead Source,Contact Owner,Notes\n"
                                     "A1,2024-05-01 10:00,web,Ana,hello\n"),
                               std::nullopt, o);
  REQUIRE(d.input.files.size() == 1);
  const auto& f = d.input.files[0];
  CHECK(f.role == "leads");
  // "Lead ID" -> leadid -> id; "Create Date" -> createdate; "Lead Source" -> leadsource; "Contact Owner".
  const MappedColumn* id = mapped(f, Field::Id);
  REQUIRE(id);
  CHECK(id->column == "Lead ID");
  CHECK(id->origin == MappingOrigin::Auto);
  REQUIRE(mapped(f, Field::CreatedAt));
  CHECK(mapped(f, Field::CreatedAt)->column == "Create Date");
  REQUIRE(mapped(f, Field::Source));
  CHECK(mapped(f, Field::Source)->column == "Lead Source");
  REQUIRE(mapped(f, Field::Owner));
  CHECK(mapped(f, Field::Owner)->column == "Contact Owner");
  CHECK(mapped(f, Field::ProspectAt) == nullptr);
  CHECK(f.mapping.size() == 4);  // Notes maps to nothing

  CHECK(d.has_field[static_cast<std::size_t>(Field::CreatedAt)]);
  CHECK_FALSE(d.has_field[static_cast<std::size_t>(Field::ProspectAt)]);
  REQUIRE(d.leads.size() == 1);
  CHECK(d.leads[0].id == "A1");
  CHECK(d.leads[0].line == 2);
  // Naive time in UTC: 2024-05-01T10:00Z.
  REQUIRE(d.leads[0].at[0]);
  CHECK(*d.leads[0].at[0] == utc(2024, 5, 1, 10));
  // Lead is always observable; prospect has neither a column nor a rule here.
  CHECK(d.stage_observable[idx(Stage::Lead)]);
  CHECK_FALSE(d.stage_observable[idx(Stage::Prospect)]);
}

TEST_CASE("load: --map overrides the automatic mapping and the agreement", "[load]") {
  const std::string csv =
      "id,created_at,signup_date\n"
      "A1,2024-01-01T00:00:00Z,2024-02-02T00:00:00Z\n";
  LoadOptions o = utc_options();
  SECTION("--map alone") {
    o.map = {"created_at=signup_date"};
    const auto d = build_dataset(table(csv), std::nullopt, o);
    const MappedColumn* c = mapped(d.input.files[0], Field::CreatedAt);
    REQUIRE(c);
    CHECK(c->column == "signup_date");
    CHECK(c->origin == MappingOrigin::CommandLine);
    REQUIRE(d.leads.size() == 1);
    CHECK(*d.leads[0].at[0] == utc(2024, 2, 2));
  }
  SECTION("the agreement maps it, --map wins over the agreement") {
    Agreement a;
    a.path = "team.json";
    a.columns = {{Field::CreatedAt, "signup_date"}};
    o.agreement = a;
    {
      const auto d = build_dataset(table(csv), std::nullopt, o);
      const MappedColumn* c = mapped(d.input.files[0], Field::CreatedAt);
      REQUIRE(c);
      CHECK(c->column == "signup_date");
      CHECK(c->origin == MappingOrigin::Agreement);
    }
    o.map = {"created_at=created_at"};
    const auto d = build_dataset(table(csv), std::nullopt, o);
    const MappedColumn* c = mapped(d.input.files[0], Field::CreatedAt);
    REQUIRE(c);
    CHECK(c->column == "created_at");
    CHECK(c->origin == MappingOrigin::CommandLine);
    CHECK(*d.leads[0].at[0] == utc(2024, 1, 1));
  }
}

TEST_CASE("load: --map with an unknown column lists the columns and suggests the closest", "[load]") {
  LoadOptions o = utc_options();
  o.map = {"created_at=signup_dat"};
  const std::string msg = message_of<UsageError>(
      [&] { build_dataset(table("id,signup_date,source\nA1,2024-01-01,web\n"), std::nullopt, o); });
  CHECK(contains(msg, "--map created_at=signup_dat"));
  CHECK(contains(msg, "no column \"signup_dat\""));
  CHECK(contains(msg, "Did you mean \"signup_date\"?"));  // one edit away
  CHECK(contains(msg, "\"id\", \"signup_date\", \"source\""));
}

TEST_CASE("load: --map with an unknown field is a usage error", "[load]") {
  LoadOptions o = utc_options();
  SECTION("a misspelt field") {
    o.map = {"create_at=signup_date"};
    const std::string msg = message_of<UsageError>(
        [&] { build_dataset(table("id,signup_date\nA1,2024-01-01\n"), std::nullopt, o); });
    CHECK(contains(msg, "unknown field \"create_at\""));
    CHECK(contains(msg, "Did you mean \"created_at\"?"));
  }
  SECTION("no '='") {
    o.map = {"created_at"};
    CHECK_THROWS_AS(build_dataset(table("id,signup_date\nA1,2024-01-01\n"), std::nullopt, o), UsageError);
  }
}

TEST_CASE("load: a file without an id column is a file error and each row is rejected with its line", "[load]") {
  const auto d = build_dataset(table("name,created_at\nAna,2024-01-01\nBia,2024-01-02\n"), std::nullopt, utc_options());
  CHECK(d.leads.empty());
  REQUIRE(d.input.file_errors.size() == 1);
  CHECK(d.input.file_errors[0].file == "leads.csv");
  CHECK(contains(d.input.file_errors[0].message, "--map id=COLUMN"));
  CHECK(contains(d.input.file_errors[0].message, "\"name\", \"created_at\""));
  CHECK(d.input.rows_read == 2);
  CHECK(d.input.rows_rejected == 2);
  REQUIRE(d.input.rejections.size() == 2);
  CHECK(d.input.rejections[0].line == 2);
  CHECK(d.input.rejections[1].line == 3);
}

TEST_CASE("load: with strict, a file without an id column is an input error", "[load]") {
  auto o = utc_options();
  o.strict = true;
  try {
    build_dataset(table("name,created_at\nAna,2024-01-01\n"), std::nullopt, o);
    FAIL("no exception");
  } catch (const InputError& e) {
    CHECK(e.code() == ExitCode::Data);
    CHECK(e.path() == "leads.csv");
    CHECK(contains(e.what(), "--map id=COLUMN"));
  }
}

TEST_CASE("load: a prospects file without an id column is a file error and the leads are still read", "[load]") {
  const auto d = build_dataset(table("id,created_at\nA,2026-01-01\n"), table("name\nX\n", "deals.csv"),
                               utc_options());
  CHECK(d.leads.size() == 1);
  REQUIRE(d.input.file_errors.size() == 1);
  CHECK(d.input.file_errors[0].file == "deals.csv");
  CHECK(d.input.rows_read == 2);
  CHECK(d.input.rows_used == 1);
  CHECK(d.input.rows_rejected == 1);
}

TEST_CASE("load: blank and duplicate ids are rejected, and the first row is kept", "[load]") {
  auto o = utc_options();
  o.by = {"source"};
  const auto d = build_dataset(table("id,source\n"
                                     "a,web\n"    // line 2
                                     "b,ads\n"    // line 3
                                     "  ,ref\n"   // line 4: blank id
                                     "a,ref\n"),  // line 5: duplicate of line 2
                               std::nullopt, o);
  REQUIRE(d.leads.size() == 2);
  const Lead* a = find_lead(d, "a");
  REQUIRE(a);
  CHECK(a->line == 2);
  REQUIRE(a->segments.size() == 1);
  CHECK(a->segments[0] == "web");  // the first row's value
  CHECK(d.input.duplicate_ids == 1);
  REQUIRE(d.input.rejections.size() == 2);
  const auto& blank = d.input.rejections[0];
  CHECK(blank.line == 4);
  CHECK(blank.column == "id");
  CHECK(contains(blank.reason, "blank"));
  const auto& dup = d.input.rejections[1];
  CHECK(dup.file == "leads.csv");
  CHECK(dup.line == 5);
  CHECK(dup.column == "id");
  CHECK(contains(dup.reason, "\"a\""));
  CHECK(contains(dup.reason, "first seen on line 2"));
  // 4 read = 2 used + 2 rejected
  CHECK(d.input.rows_read == 4);
  CHECK(d.input.rows_used == 2);
  CHECK(d.input.rows_rejected == 2);
}

TEST_CASE("load: a bad date in a mapped column rejects the row, in an unmapped one it is ignored", "[load]") {
  const auto d = build_dataset(table("id,Create Date,last_seen\n"
                                     "a,2024-02-30,2024-01-01\n"  // line 2: no 30 February
                                     "b,2024-03-01,yesterday\n"),  // line 3: last_seen is not mapped
                               std::nullopt, utc_options());
  REQUIRE(d.leads.size() == 1);
  CHECK(d.leads[0].id == "b");
  CHECK(*d.leads[0].at[0] == utc(2024, 3, 1));
  REQUIRE(d.input.rejections.size() == 1);
  const auto& r = d.input.rejections[0];
  CHECK(r.line == 2);
  CHECK(r.column == "Create Date");
  CHECK(contains(r.reason, "2024-02-30"));
  CHECK(contains(r.reason, "created_at"));
}

TEST_CASE("load: strict mode throws at the first rejected row", "[load]") {
  LoadOptions o = utc_options();
  o.strict = true;
  SECTION("a bad date") {
    try {
      build_dataset(table("id,created_at\n"
                          "a,2024-01-01\n"
                          "b,2024-13-01\n"  // line 3: month 13
                          "  ,2024-01-02\n"),
                    std::nullopt, o);
      FAIL("no exception");
    } catch (const InputError& e) {
      CHECK(e.code() == ExitCode::Data);
      CHECK(e.path() == "leads.csv");
      CHECK(e.line() == 3);
      CHECK(e.column() == "created_at");
      CHECK(contains(e.what(), "leads.csv:3:"));
      CHECK(contains(e.what(), "2024-13-01"));
    }
  }
  SECTION("a row the reader could not split") {
    try {
      build_dataset(table("id,created_at\n"
                          "a,2024-01-01\n"
                          "b,2024-01-02,extra\n"),  // line 3: 3 fields for 2 columns
                    std::nullopt, o);
      FAIL("no exception");
    } catch (const InputError& e) {
      CHECK(e.line() == 3);
      CHECK(contains(e.what(), "leads.csv:3:"));
    }
  }
}

TEST_CASE("load: every row read is either used or rejected", "[load]") {
  const auto leads = table(
      "id,created_at\n"
      "a,2024-01-01\n"        // 2 used
      "b,2024-01-02,x\n"      // 3 rejected by the reader (3 fields)
      ",2024-01-03\n"         // 4 rejected: blank id
      "a,2024-01-04\n"        // 5 rejected: duplicate
      "c,not a date\n"        // 6 rejected: bad created_at
      "d,2024-01-06\n");      // 7 used
  const auto prospects = table(
      "id,created_at\n"
      "a,2024-02-01\n"        // 2 used
      "zz,2024-02-02\n"       // 3 rejected: orphan
      "d,2024-02-31\n",       // 4 rejected: bad date
      "deals.csv");
  const auto d = build_dataset(leads, prospects, utc_options());
  REQUIRE(d.input.files.size() == 2);
  const auto& lf = d.input.files[0];
  const auto& pf = d.input.files[1];
  // leads: 6 read = 2 used + 4 rejected
  CHECK(lf.rows_read == 6);
  CHECK(lf.rows_used == 2);
  CHECK(lf.rows_rejected == 4);
  // prospects: 3 read = 1 used + 2 rejected
  CHECK(pf.role == "prospects");
  CHECK(pf.rows_read == 3);
  CHECK(pf.rows_used == 1);
  CHECK(pf.rows_rejected == 2);
  // total: 9 read = 3 used + 6 rejected
  CHECK(d.input.rows_read == 9);
  CHECK(d.input.rows_used == 3);
  CHECK(d.input.rows_rejected == 6);
  CHECK(d.input.rows_read == d.input.rows_used + d.input.rows_rejected);
  REQUIRE(d.input.rejections.size() == 6);
  // Leads file first, by line; then the prospects file.
  const std::size_t lines[] = {3, 4, 5, 6, 3, 4};
  const char* files[] = {"leads.csv", "leads.csv", "leads.csv", "leads.csv", "deals.csv", "deals.csv"};
  for (std::size_t i = 0; i < 6; ++i) {
    CHECK(d.input.rejections[i].line == lines[i]);
    CHECK(d.input.rejections[i].file == files[i]);
  }
  CHECK(d.input.orphans == 1);
}

TEST_CASE("load: two files are joined by id", "[load]") {
  const auto leads = table(
      "id,created_at,source\n"
      "L1,2024-01-01T00:00:00Z,web\n"
      "L2,2024-01-02T00:00:00Z,ads\n"
      "L3,2024-01-03T00:00:00Z,\n");
  const std::string deals_csv =
      "deal,id,created_at,opportunity_at,region,closed_on\n"
      "D1,L1,2024-01-10T00:00:00Z,,north,2024-03-01T00:00:00Z\n"                   // line 2
      "D2,L1,2024-01-05T00:00:00Z,2024-01-20T00:00:00Z,south,2024-02-01T00:00:00Z\n"  // line 3: earlier
      "D3,L9,2024-01-06T00:00:00Z,,east,\n"                                           // line 4: orphan
      "D4,L2,,,west,\n";                                                              // line 5: no dates
  LoadOptions o = utc_options();

  SECTION("earliest date per stage, presence flags prospect, orphans rejected") {
    const auto d = build_dataset(leads, table(deals_csv, "deals.csv"), o);
    CHECK(d.two_files);
    CHECK(d.stage_observable[idx(Stage::Prospect)]);
    const Lead* l1 = find_lead(d, "L1");
    const Lead* l2 = find_lead(d, "L2");
    const Lead* l3 = find_lead(d, "L3");
    REQUIRE(l1);
    REQUIRE(l2);
    REQUIRE(l3);
    // deals created_at is read as prospect_at: min(01-10, 01-05) = 2024-01-05.
    REQUIRE(l1->at[idx(Stage::Prospect)]);
    CHECK(*l1->at[idx(Stage::Prospect)] == utc(2024, 1, 5));
    REQUIRE(l1->at[idx(Stage::Opportunity)]);
    CHECK(*l1->at[idx(Stage::Opportunity)] == utc(2024, 1, 20));
    // The lead keeps its own creation date.
    CHECK(*l1->at[0] == utc(2024, 1, 1));
    // L1's deals are dated, so the dates decide (no undated flag).
    CHECK_FALSE(l1->flagged[idx(Stage::Prospect)]);
    // L2 has a deal with no dates: a prospect without a date.
    CHECK(l2->flagged[idx(Stage::Prospect)]);
    CHECK_FALSE(l2->at[idx(Stage::Prospect)].has_value());
    CHECK_FALSE(l3->flagged[idx(Stage::Prospect)]);
    // The orphan.
    CHECK(d.input.orphans == 1);
    REQUIRE(d.input.rejections.size() == 1);
    CHECK(d.input.rejections[0].file == "deals.csv");
    CHECK(d.input.rejections[0].line == 4);
    CHECK(contains(d.input.rejections[0].reason, "L9"));
    // 3 + 4 read = (3 + 3) used + 1 rejected
    CHECK(d.input.rows_read == 7);
    CHECK(d.input.rows_used == 6);
    CHECK(d.input.rows_rejected == 1);
  }
  SECTION("a mapped prospect_at in the prospects file wins over its created_at") {
    const auto d = build_dataset(leads,
                                 table("id,created_at,prospect_at\n"
                                       "L1,2024-01-02T00:00:00Z,2024-01-09T00:00:00Z\n",
                                       "deals.csv"),
                                 o);
    const Lead* l1 = find_lead(d, "L1");
    REQUIRE(l1);
    REQUIRE(l1->at[idx(Stage::Prospect)]);
    CHECK(*l1->at[idx(Stage::Prospect)] == utc(2024, 1, 9));
    CHECK(*l1->at[0] == utc(2024, 1, 1));
  }
  SECTION("a --map column found only in the prospects file applies there") {
    o.map = {"won_at=closed_on"};
    const auto d = build_dataset(leads, table(deals_csv, "deals.csv"), o);
    CHECK(mapped(d.input.files[0], Field::WonAt) == nullptr);
    const MappedColumn* w = mapped(d.input.files[1], Field::WonAt);
    REQUIRE(w);
    CHECK(w->column == "closed_on");
    CHECK(w->origin == MappingOrigin::CommandLine);
    // L1: min(2024-03-01, 2024-02-01) = 2024-02-01.
    const Lead* l1 = find_lead(d, "L1");
    REQUIRE(l1);
    REQUIRE(l1->at[idx(Stage::Won)]);
    CHECK(*l1->at[idx(Stage::Won)] == utc(2024, 2, 1));
    CHECK(d.has_field[static_cast<std::size_t>(Field::WonAt)]);
  }
  SECTION("--by a column only in the prospects file reads the lead's first prospects row") {
    o.by = {"region"};
    const auto d = build_dataset(leads, table(deals_csv, "deals.csv"), o);
    REQUIRE(d.by.size() == 1);
    CHECK(d.by[0].kind == ByKey::Kind::Column);
    CHECK(d.by[0].column == "region");
    CHECK(d.by[0].file == "deals.csv");
    // L1's first row in file order is D1 (north), though D2 is earlier in time.
    CHECK(find_lead(d, "L1")->segments.at(0) == "north");
    CHECK(find_lead(d, "L2")->segments.at(0) == "west");
    CHECK(find_lead(d, "L3")->segments.at(0).empty());
  }
  SECTION("a lead without an owner takes the first owner its prospects rows give; its own owner wins") {
    const auto d = build_dataset(table("id,created_at,owner\n"
                                       "L1,2024-01-01T00:00:00Z,\n"
                                       "L2,2024-01-02T00:00:00Z,Kim\n"
                                       "L3,2024-01-03T00:00:00Z,-\n"),
                                 table("id,created_at,owner\n"
                                       "L1,2024-01-05T00:00:00Z,N/A\n"   // a placeholder gives no owner
                                       "L1,2024-01-06T00:00:00Z,Ana\n"
                                       "L2,2024-01-07T00:00:00Z,Bo\n"
                                       "L1,2024-01-04T00:00:00Z,Cy\n"    // earlier in time, later in the file
                                       "L3,2024-01-08T00:00:00Z,  Ana \n",
                                       "deals.csv"),
                                 o);
    CHECK(find_lead(d, "L1")->owner == "Ana");
    CHECK(find_lead(d, "L2")->owner == "Kim");
    CHECK(find_lead(d, "L3")->owner == "Ana");
  }
  SECTION("a prospects date without a time of day is joined as date-only, unless an earlier date has a time") {
    const auto d = build_dataset(leads,
                                 table("id,created_at,opportunity_at\n"
                                       "L1,2024-01-05,2024-01-20T09:30:00Z\n"
                                       "L2,2024-01-06T10:00:00Z,2024-01-21\n"
                                       "L2,2024-01-04,2024-01-22T08:00:00Z\n",
                                       "deals.csv"),
                                 o);
    const Lead* l1 = find_lead(d, "L1");
    const Lead* l2 = find_lead(d, "L2");
    REQUIRE(l1);
    REQUIRE(l2);
    CHECK(l1->date_only[idx(Stage::Prospect)]);
    CHECK_FALSE(l1->date_only[idx(Stage::Opportunity)]);
    // L2: the earliest prospect date (01-04) is date-only; the earliest opportunity date (01-21) too.
    CHECK(*l2->at[idx(Stage::Prospect)] == utc(2024, 1, 4));
    CHECK(l2->date_only[idx(Stage::Prospect)]);
    CHECK(*l2->at[idx(Stage::Opportunity)] == utc(2024, 1, 21));
    CHECK(l2->date_only[idx(Stage::Opportunity)]);
  }
  SECTION("--by an unknown key is a usage error") {
    o.by = {"regoin"};
    const std::string msg = message_of<UsageError>([&] { build_dataset(leads, table(deals_csv, "deals.csv"), o); });
    CHECK(contains(msg, "--by regoin"));
    CHECK(contains(msg, "Did you mean \"region\"?"));
  }
}

TEST_CASE("load: agreement stage rules mark stages as reached", "[load]") {
  Agreement a;
  a.path = "team.json";
  a.stage_rules[idx(Stage::Prospect)] = {StageRule{"status", {"Qualified", "Won back"}, false}};
  a.stage_rules[idx(Stage::Mql)] = {StageRule{"is_mql", {}, true}};
  LoadOptions o = utc_options();
  o.agreement = a;
  const auto d = build_dataset(table("id,created_at,status,is_mql\n"
                                     "a,2024-01-01,  qualified ,yes\n"  // rule values are trimmed, any case
                                     "b,2024-01-01,new,no\n"
                                     "c,2024-01-01,,1\n"
                                     "e,2024-01-01,WON BACK,\n"),
                               std::nullopt, o);
  REQUIRE(d.leads.size() == 4);
  CHECK(d.leads[0].flagged[idx(Stage::Prospect)]);
  CHECK(d.leads[0].flagged[idx(Stage::Mql)]);
  CHECK_FALSE(d.leads[1].flagged[idx(Stage::Prospect)]);
  CHECK_FALSE(d.leads[1].flagged[idx(Stage::Mql)]);
  CHECK_FALSE(d.leads[2].flagged[idx(Stage::Prospect)]);
  CHECK(d.leads[2].flagged[idx(Stage::Mql)]);
  CHECK(d.leads[3].flagged[idx(Stage::Prospect)]);
  CHECK_FALSE(d.leads[3].flagged[idx(Stage::Mql)]);
  // A rule makes a stage observable; a stage with neither column nor rule is not.
  CHECK(d.stage_observable[idx(Stage::Prospect)]);
  CHECK(d.stage_observable[idx(Stage::Mql)]);
  CHECK_FALSE(d.stage_observable[idx(Stage::Handoff)]);
}

TEST_CASE("load: an agreement column that no file has is an agreement error", "[load]") {
  Agreement a;
  a.path = "team.json";
  LoadOptions o = utc_options();
  std::string what;
  SECTION("a stage rule") {
    a.stage_rules[idx(Stage::Prospect)] = {StageRule{"Lead Stage", {"SQL"}, false}};
    what = "\"stages\".\"prospect\"";
  }
  SECTION("a column mapping") {
    a.columns = {{Field::CreatedAt, "Signup"}};
    what = "\"columns\".\"created_at\"";
  }
  o.agreement = a;
  const std::string msg = message_of<AgreementError>(
      [&] { build_dataset(table("id,created_at,status\na,2024-01-01,new\n"), std::nullopt, o); });
  CHECK(contains(msg, "team.json"));
  CHECK(contains(msg, what));
}

TEST_CASE("load: a later row repeating the id of a rejected row is a duplicate, not a fresh lead", "[load]") {
  LoadOptions o = utc_options();
  const auto d = build_dataset(table("id,created_at\nA,2026-13-01\nA,2026-01-05\nB,2026-01-06\n"), std::nullopt, o);
  // Line 2: bad date; line 3: duplicate of line 2; B used.
  REQUIRE(d.leads.size() == 1);
  CHECK(d.leads[0].id == "B");
  REQUIRE(d.input.rejections.size() == 2);
  CHECK(d.input.rejections[1].line == 3);
  CHECK(contains(d.input.rejections[1].reason, "first seen on line 2"));
  CHECK(d.input.duplicate_ids == 1);
}

TEST_CASE("load: a prospects row for a rejected lead says so instead of calling it an orphan", "[load]") {
  const auto d = build_dataset(table("id,created_at\nA,2026-02-30\n"),
                               table("deal,id,created_at\nD1,A,2026-03-01\n", "deals.csv"), utc_options());
  REQUIRE(d.input.rejections.size() == 2);
  CHECK(d.input.orphans == 0);
  CHECK(contains(d.input.rejections[1].reason, "was rejected"));
}

TEST_CASE("load: an ambiguous id column is named in the file error", "[load]") {
  const auto d = build_dataset(table("Lead ID,lead_id,created_at\n1,1,2026-01-01\n"), std::nullopt, utc_options());
  REQUIRE(d.input.file_errors.size() == 1);
  CHECK(contains(d.input.file_errors[0].message, "several columns could be the lead id"));
  CHECK(contains(d.input.file_errors[0].message, "--map id=COLUMN"));
}

TEST_CASE("load: a dated prospects row makes the prospect stage reached directly, not implied", "[load]") {
  const auto d = build_dataset(table("id,created_at\nA,2026-01-01\n"),
                               table("id,won_at\nA,2026-02-01\n", "deals.csv"), utc_options());
  REQUIRE(d.leads.size() == 1);
  CHECK(d.leads[0].prospect_row);
  CHECK_FALSE(d.leads[0].flagged[idx(Stage::Prospect)]);
}

}  // namespace leadfunnel
