// The plain NDJSON record read by hand: one pass over the line, 64 bytes at
// a time (16 where the processor lacks AVX-512BW), marks its quotes; then the
// line is walked from key to value. simdjson's On-Demand reader costs about
// 4,000 instructions for a 560-byte HubSpot record; most of that is work this
// shape does not need (its structural index of the whole line). Any doubt
// returns false, and the caller takes the general path, so this function only
// has to be right about what it accepts.
#include "leadfunnel/json_flat.hpp"

#include <simdjson.h>

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "leadfunnel/simd.hpp"

namespace leadfunnel {
namespace {

/// The longest line read here: its quote positions fit 64 words on the stack.
constexpr std::size_t kMaxLine = 4096;

/// Where the quotes of a line are, one bit per byte, found in one pass
/// before the line is walked. The pass also finds whether the line has a
/// backslash or a control character anywhere (then it is not read here:
/// escapes, and white space other than spaces, are rare) and whether any
/// byte is outside ASCII. Each 64-bit word of quote bits is put together in
/// a register and stored once (OR-ing 16 bits at a time into the stored
/// word made each step wait for the store before it).
struct LineMarks {
  std::uint64_t quotes[kMaxLine / 64];
  std::size_t words = 0;
  bool escapes_or_controls = false;
  bool high = false;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
};

/// The bytes of a line in the word of 64 that starts at `base`.
std::size_t word_length(std::size_t n, std::size_t base) { return n - base < 64 ? n - base : 64; }

/// LineMarks of `n` bytes at `p`, 16 bytes at a time (SSE2, every x86-64),
/// only from chunks that start inside the line: the caller guarantees 16
/// readable bytes past its end, no more.
void mark_narrow(LineMarks& m, const char* p, std::size_t n) {
  m.words = (n + 63) / 64;
  std::uint64_t bad = 0, upper = 0;
  for (std::size_t w = 0; w < m.words; ++w) {
    const std::size_t base = w * 64;
    const std::size_t len = word_length(n, base);
    std::uint64_t q = 0, b = 0, u = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control = _mm_set1_epi8(0x1F);
    for (std::size_t at = 0; at < len; at += 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + base + at));
      const auto qm = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote)));
      const auto bm = static_cast<unsigned>(_mm_movemask_epi8(
          _mm_or_si128(_mm_cmpeq_epi8(x, backslash), _mm_cmpeq_epi8(_mm_max_epu8(x, control), control))));
      const auto um = static_cast<unsigned>(_mm_movemask_epi8(x));
      q |= std::uint64_t{qm} << at;
      b |= std::uint64_t{bm} << at;
      u |= std::uint64_t{um} << at;
    }
#else
    for (std::size_t i = 0; i < len; ++i) {
      const auto c = static_cast<unsigned char>(p[base + i]);
      q |= std::uint64_t{c == '"'} << i;
      b |= std::uint64_t{c == '\\' || c < 0x20} << i;
      u |= std::uint64_t{c >= 0x80} << i;
    }
#endif
    if (len < 64) {  // bytes past the line count for nothing
      const std::uint64_t in_line = (std::uint64_t{1} << len) - 1;
      q &= in_line;
      b &= in_line;
      u &= in_line;
    }
    m.quotes[w] = q;
    bad |= b;
    upper |= u;
  }
  m.escapes_or_controls = bad != 0;
  m.high = upper != 0;
}

#if defined(LEADFUNNEL_WIDE_SCANS)
/// The same, 64 bytes at a time (AVX-512BW, where the processor has it). A
/// masked load reads only the line's own bytes of its last word.
__attribute__((target("avx512bw"))) void mark_wide(LineMarks& m, const char* p, std::size_t n) {
  m.words = (n + 63) / 64;
  const __m512i quote = _mm512_set1_epi8('"');
  const __m512i backslash = _mm512_set1_epi8('\\');
  const __m512i control = _mm512_set1_epi8(0x1F);
  std::uint64_t bad = 0, upper = 0;
  for (std::size_t w = 0; w < m.words; ++w) {
    const std::size_t base = w * 64;
    const std::size_t len = word_length(n, base);
    const __mmask64 in_line = len == 64 ? ~__mmask64{0} : (__mmask64{1} << len) - 1;
    const __m512i x = _mm512_maskz_loadu_epi8(in_line, p + base);
    m.quotes[w] = _mm512_mask_cmpeq_epi8_mask(in_line, x, quote);
    bad |= _mm512_mask_cmpeq_epi8_mask(in_line, x, backslash) | _mm512_mask_cmple_epu8_mask(in_line, x, control);
    upper |= _mm512_movepi8_mask(x);  // the bytes past the line were loaded as 0
  }
  m.escapes_or_controls = bad != 0;
  m.high = upper != 0;
}
#endif

