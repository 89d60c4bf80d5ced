#pragma once
// Shared helpers of the leadfunnel fuzz targets: a hard invariant check, the
// physical line count of an input, and the checks every RawTable must pass.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "leadfunnel/error.hpp"
#include "leadfunnel/input.hpp"

namespace fuzz {

[[noreturn]] inline void invariant_failed(const char* file, int line, const char* expr, const std::string& detail) {
  std::fprintf(stderr, "\n==leadfunnel-fuzz== INVARIANT FAILED at %s:%d: %s\n==leadfunnel-fuzz== %s\n", file, line,
               expr, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace fuzz

/// Aborts (a libFuzzer finding) when `cond` is false; `detail` is any std::string expression.
#define FUZZ_CHECK(cond, detail)                                                \
  do {                                                                          \
    if (!(cond)) ::fuzz::invariant_failed(__FILE__, __LINE__, #cond, (detail)); \
  } while (0)

namespace fuzz {

inline std::string_view as_view(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Physical lines of `bytes`: "\r\n", "\n" and "\r" each end one line, and
/// the text after the last line end is one more line (possibly empty).
/// Counted on the raw bytes, this is an upper bound for the lines of the
/// decoded text too (UTF-16 CR LF is CR NUL LF NUL here: two ends).
inline std::size_t physical_lines(std::string_view bytes) {
  std::size_t ends = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n') {
      ++ends;
    } else if (bytes[i] == '\r') {
      ++ends;
      if (i + 1 < bytes.size() && bytes[i + 1] == '\n') ++i;
    }
  }
  return ends + 1;
}

/// A short, printable excerpt for messages.
inline std::string shown(std::string_view s, std::size_t max = 80) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
  return out;
}

/// The documented errors end a run with a message; only an internal error is a bug.
inline void documented_error(const leadfunnel::Error& e) {
  FUZZ_CHECK(e.code() != leadfunnel::ExitCode::Internal,
             std::string("an internal error escaped: ") + e.what());
  FUZZ_CHECK(std::string_view(e.what()).size() > 0, "an error without a message");
}

/// The invariants of every table a reader returns for an input of `lines`
/// physical lines, read under `max_field_bytes`.
inline void check_table(const leadfunnel::RawTable& t, const std::string& path, std::size_t lines,
                        std::size_t max_field_bytes) {
  FUZZ_CHECK(t.path == path, "table path " + t.path + " != " + path);
  for (const auto& r : t.rejections) {
    FUZZ_CHECK(r.file == path, "rejection file '" + r.file + "' != " + path);
    FUZZ_CHECK(r.line >= 1 && r.line <= lines, "rejection line " + std::to_string(r.line) + " outside 1.." +
                                                   std::to_string(lines) + " (" + shown(r.reason) + ")");
    FUZZ_CHECK(!r.reason.empty(), "rejection without a reason on line " + std::to_string(r.line));
  }
  std::size_t previous = 0;
  for (const auto& row : t.rows) {
    FUZZ_CHECK(row.line >= 1 && row.line <= lines,
               "row line " + std::to_string(row.line) + " outside 1.." + std::to_string(lines));
    FUZZ_CHECK(row.line >= previous,
               "rows out of order: line " + std::to_string(row.line) + " after line " + std::to_string(previous));
    previous = row.line;
    FUZZ_CHECK(row.fields.size() == t.columns.size(), "row on line " + std::to_string(row.line) + " has " +
                                                          std::to_string(row.fields.size()) + " fields, header has " +
                                                          std::to_string(t.columns.size()));
    for (const auto& f : row.fields)
      FUZZ_CHECK(f.size() <= max_field_bytes, "field of " + std::to_string(f.size()) + " bytes on line " +
                                                  std::to_string(row.line) + " exceeds max_field_bytes " +
                                                  std::to_string(max_field_bytes));
  }
  FUZZ_CHECK(t.rows_read() == t.rows.size() + t.rejections.size() + t.unlisted_rejections,
             "rows_read() is not rows + listed + unlisted rejections");
  FUZZ_CHECK(t.unlisted_rejections == 0 || t.rejections.size() == leadfunnel::RawTable::kListedRejections,
             "rejections left unlisted before the listing limit was reached");
  for (const auto& e : t.file_errors) FUZZ_CHECK(!e.empty(), "a file error without a message");
}

/// Whether two tables read the same rows, columns and rejections (file
/// error messages name the path, so only their number is compared).
inline bool same_content(const leadfunnel::RawTable& a, const leadfunnel::RawTable& b) {
  if (a.columns != b.columns || a.rows.size() != b.rows.size() || a.rejections.size() != b.rejections.size() ||
      a.format != b.format || a.delimiter != b.delimiter || a.blank_rows != b.blank_rows ||
      a.non_data_rows != b.non_data_rows || a.file_errors.size() != b.file_errors.size() ||
      a.unlisted_rejections != b.unlisted_rejections)
    return false;
  for (std::size_t i = 0; i < a.rows.size(); ++i)
    if (a.rows[i].line != b.rows[i].line || a.rows[i].fields != b.rows[i].fields) return false;
  for (std::size_t i = 0; i < a.rejections.size(); ++i)
    if (a.rejections[i].line != b.rejections[i].line || a.rejections[i].reason != b.rejections[i].reason)
      return false;
  return true;
}

/// An optional, smaller field limit for fuzzing the --max-field-bytes check at
/// fuzzing sizes: FUZZ_MAX_FIELD_BYTES=N in the environment (0 or unset: off).
inline std::size_t small_field_limit() {
  static const std::size_t limit = [] {
    const char* v = std::getenv("FUZZ_MAX_FIELD_BYTES");
    return v ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10)) : std::size_t{0};
  }();
  return limit;
}

}  // namespace fuzz
