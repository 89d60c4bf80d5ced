#pragma once
/// The common NDJSON record read by hand: one flat object of plain strings,
/// numbers, booleans and nulls. The NDJSON stream tries it before simdjson.

#include <cstddef>
#include <string_view>
#include <vector>

namespace leadfunnel {

/// One key of a JSON record and its value as text (blank for null).
struct JsonField {
  std::string_view key;
  std::string_view text;
};

/// Reads `line` (no line break in it) into its fields, in order, when it is
/// an object of the plain kind: keys and string values without a backslash
/// or a control character, numbers that plain_json_number accepts (text as
/// written, "-0" as "0"), true, false and null, each value at most
/// `max_field_bytes` long, and only white space after the '}'. A key may
/// be there twice (the caller checks). The views point into `line`, and
/// the fields are what nlohmann's reading of the line gives. Returns false
/// for anything else (an empty object, a nested value, an escape, bytes
/// that are not UTF-8, any syntax error), which the caller reads the slow
/// way. `readable` is how many bytes from line.data() may be read: the scan
/// reads 16 bytes at a time, so it is used only when that is at least
/// line.size() + 16 (the bytes past the line do not change the result).
bool read_flat_object(std::string_view line, std::size_t readable, std::size_t max_field_bytes,
                      std::vector<JsonField>& out);

/// Whether `s` is a JSON number that nlohmann reads without a chance of
/// overflowing a double (it rejects those).
bool plain_json_number(std::string_view s);

}  // namespace leadfunnel
