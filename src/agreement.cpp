#include "leadfunnel/agreement.hpp"

#include <fmt/format.h>

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <stdexcept>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "leadfunnel/error.hpp"
#include "leadfunnel/text.hpp"
#include "leadfunnel/timestamp.hpp"

namespace leadfunnel {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw AgreementError(fmt::format("{}: {}", path, message));
}

std::vector<std::string> names(std::initializer_list<std::string_view> list) {
  return std::vector<std::string>(list.begin(), list.end());
}

void check_keys(const json& obj, const std::vector<std::string>& allowed, const std::string& where,
                const std::string& path) {
  for (const auto& [key, value] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string hint;
    if (auto near = closest_match(key, allowed)) hint = fmt::format("; did you mean \"{}\"?", *near);
    fail(path, fmt::format("unknown key \"{}\" in {}{} (known keys: {})", key, where, hint,
                           fmt::join(allowed, ", ")));
  }
}

std::string require_string(const json& v, const std::string& where, const std::string& path) {
  if (!v.is_string()) fail(path, fmt::format("{} must be a string, found {}", where, v.type_name()));
  return v.get<std::string>();
}

StageRule parse_rule(const json& v, const std::string& where, const std::string& path) {
  if (!v.is_object())
    fail(path, fmt::format("{} must be an object like {{\"column\": \"Lead Status\", \"in\": [\"Qualified\"]}} "
                           "or {{\"flag\": \"Converted\"}}",
                           where));
  check_keys(v, names({"column", "in", "flag"}), where, path);
  StageRule rule;
  if (v.contains("flag")) {
    if (v.contains("column") || v.contains("in"))
      fail(path, fmt::format("{} has \"flag\" together with \"column\"/\"in\"; use one form", where));
    rule.column = require_string(v["flag"], where + ".flag", path);
    rule.flag = true;
    return rule;
  }
  if (!v.contains("column") || !v.contains("in"))
    fail(path, fmt::format("{} needs both \"column\" and \"in\" (a list of values), or \"flag\"", where));
  rule.column = require_string(v["column"], where + ".column", path);
  const json& in = v["in"];
  if (!in.is_array() || in.empty())
    fail(path, fmt::format("{}.in must be a non-empty list of values", where));
  for (const auto& item : in) rule.values.push_back(require_string(item, where + ".in[]", path));
  return rule;
}

std::string read_text_file(const std::string& file, const std::string& where, const std::string& path) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(path, fmt::format("{}: cannot open \"{}\"; the path is relative to the agreement file", where, file));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int parse_holiday(const json& v, const std::string& where, const std::string& path) {
  const std::string text = require_string(v, where, path);
  int y = 0;
  unsigned m = 0, d = 0;
  char dash1 = 0, dash2 = 0;
  const date::year_month_day ymd =
      (std::sscanf(text.c_str(), "%4d%c%2u%c%2u", &y, &dash1, &m, &dash2, &d) == 5 && dash1 == '-' && dash2 == '-' &&
       text.size() == 10)
          ? date::year_month_day{date::year{y}, date::month{m}, date::day{d}}
          : date::year_month_day{};
  if (!ymd.ok()) fail(path, fmt::format("{}: \"{}\" is not a date; write holidays as \"YYYY-MM-DD\"", where, text));
  return static_cast<int>(date::sys_days{ymd}.time_since_epoch().count());
}

