// The plain NDJSON record read by hand: one pass over the line, 16 bytes at
// a time, marks its quotes; then the line is walked from key to value. simdjson's On-Demand reader costs about
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

namespace leadfunnel {
namespace {

/// The longest line read here: its quote positions fit 64 words on the stack.
constexpr std::size_t kMaxLine = 4096;

/// Where the quotes of a line are, one bit per byte, found in one pass
/// before the line is walked. The pass also finds whether the line has a
/// backslash or a control character anywhere (then it is not read here:
/// escapes, and white space other than spaces, are rare) and whether any
/// byte is outside ASCII.
struct LineMarks {
  std::uint64_t quotes[kMaxLine / 64];
  std::size_t words = 0;
  bool escapes_or_controls = false;
  bool high = false;

  LineMarks(const char* p, std::size_t n) {
    words = (n + 63) / 64;
    for (std::size_t w = 0; w < words; ++w) quotes[w] = 0;
    unsigned bad = 0, upper = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control = _mm_set1_epi8(0x1F);
    for (std::size_t at = 0; at < n; at += 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
      auto q = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote)));
      auto b = static_cast<unsigned>(_mm_movemask_epi8(
          _mm_or_si128(_mm_cmpeq_epi8(x, backslash), _mm_cmpeq_epi8(_mm_max_epu8(x, control), control))));
      auto u = static_cast<unsigned>(_mm_movemask_epi8(x));
      if (n - at < 16) {  // bytes past the line count for nothing
        const unsigned in_line = (1U << (n - at)) - 1;
        q &= in_line;
        b &= in_line;
        u &= in_line;
      }
      bad |= b;
      upper |= u;
      quotes[at / 64] |= std::uint64_t{q} << (at % 64);
    }
#else
    for (std::size_t i = 0; i < n; ++i) {
      const auto c = static_cast<unsigned char>(p[i]);
      if (c == '"') quotes[i / 64] |= std::uint64_t{1} << (i % 64);
      bad |= c == '\\' || c < 0x20;
      upper |= c >= 0x80;
    }
#endif
    escapes_or_controls = bad != 0;
    high = upper != 0;
  }

  /// The first quote at or after byte `from`, or npos.
  std::size_t next_quote(std::size_t from) const {
    std::size_t w = from / 64;
    if (w >= words) return npos;
    std::uint64_t bits = quotes[w] & (~std::uint64_t{0} << (from % 64));
    while (bits == 0) {
      if (++w == words) return npos;
      bits = quotes[w];
    }
    return w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
  }
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
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
  const LineMarks marks(line.data(), n);
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
  auto string = [&](std::string_view& text) {
    const std::size_t end = marks.next_quote(i + 1);
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
