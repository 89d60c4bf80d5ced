// Reading the lead ids once before the leads: RepeatFinder, and a load that
// remembers only repeated ids gives exactly what a load remembering every id
// gives.
#include <catch2/catch.hpp>

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli_run.hpp"
#include "leadfunnel/error.hpp"
#include "leadfunnel/id_scan.hpp"
#include "leadfunnel/input.hpp"
#include "leadfunnel/load.hpp"
#include "leadfunnel/ndjson_stream.hpp"
#include "leadfunnel/repeats.hpp"
#include "leadfunnel/row_stream.hpp"
#include "leadfunnel/text.hpp"

using namespace leadfunnel;

namespace {

struct TempFile : testing::TempFile {
  TempFile(const std::string& name, const std::string& bytes) : testing::TempFile("leadfunnel-two-pass", name, bytes) {}
};

/// Everything a load says about its rows, as text to compare.
std::string account(const Dataset& d) {
  std::string out = fmt::format("read {} used {} rejected {} duplicates {} orphans {}\n", d.input.rows_read,
                                d.input.rows_used, d.input.rows_rejected, d.input.duplicate_ids, d.input.orphans);
  for (const auto& l : d.leads)
    out += fmt::format("lead {} line {} stages {}\n", l.id, l.line,
                       std::count_if(l.at.begin(), l.at.end(), [](const auto& at) { return at.has_value(); }));
  for (const auto& r : d.input.rejections) out += fmt::format("rejected {}:{} [{}] {}\n", r.file, r.line, r.column, r.reason);
  for (const auto& c : d.input.checks) {
    out += fmt::format("check {} {}\n", c.kind, c.count);
    for (const auto& e : c.examples) out += fmt::format("  {}:{} {} {}\n", e.file, e.line, e.id, e.value);
  }
  return out;
}

/// A small seeded generator: the same numbers on every platform.
struct Lcg {
  std::uint64_t s;
  std::uint64_t operator()(std::uint64_t n) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (s >> 33) % n;
  }
};

LoadOptions options(DuplicatePolicy p) {
  LoadOptions o;
  o.zone = date::locate_zone("UTC");
  o.duplicates = p;
  return o;
}

/// Leads with ids drawn from a small pool (most ids repeat), blank ids, ids
/// with spaces around them, leading zeros, and impossible dates (rejected
/// rows whose ids come back later).
std::string leads_csv(unsigned seed, std::size_t rows) {
  Lcg rnd{seed};
  std::string out = "lead_id,created_at,source\n";
  for (std::size_t i = 0; i < rows; ++i) {
    std::string id = std::to_string(rnd(3) == 0 ? rnd(rows / 3 + 1) : 100000 + i);
    if (rnd(50) == 0) id = "";
    if (rnd(40) == 0) id = " " + id + " ";
    if (rnd(60) == 0) id = "00" + id;
    const std::string created = rnd(30) == 0 ? "2025-02-30 10:00" : fmt::format("2026-0{}-1{} 10:00", 1 + rnd(9), rnd(10));
    out += fmt::format("{},{},{}\n", id, created, rnd(4) == 0 ? "-" : "Ads");
  }
  return out;
}

std::string prospects_csv(std::size_t rows) {
  std::string out = "lead_id,prospect_at\n";
  for (std::size_t i = 0; i < rows; i += 7) out += fmt::format("{},2026-10-01 10:00\n", i);
  out += "999999999,2026-10-01 10:00\n";  // an orphan
  out += "00100003,2026-10-01 10:00\n";   // a leading zero Excel would strip
  return out;
}

}  // namespace

TEST_CASE("two-pass: RepeatFinder returns each value added more than once, once, sorted", "[two-pass]") {
  RepeatFinder f;
  std::map<std::uint64_t, int> times;
  std::uint64_t s = 1;
  for (int i = 0; i < 300000; ++i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    // Values spread over every top byte, a third of them drawn again.
    const std::uint64_t v = (i % 3 == 0) ? (s % 50000) * 0x9E3779B97F4A7C15ULL : s;
    f.add(v);
    ++times[v];
  }
  std::vector<std::uint64_t> expected;
  for (const auto& [v, n] : times)
    if (n > 1) expected.push_back(v);
  CHECK(f.size() == 300000);
  CHECK(expected.size() > 1000);
  CHECK(f.repeated() == expected);
}

TEST_CASE("two-pass: RepeatFinder reports 0 like any value, and a value added three times once", "[two-pass]") {
  RepeatFinder f;
  for (const std::uint64_t v : {std::uint64_t{0}, std::uint64_t{7}, std::uint64_t{0}, std::uint64_t{9},
                                std::uint64_t{0}, std::uint64_t{7}, std::uint64_t{7}, std::uint64_t{1}})
    f.add(v);
  CHECK(f.repeated() == std::vector<std::uint64_t>{0, 7});
  RepeatFinder once;
  once.add(0);
  once.add(5);
  CHECK(once.repeated().empty());
}

