// Tests for reading JSON arrays of objects and NDJSON into text tables.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "leadfunnel/error.hpp"
#include "leadfunnel/input.hpp"

namespace leadfunnel {
namespace {

using Fields = std::vector<std::string>;

/// The value of `column` in row `row`; fails the test when the column is missing.
std::string cell(const RawTable& t, std::size_t row, const std::string& column) {
  REQUIRE(row < t.rows.size());
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i] != column) continue;
    REQUIRE(i < t.rows[row].fields.size());
    return std::string(t.rows[row].fields[i]);
  }
  FAIL("no column " << column);
  return {};
}

}  // namespace

TEST_CASE("json: an array of objects becomes one row per object", "[json]") {
  const RawTable t = parse_json_table(R"([{"id":"1","name":"Ana"},{"id":"2","name":"Bia"}])", "leads.json");
  CHECK(t.path == "leads.json");
  CHECK(t.format == "json");
  CHECK(t.columns == Fields{"id", "name"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].fields == Fields{"1", "Ana"});
  CHECK(t.rows[1].fields == Fields{"2", "Bia"});
  CHECK(t.rows[0].line == 1);
  CHECK(t.rows[1].line == 1);
  CHECK(t.rejections.empty());
  CHECK(t.rows_read() == 2);
}

TEST_CASE("json: an empty array gives no rows and no columns", "[json]") {
  const RawTable t = parse_json_table("[\n]\n", "x.json");
  CHECK(t.format == "json");
  CHECK(t.rows.empty());
  CHECK(t.columns.empty());
  CHECK(t.rejections.empty());
}

TEST_CASE("json: NDJSON has one object per line", "[json]") {
  SECTION("LF") {
    const RawTable t = parse_json_table("{\"id\":\"1\"}\n{\"id\":\"2\"}\n", "leads.ndjson");
    CHECK(t.format == "ndjson");
    CHECK(t.columns == Fields{"id"});
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0].line == 1);
    CHECK(t.rows[1].line == 2);
    CHECK(t.rows[1].fields == Fields{"2"});
  }
  SECTION("CRLF and no final line end") {
    const RawTable t = parse_json_table("{\"id\":\"1\"}\r\n{\"id\":\"2\"}", "leads.ndjson");
    CHECK(t.format == "ndjson");
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0].fields == Fields{"1"});
    CHECK(t.rows[1].line == 2);
    CHECK(t.rows[1].fields == Fields{"2"});
  }
  SECTION("blank lines are skipped, counted, and keep line numbers honest") {
    // Lines: 1 object, 2 blank, 3 spaces only, 4 object.
    const RawTable t = parse_json_table("{\"id\":\"1\"}\n\n   \n{\"id\":\"2\"}\n", "leads.ndjson");
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0].line == 1);
    CHECK(t.rows[1].line == 4);
    CHECK(t.blank_rows == 2);
  }
}

TEST_CASE("json: array elements report the line they start on", "[json]") {
  const std::string text =
      "[\n"                               // 1
      "  {\"id\": \"1\",\n"               // 2 first element starts
      "   \"name\": \"Ana\"},\n"          // 3
      "  {\"id\": \"2\", \"name\": \"Bia\"},\n"  // 4 second element
      "\n"                                // 5
      "  {\n"                             // 6 third element starts
      "    \"id\": \"3\",\n"              // 7
      "    \"note\": \"a \\\"}\\\" b\"\n"  // 8 escaped quotes and a brace in a string
      "  }\n"                             // 9
      "  , {\"id\": \"4\"}\n"             // 10 fourth element after a leading comma
      "]\n";
  const RawTable t = parse_json_table(text, "leads.json");
  REQUIRE(t.rows.size() == 4);
  CHECK(t.rows[0].line == 2);
  CHECK(t.rows[1].line == 4);
  CHECK(t.rows[2].line == 6);
  CHECK(t.rows[3].line == 10);
  CHECK(cell(t, 2, "note") == "a \"}\" b");
  CHECK(t.rejections.empty());
}