Calendar parse_calendar(const std::string& name, const json& v, const Agreement& a) {
  const std::string& path = a.path;
  const std::string where = fmt::format("\"calendars\".\"{}\"", name);
  Calendar cal;
  cal.name = name;
  if (v.is_string()) {
    if (v.get<std::string>() != "24x7")
      fail(path, fmt::format("{}: a calendar is an object with \"hours\", or the string \"24x7\"", where));
    cal.always = true;
    return cal;
  }
  if (!v.is_object()) fail(path, fmt::format("{}: a calendar is an object with \"hours\", or the string \"24x7\"", where));
  check_keys(v, names({"timezone", "hours", "holidays", "holidays_ics"}), where, path);
  // Without a zone of its own or in the agreement, the calendar takes the
  // report's zone (--tz) when the run resolves it.
  const std::string tz = v.contains("timezone") ? require_string(v["timezone"], where + ".timezone", path)
                                                : a.timezone.value_or("");
  cal.zone = tz.empty() ? nullptr : find_zone(tz);
  if (!tz.empty() && !cal.zone)
    fail(path, fmt::format("{}.timezone: unknown time zone \"{}\"; use an IANA name such as \"America/Sao_Paulo\"",
                           where, tz));
  if (!v.contains("hours") || !v["hours"].is_object())
    fail(path, fmt::format("{}: needs \"hours\", e.g. {{\"mon-fri\": [\"09:00-12:00\", \"13:00-18:00\"]}}", where));
  static const std::array<std::string_view, 7> kDays{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  for (const auto& [raw_key, spec] : v["hours"].items()) {
    const std::string key = to_lower(trim(raw_key));
    std::vector<unsigned> days;
    if (key == "mon-fri") {
      days = {1, 2, 3, 4, 5};
    } else if (key == "sat-sun") {
      days = {6, 0};
    } else if (key == "every day") {
      days = {0, 1, 2, 3, 4, 5, 6};
    } else {
      const auto it = std::find(kDays.begin(), kDays.end(), key);
      if (it == kDays.end())
        fail(path, fmt::format("{}.hours: unknown day \"{}\"; use mon, tue, wed, thu, fri, sat, sun, mon-fri, "
                               "sat-sun or \"every day\"",
                               where, key));
      days = {static_cast<unsigned>(it - kDays.begin())};
    }
    std::vector<json> items;
    if (spec.is_array()) items.assign(spec.begin(), spec.end());
    else items.push_back(spec);
    for (const auto& item : items) {
      const std::string text = require_string(item, fmt::format("{}.hours.\"{}\"", where, key), path);
      const auto w = parse_work_interval(text);
      if (!w)
        fail(path, fmt::format("{}.hours.\"{}\": \"{}\" is not an interval; write it as \"09:00-18:00\" "
                               "(end after start, up to 24:00)",
                               where, key, text));
      for (unsigned d : days) cal.week[d].push_back(*w);
    }
  }
  bool any = false;
  for (unsigned d = 0; d < 7; ++d) {
    auto& iv = cal.week[d];
    std::sort(iv.begin(), iv.end(), [](const WorkInterval& x, const WorkInterval& y) { return x.start < y.start; });
    for (std::size_t i = 1; i < iv.size(); ++i)
      if (iv[i].start < iv[i - 1].end)
        fail(path, fmt::format("{}.hours: on {} the intervals {:02}:{:02}-{:02}:{:02} and {:02}:{:02}-{:02}:{:02} "
                               "overlap; make them disjoint",
                               where, kDays[d], iv[i - 1].start / 60, iv[i - 1].start % 60, iv[i - 1].end / 60,
                               iv[i - 1].end % 60, iv[i].start / 60, iv[i].start % 60, iv[i].end / 60, iv[i].end % 60));
    any = any || !iv.empty();
  }
  if (!any) fail(path, fmt::format("{}.hours: no working time on any day; add intervals or use \"24x7\"", where));
  if (v.contains("holidays")) {
    const json& h = v["holidays"];
    if (!h.is_array()) fail(path, fmt::format("{}.holidays must be a list of \"YYYY-MM-DD\" dates", where));
    for (const auto& item : h) cal.holidays.push_back(parse_holiday(item, where + ".holidays[]", path));
  }
  if (v.contains("holidays_ics")) {
    const std::string file = require_string(v["holidays_ics"], where + ".holidays_ics", path);
    const std::filesystem::path resolved =
        std::filesystem::path(file).is_absolute() ? std::filesystem::path(file)
                                                  : std::filesystem::path(path).parent_path() / file;
    const auto days = ics_holidays(read_text_file(resolved.string(), where + ".holidays_ics", path));
    cal.holidays.insert(cal.holidays.end(), days.begin(), days.end());
  }
  std::sort(cal.holidays.begin(), cal.holidays.end());
  cal.holidays.erase(std::unique(cal.holidays.begin(), cal.holidays.end()), cal.holidays.end());
  return cal;
}

void parse_calendars(const json& v, Agreement& a) {
  if (!v.is_object()) fail(a.path, "\"calendars\" must be an object of name -> calendar");
  for (const auto& [name, spec] : v.items()) a.calendars.push_back(parse_calendar(name, spec, a));
}

/// A share written as 0.9 or "90%".
double parse_share(const json& v, const std::string& where, const std::string& path) {
  double x = -1;
  if (v.is_number()) {
    x = v.get<double>();
  } else if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (!s.empty() && s.back() == '%') {
      s.pop_back();
      try {
        std::size_t used = 0;
        x = std::stod(s, &used) / 100.0;
        if (used != s.size()) x = -1;
      } catch (const std::exception&) {
        x = -1;
      }
    }
  }
  if (!(x >= 0 && x <= 1))
    fail(path, fmt::format("{}: {} is not a share; write it as 0.9 or \"90%\"", where, v.dump()));
  return x;
}

