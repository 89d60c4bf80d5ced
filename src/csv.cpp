#include "leadfunnel/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <optional>
#include <map>

#include "leadfunnel/simd.hpp"

namespace leadfunnel {
namespace {

/// What the record limit counts for each field besides its bytes.
constexpr std::size_t kBytesPerField = 32;

bool is_line_end(char c) { return c == '\n' || c == '\r'; }

/// Whether no cell cut so far (from the line's start) is longer than `max_field`.
bool cuts_within(const Cells& cells, std::size_t max_field) {
  for (std::size_t i = 0, start = 0; i < cells.size(); ++i) {
    const std::size_t end = cells.end_of(i);
    if (end - start > max_field) return false;
    start = end + 1;
  }
  return true;
}

#if defined(LEADFUNNEL_WIDE_SCANS)
/// split_plain_line's scan 64 bytes at a time (AVX-512BW): cuts `cells` at
/// every delimiter before the first quote, CR or LF (offsets from `line`),
/// and leaves `p` at that byte, or at the first of the last 63 bytes or
/// fewer before `stop` when none is there yet. The cuts of a block are
/// written straight into the cells' room for them.
__attribute__((target("avx512bw"))) void cut_wide(const char*& p, const char* stop, char delimiter, const char* line,
                                                  Cells& cells) {
  const __m512i d = _mm512_set1_epi8(delimiter);
  const __m512i quote = _mm512_set1_epi8('"');
  const __m512i cr = _mm512_set1_epi8('\r');
  const __m512i lf = _mm512_set1_epi8('\n');
  for (; stop - p >= 64; p += 64) {
    const __m512i x = _mm512_loadu_si512(p);
    const std::uint64_t special =
        _mm512_cmpeq_epi8_mask(x, quote) | _mm512_cmpeq_epi8_mask(x, cr) | _mm512_cmpeq_epi8_mask(x, lf);
    std::uint64_t cuts = _mm512_cmpeq_epi8_mask(x, d);
    if (special) cuts &= (std::uint64_t{1} << __builtin_ctzll(special)) - 1;  // only the delimiters before it
    if (cuts) {
      const auto n = static_cast<std::size_t>(__builtin_popcountll(cuts));
      std::size_t* out = cells.cut_room(n);
      const auto base = static_cast<std::size_t>(p - line);
      for (; cuts; cuts &= cuts - 1) *out++ = base + static_cast<std::size_t>(__builtin_ctzll(cuts));
      cells.cuts_made(n);
    }
    if (special) {
      p += __builtin_ctzll(special);
      return;
    }
  }
}

/// The rest of a record from `p` (a field start; the record starts at `b`)
/// as split_buffered_rest reads it, 64 bytes a step (AVX-512 VBMI2 and
/// BMI2): the quotes of each step are turned into a mask of the bytes inside
/// quoted fields, the delimiters and line ends outside them cut the fields,
/// and the bytes other than quotes are compressed into the cells' text in
/// one move. Only records that reader would take and that have no doubled
/// quote are read here, and no CR but one just before the record's LF; for
/// any other (or when the record's end is not in [p, e)) nothing changes
/// and false is returned. On success `next` is the byte after the record's
/// LF and `breaks` the line breaks inside its quoted fields.
__attribute__((target("avx512bw,avx512vbmi2,bmi2"))) bool cut_quoted_wide(
    const char* b, const char* p, const char* e, char delimiter, std::size_t fields, std::size_t max_field,
    std::size_t max_record, Cells& cells, const char*& next, std::size_t& breaks) {
  const std::size_t old_text = cells.text_size();
  cells.begin_cell();  // the separator before the first cell of the rest
  const std::size_t first = cells.text_size();
  std::size_t at = first;  // where the next byte of text goes
  const __m512i quote = _mm512_set1_epi8('"');
  const __m512i d = _mm512_set1_epi8(delimiter);
  const __m512i cr = _mm512_set1_epi8('\r');
  const __m512i lf = _mm512_set1_epi8('\n');
  std::uint64_t inside_before = 0;  // all ones when the step starts inside a quoted field
  bool field_starts = true;         // the step's first byte starts a field
  bool must_end = false;            // the last step ended with a closing quote
  std::size_t found_breaks = 0;
  auto give_up = [&] {
    cells.rewind(fields, old_text);
    return false;
  };
  for (const char* s = p; s < e; s += 64) {
    const auto left = static_cast<std::size_t>(e - s);
    const std::uint64_t valid = left >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << left) - 1;
    const __m512i x = _mm512_maskz_loadu_epi8(valid, s);  // no byte read past e
    const std::uint64_t q = _mm512_cmpeq_epi8_mask(x, quote) & valid;
    // Bit i: an odd number of quotes at or before byte i (an opening quote
    // is inside, a closing one outside).
    std::uint64_t inside = q;
    for (unsigned k = 1; k < 64; k *= 2) inside ^= inside << k;
    inside ^= inside_before;
    const std::uint64_t lf_out = _mm512_cmpeq_epi8_mask(x, lf) & valid & ~inside;
    // The bytes of the record in this step: up to its first LF outside quotes.
    const bool ends = lf_out != 0;
    const unsigned z = ends ? static_cast<unsigned>(__builtin_ctzll(lf_out)) : 64;
    const std::uint64_t mine = z == 64 ? valid : (std::uint64_t{1} << z) - 1;
    const std::uint64_t cr_all = _mm512_cmpeq_epi8_mask(x, cr) & mine;
    // A CR ends the record just before its LF; any other CR, and any inside
    // quotes, is the byte reader's (a CR in the step's last byte too).
    const bool crlf = ends && z > 0 && ((cr_all >> (z - 1)) & 1) != 0;
    if ((cr_all & ~(crlf ? std::uint64_t{1} << (z - 1) : 0)) != 0) return give_up();
    const std::uint64_t body = crlf ? mine >> 1 : mine;  // the bytes before the CR or LF
    const std::uint64_t quotes = q & body;
    const std::uint64_t cuts = _mm512_cmpeq_epi8_mask(x, d) & body & ~inside;
    const std::uint64_t starts = (cuts << 1) | (field_starts ? 1 : 0);
    // The field ends: each delimiter, and the record's end.
    const std::uint64_t field_ends = cuts | (ends ? std::uint64_t{1} << (crlf ? z - 1 : z) : 0);
    // A quote opens a field where a field starts, and one that closes it is
    // followed by the field's end; any other quote (an unquoted field's, a
    // doubled one, text after a closing quote) is the byte reader's.
    const std::uint64_t opening = quotes & inside;
    const std::uint64_t closing = quotes & ~inside;
    if ((opening & ~starts) != 0) return give_up();
    if (must_end && (field_ends & 1) == 0) return give_up();
    if ((closing & ~(field_ends >> 1) & ~(std::uint64_t{1} << 63)) != 0) return give_up();
    must_end = (closing >> 63) != 0;
    found_breaks += static_cast<std::size_t>(__builtin_popcountll(_mm512_cmpeq_epi8_mask(x, lf) & body & inside));
    // The text: every byte of the record but its quotes, the delimiters
    // standing as the separators between cells.
    const std::uint64_t keep = body & ~quotes;
    cells.text_made(at);
    char* out = cells.text_room(64);
    _mm512_storeu_si512(out, _mm512_maskz_compress_epi8(keep, x));
    std::uint64_t kept_cuts = _pext_u64(cuts, keep);
    if (kept_cuts) {
      const auto n = static_cast<std::size_t>(__builtin_popcountll(kept_cuts));
      std::size_t* room = cells.cut_room(n);
      for (; kept_cuts; kept_cuts &= kept_cuts - 1) *room++ = at + static_cast<std::size_t>(__builtin_ctzll(kept_cuts));
      cells.cuts_made(n);
    }
    at += static_cast<std::size_t>(__builtin_popcountll(keep));
    if (ends) {
      cells.text_made(at);
      cells.cut_at(at);
      // The checks the byte reader makes as it goes, on the whole record.
      const char* const body_end = s + (crlf ? z - 1 : z);
      if (static_cast<std::size_t>(body_end - b) + cells.size() * kBytesPerField > max_record) return give_up();
      for (std::size_t i = fields, start = first; i < cells.size(); ++i) {
        if (cells.end_of(i) - start > max_field) return give_up();
        start = cells.end_of(i) + 1;
      }
      next = s + z + 1;
      breaks = found_breaks;
      return true;
    }
    inside_before = (inside >> 63) != 0 ? ~std::uint64_t{0} : 0;
    field_starts = (cuts >> 63) != 0;
  }
  return give_up();
}
#endif

}  // namespace

