#pragma once
/// Reading one input file (CSV, JSON array or NDJSON) into rows of text.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadfunnel {

/// A row that was read but not used, and why.
struct Rejection {
  std::string file;
  std::size_t line = 0;   ///< physical line the row starts on (header = 1)
  std::string column;     ///< empty when the problem is the whole row
  std::string reason;
};

/// One data row: its physical line and one text value per column.
struct RawRow {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

/// A whole file read into text rows, before any meaning is given to them.
struct RawTable {
  std::string path;
  std::string format;          ///< "csv", "json" or "ndjson"
  char delimiter = 0;          ///< CSV only
  bool bom = false;
  std::string encoding = "utf-8";  ///< what the bytes were decoded from
  std::string line_ending;     ///< CSV only: "LF", "CRLF", "CR" or "none"
  bool trailing_delimiter = false;
  std::vector<std::string> columns;
  std::vector<RawRow> rows;
  std::vector<Rejection> rejections;  ///< rows that could not be read at all
  std::size_t blank_rows = 0;         ///< blank or all-empty rows, skipped
  std::size_t non_data_rows = 0;      ///< report titles and footers, skipped
  std::vector<std::string> notes;     ///< things the reader noticed, for the report
  /// Rows read = rows.size() + rejections.size().
  std::size_t rows_read() const { return rows.size() + rejections.size(); }
};

/// How to read a file; empty members mean "detect".
struct ReadOptions {
  std::optional<char> delimiter;
  std::optional<std::string> format;  ///< "csv", "json" or "ndjson"
  std::optional<std::string> encoding;  ///< "utf-8", "utf-16le", "utf-16be", "windows-1252"
  /// --max-field-bytes: a longer field rejects its record (CSV and JSON).
  std::size_t max_field_bytes = std::size_t{1} << 20;
};

/// Reads `path` ("-" is stdin). Throws InputError (exit 66) when it cannot be
/// opened, and (exit 65) when it has no header or is not a table at all.
RawTable read_table(const std::string& path, const ReadOptions& options);

/// Parses bytes already in memory; `path` is used in messages only.
RawTable parse_table(std::string_view bytes, const std::string& path, const ReadOptions& options);

/// CSV bytes (BOM already removed) into a table.
RawTable parse_csv_table(std::string_view bytes, const std::string& path, std::optional<char> delimiter);

/// A JSON array of objects, or NDJSON (one object per line), into a table.
/// Columns are the union of keys in order of first appearance; ids and other
/// numbers keep their exact text.
RawTable parse_json_table(std::string_view bytes, const std::string& path);

}  // namespace leadfunnel