Millis parse_duration_key(const json& v, const std::string& where, const std::string& path) {
  const std::string text = require_string(v, where, path);
  auto d = parse_duration(text);
  if (!d) fail(path, fmt::format("{}: \"{}\" is not a duration; write it like \"4h\", \"30m\", \"2d\"", where, text));
  return *d;
}

std::optional<Event> event_from_name(std::string_view name) {
  // The field names (handoff_at, first_touch_at, created_at) name the same events.
  if (name.size() > 3 && name.substr(name.size() - 3) == "_at") name.remove_suffix(3);
  for (Event e : {Event::Created, Event::Mql, Event::Handoff, Event::FirstTouch, Event::Prospect, Event::Opportunity,
                  Event::Won, Event::Lost})
    if (event_name(e) == name) return e;
  if (name == "lead") return Event::Created;
  return std::nullopt;
}

Stage require_stage(const json& v, const std::string& where, const std::string& path) {
  const std::string name = require_string(v, where, path);
  auto s = stage_from_name(name);
  if (!s)
    fail(path, fmt::format("{}: unknown stage \"{}\" (stages: lead, mql, handoff, prospect, opportunity, won)", where,
                           name));
  return *s;
}

Event require_event(const json& v, const std::string& where, const std::string& path) {
  const std::string name = require_string(v, where, path);
  auto e = event_from_name(name);
  if (!e)
    fail(path, fmt::format("{}: unknown event \"{}\" (events: created, mql, handoff, first_touch, prospect, "
                           "opportunity, won, lost)",
                           where, name));
  return *e;
}