char sniff_delimiter(std::string_view data) {
  constexpr std::array<char, 4> kCandidates{',', ';', '\t', '|'};
  constexpr std::size_t kSampleRecords = 50;
  char best = ',';
  double best_score = 0;
  for (char d : kCandidates) {
    CsvReader reader(data, d);
    CsvRecord rec;
    CsvProblem prob;
    std::map<std::size_t, std::size_t> widths;  // field count -> records
    std::size_t header_width = 0, records = 0, problems = 0;
    while (records + problems < kSampleRecords) {
      const auto st = reader.next(rec, prob);
      if (st == CsvReader::Status::End) break;
      if (st == CsvReader::Status::Problem) {
        ++problems;
        continue;
      }
      if (records == 0) header_width = rec.fields.size();
      ++widths[rec.fields.size()];
      ++records;
    }
    if (header_width < 2) continue;
    // Share of records as wide as the header, weighted a little by width so
    // that a delimiter splitting into more consistent columns wins ties.
    const double consistency = static_cast<double>(widths[header_width]) / static_cast<double>(records);
    const double penalty = static_cast<double>(problems + reader.stray_quotes()) /
                           static_cast<double>(records + problems);
    const double score = consistency - penalty + static_cast<double>(header_width) * 1e-4;
    if (score > best_score) {
      best_score = score;
      best = d;
    }
  }
  return best;
}

