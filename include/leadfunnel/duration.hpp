#pragma once
/// Durations written by people: `90d`, `4h`, `1h30m`, `2w`, `45m`, `30s`.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace leadfunnel {

using Millis = std::chrono::milliseconds;

/// Parses a sum of `<integer><unit>` terms (units w, d, h, m, s); empty on error.
std::optional<Millis> parse_duration(std::string_view text);

/// The canonical short spelling of a duration (`90d`, `1h30m`, `0s`).
std::string format_duration(Millis d);

}  // namespace leadfunnel
