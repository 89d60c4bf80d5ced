#include "leadfunnel/text.hpp"

#include <fmt/format.h>

#include <cctype>

namespace leadfunnel {

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_placeholder(std::string_view s) {
  const std::string v = to_lower(trim(s));
  return v.empty() || v == "-" || v == "--" || v == "n/a" || v == "#n/a" || v == "na" || v == "null" ||
         v == "(no value)" || v == "select" || v == "(none)" || v == "none" || v == "(blank)";
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
