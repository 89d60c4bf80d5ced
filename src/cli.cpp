// The top-level command line: subcommands, the shared input options, and the
// one place where errors become messages and exit statuses.
#include "leadfunnel/cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include <atomic>
#include <cctype>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <unistd.h>

#include "leadfunnel/commands.hpp"
#include "leadfunnel/error.hpp"

namespace leadfunnel {

namespace {

/// The temporary file `-o` is writing, for the signal handler to remove;
/// the handler reads it only while g_partial_ready is set.
char g_partial_output[4096] = {0};
volatile std::sig_atomic_t g_partial_ready = 0;

constexpr const char* kExitCodes =
    "Exit status:\n"
    "  0   report produced and clean\n"
    "  1   report produced, and a target was missed (only with --fail-on-breach)\n"
    "  64  usage error (bad option, unknown column or field)\n"
    "  65  data error: more rows rejected than --max-rejected allows (the report is\n"
    "      still printed), or --strict stopped at the first rejected row\n"
    "  66  input file missing or unreadable\n"
    "  70  internal error (please report it)\n"
    "  73  cannot create the output file\n"
    "  74  I/O error\n"
    "  78  bad agreement file (--config)\n"
    "  130 interrupted (Ctrl-C); 143 terminated: -o FILE is left as it was\n"
    "A closed output pipe (| head) is not an error.";

}  // namespace

void setup_input(CLI::App& app, InputOptions& o) {
  app.add_option("LEADS", o.leads, "Leads file: CSV (delimiter sniffed), JSON array or NDJSON; - reads stdin")
      ->required()
      ->type_name("FILE");
  app.add_option("--prospects", o.prospects,
                 "Second file (prospects, deals, opportunities) joined to the leads by lead id; each row makes its "
                 "lead a prospect, dated by the row's prospect_at, else its created_at, else a later stage's date")
      ->type_name("FILE");
  app.add_option("--map", o.map,
                 "Read this canonical field from that column (repeatable; overrides auto-detection and the "
                 "agreement). It applies to whichever file has the column, so --map id=lead_id binds the id in "
                 "both files. Fields: id, created_at, mql_at, handoff_at, first_touch_at, prospect_at, "
                 "opportunity_at, won_at, lost_at, source, campaign, owner, status")
      ->type_name("FIELD=COLUMN");
  app.add_option("--config", o.config, "Agreement file (JSON with comments): column mapping, stage rules, timezone, window; see docs/agreement.md")
      ->type_name("FILE");
  app.add_option("--tz", o.tz, "IANA time zone for naive timestamps and period boundaries (default: agreement, else UTC)")
      ->type_name("ZONE");
  app.add_option("--as-of", o.as_of,
                 "The moment the report describes (default: now). Naive values are in --tz; a date alone is its "
                 "start of day")
      ->type_name("TIMESTAMP");
  app.add_option("--delimiter", o.delimiter, "CSV delimiter, instead of sniffing: , ; tab |")->type_name("CHAR");
  app.add_option("--preset", o.preset,
                 "CRM preset instead of recognising it from the headers: hubspot, salesforce, pipedrive, rdstation, "
                 "zoho, or none")
      ->type_name("NAME");
  app.add_option("--duplicates", o.duplicates,
                 "A lead id seen twice: keep the first row (default), the last row, or stop with an error")
      ->check(CLI::IsMember({"first", "last", "error"}))
      ->type_name("first|last|error");
  app.add_flag("--fold-case", o.fold_case,
               "Merge source, campaign, owner and column values that differ only by case or spaces (Google vs google)");
  app.add_option("--encoding", o.encoding,
                 "Text encoding, instead of detecting it: utf-8, utf-16le, utf-16be, windows-1252")
      ->check(CLI::IsMember({"utf-8", "utf-16le", "utf-16be", "windows-1252"}))
      ->type_name("NAME");
  app.add_option("--date-order", o.date_order,
                 "Order of day and month in locale dates such as 03/04/2026, when the data cannot tell: dmy, mdy or "
                 "ymd (also an agreement key)")
      ->check(CLI::IsMember({"dmy", "mdy", "ymd"}))
      ->type_name("ORDER");
  app.add_option("--format", o.format, "Output format: table (default), json, csv, markdown")
      ->check(CLI::IsMember({"table", "json", "csv", "markdown"}))
      ->type_name("FORMAT");
  app.add_option("-o,--output", o.output, "Write the report to FILE (atomically) instead of stdout")->type_name("FILE");
  app.add_flag("--strict", o.strict, "Stop with exit 65 at the first rejected row");
  app.add_option("--max-rejected", o.max_rejected,
                 "Rejected rows tolerated before the exit status is 65: a count N or a share N% of rows read "
                 "(default 0)")
      ->type_name("N|N%");
  app.add_option("--threads", o.threads,
                 "Threads to read with (default: the number of cores). Threads take turns reading batches of rows and "
                 "parse them in parallel; the report is the same for any number")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{0}, std::size_t{256}));
  app.add_option("--max-listed", o.max_listed,
                 "List at most N leads per list in the report (data-quality issues, SLA breaches and pending leads; "
                 "worst first); all are counted. 0 lists every one. Default 1000")
      ->type_name("N");
  app.add_option("--max-field-bytes", o.max_field_bytes,
                 "Longest field accepted (default 1M); a longer one rejects its record, so a stray quote in a huge "
                 "file cannot take all memory. Suffixes K, M, G")
      ->type_name("BYTES");
}

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, Instant now) {
  CLI::App app{
      "leadfunnel: the shared lead -> prospect conversion rate, the whole funnel, and the service agreement at\n"
      "the hand-off, from the files a CRM exports. Run `leadfunnel report --help` for the main job."};
  app.name("leadfunnel");
  app.set_version_flag("--version", std::string("leadfunnel ") + LEADFUNNEL_VERSION);
  app.require_subcommand(1);
  app.footer(kExitCodes);

  ReportOptions report_options;
  CLI::App* report = app.add_subcommand(
      "report",
      "Compute lead -> prospect conversion (cohort basis, 95% Wilson intervals), the funnel with step and cumulative "
      "rates, breakdowns, time to convert, data quality and, with an agreement (--config), its SLA targets. Reads "
      "the files in blocks and keeps counters rather than leads; every row is either used or listed as rejected. "
      "Definitions: docs/metrics.md.");
  setup_report(*report, report_options);
  report->footer(std::string(
                     "Examples:\n"
                     "  leadfunnel report contacts.csv --by source --by month\n"
                     "  leadfunnel report leads.csv --prospects deals.csv --map id=lead_id --format json | jq .conversion\n"
                     "  leadfunnel report contacts.csv --config agreement.json --from 2026-01-01 --to 2026-07-01 "
                     "--window 90d\n\n") +
                 kExitCodes);

  InputOptions validate_options;
  CLI::App* validate = app.add_subcommand(
      "validate",
      "Load and check the input without computing metrics: the mapping found, the dialect sniffed, every rejected "
      "row. With --format json it prints the report's input section.");
  setup_validate(*validate, validate_options);
  validate->footer(kExitCodes);
  InitOptions init_options;
  CLI::App* init = app.add_subcommand(
      "init",
      "Write a commented starter agreement (column mapping, a calendar, example targets) to stdout or -o FILE. "
      "Given an export, the column mapping is filled from its headers where leadfunnel can tell.");
  setup_init(*init, init_options);
  for (CLI::App* sub : {report, validate, init})
    sub->set_version_flag("--version", std::string("leadfunnel ") + LEADFUNNEL_VERSION);

  std::vector<std::string> argv_store{"leadfunnel"};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<const char*> argv;
  for (const auto& a : argv_store) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    if (code == 0) return 0;
    err << "Run 'leadfunnel --help' or 'leadfunnel report --help' for usage.\n";
    return static_cast<int>(ExitCode::Usage);
  }

  const RunContext ctx{out, err, now};
  try {
    if (report->parsed()) return run_report(report_options, ctx);
    if (init->parsed()) return run_init(init_options, ctx);
    return run_validate(validate_options, ctx);
  } catch (const Error& e) {
    err << "leadfunnel: error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    err << "leadfunnel: error: out of memory\n";
    return static_cast<int>(ExitCode::Internal);
  } catch (const std::exception& e) {
    err << "leadfunnel: error: internal error: " << e.what() << "; please report this with the command you ran\n";
    return static_cast<int>(ExitCode::Internal);
  }
}

