// fuzz_load: the whole `leadfunnel report --format json` path on one leads
// file: bytes -> parse_table("leads.csv") -> build_dataset -> compute_funnel
// and evaluate_sla (as of 2026-06-01T00:00:00Z) -> render_json, and the other
// renderers.
//
// Input: the first byte chooses options, the rest is the leads file (CSV, or
// JSON when it starts with [ or {):
//   bit 0     --strict
//   bits 1-2  --duplicates first | last | error | first
//   bit 3     --fold-case
//   bit 4     --by source --by month (a usage error when not mapped)
//   bit 5     --window 90d
//   bit 6     --tz America/New_York instead of UTC
//   bit 7     a built-in agreement with a business-hours calendar and clock,
//             volume and rate targets (no column mapping)
//
// Invariants (any failure aborts):
//  - only documented leadfunnel::Error subclasses are thrown (not Internal);
//  - input.rows_read == rows_used + rows_rejected, in total and per file, and
//    the totals are the sums over the files;
//  - every row rejected is accounted for: per file, the rejections naming
//    that file plus input.rejections_unlisted (those over the listing limit)
//    are exactly rows_rejected, and each listed one has that file's name and
//    a line in 1..physical lines of the input; file errors name the file;
//  - the JSON report parses, and its input counts are the ones computed;
//  - every renderer returns text ending in a newline.
#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fuzz_common.hpp"
#include "leadfunnel/agreement.hpp"
#include "leadfunnel/funnel.hpp"
#include "leadfunnel/input.hpp"
#include "leadfunnel/load.hpp"
#include "leadfunnel/report.hpp"
#include "leadfunnel/sla.hpp"

using namespace leadfunnel;

namespace {

const std::string kPath = "leads.csv";

constexpr const char* kAgreement = R"({
  // No "columns": the leads file's own headers decide the mapping.
  "calendars": {
    "office": { "timezone": "America/New_York",
                "hours": { "mon-fri": ["09:00-12:00", "13:00-18:00"], "sat": "10:00-14:00" },
                "holidays": ["2026-01-01", "2026-05-25", "2026-12-25"] },
    "always": "24x7"
  },
  "targets": [
    { "name": "Sales response", "owner": "sales", "type": "clock", "from": "handoff", "to": "first_touch",
      "within": "4h", "calendar": "office", "target": "90%" },
    { "name": "Speed to lead", "owner": "sales", "from": "created", "to": "first_touch", "within": "1d",
      "target": 0.8 },
    { "name": "MQL volume", "owner": "marketing", "type": "volume", "stage": "mql", "at_least": 15, "per": "month" },
    { "name": "Leads weekly", "owner": "marketing", "type": "volume", "stage": "lead", "at_least": 2, "per": "week" },
    { "name": "Lead to prospect", "owner": "shared", "type": "rate", "from": "lead", "to": "prospect",
      "at_least": "20%", "window": "90d" }
  ]
})";

const Agreement& agreement() {
  static const Agreement a = parse_agreement(kAgreement, "fuzz-agreement.json");
  return a;
}

const date::time_zone* zone(const char* name) {
  const date::time_zone* z = find_zone(name);
  if (!z) {
    std::fprintf(stderr, "fuzz_load: zone %s not found; install tzdata\n", name);
    std::abort();
  }
  return z;
}

Instant as_of() {
  using namespace date;
  return Instant{sys_days{2026_y / June / 1}};
}

