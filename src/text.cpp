#include "leadfunnel/text.hpp"

#include <fmt/format.h>

#include <cctype>

namespace leadfunnel {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

bool detail::is_placeholder_text(std::string_view s) {
  const std::string_view v = trim(s);
  if (v.empty()) return true;
  // Every placeholder is 1-4, 6, 7 or 10 bytes long and starts with - # ( n
  // or s: most cells are decided by their length and first character alone.
  constexpr unsigned kLengths = (1U << 1) | (1U << 2) | (1U << 3) | (1U << 4) | (1U << 6) | (1U << 7) | (1U << 10);
  if (v.size() > 10 || !((kLengths >> v.size()) & 1U)) return false;
  const char first = ascii_lower(v.front());
  if (first != '-' && first != '#' && first != '(' && first != 'n' && first != 's') return false;
  for (std::string_view p : {"-", "--", "n/a", "#n/a", "na", "null", "(no value)", "select", "(none)", "none",
                             "(blank)"})
    if (equals_ignore_case(v, p)) return true;
  return false;
}

std::string printable(std::string_view s, std::size_t max_len) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else out += c;
    if (out.size() > max_len) {
      // Cut on a character boundary, never inside a UTF-8 sequence.
      std::size_t cut = max_len;
      while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
      out.resize(cut);
      out += "...";
      break;
    }
  }
  return out;
}

}  // namespace leadfunnel
