#pragma once
/// A CSV record reader: RFC 4180 plus what real exports do.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace leadfunnel {

/// One record and the physical line it starts on (1-based).
struct CsvRecord {
  std::size_t line = 0;
  std::size_t end_line = 0;  ///< the physical line the record ends on
  std::size_t offset = 0;    ///< byte offset of its first character
  std::vector<std::string> fields;
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

/// Reads records one at a time from a buffer. Handles LF, CRLF and CR line
/// ends, quoted fields with delimiters, doubled quotes and line breaks, and
/// skips blank lines. An unterminated quote rejects its record and reading
/// resumes on the next physical line. Text after a closing quote rejects the
/// record it is in; when that quoted field spanned lines, the quote that
/// opened it was most likely stray, so reading resumes on the line after the
/// record's first line instead of swallowing the rows in between.
class CsvReader {
 public:
  enum class Status { Record, Problem, End };

  CsvReader(std::string_view data, char delimiter) : data_(data), delimiter_(delimiter) {}

  /// Reads the next record into `record`, or describes why it is unusable.
  Status next(CsvRecord& record, CsvProblem& problem);

  /// Goes back to read again from the physical line after the first line of
  /// `record`: used when a record that spans lines turns out to be broken, so
  /// that a stray quote cannot swallow the rows after it.
  void resume_after_first_line(const CsvRecord& record);

  /// Blank lines skipped so far.
  std::size_t blank_lines() const { return blank_lines_; }

  /// Unquoted fields read so far that contain a quote character: legal but
  /// unusual, and a sign of a wrong delimiter when sniffing.
  std::size_t stray_quotes() const { return stray_quotes_; }

 private:
  void skip_line_end();

  std::string_view data_;
  char delimiter_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t blank_lines_ = 0;
  std::size_t stray_quotes_ = 0;
};

}  // namespace leadfunnel