void check_input(const InputSummary& in, std::size_t lines) {
  FUZZ_CHECK(in.files.size() == 1, "one file read, " + std::to_string(in.files.size()) + " summarised");
  std::size_t read = 0, used = 0, rejected = 0;
  for (const auto& f : in.files) {
    FUZZ_CHECK(f.rows_read == f.rows_used + f.rows_rejected,
               f.path + ": rows_read " + std::to_string(f.rows_read) + " != used " + std::to_string(f.rows_used) +
                   " + rejected " + std::to_string(f.rows_rejected));
    FUZZ_CHECK(f.rows_used <= f.rows_read, f.path + ": more rows used than read");
    std::size_t listed = 0;
    for (const auto& r : in.rejections)
      if (r.file == f.path) ++listed;
    // One file: every rejection not listed (over the listing limit) is counted in rejections_unlisted.
    FUZZ_CHECK(listed + in.rejections_unlisted == f.rows_rejected,
               f.path + ": " + std::to_string(f.rows_rejected) + " rows rejected but " + std::to_string(listed) +
                   " listed and " + std::to_string(in.rejections_unlisted) + " unlisted");
    read += f.rows_read;
    used += f.rows_used;
    rejected += f.rows_rejected;
  }
  FUZZ_CHECK(in.rows_read == in.rows_used + in.rows_rejected, "total rows_read != rows_used + rows_rejected");
  FUZZ_CHECK(in.rows_read == read && in.rows_used == used && in.rows_rejected == rejected,
             "totals are not the sums over the files");
  for (const auto& e : in.file_errors)
    FUZZ_CHECK(e.file == kPath && !e.message.empty(), "a file error names '" + e.file + "' or has no message");
  for (const auto& r : in.rejections) {
    FUZZ_CHECK(!r.file.empty(), "a rejection without a file (line " + std::to_string(r.line) + ")");
    FUZZ_CHECK(r.file == kPath, "a rejection names file '" + r.file + "'");
    FUZZ_CHECK(r.line >= 1 && r.line <= lines, "rejection line " + std::to_string(r.line) + " outside 1.." +
                                                   std::to_string(lines) + ": " + fuzz::shown(r.reason));
    FUZZ_CHECK(!r.reason.empty(), "a rejection without a reason");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  agreement();  // parse it once, and fail early if the built-in text is wrong
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::uint8_t control = data[0];
  const std::string_view bytes = fuzz::as_view(data + 1, size - 1);
  const std::size_t lines = fuzz::physical_lines(bytes);

  LoadOptions load;
  load.zone = zone((control & 0x40) ? "America/New_York" : "UTC");
  load.strict = control & 0x01;
  switch ((control >> 1) & 3) {
    case 1: load.duplicates = DuplicatePolicy::Last; break;
    case 2: load.duplicates = DuplicatePolicy::Error; break;
    default: load.duplicates = DuplicatePolicy::First; break;
  }
  load.fold_case = control & 0x08;
  if (control & 0x10) load.by = {"source", "month"};
  if (control & 0x80) load.agreement = agreement();

  FunnelOptions f;
  f.as_of = as_of();
  f.zone = load.zone;
  if (control & 0x20) f.window = Millis{std::chrono::hours{24 * 90}};

  try {
    RawTable table = parse_table(bytes, kPath, load.read);
    fuzz::check_table(table, kPath, lines, load.read.max_field_bytes);
    const Dataset data = build_dataset(std::move(table), std::nullopt, load);
    check_input(data.input, lines);
    FUZZ_CHECK(data.leads.size() == data.input.rows_used, "leads != rows used");
    if (f.window && !data.has_field[static_cast<std::size_t>(Field::CreatedAt)]) return 0;  // a usage error in run_report

    Report report;
    report.meta.command = "report";
    report.meta.as_of = format_utc(f.as_of);
    report.meta.tz = load.zone->name();
    if (f.window) report.meta.window = format_duration(*f.window);
    report.input = data.input;
    report.funnel = compute_funnel(data, f);
    report.sla = evaluate_sla(data, load.agreement ? *load.agreement : Agreement{}, f);

    const std::string text = render_json(report);
    const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    FUZZ_CHECK(!j.is_discarded(), "render_json output does not parse: " + fuzz::shown(text, 400));
    FUZZ_CHECK(j.is_object() && j.contains("input") && j["input"].is_object(), "no input section in the JSON");
    const auto& in = j["input"];
    FUZZ_CHECK(in.value("rows_read", std::size_t{0}) == data.input.rows_read &&
                   in.value("rows_used", std::size_t{0}) == data.input.rows_used &&
                   in.value("rows_rejected", std::size_t{0}) == data.input.rows_rejected,
               "the JSON input counts differ from the computed ones");
    FUZZ_CHECK(in.contains("rejections") && in["rejections"].is_array() &&
                   in["rejections"].size() == data.input.rejections.size(),
               "the JSON lists another number of rejections");
    FUZZ_CHECK(!text.empty() && text.back() == '\n', "render_json does not end in a newline");
    for (Format fmt : {Format::Table, Format::Csv, Format::Markdown}) {
      const std::string other = render(report, fmt);
      FUZZ_CHECK(!other.empty() && other.back() == '\n',
                 "renderer " + std::to_string(static_cast<int>(fmt)) + " does not end in a newline");
    }
  } catch (const Error& e) {
    fuzz::documented_error(e);
  }
  return 0;
}
