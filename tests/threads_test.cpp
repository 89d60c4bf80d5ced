// --threads changes the speed, never the report: byte-identical JSON for 1,
// 2, 3 and 4 threads on generated exports with every messy feature on.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_run.hpp"
#include "leadfunnel/cli.hpp"
#include "leadfunnel/input.hpp"
#include "leadfunnel/load.hpp"
#include "leadfunnel/ndjson_stream.hpp"
#include "leadfunnel/row_stream.hpp"
#include "leadfunnel/timestamp.hpp"

using namespace leadfunnel;

namespace {

using nlohmann::json;

using testing::Run;

Run run(const std::vector<std::string>& args) {
  return testing::run_at(args, Instant{date::sys_days{date::year{2026} / 12 / 1}});
}

struct TempFile : testing::TempFile {
  TempFile(const std::string& name, const std::string& bytes) : testing::TempFile("leadfunnel-threads", name, bytes) {}
};

/// What the generated file looks like.
struct Messy {
  unsigned seed = 1;
  std::size_t rows = 20000;
  bool crlf = false;
  bool bom = false;
  bool locale_dates = false;  ///< day-first dates whose order is proven only late in the file
  bool repeats = true;        ///< some ids repeat (the load then reads the ids first)
  std::size_t reps = 0;       ///< owners beyond the six names: "Rep 1" to "Rep N"
};

/// One generated lead: its id (now and then a repeat of an earlier one, or
/// blank) and its stage instants, drawn in this order.
struct MessyLead {
  std::string id;
  long long created, mql, handoff, touch, sql, opp, won;
};

MessyLead draw_lead(std::size_t i, const std::function<std::size_t(std::size_t)>& pick,
                    const std::function<bool(double)>& chance, bool repeats = true) {
  MessyLead l;
  l.id = std::to_string(100000 + i);
  if (chance(0.01) && i > 10 && repeats) l.id = std::to_string(100000 + pick(i));  // a duplicate
  if (chance(0.003)) l.id = "";
  const long long base = 1719792000;  // 2024-07-01
  l.created = base + static_cast<long long>(pick(60 * 60 * 24 * 700));
  l.mql = l.created + static_cast<long long>(pick(60 * 60 * 24 * 5));
  l.handoff = l.mql + static_cast<long long>(pick(60 * 60 * 30));
  l.touch = l.handoff + static_cast<long long>(pick(60 * 60 * 50)) - 3600;
  l.sql = l.handoff + static_cast<long long>(pick(60 * 60 * 24 * 20));
  l.opp = l.sql + static_cast<long long>(pick(60 * 60 * 24 * 30)) - 86400;
  l.won = l.opp + static_cast<long long>(pick(60 * 60 * 24 * 60));
  return l;
}

/// A HubSpot-style contacts export with quoted commas and line breaks,
/// doubled quotes, blanks and placeholders, several UTC offsets, date-only
/// values, duplicate and blank ids, impossible dates, ragged rows, a stray
/// quote, blank lines, case variants of owners, a report title and footer.
std::string messy_export(const Messy& m) {
  std::mt19937 rng(m.seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  const std::string nl = m.crlf ? "\r\n" : "\n";
  const std::vector<std::string> sources{"Organic Search", "Paid Search", "Referrals", "Direct Traffic", "Email Marketing",
                                         "-", ""};
  std::vector<std::string> owners{"Ana Souza", "ana  souza", "Bruno Lima", "Carla Dias", "", "Dev Rao"};
  for (std::size_t k = 1; k <= m.reps; ++k) owners.push_back(fmt::format("Rep {}", k));
  const std::vector<std::string> offsets{"Z", "-05:00", "-04:00", "+05:30", "+01:00", "-03:00", ""};
  const std::vector<std::string> stages{"lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
                                        "customer", ""};
  auto stamp = [&](long long epoch, std::size_t row) -> std::string {
    if (chance(0.03)) return chance(0.5) ? "" : "N/A";
    const date::sys_seconds t{std::chrono::seconds{epoch}};
    if (m.locale_dates) {
      // Day-first; until 70% of the file, every day is at most 12, so the
      // order stays unproven and the rows wait.
      auto dp = date::floor<date::days>(t);
      date::year_month_day ymd{dp};
      unsigned day = static_cast<unsigned>(ymd.day());
      if (row < m.rows * 7 / 10 && day > 12) day = day % 12 + 1;
      const date::hh_mm_ss hms{t - dp};
      return fmt::format("{:02}/{:02}/{:04} {:02}:{:02}", day, static_cast<unsigned>(ymd.month()),
                         static_cast<int>(ymd.year()), hms.hours().count(), hms.minutes().count());
    }
    if (chance(0.05)) return date::format("%Y-%m-%d", date::floor<date::days>(t));
    std::string s = date::format(chance(0.5) ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%dT%H:%M:%S", t);
    s += offsets[pick(offsets.size())];
    return s;
  };
  std::string out;
  if (m.bom) out += "\xEF\xBB\xBF";
  out += "Contacts report" + nl;
  out += "Record ID,First Name,Email,Create Date,Lifecycle Stage,Original Source,Contact owner,"
         "Became a Marketing Qualified Lead Date,Owner Assigned Date,Date of first engagement,"
         "Became a Sales Qualified Lead Date,Became an Opportunity Date,Became a Customer Date,Notes" +
         nl;
  for (std::size_t i = 0; i < m.rows; ++i) {
    if (chance(0.002)) out += nl;  // blank line
    const auto [id, created, mql, handoff, touch, sql, opp, won] = draw_lead(i, pick, chance, m.repeats);
    const int depth = static_cast<int>(pick(6));
    std::vector<std::string> f{
        id,
        chance(0.1) ? "\"Jo\u00e3o, \"\"JJ\"\"\"" : "Maria",
        fmt::format("m{}@example.com", i),
        chance(0.004) ? "2025-02-30 10:00:00" : stamp(created, i),
        stages[pick(stages.size())],
        sources[pick(sources.size())],
        owners[pick(owners.size())],
        depth >= 1 ? stamp(mql, i) : "",
        depth >= 2 ? stamp(handoff, i) : "",
        depth >= 2 && chance(0.8) ? stamp(touch, i) : "",
        depth >= 3 ? stamp(sql, i) : "",
        depth >= 4 ? stamp(opp, i) : "",
        depth >= 5 ? stamp(won, i) : "",
        chance(0.12) ? "\"called, left a message" + nl + "then \"\"follow up\"\", again\"" : "",
    };
    if (chance(0.002)) f.pop_back();             // a ragged row
    if (chance(0.002)) f.back() += "ab\"c";      // a quote inside an unquoted field (legal)
    std::string line;
    for (std::size_t k = 0; k < f.size(); ++k) {
      if (k) line += ',';
      line += f[k];
    }
    out += line + nl;
  }
  out += "Generated by a CRM, confidential" + nl;
  return out;
}

/// The same kind of export as NDJSON, one record a line, with what goes
/// wrong in JSON files: lines that are not JSON, nested values, escapes and
/// non-ASCII text, a key twice, an array line, a key first seen late, blank
/// and white-space lines, and records in another key order.
std::string messy_ndjson(const Messy& m) {
  std::mt19937 rng(m.seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  const std::string nl = m.crlf ? "\r\n" : "\n";
  const std::vector<std::string> sources{"Organic Search", "Paid Search", "Referrals", "Direct Traffic", "-", ""};
  const std::vector<std::string> owners{"Ana Souza", "ana  souza", "Bruno Lima", "Carla Dias", "", "Dev Rao"};
  const std::vector<std::string> offsets{"Z", "-05:00", "+05:30", "-03:00", ""};
  auto stamp = [&](long long epoch, std::size_t row) -> json {
    if (chance(0.03)) return chance(0.5) ? json(nullptr) : json("N/A");
    if (chance(0.02)) return json(epoch * 1000);  // epoch milliseconds, as a number
    const date::sys_seconds t{std::chrono::seconds{epoch}};
    if (m.locale_dates) {
      auto dp = date::floor<date::days>(t);
      date::year_month_day ymd{dp};
      unsigned day = static_cast<unsigned>(ymd.day());
      if (row < m.rows * 7 / 10 && day > 12) day = day % 12 + 1;  // the order is proven late
      if (chance(0.05))  // year-first dates in the same columns
        return fmt::format("{:04}/{:02}/{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                           day);
      return fmt::format("{:02}/{:02}/{:04}", day, static_cast<unsigned>(ymd.month()), static_cast<int>(ymd.year()));
    }
    return date::format(chance(0.5) ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%dT%H:%M:%S", t) + offsets[pick(offsets.size())];
  };
  std::string out;
  if (m.bom) out += "\xEF\xBB\xBF";
  for (std::size_t i = 0; i < m.rows; ++i) {
    if (chance(0.002)) out += nl;
    if (chance(0.001)) out += "   " + nl;
    if (chance(0.002)) {
      out += (chance(0.5) ? std::string("{\"Record ID\": \"broken") : std::string("[1, 2]")) + nl;
      continue;
    }
    const auto [id, created, mql, handoff, touch, sql, opp, won] = draw_lead(i, pick, chance);
    const int depth = static_cast<int>(pick(5));
    json r = json::object();
    r["Record ID"] = chance(0.01) ? json(std::stoll(id.empty() ? "0" : id)) : json(id);
    r["First Name"] = chance(0.1) ? "Jo\u00e3o \"JJ\"" : "Maria";
    r["Create Date"] = chance(0.004) ? json("2025-02-30 10:00:00") : stamp(created, i);
    r["Original Source"] = sources[pick(sources.size())];
    r["Contact owner"] = owners[pick(owners.size())];
    if (depth >= 1) r["Became a Marketing Qualified Lead Date"] = stamp(mql, i);
    if (depth >= 2) r["Owner Assigned Date"] = stamp(handoff, i);
    if (depth >= 2 && chance(0.8)) r["Date of first engagement"] = stamp(touch, i);
    if (depth >= 3) r["Became a Sales Qualified Lead Date"] = stamp(sql, i);
    if (depth >= 3 && chance(0.5)) r["Became an Opportunity Date"] = stamp(opp, i);
    if (depth >= 4) r["Became a Customer Date"] = stamp(won, i);
    if (chance(0.05)) r["Notes"] = json{{"text", "called\nback"}, {"tries", 2}};
    if (chance(0.05)) r["Notes"] = "line one\nline two, \"quoted\"";
    if (i > m.rows / 2 && chance(0.01)) r["Late Key"] = "x";
    std::string line = r.dump();
    if (chance(0.002)) line.insert(1, "\"Contact owner\": \"Twice\", ");  // a key twice
    out += line + nl;
  }
  return out;
}

/// A deals file for messy_export(m)'s leads (their ids are 100000 + row),
/// `deals` rows long: a lead with several deals, ids blank, unknown to the
/// leads file or with spaces around them, impossible and placeholder dates,
/// undated rows, and owners. With m.locale_dates its dates are day-first,
/// proven only at 80% of the file (the rows wait until then), with
/// year-first dates among them.
std::string messy_deals(const Messy& m, std::size_t deals) {
  std::mt19937 rng(m.seed + 1000);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  const std::vector<std::string> owners{"Ana Souza", "Bruno Lima", "", "Eva Klein"};
  const std::vector<std::string> stages{"qualified", "proposal", "closedwon", "closedlost", ""};
  auto stamp = [&](long long epoch, std::size_t row) -> std::string {
    if (chance(0.03)) return chance(0.5) ? "" : "N/A";
    if (chance(0.005)) return "2025-02-30 10:00:00";
    const date::sys_seconds t{std::chrono::seconds{epoch}};
    auto dp = date::floor<date::days>(t);
    const date::year_month_day ymd{dp};
    const date::hh_mm_ss hms{t - dp};
    if (m.locale_dates) {
      if (chance(0.05))
        return fmt::format("{:04}/{:02}/{:02} {:02}:{:02}", static_cast<int>(ymd.year()),
                           static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                           hms.minutes().count());
      unsigned day = static_cast<unsigned>(ymd.day());
      if (row < deals * 8 / 10 && day > 12) day = day % 12 + 1;
      return fmt::format("{:02}/{:02}/{:04} {:02}:{:02}", day, static_cast<unsigned>(ymd.month()),
                         static_cast<int>(ymd.year()), hms.hours().count(), hms.minutes().count());
    }
    return date::format("%Y-%m-%dT%H:%M:%SZ", t);
  };
  std::string out = "deal_id,lead_id,created_at,owner,stage,opportunity_at,won_at,lost_at,amount\n";
  for (std::size_t i = 0; i < deals; ++i) {
    std::string lead = std::to_string(100000 + pick(m.rows));
    if (chance(0.01)) lead = "";
    if (chance(0.01)) lead = "999" + lead;  // no such lead
    if (chance(0.01)) lead = " " + lead + " ";
    const long long created = 1719792000 + static_cast<long long>(pick(60 * 60 * 24 * 700));
    const int depth = static_cast<int>(pick(4));
    out += fmt::format("D{},{},{},{},{},{},{},{},{}\n", i, lead, chance(0.05) ? "" : stamp(created, i),
                       owners[pick(owners.size())], stages[pick(stages.size())],
                       depth >= 1 ? stamp(created + 86400, i) : "", depth >= 2 ? stamp(created + 86400 * 9, i) : "",
                       depth == 3 ? stamp(created + 86400 * 4, i) : "", pick(5000));
  }
  return out;
}

const std::string kAgreement = std::string(LEADFUNNEL_SOURCE_DIR) + "/bench/agreement.json";

std::string report(const std::string& path, std::size_t threads, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"report",    path,        "--config", kAgreement, "--by",      "source", "--by",
                                "month",     "--by",      "owner",    "--format", "json",      "--max-listed",
                                "0",         "--as-of",   "2026-07-01T04:00:00Z", "--threads", std::to_string(threads)};
  args.insert(args.end(), extra.begin(), extra.end());
  const Run r = run(args);
  INFO(r.err);
  CHECK((r.code == 0 || r.code == 65));
  return r.out;
}

/// The report of `path` on 1 thread, checked to be a messy file's (rows
/// rejected, every row accounted for), then on 2, 3 and 4 threads.
void check_same_on_every_thread_count(const std::string& path, const Messy& m) {
  const std::string one = report(path, 1);
  REQUIRE_FALSE(one.empty());
  const json j = json::parse(one);
  // The file really is messy: rows were rejected, and every row is accounted for.
  CHECK(j["input"]["rows_rejected"].get<std::size_t>() > 0);
  CHECK(j["input"]["rows_read"].get<std::size_t>() ==
        j["input"]["rows_used"].get<std::size_t>() + j["input"]["rows_rejected"].get<std::size_t>());
  CHECK(j["conversion"]["leads"].get<std::size_t>() > 1000);
  if (m.locale_dates) CHECK(j["input"]["files"][0]["dates"][0]["format"] == "dmy");
  for (std::size_t t : {std::size_t{2}, std::size_t{3}, std::size_t{4}}) {
    INFO("seed " << m.seed << ", threads " << t);
    CHECK(report(path, t) == one);
  }
}

}  // namespace

TEST_CASE("threads: 1, 2, 3 and 4 threads give byte-identical JSON on a messy export", "[threads]") {
  for (const Messy m : {Messy{1, 20000, false, false, false}, Messy{2, 15000, true, true, false},
                        Messy{3, 12000, false, false, true}}) {
    TempFile f("messy-" + std::to_string(m.seed) + ".csv", messy_export(m));
    check_same_on_every_thread_count(f.str(), m);
  }
}

TEST_CASE("threads: an export with thousands of owners gives byte-identical JSON on 1 to 4 threads", "[threads]") {
  // Past 512 owners a clock target's owners are loaded into the cache a few
  // leads ahead (SlaAccumulator::many_owners); that must change nothing.
  const Messy m{4, 30000, false, false, false, true, 3000};
  TempFile f("owners-" + std::to_string(m.seed) + ".csv", messy_export(m));
  check_same_on_every_thread_count(f.str(), m);
}

TEST_CASE("threads: a leads file with a messy deals file gives byte-identical JSON on 1 to 4 threads", "[threads]") {
  // Deals rows wait for a date order proven late. Without repeated lead ids
  // the leads are read once, after the deals; with them, the deals file is
  // read while another thread reads the lead ids.
  for (const Messy m : {Messy{5, 8000, false, false, false, false}, Messy{6, 8000, false, false, true, false},
                        Messy{7, 8000, false, false, true, true}}) {
    TempFile leads("two-leads-" + std::to_string(m.seed) + ".csv", messy_export(m));
    TempFile deals("two-deals-" + std::to_string(m.seed) + ".csv", messy_deals(m, 30000));
    auto joined = [&](std::size_t threads) {
      const Run r = run({"report", leads.str(), "--prospects", deals.str(), "--config", kAgreement, "--by", "source",
                         "--by", "owner", "--format", "json", "--as-of", "2026-07-01T04:00:00Z", "--threads",
                         std::to_string(threads)});
      INFO(r.err);
      CHECK((r.code == 0 || r.code == 65));
      return r.out;
    };
    const std::string one = joined(1);
    const json j = json::parse(one);
    INFO("seed " << m.seed);
    const json& files = j["input"]["files"];
    REQUIRE(files.size() == 2);
    CHECK(files[1]["rows_rejected"].get<std::size_t>() > 100);
    CHECK(files[1]["rows_used"].get<std::size_t>() > 20000);
    if (m.locale_dates) CHECK(files[1]["dates"][0]["format"] == "dmy");
    for (std::size_t t : {std::size_t{2}, std::size_t{3}, std::size_t{4}}) {
      INFO("threads " << t);
      CHECK(joined(t) == one);
    }
  }
}

TEST_CASE("threads: a date-order conflict late in the deals file stops every thread count the same way",
          "[threads]") {
  // The leads are read once, after the deals: the error in the deals comes
  // first, whatever the thread count.
  std::string leads = "lead_id,created_at\n", deals = "lead_id,created_at\n";
  for (int i = 0; i < 3000; ++i) leads += fmt::format("L{},2026-01-02T10:00:00Z\n", i);
  for (int i = 0; i < 9000; ++i) deals += fmt::format("L{},01/02/2026 10:00\n", i % 3000);
  deals += "L1,13/02/2026 10:00\n";
  for (int i = 0; i < 5000; ++i) deals += fmt::format("L{},02/03/2026 10:00\n", i % 3000);
  deals += "L2,02/14/2026 10:00\n";
  for (int i = 0; i < 5000; ++i) deals += fmt::format("L{},02/03/2026 10:00\n", i % 3000);
  TempFile l("conflict-leads.csv", leads), d("conflict-deals.csv", deals);
  auto joined = [&](const char* threads) {
    return run({"report", l.str(), "--prospects", d.str(), "--threads", threads, "--as-of", "2026-07-01T00:00:00Z"});
  };
  const Run one = joined("1");
  CHECK(one.code != 0);
  CHECK(one.err.find("mixes day-first dates") != std::string::npos);
  for (const char* t : {"2", "4"}) {
    const Run other = joined(t);
    INFO("threads " << t);
    CHECK(other.code == one.code);
    CHECK(other.err == one.err);
  }
}

TEST_CASE("threads: --duplicates last and --fold-case give the same JSON on 1 and 4 threads", "[threads]") {
  TempFile f("messy-last.csv", messy_export(Messy{4, 10000, false, false, false}));
  const std::vector<std::string> extra{"--duplicates", "last", "--fold-case"};
  const std::string one = report(f.str(), 1, extra);
  REQUIRE_FALSE(one.empty());
  CHECK(report(f.str(), 4, extra) == one);
}

TEST_CASE("threads: a date-order error found late in the file stops every thread count the same way",
          "[threads]") {
  std::string csv = "lead_id,created_at\n";
  for (int i = 0; i < 9000; ++i) csv += fmt::format("{},01/02/2026 10:00\n", i);
  csv += "x1,13/02/2026 10:00\n";
  for (int i = 0; i < 3000; ++i) csv += fmt::format("y{},02/03/2026 10:00\n", i);
  csv += "x2,02/14/2026 10:00\n";
  TempFile f("mixed-orders.csv", csv);
  const Run one = run({"report", f.str(), "--threads", "1", "--as-of", "2026-07-01T00:00:00Z"});
  const Run four = run({"report", f.str(), "--threads", "4", "--as-of", "2026-07-01T00:00:00Z"});
  CHECK(one.code != 0);
  CHECK(four.code == one.code);
  CHECK(four.err == one.err);
  CHECK(one.err.find("mixes day-first dates") != std::string::npos);
}

TEST_CASE("threads: an early duplicate and a later date-order conflict give the same error on any thread count",
          "[threads]") {
  // The duplicate on line 11 comes before the conflict on line 3001: the
  // rows before a conflict are committed first, on every thread count.
  std::string csv = "lead_id,created_at\n";
  for (int i = 0; i < 3000; ++i) csv += fmt::format("{},01/02/2026 10:00\n", i == 9 ? 3 : i);
  csv += "x1,13/02/2026 10:00\nx2,02/14/2026 10:00\n";
  TempFile f("dup-then-mixed.csv", csv);
  const Run one = run({"report", f.str(), "--threads", "1", "--duplicates", "error", "--as-of", "2026-07-01T00:00:00Z"});
  CHECK(one.code != 0);
  CHECK(one.err.find("is also on line") != std::string::npos);
  for (int k = 0; k < 5; ++k)
    for (const char* t : {"2", "4"}) {
      const Run other = run({"report", f.str(), "--threads", t, "--duplicates", "error", "--as-of",
                             "2026-07-01T00:00:00Z"});
      INFO("threads " << t);
      CHECK(other.code == one.code);
      CHECK(other.err == one.err);
    }
}

TEST_CASE("threads: 1, 2, 3 and 4 threads give byte-identical JSON on a messy NDJSON export", "[threads]") {
  // NDJSON records are parsed by the threads that prepare them; rejections,
  // blank lines and the rows waiting for a date order must come out as on one.
  for (const Messy m : {Messy{5, 20000, false, false, false}, Messy{6, 15000, true, true, false},
                        Messy{7, 12000, false, false, true}}) {
    TempFile f("messy-" + std::to_string(m.seed) + ".ndjson", messy_ndjson(m));
    check_same_on_every_thread_count(f.str(), m);
  }
}

TEST_CASE("threads: a date-order conflict late in an NDJSON file gives the same error on any thread count",
          "[threads]") {
  std::string nd;
  for (int i = 0; i < 9000; ++i) nd += fmt::format("{{\"lead_id\": \"{}\", \"created_at\": \"01/02/2026 10:00\"}}\n", i);
  nd += "{\"lead_id\": \"x1\", \"created_at\": \"13/02/2026 10:00\"}\n";
  for (int i = 0; i < 3000; ++i) nd += fmt::format("{{\"lead_id\": \"y{}\", \"created_at\": \"02/03/2026 10:00\"}}\n", i);
  nd += "{\"lead_id\": \"x2\", \"created_at\": \"02/14/2026 10:00\"}\n";
  TempFile f("mixed-orders.ndjson", nd);
  const Run one = run({"report", f.str(), "--threads", "1", "--as-of", "2026-07-01T00:00:00Z"});
  CHECK(one.code != 0);
  CHECK(one.err.find("mixes day-first dates") != std::string::npos);
  for (int k = 0; k < 3; ++k)
    for (const char* t : {"2", "4"}) {
      const Run other = run({"report", f.str(), "--threads", t, "--as-of", "2026-07-01T00:00:00Z"});
      INFO("threads " << t);
      CHECK(other.code == one.code);
      CHECK(other.err == one.err);
    }
}

namespace {

/// Rows whose records "fail to parse" on chosen lines: a record "bad" is
/// rejected, and the record on `throw_line` makes the parser throw. Read in
/// turn (one thread) or handed out unparsed (several threads).
class DeferringRows final : public RowStream {
 public:
  DeferringRows(RawTable t, std::size_t throw_line)
      : table_(std::move(t)), rows_(std::move(table_.rows)), throw_line_(throw_line) {
    table_.rows.clear();
  }
  RawTable& table() override { return table_; }
  void next_batch(std::vector<RawRow>& rows, std::size_t max_rows) override {
    rows.clear();
    while (next_ < rows_.size() && rows.size() < max_rows) {
      RawRow row = rows_[next_++];
      if (!deferred_) {
        if (auto bad = Check{throw_line_}.parse(row)) {
          table_.reject(std::move(*bad));
          continue;
        }
      }
      rows.push_back(std::move(row));
    }
  }
  bool defer_parsing() override { return deferred_ = true; }
  std::unique_ptr<RowParser> row_parser() override { return std::make_unique<Check>(throw_line_); }

 private:
  struct Check final : RowParser {
    explicit Check(std::size_t line) : throw_line(line) {}
    std::optional<Rejection> parse(RawRow& row) override {
      if (row.line == throw_line) throw std::runtime_error("the parser failed on line " + std::to_string(row.line));
      if (row.fields[1] == "bad") return Rejection{"leads.csv", row.line, "", "the record is unreadable"};
      return std::nullopt;
    }
    std::size_t throw_line;
  };
  RawTable table_;
  std::vector<RawRow> rows_;
  std::size_t throw_line_;
  std::size_t next_ = 0;
  bool deferred_ = false;
};

struct CountLeads final : LeadConsumer {
  void begin(const DatasetShape&) override {}
  void add(const Lead&) override { ++leads; }
  std::size_t leads = 0;
};

/// lead_id,created_at rows; every 7th record is "bad"; id 5 again on line
/// 3502 (in the same batch of 1,024 as line 4000) when `duplicate`.
RawTable deferring_table(bool duplicate) {
  std::string csv = "lead_id,created_at\n";
  for (int i = 0; i < 5000; ++i)
    csv += fmt::format("{},{}\n", duplicate && i == 3500 ? 5 : i, i % 7 == 3 ? "bad" : "2026-01-02 10:00");
  return parse_table(csv, "leads.csv", ReadOptions{});
}

LoadOptions deferring_options(std::size_t threads) {
  LoadOptions o;
  o.zone = date::locate_zone("UTC");
  o.preset = "none";
  o.threads = threads;
  o.duplicates = DuplicatePolicy::Error;
  return o;
}

}  // namespace

TEST_CASE("threads: records parsed late by the preparing threads are counted and listed as when read in turn",
          "[threads]") {
  CountLeads one_leads;
  const InputSummary one = stream_leads(std::make_unique<DeferringRows>(deferring_table(false), 0), nullptr,
                                        deferring_options(1), one_leads);
  CHECK(one.rows_rejected == 714);
  for (std::size_t t : {std::size_t{2}, std::size_t{4}}) {
    INFO("threads " << t);
    CountLeads leads;
    const InputSummary s = stream_leads(std::make_unique<DeferringRows>(deferring_table(false), 0), nullptr,
                                        deferring_options(t), leads);
    CHECK(leads.leads == one_leads.leads);
    CHECK(s.rows_read == one.rows_read);
    CHECK(s.rows_used == one.rows_used);
    CHECK(s.rows_rejected == one.rows_rejected);
    REQUIRE(s.rejections.size() == one.rejections.size());
    for (std::size_t i = 0; i < s.rejections.size(); ++i) {
      CHECK(s.rejections[i].line == one.rejections[i].line);
      CHECK(s.rejections[i].reason == one.rejections[i].reason);
    }
  }
}

TEST_CASE("threads: a parser that throws on a late row loses to an earlier row's error, as on one thread",
          "[threads]") {
  for (std::size_t t : {std::size_t{1}, std::size_t{2}, std::size_t{4}}) {
    INFO("threads " << t);
    CountLeads leads;
    // The duplicate of id 5 on line 3502 is an error (--duplicates error)
    // before the parser fails on line 4000, in the same batch.
    CHECK_THROWS_WITH(stream_leads(std::make_unique<DeferringRows>(deferring_table(true), 4000), nullptr,
                                   deferring_options(t), leads),
                      Catch::Contains("is also on line 7"));
    // Without it, the parser's failure is the error.
    CHECK_THROWS_WITH(stream_leads(std::make_unique<DeferringRows>(deferring_table(false), 4000), nullptr,
                                   deferring_options(t), leads),
                      "the parser failed on line 4000");
  }
}

TEST_CASE("threads: a messy JSON array read by elements gives the whole-file reader's JSON on any thread count",
          "[threads]") {
  // The messy NDJSON records as the elements of an array, one a line (blank
  // lines and the records cut short left out: those would break the array
  // itself, and leave it to the whole-file reader). --encoding utf-8 makes
  // the report read the file whole, with parse_json_table.
  for (const Messy m : {Messy{8, 12000, false, false, false}, Messy{9, 9000, true, true, true}}) {
    std::string nd = messy_ndjson(m);
    std::string arr;
    if (m.bom) {
      arr += "\xEF\xBB\xBF";
      nd.erase(0, 3);
    }
    const std::string nl = m.crlf ? "\r\n" : "\n";
    arr += "[" + nl;
    std::size_t elements = 0;
    for (std::size_t at = 0; at < nd.size();) {
      std::size_t end = nd.find('\n', at);
      if (end == std::string::npos) end = nd.size();
      std::string line = nd.substr(at, end - at);
      at = end + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const bool cut_short = line.rfind("{\"Record ID\": \"broken", 0) == 0;
      if (line.find_first_not_of(" \t") == std::string::npos || cut_short) continue;
      if (elements++ > 0) arr += "," + nl;
      arr += line;
    }
    arr += nl + "]" + nl;
    TempFile f("messy-" + std::to_string(m.seed) + ".json", arr);
    REQUIRE(open_ndjson_stream(f.str(), ReadOptions{}) != nullptr);  // read by elements
    const std::string whole = report(f.str(), 1, {"--encoding", "utf-8"});
    REQUIRE_FALSE(whole.empty());
    const json j = json::parse(whole);
    CHECK(j["input"]["rows_rejected"].get<std::size_t>() > 0);
    CHECK(j["input"]["rows_read"].get<std::size_t>() == elements);
    for (std::size_t t : {std::size_t{1}, std::size_t{2}, std::size_t{4}}) {
      INFO("seed " << m.seed << ", threads " << t);
      CHECK(report(f.str(), t) == whole);
    }
  }
}

TEST_CASE("threads: a JSON array written on one line lists the same leads on 1, 2 and 4 threads", "[threads]") {
  // Every record is on line 1, so the lists cannot order leads by line alone:
  // which leads are listed must not depend on how the threads shared them.
  std::string text = "[";
  for (int i = 0; i < 6000; ++i) {
    const int day = 1 + i % 27;
    // Every third lead became a prospect before it was created (a data-quality
    // issue); every lead is handed off, and touched late or never (SLA breaches).
    text += fmt::format(
        "{}{{\"lead_id\": \"L{}\", \"created_at\": \"2026-03-{:02}T10:00:00Z\", \"prospect_at\": \"{}\", "
        "\"handoff_at\": \"2026-03-{:02}T11:00:00Z\", \"first_touch_at\": \"{}\", \"owner\": \"{}\"}}",
        i == 0 ? "" : ", ", i, day, i % 3 == 0 ? "2026-02-01T10:00:00Z" : "", day,
        i % 4 == 0 ? "" : fmt::format("2026-04-{:02}T09:00:00Z", 1 + i % 20), i % 5 == 0 ? "Ana" : "Bo");
  }
  text += "]\n";
  TempFile f("one-line.json", text);
  auto listed = [&](std::size_t threads) {
    const Run r = run({"report", f.str(), "--config", kAgreement, "--format", "json", "--max-listed", "25", "--as-of",
                       "2026-07-01T04:00:00Z", "--threads", std::to_string(threads)});
    INFO(r.err);
    CHECK((r.code == 0 || r.code == 65));
    return r.out;
  };
  const std::string one = listed(1);
  const json j = json::parse(one);
  REQUIRE(j["data_quality"]["issues"].size() == 25);
  CHECK(j["data_quality"]["issues_unlisted"].get<std::size_t>() > 1000);
  for (std::size_t t : {std::size_t{2}, std::size_t{4}}) {
    INFO("threads " << t);
    CHECK(listed(t) == one);
  }
}
