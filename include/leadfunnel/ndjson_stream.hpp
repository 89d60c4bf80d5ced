#pragma once
/// NDJSON read in blocks with simdjson: a file of millions of records in
/// bounded memory, at several hundred MB/s.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "leadfunnel/row_stream.hpp"

namespace leadfunnel {

/// Streams the NDJSON file at `path` when it can be: a regular file in UTF-8
/// (a UTF-8 BOM is allowed). Returns nullptr when it cannot (stdin, a pipe,
/// UTF-16, bytes that are not UTF-8, a JSON array), and the caller reads the
/// file whole instead. The rows, columns, rejections and counts it gives are
/// the same as parse_json_table gives for the same bytes.
std::unique_ptr<RowStream> open_ndjson_stream(const std::string& path, const ReadOptions& options);

/// Calls `id` with the trimmed, non-empty value of key `id_key` of every
/// record of the NDJSON file at `path`, a quicker first read of the ids than
/// the stream (one pass, no rows built). A record's value is given as the
/// stream would give it; records the stream rejects may give values too,
/// which only adds ids to check. Returns false, stopping early, when a line
/// needs the reference reader (the stream's rule), names the key twice, or
/// has an id outside ASCII. A big file is read in pass_ranges(size,
/// options) byte ranges at once, each on its own thread; `id` is
/// called on that thread with the range's number first.
bool scan_ndjson_ids(const std::string& path, std::string_view id_key, const ReadOptions& options,
                     const std::function<void(std::size_t part, std::string_view id)>& id);

}  // namespace leadfunnel