std::string sniff_line_ending(std::string_view data) {
  bool quoted = false;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') return "LF";
    if (c == '\r') return (i + 1 < data.size() && data[i + 1] == '\n') ? "CRLF" : "CR";
  }
  return "none";
}

CsvReader::CsvReader(ByteSource& source, char delimiter, CsvLimits limits)
    : source_(&source), delimiter_(delimiter), limits_(limits) {
  limits_.block_bytes = std::max<std::size_t>(limits_.block_bytes, 1);
  limits_.max_field_bytes = std::max<std::size_t>(limits_.max_field_bytes, 1);
}

CsvReader::CsvReader(std::string_view data, char delimiter, CsvLimits limits)
    : owned_(std::make_unique<MemorySource>(data)), source_(owned_.get()), delimiter_(delimiter), limits_(limits) {
  // No block larger than the data: sniffing short samples stays cheap.
  limits_.block_bytes = std::clamp<std::size_t>(limits_.block_bytes, 1, std::max<std::size_t>(data.size(), 1));
  limits_.max_field_bytes = std::max<std::size_t>(limits_.max_field_bytes, 1);
}

bool CsvReader::more() {
  if (eof_) return false;
  if (keep_ > 0) {  // drop what no record needs any more
    std::memmove(buf_.data(), buf_.data() + keep_, end_ - keep_);
    end_ -= keep_;
    base_ += keep_;
    pos_ -= keep_;
    keep_ = 0;
  }
  // The buffer only grows; bytes past end_ are room for the next block.
  if (buf_.size() < end_ + limits_.block_bytes) buf_.resize(end_ + limits_.block_bytes);
  const std::size_t got = source_->read(buf_.data() + end_, limits_.block_bytes);
  end_ += got;
  high_water_ = std::max(high_water_, buf_.capacity());
  if (got == 0) eof_ = true;
  return got > 0;
}