TEST_CASE("two-pass: RepeatFinders filled apart and merged find the repeats of all their values, on any thread count",
          "[two-pass]") {
  for (std::size_t threads : {1U, 2U, 3U}) {
    std::vector<RepeatFinder> parts(3);
    std::map<std::uint64_t, int> times;
    std::uint64_t s = threads;
    for (int i = 0; i < 200000; ++i) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      // A value repeated is often repeated in another finder.
      const std::uint64_t v = (i % 4 == 0) ? (s % 30000) * 0x9E3779B97F4A7C15ULL : s;
      parts[static_cast<std::size_t>(i) % (i < 100000 ? 3 : 2)].add(v);
      ++times[v];
    }
    std::vector<std::uint64_t> expected;
    for (const auto& [v, n] : times)
      if (n > 1) expected.push_back(v);
    parts[0].merge(parts[1]);
    parts[0].merge(parts[2]);
    CHECK(parts[1].size() == 0);
    CHECK(parts[0].size() == 200000);
    CHECK(parts[0].repeated(threads) == expected);
  }
}

TEST_CASE("two-pass: RepeatFinder finds repeats among values of one top byte, beyond a block, staged and merged",
          "[two-pass]") {
  // Every value in one of the 256 parts: each finder writes blocks of that
  // part to the spill file and stages the rest; the merge adds the other's
  // staged values, filling further blocks.
  const std::uint64_t top = std::uint64_t{0xAB} << 56;
  const std::size_t n = RepeatFinder::kBlock * 2 + 77;
  RepeatFinder a, b;
  std::vector<std::uint64_t> expected;
  for (std::size_t i = 0; i < n; ++i) {
    a.add(top | i);
    if (i % 5 == 0) {
      b.add(top | i);
      expected.push_back(top | i);
    } else {
      b.add(top | (i + n));
    }
  }
  b.add(top | (3 * n));
  b.add(top | (3 * n));
  expected.push_back(top | (3 * n));
  a.merge(b);
  CHECK(b.size() == 0);
  CHECK(a.size() == 2 * n + 2);
  CHECK(a.repeated(2) == expected);
}

TEST_CASE("two-pass: a RepeatSample finds every repeat while it keeps every value", "[two-pass]") {
  RepeatSample sample(1000);
  std::mt19937_64 rnd(5);
  std::vector<std::uint64_t> values;
  for (int i = 0; i < 1000; ++i) values.push_back(rnd() | 1);
  for (const std::uint64_t v : values) CHECK_FALSE(sample.seen_or_add(v));
  CHECK(sample.level() == 0);
  CHECK(sample.size() == 1000);
  for (const std::uint64_t v : values) CHECK(sample.seen_or_add(v));
}

TEST_CASE("two-pass: a RepeatSample past its capacity keeps a thinning sample, and reports only values seen before",
          "[two-pass]") {
  RepeatSample sample(1000);
  std::vector<std::uint64_t> values;
  std::set<std::uint64_t> distinct;
  std::mt19937_64 rnd(6);
  while (values.size() < 100000) {
    const std::uint64_t v = rnd() | 1;
    if (distinct.insert(v).second) values.push_back(v);
  }
  std::size_t reported = 0;
  for (const std::uint64_t v : values) reported += sample.seen_or_add(v) ? 1U : 0U;
  CHECK(reported == 0);  // each value once: never a repeat
  CHECK(sample.size() <= 1000);
  CHECK(sample.level() >= 6);  // 100,000 values in 1,000: about 2^-7 of them kept
  // The second time, exactly the values still in the sample are found: a
  // value kept at the last level was kept at every level before it.
  const std::size_t kept = sample.size();
  CHECK(kept > 0);
  for (const std::uint64_t v : values) reported += sample.seen_or_add(v) ? 1U : 0U;
  CHECK(reported == kept);
  CHECK(sample.size() == kept);
}

TEST_CASE("two-pass: a RepeatSample given a smaller capacity thins at once and still finds what it keeps",
          "[two-pass]") {
  RepeatSample sample(4000);
  std::mt19937_64 rnd(7);
  std::vector<std::uint64_t> values;
  for (int i = 0; i < 4000; ++i) values.push_back(rnd() | 1);
  for (const std::uint64_t v : values) CHECK_FALSE(sample.seen_or_add(v));
  REQUIRE(sample.level() == 0);
  sample.set_capacity(500);
  CHECK(sample.size() <= 500);
  CHECK(sample.level() >= 3);
  // The lowest level that keeps at most 500, counted by hand: a value is
  // kept at level L when its bits 40 to 40 + L - 1 are all zero.
  auto kept_at = [&](unsigned level) {
    return std::count_if(values.begin(), values.end(),
                         [&](std::uint64_t v) { return ((v >> 40) & ((std::uint64_t{1} << level) - 1)) == 0; });
  };
  unsigned lowest = 0;
  while (kept_at(lowest) > 500) ++lowest;
  CHECK(sample.level() == lowest);
  CHECK(sample.size() == static_cast<std::size_t>(kept_at(lowest)));
  const std::size_t kept = sample.size();
  std::size_t found = 0;
  for (const std::uint64_t v : values) found += sample.seen_or_add(v) ? 1U : 0U;
  CHECK(found == kept);
  // New values go on being sampled within the new capacity.
  for (int i = 0; i < 20000; ++i) CHECK_FALSE(sample.seen_or_add(rnd() | 1));
  CHECK(sample.size() <= 500);
}

