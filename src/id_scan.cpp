// The line-by-line id scan (see id_scan.hpp).
#include "leadfunnel/id_scan.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "leadfunnel/source.hpp"
#include "leadfunnel/text.hpp"

namespace leadfunnel {
namespace {

enum class LineId { Value, None, Unsure };

/// A line longer than this is left to the full reader.
constexpr std::size_t kMaxLine = std::size_t{64} << 20;

/// Field `col` of one line (without its line end), parsed as the full reader
/// would if the record starts at this line; None when the line has fewer fields.
LineId id_of_line(std::string_view line, char delimiter, std::size_t col, std::string& quoted, std::string_view& out) {
  std::size_t pos = 0;
  for (std::size_t f = 0;; ++f) {
    std::string_view value;
    std::size_t next = line.size() + 1;  // where the field after this one starts
    if (pos < line.size() && line[pos] == '"') {
      quoted.clear();
      std::size_t i = pos + 1;
      for (;;) {
        const std::size_t q = line.find('"', i);
        if (q == std::string_view::npos) return LineId::Unsure;  // the quote runs on to another line
        quoted.append(line.substr(i, q - i));
        if (q + 1 < line.size() && line[q + 1] == '"') {
          quoted += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      // Text after the closing quote makes the full reader reject the record:
      // whatever is given here only adds an id to check.
      const std::size_t d = line.find(delimiter, i);
      if (d != std::string_view::npos) next = d + 1;
      value = quoted;
    } else {
      const std::size_t d = line.find(delimiter, pos);
      value = line.substr(pos, d == std::string_view::npos ? std::string_view::npos : d - pos);
      if (d != std::string_view::npos) next = d + 1;
    }
    if (f == col) {
      out = value;
      return LineId::Value;
    }
    if (next > line.size()) return LineId::None;
    pos = next;
  }
}

}  // namespace

bool scan_csv_ids(const std::string& path, char delimiter, std::size_t id_col, std::size_t header_end,
                  std::size_t block_bytes, const std::function<void(std::string_view)>& id) {
  FileSource source(path);
  const std::size_t block = std::max<std::size_t>(block_bytes, std::size_t{1} << 20);
  std::vector<char> buf(block);  // never empty: its data() is never null
  std::size_t begin = 0, end = 0;  // the bytes not yet scanned are buf[begin, end)
  std::string quoted;
  bool eof = false;
  std::size_t line_no = 0;
  bool first_read = true;
  for (;;) {
    const char* nl = static_cast<const char*>(std::memchr(buf.data() + begin, '\n', end - begin));
    if (!nl && !eof) {
      if (end - begin > kMaxLine) return false;  // left to the full reader and its limits
      // Keep the partial line, read another block after it.
      std::memmove(buf.data(), buf.data() + begin, end - begin);
      end -= begin;
      begin = 0;
      if (buf.size() < end + block) buf.resize(end + block);
      const std::size_t got = source.read(buf.data() + end, block);
      end += got;
      eof = got == 0;
      if (first_read && end >= 3 && std::memcmp(buf.data(), "\xEF\xBB\xBF", 3) == 0) begin = 3;
      first_read = false;
      continue;
    }
    const std::size_t stop = nl ? static_cast<std::size_t>(nl - buf.data()) : end;
    std::string_view line(buf.data() + begin, stop - begin);
    begin = nl ? stop + 1 : end;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // A CR alone ends a line for the full reader: a record may start after it.
    if (!line.empty() && std::memchr(line.data(), '\r', line.size())) return false;
    if (++line_no <= header_end) {  // the header and what is above it: no record
      if (!nl && eof) return true;
      continue;
    }
    std::string_view value;
    const LineId got = id_of_line(line, delimiter, id_col, quoted, value);
    if (got == LineId::Unsure) return false;
    if (got == LineId::Value) {
      value = trim(value);
      for (char c : value)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
      if (!value.empty()) id(value);
    }
    if (!nl && eof) return true;
  }
}

}  // namespace leadfunnel