TEST_CASE("json: columns are the union of keys in first-seen order and missing keys are blank", "[json]") {
  SECTION("NDJSON") {
    const RawTable t =
        parse_json_table("{\"id\":\"1\",\"a\":\"x\"}\n{\"b\":\"y\",\"id\":\"2\"}\n{\"id\":\"3\"}\n", "x.ndjson");
    CHECK(t.columns == Fields{"id", "a", "b"});
    REQUIRE(t.rows.size() == 3);
    CHECK(t.rows[0].fields == Fields{"1", "x", ""});
    CHECK(t.rows[1].fields == Fields{"2", "", "y"});
    CHECK(t.rows[2].fields == Fields{"3", "", ""});
  }
  SECTION("array, keys in a different order per object") {
    const RawTable t = parse_json_table(R"([{"z":"1","m":"2"},{"m":"3","a":"4","z":"5"}])", "x.json");
    CHECK(t.columns == Fields{"z", "m", "a"});
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0].fields == Fields{"1", "2", ""});
    CHECK(t.rows[1].fields == Fields{"5", "3", "4"});
  }
}

TEST_CASE("json: numbers keep their exact text", "[json]") {
  SECTION("an id too big for any integer type keeps every digit") {
    const RawTable t = parse_json_table("[{\"id\": 123456789012345678901234567890}]", "x.json");
    CHECK(cell(t, 0, "id") == "123456789012345678901234567890");
  }
  SECTION("the largest unsigned 64-bit value") {
    const RawTable t = parse_json_table("{\"id\": 18446744073709551615}\n", "x.ndjson");
    CHECK(cell(t, 0, "id") == "18446744073709551615");
  }
  SECTION("plain integers, negative too") {
    const RawTable t = parse_json_table("{\"a\": 42, \"b\": -7, \"c\": 0}\n", "x.ndjson");
    CHECK(t.rows[0].fields == Fields{"42", "-7", "0"});
  }
  SECTION("a decimal keeps its trailing zero") {
    const RawTable t = parse_json_table("{\"amount\": 1.50}\n", "x.ndjson");
    CHECK(cell(t, 0, "amount") == "1.50");
  }
  SECTION("exponents are kept as written") {
    const RawTable t = parse_json_table("{\"a\": 2.5e3, \"b\": 1E-2}\n", "x.ndjson");
    CHECK(t.rows[0].fields == Fields{"2.5e3", "1E-2"});
  }
}


TEST_CASE("json: null is blank and booleans are true/false", "[json]") {
  const RawTable t = parse_json_table(R"([{"a": null, "b": true, "c": false, "d": ""}])", "x.json");
  CHECK(t.columns == Fields{"a", "b", "c", "d"});
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].fields == Fields{"", "true", "false", ""});
}

TEST_CASE("json: strings are unescaped", "[json]") {
  const RawTable t = parse_json_table(R"({"a": "say \"hi\"", "b": "tab\there", "c": "caf\u00e9", "d": "x\/y"})"
                                      "\n",
                                      "x.ndjson");
  REQUIRE(t.rows.size() == 1);
  // U+00E9 is C3 A9 in UTF-8.
  CHECK(t.rows[0].fields == Fields{"say \"hi\"", "tab\there", "caf\xC3\xA9", "x/y"});
}

TEST_CASE("json: a duplicate key rejects its record and names the key", "[json]") {
  SECTION("NDJSON: the other records are read") {
    const RawTable t =
        parse_json_table("{\"id\":\"1\"}\n{\"id\":\"2\",\"owner\":\"a\",\"owner\":\"b\"}\n{\"id\":\"3\"}\n", "x.ndjson");
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0].fields[0] == "1");
    CHECK(t.rows[1].fields[0] == "3");
    CHECK(t.rows[1].line == 3);
    REQUIRE(t.rejections.size() == 1);
    CHECK(t.rejections[0].line == 2);
    CHECK(t.rejections[0].file == "x.ndjson");
    CHECK_THAT(t.rejections[0].reason, Catch::Contains("owner"));
    CHECK(t.rows_read() == 3);
  }
  SECTION("array") {
    const RawTable t = parse_json_table("[\n{\"id\":\"1\"},\n{\"id\":\"2\",\"id\":\"2\"}\n]", "x.json");
    REQUIRE(t.rows.size() == 1);
    REQUIRE(t.rejections.size() == 1);
    CHECK(t.rejections[0].line == 3);
    CHECK_THAT(t.rejections[0].reason, Catch::Contains("\"id\""));
  }
  SECTION("the same key in a nested object is not a duplicate") {
    const RawTable t = parse_json_table(R"([{"id":"1","meta":{"id":"x"}}])", "x.json");
    CHECK(t.rejections.empty());
    REQUIRE(t.rows.size() == 1);
    CHECK(cell(t, 0, "id") == "1");
  }
}