TEST_CASE("two-pass: a RepeatSample of values alike in their high bits stays within its capacity", "[two-pass]") {
  // Small values: no level thins them, so the sample ends up keeping none.
  RepeatSample sample(100);
  for (std::uint64_t v = 1; v <= 1000; ++v) CHECK_FALSE(sample.seen_or_add(v * 2 + 1));
  CHECK(sample.size() <= 100);
  CHECK_FALSE(sample.seen_or_add(3));
}

TEST_CASE("two-pass: a RepeatFinder moved from is empty, and merging it changes nothing", "[two-pass]") {
  RepeatFinder a;
  for (std::uint64_t v : {5U, 7U, 5U}) a.add(v);
  RepeatFinder b(std::move(a));
  CHECK(a.size() == 0);  // NOLINT(bugprone-use-after-move): the moved-from state is what is tested
  RepeatFinder c;
  c.add(7);
  c.merge(a);
  c.merge(b);
  CHECK(c.size() == 4);
  CHECK(c.repeated() == std::vector<std::uint64_t>{5, 7});
}

TEST_CASE("two-pass: a large file read by 2 threads in many ranges gives every id once, each thread's on its own number",
          "[two-pass]") {
  // 24 MB: more ranges than threads, so each thread reads several, in turn.
  std::string csv = "id,note,when\n";
  std::map<std::string, int> expected;
  Lcg rnd{7};
  while (csv.size() < (std::size_t{24} << 20)) {
    const std::string id = std::to_string(rnd(400000));
    ++expected[id];
    csv += id + ",\"a note, with a comma\"," + std::string(20 + rnd(60), 'x') + "\n";
  }
  TempFile f("large-scan.csv", csv);
  for (std::size_t parts : {1U, 2U, 3U}) {
    std::mutex m;
    std::map<std::string, int> got;
    std::map<std::size_t, std::set<std::thread::id>> threads_of;
    const bool ok = scan_csv_ids(f.str(), ',', 0, 1, 1, parts, [&](std::size_t k, std::string_view id) {
      std::lock_guard lock(m);
      ++got[std::string(id)];
      threads_of[k].insert(std::this_thread::get_id());
    });
    INFO(fmt::format("{} threads", parts));
    CHECK(ok);
    CHECK(got == expected);
    CHECK(threads_of.size() <= parts);  // a thread that starts late may find every range taken
    for (const auto& [k, ids] : threads_of) {
      CHECK(k < parts);
      CHECK(ids.size() == 1);
    }
  }
}

TEST_CASE("two-pass: reading the ids first changes no lead, rejection or check", "[two-pass]") {
  for (unsigned seed : {1U, 2U, 3U}) {
    const std::size_t rows = 3000;
    TempFile leads(fmt::format("leads-{}.csv", seed), leads_csv(seed, rows));
    TempFile prospects(fmt::format("prospects-{}.csv", seed), prospects_csv(rows));
    for (auto policy : {DuplicatePolicy::First, DuplicatePolicy::Error}) {
      for (bool two_files : {false, true}) {
        INFO(fmt::format("seed {}, policy {}, two files {}", seed, static_cast<int>(policy), two_files));
        const auto o = options(policy);
        // From a path: a regular file, so the ids are read first.
        std::string first_read, every_id;
        try {
          first_read = account(load_dataset(leads.str(), two_files ? std::optional(prospects.str()) : std::nullopt, o));
        } catch (const InputError& e) {
          first_read = std::string("error: ") + e.what();
        }
        // From tables already read: every id is remembered.
        try {
          every_id = account(build_dataset(read_table(leads.str(), o.read),
                                           two_files ? std::optional(read_table(prospects.str(), o.read)) : std::nullopt,
                                           o));
        } catch (const InputError& e) {
          every_id = std::string("error: ") + e.what();
        }
        CHECK(first_read.find("duplicate") != std::string::npos);
        CHECK(first_read == every_id);
      }
    }
  }
}

namespace {

class Discard final : public LeadConsumer {
 public:
  void begin(const DatasetShape&) override {}
  void add(const Lead&) override {}
};

}  // namespace

