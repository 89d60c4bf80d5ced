// Tests for read_flat_object, the hand-written reader of plain NDJSON records:
// what it accepts must read exactly as the reference reader reads it.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "leadfunnel/input.hpp"
#include "leadfunnel/json_flat.hpp"

#include "scan_width.hpp"

namespace leadfunnel {
namespace {

/// Reads `line` from a copy followed by 64 bytes that are not part of it
/// (quotes, to catch a scan that looks past the line's end). The fields
/// point into the copy, which lives as long as the reader.
struct Reader {
  std::string bytes;
  std::vector<JsonField> f;
  bool operator()(std::string_view line, std::size_t max = std::size_t{1} << 20) {
    bytes.assign(line);
    bytes.append(64, '"');
    return read_flat_object(std::string_view(bytes).substr(0, line.size()), bytes.size(), max, f);
  }
};

/// The reference reader's fields for one NDJSON line, as (key, text) pairs
/// in key order; nothing when it rejects the line.
std::optional<std::vector<std::pair<std::string, std::string>>> reference(std::string_view line, std::size_t max) {
  const RawTable t = parse_json_table(std::string(line) + "\r\n", "t.ndjson", max);
  if (!t.rejections.empty() || t.rows.size() != 1) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i < t.columns.size(); ++i) out.emplace_back(t.columns[i], t.rows[0].fields[i]);
  return out;
}

}  // namespace

TEST_CASE("json flat: a plain record reads as its keys and texts, with null blank and -0 as 0", "[json-flat]") {
  const bool wide = GENERATE(true, false);
  const ScanWidth width(wide);
  INFO("64-byte scan allowed: " << wide);
  Reader read;
  auto& f = read.f;
  REQUIRE(read(R"({"Record ID":"101", "n": -0 ,"won":true,"lost":false,"x":null,"amount":12.50,"e":"é"} )"));
  REQUIRE(f.size() == 7);
  CHECK(f[0].key == "Record ID");
  CHECK(f[0].text == "101");
  CHECK(f[1].text == "0");
  CHECK(f[2].text == "true");
  CHECK(f[3].text == "false");
  CHECK(f[4].text.empty());
  CHECK(f[5].text == "12.50");
  CHECK(f[6].text == "é");
}

