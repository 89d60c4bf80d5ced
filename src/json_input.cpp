// JSON input: an array of objects, or NDJSON. Each top-level object is parsed
// on its own with nlohmann's SAX interface, which lets us see duplicate keys
// (the DOM keeps the last one silently) and the exact text of numbers too
// large for an integer type, so ids never lose digits.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "leadfunnel/error.hpp"
#include "leadfunnel/input.hpp"

namespace leadfunnel {
namespace {

using json = nlohmann::json;

/// Collects one flat object: top-level keys to text values.
class FlatObject : public nlohmann::json_sax<json> {
 public:
  std::vector<std::pair<std::string, std::string>> fields;
  std::string problem;
  std::string top_kind;  // what the top-level value was, when not an object

  // Top-level values become text (null is blank); values inside nested
  // objects and arrays keep their JSON type, and the nested value is kept as
  // its JSON text.
  bool null() override { return scalar("", json(nullptr)); }
  bool boolean(bool v) override { return scalar(v ? "true" : "false", json(v)); }
  bool number_integer(number_integer_t v) override { return scalar(std::to_string(v), json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return scalar(std::to_string(v), json(v)); }
  bool number_float(number_float_t v, const string_t& s) override { return scalar(s, json(v)); }
  bool string(string_t& v) override { return scalar(v, json(v)); }
  bool binary(binary_t&) override { return scalar("", json(nullptr)); }

  bool start_object(std::size_t) override {
    if (depth_ == 0) {
      ++depth_;
      return true;
    }
    if (too_deep()) return false;
    open_nested(json::object());
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override {
    if (depth_ == 0) {
      top_kind = "an array";
      return false;
    }
    if (too_deep()) return false;
    open_nested(json::array());
    return true;
  }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    if (depth_ == 1) {
      if (!seen_.insert(k).second) {
        problem = fmt::format("key \"{}\" appears twice in this object; keep one", k);
        return false;
      }
      current_key_ = k;
    } else {
      nested_keys_.push_back(k);
    }
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    problem = fmt::format("invalid JSON: {}", strip_prefix(ex.what()));
    return false;
  }

 private:
  /// Nesting deeper than this rejects the record: nothing in a lead needs it,
  /// and it keeps hostile input from exhausting the stack.
  static constexpr int kMaxDepth = 64;

  bool too_deep() {
    if (depth_ < kMaxDepth) return false;
    problem = fmt::format("values are nested deeper than {} levels; flatten the record", kMaxDepth);
    return true;
  }

  static std::string strip_prefix(std::string s) {
    // nlohmann messages start with "[json.exception.parse_error.101] "
    const auto p = s.find("] ");
    return p == std::string::npos ? s : s.substr(p + 2);
  }

  bool scalar(std::string text, json value) {
    if (depth_ == 0) {
      top_kind = "a scalar value";
      return false;
    }
    if (depth_ == 1) {
      fields.emplace_back(current_key_, std::move(text));
      return true;
    }
    add_nested(std::move(value));
    return true;
  }
  void open_nested(json v) {
    ++depth_;
    stack_.push_back(std::move(v));
  }
  void add_nested(json v) {
    json& top = stack_.back();
    if (top.is_object()) {
      top[nested_keys_.back()] = std::move(v);
      nested_keys_.pop_back();
    } else {
      top.push_back(std::move(v));
    }
  }
  bool close() {
    --depth_;
    if (depth_ == 0) return true;
    json done = std::move(stack_.back());
    stack_.pop_back();
    if (depth_ == 1) {
      fields.emplace_back(current_key_, done.dump());
    } else {
      add_nested(std::move(done));
    }
    return true;
  }

  int depth_ = 0;
  std::string current_key_;
  std::set<std::string> seen_;
  std::vector<json> stack_;
  std::vector<std::string> nested_keys_;
};

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// Finds the end of the JSON value starting at `pos` (quote- and depth-aware);
/// counts newlines into `line`. Returns npos when the value never ends.
std::size_t value_end(std::string_view s, std::size_t pos, std::size_t& line) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = pos; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\n') ++line;
    if (in_string) {
      if (c == '\\') {
        ++i;
        if (i < s.size() && s[i] == '\n') ++line;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;  // end of enclosing array: scalar ended
      --depth;
      if (depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',' || is_ws(c))) {
      if (c == '\n') --line;  // not part of the value
      return i;
    }
  }
  return (depth == 0 && !in_string) ? s.size() : std::string_view::npos;
}

struct Builder {
  RawTable& table;
  std::unordered_map<std::string, std::size_t> index;
  std::size_t max_field_bytes;