TEST_CASE("two-pass: a file whose ids changed between the two reads is an error, not a silent miss", "[two-pass]") {
  const std::string before = "lead_id,created_at\n1,2026-01-01\n2,2026-01-02\n";
  const std::string after = before + "1,2026-01-03\n";  // a duplicate the first read did not see
  TempFile first("changed-before.csv", before);
  TempFile second("changed-after.csv", after);
  const auto o = options(DuplicatePolicy::First);
  Discard d;
  CHECK_THROWS_WITH(stream_leads(open_rows(second.str(), o.read), nullptr, o, d,
                                 [&] { return open_rows(first.str(), o.read); }),
                    Catch::Contains("changed while it was being read"));
}

TEST_CASE("two-pass: the quick id scan gives every id the full reader gives, at least as often", "[two-pass]") {
  // Pieces of messy CSV: quoted ids with doubled quotes and delimiters,
  // notes with line breaks and quotes before and after the id, blank lines,
  // CRLF, ragged rows, stray quotes.
  const std::vector<std::string> cells{"7",      " 8 ",    "\"9\"",          "\"1,0\"", "\"a\"\"b\"", "",
                                       "x\"y",   "\"n\nm\"", "\"p\"\"\nq\"", "\"open",  "11",        "\"12\" "};
  Lcg rnd{99};
  std::size_t read_quickly = 0;
  for (int c = 0; c < 1500; ++c) {
    const std::size_t id_col = rnd(3);
    std::string csv = "a,b,c\n";
    const std::size_t rows = 1 + rnd(12);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t k = 0; k < 3; ++k) {
        if (k) csv += ',';
        csv += (rnd(3) == 0) ? cells[rnd(cells.size())] : std::to_string(rnd(20));
      }
      csv += rnd(8) == 0 ? "\r\n" : rnd(15) == 0 ? "\n\n" : "\n";
    }
    TempFile f("scan.csv", csv);
    std::map<std::string, int> full, quick;
    const RawTable t = parse_table(csv, f.str(), ReadOptions{});
    for (const auto& row : t.rows) {
      const std::string id(trim(row.fields[id_col]));
      if (!id.empty()) ++full[id];
    }
    const bool ok = scan_csv_ids(f.str(), ',', id_col, t.header_end_line, 1, 1,
                                 [&](std::size_t, std::string_view id) { ++quick[std::string(id)]; });
    // The same file cut into ranges read at once gives the same values,
    // when the header is inside the first range; else values of its own
    // (the header's), never fewer.
    const std::size_t header_bytes = [&] {
      std::size_t at = 0;
      for (std::size_t line = 0; line < t.header_end_line && at != std::string::npos; ++line)
        at = csv.find('\n', at) + 1;
      return at;
    }();
    for (std::size_t parts : {2U, 3U, 7U}) {
      std::mutex m;
      std::map<std::string, int> cut;
      const bool cut_ok = scan_csv_ids(f.str(), ',', id_col, t.header_end_line, 1, parts,
                                       [&](std::size_t, std::string_view id) {
                                         std::lock_guard lock(m);
                                         ++cut[std::string(id)];
                                       });
      INFO(fmt::format("case {}, {} parts, file:\n{}", c, parts, printable(csv, 600)));
      if (header_bytes <= csv.size() / parts) {
        CHECK(cut_ok == ok);
        if (ok) CHECK(cut == quick);
      } else if (cut_ok) {
        for (const auto& [id, n] : full) CHECK(cut[id] >= n);
      }
    }
    if (!ok) continue;
    ++read_quickly;
    for (const auto& [id, n] : full) {
      INFO(fmt::format("case {}, id column {}, id '{}', file:\n{}", c, id_col, printable(id, 40), printable(csv, 600)));
      CHECK(quick[id] >= n);
    }
  }
  // Most files are read quickly; the rest went to the full reader.
  CHECK(read_quickly > 500);
}

TEST_CASE("two-pass: the quick id scan leaves unsure files to the full reader", "[two-pass]") {
  auto scan = [](const std::string& csv, std::size_t col) {
    TempFile f("unsure.csv", csv);
    return scan_csv_ids(f.str(), ',', col, 1, 1, 1, [](std::size_t, std::string_view) {});
  };
  CHECK(scan("id,notes\n1,\"a\nb\"\n2,x\n", 0));         // a line break in a quoted note after the id
  CHECK_FALSE(scan("notes,id\n\"a\nb\",1\n2,x\n", 1));   // ... before the id
  CHECK_FALSE(scan("id,notes\r1,x\r2,y\r", 0));          // CR line ends
  CHECK_FALSE(scan("id,notes\n1,x\r2,y\n", 0));          // a lone CR
  CHECK(scan("id,notes\r\n1,x\r\n2,y\r\n", 0));          // CRLF
  CHECK_FALSE(scan("id,notes\n\xC3\xA9t\xC3\xA9,x\n", 0));  // an id outside ASCII
  CHECK(scan("id,notes\n1,\xC3\xA9t\xC3\xA9\n", 0));       // other text outside ASCII
}

