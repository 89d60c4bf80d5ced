#pragma once
/// A CSV record reader: RFC 4180 plus what real exports do.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "leadfunnel/cells.hpp"
#include "leadfunnel/source.hpp"

namespace leadfunnel {

/// One record and the physical line it starts on (1-based).
struct CsvRecord {
  std::size_t line = 0;
  std::size_t end_line = 0;  ///< the physical line the record ends on
  std::size_t offset = 0;    ///< byte offset of its first character in the (decoded) input
  Cells fields;
};

/// A record that could not be read, with the line it starts on.
struct CsvProblem {
  std::size_t line = 0;
  std::string reason;
};

/// Picks the delimiter among `,` `;` TAB `|` whose field counts are the most
/// consistent over the first records (quote-aware); `,` when nothing fits.
char sniff_delimiter(std::string_view data);

/// Names the line ending used first in `data`: "LF", "CRLF", "CR" or "none".
std::string sniff_line_ending(std::string_view data);

/// How much the reader takes in at a time, and how long a field may be.
struct CsvLimits {
  std::size_t max_field_bytes = std::size_t{1} << 20;  ///< a longer field rejects its record
  std::size_t block_bytes = std::size_t{1} << 16;      ///< bytes pulled from the source per read
};

/// Reads records one at a time from a byte source, in blocks: memory holds
/// one block and the record being read, never the file. Handles LF, CRLF and
/// CR line ends, quoted fields with delimiters, doubled quotes and line
/// breaks, and skips blank lines. An unterminated quote rejects its record
/// and reading resumes on the physical line after the one the quote opened
/// on. Text after a closing quote rejects the record it is in; when that
/// quoted field spanned lines, the quote that opened it was most likely
/// stray, so reading resumes on the line after the quote's line instead of
/// swallowing the rows in between. A field longer than max_field_bytes is
/// rejected the same way (resuming after the line the field began on); a
/// record longer than 8 times that (at least 1 MiB, each field counting 32
/// bytes more) resumes after its first line. So a stray quote in a huge file
/// costs bounded memory. After any such resume, quotes opened in the lines
/// read again may not span lines, so each byte is read at most twice.
class CsvReader {
 public:
  enum class Status { Record, Problem, End };

  CsvReader(ByteSource& source, char delimiter, CsvLimits limits = {});
  /// Reads from memory (the sniffers and tests).
  CsvReader(std::string_view data, char delimiter, CsvLimits limits = {});

  /// Reads the next record into `record`, or describes why it is unusable.
  Status next(CsvRecord& record, CsvProblem& problem);

  /// Goes back to read again from the physical line after the first line of
  /// `record`, which must be the record `next` just returned: used when a
  /// record that spans lines turns out to be broken, so that a stray quote
  /// cannot swallow the rows after it.
  void resume_after_first_line(const CsvRecord& record);

  /// Blank lines skipped so far.
  std::size_t blank_lines() const { return blank_lines_; }

  /// Unquoted fields read so far that contain a quote character: legal but
  /// unusual, and a sign of a wrong delimiter when sniffing.
  std::size_t stray_quotes() const { return stray_quotes_; }

  /// The most bytes the reader has held at once (for tests of bounded memory).
  std::size_t buffer_high_water() const { return high_water_; }

 private:
  bool more();                 ///< pulls another block; false at the end of the input
  bool have(std::size_t n);    ///< whether n bytes are buffered from pos_, pulling as needed
  void skip_line_end();        ///< at CR or LF: steps over CR, LF or CRLF
  /// Reads a record that is one buffered line with no quote or CR in it, or
  /// whose first quote opens a field (the rest then read as
  /// split_buffered_record reads it); false (nothing read) for any other record.
  bool split_plain_line(CsvRecord& record, std::size_t max_field, std::size_t max_record);
  /// Reads a wholly buffered, well-formed record that may have quoted
  /// fields (with delimiters, doubled quotes and LF line breaks in them);
  /// false (nothing read) for any other record.
  bool split_buffered_record(CsvRecord& record, std::size_t max_field, std::size_t max_record);
  /// split_buffered_record from `p` on, the record starting at buf_[pos_]:
  /// `record` holds its first `fields` fields, which end just before `p`.
  bool split_buffered_rest(CsvRecord& record, const char* p, std::size_t fields, std::size_t max_field,
                           std::size_t max_record);
  /// Rewinds to `offset` (a record start still buffered) and skips its line.
  void skip_first_line(std::size_t offset, std::size_t line);
  /// Reports a problem with the record starting on `record_line`, then
  /// resumes after the line that `offset` (on physical line `line`) is on.
  Status reject_and_skip(std::size_t record_line, std::size_t offset, std::size_t line, CsvProblem& problem,
                         std::string reason);

  std::unique_ptr<ByteSource> owned_;
  ByteSource* source_;
  char delimiter_;
  CsvLimits limits_;
  std::string buf_;         ///< buffered bytes; buf_[0] is byte `base_` of the input
  std::size_t end_ = 0;     ///< bytes of buf_ in use (the rest is room for the next block)
  std::size_t base_ = 0;
  std::size_t keep_ = 0;    ///< bytes before this index may be dropped
  std::size_t pos_ = 0;
  bool eof_ = false;
  std::size_t line_ = 1;
  std::size_t blank_lines_ = 0;
  std::size_t stray_quotes_ = 0;
  std::size_t high_water_ = 0;
  std::size_t recover_until_ = 0;  ///< quotes opened before this offset must close on their line
};

}  // namespace leadfunnel
