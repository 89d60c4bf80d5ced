#pragma once
/// Small text helpers shared by the loaders and renderers.

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace leadfunnel {

/// Without leading and trailing spaces, tabs, CR and LF.
/// `s` without spaces, tabs, CR or LF at either end.
inline std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  std::size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

namespace detail {
// Little-endian loads, so that the hashes below are the same on every machine.
inline std::uint64_t load64_le(const char* q) noexcept {
  std::uint64_t w;
  std::memcpy(&w, q, 8);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  return w;
}
inline std::uint64_t load32_le(const char* q) noexcept {
  std::uint32_t w;
  std::memcpy(&w, q, 4);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap32(w);
  return w;
}
/// Up to 8 bytes of a string of 1-8 bytes as one word: for 4 or more, two
/// 4-byte loads that overlap; for fewer, the first, middle and last bytes.
inline std::uint64_t short_word(const char* p, std::size_t n) noexcept {
  if (n >= 4) return load32_le(p) | load32_le(p + n - 4) << 32;
  const auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
  return byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16;
}
__extension__ using Wide = unsigned __int128;
/// The 128-bit product of a and b, folded to 64 bits.
inline std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) noexcept {
  const Wide r = Wide{a} * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}
}  // namespace detail

/// Whether a and b are the same text, without a library call: most texts
/// compared are short (the keys of a JSON record, column names), where the
/// call would cost more than the comparison.
inline bool same_text(std::string_view a, std::string_view b) noexcept {
  std::size_t n = a.size();
  if (n != b.size()) return false;
  if (n == 0) return true;
  const char* p = a.data();
  const char* q = b.data();
  if (n <= 8) return detail::short_word(p, n) == detail::short_word(q, n);
  // 8 bytes a step; the last step ends at the last byte (it may overlap).
  for (; n > 8; p += 8, q += 8, n -= 8)
    if (detail::load64_le(p) != detail::load64_le(q)) return false;
  return detail::load64_le(p + n - 8) == detail::load64_le(q + n - 8);
}

/// A hash of text for hash tables: two 64-bit products for text of up to
/// 16 bytes (owners, sources, segment values), 16 bytes a step beyond.
/// Fixed-size loads only. The same on every run and machine.
inline std::size_t hash_text(std::string_view s) noexcept {
  using detail::fold_multiply;
  using detail::load64_le;
  constexpr std::uint64_t kA = 0x9E3779B97F4A7C15ULL, kB = 0xC2B2AE3D27D4EB4FULL, kC = 0xD6E8FEB86659FD93ULL;
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t seed = kC ^ n;
  std::uint64_t a = 0, b = 0;
  if (n > 16) {
    for (; n > 16; p += 16, n -= 16) seed = fold_multiply(load64_le(p) ^ kA, load64_le(p + 8) ^ seed);
    a = load64_le(p + n - 16);
    b = load64_le(p + n - 8);
  } else if (n > 8) {
    a = load64_le(p);
    b = load64_le(p + n - 8);
  } else if (n > 0) {
    a = detail::short_word(p, n);
  }
  return static_cast<std::size_t>(fold_multiply(kB ^ s.size(), fold_multiply(a ^ kA, b ^ seed)));
}

/// A 64-bit hash of an id, with a strong mix after every 8 bytes: ids that
/// share a hash are taken for one (IdIndex), so it must spread every change.
/// The same on every run and machine.
inline std::uint64_t hash_id(std::string_view s) noexcept {
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xC2B2AE3D27D4EB4FULL);
  auto mix = [&h](std::uint64_t w) {
    h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
    h ^= h >> 29;
  };
  if (n >= 8) {
    for (; n > 8; p += 8, n -= 8) mix(detail::load64_le(p));
    mix(detail::load64_le(p + n - 8));
  } else if (n > 0) {
    mix(detail::short_word(p, n));
  }
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  return h;
}

/// The hash the lead id tables and the first read of the ids use: hash_id
/// with the lowest bit set, so that it is never 0 (an empty slot).
inline std::uint64_t lead_id_hash(std::string_view id) noexcept { return hash_id(id) | 1; }

/// hash_text for unordered containers keyed by std::string that are searched
/// with string_views (with std::equal_to<>).
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return hash_text(s); }
};

/// ASCII lowercase copy.
std::string to_lower(std::string_view s);

/// ASCII lowercase of one character (other bytes unchanged), as the C locale's tolower.
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/// Whether two strings are equal ignoring ASCII case.
bool equals_ignore_case(std::string_view a, std::string_view b);

namespace detail {
/// is_placeholder for a cell that may be one by its first character.
bool is_placeholder_text(std::string_view s);
}  // namespace detail

/// Whether a cell means "no value": blank, or a placeholder such as `-`,
/// `N/A`, `(No value)`, `Select`, `null`, `none`. Inline: most cells (dates,
/// names, numbers) are told apart by their first character.
inline bool is_placeholder(std::string_view s) {
  if (s.empty()) return true;
  const char c = s.front();
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return detail::is_placeholder_text(s);
  // Every placeholder starts with - # ( n or s.
  const char l = ascii_lower(c);
  return (l == '-' || l == '#' || l == '(' || l == 'n' || l == 's') && detail::is_placeholder_text(s);
}

/// A value made safe to show on one line: control characters escaped, long
/// values shortened with "...".
std::string printable(std::string_view s, std::size_t max_len = 60);

}  // namespace leadfunnel
