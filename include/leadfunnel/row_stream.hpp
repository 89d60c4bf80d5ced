#pragma once
/// Rows of one input file, handed out in batches as the file is read, so that
/// the load step never holds the whole file.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadfunnel/input.hpp"
#include "leadfunnel/repeats.hpp"
#include "leadfunnel/source.hpp"

namespace leadfunnel {

/// Works out the cells of rows a stream handed out unparsed (see
/// RowStream::defer_parsing). Each thread has one of its own.
class RowParser {
 public:
  virtual ~RowParser() = default;
  /// Replaces `row`'s record text with its cells, as next_batch would have
  /// given them; or returns why the record is rejected (`row` is then left
  /// unusable).
  virtual std::optional<Rejection> parse(RawRow& row) = 0;
};

/// Thrown while a stream that guessed its columns (ReadOptions::guess_columns)
/// reads a record that proves the guess wrong: the rows handed out so far
/// may have lacked a column. Read the file again without guessing.
struct ColumnsGuessedWrong {};

class RowStream {
 public:
  virtual ~RowStream() = default;

  /// The file's description: format, columns, and (as reading goes on) its
  /// rejections, blank and non-data rows, notes and file errors. Its `rows`
  /// stay empty: rows come from next_batch. The columns are final as soon as
  /// the stream exists (unless guessed_columns()).
  virtual RawTable& table() = 0;

  /// Replaces `rows` with the next rows of the file, in file order, at most
  /// `max_rows` of them (the strings of `rows` are reused). Empty at the end.
  /// Rows rejected while reading go to table() instead.
  virtual void next_batch(std::vector<RawRow>& rows, std::size_t max_rows) = 0;

  /// The hashes (lead_id_hash) of the trimmed, non-empty values of key
  /// `id_key`, collected while the columns were found (ReadOptions::id_key),
  /// with scan_ndjson_ids' contract: every id the rows hold, perhaps more.
  /// Nothing when the stream did not collect them, or not for this key; it
  /// gives them once.
  virtual std::optional<RepeatFinder> first_ids(std::string_view /*id_key*/) { return std::nullopt; }

  /// Asks the stream to hand its rows out unparsed from now on, where that
  /// makes reading cheaper: next_batch then gives each row's line and record
  /// text only, to be parsed by row_parser()s on any thread, and rejects
  /// nothing itself (those rejections come from the parsers). Call before
  /// the first next_batch. False when the stream parses as it reads.
  virtual bool defer_parsing() { return false; }

  /// A parser for rows handed out unparsed, for one thread; only after
  /// defer_parsing() returned true. The stream must outlive it.
  virtual std::unique_ptr<RowParser> row_parser() { return nullptr; }

  /// Whether the columns were guessed from the start of the file
  /// (ReadOptions::guess_columns): reading on may throw ColumnsGuessedWrong.
  virtual bool guessed_columns() const { return false; }
};

/// Opens `path` ("-" is stdin) and reads its header: CSV is read in blocks,
/// NDJSON in blocks too when it is a UTF-8 file; other JSON is read whole.
/// Throws InputError as read_table does.
std::unique_ptr<RowStream> open_rows(const std::string& path, const ReadOptions& options);

/// Rows from any byte source; `path` is used in messages only.
std::unique_ptr<RowStream> open_rows(std::unique_ptr<ByteSource> source, const std::string& path,
                                     const ReadOptions& options);

/// Rows from a source the caller keeps alive.
std::unique_ptr<RowStream> borrow_rows(ByteSource& source, const std::string& path, const ReadOptions& options);

/// CSV rows from decoded text; `sample` is the start of the text (for
/// sniffing) and must also be the first bytes `text` yields.
std::unique_ptr<RowStream> csv_rows(ByteSource& text, std::string_view sample, const std::string& path,
                                    const ReadOptions& options);

/// A table already read whole, handed out as a stream (tests, JSON arrays).
std::unique_ptr<RowStream> rows_of(RawTable table);

/// Reads a whole stream into its table (rows included).
RawTable drain(RowStream& stream);

}  // namespace leadfunnel
