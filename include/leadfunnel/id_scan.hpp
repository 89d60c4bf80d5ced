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
bool scan_csv_ids(const std::string& path, char delimiter, std::size_t id_col, std::size_t header_end,
                  std::size_t block_bytes, const std::function<void(std::string_view)>& id);

}  // namespace leadfunnel
