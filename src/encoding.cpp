// Excel and CRMs write UTF-8, UTF-16 ("Unicode Text") or Windows-1252 (older
// Brazilian and European Excel). Everything is turned into UTF-8 once, before
// parsing, so the rest of leadfunnel sees one encoding.
#include "leadfunnel/encoding.hpp"

#include <simdjson.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace leadfunnel {
namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

constexpr std::uint32_t kReplacement = 0xFFFD;

/// Windows-1252 bytes 0x80..0x9F; the five undefined ones keep their C1 code point.
constexpr std::array<std::uint16_t, 32> kCp1252High{
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

std::string decode_utf16(std::string_view b, bool little) {
  std::string out;
  out.reserve(b.size());
  auto unit = [&](std::size_t i) -> std::uint32_t {
    const auto lo = static_cast<unsigned char>(b[little ? i : i + 1]);
    const auto hi = static_cast<unsigned char>(b[little ? i + 1 : i]);
    return static_cast<std::uint32_t>(hi) << 8 | lo;
  };
  std::size_t i = 0;
  if (b.size() >= 2 && unit(0) == 0xFEFF) i = 2;
  for (; i + 1 < b.size(); i += 2) {
    const std::uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < b.size()) {
      const std::uint32_t v = unit(i + 2);
      if (v >= 0xDC00 && v <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00));
        i += 2;
        continue;
      }
    }
    append_utf8(out, (u >= 0xD800 && u <= 0xDFFF) ? kReplacement : u);
  }
  if (i < b.size()) append_utf8(out, kReplacement);  // an odd last byte
  return out;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // Overlong forms, surrogates and values above U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

std::string detect_encoding(std::string_view b) {
  if (b.substr(0, 3) == "\xEF\xBB\xBF") return "utf-8";
  if (b.substr(0, 2) == "\xFF\xFE") return "utf-16le";
  if (b.substr(0, 2) == "\xFE\xFF") return "utf-16be";
  // No BOM: UTF-16 text of mostly ASCII has a zero in every other byte.
  const std::size_t n = std::min<std::size_t>(b.size(), 4096) & ~static_cast<std::size_t>(1);
  if (n >= 4) {
    std::size_t even = 0, odd = 0;
    for (std::size_t i = 0; i < n; i += 2) {
      if (b[i] == '\0') ++even;
      if (b[i + 1] == '\0') ++odd;
    }
    const std::size_t pairs = n / 2;
    if (odd * 10 >= pairs * 8 && even * 10 < pairs) return "utf-16le";
    if (even * 10 >= pairs * 8 && odd * 10 < pairs) return "utf-16be";
  }
  return is_valid_utf8(b) ? "utf-8" : "windows-1252";
}

namespace {

/// Whether `b` (shorter than the sequence its first byte announces) could
/// still become a valid UTF-8 sequence.
bool is_valid_utf8_prefix(std::string_view b) {
  const auto c = static_cast<unsigned char>(b[0]);
  const std::size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || b.size() >= n) return false;
  for (std::size_t k = 1; k < b.size(); ++k)
    if ((static_cast<unsigned char>(b[k]) & 0xC0) != 0x80) return false;
  // The second byte narrows overlongs and surrogates.
  if (b.size() >= 2) {
    const auto d = static_cast<unsigned char>(b[1]);
    if (c == 0xE0 && d < 0xA0) return false;
    if (c == 0xED && d > 0x9F) return false;
    if (c == 0xF0 && d < 0x90) return false;
    if (c == 0xF4 && d > 0x8F) return false;
    if (c > 0xF4) return false;
  }
  if (c == 0xC0 || c == 0xC1) return false;
  return true;
}

}  // namespace

bool known_encoding(std::string_view e) {
  return e == "utf-8" || e == "utf-16le" || e == "utf-16be" || e == "windows-1252";
}

std::string decode_to_utf8(std::string_view b, std::string_view encoding) {
  if (encoding == "utf-16le") return decode_utf16(b, true);
  if (encoding == "utf-16be") return decode_utf16(b, false);
  if (encoding == "windows-1252") {
    std::string out;
    out.reserve(b.size() + b.size() / 8);
    for (char ch : b) {
      const auto c = static_cast<unsigned char>(ch);
      if (c < 0x80) out += ch;
      else if (c < 0xA0) append_utf8(out, kCp1252High[c - 0x80]);
      else append_utf8(out, c);
    }
    return out;
  }
  if (b.substr(0, 3) == "\xEF\xBB\xBF") b.remove_prefix(3);
  if (is_valid_utf8(b)) return std::string(b);
  // Forced UTF-8 with bad bytes: each byte that does not start a valid
  // sequence becomes U+FFFD.
  std::string out;
  std::size_t i = 0;
  while (i < b.size()) {
    const auto c = static_cast<unsigned char>(b[i]);
    const std::size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n > 0 && i + n <= b.size() && is_valid_utf8(b.substr(i, n))) {
      out.append(b.substr(i, n));
      i += n;
    } else {
      append_utf8(out, kReplacement);
      ++i;
    }
  }
  return out;
}

