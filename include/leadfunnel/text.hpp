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

/// A quick hash of text for hash tables: 8 bytes a step, the last step
/// overlapping the one before, then a final mix. Fixed-size loads only, so
/// short strings cost a few instructions. The same on every run and machine.
inline std::size_t hash_text(std::string_view s) noexcept {
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xC2B2AE3D27D4EB4FULL);
  auto mix = [&h](std::uint64_t w) {
    h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
    h ^= h >> 29;
  };
  // Little-endian loads, so that the hash is the same on every machine.
  auto load64 = [](const char* q) {
    std::uint64_t w;
    std::memcpy(&w, q, 8);
    if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
    return w;
  };
  auto load32 = [](const char* q) {
    std::uint32_t w;
    std::memcpy(&w, q, 4);
    if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap32(w);
    return std::uint64_t{w};
  };
  if (n >= 8) {
    for (; n > 8; p += 8, n -= 8) mix(load64(p));
    mix(load64(p + n - 8));
  } else if (n >= 4) {
    mix(load32(p) | load32(p + n - 4) << 32);
  } else if (n > 0) {
    const auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
    mix(byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16);
  }
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  return static_cast<std::size_t>(h);
}

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