bool CsvReader::have(std::size_t n) {
  while (end_ - pos_ < n)
    if (!more()) return false;
  return true;
}

void CsvReader::skip_line_end() {
  if (buf_[pos_] == '\r') {
    ++pos_;
    if (have(1) && buf_[pos_] == '\n') ++pos_;
  } else {
    ++pos_;
  }
  ++line_;
}

void CsvReader::skip_first_line(std::size_t offset, std::size_t line) {
  // Quotes opened before the furthest point read so far may not run past a
  // line end when read again: each byte is read at most twice, however many
  // stray quotes a file has.
  recover_until_ = std::max(recover_until_, base_ + pos_);
  pos_ = offset - base_;  // the record being read is always still buffered
  line_ = line;
  keep_ = pos_;
  while (have(1)) {
    std::size_t i = pos_;
    const std::size_t end = end_;
    while (i < end && !is_line_end(buf_[i])) ++i;
    pos_ = i;
    keep_ = pos_;  // a huge first line is skipped in bounded memory
    if (pos_ < end) {
      skip_line_end();
      return;
    }
  }
}

CsvReader::Status CsvReader::reject_and_skip(std::size_t record_line, std::size_t offset, std::size_t line,
                                             CsvProblem& problem, std::string reason) {
  problem.line = record_line;
  problem.reason = std::move(reason);
  skip_first_line(offset, line);
  return Status::Problem;
}

void CsvReader::resume_after_first_line(const CsvRecord& record) { skip_first_line(record.offset, record.line); }

bool CsvReader::split_plain_line(CsvRecord& record, std::size_t max_field, std::size_t max_record) {
  // Most records are one line with no quote and no CR inside it: the line is
  // cut at its delimiters and its end found in one scan, 64 bytes a step
  // where the processor has AVX-512BW, else 16 where SSE2 is there. Anything
  // else (a quote, a lone CR, a line not yet wholly buffered, a field or
  // record over its limit) is left to the general reader below, which gives
  // the same record or the exact problem.
  const char* const b = buf_.data() + pos_;
  const char* const stop = buf_.data() + end_;
  record.fields.start_line();
  Cells& cells = record.fields;
  const char* p = b;
#if defined(LEADFUNNEL_WIDE_SCANS)
  // 64 bytes a step first; the steps below then see the special byte at
  // once, or finish the last bytes.
  if (wide_scans()) cut_wide(p, stop, delimiter_, b, cells);
#endif
#if defined(__SSE2__)
  const __m128i delimiter = _mm_set1_epi8(delimiter_);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  for (; p + 16 <= stop; p += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const auto special = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, cr)), _mm_cmpeq_epi8(x, lf))));
    auto cuts = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, delimiter)));
    if (special) cuts &= (1U << __builtin_ctz(special)) - 1;  // only the delimiters before it
    const auto base = static_cast<std::size_t>(p - b);
    for (; cuts; cuts &= cuts - 1) cells.cut_at(base + static_cast<std::size_t>(__builtin_ctz(cuts)));
    if (special) {
      p += __builtin_ctz(special);
      break;
    }
  }
#endif
  for (; p < stop; ++p) {
    const char c = *p;
    if (c == '"' || c == '\r' || c == '\n') break;
    if (c == delimiter_) cells.cut_at(static_cast<std::size_t>(p - b));
  }
  // p is at the first quote, CR or LF: the line ends at an LF or a CRLF.
  if (p == stop) return false;
  if (*p == '"') {
    // A quote that opens a field (a note with commas in it, say): the
    // fields before it are cut already, and the rest is read as a record
    // with quoted fields. A quote inside a field is the general reader's.
    if (p != b && p[-1] != delimiter_) return false;
    if (base_ + pos_ < recover_until_) return false;  // as split_buffered_record
    const std::size_t fields = cells.size();
    if (static_cast<std::size_t>(p - b) > max_field && !cuts_within(cells, max_field)) return false;
    cells.end_line(std::string_view(b, fields == 0 ? 0 : cells.end_of(fields - 1)));
    return split_buffered_rest(record, p, fields, max_field, max_record);
  }
  const char* next = p + 1;
  if (*p == '\r') {
    if (next == stop || *next != '\n') return false;
    ++next;
  }
  const auto body = static_cast<std::size_t>(p - b);
  if (body + (body + 1) * kBytesPerField > max_record) return false;
  cells.cut_at(body);
  // Fields are measured only when the line could hold one over the limit.
  if (body > max_field && !cuts_within(cells, max_field)) return false;
  cells.end_line(std::string_view(b, body));
  record.end_line = line_;
  pos_ += static_cast<std::size_t>(next - b);
  ++line_;
  return true;
}

