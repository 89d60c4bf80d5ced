// fuzz_csv: bytes -> parse_csv_table and parse_table (as "fuzz.csv").
//
// Invariants (any failure aborts):
//  - only leadfunnel::Error subclasses (not ExitCode::Internal) may be thrown;
//  - every rejection and every row names a line in 1..physical lines of the
//    input, rows come in nondecreasing line order, and every row has exactly
//    as many fields as the header;
//  - no field is longer than ReadOptions{}.max_field_bytes (and, with
//    FUZZ_MAX_FIELD_BYTES=N set, than N when read with that limit);
//  - for UTF-8 input that parse_table reads as CSV, parse_table gives the same
//    rows and rejections as parse_csv_table on the bytes without their BOM;
//  - parse_table reads the same table whatever its block size (1-16 bytes,
//    from the input length, against the default 64 KiB).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz_common.hpp"
#include "leadfunnel/encoding.hpp"
#include "leadfunnel/input.hpp"

using namespace leadfunnel;

namespace {

const std::string kPath = "fuzz.csv";

std::optional<RawTable> read_csv(std::string_view bytes, std::size_t lines) {
  try {
    RawTable t = parse_csv_table(bytes, kPath, std::nullopt);
    FUZZ_CHECK(t.format == "csv", "format " + t.format);
    FUZZ_CHECK(t.delimiter == ',' || t.delimiter == ';' || t.delimiter == '\t' || t.delimiter == '|',
               "sniffed delimiter " + fuzz::shown(std::string(1, t.delimiter)));
    FUZZ_CHECK(t.line_ending == "LF" || t.line_ending == "CRLF" || t.line_ending == "CR" || t.line_ending == "none",
               "line ending " + t.line_ending);
    fuzz::check_table(t, kPath, lines, ReadOptions{}.max_field_bytes);
    return t;
  } catch (const Error& e) {
    fuzz::documented_error(e);
    return std::nullopt;
  }
}

std::optional<RawTable> read_any(std::string_view bytes, std::size_t lines, const ReadOptions& options) {
  try {
    RawTable t = parse_table(bytes, kPath, options);
    fuzz::check_table(t, kPath, lines, options.max_field_bytes);
    return t;
  } catch (const Error& e) {
    fuzz::documented_error(e);
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes = fuzz::as_view(data, size);
  const std::size_t lines = fuzz::physical_lines(bytes);

  const auto direct = read_csv(bytes, lines);
  const auto table = read_any(bytes, lines, ReadOptions{});

  // parse_table on valid UTF-8 text that is not JSON, when it reads it as
  // UTF-8 (the streaming decoder may fall back to Windows-1252 on its own
  // evidence), is parse_csv_table without the BOM.
  std::string_view body = bytes;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  if (is_valid_utf8(body) && table && table->encoding == "utf-8") {
    const auto first = body.find_first_not_of(" \t\r\n");
    const bool json = first != std::string_view::npos && (body[first] == '[' || body[first] == '{');
    if (!json) {
      const auto stripped = body.size() == bytes.size() ? direct : read_csv(body, lines);
      FUZZ_CHECK(stripped.has_value() == table.has_value(), "parse_table and parse_csv_table disagree on failing");
      if (stripped && table)
        FUZZ_CHECK(fuzz::same_content(*stripped, *table), "parse_table and parse_csv_table read different tables");
    }
  }

  // The streaming reader pulls the text in blocks: any block size reads the
  // same table (a size from 1 to 16 bytes, chosen by the input's length).
  {
    ReadOptions options;
    options.block_bytes = size % 16 + 1;
    const auto blocks = read_any(bytes, lines, options);
    FUZZ_CHECK(blocks.has_value() == table.has_value(), "block size " + std::to_string(options.block_bytes) +
                                                            " changes whether the file can be read");
    if (blocks && table)
      FUZZ_CHECK(fuzz::same_content(*blocks, *table),
                 "block size " + std::to_string(options.block_bytes) + " reads another table");
  }

  if (const std::size_t small = fuzz::small_field_limit()) {
    ReadOptions options;
    options.max_field_bytes = small;
    read_any(bytes, lines, options);
  }
  return 0;
}
