// Tests of the command line: run_cli in-process with string streams and a
// fixed clock, plus one run of the real binary.
#include <catch2/catch.hpp>

#include <date/date.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "leadfunnel/cli.hpp"
#include "leadfunnel/commands.hpp"

namespace leadfunnel {
namespace {

using nlohmann::json;

const std::string kSource = LEADFUNNEL_SOURCE_DIR;
const std::string kData = kSource + "/data/";
const std::string kFixtures = kSource + "/tests/fixtures/cli/";

/// The fixed "now" of every in-process run: 2026-12-01T00:00:00Z.
Instant fixed_now() { return Instant{date::sys_days{date::year{2026} / 12 / 1}}; }

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

Run run(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  Run r;
  r.code = run_cli(args, out, err, fixed_now());
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::string fmt_dir_name() { return "leadfunnel-cli-test-" + std::to_string(static_cast<long>(::getpid())); }

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::vector<std::string> hubspot_args() {
  return {"report", kData + "hubspot-contacts.csv", "--config", kData + "agreement.json", "--as-of", "2026-11-01",
          "--format", "json"};
}

std::vector<std::string> two_file_args() {
  return {"report", kData + "leads.csv", "--prospects", kData + "deals.csv", "--as-of", "2026-11-01",
          "--format", "json"};
}

}  // namespace

TEST_CASE("cli: --help and --version exit 0 at the top level and for each command", "[cli]") {
  std::vector<std::string> args;
  bool version = false;
  SECTION("leadfunnel --help") { args = {"--help"}; }
  SECTION("leadfunnel --version") {
    args = {"--version"};
    version = true;
  }
  SECTION("leadfunnel report --help") { args = {"report", "--help"}; }
  SECTION("leadfunnel report --version") {
    args = {"report", "--version"};
    version = true;
  }
  SECTION("leadfunnel validate --help") { args = {"validate", "--help"}; }
  SECTION("leadfunnel validate --version") {
    args = {"validate", "--version"};
    version = true;
  }
  const Run r = run(args);
  CHECK(r.code == 0);
  if (version) {
    CHECK(contains(r.out, std::string("leadfunnel ") + LEADFUNNEL_VERSION));
  } else {
    CHECK(contains(r.out, "--format"));
  }
}

TEST_CASE("cli: no subcommand or an unknown option is a usage error", "[cli]") {
  std::vector<std::string> args;
  SECTION("no arguments at all") { args = {}; }
  SECTION("an unknown subcommand") { args = {"summarize", kData + "leads.csv"}; }
  SECTION("an unknown option") { args = {"report", kData + "leads.csv", "--colour"}; }
  SECTION("report without the leads file") { args = {"report"}; }
  SECTION("a --format that does not exist") { args = {"report", kData + "leads.csv", "--format", "xml"}; }
  const Run r = run(args);
  CHECK(r.code == 64);
  CHECK(r.out.empty());
  CHECK_FALSE(r.err.empty());
}

TEST_CASE("cli: a missing leads file exits 66", "[cli]") {
  SECTION("report") {
    const Run r = run({"report", kFixtures + "does-not-exist.csv"});
    CHECK(r.code == 66);
    CHECK(contains(r.err, "does-not-exist.csv"));
  }
  SECTION("validate") {
    const Run r = run({"validate", kFixtures + "does-not-exist.csv"});
    CHECK(r.code == 66);
  }
  SECTION("a missing prospects file") {
    const Run r = run({"report", kData + "leads.csv", "--prospects", kFixtures + "no-deals.csv"});
    CHECK(r.code == 66);
    CHECK(contains(r.err, "no-deals.csv"));
  }
}

TEST_CASE("cli: an agreement with an unknown key exits 78", "[cli]") {
  const Run r = run({"report", kData + "hubspot-contacts.csv", "--config", kFixtures + "unknown_key.json"});
  CHECK(r.code == 78);
  CHECK(contains(r.err, "windw"));
  CHECK(contains(r.err, "did you mean \"window\""));
  CHECK(r.out.empty());
}

TEST_CASE("cli: report on the HubSpot sample matches the hand-checked counts", "[cli]") {
  const Run r = run(hubspot_args());
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());
  const json j = json::parse(r.out);
  CHECK(j["schema_version"] == "1.2");
  CHECK(j["command"] == "report");
  CHECK(j["tz"] == "America/New_York");  // from the agreement
  // --as-of 2026-11-01 is midnight in New York, still EDT (UTC-4) until 02:00 that day.
  CHECK(j["as_of"] == "2026-11-01T04:00:00Z");
  // data/README.md: 300 data rows, none rejected.
  CHECK(j["input"]["rows_read"] == 300);
  CHECK(j["input"]["rows_used"] == 300);
  CHECK(j["input"]["rows_rejected"] == 0);
  CHECK(j["input"]["mapping"].size() == 12);  // every field of the agreement but lost_at
  // 66 by SQL date + 5 by the status rule = 71 of 300.
  CHECK(j["conversion"]["leads"] == 300);
  CHECK(j["conversion"]["prospects"] == 71);
  CHECK(j["conversion"]["rate"].get<double>() == Approx(71.0 / 300.0));  // 0.236667
  // Wilson 71/300: centre (0.236667 + 0.006402) / 1.012805 = 0.239996,
  // half 1.959964 * sqrt(0.000602 + 0.0000107) / 1.012805 = 0.047907.
  CHECK(j["conversion"]["ci95"][0].get<double>() == Approx(0.192089).margin(1e-5));
  CHECK(j["conversion"]["ci95"][1].get<double>() == Approx(0.287903).margin(1e-5));
  // mql: 185 with a date + 3 that skip it = 188 reached, 3 implied.
  REQUIRE(j["funnel"].size() == 6);
  CHECK(j["funnel"][1]["stage"] == "mql");
  CHECK(j["funnel"][1]["reached"] == 188);
  CHECK(j["funnel"][1]["implied"] == 3);
  CHECK(j["funnel"][0]["reached"] == 300);
  CHECK(j["funnel"][3]["reached"] == 71);
  CHECK(j["funnel"][5]["reached"] == 12);  // won
  // Planted traps: 51234869 has mql, handoff and prospect dates before its creation
  // (first engagement is not a stage) = 3 events; 51234528 and 51234626 are out of order.
  CHECK(j["data_quality"]["leads_out_of_order"] == 2);
  CHECK(j["data_quality"]["events_before_creation"] == 3);
}

TEST_CASE("cli: --by month and --by source on the HubSpot sample count leads per segment", "[cli]") {
  auto args = hubspot_args();
  args.insert(args.end(), {"--by", "month", "--by", "source"});
  const Run r = run(args);
  REQUIRE(r.code == 0);
  const json j = json::parse(r.out);
  // Create Date values are New York local time, so the month is the value's first
  // 7 characters; counted per month in the file: 22 23 34 40 47 32 29 19 38 16 (= 300).
  const auto& month = j["breakdowns"]["month"];
  REQUIRE(month.size() == 10);
  const char* months[] = {"2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
                          "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"};
  const int leads[] = {22, 23, 34, 40, 47, 32, 29, 19, 38, 16};
  for (std::size_t i = 0; i < 10; ++i) {
    CHECK(month[i]["key"] == months[i]);
    CHECK(month[i]["leads"] == leads[i]);
  }
  // Original Source: Organic Search 92 is the largest; the 4 blank rows are one null segment.
  const auto& source = j["breakdowns"]["source"];
  REQUIRE(source.size() == 8);
  CHECK(source[0]["key"] == "Organic Search");
  CHECK(source[0]["leads"] == 92);
  CHECK(source[7]["key"].is_null());
  CHECK(source[7]["leads"] == 4);
}

TEST_CASE("cli: the two-file sample has two orphans and --max-rejected decides the status", "[cli]") {
  auto args = two_file_args();
  int expected = 0;
  // 120 lead rows + 46 deal rows = 166 read; 2 orphans rejected.
  SECTION("default --max-rejected 0") { expected = 65; }
  SECTION("--max-rejected 2") {
    args.insert(args.end(), {"--max-rejected", "2"});
    expected = 0;
  }
  SECTION("--max-rejected 1") {
    args.insert(args.end(), {"--max-rejected", "1"});
    expected = 65;
  }
  SECTION("--max-rejected 1% (1% of 166 = 1.66 < 2)") {
    args.insert(args.end(), {"--max-rejected", "1%"});
    expected = 65;
  }
  SECTION("--max-rejected 2% (2% of 166 = 3.32 >= 2)") {
    args.insert(args.end(), {"--max-rejected", "2%"});
    expected = 0;
  }
  const Run r = run(args);
  CHECK(r.code == expected);
  if (expected == 65) CHECK(contains(r.err, "2 of 166 rows were rejected"));
  // The report is printed either way.
  const json j = json::parse(r.out);
  CHECK(j["input"]["orphans"] == 2);
  CHECK(j["input"]["rows_read"] == 166);
  CHECK(j["input"]["rows_used"] == 164);
  CHECK(j["input"]["rows_rejected"] == 2);
  CHECK(j["data_quality"]["orphans"] == 2);
  // 39 distinct known leads have a deal: 39 / 120.
  CHECK(j["conversion"]["leads"] == 120);
  CHECK(j["conversion"]["prospects"] == 39);
  CHECK(j["conversion"]["rate"].get<double>() == Approx(0.325));
}

TEST_CASE("cli: a bad date is a rejected row, and --strict stops at it", "[cli]") {
  const std::string file = kFixtures + "bad_date.csv";
  SECTION("--strict") {
    const Run r = run({"report", file, "--strict", "--as-of", "2024-06-01", "--format", "json"});
    CHECK(r.code == 65);
    CHECK(r.out.empty());
    CHECK(contains(r.err, file + ":3:"));
    CHECK(contains(r.err, "column \"created_at\""));
    CHECK(contains(r.err, "2024-13-01"));
  }
  SECTION("without --strict the report lists it and exits 65") {
    const Run r = run({"report", file, "--as-of", "2024-06-01", "--format", "json"});
    CHECK(r.code == 65);
    const json j = json::parse(r.out);
    CHECK(j["input"]["rows_read"] == 3);
    CHECK(j["input"]["rows_used"] == 2);
    REQUIRE(j["input"]["rejections"].size() == 1);
    CHECK(j["input"]["rejections"][0]["file"] == file);
    CHECK(j["input"]["rejections"][0]["line"] == 3);
    CHECK(j["input"]["rejections"][0]["column"] == "created_at");
    CHECK(j["conversion"]["leads"] == 2);
  }
  SECTION("--max-rejected 1 accepts it") {
    const Run r = run({"report", file, "--as-of", "2024-06-01", "--max-rejected", "1"});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "Lead -> prospect conversion"));
  }
}