TEST_CASE("two-pass: prospects rows waiting for a date order still find their leads", "[two-pass]") {
  // The prospects dates never show a day above 12; the leads file proves
  // day-first. The prospects rows wait until the leads are read.
  TempFile leads("wait-leads.csv", "id,created_at\nL1,25/03/2026\nL2,04/03/2026\nL3,05/03/2026\n");
  TempFile prospects("wait-prospects.csv", "id,prospect_at\nL1,03/04/2026\nL2,04/04/2026\n");
  const auto o = options(DuplicatePolicy::First);
  const Dataset d = load_dataset(leads.str(), prospects.str(), o);
  CHECK(d.input.orphans == 0);
  CHECK(d.input.rows_rejected == 0);
  CHECK(account(d) == account(build_dataset(read_table(leads.str(), o.read), read_table(prospects.str(), o.read), o)));
}

TEST_CASE("two-pass: a prospects row whose date cannot be read is rejected for its date, not as an orphan",
          "[two-pass]") {
  // L1 occurs once in the leads file, so only the prospects file's naming
  // it makes the loader remember it; its one prospects row has a bad date.
  TempFile leads("bad-date-leads.csv", "id,created_at\nL1,2026-01-05\nL2,2026-01-06\nL2,2026-01-07\n");
  TempFile prospects("bad-date-prospects.csv", "id,prospect_at\nL1,not a date\nL2,2026-02-01\n");
  const auto o = options(DuplicatePolicy::First);
  const Dataset d = load_dataset(leads.str(), prospects.str(), o);
  CHECK(d.input.orphans == 0);
  REQUIRE(d.input.rejections.size() == 2);  // the bad date, and L2 read twice
  const auto bad = std::find_if(d.input.rejections.begin(), d.input.rejections.end(),
                                [](const Rejection& r) { return r.file.find("bad-date-prospects") != std::string::npos; });
  REQUIRE(bad != d.input.rejections.end());
  CHECK(bad->line == 2);
  CHECK(bad->reason.find("not a recognised date") != std::string::npos);
  CHECK(account(d) == account(build_dataset(read_table(leads.str(), o.read), read_table(prospects.str(), o.read), o)));
}

TEST_CASE("two-pass: lead rows waiting for a date order count as read the second time", "[two-pass]") {
  // NDJSON ids are read first by the full reader, which counts exactly; the
  // leads wait for the prospects file to prove the day/month order.
  TempFile leads("wait-leads.ndjson",
                 "{\"id\":\"L1\",\"created_at\":\"03/04/2026\"}\n{\"id\":\"L2\",\"created_at\":\"04/04/2026\"}\n");
  TempFile prospects("wait-prospects-2.csv", "id,prospect_at\nL1,25/04/2026\n");
  const auto o = options(DuplicatePolicy::First);
  Dataset d;
  REQUIRE_NOTHROW(d = load_dataset(leads.str(), prospects.str(), o));
  CHECK(d.input.rows_used == 3);
  // A UTF-8 byte order mark before the header of a CSV file.
  TempFile bom("wait-bom.csv", "\xEF\xBB\xBFid,created_at\nL1,03/04/2026\nL2,04/04/2026\n");
  REQUIRE_NOTHROW(d = load_dataset(bom.str(), prospects.str(), o));
  CHECK(d.input.rows_used == 3);
}

