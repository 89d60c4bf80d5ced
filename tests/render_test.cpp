// Tests of the renderers on a small Report filled in by hand. Renderers only
// lay out what they are given, so the numbers here need not be consistent
// with each other; they are chosen to be easy to spot in the output.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "leadfunnel/report.hpp"

namespace leadfunnel {
namespace {

using ojson = nlohmann::ordered_json;

Rate rate(std::size_t k, std::size_t n, std::optional<double> value, std::optional<Interval> ci) {
  Rate r;
  r.numerator = k;
  r.denominator = n;
  r.value = value;
  r.ci95 = ci;
  return r;
}

Report sample_report() {
  Report r;
  r.meta.command = "report";
  r.meta.as_of = "2024-06-01T00:00:00Z";
  r.meta.tz = "UTC";

  FileSummary f;
  f.role = "leads";
  f.path = "leads.csv";
  f.format = "csv";
  f.delimiter = ',';
  f.line_ending = "LF";
  f.columns = {"id", "Create Date", "source"};
  f.mapping = {{Field::Id, "id", MappingOrigin::Auto},
               {Field::CreatedAt, "Create Date", MappingOrigin::CommandLine},
               {Field::Source, "source", MappingOrigin::Auto}};
  f.rows_read = 12;
  f.rows_used = 10;
  f.rows_rejected = 2;
  r.input.files = {f};
  r.input.rows_read = 12;
  r.input.rows_used = 10;
  r.input.rows_rejected = 2;
  r.input.rejections = {
      Rejection{"leads.csv", 7, "Create Date", "'2024-02-30' is not a real calendar date for created_at"},
      Rejection{"leads.csv", 9, "", "row has 4 fields, \"x\" is extra"},
  };

  FunnelResult fr;
  fr.cohort.leads_loaded = 10;
  fr.cohort.leads = 10;
  // 3 of 10 with the Wilson interval worked out in funnel_test: [0.107791, 0.603222].
  fr.conversion = rate(3, 10, 0.3, Interval{0.107791, 0.603222});
  const std::size_t reached[] = {10, 6, 4, 3, 0, 0};
  for (std::size_t s = 0; s < kStageCount; ++s) {
    StageCount c;
    c.stage = static_cast<Stage>(s);
    c.reached = reached[s];
    c.observable = s != 2;  // handoff has no column
    c.cumulative = rate(reached[s], 10, static_cast<double>(reached[s]) / 10.0, Interval{0.0, 1.0});
    if (s > 0) {
      // won: 0 of 0 opportunities -> undefined
      const std::size_t prev = reached[s - 1];
      c.step = prev == 0 ? rate(0, 0, std::nullopt, std::nullopt)
                         : rate(reached[s], prev, static_cast<double>(reached[s]) / static_cast<double>(prev),
                                Interval{0.0, 1.0});
    }
    fr.stages.push_back(c);
  }
  Breakdown b;
  b.key.name = "source";
  b.key.kind = ByKey::Kind::Field;
  Segment web;
  web.key = "web";
  web.leads = 6;
  web.prospects = 2;
  web.rate = rate(2, 6, 2.0 / 6.0, Interval{0.1, 0.7});
  Segment blank;
  blank.leads = 4;
  blank.prospects = 1;
  blank.rate = rate(1, 4, 0.25, Interval{0.05, 0.7});
  b.segments = {web, blank};
  fr.breakdowns = {b};
  fr.time_to_convert.n = 3;
  fr.time_to_convert.median_hours = 25.0;
  fr.time_to_convert.p90_hours = 37.0;
  fr.quality.events_before_creation = 1;
  fr.quality.issues = {QualityIssue{"L7", 8, "before_creation", "prospect_at is before created_at"}};
  r.funnel = fr;
  return r;
}

std::vector<std::string> split(const std::string& text, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    const auto next = text.find(sep, pos);
    if (next == std::string::npos) {
      out.push_back(text.substr(pos));
      return out;
    }
    out.push_back(text.substr(pos, next - pos));
    pos = next + sep.size();
  }
}

bool has_line(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("render: JSON starts with the run's identity and keeps undefined numbers as null", "[render]") {
  const std::string text = render(sample_report(), Format::Json);
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  const ojson j = ojson::parse(text);

  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  REQUIRE(keys.size() >= 5);
  CHECK(keys[0] == "schema_version");
  CHECK(keys[1] == "tool");
  CHECK(keys[2] == "command");
  CHECK(keys[3] == "as_of");
  CHECK(keys[4] == "tz");

  CHECK(j["schema_version"] == "1.2");
  CHECK(j["tool"]["name"] == "leadfunnel");
  CHECK(j["tool"]["version"] == LEADFUNNEL_VERSION);
  CHECK(j["command"] == "report");
  CHECK(j["as_of"] == "2024-06-01T00:00:00Z");
  CHECK(j["tz"] == "UTC");
  CHECK(j["window"].is_null());
  CHECK(j["from"].is_null());

  CHECK(j["conversion"]["leads"] == 10);
  CHECK(j["conversion"]["prospects"] == 3);
  CHECK(j["conversion"]["rate"].get<double>() == Approx(0.3));
  CHECK(j["conversion"]["ci95"][0].get<double>() == Approx(0.107791));
  CHECK(j["conversion"]["ci95"][1].get<double>() == Approx(0.603222));
  CHECK(j["conversion"]["mature"].is_null());  // no window

  REQUIRE(j["funnel"].size() == 6);
  CHECK(j["funnel"][0]["stage"] == "lead");
  CHECK(j["funnel"][0]["step_rate"].is_null());  // the first stage has no step
  CHECK(j["funnel"][2]["observable"] == false);
  CHECK(j["funnel"][1]["step_rate"].get<double>() == Approx(0.6));  // 6 / 10
  CHECK(j["funnel"][5]["stage"] == "won");
  CHECK(j["funnel"][5]["step_rate"].is_null());  // 0 of 0
  CHECK(j["funnel"][5]["step_ci95"].is_null());

  const auto& source = j["breakdowns"]["source"];
  REQUIRE(source.size() == 2);
  CHECK(source[0]["key"] == "web");
  CHECK(source[1]["key"].is_null());
  CHECK(source[1]["leads"] == 4);
  CHECK(source[1]["rate"].get<double>() == Approx(0.25));

  CHECK(j["time_to_convert"]["median_hours"].get<double>() == Approx(25.0));
  CHECK(j["time_to_convert"]["p90_hours"].get<double>() == Approx(37.0));
  CHECK(j["time_to_convert"]["median_days"].get<double>() == Approx(25.0 / 24.0));

  const auto& rej = j["input"]["rejections"];
  REQUIRE(rej.size() == 2);
  CHECK(rej[0]["file"] == "leads.csv");
  CHECK(rej[0]["line"] == 7);
  CHECK(rej[0]["column"] == "Create Date");
  CHECK(rej[1]["column"].is_null());  // a whole-row problem has no column
  CHECK(j["input"]["mapping"][1]["origin"] == "map");
}

TEST_CASE("render: JSON rejections written one at a time read back as one document laid out as the rest",
          "[render]") {
  Report r = sample_report();
  // Text that looks like the layout, inside strings: a line break, quotes,
  // the key itself, and bytes that are not UTF-8.
  const std::string lookalike = "x\n    \"rejections\": []";
  r.input.files[0].columns.push_back(lookalike);
  r.input.notes.push_back(lookalike);
  r.input.rejections = {Rejection{"leads.csv", 3, "", "a whole-row problem"},
                        Rejection{"leads.csv", 4, lookalike, "id \"A\\1\"\tand a\nbreak"},
                        Rejection{"le\xff\xfe" "ads.csv", 5, "caf\xc3\xa9", "bad byte \x80 here"}};
  const std::string text = render_json(r);
  // The whole text is what one tree dumped with the same layout would be.
  const ojson j = ojson::parse(text);
  CHECK(text == j.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n");
  const auto& rej = j["input"]["rejections"];
  REQUIRE(rej.size() == 3);
  CHECK(rej[0]["line"] == 3);
  CHECK(rej[0]["column"].is_null());
  CHECK(rej[1]["column"] == lookalike);
  CHECK(rej[1]["reason"] == "id \"A\\1\"\tand a\nbreak");
  CHECK(rej[2]["file"] == "le\xef\xbf\xbd\xef\xbf\xbd" "ads.csv");  // each bad byte replaced by U+FFFD
  CHECK(rej[2]["column"] == "caf\xc3\xa9");
  CHECK(j["input"]["files"][0]["columns"].back() == lookalike);
  CHECK(j["input"]["notes"].back() == lookalike);
  CHECK(j["input"]["rejections_unlisted"] == r.input.rejections_unlisted);
  // The stream and the string give the same text, in JSON and in CSV.
  std::ostringstream out;
  render(r, Format::Json, out);
  CHECK(out.str() == text);
  CHECK(render(r, Format::Json) == text);
  std::ostringstream csv;
  render(r, Format::Csv, csv);
  CHECK(csv.str() == render_csv(r));
  CHECK(csv.str().find("leads.csv,4,") != std::string::npos);

  SECTION("with no rejection the list is empty") {
    r.input.rejections.clear();
    const std::string none = render_json(r);
    const ojson k = ojson::parse(none);
    CHECK(none == k.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n");
    CHECK(k["input"]["rejections"].empty());
  }
}

TEST_CASE("render: JSON of an empty cohort prints null rates", "[render]") {
  Report r = sample_report();
  r.funnel->conversion = rate(0, 0, std::nullopt, std::nullopt);
  const ojson j = ojson::parse(render_json(r));
  CHECK(j["conversion"]["leads"] == 0);
  CHECK(j["conversion"]["rate"].is_null());
  CHECK(j["conversion"]["ci95"].is_null());
}

TEST_CASE("render: a validate report has no metric sections", "[render]") {
  Report r = sample_report();
  r.meta.command = "validate";
  r.funnel.reset();
  const ojson j = ojson::parse(render_json(r));
  CHECK(j["command"] == "validate");
  CHECK(j.contains("input"));
  CHECK_FALSE(j.contains("conversion"));
  CHECK_FALSE(j.contains("funnel"));
  const std::string table = render_table(r);
  CHECK_FALSE(contains(table, "Lead -> prospect conversion"));
  CHECK(contains(table, "leadfunnel validate: as of 2024-06-01T00:00:00Z (tz UTC)"));
}

TEST_CASE("render: CSV is one observation per row with a fixed header", "[render]") {
  const std::string text = render_csv(sample_report());
  const auto lines = split(text, "\r\n");
  REQUIRE(lines.size() > 2);
  CHECK(lines[0] == "section,key,segment,stage,measure,value,file,line,column,detail");
  CHECK(lines.back().empty());  // the text ends with a line break
  CHECK(has_line(lines, "meta,,,,schema_version,1.2,,,,"));
  CHECK(has_line(lines, "meta,,,,as_of,2024-06-01T00:00:00Z,,,,"));
  CHECK(has_line(lines, "input,leads,,,rows_read,12,leads.csv,,,"));
  CHECK(has_line(lines, "input,,,,rows_rejected,2,,,,"));
  CHECK(has_line(lines, "mapping,leads,,,created_at,Create Date,leads.csv,,,map"));
  // Rejections carry file, line, column and reason; a reason with a comma and quotes is quoted.
  CHECK(has_line(lines, "rejection,,,,,,leads.csv,7,Create Date,'2024-02-30' is not a real calendar date for created_at"));
  CHECK(has_line(lines, "rejection,,,,,,leads.csv,9,,\"row has 4 fields, \"\"x\"\" is extra\""));
  CHECK(has_line(lines, "conversion,,,lead -> prospect,leads,10,,,,"));
  CHECK(has_line(lines, "conversion,,,lead -> prospect,prospects,3,,,,"));
  CHECK(has_line(lines, "funnel,,,mql,reached,6,,,,"));
  CHECK(has_line(lines, "funnel,,,won,step_rate,,,,,"));  // undefined: empty cell
  CHECK(has_line(lines, "breakdown,source,web,,leads,6,,,,"));
  CHECK(has_line(lines, "breakdown,source,,,leads,4,,,,"));  // blank segment
  CHECK(has_line(lines, "time_to_convert,,,lead -> prospect,median_hours,25,,,,"));
  CHECK(has_line(lines, "data_quality_issue,,L7,,before_creation,,,8,,prospect_at is before created_at"));
  // Every row has 10 cells: count the commas outside quotes.
  for (const auto& line : lines) {
    if (line.empty()) continue;
    std::size_t commas = 0;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      if (c == ',' && !quoted) ++commas;
    }
    CHECK(commas == 9);
  }
}

TEST_CASE("render: markdown uses pipe tables with separator rows", "[render]") {
  const std::string text = render_markdown(sample_report());
  const auto lines = split(text, "\n");
  CHECK(contains(text, "|---|"));
  CHECK(lines[0] == "# leadfunnel report: as of 2024-06-01T00:00:00Z (tz UTC)");
  CHECK(has_line(lines, "**Lead -> prospect conversion: 30.0% (3 of 10 leads; 95% CI 10.8%-60.3%)**"));
  CHECK(has_line(lines, "| stage | reached | implied | step | cumulative |"));
  CHECK(has_line(lines, "|---|---:|---:|---:|---:|"));
  CHECK(has_line(lines, "| (blank) | 4 | 1 | 25.0% | 5.0%-70.0% |"));
  // Every table line of a block has as many pipes as its header.
  std::size_t tables = 0;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    if (lines[i].rfind("| ", 0) != 0 || lines[i + 1].rfind("|---", 0) != 0) continue;
    ++tables;
    const auto pipes = std::count(lines[i].begin(), lines[i].end(), '|');
    std::size_t j = i + 1;
    for (; j < lines.size() && !lines[j].empty() && lines[j][0] == '|'; ++j)
      CHECK(std::count(lines[j].begin(), lines[j].end(), '|') == pipes);
    CHECK(j - i >= 3);  // header, separator, at least one row
  }
  CHECK(tables == 3);  // funnel, time to convert, by source
}

TEST_CASE("render: the table starts with the title and the headline", "[render]") {
  const std::string text = render_table(sample_report());
  const auto lines = split(text, "\n");
  REQUIRE(lines.size() > 3);
  CHECK(lines[0] == "leadfunnel report: as of 2024-06-01T00:00:00Z (tz UTC)");
  CHECK(lines[1].empty());
  // 0.3 -> 30.0%; 0.107791 -> 10.8%; 0.603222 -> 60.3%.
  CHECK(lines[2] == "Lead -> prospect conversion: 30.0% (3 of 10 leads; 95% CI 10.8%-60.3%)");
  CHECK(contains(text, "By source"));
  CHECK(contains(text, "(blank)"));
  CHECK(contains(text, "handoff (implied)"));  // not observable
  CHECK(contains(text, "leads.csv:7: column \"Create Date\": '2024-02-30'"));
  CHECK(contains(text, "25.0 h"));  // median below two days, in hours
  SECTION("with a window the headline says so") {
    Report r = sample_report();
    r.meta.window = "90d";
    const auto wl = split(render_table(r), "\n");
    CHECK(wl[0] == "leadfunnel report: as of 2024-06-01T00:00:00Z (tz UTC), window 90d");
    CHECK(wl[2] == "Lead -> prospect conversion: 30.0% (3 of 10 leads; 95% CI 10.8%-60.3%), within 90d");
  }
}

}  // namespace leadfunnel