TEST_CASE("cli: -o writes the report to the file and nothing to stdout", "[cli]") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("leadfunnel-cli-test-" + std::to_string(static_cast<long>(::getpid())) + ".json");
  std::filesystem::remove(path);
  auto args = hubspot_args();
  args.insert(args.end(), {"-o", path.string()});
  const Run r = run(args);
  CHECK(r.code == 0);
  CHECK(r.out.empty());
  REQUIRE(std::filesystem::exists(path));
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  std::filesystem::remove(path);
  const json j = json::parse(text);
  CHECK(j["conversion"]["prospects"] == 71);
}

TEST_CASE("cli: -o into a folder that does not exist exits 73", "[cli]") {
  auto args = hubspot_args();
  args.insert(args.end(), {"-o", kFixtures + "no-such-folder/report.json"});
  const Run r = run(args);
  CHECK(r.code == 73);
  CHECK(r.out.empty());
  CHECK(contains(r.err, "no-such-folder/report.json"));
  CHECK_FALSE(std::filesystem::exists(kFixtures + "no-such-folder"));
}

TEST_CASE("cli: validate --format json prints the input section and no metrics", "[cli]") {
  const Run r = run({"validate", kData + "hubspot-contacts.csv", "--config", kData + "agreement.json", "--format",
                     "json"});
  CHECK(r.code == 0);
  const json j = json::parse(r.out);
  CHECK(j["command"] == "validate");
  REQUIRE(j.contains("input"));
  CHECK(j["input"]["rows_read"] == 300);
  CHECK(j["input"]["rows_used"] == 300);
  CHECK_FALSE(j.contains("conversion"));
  CHECK_FALSE(j.contains("funnel"));
  // No --as-of: the fixed now, 2026-12-01T00:00:00Z.
  CHECK(j["as_of"] == "2026-12-01T00:00:00Z");
}

