// Reading a whole input file into a table: the row streams of row_stream.cpp, drained.
#include "leadfunnel/input.hpp"

#include <algorithm>

#include "leadfunnel/row_stream.hpp"
#include "leadfunnel/source.hpp"

namespace leadfunnel {

RawTable read_table(const std::string& path, const ReadOptions& options) { return drain(*open_rows(path, options)); }

RawTable parse_table(std::string_view bytes, const std::string& path, const ReadOptions& options) {
  MemorySource memory(bytes);
  return read_source(memory, path, options);
}

RawTable read_source(ByteSource& source, const std::string& path, const ReadOptions& options) {
  return drain(*borrow_rows(source, path, options));
}

RawTable parse_csv_table(std::string_view bytes, const std::string& path, std::optional<char> delimiter) {
  MemorySource memory(bytes);
  ReadOptions options;
  options.delimiter = delimiter;
  return parse_csv_stream(memory, bytes.substr(0, std::size_t{1} << 16), path, options);
}

RawTable parse_csv_stream(ByteSource& source, std::string_view sample, const std::string& path,
                          const ReadOptions& options) {
  return drain(*csv_rows(source, sample, path, options));
}

std::size_t pass_ranges(std::uint64_t bytes, const ReadOptions& options) {
  const std::uint64_t least = std::max<std::uint64_t>(options.range_bytes, 1);
  return static_cast<std::size_t>(
      std::clamp<std::uint64_t>(bytes / least, 1, std::max<std::size_t>(options.threads, 1)));
}

}  // namespace leadfunnel
