#pragma once
/// A quick first read of a CSV file's lead ids, line by line.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace leadfunnel {

/// Calls `id` with the trimmed, non-empty value of column `id_col` of every
/// physical line after line `header_end` of the CSV file at `path` (a UTF-8
/// byte order mark at its start is skipped), reading only as far as that
/// column: quicker than the full reader, for finding the ids that occur
/// twice. Every record starts a line, so every record's id is among the
/// values given; lines that are no record's start (the inside of a quoted
/// note, a footer) give values of their own, which can only add ids
/// to check, never hide one. Returns false, stopping early, when a line
/// cannot be read this way for certain: a quoted field up to `id_col` that
/// does not close on its line, a CR that is not part of a CRLF, or an id with
/// a byte outside ASCII (whose decoded text could differ). The bytes must be
/// in an ASCII-compatible encoding (UTF-8 or Windows-1252).
///
/// With `parts` above 1 the file is read by that many threads at once, in
/// byte ranges that the threads take in turn: size / 4 MiB ranges, but at
/// least `parts` and at most 8 x `parts` (so a slower core reads fewer), the
/// last running to the end of the file. A line belongs to the range it
/// starts in, and `id` is called on the reading thread with that thread's
/// number (0 to parts - 1) first. Only the first range skips the byte order
/// mark and the header lines: a header that reaches into a later range
/// gives its cells as values too, which only adds ids to check.
bool scan_csv_ids(const std::string& path, char delimiter, std::size_t id_col, std::size_t header_end,
                  std::size_t block_bytes, std::size_t parts,
                  const std::function<void(std::size_t part, std::string_view id)>& id);

}  // namespace leadfunnel