TEST_CASE("cli: impossible report options are usage errors", "[cli]") {
  std::vector<std::string> args;
  SECTION("--by month with no created_at column") {
    args = {"report", kFixtures + "no_created.csv", "--by", "month"};
  }
  SECTION("--window with no created_at column") {
    args = {"report", kFixtures + "no_created.csv", "--window", "30d"};
  }
  SECTION("--tz Nowhere/City") { args = {"report", kData + "leads.csv", "--tz", "Nowhere/City"}; }
  SECTION("--window abc") { args = {"report", kData + "leads.csv", "--window", "abc"}; }
  SECTION("--as-of that is not a date") { args = {"report", kData + "leads.csv", "--as-of", "soon"}; }
  SECTION("--to before --from") {
    args = {"report", kData + "leads.csv", "--from", "2026-05-01", "--to", "2026-04-01"};
  }
  SECTION("--max-rejected that is not a number") {
    args = {"report", kData + "leads.csv", "--max-rejected", "lots"};
  }
  SECTION("--map with an unknown column") {
    args = {"report", kData + "leads.csv", "--map", "created_at=Signup"};
  }
  const Run r = run(args);
  CHECK(r.code == 64);
  CHECK(contains(r.err, "leadfunnel: error:"));
}

TEST_CASE("cli: a deal created after as-of does not make its lead a prospect", "[cli]") {
  const Run r = run({"report", kFixtures + "late_deal_leads.csv", "--prospects", kFixtures + "late_deal_deals.csv",
                     "--as-of", "2024-02-01", "--format", "json"});
  CHECK(r.code == 0);
  const json j = json::parse(r.out);
  CHECK(j["conversion"]["leads"] == 2);
  CHECK(j["conversion"]["prospects"] == 0);
  CHECK(j["data_quality"]["events_after_as_of"] == 1);
}