TEST_CASE("json flat: anything but a plain record is left to the general reader", "[json-flat]") {
  const bool wide = GENERATE(true, false);
  const ScanWidth width(wide);
  INFO("64-byte scan allowed: " << wide);
  Reader read;
  std::vector<JsonField> f;
  CHECK_FALSE(read("{}"));  // empty
  CHECK_FALSE(read(R"({"a":"x\"y"})"));  // an escape
  CHECK_FALSE(read("{\"a\":\t\"x\"}"));  // white space other than spaces
  CHECK_FALSE(read("{\"a\":\"x\x01\"}"));  // a control character
  CHECK_FALSE(read(R"({"a":[1]})"));  // nested
  CHECK_FALSE(read(R"({"a":{"b":1}})"));  // nested
  CHECK_FALSE(read(R"({"a":1} x)"));  // text after the record
  CHECK_FALSE(read(R"({"a":1,})"));  // a trailing comma
  CHECK_FALSE(read(R"({"a" 1})"));  // no colon
  CHECK_FALSE(read(R"({"a":01})"));  // not a JSON number
  CHECK_FALSE(read(R"({"a":1e400})"));  // a number nlohmann may not read
  CHECK_FALSE(read(R"({"a":tru})"));  // not a literal
  CHECK_FALSE(read(R"({"a":nullx})"));  // not a literal
  CHECK_FALSE(read(R"({"a":"x)"));  // not closed
  CHECK_FALSE(read("{\"a\":\"\xC3(\"}"));  // not UTF-8
  CHECK_FALSE(read(R"([{"a":1}])"));  // an array
  CHECK_FALSE(read(R"({"a":"12345"})", 4));  // a value over the limit
  CHECK(read(R"({"a":"1234"})", 4));
  CHECK_FALSE(read("{\"a\":\"" + std::string(5000, 'x') + "\"}"));  // a line longer than it reads
  // Fewer than 16 readable bytes past the line: not read here.
  const std::string tight = R"({"a":"b"})";
  CHECK_FALSE(read_flat_object(tight, tight.size() + 15, 100, f));
}

TEST_CASE("json flat: generated lines it accepts read exactly as the reference reader reads them", "[json-flat]") {
  const bool wide = GENERATE(true, false);
  const ScanWidth width(wide);
  INFO("64-byte scan allowed: " << wide);
  std::mt19937 rng(20261128u);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::vector<std::string> values{
      R"("plain")", R"("")", R"("with, comma")", R"("é ü 日本")", R"("a\"b")", R"("\u0041")", "\"tab\there\"",
      "0", "-0", "12", "-7.25", "1.5E+3", "2e-3", "18446744073709551616", "01", "1.", "-", "1e400", "true",
      "false", "null", "nul", "[1]", "{}", R"("x)", "\"\xC3(\"", "\"" + std::string(40, 'v') + "\""};
  const std::vector<std::string> keys{R"("id")", R"("Create Date")", R"("e")", R"("k\"q")", R"("")", R"("日付")",
                                      "\"" + std::string(70, 'k') + "\""};
  const std::vector<std::string> spaces{"", "", "", " ", "  ", "\t"};
  std::size_t accepted = 0, checked = 0;
  Reader read;
  for (int c = 0; c < 20000; ++c) {
    std::string line = spaces[pick(spaces.size())] + "{";
    const std::size_t n = 1 + pick(5);
    std::set<std::string> seen;
    bool unique = true;
    for (std::size_t i = 0; i < n; ++i) {
      const std::string& key = keys[pick(keys.size())];
      unique = seen.insert(key).second && unique;
      if (i > 0) line += "," + spaces[pick(spaces.size())];
      line += key + spaces[pick(spaces.size())] + ":" + spaces[pick(spaces.size())] + values[pick(values.size())] +
              spaces[pick(spaces.size())];
    }
    line += "}" + spaces[pick(spaces.size())];
    if (pick(20) == 0) line.resize(pick(line.size() + 1));  // cut short
    const std::size_t max = pick(4) == 0 ? 8 : std::size_t{1} << 20;
    if (!read(line, max)) continue;
    const auto& f = read.f;
    ++accepted;
    if (!unique) continue;  // the reference rejects a key twice; the caller checks for it
    ++checked;
    const auto expected = reference(line, max);
    INFO("line: " << line);
    REQUIRE(expected);
    REQUIRE(f.size() == expected->size());
    for (std::size_t i = 0; i < f.size(); ++i) {
      CHECK(f[i].key == (*expected)[i].first);
      CHECK(f[i].text == (*expected)[i].second);
    }
  }
  // Plain records are common among the generated lines.
  CHECK(checked > 500);
  CHECK(accepted >= checked);
}

TEST_CASE("json flat: quotes are found in every 64-byte word of a long line, up to its last byte", "[json-flat]") {
  const bool wide = GENERATE(true, false);
  const ScanWidth width(wide);
  INFO("64-byte scan allowed: " << wide);
  Reader read;
  // Keys and values of every length from 0 to 70 put the quotes at every
  // offset within a word, and across the words' edges.
  for (std::size_t len = 0; len <= 70; ++len) {
    std::string line = "{";
    std::vector<std::pair<std::string, std::string>> expected;
    for (std::size_t k = 0; k < 12; ++k) {
      std::string key = fmt::format("k{}", k) + std::string((len + k) % 9, 'q');
      std::string value(len + k % 3, static_cast<char>('a' + k));
      if (k > 0) line += ",";
      line += "\"" + key + "\":\"" + value + "\"";
      expected.emplace_back(key, value);
    }
    line += "}";
    INFO("line: " << line);
    REQUIRE(read(line));
    REQUIRE(read.f.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CHECK(read.f[i].key == expected[i].first);
      CHECK(read.f[i].text == expected[i].second);
    }
    // A control character, a backslash or an unclosed string in the last
    // word, or a byte outside ASCII, is seen wherever it is.
    std::string tab = line;
    tab.insert(tab.size() - 2, 1, '\t');
    CHECK_FALSE(read(tab));
    std::string escape = line;
    escape.insert(escape.size() - 2, 1, '\\');
    CHECK_FALSE(read(escape));
    std::string open = line.substr(0, line.size() - 2) + "}";
    CHECK_FALSE(read(open));
    std::string accent = line;
    accent.insert(accent.size() - 2, "\xC3\xA9");
    REQUIRE(read(accent));
    CHECK(read.f.back().text == expected.back().second + "\xC3\xA9");
  }
}

}  // namespace leadfunnel