TEST_CASE("two-pass: the quick NDJSON id scan and the columns pass give every id the stream gives, at least as often", "[two-pass]") {
  const std::vector<std::string> ids{"\"7\"", "7", "\" 8 \"", "\"a\\\"b\"", "\"\\u0041\"", "12.50", "-0", "1e3",
                                     "true", "null", "\"\"", "[1,2]", "{\"x\":1}", "\"\\u00e9\""};
  Lcg rnd{5};
  std::size_t read_quickly = 0;
  std::size_t collected_early = 0;
  for (int c = 0; c < 800; ++c) {
    std::string text = rnd(10) == 0 ? "\xEF\xBB\xBF" : "";
    const std::size_t rows = 1 + rnd(10);
    for (std::size_t r = 0; r < rows; ++r) {
      const std::string id = rnd(3) == 0 ? ids[rnd(ids.size())] : std::to_string(rnd(15));
      switch (rnd(12)) {
        case 0: text += "\n"; break;                                                       // blank
        case 1: text += "{\"id\":" + id + ",\"id\":\"9\"}\n"; break;                       // a key twice
        case 2: text += "{\"id\":" + id + ",\"n\":1\n"; break;                             // broken
        case 3: text += "{\"n\":1}\r\n"; break;                                            // no id
        default: text += "{\"n\":\"x\",\"id\":" + id + ",\"z\":[1,{\"q\":2}]}\n"; break;  // a row
      }
    }
    TempFile f("scan.ndjson", text);
    ReadOptions o;
    auto stream = open_rows(f.str(), o);
    std::map<std::string, int> full, quick;
    RawTable t = drain(*stream);
    const auto col = std::find(t.columns.begin(), t.columns.end(), "id");
    if (col != t.columns.end())
      for (const auto& row : t.rows) {
        const std::string v(trim(row.fields[static_cast<std::size_t>(col - t.columns.begin())]));
        if (!v.empty()) ++full[v];
      }
    const bool ok =
        scan_ndjson_ids(f.str(), "id", o, [&](std::size_t, std::string_view v) { ++quick[std::string(v)]; });
    // Read in 2 to 4 ranges of a few bytes at once: the same values, and
    // unsure exactly when one range is.
    ReadOptions cut_o = o;
    cut_o.threads = 2 + rnd(3);
    cut_o.range_bytes = 1 + rnd(30);
    std::mutex m;
    std::map<std::string, int> cut;
    std::size_t most_k = 0;  // Catch's checks are for this thread only
    const bool cut_ok = scan_ndjson_ids(f.str(), "id", cut_o, [&](std::size_t k, std::string_view v) {
      std::lock_guard lock(m);
      most_k = std::max(most_k, k);
      ++cut[std::string(v)];
    });
    CHECK(most_k < cut_o.threads);
    CHECK(cut_ok == ok);
    // The columns pass of a stream told the id key collects the same ids,
    // when each range's first record names the key ("id" when it has it).
    ReadOptions with_key = cut_o;
    with_key.id_key = [](const std::vector<std::string>& keys) -> std::optional<std::string> {
      if (std::find(keys.begin(), keys.end(), "id") == keys.end()) return std::nullopt;
      return "id";
    };
    auto keyed = open_rows(f.str(), with_key);
    // Ids of another key are not there (unless there are no records at all).
    const auto other = keyed->first_ids("n");
    CHECK((!other || other->size() == 0));
    auto keyed_again = open_rows(f.str(), with_key);
    if (auto early = keyed_again->first_ids("id")) {
      ++collected_early;
      CHECK(ok);
      std::size_t total = 0;
      std::vector<std::uint64_t> repeated;
      for (const auto& [v, n] : quick) {
        total += static_cast<std::size_t>(n);
        if (n > 1) repeated.push_back(lead_id_hash(v));
      }
      std::sort(repeated.begin(), repeated.end());
      CHECK(early->size() == total);
      CHECK(early->repeated() == repeated);
      CHECK_FALSE(keyed_again->first_ids("id"));  // given once
    }
    if (!ok) continue;
    CHECK(cut == quick);
    ++read_quickly;
    for (const auto& [v, n] : full) {
      INFO(fmt::format("case {}, id '{}', file:\n{}", c, printable(v, 40), printable(text, 600)));
      CHECK(quick[v] >= n);
    }
  }
  CHECK(read_quickly > 100);
  CHECK(collected_early > 50);
}

TEST_CASE("two-pass: the NDJSON columns pass takes each record's id from its own key, in any key order",
          "[two-pass]") {
  // Runs of records share a key order (the pass reuses the last record's
  // place of the id), then the order changes, the id moves, a key goes
  // missing, or one record names the id twice (the reference reader decides).
  Lcg rnd{11};
  std::size_t compared = 0, unsure = 0;
  for (int c = 0; c < 400; ++c) {
    std::vector<std::string> keys{"id", "a", "b", "c"};
    std::string text;
    bool twice = false;
    std::map<std::string, int> expected;
    std::size_t total = 0;
    const std::size_t rows = 1 + rnd(30);
    for (std::size_t r = 0; r < rows; ++r) {
      if (rnd(4) == 0) std::swap(keys[rnd(keys.size())], keys[rnd(keys.size())]);
      std::vector<std::string> line = keys;
      const std::size_t change = rnd(12);
      if (change == 0) line.erase(std::find(line.begin(), line.end(), "id"));  // no id
      if (change == 1) {  // the id twice, in a record as long as the others
        twice = true;
        line[line[0] == "id" ? 1 : 0] = "id";
      }
      std::string record = "{";
      std::string first_id;
      for (std::size_t k = 0; k < line.size(); ++k) {
        // Values differ per key, so that a value read from the wrong key is
        // another id.
        const std::string value = line[k] == "id" ? std::to_string(rnd(8)) : line[k] + std::to_string(rnd(3));
        if (line[k] == "id" && first_id.empty()) first_id = value;
        record += fmt::format("{}\"{}\":\"{}\"", k == 0 ? "" : ",", line[k], value);
      }
      text += record + "}\n";
      if (!first_id.empty()) {
        ++expected[first_id];
        ++total;
      }
    }
    TempFile f("order.ndjson", text);
    ReadOptions o;
    o.threads = 1 + rnd(2);
    o.range_bytes = 1 + rnd(200);
    o.id_key = [](const std::vector<std::string>& k) -> std::optional<std::string> {
      if (std::find(k.begin(), k.end(), "id") == k.end()) return std::nullopt;
      return "id";
    };
    auto stream = open_rows(f.str(), o);
    REQUIRE(stream);
    auto found = stream->first_ids("id");
    INFO(fmt::format("case {}, file:\n{}", c, text));
    if (twice) {  // a record with the id twice: no ids from the first pass
      CHECK_FALSE(found);
      ++unsure;
      continue;
    }
    if (!found) continue;  // a range whose first record has no id key
    std::vector<std::uint64_t> repeated;
    for (const auto& [v, n] : expected)
      if (n > 1) repeated.push_back(lead_id_hash(v));
    std::sort(repeated.begin(), repeated.end());
    CHECK(found->size() == total);
    CHECK(found->repeated() == repeated);
    ++compared;
  }
  CHECK(compared > 100);
  CHECK(unsure > 50);
}