ResolvedInput resolve_input(const InputOptions& o, Instant now) {
  ResolvedInput r;
  if (o.config) r.load.agreement = load_agreement(*o.config);
  r.tz_name = o.tz ? *o.tz : (r.load.agreement && r.load.agreement->timezone ? *r.load.agreement->timezone : "UTC");
  r.zone = find_zone(r.tz_name);
  if (!r.zone)
    throw UsageError(fmt::format("--tz {}: unknown time zone; use an IANA name such as America/New_York, "
                                 "Europe/Berlin or UTC",
                                 r.tz_name));
  r.load.zone = r.zone;
  if (r.load.agreement)
    for (auto& cal : r.load.agreement->calendars)
      if (!cal.always && !cal.zone) cal.zone = r.zone;
  r.load.map = o.map;
  r.load.strict = o.strict;
  if (o.delimiter) {
    const std::string& d = *o.delimiter;
    if (d == "tab" || d == "\\t" || d == "\t") r.load.read.delimiter = '\t';
    else if (d == "comma") r.load.read.delimiter = ',';
    else if (d == "semicolon") r.load.read.delimiter = ';';
    else if (d == "pipe") r.load.read.delimiter = '|';
    else if (d.size() == 1 && d != "\"" && d != "\n" && d != "\r") r.load.read.delimiter = d[0];
    else throw UsageError(fmt::format("--delimiter {}: give one character, or tab/comma/semicolon/pipe", d));
  }
  if (o.date_order) r.load.date_order = date_order_from_name(*o.date_order);
  r.load.read.encoding = o.encoding;
  r.load.preset = o.preset;
  r.load.duplicates = o.duplicates == "last" ? DuplicatePolicy::Last
                      : o.duplicates == "error" ? DuplicatePolicy::Error
                                                : DuplicatePolicy::First;
  r.load.fold_case = o.fold_case;
  r.as_of = now;
  if (o.as_of) {
    auto t = parse_timestamp(*o.as_of, *r.zone);
    if (!t.value) throw UsageError(fmt::format("--as-of {}: {}", *o.as_of, t.error));
    r.as_of = t.value->at;
  }
  parse_max_rejected(o.max_rejected);  // a bad value is a usage error before any work
  r.load.read.max_field_bytes = parse_byte_size(o.max_field_bytes, "--max-field-bytes");
  r.load.threads = o.threads != 0 ? o.threads : std::max<std::size_t>(1, std::thread::hardware_concurrency());
  r.max_listed = o.max_listed;
  if (o.format == "json") r.format = Format::Json;
  else if (o.format == "csv") r.format = Format::Csv;
  else if (o.format == "markdown") r.format = Format::Markdown;
  else r.format = Format::Table;
  return r;
}

