// Tests of the data-quality checks made while loading (input.checks), the
// --duplicates policies, --fold-case, and placeholder cells read as blank.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <date/date.h>
#include <date/tz.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "leadfunnel/cli.hpp"
#include "leadfunnel/error.hpp"
#include "leadfunnel/input.hpp"
#include "leadfunnel/load.hpp"

namespace leadfunnel {
namespace {

using namespace date::literals;
using nlohmann::json;

constexpr std::size_t idx(Stage s) { return static_cast<std::size_t>(s); }

Instant utc(date::sys_days day, int h = 0, int m = 0) {
  return Instant{day} + std::chrono::hours{h} + std::chrono::minutes{m};
}

LoadOptions options() {
  LoadOptions o;
  o.zone = date::locate_zone("UTC");
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

/// The check of that kind; fails the test when it was not reported.
const QualityCheck& check_of(const Dataset& d, const std::string& kind) {
  for (const auto& c : d.input.checks)
    if (c.kind == kind) return c;
  FAIL("no check " << kind);
  return d.input.checks.front();
}

bool has_check(const Dataset& d, const std::string& kind) {
  for (const auto& c : d.input.checks)
    if (c.kind == kind) return true;
  return false;
}

/// Seven rows with one of each finding. Lines: header 1, data 2-8.
///   2 L1  both times, Google, Ana Lima
///   3 L2  created_at is a date alone; mql N/A; google / ana lima (case variants of line 2)
///   4 L3  mql "-"; source N/A (blank)
///   5 L1  repeats line 2's id
///   6 L4  mql_at is a date alone; "  Google " (same as line 2 once trimmed)
///   7 L5  mql and source "(No value)"
///   8 L6  mql and source empty
const char* const kLeads =
    "lead_id,created_at,mql_at,source,owner\n"
    "L1,2026-01-05 10:00,2026-01-06 09:00,Google,Ana Lima\n"
    "L2,2026-01-06,N/A,google,ana lima\n"
    "L3,2026-01-07 09:00,-,N/A,Bruno Dias\n"
    "L1,2026-01-08 09:00,(No value),Bing,Bruno Dias\n"
    "L4,2026-01-09 09:00,2026-01-10,  Google ,Bruno Dias\n"
    "L5,2026-01-10 12:00,(No value),(No value),Carla Reis\n"
    "L6,2026-01-11 12:00,,,Carla Reis\n";

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

Run run(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  Run r;
  r.code = run_cli(args, out, err, Instant{date::sys_days{2026_y / 12 / 1}});
  r.out = out.str();
  r.err = err.str();
  return r;
}

/// A scratch folder for files the CLI reads, removed at the end of the test.
struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    path = std::filesystem::temp_directory_path() /
           ("leadfunnel-quality-test-" + std::to_string(static_cast<long>(::getpid())));
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string write(const std::string& name, std::string_view text) const {
    const auto file = path / name;
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
};

}  // namespace

TEST_CASE("quality: every row is counted once and placeholders are not rejections", "[quality]") {
  const Dataset d = load(kLeads);
  // 7 rows read; only line 5 (a repeated id) is rejected.
  CHECK(d.input.rows_read == 7);
  CHECK(d.input.rows_used == 6);
  CHECK(d.input.rows_rejected == 1);
  CHECK(d.input.rows_read == d.input.rows_used + d.input.rows_rejected);
  CHECK(d.input.duplicate_ids == 1);
  REQUIRE(d.input.rejections.size() == 1);
  CHECK(d.input.rejections[0].line == 5);
  CHECK(d.input.rejections[0].reason == "duplicate lead id \"L1\" (first seen on line 2); the first row is kept");
}

TEST_CASE("quality: placeholders in a date column are blank", "[quality]") {
  const Dataset d = load(kLeads);
  CHECK(lead(d, "L1").at[idx(Stage::Mql)] == utc(2026_y / 1 / 6, 9, 0));
  CHECK_FALSE(lead(d, "L2").at[idx(Stage::Mql)].has_value());  // N/A
  CHECK_FALSE(lead(d, "L3").at[idx(Stage::Mql)].has_value());  // -
  CHECK_FALSE(lead(d, "L5").at[idx(Stage::Mql)].has_value());  // (No value)
  CHECK_FALSE(lead(d, "L6").at[idx(Stage::Mql)].has_value());  // empty
  SECTION("every placeholder spelling") {
    const Dataset p = load("lead_id,created_at,mql_at\n"
                           "A,2026-01-05 10:00,-\n"
                           "B,2026-01-05 10:00,--\n"
                           "C,2026-01-05 10:00,n/a\n"
                           "D,2026-01-05 10:00,#N/A\n"
                           "E,2026-01-05 10:00,(No value)\n"
                           "F,2026-01-05 10:00,Select\n"
                           "G,2026-01-05 10:00,null\n"
                           "H,2026-01-05 10:00,(none)\n"
                           "I,2026-01-05 10:00,(blank)\n"
                           "J,2026-01-05 10:00, NULL \n");
    CHECK(p.input.rows_rejected == 0);
    CHECK(p.leads.size() == 10);
    for (const auto& l : p.leads) CHECK_FALSE(l.at[idx(Stage::Mql)].has_value());
  }
  SECTION("a placeholder creation date leaves the lead without one") {
    const Dataset p = load("lead_id,created_at\nA,N/A\nB,2026-01-05\n");
    CHECK(p.input.rows_rejected == 0);
    CHECK_FALSE(lead(p, "A").at[idx(Stage::Lead)].has_value());
  }
}

TEST_CASE("quality: placeholders in the source are the blank segment", "[quality]") {
  LoadOptions o = options();
  o.by = {"source"};
  const Dataset d = load(kLeads, o);
  REQUIRE(d.by.size() == 1);
  CHECK(lead(d, "L1").segments[0] == "Google");
  CHECK(lead(d, "L3").segments[0].empty());  // N/A
  CHECK(lead(d, "L4").segments[0] == "Google");  // spaces trimmed
  CHECK(lead(d, "L5").segments[0].empty());  // (No value)
  CHECK(lead(d, "L6").segments[0].empty());  // empty
  SECTION("in the report, one null segment") {
    ScratchDir dir;
    const std::string path = dir.write("leads.csv", kLeads);
    const Run r = run({"report", path, "--by", "source", "--as-of", "2026-12-01", "--format", "json"});
    REQUIRE(r.code == 65);  // the duplicate is a rejected row, over --max-rejected 0
    const json j = json::parse(r.out);
    std::size_t blank = 0;
    for (const auto& row : j["breakdowns"]["source"])
      if (row["key"].is_null()) blank = row["leads"].get<std::size_t>();
    CHECK(blank == 3);  // L3, L5, L6
  }
}

TEST_CASE("quality: blank_source counts leads with no source", "[quality]") {
  const Dataset d = load(kLeads);
  const QualityCheck& c = check_of(d, "blank_source");
  CHECK(c.description == "leads with no source");
  CHECK(c.count == 3);  // lines 4 (N/A), 7 ((No value)), 8 (empty)
  REQUIRE(c.examples.size() == 3);
  CHECK(c.examples[0].file == "leads.csv");
  CHECK(c.examples[0].line == 4);
  CHECK(c.examples[0].id == "L3");
  CHECK(c.examples[1].line == 7);
  CHECK(c.examples[1].id == "L5");
  CHECK(c.examples[2].line == 8);
  CHECK(c.examples[2].id == "L6");
  SECTION("not reported when no source column is mapped") {
    CHECK_FALSE(has_check(load("lead_id,created_at\nA,2026-01-05 10:00\n"), "blank_source"));
  }
}

TEST_CASE("quality: date_only counts stage dates with no time of day", "[quality]") {
  const Dataset d = load(kLeads);
  const QualityCheck& c = check_of(d, "date_only");
  CHECK(c.description == "stage dates with no time of day (durations to them have whole-day precision)");
  CHECK(c.count == 2);  // line 3 created_at, line 6 mql_at
  REQUIRE(c.examples.size() == 2);
  CHECK(c.examples[0].line == 3);
  CHECK(c.examples[0].id == "L2");
  CHECK(c.examples[0].value == "created_at = 2026-01-06");
  CHECK(c.examples[1].line == 6);
  CHECK(c.examples[1].id == "L4");
  CHECK(c.examples[1].value == "mql_at = 2026-01-10");
  CHECK(lead(d, "L2").date_only[idx(Stage::Lead)]);
}

TEST_CASE("quality: case_variants finds values that differ only by case or spaces", "[quality]") {
  const Dataset d = load(kLeads);
  const QualityCheck& c = check_of(d, "case_variants");
  CHECK(c.description == "values that differ only by case or spaces (merge them with --fold-case)");
  // Google/google in source and Ana Lima/ana lima in owner; "  Google " trims to Google.
  CHECK(c.count == 2);
  REQUIRE(c.examples.size() == 2);
  CHECK(c.examples[0].line == 3);  // where the second spelling first appears
  CHECK(c.examples[0].value == "source: \"Google\" vs \"google\"");
  CHECK(c.examples[1].line == 3);
  CHECK(c.examples[1].value == "owner: \"Ana Lima\" vs \"ana lima\"");
  SECTION("runs of spaces fold too") {
    const Dataset s = load("lead_id,source\nA,Google Ads\nB,google  ads\n");
    CHECK(check_of(s, "case_variants").examples[0].value == "source: \"Google Ads\" vs \"google  ads\"");
  }
  SECTION("not reported when every spelling is the same") {
    CHECK_FALSE(has_check(load("lead_id,source\nA,Google\nB,Google\n"), "case_variants"));
  }
}

TEST_CASE("quality: a column with more than 20,000 different values is not checked for case variants",
          "[quality]") {
  // The campaign differs on every row (a URL per lead, say), the source is
  // a category with one variant. Over 20,000 campaigns the check stops for
  // that column alone, says so in a note, and a variant pair among the first
  // rows is not reported; the source is still checked.
  auto file = [](std::size_t rows) {
    std::string text = "lead_id,source,campaign\nA,Google,Spring\nB,google,spring\n";
    for (std::size_t i = 0; i < rows; ++i) text += fmt::format("L{},Bing,https://example.com/p/{}\n", i, i);
    return text;
  };
  const Dataset over = load(file(20000));  // 20,002 campaigns
  const QualityCheck& c = check_of(over, "case_variants");
  REQUIRE(c.count == 1);
  CHECK(c.examples[0].value == "source: \"Google\" vs \"google\"");
  REQUIRE(over.input.notes.size() == 1);
  CHECK(over.input.notes[0] ==
        "leads.csv: column \"campaign\" (campaign) has more than 20000 different values, too many to be categories: "
        "it was not checked for values that differ only by case or spaces");
  CHECK(over.leads.size() == 20002);

  const Dataset under = load(file(19998));  // 20,000 campaigns: still checked
  CHECK(check_of(under, "case_variants").count == 2);
  CHECK(under.input.notes.empty());
}

TEST_CASE("quality: --fold-case merges Google and google", "[quality]") {
  LoadOptions o = options();
  o.by = {"source"};
  SECTION("without it the spellings stay apart") {
    const Dataset d = load(kLeads, o);
    CHECK(lead(d, "L2").segments[0] == "google");
    CHECK(lead(d, "L2").owner == "ana lima");
  }
  SECTION("with it the first spelling seen wins") {
    o.fold_case = true;
    const Dataset d = load(kLeads, o);
    CHECK(lead(d, "L1").segments[0] == "Google");
    CHECK(lead(d, "L2").segments[0] == "Google");
    CHECK(lead(d, "L4").segments[0] == "Google");
    CHECK(lead(d, "L2").owner == "Ana Lima");
    CHECK(check_of(d, "case_variants").description ==
          "values that differ only by case or spaces (merged by --fold-case)");
  }
  SECTION("in the report's breakdown") {
    ScratchDir dir;
    const std::string path = dir.write("leads.csv", "lead_id,created_at,source\n"
                                                    "A,2026-01-05 10:00,Google\n"
                                                    "B,2026-01-06 10:00,google\n"
                                                    "C,2026-01-07 10:00,GOOGLE\n"
                                                    "D,2026-01-08 10:00,Bing\n");
    const auto keys = [&](const std::vector<std::string>& extra) {
      std::vector<std::string> args{"report", path, "--by", "source", "--as-of", "2026-12-01", "--format", "json"};
      args.insert(args.end(), extra.begin(), extra.end());
      const Run r = run(args);
      REQUIRE(r.code == 0);
      std::vector<std::pair<std::string, int>> out;
      const json j = json::parse(r.out);
      for (const auto& row : j["breakdowns"]["source"])
        out.emplace_back(row["key"].get<std::string>(), row["leads"].get<int>());
      std::sort(out.begin(), out.end());
      return out;
    };
    // Without: Bing 1, GOOGLE 1, Google 1, google 1 (sorted by byte value).
    CHECK(keys({}) == std::vector<std::pair<std::string, int>>{{"Bing", 1}, {"GOOGLE", 1}, {"Google", 1}, {"google", 1}});
    // With: the three spellings are one segment of 3, spelled as first seen.
    CHECK(keys({"--fold-case"}) == std::vector<std::pair<std::string, int>>{{"Bing", 1}, {"Google", 3}});
  }
}

TEST_CASE("quality: duplicate_ids and the --duplicates policies", "[quality]") {
  SECTION("first (the default) keeps the earlier row") {
    const Dataset d = load(kLeads);
    const QualityCheck& c = check_of(d, "duplicate_ids");
    CHECK(c.description == "later rows repeating a lead id");
    CHECK(c.count == 1);
    REQUIRE(c.examples.size() == 1);
    CHECK(c.examples[0].line == 5);
    CHECK(c.examples[0].id == "L1");
    CHECK(lead(d, "L1").line == 2);
    CHECK(lead(d, "L1").at[idx(Stage::Lead)] == utc(2026_y / 1 / 5, 10, 0));
  }
  SECTION("last keeps the later row and rejects the earlier line") {
    LoadOptions o = options();
    o.duplicates = DuplicatePolicy::Last;
    const Dataset d = load(kLeads, o);
    CHECK(d.input.rows_read == 7);
    CHECK(d.input.rows_used == 6);
    CHECK(d.input.rows_rejected == 1);
    CHECK(d.input.duplicate_ids == 1);
    CHECK(d.leads.size() == 6);
    CHECK(lead(d, "L1").line == 5);
    CHECK(lead(d, "L1").at[idx(Stage::Lead)] == utc(2026_y / 1 / 8, 9, 0));
    REQUIRE(d.input.rejections.size() == 1);
    CHECK(d.input.rejections[0].line == 2);
    CHECK(d.input.rejections[0].column == "lead_id");
    CHECK(d.input.rejections[0].reason ==
          "duplicate lead id \"L1\": the later row on line 5 replaces this one (--duplicates last)");
  }
  SECTION("last with three rows of one id keeps the third") {
    LoadOptions o = options();
    o.duplicates = DuplicatePolicy::Last;
    const Dataset d = load("lead_id,created_at\nA,2026-01-01\nA,2026-01-02\nA,2026-01-03\n", o);
    CHECK(d.leads.size() == 1);
    CHECK(lead(d, "A").line == 4);
    CHECK(d.input.duplicate_ids == 2);
    REQUIRE(d.input.rejections.size() == 2);
    CHECK(d.input.rejections[0].line == 2);
    CHECK(d.input.rejections[1].line == 3);
  }
  SECTION("error stops the load") {
    LoadOptions o = options();
    o.duplicates = DuplicatePolicy::Error;
    try {
      load(kLeads, o);
      FAIL("no exception was thrown");
    } catch (const InputError& e) {
      CHECK(e.code() == ExitCode::Data);
      CHECK(e.line() == 5);
      CHECK(std::string(e.what()) ==
            "leads.csv:5: lead id \"L1\" is also on line 2 (stopped by --duplicates error; remove one, or use "
            "--duplicates first or last)");
    }
  }
}

TEST_CASE("quality: --duplicates last drops the findings of the replaced row", "[quality]") {
  LoadOptions o = options();
  o.duplicates = DuplicatePolicy::Last;
  const Dataset d = load("lead_id,created_at,source\nA,2026-01-05,\nA,2026-01-06 10:00,Google\n", o);
  REQUIRE(d.leads.size() == 1);
  CHECK(lead(d, "A").line == 3);
  CHECK_FALSE(has_check(d, "blank_source"));
  CHECK_FALSE(has_check(d, "date_only"));
}

TEST_CASE("quality: --duplicates on the command line", "[quality]") {
  ScratchDir dir;
  const std::string path = dir.write("leads.csv", kLeads);
  SECTION("error exits 65") {
    const Run r = run({"validate", path, "--duplicates", "error"});
    CHECK(r.code == 65);
    CHECK(r.out.empty());
    CHECK(r.err == "leadfunnel: error: " + path +
                       ":5: lead id \"L1\" is also on line 2 (stopped by --duplicates error; remove one, or use "
                       "--duplicates first or last)\n");
  }
  SECTION("last rejects line 2") {
    const Run r = run({"validate", path, "--duplicates", "last", "--format", "json"});
    const json j = json::parse(r.out);
    REQUIRE(j["input"]["rejections"].size() == 1);
    CHECK(j["input"]["rejections"][0]["line"] == 2);
  }
  SECTION("an unknown policy is a usage error") {
    const Run r = run({"validate", path, "--duplicates", "newest"});
    CHECK(r.code == 64);
  }
}

TEST_CASE("quality: excel_mangled_ids finds ids Excel rewrote in the prospects file", "[quality]") {
  const Dataset d = build_dataset(parse_table("lead_id,created_at\n"
                                              "00123,2026-01-05 10:00\n"
                                              "1234567890123456,2026-01-06 10:00\n"
                                              "L9,2026-01-07 10:00\n",
                                              "leads.csv", ReadOptions{}),
                                  parse_table("lead_id,prospect_at\n"
                                              "123,2026-01-10 10:00\n"
                                              "1.23457E+15,2026-01-11 10:00\n"
                                              "L9,2026-01-12 10:00\n"
                                              "X77,2026-01-13 10:00\n",
                                              "deals.csv", ReadOptions{}),
                                  options());
  // 3 leads + 4 deals read; 3 leads + 1 joined deal used; 3 orphans.
  CHECK(d.input.rows_read == 7);
  CHECK(d.input.rows_used == 4);
  CHECK(d.input.rows_rejected == 3);
  CHECK(d.input.orphans == 3);
  const QualityCheck& c = check_of(d, "excel_mangled_ids");
  CHECK(c.count == 2);  // 123 (lost its zeros) and 1.23457E+15; X77 is a plain orphan
  REQUIRE(c.examples.size() == 2);
  CHECK(c.examples[0].file == "deals.csv");
  CHECK(c.examples[0].line == 2);
  CHECK(c.examples[0].id == "123");
  CHECK(c.examples[0].value == "lead \"00123\" has leading zeros");
  CHECK(c.examples[1].line == 3);
  CHECK(c.examples[1].id == "1.23457E+15");
  CHECK(c.examples[1].value == "scientific notation");
}

TEST_CASE("quality: non_data_rows counts report titles and footers", "[quality]") {
  const Dataset d = load("Leads report\n"
                         "lead_id,created_at\n"
                         "A1,2026-01-05 10:00\n"
                         "A2,2026-01-06 10:00\n"
                         "\n"
                         "Grand Total: 2\n");
  const FileSummary& f = d.input.files[0];
  CHECK(f.non_data_rows == 2);  // the title and the footer
  CHECK(f.blank_rows == 1);
  CHECK(f.rows_read == 2);  // neither is a row read
  CHECK(d.input.rows_rejected == 0);
  const QualityCheck& c = check_of(d, "non_data_rows");
  CHECK(c.description == "report titles and footers skipped (not counted as rows read)");
  CHECK(c.count == 2);
  SECTION("a one-cell row at the end with no footer words is rejected, not skipped") {
    const Dataset r = load("lead_id,created_at\nA1,2026-01-05 10:00\nA2\n");
    CHECK(r.input.files[0].non_data_rows == 0);
    CHECK(r.input.rows_read == 2);
    CHECK(r.input.rows_rejected == 1);
    REQUIRE(r.input.rejections.size() == 1);
    CHECK(r.input.rejections[0].line == 3);
    CHECK_FALSE(has_check(r, "non_data_rows"));
  }
}

TEST_CASE("quality: a clean file reports no checks", "[quality]") {
  const Dataset d = load("lead_id,created_at,source\nA,2026-01-05 10:00,Google\nB,2026-01-06 11:00,Bing\n");
  CHECK(d.input.checks.empty());
}

}  // namespace leadfunnel