namespace {

/// `rows` leads with ids 1000000 + i, but row `repeat_at` repeats row 10's
/// id (none when 0) and row `bad_at` has an impossible date (none when 0).
std::string once_csv(std::size_t rows, std::size_t repeat_at, std::size_t bad_at) {
  std::string out = "lead_id,created_at,source\n";
  out.reserve(rows * 40);
  for (std::size_t i = 1; i <= rows; ++i) {
    const std::size_t id = 1000000 + (i == repeat_at ? 10 : i);
    out += fmt::format("{},{},Ads\n", id, i == bad_at ? "2025-02-30 10:00" : "2026-03-01 10:00");
  }
  return out;
}

/// The account of a load from the path (a CSV file is read once first, on
/// the bet that no id repeats), and of one from tables already read (every
/// id remembered), or their errors.
std::pair<std::string, std::string> both_loads(const std::string& path, const LoadOptions& o) {
  std::string once, every_id;
  try {
    once = account(load_dataset(path, std::nullopt, o));
  } catch (const Error& e) {
    once = std::string("error: ") + e.what();
  }
  try {
    every_id = account(build_dataset(read_table(path, o.read), std::nullopt, o));
  } catch (const Error& e) {
    every_id = std::string("error: ") + e.what();
  }
  return {once, every_id};
}

}  // namespace

TEST_CASE("two-pass: a CSV file read once finds an id repeated after the ids it checks at once, and starts over",
          "[two-pass]") {
  // 300,000 rows: more than the 262,144 ids checked for repeats as they
  // come; a repeat later than those is found at the end of the read.
  const std::size_t rows = 300000;
  TempFile late("late-repeat.csv", once_csv(rows, 299000, 0));
  TempFile clean("no-repeat.csv", once_csv(rows, 0, 0));
  TempFile early("early-repeat.csv", once_csv(rows, 50, 0));
  for (std::size_t threads : {1U, 2U}) {
    INFO("threads " << threads);
    auto o = options(DuplicatePolicy::First);
    o.threads = threads;
    {
      const auto [once, every_id] = both_loads(late.str(), o);
      CHECK(once.find("duplicate lead id \"1000010\" (first seen on line 11)") != std::string::npos);
      CHECK(once.find("rejected 1 duplicates 1") != std::string::npos);
      CHECK(once == every_id);
    }
    {
      const auto [once, every_id] = both_loads(early.str(), o);
      CHECK(once.find("rejected 1 duplicates 1") != std::string::npos);
      CHECK(once == every_id);
    }
    {
      const auto [once, every_id] = both_loads(clean.str(), o);
      CHECK(once.find("used 300000 rejected 0 duplicates 0") != std::string::npos);
      CHECK(once == every_id);
    }
    // --duplicates error stops at the late repeat, as a load with the ids first would.
    o.duplicates = DuplicatePolicy::Error;
    const auto [stopped, expected] = both_loads(late.str(), o);
    CHECK(stopped.find("error: ") == 0);
    CHECK(stopped.find(":299001: lead id \"1000010\" is also on line 11") != std::string::npos);
    CHECK(stopped == expected);
  }
}

TEST_CASE("two-pass: with --strict, a CSV file read once stops at its first problem, a late repeated id or a date",
          "[two-pass]") {
  const std::size_t rows = 300000;
  auto o = options(DuplicatePolicy::First);
  o.strict = true;
  // The repeat (line 290,001) comes before the bad date (line 295,001): the
  // load stops at the repeat, though the read once met the date first.
  TempFile repeat_first("strict-repeat-first.csv", once_csv(rows, 290000, 295000));
  auto [once, every_id] = both_loads(repeat_first.str(), o);
  CHECK(once.find("error: ") == 0);
  CHECK(once.find("duplicate lead id \"1000010\"") != std::string::npos);
  CHECK(once == every_id);
  // The bad date comes first: that is the error.
  TempFile date_first("strict-date-first.csv", once_csv(rows, 295000, 290000));
  std::tie(once, every_id) = both_loads(date_first.str(), o);
  CHECK(once.find("error: ") == 0);
  CHECK(once.find("2025-02-30") != std::string::npos);
  CHECK(once == every_id);
}

