#include "leadfunnel/agreement.hpp"

#include <fmt/format.h>

#include <cctype>
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

}  // namespace

bool is_truthy(std::string_view value) {
  const std::string v = to_lower(trim(value));
  return v == "1" || v == "true" || v == "yes" || v == "y" || v == "sim" || v == "s" || v == "x" || v == "t";
}

bool rule_matches(const StageRule& rule, std::string_view value) {
  if (rule.flag) return is_truthy(value);
  const std::string v = to_lower(trim(value));
  if (v.empty()) return false;
  for (const auto& want : rule.values)
    if (to_lower(trim(want)) == v) return true;
  return false;
}

Agreement parse_agreement(std::string_view text, const std::string& path) {
  json doc;
  try {
    doc = json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    const auto p = what.find("] ");
    if (p != std::string::npos) what = what.substr(p + 2);
    fail(path, fmt::format("not valid JSON: {}; fix the syntax (comments with // and /* */ are allowed)", what));
  }
  if (!doc.is_object()) fail(path, "the agreement must be a JSON object");
  check_keys(doc, names({"timezone", "window", "columns", "stages"}), "the agreement", path);

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
  return a;
}

Agreement load_agreement(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw AgreementError(fmt::format("{}: cannot open the agreement file; check the --config path", path));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_agreement(text, path);
}

}  // namespace leadfunnel