namespace {

/// The end of a quoted field's text: the first quote in [p, e), with the
/// line breaks before it added to `breaks`. Null when there is none, or a CR
/// comes before it (CRs inside quotes are left to the general reader). 16
/// bytes a step where SSE2 is there: most quoted fields are short, and one
/// scan does what three memchr calls did.
const char* quoted_end(const char* p, const char* e, std::size_t& breaks) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  for (; e - p >= 16; p += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const auto q = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote)));
    const auto r = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, cr)));
    const auto l = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, lf)));
    const unsigned before = q ? (q & (0U - q)) - 1 : 0xFFFFU;  // the bytes before the first quote
    if (r & before) return nullptr;
    // Most fields hold no line break; counting is a library call on a
    // baseline x86-64 build, so it is done only when there is one.
    if (const unsigned lines = l & before) breaks += static_cast<std::size_t>(__builtin_popcount(lines));
    if (q) return p + __builtin_ctz(q);
  }
#endif
  for (; p < e; ++p) {
    if (*p == '"') return p;
    if (*p == '\r') return nullptr;
    if (*p == '\n') ++breaks;
  }
  return nullptr;
}

/// The end of an unquoted field: the first delimiter, LF or CR in [p, e);
/// null when none is there, or a quote comes first (the general reader's).
const char* unquoted_end(const char* p, const char* e, char delimiter) {
#if defined(__SSE2__)
  const __m128i d = _mm_set1_epi8(delimiter);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  for (; e - p >= 16; p += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const auto stop = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, d), _mm_cmpeq_epi8(x, lf)), _mm_cmpeq_epi8(x, cr))));
    // A byte that ends the field wins, as in the byte loop below (only a
    // caller whose delimiter is a quote could tell the difference).
    const auto bad = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote))) & ~stop;
    if (stop | bad) {
      const auto first = static_cast<unsigned>(__builtin_ctz(stop | bad));
      return (bad >> first) & 1U ? nullptr : p + first;
    }
  }
#endif
  for (; p < e; ++p) {
    if (*p == delimiter || *p == '\n' || *p == '\r') return p;
    if (*p == '"') return nullptr;
  }
  return nullptr;
}

}  // namespace

bool CsvReader::split_buffered_record(CsvRecord& record, std::size_t max_field, std::size_t max_record) {
  // Records with quoted fields (a note with commas or line breaks in it):
  // read here when the whole record is buffered and well formed, ending at
  // an LF or a CRLF. A quote left open at the end of the buffer, a CR
  // inside a field or alone at its end, a quote inside an unquoted
  // field, text after a closing quote, a field or record over its limit, or
  // lines read again after a stray quote all go to the general reader.
  if (base_ + pos_ < recover_until_) return false;
  record.fields.clear();
  return split_buffered_rest(record, buf_.data() + pos_, 0, max_field, max_record);
}