void write_output(const std::string& text, const std::optional<std::string>& output, std::ostream& out) {
  write_output([&text](std::ostream& o) { o << text; }, output, out);
}

void write_output(const std::function<void(std::ostream&)>& write, const std::optional<std::string>& output,
                  std::ostream& out) {
  if (!output || *output == "-") {
    write(out);
    out.flush();
    return;
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  // Write through symlinks, and straight into anything that is not a regular
  // file (a pipe, /dev/stdout): only regular files are replaced atomically.
  fs::path target = fs::weakly_canonical(fs::path(*output), ec);
  if (ec) target = fs::path(*output);
  const auto status = fs::status(target, ec);
  if (!ec && fs::exists(status) && !fs::is_regular_file(status)) {
    if (fs::is_directory(status))
      throw Error(ExitCode::CantCreate, fmt::format("{}: is a directory; give a file name", *output));
    std::ofstream f(target, std::ios::binary);
    if (!f) throw Error(ExitCode::CantCreate, fmt::format("{}: cannot open for writing", *output));
    write(f);
    f.flush();
    if (!f) throw Error(ExitCode::Io, fmt::format("{}: write failed", *output));
    return;
  }
  // Write next to the target and rename, so a reader never sees half a report.
  const fs::path tmp =
      target.parent_path() / fmt::format(".{}.tmp-{}", target.filename().string(), static_cast<long>(::getpid()));
  const std::string tmp_text = tmp.string();
  if (tmp_text.size() < sizeof g_partial_output) {
    g_partial_ready = 0;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    std::copy(tmp_text.begin(), tmp_text.end(), g_partial_output);
    g_partial_output[tmp_text.size()] = '\0';
    std::atomic_signal_fence(std::memory_order_seq_cst);
    g_partial_ready = 1;
  }
  struct Forget {
    ~Forget() { g_partial_ready = 0; }
  } forget;
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f)
      throw Error(ExitCode::CantCreate,
                  fmt::format("{}: cannot create the output file; check the folder exists and is writable", *output));
    try {
      write(f);
    } catch (...) {
      // The report could not be made: no half of it is left behind.
      f.close();
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw;
    }
    f.flush();
    if (!f) {
      fs::remove(tmp, ec);
      throw Error(ExitCode::Io, fmt::format("{}: write failed (disk full?)", *output));
    }
  }
  g_partial_ready = 0;  // from here on the file is the report, or gone
  fs::rename(tmp, target, ec);
  if (ec) {
    const std::string why = ec.message();
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw Error(ExitCode::CantCreate, fmt::format("{}: cannot replace the output file: {}", *output, why));
  }
}

