// Tests of locale dates (3/15/2024 2:30 PM, 15.03.2024, 15/03/2024): parsing
// one value in a given day/month order, and how build_dataset decides the
// order of each date column from the evidence in the data.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>

#include "leadfunnel/agreement.hpp"
#include "leadfunnel/error.hpp"
#include "leadfunnel/input.hpp"
#include "leadfunnel/load.hpp"
#include "leadfunnel/timestamp.hpp"

namespace leadfunnel {
namespace {

using namespace date::literals;

constexpr std::size_t idx(Stage s) { return static_cast<std::size_t>(s); }

Instant utc(date::sys_days day, int h = 0, int m = 0, int s = 0) {
  return Instant{day} + std::chrono::hours{h} + std::chrono::minutes{m} + std::chrono::seconds{s};
}

const date::time_zone& zone(const char* name) {
  const date::time_zone* z = find_zone(name);
  REQUIRE(z != nullptr);
  return *z;
}

const date::time_zone& utc_zone() { return zone("UTC"); }

Timestamp ok(std::string_view text, std::optional<DateOrder> order, const date::time_zone& z = utc_zone()) {
  const TimestampParse r = parse_timestamp(text, z, order);
  INFO("input: '" << std::string(text) << "' error: " << r.error);
  REQUIRE(r.value.has_value());
  return *r.value;
}

std::string bad(std::string_view text, std::optional<DateOrder> order) {
  const TimestampParse r = parse_timestamp(text, utc_zone(), order);
  INFO("input: '" << std::string(text) << "'");
  REQUIRE_FALSE(r.value.has_value());
  return r.error;
}

LoadOptions options() {
  LoadOptions o;
  o.zone = date::locate_zone("UTC");
  o.preset = "none";  // the generic column names are under test, not a vendor
  return o;
}

Dataset load(std::string_view text, const LoadOptions& o = options()) {
  return build_dataset(parse_table(text, "leads.csv", ReadOptions{}), std::nullopt, o);
}

const Lead& lead(const Dataset& d, const std::string& id) {
  for (const auto& l : d.leads)
    if (l.id == id) return l;
  FAIL("no lead " << id);
  return d.leads.front();
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

}  // namespace

TEST_CASE("dates: a US date with a 12-hour clock", "[dates]") {
  // 2:30 PM = 14:30.
  const Timestamp t = ok("3/15/2024 2:30 PM", DateOrder::Mdy);
  CHECK(t.at == utc(2024_y / 3 / 15, 14, 30));
  CHECK_FALSE(t.date_only);
  SECTION("12 AM is midnight and 12 PM is noon") {
    CHECK(ok("3/15/2024 12:00 AM", DateOrder::Mdy).at == utc(2024_y / 3 / 15, 0, 0));
    CHECK(ok("3/15/2024 12:30 AM", DateOrder::Mdy).at == utc(2024_y / 3 / 15, 0, 30));
    CHECK(ok("3/15/2024 12:30 PM", DateOrder::Mdy).at == utc(2024_y / 3 / 15, 12, 30));
    CHECK(ok("3/15/2024 11:59 PM", DateOrder::Mdy).at == utc(2024_y / 3 / 15, 23, 59));
  }
  SECTION("other spellings of AM and PM, seconds, and a comma") {
    CHECK(ok("3/15/2024 2:30 pm", DateOrder::Mdy).at == utc(2024_y / 3 / 15, 14, 30));
    CHECK(ok("3/15/2024 2:30 p.m.", DateOrder::Mdy).at == utc(2024_y / 3 / 15, 14, 30));
    CHECK(ok("3/15/2024 9:05:07 AM", DateOrder::Mdy).at == utc(2024_y / 3 / 15, 9, 5, 7));
    CHECK(ok("3/15/2024, 2:30 PM", DateOrder::Mdy).at == utc(2024_y / 3 / 15, 14, 30));
  }
  SECTION("naive values are local time in the zone") {
    // New York is on EDT (UTC-4) from 2024-03-10: 14:30 local = 18:30Z.
    CHECK(ok("3/15/2024 2:30 PM", DateOrder::Mdy, zone("America/New_York")).at == utc(2024_y / 3 / 15, 18, 30));
  }
}

TEST_CASE("dates: day-first dates with dots, dashes and slashes", "[dates]") {
  const Timestamp dotted = ok("15.03.2024 14:30:15", DateOrder::Dmy);
  CHECK(dotted.at == utc(2024_y / 3 / 15, 14, 30, 15));
  const Timestamp dashed = ok("15-03-2024", DateOrder::Dmy);
  CHECK(dashed.at == utc(2024_y / 3 / 15));
  CHECK(dashed.date_only);
  CHECK(ok("15/03/2024 09:05", DateOrder::Dmy).at == utc(2024_y / 3 / 15, 9, 5));
  // Berlin is on CET (UTC+1) until 2024-03-31: 14:30:15 local = 13:30:15Z.
  CHECK(ok("15.03.2024 14:30:15", DateOrder::Dmy, zone("Europe/Berlin")).at == utc(2024_y / 3 / 15, 13, 30, 15));
  // Sao Paulo is UTC-3 with no daylight saving in 2026: 14:30 local = 17:30Z.
  CHECK(ok("15/03/2026 14:30", DateOrder::Dmy, zone("America/Sao_Paulo")).at == utc(2026_y / 3 / 15, 17, 30));
}

TEST_CASE("dates: the same digits read in each order", "[dates]") {
  CHECK(ok("03/04/2026", DateOrder::Dmy).at == utc(2026_y / 4 / 3));  // 3 April
  CHECK(ok("03/04/2026", DateOrder::Mdy).at == utc(2026_y / 3 / 4));  // 4 March
}

TEST_CASE("dates: a four-digit year first is read year-month-day", "[dates]") {
  CHECK(ok("2024.03.15", DateOrder::Ymd).at == utc(2024_y / 3 / 15));
  // With no order given the year-first shape is unambiguous.
  CHECK(ok("2024.03.15", std::nullopt).at == utc(2024_y / 3 / 15));
  CHECK(ok("2024/03/15 10:00", std::nullopt).at == utc(2024_y / 3 / 15, 10, 0));
  // ISO 8601 stays ISO whatever the order.
  CHECK(ok("2024-03-15 10:00", DateOrder::Dmy).at == utc(2024_y / 3 / 15, 10, 0));
  // So does a four-digit year first: no export writes day 2024.
  CHECK(ok("2024/03/15 10:00", DateOrder::Dmy).at == utc(2024_y / 3 / 15, 10, 0));
  CHECK(ok("2024.03.15", DateOrder::Mdy).at == utc(2024_y / 3 / 15));
}

TEST_CASE("dates: year-first dates read the same wherever they are in a day-first column", "[dates]") {
  // The column's order changes as the rows are read (year-first, then
  // day-first proven); each value is read the same whenever it is read.
  for (const auto& order : {std::optional<DateOrder>{}, std::optional<DateOrder>{DateOrder::Dmy}}) {
    LoadOptions o = options();
    o.date_order = order;
    const Dataset d = load("lead_id,created_at\nA1,2026/01/05\nA2,13/01/2026\nA3,2026/01/07 10:00\n", o);
    CHECK(d.input.rows_used == 3);
    CHECK(lead(d, "A1").at[idx(Stage::Lead)] == utc(2026_y / 1 / 5));
    CHECK(lead(d, "A2").at[idx(Stage::Lead)] == utc(2026_y / 1 / 13));
    CHECK(lead(d, "A3").at[idx(Stage::Lead)] == utc(2026_y / 1 / 7, 10, 0));
  }
}

TEST_CASE("dates: two-digit years pivot at 69", "[dates]") {
  CHECK(ok("3/15/24", DateOrder::Mdy).at == utc(2024_y / 3 / 15));
  CHECK(ok("3/15/70", DateOrder::Mdy).at == utc(1970_y / 3 / 15));
  CHECK(ok("3/15/68", DateOrder::Mdy).at == utc(2068_y / 3 / 15));  // 00-68 -> 2000-2068
  CHECK(ok("3/15/69", DateOrder::Mdy).at == utc(1969_y / 3 / 15));  // 69-99 -> 1969-1999
  CHECK(ok("1/1/00", DateOrder::Mdy).at == utc(2000_y / 1 / 1));
  CHECK(ok("15.03.99", DateOrder::Dmy).at == utc(1999_y / 3 / 15));
}

TEST_CASE("dates: impossible locale dates and times are errors", "[dates]") {
  CHECK(bad("2/30/2024", DateOrder::Mdy) == "'2/30/2024' is not a real calendar date when read as mdy");
  CHECK(bad("2/29/2023", DateOrder::Mdy) == "'2/29/2023' is not a real calendar date when read as mdy");
  CHECK(bad("15/03/2024", DateOrder::Mdy) == "'15/03/2024' is not a real calendar date when read as mdy");
  CHECK(bad("3/15/2024 13:00 PM", DateOrder::Mdy) == "'3/15/2024 13:00 PM' has an impossible 12-hour time");
  CHECK(bad("3/15/2024 0:30 AM", DateOrder::Mdy) == "'3/15/2024 0:30 AM' has an impossible 12-hour time");
  CHECK(bad("3/15/2024 24:00", DateOrder::Mdy) == "'3/15/2024 24:00' has an impossible time of day");
  CHECK(bad("3/15/2024 10:60", DateOrder::Mdy) == "'3/15/2024 10:60' has an impossible time of day");
  CHECK(bad("3/15/2024 2:30 XM", DateOrder::Mdy) == "'3/15/2024 2:30 XM' has unexpected text after the time");
  CHECK(bad("3/15/202", DateOrder::Mdy) == "'3/15/202' has no 2- or 4-digit year in mdy order");
  SECTION("a time skipped by daylight saving") {
    // New York jumped from 02:00 to 03:00 on 2024-03-10.
    const TimestampParse r = parse_timestamp("3/10/2024 2:30 AM", zone("America/New_York"), DateOrder::Mdy);
    REQUIRE_FALSE(r.value.has_value());
    CHECK(r.error == "'3/10/2024 2:30 AM' does not exist in America/New_York (skipped by a daylight-saving change)");
  }
}

TEST_CASE("dates: an ambiguous value with no order asks for --date-order", "[dates]") {
  CHECK(bad("03/04/2026", std::nullopt) ==
        "'03/04/2026' is a locale date whose day/month order is unknown; pass --date-order dmy or mdy");
  // Even a day above 12 is not guessed from a single value.
  CHECK(bad("15/03/2024", std::nullopt).find("--date-order") != std::string::npos);
}

TEST_CASE("dates: date_order names", "[dates]") {
  CHECK(date_order_name(DateOrder::Dmy) == "dmy");
  CHECK(date_order_name(DateOrder::Mdy) == "mdy");
  CHECK(date_order_name(DateOrder::Ymd) == "ymd");
  CHECK(date_order_from_name("mdy") == std::optional<DateOrder>(DateOrder::Mdy));
  CHECK_FALSE(date_order_from_name("MDY").has_value());
  CHECK_FALSE(date_order_from_name("dym").has_value());
}

TEST_CASE("dates: one day above 12 decides day-first for the whole column", "[dates]") {
  const Dataset d = load("lead_id,created_at\n"
                         "A1,01/02/2026 10:00\n"
                         "A2,03/04/2026 11:00\n"
                         "A3,13/05/2026 12:00\n");
  CHECK(d.input.rows_rejected == 0);
  // Read day-first: 1 February, 3 April, 13 May.
  CHECK(lead(d, "A1").at[idx(Stage::Lead)] == utc(2026_y / 2 / 1, 10, 0));
  CHECK(lead(d, "A2").at[idx(Stage::Lead)] == utc(2026_y / 4 / 3, 11, 0));
  CHECK(lead(d, "A3").at[idx(Stage::Lead)] == utc(2026_y / 5 / 13, 12, 0));
  REQUIRE(d.input.files[0].dates.size() == 1);
  const DateColumn& c = d.input.files[0].dates[0];
  CHECK(c.column == "created_at");
  CHECK(c.format == "dmy");
  CHECK(c.decided_by == "'13/05/2026 12:00' on line 4 has a first number above 12");
}

TEST_CASE("dates: one second number above 12 decides month-first", "[dates]") {
  const Dataset d = load("lead_id,created_at\nA1,01/02/2026\nA2,12/25/2026\n");
  CHECK(lead(d, "A1").at[idx(Stage::Lead)] == utc(2026_y / 1 / 2));
  CHECK(d.input.files[0].dates[0].format == "mdy");
  CHECK(d.input.files[0].dates[0].decided_by == "'12/25/2026' on line 3 has a second number above 12");
}

TEST_CASE("dates: a column with day-first and month-first evidence is an error naming both", "[dates]") {
  const auto bad_load = [] {
    load("lead_id,created_at\n"
         "A1,01/02/2026\n"
         "A2,13/01/2026\n"
         "A3,01/13/2026\n");
  };
  const std::string msg = message_of<InputError>(bad_load);
  CHECK(msg ==
        "leads.csv: column \"created_at\" mixes day-first dates ('13/01/2026', line 3) and month-first dates "
        "('01/13/2026', line 4); fix the export, or pass --date-order dmy|mdy to read them one way and reject the "
        "rest");
  try {
    bad_load();
  } catch (const InputError& e) {
    CHECK(e.code() == ExitCode::Data);
    CHECK(e.line() == 4);
    CHECK(e.column() == "created_at");
  }
}

TEST_CASE("dates: a column decided early still finds the other order thousands of rows later, on any threads",
          "[dates]") {
  // created_at is decided month-first on line 3; mql_at is ISO; prospect_at
  // is decided day-first on line 2. Rows after that read cleanly in their
  // orders (and are not looked at again for evidence), until one, in a
  // later batch, proves the other order in one column.
  auto csv_with = [](const std::string& bad_row) {
    std::string csv = "lead_id,created_at,mql_at,prospect_at\n"
                      "A0,01/02/2026,,20/02/2026\n"
                      "A1,12/25/2026,2026-12-26T10:00:00Z,\n";
    for (int i = 2; i < 5000; ++i)
      csv += fmt::format("A{},{:02}/{:02}/2026 10:00,2026-01-06T09:00:00Z,{:02}/{:02}/2026\n", i, i % 12 + 1,
                         i % 28 + 1, i % 28 + 1, i % 12 + 1);
    return csv + bad_row + "B1,01/01/2026,,\n";
  };
  for (const std::size_t threads : {std::size_t{1}, std::size_t{2}, std::size_t{3}}) {
    INFO("threads: " << threads);
    LoadOptions o = options();
    o.threads = threads;
    // Read whole: every row used, each column as decided.
    const Dataset d = load(csv_with(""), o);
    CHECK(d.input.rows_used == 5001);
    CHECK(lead(d, "A4999").at[idx(Stage::Lead)] == utc(2026_y / 8 / 16, 10, 0));  // 4999 = 12 x 416 + 7 = 28 x 178 + 15
    CHECK(lead(d, "A4999").at[idx(Stage::Prospect)] == utc(2026_y / 8 / 16));
    REQUIRE(d.input.files[0].dates.size() == 3);
    CHECK(d.input.files[0].dates[0].decided_by == "'12/25/2026' on line 3 has a second number above 12");
    CHECK(d.input.files[0].dates[2].decided_by == "'20/02/2026' on line 2 has a first number above 12");
    // A day-first date in the month-first column, on line 5002.
    const std::string created = message_of<InputError>([&] { load(csv_with("X1,25/12/2026 09:00,,\n"), o); });
    CHECK(created ==
          "leads.csv: column \"created_at\" mixes day-first dates ('25/12/2026 09:00', line 5002) and month-first "
          "dates ('12/25/2026', line 3); fix the export, or pass --date-order dmy|mdy to read them one way and "
          "reject the rest");
    // A month-first date in the day-first column, with the other cells fine.
    const std::string prospect =
        message_of<InputError>([&] { load(csv_with("X1,01/01/2026,2026-01-06T09:00:00Z,02/13/2026\n"), o); });
    CHECK(prospect ==
          "leads.csv: column \"prospect_at\" mixes day-first dates ('20/02/2026', line 2) and month-first dates "
          "('02/13/2026', line 5002); fix the export, or pass --date-order dmy|mdy to read them one way and reject "
          "the rest");
    // With --date-order, a day-first date in a later batch is a rejection, not an error.
    LoadOptions given = o;
    given.date_order = DateOrder::Mdy;
    std::string mdy = "lead_id,created_at\n";
    for (int i = 0; i < 5000; ++i) mdy += fmt::format("A{},{:02}/{:02}/2026\n", i, i % 12 + 1, i % 28 + 1);
    const Dataset r = load(mdy + "X1,25/12/2026\nB1,01/01/2026\n", given);
    CHECK(r.input.rows_used == 5001);
    REQUIRE(r.input.rejections.size() == 1);
    CHECK(r.input.rejections[0].line == 5002);
    CHECK(r.input.files[0].dates[0].decided_by == "--date-order");
    // A second column whose first locale date comes long after the first
    // column was settled is described as read by --date-order too.
    std::string late = "lead_id,created_at,prospect_at\n";
    for (int i = 0; i < 5000; ++i) late += fmt::format("A{},{:02}/{:02}/2026,\n", i, i % 12 + 1, i % 28 + 1);
    const Dataset l = load(late + "X1,01/05/2026,12/25/2026\n", given);
    CHECK(l.input.rows_used == 5001);
    CHECK(lead(l, "X1").at[idx(Stage::Prospect)] == utc(2026_y / 12 / 25));
    REQUIRE(l.input.files[0].dates.size() == 2);
    CHECK(l.input.files[0].dates[1].format == "mdy");
    CHECK(l.input.files[0].dates[1].decided_by == "--date-order");
  }
}

TEST_CASE("dates: a column with no evidence anywhere is an error asking for --date-order", "[dates]") {
  const std::string msg = message_of<InputError>([] {
    load("lead_id,created_at\n"
         "A1,01/02/2026\n"
         "A2,03/04/2026\n"
         "A3,05/06/2026\n"
         "A4,07/08/2026\n");
  });
  // The first three values are shown as examples.
  CHECK(msg ==
        "leads.csv: the dates in column \"created_at\" (01/02/2026, 03/04/2026, 05/06/2026) could be day-first or "
        "month-first: no day above 12 anywhere. Pass --date-order dmy or --date-order mdy (or set \"date_order\" in "
        "the agreement)");
}

TEST_CASE("dates: --date-order reads an ambiguous column", "[dates]") {
  const std::string csv = "lead_id,created_at\nA1,01/02/2026\nA2,03/04/2026\n";
  SECTION("mdy") {
    LoadOptions o = options();
    o.date_order = DateOrder::Mdy;
    const Dataset d = load(csv, o);
    CHECK(lead(d, "A1").at[idx(Stage::Lead)] == utc(2026_y / 1 / 2));
    CHECK(d.input.files[0].dates[0].format == "mdy");
    CHECK(d.input.files[0].dates[0].decided_by == "--date-order");
  }
  SECTION("dmy") {
    LoadOptions o = options();
    o.date_order = DateOrder::Dmy;
    const Dataset d = load(csv, o);
    CHECK(lead(d, "A1").at[idx(Stage::Lead)] == utc(2026_y / 2 / 1));
  }
  SECTION("the agreement's date_order") {
    LoadOptions o = options();
    o.agreement = parse_agreement(R"({"date_order": "dmy"})", "agreement.json");
    const Dataset d = load(csv, o);
    CHECK(lead(d, "A2").at[idx(Stage::Lead)] == utc(2026_y / 4 / 3));
    CHECK(d.input.files[0].dates[0].decided_by == "the agreement's date_order");
  }
  SECTION("--date-order wins over the agreement") {
    LoadOptions o = options();
    o.agreement = parse_agreement(R"({"date_order": "dmy"})", "agreement.json");
    o.date_order = DateOrder::Mdy;
    const Dataset d = load(csv, o);
    CHECK(lead(d, "A2").at[idx(Stage::Lead)] == utc(2026_y / 3 / 4));
    CHECK(d.input.files[0].dates[0].decided_by == "--date-order");
  }
}

TEST_CASE("dates: --date-order wins over the evidence and rejects what does not fit", "[dates]") {
  LoadOptions o = options();
  o.date_order = DateOrder::Mdy;
  const Dataset d = load("lead_id,created_at\nA1,01/02/2026\nA2,13/01/2026\n", o);
  CHECK(d.input.rows_read == 2);
  CHECK(d.input.rows_used == 1);
  REQUIRE(d.input.rejections.size() == 1);
  CHECK(d.input.rejections[0].line == 3);
  CHECK(d.input.rejections[0].column == "created_at");
  CHECK(d.input.rejections[0].reason ==
        "'13/01/2026' is not a real calendar date when read as mdy for created_at; fix the value or map another "
        "column");
}

TEST_CASE("dates: an ambiguous column takes the order another column proved", "[dates]") {
  SECTION("in the same file") {
    const Dataset d = load("lead_id,created_at,prospect_at\n"
                           "A1,01/02/2026 10:00,20/02/2026 09:00\n");
    CHECK(lead(d, "A1").at[idx(Stage::Lead)] == utc(2026_y / 2 / 1, 10, 0));
    CHECK(lead(d, "A1").at[idx(Stage::Prospect)] == utc(2026_y / 2 / 20, 9, 0));
    const auto& dates = d.input.files[0].dates;
    REQUIRE(dates.size() == 2);
    CHECK(dates[0].column == "created_at");
    CHECK(dates[0].format == "dmy");
    CHECK(dates[0].decided_by == "no evidence in this column; same order as column \"prospect_at\" of leads.csv");
    CHECK(dates[1].decided_by == "'20/02/2026 09:00' on line 2 has a first number above 12");
  }
  SECTION("from the prospects file") {
    const Dataset d = build_dataset(parse_table("lead_id,created_at\nA1,01/02/2026 10:00\n", "leads.csv", {}),
                                    parse_table("lead_id,prospect_at\nA1,20/02/2026 09:00\n", "deals.csv", {}),
                                    options());
    CHECK(lead(d, "A1").at[idx(Stage::Lead)] == utc(2026_y / 2 / 1, 10, 0));
    CHECK(d.input.files[0].dates[0].decided_by ==
          "no evidence in this column; same order as column \"prospect_at\" of deals.csv");
    CHECK(d.input.files[1].dates[0].format == "dmy");
  }
}

TEST_CASE("dates: input.files dates describe how each date column is read", "[dates]") {
  const Dataset d = load("lead_id,created_at,mql_at,handoff_at,prospect_at,won_at\n"
                         "A1,05/01/2026 10:00,2026-01-06T09:00:00Z,2026/01/07 10:00,08.01.2026 11:00,09/01/2026\n"
                         "A2,13/01/2026 08:00,,,,\n");
  CHECK(d.input.rows_rejected == 0);
  const auto& dates = d.input.files[0].dates;
  // One entry per mapped date column, in field order.
  REQUIRE(dates.size() == 5);
  CHECK(dates[0].column == "created_at");
  CHECK(dates[0].format == "dmy");
  CHECK(dates[0].decided_by == "'13/01/2026 08:00' on line 3 has a first number above 12");
  CHECK(dates[1].column == "mql_at");
  CHECK(dates[1].format == "iso");
  CHECK(dates[1].decided_by == "ISO 8601 or epoch values");
  CHECK(dates[2].column == "handoff_at");
  CHECK(dates[2].format == "ymd");
  CHECK(dates[2].decided_by == "the year comes first");
  CHECK(dates[3].column == "prospect_at");
  CHECK(dates[3].format == "dmy");
  CHECK(dates[3].decided_by == "dotted dates (01.10.2026) are day-first");
  CHECK(dates[4].column == "won_at");
  CHECK(dates[4].format == "dmy");
  CHECK(dates[4].decided_by == "no evidence in this column; same order as column \"created_at\" of leads.csv");
  const Lead& a1 = lead(d, "A1");
  CHECK(a1.at[idx(Stage::Lead)] == utc(2026_y / 1 / 5, 10, 0));
  CHECK(a1.at[idx(Stage::Mql)] == utc(2026_y / 1 / 6, 9, 0));
  CHECK(a1.at[idx(Stage::Handoff)] == utc(2026_y / 1 / 7, 10, 0));
  CHECK(a1.at[idx(Stage::Prospect)] == utc(2026_y / 1 / 8, 11, 0));
  CHECK(a1.at[idx(Stage::Won)] == utc(2026_y / 1 / 9));
  CHECK(a1.date_only[idx(Stage::Won)]);
}

TEST_CASE("dates: placeholders are not evidence and not examples", "[dates]") {
  const std::string msg = message_of<InputError>([] { load("lead_id,created_at\nA1,N/A\nA2,-\nA3,01/02/2026\n"); });
  CHECK(msg ==
        "leads.csv: the dates in column \"created_at\" (01/02/2026) could be day-first or month-first: no day above "
        "12 anywhere. Pass --date-order dmy or --date-order mdy (or set \"date_order\" in the agreement)");
}

}  // namespace leadfunnel
