#pragma once
/// NDJSON read in blocks with simdjson: a file of millions of records in
/// bounded memory, at several hundred MB/s.

#include <memory>
#include <string>

#include "leadfunnel/row_stream.hpp"

namespace leadfunnel {

/// Streams the NDJSON file at `path` when it can be: a regular file in UTF-8
/// (a UTF-8 BOM is allowed). Returns nullptr when it cannot (stdin, a pipe,
/// UTF-16, bytes that are not UTF-8, a JSON array), and the caller reads the
/// file whole instead. The rows, columns, rejections and counts it gives are
/// the same as parse_json_table gives for the same bytes.
std::unique_ptr<RowStream> open_ndjson_stream(const std::string& path, const ReadOptions& options);

}  // namespace leadfunnel
