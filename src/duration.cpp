#include "leadfunnel/duration.hpp"

#include <cstdint>

namespace leadfunnel {

std::optional<Millis> parse_duration(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  std::int64_t total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t n = 0;
    std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + (text[i] - '0');
      if (n > 1'000'000'000) return std::nullopt;  // far beyond any sensible window
      ++i;
    }
    if (i == start || i == text.size()) return std::nullopt;
    std::int64_t unit = 0;
    switch (text[i]) {
      case 'w': unit = 7LL * 24 * 3600 * 1000; break;
      case 'd': unit = 24LL * 3600 * 1000; break;
      case 'h': unit = 3600LL * 1000; break;
      case 'm': unit = 60LL * 1000; break;
      case 's': unit = 1000; break;
      default: return std::nullopt;
    }
    ++i;
    // Far beyond any sensible window (about 1,000 years), and never an overflow.
    constexpr std::int64_t kMaxMs = 1000LL * 366 * 24 * 3600 * 1000;
    if (n * unit > kMaxMs - total_ms) return std::nullopt;
    total_ms += n * unit;
  }
  return Millis{total_ms};
}

std::string format_duration(Millis d) {
  std::int64_t s = d.count() / 1000;
  if (s == 0) return "0s";
  std::string out;
  if (s < 0) {
    out = "-";
    s = -s;
  }
  const std::int64_t days = s / 86400;
  const std::int64_t hours = s % 86400 / 3600;
  const std::int64_t minutes = s % 3600 / 60;
  const std::int64_t secs = s % 60;
  if (days) out += std::to_string(days) + "d";
  if (hours) out += std::to_string(hours) + "h";
  if (minutes) out += std::to_string(minutes) + "m";
  if (secs) out += std::to_string(secs) + "s";
  return out;
}

}  // namespace leadfunnel