TEST_CASE("json: nested objects and arrays become their JSON text", "[json]") {
  const RawTable t = parse_json_table(R"([{"id":"1","tags":["ads","q1"],"meta":{"k":"v"},"empty":[],"deep":{"a":{"b":["c"]}}}])",
                                      "x.json");
  REQUIRE(t.rows.size() == 1);
  CHECK(cell(t, 0, "tags") == R"(["ads","q1"])");
  CHECK(cell(t, 0, "meta") == R"({"k":"v"})");
  CHECK(cell(t, 0, "empty") == "[]");
  CHECK(cell(t, 0, "deep") == R"({"a":{"b":["c"]}})");
}

TEST_CASE("json: nested values keep their JSON types", "[json]") {
  const RawTable t = parse_json_table(R"({"meta":{"n":1,"ok":true,"none":null},"arr":[1,2.5,false]})"
                                      "\n",
                                      "x.ndjson");
  REQUIRE(t.rows.size() == 1);
  // Compared as JSON values so that key order does not matter.
  CHECK(nlohmann::json::parse(cell(t, 0, "meta")) == nlohmann::json{{"n", 1}, {"ok", true}, {"none", nullptr}});
  CHECK(nlohmann::json::parse(cell(t, 0, "arr")) == nlohmann::json::array({1, 2.5, false}));
}

TEST_CASE("json: an array element that is not an object is rejected", "[json]") {
  // Lines: 2 object, 3 number, 4 array, 5 string, 6 object.
  const RawTable t = parse_json_table("[\n{\"id\":\"1\"},\n5,\n[1, 2],\n\"x\",\n{\"id\":\"2\"}\n]\n", "x.json");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].line == 2);
  CHECK(t.rows[1].line == 6);
  REQUIRE(t.rejections.size() == 3);
  CHECK(t.rejections[0].line == 3);
  CHECK(t.rejections[1].line == 4);
  CHECK(t.rejections[2].line == 5);
  for (const auto& r : t.rejections) CHECK_THAT(r.reason, Catch::Contains("object"));
  CHECK(t.rows_read() == 5);
}

TEST_CASE("json: a scalar element ending at a line break does not shift later lines", "[json]") {
  // Lines: 2 the number 7 (ends at the line break), 3 the comma, 4 an object.
  const RawTable t = parse_json_table("[\n7\n,\n{\"id\":\"1\"}\n]\n", "x.json");
  REQUIRE(t.rejections.size() == 1);
  CHECK(t.rejections[0].line == 2);
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].line == 4);
}

TEST_CASE("json: an NDJSON line that is not an object is rejected", "[json]") {
  const RawTable t = parse_json_table("{\"id\":\"1\"}\n42\n[\"a\"]\n{\"id\":\"2\"}\n", "x.ndjson");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[1].line == 4);
  REQUIRE(t.rejections.size() == 2);
  CHECK(t.rejections[0].line == 2);
  CHECK(t.rejections[1].line == 3);
}

TEST_CASE("json: an invalid NDJSON line is rejected with its line and the rest is read", "[json]") {
  const RawTable t =
      parse_json_table("{\"id\":\"1\"}\n{\"id\": }\n{\"id\":\"3\"\n{\"id\":\"4\"} trailing\n{\"id\":\"5\"}\n", "x.ndjson");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].line == 1);
  CHECK(t.rows[1].line == 5);
  CHECK(t.rows[1].fields == Fields{"5"});
  REQUIRE(t.rejections.size() == 3);
  CHECK(t.rejections[0].line == 2);
  CHECK(t.rejections[1].line == 3);
  CHECK(t.rejections[2].line == 4);
  for (const auto& r : t.rejections) {
    CHECK(r.file == "x.ndjson");
    CHECK_FALSE(r.reason.empty());
  }
  CHECK(t.rows_read() == 5);
}

TEST_CASE("json: a broken array keeps what was read before the break", "[json]") {
  SECTION("an element that never ends") {
    const RawTable t = parse_json_table("[\n{\"id\":\"1\"},\n{\"id\":\"2\"\n", "x.json");
    REQUIRE(t.rows.size() == 1);
    REQUIRE(t.rejections.size() == 1);
    CHECK(t.rejections[0].line == 3);
    CHECK_FALSE(t.rejections[0].reason.empty());
  }
  SECTION("a missing comma between elements") {
    const RawTable t = parse_json_table("[{\"id\":\"1\"}\n {\"id\":\"2\"}]", "x.json");
    REQUIRE(t.rows.size() == 1);
    REQUIRE(t.rejections.size() == 1);
    CHECK(t.rejections[0].line == 2);
  }
  SECTION("a missing closing bracket keeps the rows and is a rejection (a truncated file)") {
    const RawTable t = parse_json_table("[{\"id\":\"1\"},\n{\"id\":\"2\"}\n", "x.json");
    CHECK(t.rows.size() == 2);
    REQUIRE(t.rejections.size() == 1);
    CHECK_THAT(t.rejections[0].reason, Catch::Contains("truncated"));
  }
}