Target parse_target(const json& v, std::size_t index, const Agreement& a) {
  const std::string& path = a.path;
  std::string where = fmt::format("\"targets\"[{}]", index);
  if (!v.is_object()) fail(path, fmt::format("{} must be an object with name, owner, type and a threshold", where));
  Target t;
  if (!v.contains("name")) fail(path, fmt::format("{}: needs a \"name\"", where));
  t.name = require_string(v["name"], where + ".name", path);
  where = fmt::format("\"targets\"[{}] (\"{}\")", index, t.name);
  if (!v.contains("owner")) fail(path, fmt::format("{}: needs an \"owner\": marketing, sales or shared", where));
  const std::string side = require_string(v["owner"], where + ".owner", path);
  if (side == "marketing") t.side = Side::Marketing;
  else if (side == "sales") t.side = Side::Sales;
  else if (side == "shared") t.side = Side::Shared;
  else fail(path, fmt::format("{}.owner: \"{}\" is not marketing, sales or shared", where, side));
  // The type may be left out when the keys make it plain.
  std::string type;
  if (v.contains("type")) type = require_string(v["type"], where + ".type", path);
  else if (v.contains("within")) type = "clock";
  else if (v.contains("per")) type = "volume";
  else if (v.contains("at_least")) type = "rate";
  else fail(path, fmt::format("{}: needs a \"type\": clock, volume or rate", where));
  auto need = [&](const char* key, const char* example) {
    if (!v.contains(key)) fail(path, fmt::format("{}: a {} target needs \"{}\" ({})", where, type, key, example));
  };
  if (type == "clock") {
    t.kind = Target::Kind::Clock;
    check_keys(v, names({"name", "owner", "type", "from", "to", "within", "calendar", "target"}), where, path);
    need("from", "an event such as \"handoff\"");
    need("to", "an event such as \"first_touch\"");
    need("within", "a duration such as \"4h\"");
    need("target", "the share to meet, such as \"90%\"");
    t.from_event = require_event(v["from"], where + ".from", path);
    t.to_event = require_event(v["to"], where + ".to", path);
    t.within = parse_duration_key(v["within"], where + ".within", path);
    t.share = parse_share(v["target"], where + ".target", path);
    if (v.contains("calendar")) {
      t.calendar = require_string(v["calendar"], where + ".calendar", path);
      if (t.calendar == "wall" || (t.calendar == "24x7" && !a.find_calendar("24x7"))) t.calendar.clear();
      else if (!a.find_calendar(t.calendar)) {
        std::vector<std::string> known;
        for (const auto& c : a.calendars) known.push_back(c.name);
        std::string hint;
        if (auto near = closest_match(t.calendar, known)) hint = fmt::format("; did you mean \"{}\"?", *near);
        fail(path, fmt::format("{}.calendar: no calendar named \"{}\"{} (define it under \"calendars\", or use "
                               "\"wall\" for the wall clock)",
                               where, t.calendar, hint));
      }
    }
  } else if (type == "volume") {
    t.kind = Target::Kind::Volume;
    check_keys(v, names({"name", "owner", "type", "stage", "at_least", "per"}), where, path);
    need("stage", "such as \"mql\"");
    need("at_least", "a number of leads");
    need("per", "\"week\" or \"month\"");
    t.stage = require_stage(v["stage"], where + ".stage", path);
    if (!v["at_least"].is_number_unsigned())
      fail(path, fmt::format("{}.at_least must be a whole number of leads", where));
    t.at_least = v["at_least"].get<std::size_t>();
    const std::string per = require_string(v["per"], where + ".per", path);
    if (per == "week") t.per = VolumePeriod::Week;
    else if (per == "month") t.per = VolumePeriod::Month;
    else fail(path, fmt::format("{}.per: \"{}\" is not \"week\" or \"month\"", where, per));
  } else if (type == "rate") {
    t.kind = Target::Kind::Rate;
    check_keys(v, names({"name", "owner", "type", "from", "to", "at_least", "window"}), where, path);
    need("at_least", "the rate to reach, such as \"20%\"");
    if (v.contains("from")) t.from_stage = require_stage(v["from"], where + ".from", path);
    if (v.contains("to")) t.to_stage = require_stage(v["to"], where + ".to", path);
    if (t.to_stage <= t.from_stage)
      fail(path, fmt::format("{}: \"to\" must be a later stage than \"from\"", where));
    t.rate = parse_share(v["at_least"], where + ".at_least", path);
    if (v.contains("window")) {
      t.window = parse_duration_key(v["window"], where + ".window", path);
      if (t.window->count() <= 0) fail(path, fmt::format("{}.window must be longer than zero", where));
    }
  } else {
    fail(path, fmt::format("{}.type: \"{}\" is not clock, volume or rate", where, type));
  }
  return t;
}

void parse_targets(const json& v, Agreement& a) {
  if (!v.is_array()) fail(a.path, "\"targets\" must be a list of targets");
  for (std::size_t i = 0; i < v.size(); ++i) {
    Target t = parse_target(v[i], i, a);
    for (const auto& other : a.targets)
      if (other.name == t.name)
        fail(a.path, fmt::format("\"targets\"[{}]: the name \"{}\" is used twice; give each target its own name", i,
                                 t.name));
    a.targets.push_back(std::move(t));
  }
}

}  // namespace