namespace {

/// The index of the first byte at or after `i` that is not ASCII, or b.size():
/// ASCII, the common case, 8 bytes a step.
std::size_t skip_ascii(std::string_view b, std::size_t i) {
  for (std::uint64_t w; i + 8 <= b.size(); i += 8) {
    std::memcpy(&w, b.data() + i, 8);
    if (w & 0x8080808080808080ULL) break;
  }
  while (i < b.size() && static_cast<unsigned char>(b[i]) < 0x80) ++i;
  return i;
}

/// Windows-1252 as UTF-8: runs of ASCII are copied as they are, in one
/// append each (a byte at a time took a third of a report's time).
void append_cp1252(std::string& out, std::string_view b) {
  for (std::size_t i = 0; i < b.size();) {
    const std::size_t j = skip_ascii(b, i);
    out.append(b.data() + i, j - i);
    if (j == b.size()) break;
    const auto c = static_cast<unsigned char>(b[j]);
    append_utf8(out, c < 0xA0 ? kCp1252High[c - 0x80] : c);
    i = j + 1;
  }
}

/// The length of the UTF-8 sequence a lead byte starts, or 0 for a byte that cannot lead.
std::size_t utf8_length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 0;
}

}  // namespace

void StreamDecoder::decode(std::string_view in, std::string& out, bool last) {
  std::string joined;
  if (!carry_.empty()) {
    joined = std::move(carry_);
    carry_.clear();
    joined.append(in);
    in = joined;
  }
  if (encoding_ == "windows-1252") append_cp1252(out, in);
  else if (encoding_ == "utf-16le") decode_utf16(in, out, last, true);
  else if (encoding_ == "utf-16be") decode_utf16(in, out, last, false);
  else decode_utf8(in, out, last);
}

bool StreamDecoder::passes_through(std::string_view b) {
  if (encoding_ != "utf-8" || !carry_.empty()) return false;
  // simdjson's validator (SIMD, a fraction of a cycle a byte) takes the
  // same rules as is_valid_utf8, and a sequence cut by the end of the piece
  // fails it too. Every piece of a file goes through here.
  if (!simdjson::validate_utf8(b.data(), b.size())) return false;
  if (!seen_non_ascii_ && skip_ascii(b, 0) < b.size()) seen_non_ascii_ = true;
  return true;
}

void StreamDecoder::decode_utf8(std::string_view b, std::string& out, bool last) {
  std::size_t i = 0;
  std::size_t run = 0;  // start of the valid bytes not yet copied
  while ((i = skip_ascii(b, i)) < b.size()) {
    const auto c = static_cast<unsigned char>(b[i]);
    const std::size_t n = utf8_length(c);
    if (n > 0 && i + n > b.size() && !last) {
      // Cut by the end of this piece: keep it, unless it is already broken.
      if (is_valid_utf8_prefix(b.substr(i))) {
        out.append(b.substr(run, i - run));
        carry_.assign(b.substr(i));
        return;
      }
    }
    if (n > 0 && i + n <= b.size() && is_valid_utf8(b.substr(i, n))) {
      seen_non_ascii_ = true;
      i += n;
      continue;
    }
    out.append(b.substr(run, i - run));
    if (fallback_ && !seen_non_ascii_) {
      encoding_ = "windows-1252";
      switched_ = true;
      append_cp1252(out, b.substr(i));
      return;
    }
    append_utf8(out, kReplacement);
    ++replaced_;
    ++i;
    run = i;
  }
  out.append(b.substr(run));
}

void StreamDecoder::decode_utf16(std::string_view b, std::string& out, bool last, bool little) {
  auto unit = [&](std::size_t i) -> std::uint32_t {
    const auto lo = static_cast<unsigned char>(b[little ? i : i + 1]);
    const auto hi = static_cast<unsigned char>(b[little ? i + 1 : i]);
    return static_cast<std::uint32_t>(hi) << 8 | lo;
  };
  // Four units a step while they are ASCII (a zero byte and one below
  // 0x80), each written as its one byte.
  const std::uint64_t not_ascii = little ? 0xFF80FF80FF80FF80ULL : 0x80FF80FF80FF80FFULL;
  const int low = little ? 0 : 8;  // where a unit's ASCII byte sits in its 16 bits
  std::size_t i = 0;
  for (; i + 1 < b.size(); i += 2) {
    for (std::uint64_t w; i + 8 <= b.size(); i += 8) {
      std::memcpy(&w, b.data() + i, 8);
      if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
      if (w & not_ascii) break;
      const char four[4] = {static_cast<char>(w >> low), static_cast<char>(w >> (16 + low)),
                            static_cast<char>(w >> (32 + low)), static_cast<char>(w >> (48 + low))};
      out.append(four, 4);
    }
    if (i + 1 >= b.size()) break;
    const std::uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 >= b.size() && !last) break;  // its pair may come in the next piece
      if (i + 3 < b.size()) {
        const std::uint32_t v = unit(i + 2);
        if (v >= 0xDC00 && v <= 0xDFFF) {
          append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00));
          i += 2;
          continue;
        }
      }
    }
    if (u >= 0xD800 && u <= 0xDFFF) {
      append_utf8(out, kReplacement);
      ++replaced_;
    } else {
      append_utf8(out, u);
    }
  }
  if (i < b.size()) {
    if (last) {
      append_utf8(out, kReplacement);  // an odd last byte
      ++replaced_;
    } else {
      carry_.assign(b.substr(i));
    }
  }
}

}  // namespace leadfunnel
