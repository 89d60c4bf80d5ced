// The line-by-line id scan (see id_scan.hpp).
#include "leadfunnel/id_scan.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <vector>

#include "leadfunnel/parallel.hpp"
#include "leadfunnel/source.hpp"
#include "leadfunnel/text.hpp"

namespace leadfunnel {
namespace {

enum class LineId { Value, None, Unsure };

/// A line longer than this is left to the full reader.
constexpr std::size_t kMaxLine = std::size_t{64} << 20;
/// The byte ranges read at once: size / kLeastRange of them, but at least
/// one per thread and at most kRangesPerThread per thread (the file is
/// opened, and a partial line skipped, once per range).
constexpr std::size_t kRangesPerThread = 8;
constexpr std::uint64_t kLeastRange = std::uint64_t{4} << 20;

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

/// Scans the lines that start in bytes [from, to) of the file: see
/// scan_csv_ids. Only the range at the start of the file skips a byte order
/// mark and the header lines; a later range starts after the first line end
/// at or after `from` (the line before belongs to the range before).
bool scan_range(const std::string& path, char delimiter, std::size_t id_col, std::size_t header_end,
                std::size_t block, std::uint64_t from, std::uint64_t to, const std::atomic<bool>& give_up,
                std::vector<char>& buf, const std::function<void(std::string_view)>& id) {
  FileSource source(path);
  std::uint64_t base = 0;  // the file offset of buf[0]
  bool at_line_start = from == 0;
  if (from > 0) {
    base = from - 1;  // a line starts at `from` when the byte before it ends one
    source.seek(base);
  }
  buf.resize(std::max(buf.size(), block));  // never empty: its data() is never null
  std::size_t begin = 0, end = 0;  // the bytes not yet scanned are buf[begin, end)
  std::size_t cr = 0;              // the first CR at or after begin, or end; stale when below begin
  bool cr_known = false;
  std::string quoted;
  bool eof = false;
  std::size_t line_no = 0;
  bool first_read = from == 0;
  for (;;) {
    if (at_line_start && base + begin >= to) return true;  // the next range's line: not even read
    const char* nl = static_cast<const char*>(std::memchr(buf.data() + begin, '\n', end - begin));
    if (!nl && !eof) {
      if (!at_line_start) begin = end;  // what is skipped is not kept
      if (end - begin > kMaxLine || give_up) return false;  // left to the full reader and its limits
      // Keep the partial line, read another block after it.
      std::memmove(buf.data(), buf.data() + begin, end - begin);
      base += begin;
      end -= begin;
      begin = 0;
      cr_known = false;
      if (buf.size() < end + block) buf.resize(end + block);
      const std::size_t got = source.read(buf.data() + end, block);
      end += got;
      eof = got == 0;
      if (first_read && end >= 3 && std::memcmp(buf.data(), "\xEF\xBB\xBF", 3) == 0) begin = 3;
      first_read = false;
      continue;
    }
    const std::size_t stop = nl ? static_cast<std::size_t>(nl - buf.data()) : end;
    if (!at_line_start) {  // the end of a line that the range before reads
      if (!nl) return true;
      begin = stop + 1;
      at_line_start = true;
      continue;
    }
    std::string_view line(buf.data() + begin, stop - begin);
    // A CR alone ends a line for the full reader: a record may start after
    // it. One search for CR serves every line up to the next CR.
    if (!cr_known || cr < begin) {
      const void* c = std::memchr(buf.data() + begin, '\r', end - begin);
      cr = c ? static_cast<std::size_t>(static_cast<const char*>(c) - buf.data()) : end;
      cr_known = true;
    }
    begin = nl ? stop + 1 : end;
    if (cr < stop) {
      if (cr + 1 != stop) return false;
      line.remove_suffix(1);  // CRLF
    }
    if (++line_no <= header_end && from == 0) {  // the header and what is above it: no record
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

}  // namespace

bool scan_csv_ids(const std::string& path, char delimiter, std::size_t id_col, std::size_t header_end,
                  std::size_t block_bytes, std::size_t parts,
                  const std::function<void(std::size_t, std::string_view)>& id) {
  const std::size_t block = std::max<std::size_t>(block_bytes, std::size_t{1} << 20);
  parts = std::max<std::size_t>(parts, 1);
  std::uint64_t size = 0;
  if (parts > 1) {
    std::error_code ec;
    size = std::filesystem::file_size(path, ec);
    if (ec || size < parts) parts = 1;
  }
  // Several ranges per thread, taken in turn: a core that is slower (a busy
  // neighbour on a virtual machine) reads fewer of them, instead of the
  // others waiting for its half.
  const std::size_t ranges =
      parts == 1 ? 1
                 : static_cast<std::size_t>(std::clamp<std::uint64_t>(size / kLeastRange, parts, parts * kRangesPerThread));
  std::atomic<bool> give_up{false};
  std::atomic<std::size_t> next{0};
  std::vector<char> sure(ranges, 0);
  run_parts(parts, [&](std::size_t k) {
    std::vector<char> buf;  // one buffer for every range this thread reads
    for (std::size_t r; !give_up && (r = next++) < ranges;) {
      const std::uint64_t from = size / ranges * r;
      const std::uint64_t to = r + 1 == ranges ? std::numeric_limits<std::uint64_t>::max() : size / ranges * (r + 1);
      sure[r] = scan_range(path, delimiter, id_col, header_end, block, from, to, give_up, buf,
                           [&](std::string_view v) { id(k, v); });
      if (!sure[r]) give_up = true;
    }
  });
  return std::all_of(sure.begin(), sure.end(), [](char ok) { return ok != 0; });
}

}  // namespace leadfunnel