void mark(LineMarks& m, const char* p, std::size_t n) {
#if defined(LEADFUNNEL_WIDE_SCANS)
  if (wide_scans()) return mark_wide(m, p, n);
#endif
  mark_narrow(m, p, n);
}

/// The quotes of a line in order, each handed out once. The walk takes a
/// string's two quotes from here instead of searching from its position,
/// so finding the next quote never waits for the walk.
class QuoteCursor {
 public:
  explicit QuoteCursor(const LineMarks& m) : marks_(m), bits_(m.words ? m.quotes[0] : 0) {}
  /// The next quote not yet handed out, or LineMarks::npos.
  std::size_t next() {
    while (bits_ == 0) {
      if (++word_ >= marks_.words) return LineMarks::npos;
      bits_ = marks_.quotes[word_];
    }
    const std::size_t at = word_ * 64 + static_cast<std::size_t>(__builtin_ctzll(bits_));
    bits_ &= bits_ - 1;
    return at;
  }

 private:
  const LineMarks& marks_;
  std::size_t word_ = 0;
  std::uint64_t bits_;
};

bool is_number_char(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }

}  // namespace

bool plain_json_number(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n) return false;
  long magnitude = 0;  // decimal digits before the point, plus the exponent
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      ++i;
      ++magnitude;
    }
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    const std::size_t digits = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == digits) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    const std::size_t digits = i;
    long exponent = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      if (i - digits >= 6) return false;  // huge exponents: let nlohmann judge
      exponent = exponent * 10 + (s[i] - '0');
      ++i;
    }
    if (i == digits) return false;
    magnitude += negative ? -exponent : exponent;
  }
  return i == n && magnitude <= 300;
}

bool read_flat_object(std::string_view line, std::size_t readable, std::size_t max_field_bytes,
                      std::vector<JsonField>& out) {
  out.clear();
  const std::size_t n = line.size();
  if (n > kMaxLine || readable < n + 16) return false;
  LineMarks marks;
  mark(marks, line.data(), n);
  if (marks.escapes_or_controls) return false;
  const char* const b = line.data();
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < n && b[i] == ' ') ++i;  // tabs, CR and LF are control characters: not here
  };
  // Moves past `c`, and any spaces before it; false when something else is next.
  auto expect = [&](char c) {
    if (i < n && b[i] == c) {
      ++i;
      return true;
    }
    skip_space();
    if (i == n || b[i] != c) return false;
    ++i;
    return true;
  };
  // The text of the string that starts at the quote at i; i moves past it.
  // Everything the walk passed over since the last string is quote-free
  // (structure, spaces, literals, numbers), so the cursor's next quote is
  // the one at i; if it is not, the line is left to the general reader.
  QuoteCursor quotes(marks);
  auto string = [&](std::string_view& text) {
    if (quotes.next() != i) return false;
    const std::size_t end = quotes.next();
    if (end == LineMarks::npos) return false;
    text = std::string_view(b + i + 1, end - i - 1);
    i = end + 1;
    return true;
  };
  auto literal = [&](std::string_view word) {
    if (n - i < word.size() || std::string_view(b + i, word.size()) != word) return false;
    i += word.size();
    return true;
  };
  if (!expect('{')) return false;
  for (;;) {
    JsonField f;
    if (!expect('"')) return false;  // an empty object, or not a key
    --i;
    if (!string(f.key) || !expect(':')) return false;
    skip_space();
    if (i == n) return false;
    const char c = b[i];
    if (c == '"') {
      if (!string(f.text)) return false;
    } else if (c == 'n') {
      if (!literal("null")) return false;
    } else if (c == 't' || c == 'f') {
      const std::size_t start = i;
      if (!literal(c == 't' ? "true" : "false")) return false;
      f.text = std::string_view(b + start, i - start);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      const std::size_t start = i;
      while (i < n && is_number_char(b[i])) ++i;
      f.text = std::string_view(b + start, i - start);
      if (!plain_json_number(f.text)) return false;
      // nlohmann reads integers as integers and prints them back: only "-0"
      // changes. Other numbers keep their text.
      if (f.text == "-0") f.text = std::string_view("0");
    } else {
      return false;  // a nested value, or not a value
    }
    if (f.text.size() > max_field_bytes) return false;
    out.push_back(f);
    if (i < n && b[i] == ',') {
      ++i;
      continue;
    }
    skip_space();
    if (i == n) return false;
    if (b[i] == '}') {
      ++i;
      break;
    }
    if (b[i] != ',') return false;
    ++i;
  }
  skip_space();
  if (i != n) return false;
  return !marks.high || simdjson::validate_utf8(b, n);
}

}  // namespace leadfunnel