namespace {

const std::string kLateMql = R"(,"mql_at":"2026-03-02 10:00")";
const std::string kLateBadMql = R"(,"mql_at":"2026-02-30 10:00")";
const std::string kLateSecondId = R"(,"contact_id":"7")";  // a second id column: the mapping is ambiguous

/// `rows` NDJSON leads with ids 1000000 + i and the same three keys, but:
/// row `late_key_at` has a fourth key, `late`; row `repeat_at` repeats row
/// 10's id; row `bad_at` has a byte that is not UTF-8, row `bad_date_at` an
/// impossible creation date (none when 0); the first `no_id` rows have no id key.
std::string once_ndjson(std::size_t rows, std::size_t late_key_at, const std::string& late, std::size_t repeat_at,
                        std::size_t bad_at, std::size_t no_id = 0, std::size_t bad_date_at = 0) {
  std::string out;
  for (std::size_t i = 1; i <= rows; ++i) {
    const std::size_t id = 1000000 + (i == repeat_at ? 10 : i);
    out += "{";
    if (i > no_id) out += fmt::format(R"("lead_id":"{}",)", id);
    out += fmt::format(R"("created_at":"{}","source":"{}")", i == bad_date_at ? "2025-02-30 10:00" : "2026-03-01 10:00",
                       i == bad_at ? "Caf\xE9" : "Ads");
    if (i == late_key_at) out += late;
    out += "}\n";
  }
  return out;
}

}  // namespace

TEST_CASE("two-pass: an NDJSON file whose columns are guessed from its start loads as the whole file read at once, "
          "and starts over at a late key, a repeated id, a byte that is not UTF-8 or an error",
          "[two-pass]") {
  const std::size_t rows = 3000;  // about 190 KB, read on a guess from the first 4 KB
  struct Case {
    std::string name;
    std::string bytes;
    std::string expect;  // in the account of both loads
  };
  const std::vector<Case> cases = {
      {"clean", once_ndjson(rows, 0, "", 0, 0), "used 3000 rejected 0 duplicates 0"},
      {"late-key", once_ndjson(rows, 2500, kLateMql, 0, 0), "lead 1002500 line 2500 stages 2"},
      {"late-impossible-date", once_ndjson(rows, 2500, kLateBadMql, 0, 0), "rejected 1 duplicates 0"},
      {"late-repeat", once_ndjson(rows, 0, "", 2000, 0), "rejected 1 duplicates 1"},
      {"late-not-utf8", once_ndjson(rows, 0, "", 0, 2200), "used 3000 rejected 0"},
      {"id-key-late", once_ndjson(rows, 0, "", 0, 0, 100), "used 2900 rejected 100"},
      {"late-second-id", once_ndjson(rows, 2500, kLateSecondId, 0, 0), "used 0 rejected 3000"},
  };
  for (const Case& c : cases) {
    TempFile file(c.name + ".ndjson", c.bytes);
    for (DuplicatePolicy policy : {DuplicatePolicy::First, DuplicatePolicy::Last})
      for (std::size_t threads : {1U, 2U}) {
        INFO(c.name << ", " << threads << " threads, --duplicates " << (policy == DuplicatePolicy::Last ? "last" : "first"));
        auto o = options(policy);
        o.threads = threads;
        o.read.guess_bytes = 4096;
        ReadOptions guess = o.read;
        guess.guess_columns = true;
        CHECK(open_rows(file.str(), guess)->guessed_columns());
        const auto [guessed, whole] = both_loads(file.str(), o);
        CHECK(guessed.find(c.expect) != std::string::npos);
        CHECK(guessed == whole);
      }
  }
  // --strict stops at the first problem, the one the exact read stops at:
  // a repeated id before a bad date; but no row, when a late key makes the
  // mapping fail (the guess met the bad date first).
  auto o = options(DuplicatePolicy::First);
  o.strict = true;
  o.read.guess_bytes = 4096;
  TempFile strict("strict-late.ndjson", once_ndjson(rows, 2500, kLateBadMql, 2000, 0));
  auto [guessed, whole] = both_loads(strict.str(), o);
  CHECK(guessed.find("error: ") == 0);
  CHECK(guessed.find("duplicate lead id \"1000010\"") != std::string::npos);
  CHECK(guessed == whole);
  TempFile mapping("strict-mapping.ndjson", once_ndjson(rows, 2500, kLateSecondId, 0, 0, 0, 100));
  std::tie(guessed, whole) = both_loads(mapping.str(), o);
  CHECK(guessed.find("error: ") == 0);
  CHECK(guessed.find("contact_id") != std::string::npos);
  CHECK(guessed == whole);
}