std::string_view event_name(Event e) {
  switch (e) {
    case Event::Created: return "created";
    case Event::Mql: return "mql";
    case Event::Handoff: return "handoff";
    case Event::FirstTouch: return "first_touch";
    case Event::Prospect: return "prospect";
    case Event::Opportunity: return "opportunity";
    case Event::Won: return "won";
    case Event::Lost: return "lost";
  }
  return "created";
}

std::string_view side_name(Side s) {
  switch (s) {
    case Side::Marketing: return "marketing";
    case Side::Sales: return "sales";
    case Side::Shared: return "shared";
  }
  return "shared";
}

const Calendar* Agreement::find_calendar(std::string_view name) const {
  for (const auto& c : calendars)
    if (c.name == name) return &c;
  return nullptr;
}

bool is_truthy(std::string_view value) {
  const std::string_view v = trim(value);
  for (std::string_view yes : {"1", "true", "yes", "y", "sim", "s", "x", "t"})
    if (equals_ignore_case(v, yes)) return true;
  return false;
}

bool rule_matches(const StageRule& rule, std::string_view value) {
  if (rule.flag) return is_truthy(value);
  const std::string_view v = trim(value);
  if (v.empty()) return false;
  for (const auto& want : rule.values)
    if (equals_ignore_case(trim(want), v)) return true;
  return false;
}

namespace {
std::uint64_t length_bit(std::size_t n) { return std::uint64_t{1} << std::min<std::size_t>(n, 63); }
}  // namespace

void ColumnRules::add(std::size_t stage, const StageRule& rule) {
  if (stage >= 32) throw std::out_of_range("ColumnRules: a stage is a bit of a 32-bit mask");
  const std::uint32_t bit = std::uint32_t{1} << stage;
  if (rule.flag) {
    flag_stages_ |= bit;
    return;
  }
  for (const auto& want : rule.values) {
    std::string lower(trim(want));
    if (lower.empty()) continue;  // an empty wanted value matches nothing (a blank cell never counts)
    for (char& c : lower) c = ascii_lower(c);
    auto it = std::find_if(wants_.begin(), wants_.end(), [&](const Want& w) { return w.lower == lower; });
    if (it == wants_.end()) {
      lengths_ |= length_bit(lower.size());
      it = wants_.insert(wants_.end(), Want{std::move(lower), 0});
    }
    it->stages |= bit;
  }
}

std::uint32_t ColumnRules::operator()(std::string_view value) const {
  std::uint32_t out = flag_stages_ != 0 && is_truthy(value) ? flag_stages_ : 0;
  const std::string_view v = trim(value);
  if (v.empty() || !(lengths_ & length_bit(v.size()))) return out;
  for (const Want& w : wants_) {
    if (w.lower.size() != v.size()) continue;
    std::size_t i = 0;
    while (i < v.size() && ascii_lower(v[i]) == w.lower[i]) ++i;
    if (i == v.size()) return out | w.stages;  // the wanted values are distinct: no other can match
  }
  return out;
}