bool CsvReader::split_buffered_rest(CsvRecord& record, const char* p, std::size_t fields, std::size_t max_field,
                                    std::size_t max_record) {
  const char* const b = buf_.data() + pos_;
  const char* const e = buf_.data() + end_;
  std::size_t breaks = 0;  // line breaks inside quoted fields
  if (static_cast<std::size_t>(p - b) + fields * kBytesPerField > max_record) return false;
  // The record ends just before `next`.
  auto read_up_to = [&](const char* next) {
    record.end_line = line_ + breaks;
    line_ += breaks + 1;
    pos_ += static_cast<std::size_t>(next - b);
    return true;
  };
#if defined(LEADFUNNEL_WIDE_SCANS)
  if (wide_compress() && delimiter_ != '"' && !is_line_end(delimiter_)) {
    const char* next = nullptr;
    if (cut_quoted_wide(b, p, e, delimiter_, fields, max_field, max_record, record.fields, next, breaks))
      return read_up_to(next);
  }
#endif
  for (;;) {
    std::string& text = record.fields.begin_cell();
    if (p < e && *p == '"') {
      ++p;
      for (;;) {
        const char* q = quoted_end(p, e, breaks);
        if (!q || q + 1 == e) return false;  // not closed, a CR, or what follows it is not buffered yet
        text.append(p, static_cast<std::size_t>(q - p));
        if (q[1] == '"') {  // a doubled quote
          text += '"';
          p = q + 2;
          continue;
        }
        p = q + 1;
        break;
      }
      if (*p != delimiter_ && *p != '\n' && *p != '\r') return false;
    } else {
      const char* q = unquoted_end(p, e, delimiter_);
      if (!q) return false;
      text.append(p, static_cast<std::size_t>(q - p));
      p = q;
    }
    if (record.fields.open_size() > max_field) return false;
    record.fields.end_cell();
    ++fields;
    if (static_cast<std::size_t>(p - b) + fields * kBytesPerField > max_record) return false;
    if (*p == '\r') {  // the record ends at a CRLF; a CR alone is the general reader's
      if (p + 1 == e || p[1] != '\n') return false;
      ++p;
    }
    if (*p++ == '\n') break;
  }
  return read_up_to(p);
}

