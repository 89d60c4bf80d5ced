// fuzz_json: bytes -> parse_json_table (as "fuzz.ndjson") and parse_table (as
// "fuzz.json": a JSON array of objects or NDJSON).
//
// Invariants (any failure aborts):
//  - only leadfunnel::Error subclasses (not ExitCode::Internal) may be thrown;
//  - every rejection and every row names a line in 1..physical lines of the
//    input, rows come in nondecreasing line order, every row has exactly as
//    many fields as there are columns, and column names are unique;
//  - no field is longer than ReadOptions{}.max_field_bytes (and, with
//    FUZZ_MAX_FIELD_BYTES=N set, than N when read with that limit);
//  - for UTF-8 input, parse_table gives the same rows and rejections as
//    parse_json_table on the bytes without their BOM;
//  - every line that read_flat_object (the NDJSON stream's hand reader of
//    plain records) accepts, with its keys all different, is a row of the
//    same keys and texts for parse_json_table.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "leadfunnel/encoding.hpp"
#include "leadfunnel/input.hpp"
#include "leadfunnel/json_flat.hpp"

using namespace leadfunnel;

namespace {

void check_json_table(const RawTable& t, const std::string& path, std::size_t lines, std::size_t max_field_bytes) {
  FUZZ_CHECK(t.format == "json" || t.format == "ndjson", "format " + t.format);
  fuzz::check_table(t, path, lines, max_field_bytes);
  std::set<std::string> names(t.columns.begin(), t.columns.end());
  FUZZ_CHECK(names.size() == t.columns.size(), "the same key names two columns");
}

std::optional<RawTable> read_json(std::string_view bytes, std::size_t lines) {
  const std::string path = "fuzz.ndjson";
  try {
    RawTable t = parse_json_table(bytes, path);
    check_json_table(t, path, lines, ReadOptions{}.max_field_bytes);
    return t;
  } catch (const Error& e) {
    fuzz::documented_error(e);
    return std::nullopt;
  }
}

std::optional<RawTable> read_any(std::string_view bytes, std::size_t lines, const ReadOptions& options) {
  const std::string path = "fuzz.json";
  try {
    RawTable t = parse_table(bytes, path, options);
    check_json_table(t, path, lines, options.max_field_bytes);
    return t;
  } catch (const Error& e) {
    fuzz::documented_error(e);
    return std::nullopt;
  }
}

/// The hand reader of plain records against the reference, line by line.
void check_flat_lines(std::string_view bytes) {
  std::vector<JsonField> fields;
  std::string padded;
  while (!bytes.empty()) {
    const std::size_t nl = bytes.find('\n');
    const std::string_view line = bytes.substr(0, nl);
    bytes.remove_prefix(nl == std::string_view::npos ? bytes.size() : nl + 1);
    padded.assign(line);
    padded.append(64, '"');  // bytes past the line must not count
    if (!read_flat_object(std::string_view(padded).substr(0, line.size()), padded.size(), 1 << 20, fields)) continue;
    std::set<std::string_view> keys;
    for (const auto& f : fields) keys.insert(f.key);
    if (keys.size() != fields.size()) continue;  // a key twice: the stream asks the reference
    const RawTable t = parse_json_table(std::string(line) + "\r\n", "fuzz.ndjson");
    FUZZ_CHECK(t.rejections.empty() && t.rows.size() == 1, "a line read as a plain record is not one row");
    FUZZ_CHECK(t.columns.size() == fields.size(), "a plain record read with other keys");
    for (std::size_t i = 0; i < fields.size(); ++i) {
      FUZZ_CHECK(t.columns[i] == fields[i].key, "a plain record read with other keys");
      FUZZ_CHECK(t.rows[0].fields[i] == fields[i].text, "a plain record read with another text");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes = fuzz::as_view(data, size);
  const std::size_t lines = fuzz::physical_lines(bytes);

  const auto direct = read_json(bytes, lines);
  const auto table = read_any(bytes, lines, ReadOptions{});

  // On valid UTF-8 that parse_table reads as UTF-8, it is parse_json_table without the BOM.
  std::string_view body = bytes;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  if (is_valid_utf8(body) && (!table || table->encoding == "utf-8")) {
    const auto stripped = body.size() == bytes.size() ? direct : read_json(body, lines);
    FUZZ_CHECK(stripped.has_value() == table.has_value(), "parse_table and parse_json_table disagree on failing");
    if (stripped && table)
      FUZZ_CHECK(fuzz::same_content(*stripped, *table), "parse_table and parse_json_table read different tables");
  }

  check_flat_lines(bytes);

  if (const std::size_t small = fuzz::small_field_limit()) {
    ReadOptions options;
    options.max_field_bytes = small;
    read_any(bytes, lines, options);
  }
  return 0;
}