TEST_CASE("cli: --window needs a creation date in the leads file, not in the prospects file", "[cli]") {
  const Run r = run({"report", kFixtures + "no_created.csv", "--prospects", kFixtures + "no_created_deals.csv",
                     "--window", "30d", "--as-of", "2024-06-01"});
  CHECK(r.code == 64);
  CHECK(contains(r.err, "created_at"));
}

TEST_CASE("cli: the real binary reports on the sample data and prints valid JSON", "[cli][smoke]") {
  const std::string command = std::string("\"") + LEADFUNNEL_BINARY + "\" report \"" + kData +
                              "hubspot-contacts.csv\" --config \"" + kData +
                              "agreement.json\" --as-of 2026-11-01 --format json";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = ::pclose(pipe);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  json j;
  REQUIRE_NOTHROW(j = json::parse(out));
  CHECK(j["schema_version"] == "1.2");
  CHECK(j["conversion"]["leads"] == 300);
  CHECK(j["conversion"]["prospects"] == 71);
}

TEST_CASE("cli: a bad --max-rejected is a usage error before any report is written", "[cli]") {
  for (const char* bad : {"abc", "nan", "inf", "-1", "150%"}) {
    INFO(bad);
    const Run r = run({"report", kData + "leads.csv", "--max-rejected", bad});
    CHECK(r.code == 64);
    CHECK(r.out.empty());
  }
}

TEST_CASE("cli: LEADS and --prospects cannot both be stdin", "[cli]") {
  const Run r = run({"report", "-", "--prospects", "-"});
  CHECK(r.code == 64);
  CHECK(contains(r.err, "stdin"));
}

TEST_CASE("cli: -o writes through a symlink and refuses a directory", "[cli]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt_dir_name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "real.json") << "old";
  fs::create_symlink(dir / "real.json", dir / "link.json");
  const Run r = run({"report", kData + "leads.csv", "--prospects", kData + "deals.csv", "--as-of", "2026-11-01",
                     "--max-rejected", "2", "--format", "json", "-o", (dir / "link.json").string()});
  CHECK(r.code == 0);
  CHECK(fs::is_symlink(dir / "link.json"));
  std::ifstream in(dir / "real.json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(contains(text, "\"schema_version\""));
  const Run d = run({"report", kData + "leads.csv", "--max-rejected", "5", "-o", dir.string()});
  CHECK(d.code == 73);
  CHECK(contains(d.err, "directory"));
  fs::remove_all(dir);
}

}  // namespace leadfunnel

TEST_CASE("cli: a report that fails while it is written leaves no file and no half of one behind", "[cli]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / (leadfunnel::fmt_dir_name() + "-half");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string target = (dir / "report.json").string();
  std::ostringstream unused;
  auto fails = [](std::ostream& o) {
    o << "{\"schema_version\": ";
    throw std::runtime_error("out of memory, say");
  };
  CHECK_THROWS_WITH(leadfunnel::write_output(fails, target, unused), "out of memory, say");
  CHECK(fs::is_empty(dir));  // neither the report nor its temporary file
  // An earlier report at the same place is kept as it was.
  std::ofstream(target) << "the report before\n";
  CHECK_THROWS(leadfunnel::write_output(fails, target, unused));
  std::ifstream in(target);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "the report before\n");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}) == 1);
  fs::remove_all(dir);
}
