#pragma once
/// Small text helpers shared by the loaders and renderers.

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

/// ASCII lowercase copy.
std::string to_lower(std::string_view s);

/// ASCII lowercase of one character (other bytes unchanged), as the C locale's tolower.
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/// Whether two strings are equal ignoring ASCII case.
bool equals_ignore_case(std::string_view a, std::string_view b);

/// Whether a cell means "no value": blank, or a placeholder such as `-`,
/// `N/A`, `(No value)`, `Select`, `null`, `none`.
bool is_placeholder(std::string_view s);

/// A value made safe to show on one line: control characters escaped, long
/// values shortened with "...".
std::string printable(std::string_view s, std::size_t max_len = 60);

}  // namespace leadfunnel