  void add(std::string_view text, std::size_t line) {
    FlatObject obj;
    const bool ok = json::sax_parse(text, &obj, json::input_format_t::json, true);
    // nlohmann counts lines within the record; for a one-line record that
    // "line 1" would contradict the file line the rejection names.
    if (text.find('\n') == std::string_view::npos) {
      const auto p = obj.problem.find("at line 1, column");
      if (p != std::string::npos) obj.problem.replace(p, std::string("at line 1, column").size(), "at column");
    }
    if (!ok || !obj.problem.empty() || !obj.top_kind.empty()) {
      std::string reason = obj.problem;
      if (!obj.top_kind.empty()) reason = fmt::format("expected an object, found {}", obj.top_kind);
      if (reason.empty()) reason = "invalid JSON";
      table.reject(Rejection{table.path, line, "", reason});
      return;
    }
    for (const auto& [k, v] : obj.fields)
      if (v.size() > max_field_bytes) {
        table.reject(Rejection{
            table.path, line, k,
            fmt::format("the value of \"{}\" is longer than {} bytes (--max-field-bytes); raise the limit if such "
                        "values are expected",
                        k, max_field_bytes)});
        return;
      }
    RawRow row;
    row.line = line;
    std::vector<std::string> values(table.columns.size());
    for (auto& [k, v] : obj.fields) {
      auto it = index.find(k);
      std::size_t col = 0;
      if (it == index.end()) {
        col = table.columns.size();
        index.emplace(k, col);
        table.columns.push_back(k);
      } else {
        col = it->second;
      }
      if (values.size() <= col) values.resize(col + 1);
      values[col] = std::move(v);
    }
    row.fields = Cells(values);
    table.rows.push_back(std::move(row));
  }
};

}  // namespace

RawTable parse_json_table(std::string_view bytes, const std::string& path, std::size_t max_field_bytes) {
  RawTable table;
  table.path = path;
  Builder b{table, {}, max_field_bytes};

  std::size_t i = 0, line = 1;
  auto skip_ws = [&] {
    while (i < bytes.size() && is_ws(bytes[i])) {
      if (bytes[i] == '\n') ++line;
      ++i;
    }
  };
  skip_ws();
  if (i >= bytes.size()) {
    table.format = "json";
    table.file_errors.push_back(
        fmt::format("{}: the file is empty; expected a JSON array of objects or NDJSON", path));
    return table;
  }

  if (bytes[i] == '[') {
    table.format = "json";
    ++i;
    for (;;) {
      skip_ws();
      if (i >= bytes.size()) {
        // A truncated download: the objects read are kept, and the missing
        // end is a rejection so that the exit status says so.
        table.reject(Rejection{
            path, line, "",
            fmt::format("the JSON array is not closed with ']' (the file ends on line {}); the file may be "
                        "truncated: export it again",
                        line)});
        break;
      }
      if (bytes[i] == ']') break;
      const std::size_t start_line = line;
      std::size_t end_line = line;
      const std::size_t end = value_end(bytes, i, end_line);
      if (end == std::string_view::npos || end == i) {
        table.reject(Rejection{
            path, start_line, "",
            fmt::format("the JSON value starting here never ends (unclosed string, object or array); "
                        "nothing after line {} could be read", start_line)});
        break;
      }
      b.add(bytes.substr(i, end - i), start_line);
      i = end;
      line = end_line;
      skip_ws();
      if (i < bytes.size() && bytes[i] == ',') {
        ++i;
        skip_ws();
        if (i < bytes.size() && bytes[i] == ']') {
          table.reject(
              Rejection{path, line, "", "a ',' right before the array's closing ']' (JSON allows no trailing comma)"});
          break;
        }
        continue;
      }
      if (i < bytes.size() && bytes[i] == ']') break;
      if (i >= bytes.size()) continue;  // reported as not closed above
      table.reject(Rejection{
          path, line, "",
          fmt::format("expected ',' or ']' between array elements; nothing after line {} could be read", line)});
      break;
    }
    if (i < bytes.size() && bytes[i] == ']') {
      ++i;
      skip_ws();
      if (i < bytes.size())
        table.reject(Rejection{
            path, line, "",
            fmt::format("text after the end of the JSON array on line {}; nothing after the closing ']' could be "
                        "read: a JSON file holds one array",
                        line)});
    }
  } else {
    // NDJSON: one value per physical line; blank lines are skipped.
    table.format = "ndjson";
    std::size_t pos = 0;
    line = 1;
    while (pos < bytes.size()) {
      std::size_t eol = bytes.find('\n', pos);
      if (eol == std::string_view::npos) eol = bytes.size();
      std::string_view text = bytes.substr(pos, eol - pos);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      bool blank = true;
      for (char c : text)
        if (!is_ws(c)) blank = false;
      if (blank) {
        if (eol < bytes.size() || !text.empty()) ++table.blank_rows;
      } else {
        b.add(text, line);
      }
      pos = eol + 1;
      ++line;
    }
  }
  // Rows read before a later key appeared are shorter: pad them.
  for (auto& row : table.rows)
    while (row.fields.size() < table.columns.size()) row.fields.push_back({});
  return table;
}

}  // namespace leadfunnel