Agreement parse_agreement(std::string_view text, const std::string& path) {
  json doc;
  // nlohmann keeps the last of duplicate keys silently; in an agreement a
  // repeated key is almost always a mistake, so it is an error here.
  std::vector<std::set<std::string>> seen;
  std::string duplicate;
  const json::parser_callback_t check_duplicates = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) seen.emplace_back();
    else if (event == json::parse_event_t::object_end && !seen.empty()) seen.pop_back();
    else if (event == json::parse_event_t::key && !seen.empty() && !seen.back().insert(parsed.get<std::string>()).second &&
             duplicate.empty())
      duplicate = parsed.get<std::string>();
    return true;
  };
  try {
    doc = json::parse(text, check_duplicates, true, /*ignore_comments=*/true);
  } catch (const json::exception& e) {  // a syntax error, or a number too large for any type
    std::string what = e.what();
    const auto p = what.find("] ");
    if (p != std::string::npos) what = what.substr(p + 2);
    fail(path, fmt::format("not valid JSON: {}; fix the syntax (comments with // and /* */ are allowed)", what));
  }
  if (!duplicate.empty())
    fail(path, fmt::format("the key \"{}\" appears twice in one object; keep one of them", duplicate));
  if (!doc.is_object()) fail(path, "the agreement must be a JSON object");
  check_keys(doc, names({"timezone", "window", "date_order", "columns", "stages", "calendars", "targets"}),
             "the agreement", path);

  Agreement a;
  a.path = path;
  if (doc.contains("timezone")) {
    const std::string tz = require_string(doc["timezone"], "\"timezone\"", path);
    if (!find_zone(tz))
      fail(path, fmt::format("\"timezone\": unknown time zone \"{}\"; use an IANA name such as "
                             "\"America/New_York\" or \"UTC\"",
                             tz));
    a.timezone = tz;
  }
  if (doc.contains("window")) {
    const std::string w = require_string(doc["window"], "\"window\"", path);
    auto d = parse_duration(w);
    if (!d || d->count() <= 0)
      fail(path, fmt::format("\"window\": \"{}\" is not a duration; write it like \"90d\", \"2w\" or \"36h\"", w));
    a.window = *d;
  }
  if (doc.contains("date_order")) {
    const std::string o = require_string(doc["date_order"], "\"date_order\"", path);
    a.date_order = date_order_from_name(o);
    if (!a.date_order)
      fail(path, fmt::format("\"date_order\": \"{}\" is not dmy, mdy or ymd (the order of day, month and year in "
                             "dates like 03/04/2026)",
                             o));
  }
  if (doc.contains("columns")) {
    const json& cols = doc["columns"];
    if (!cols.is_object()) fail(path, "\"columns\" must be an object of field -> column name");
    std::vector<std::string> field_names;
    for (Field f : all_fields()) field_names.emplace_back(field_name(f));
    for (const auto& [key, value] : cols.items()) {
      auto f = field_from_name(key);
      if (!f) {
        std::string hint;
        if (auto near = closest_match(key, field_names)) hint = fmt::format("; did you mean \"{}\"?", *near);
        fail(path, fmt::format("\"columns\": unknown field \"{}\"{} (fields: {})", key, hint,
                               fmt::join(field_names, ", ")));
      }
      a.columns.emplace_back(*f, require_string(value, fmt::format("\"columns\".\"{}\"", key), path));
    }
  }
  if (doc.contains("stages")) {
    const json& stages = doc["stages"];
    if (!stages.is_object()) fail(path, "\"stages\" must be an object of stage -> rule(s)");
    std::vector<std::string> stage_names;
    for (std::size_t i = 0; i < kStageCount; ++i) stage_names.emplace_back(stage_name(static_cast<Stage>(i)));
    for (const auto& [key, value] : stages.items()) {
      auto s = stage_from_name(key);
      if (s && *s == Stage::Lead)
        fail(path, "\"stages\": \"lead\" takes no rule: every row of the leads file is a lead (stages with rules: "
                   "mql, handoff, prospect, opportunity, won)");
      if (!s) {
        std::string hint;
        if (auto near = closest_match(key, stage_names)) hint = fmt::format("; did you mean \"{}\"?", *near);
        fail(path, fmt::format("\"stages\": unknown stage \"{}\"{} (stages with rules: mql, handoff, "
                               "prospect, opportunity, won)",
                               key, hint));
      }
      auto& rules = a.stage_rules[static_cast<std::size_t>(*s)];
      const std::string where = fmt::format("\"stages\".\"{}\"", key);
      if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i)
          rules.push_back(parse_rule(value[i], fmt::format("{}[{}]", where, i), path));
      } else {
        rules.push_back(parse_rule(value, where, path));
      }
    }
  }
  if (doc.contains("calendars")) parse_calendars(doc["calendars"], a);
  if (doc.contains("targets")) parse_targets(doc["targets"], a);
  return a;
}

Agreement load_agreement(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw AgreementError(fmt::format("{}: cannot open the agreement file; check the --config path", path));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_agreement(text, path);
}

}  // namespace leadfunnel
