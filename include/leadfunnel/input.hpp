#pragma once
/// Reading one input file (CSV, JSON array or NDJSON) into rows of text.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadfunnel/cells.hpp"

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
  Cells fields;
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
  std::vector<std::string> header;    ///< CSV only: the header cells exactly as written
  std::size_t header_end_line = 0;    ///< CSV only: the physical line the header ends on
  std::vector<RawRow> rows;
  std::vector<Rejection> rejections;  ///< rows that could not be read at all
  std::size_t blank_rows = 0;         ///< blank or all-empty rows, skipped
  std::size_t non_data_rows = 0;      ///< report titles and footers, skipped
  std::vector<std::string> notes;     ///< things the reader noticed, for the report
  /// Problems that make the whole file unusable (empty, no readable header,
  /// a column named twice); its rows are all rejected by the load step.
  std::vector<std::string> file_errors;
  /// Rows rejected beyond kListedRejections: counted, not listed, so that a
  /// file of millions of broken lines is read in bounded memory.
  std::size_t unlisted_rejections = 0;
  static constexpr std::size_t kListedRejections = 100000;

  void reject(Rejection r) {
    if (rejections.size() < kListedRejections) rejections.push_back(std::move(r));
    else ++unlisted_rejections;
  }
  /// Rows read = rows used or not yet judged + rows rejected.
  std::size_t rows_read() const { return rows.size() + rejections.size() + unlisted_rejections; }
};

/// How to read a file; empty members mean "detect".
struct ReadOptions {
  std::optional<char> delimiter;
  std::optional<std::string> format;  ///< "csv", "json" or "ndjson"
  std::optional<std::string> encoding;  ///< "utf-8", "utf-16le", "utf-16be", "windows-1252"
  /// --max-field-bytes: a longer field rejects its record (CSV and JSON).
  std::size_t max_field_bytes = std::size_t{1} << 20;
  /// Bytes read from the file per step; tests force tiny ones.
  std::size_t block_bytes = std::size_t{1} << 16;
  /// The CSV records as parsed (validate --dump-records): rows as wide as
  /// the header whose every field is empty are kept as rows, and report
  /// titles and footers are not looked for.
  bool raw_records = false;
  /// Threads a first pass over a regular file may read it with, in byte
  /// ranges (--threads), each of at least range_bytes; tests force tiny ones.
  std::size_t threads = 1;
  std::uint64_t range_bytes = std::uint64_t{16} << 20;
  /// NDJSON: which key holds the lead ids, given the keys of one record (the
  /// loader's column mapping; nothing when it cannot tell). When set, the
  /// columns pass also collects the ids (RowStream::first_ids), so that the
  /// loader need not read the file once more for them.
  std::function<std::optional<std::string>(const std::vector<std::string>& keys)> id_key;
  /// NDJSON: learn the columns from the records that start in the file's
  /// first guess_bytes only (when the file is larger), on the guess that
  /// later records bring no key of their own, instead of a pass over the
  /// whole file. A later record that proves the guess wrong (a new key, or
  /// a line that is not UTF-8) makes the stream throw ColumnsGuessedWrong
  /// while it reads rows: the caller reads the file again without guessing.
  /// The lead ids are then not collected (id_key is not used).
  bool guess_columns = false;
  std::uint64_t guess_bytes = std::uint64_t{4} << 20;  ///< tests force tiny ones
};

/// How many byte ranges a first pass over a file of `bytes` bytes reads at
/// once: at most one per thread, each of at least options.range_bytes.
std::size_t pass_ranges(std::uint64_t bytes, const ReadOptions& options);

class ByteSource;

/// Reads `path` ("-" is stdin) in blocks: a CSV file is never held in memory
/// whole. Throws InputError (exit 66) when it cannot be opened, (exit 74) when
/// a read fails. An empty file, or one whose header cannot be read, is not an
/// exception: the table carries a file error.
RawTable read_table(const std::string& path, const ReadOptions& options);

/// Reads a table from any byte source; `path` is used in messages only.
RawTable read_source(ByteSource& source, const std::string& path, const ReadOptions& options);

/// Parses bytes already in memory; `path` is used in messages only.
RawTable parse_table(std::string_view bytes, const std::string& path, const ReadOptions& options);

/// CSV text (UTF-8, BOM already removed) into a table.
RawTable parse_csv_table(std::string_view bytes, const std::string& path, std::optional<char> delimiter);

/// CSV text from a source, in blocks. `sample` is the start of the text
/// (for sniffing the delimiter and line ending) and must also be the first
/// bytes `source` yields.
RawTable parse_csv_stream(ByteSource& source, std::string_view sample, const std::string& path,
                          const ReadOptions& options);

/// A JSON array of objects, or NDJSON (one object per line), into a table.
/// Columns are the union of keys in order of first appearance; ids and other
/// numbers keep their exact text. A value longer than `max_field_bytes`
/// rejects its record.
RawTable parse_json_table(std::string_view bytes, const std::string& path,
                          std::size_t max_field_bytes = std::size_t{1} << 20);

}  // namespace leadfunnel