TEST_CASE("json: an empty file is a file error, not an exception", "[json]") {
  std::string text;
  SECTION("empty") { text = ""; }
  SECTION("whitespace") { text = " \n\t\r\n"; }
  const RawTable t = parse_json_table(text, "empty.json");
  REQUIRE(t.file_errors.size() == 1);
  CHECK_THAT(t.file_errors[0], Catch::Contains("empty.json"));
  CHECK(t.rows_read() == 0);
}

TEST_CASE("json: a trailing comma or text after the array is a rejection", "[json]") {
  SECTION("trailing comma") {
    const RawTable t = parse_json_table("[{\"id\":\"1\"},\n]", "t.json");
    CHECK(t.rows.size() == 1);
    REQUIRE(t.rejections.size() == 1);
    CHECK(t.rejections[0].line == 2);
  }
  SECTION("text after the closing bracket") {
    const RawTable t = parse_json_table("[{\"id\":\"1\"}]\n]", "t.json");
    CHECK(t.rows.size() == 1);
    REQUIRE(t.rejections.size() == 1);
    CHECK(t.rejections[0].line == 2);
  }
  SECTION("whitespace after the closing bracket is fine") {
    const RawTable t = parse_json_table("[{\"id\":\"1\"}]\n\n", "t.json");
    CHECK(t.rejections.empty());
  }
}

TEST_CASE("json: a value longer than max_field_bytes rejects its record with the key", "[json]") {
  const std::string text = "{\"id\":\"1\",\"note\":\"" + std::string(100, 'x') + "\"}\n{\"id\":\"2\"}\n";
  const RawTable t = parse_json_table(text, "t.ndjson", 50);
  CHECK(t.rows.size() == 1);
  REQUIRE(t.rejections.size() == 1);
  CHECK(t.rejections[0].line == 1);
  CHECK(t.rejections[0].column == "note");
}

TEST_CASE("json: parse_table detects JSON by name or first character", "[json]") {
  SECTION("by .json extension") {
    const RawTable t = parse_table("[{\"id\":\"1\"}]", "leads.json", ReadOptions{});
    CHECK(t.format == "json");
    REQUIRE(t.rows.size() == 1);
  }
  SECTION("by .ndjson extension") {
    const RawTable t = parse_table("{\"id\":\"1\"}\n", "leads.ndjson", ReadOptions{});
    CHECK(t.format == "ndjson");
  }
  SECTION("by .jsonl extension") {
    const RawTable t = parse_table("{\"id\":\"1\"}\n", "leads.jsonl", ReadOptions{});
    CHECK(t.format == "ndjson");
  }
  SECTION("by content, after a BOM and spaces") {
    const RawTable t = parse_table("\xEF\xBB\xBF  \n[{\"id\":\"1\"}]", "-", ReadOptions{});
    CHECK(t.format == "json");
    CHECK(t.bom);
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].line == 2);
    CHECK(t.columns == Fields{"id"});
  }
  SECTION("anything else is CSV") {
    const RawTable t = parse_table("id\n1\n", "-", ReadOptions{});
    CHECK(t.format == "csv");
  }
}

TEST_CASE("json: a record nested deeper than 64 levels is rejected, not followed down", "[json]") {
  // 100 000 nested arrays would exhaust the stack if followed; the record is
  // rejected with its line and the next record is still read.
  const std::string deep = "{\"id\":\"1\",\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}\n";
  const RawTable t = parse_json_table(deep + "{\"id\":\"2\"}\n", "x.ndjson");
  REQUIRE(t.rejections.size() == 1);
  CHECK(t.rejections[0].line == 1);
  CHECK_THAT(t.rejections[0].reason, Catch::Contains("64"));
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].line == 2);
}

TEST_CASE("json: 64 levels of nesting are still read", "[json]") {
  // The object itself is level 1; 63 nested arrays reach level 64.
  const std::string ok = "{\"id\":\"1\",\"x\":" + std::string(63, '[') + std::string(63, ']') + "}\n";
  const RawTable t = parse_json_table(ok, "x.ndjson");
  CHECK(t.rejections.empty());
  CHECK(t.rows.size() == 1);
}

}  // namespace leadfunnel