CsvReader::Status CsvReader::next(CsvRecord& record, CsvProblem& problem) {
  keep_ = pos_;
  while (have(1) && is_line_end(buf_[pos_])) {
    skip_line_end();
    ++blank_lines_;
    keep_ = pos_;
  }
  if (!have(1)) return Status::End;

  const std::size_t start = base_ + pos_;
  const std::size_t start_line = line_;
  const std::size_t max_field = limits_.max_field_bytes;
  const std::size_t max_record =
      std::max<std::size_t>(max_field > SIZE_MAX / 8 ? SIZE_MAX : max_field * 8, std::size_t{1} << 20);
  record.line = start_line;
  record.offset = start;
  if (split_plain_line(record, max_field, max_record) || split_buffered_record(record, max_field, max_record))
    return Status::Record;
  // The record's buffers are reused from record to record: their capacity is
  // kept, so a file of same-shaped rows allocates nothing after its first rows.
  record.fields.clear();
  std::size_t nf = 0;
  std::string bad;  // the first quoting problem in this record, if any

  // Where the field being read began: a broken record is skipped up to the
  // end of that line, so a stray quote costs its own line and no more.
  std::size_t field_start = start;
  std::size_t field_line = start_line;
  auto field_too_long = [&](std::size_t bytes, bool quoted) -> std::optional<std::string> {
    if (bytes <= max_field) return std::nullopt;
    return fmt::format(
        "field {} is longer than {} bytes (--max-field-bytes){}; the record was skipped and reading resumed on line {}",
        nf + 1, max_field,
        quoted ? ": a quote that is never closed makes a field run on, so check for a stray quote" : "",
        field_line + 1);
  };
  // Every field counts kBytesPerField as well as its bytes.
  auto record_too_long = [&]() -> std::optional<std::string> {
    if (base_ + pos_ - start + nf * kBytesPerField <= max_record) return std::nullopt;
    return fmt::format(
        "the record is longer than {} bytes (8 x --max-field-bytes, at least 1 MiB, counting 32 bytes a field); the "
        "record was skipped and reading resumed on line {}",
        max_record, start_line + 1);
  };
  auto reject = [&](std::string why) {
    return reject_and_skip(start_line, field_start, field_line, problem, std::move(why));
  };

  for (;;) {
    std::string& field = record.fields.begin_cell();  // the field's text goes after the fields before it
    field_start = base_ + pos_;
    field_line = line_;
    if (have(1) && buf_[pos_] == '"') {
      ++pos_;
      bool closed = false;
      while (have(1)) {
        std::size_t i = pos_;
        const std::size_t end = end_;
        while (i < end && buf_[i] != '"' && !is_line_end(buf_[i])) ++i;
        field.append(buf_, pos_, i - pos_);
        pos_ = i;
        if (auto why = field_too_long(record.fields.open_size(), true)) return reject(std::move(*why));
        if (pos_ == end) continue;
        const char c = buf_[pos_];
        if (c == '"') {
          if (have(2) && buf_[pos_ + 1] == '"') {
            field += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        if (field_start < recover_until_)
          return reject(fmt::format(
              "a quote opened on line {} is not closed on that line, in lines read again after a stray quote; the "
              "record was skipped and reading resumed on line {}",
              field_line, field_line + 1));
        field += c;
        ++pos_;
        if (c == '\r' && have(1) && buf_[pos_] == '\n') {
          field += '\n';
          ++pos_;
        }
        ++line_;
      }
      if (!closed)
        return reject(fmt::format(
            "a quoted field opened on line {} is never closed before the end of the file (a stray quote, or a "
            "truncated file); the record was skipped and reading resumed on line {}; close or remove the quote, or "
            "export the file again",
            field_line, field_line + 1));
      if (have(1) && buf_[pos_] != delimiter_ && !is_line_end(buf_[pos_])) {
        if (line_ > field_line)
          // The closing quote is on a later line than the opening one, and
          // text follows it: the quote that opened the field was stray. Skip
          // only up to the end of the line it opened on.
          return reject(fmt::format(
              "a quote opened on line {} is not closed before line {}, where text follows the closing quote; the "
              "quote is probably stray: the record was skipped and reading resumed on line {}; remove or double the "
              "quote",
              field_line, line_, field_line + 1));
        if (bad.empty())
          bad = fmt::format("text after the closing quote of field {}; quote the whole field", nf + 1);
        // Skip the rest of this field, honouring quotes but never past the
        // end of the line, so a broken field cannot swallow the next record.
        bool quoted = false;
        while (have(1)) {
          const char ch = buf_[pos_];
          if (is_line_end(ch)) break;
          if (ch == '"') quoted = !quoted;
          else if (!quoted && ch == delimiter_) break;
          ++pos_;
          if (auto why = field_too_long(base_ + pos_ - field_start, true)) return reject(std::move(*why));
        }
      }
    } else {
      bool quote = false;
      while (have(1)) {
        std::size_t i = pos_;
        const std::size_t end = end_;
        for (; i < end; ++i) {
          const char c = buf_[i];
          if (c == delimiter_ || is_line_end(c)) break;
          quote = quote || c == '"';
        }
        field.append(buf_, pos_, i - pos_);
        pos_ = i;
        if (auto why = field_too_long(record.fields.open_size(), false)) return reject(std::move(*why));
        if (pos_ < end) break;
      }
      if (quote) ++stray_quotes_;
    }
    record.fields.end_cell();
    ++nf;
    record.end_line = line_;
    // Too long a record is read again from its second line (quotes there
    // may not span lines), so the lines it ran over are not lost.
    if (auto why = record_too_long()) return reject_and_skip(start_line, start, start_line, problem, std::move(*why));
    if (!have(1)) break;
    if (buf_[pos_] == delimiter_) {
      ++pos_;
      continue;
    }
    skip_line_end();
    break;
  }
  if (!bad.empty()) {
    // The record is rejected whole, with any quoted field after the broken
    // one that spans lines: quotes there pair up, so it reads as one record.
    problem.line = start_line;
    problem.reason = std::move(bad);
    return Status::Problem;
  }
  return Status::Record;
}

}  // namespace leadfunnel