void remove_partial_output() noexcept {
  if (g_partial_ready) ::unlink(g_partial_output);
}

RejectLimit parse_max_rejected(const std::string& max_rejected) {
  RejectLimit r;
  std::string spec = max_rejected;
  if (!spec.empty() && spec.back() == '%') {
    r.percent = true;
    spec.pop_back();
  }
  bool ok = !spec.empty() && spec.find_first_not_of("0123456789.") == std::string::npos;
  if (ok) {
    try {
      std::size_t used = 0;
      r.limit = std::stod(spec, &used);
      ok = used == spec.size() && std::isfinite(r.limit) && r.limit >= 0 && (!r.percent || r.limit <= 100);
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok) throw UsageError(fmt::format("--max-rejected {}: give a count like 10 or a share like 0.5%", max_rejected));
  return r;
}

std::size_t parse_byte_size(const std::string& text, const std::string& option) {
  std::string digits = text;
  std::size_t scale = 1;
  if (!digits.empty()) {
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(digits.back())));
    if (unit == 'K' || unit == 'M' || unit == 'G') {
      scale = unit == 'K' ? std::size_t{1} << 10 : unit == 'M' ? std::size_t{1} << 20 : std::size_t{1} << 30;
      digits.pop_back();
    }
  }
  const bool ok = !digits.empty() && digits.size() <= 12 && digits.find_first_not_of("0123456789") == std::string::npos;
  const std::size_t n = ok ? static_cast<std::size_t>(std::stoull(digits)) : 0;
  if (!ok || n == 0 || n > (std::size_t{1} << 40) / scale)
    throw UsageError(fmt::format("{} {}: give a positive byte count such as 65536, 512K or 4M", option, text));
  return n * scale;
}

int rejection_status(const InputSummary& input, const std::string& max_rejected, std::ostream& err) {
  const auto [limit, percent] = parse_max_rejected(max_rejected);
  const double allowed = percent ? limit / 100.0 * static_cast<double>(input.rows_read) : limit;
  if (!input.file_errors.empty()) {
    for (const auto& e : input.file_errors) err << fmt::format("leadfunnel: error: {}\n", e.message);
    return static_cast<int>(ExitCode::Data);
  }
  if (static_cast<double>(input.rows_rejected) <= allowed) return 0;
  err << fmt::format("leadfunnel: warning: {} of {} rows were rejected, more than --max-rejected {} allows; see the "
                     "rejections in the report\n",
                     input.rows_rejected, input.rows_read, max_rejected);
  return static_cast<int>(ExitCode::Data);
}

}  // namespace leadfunnel
