#pragma once
// Private to src/: the two halves of parse_timestamp, so that tests can check
// one against the other, and so that the loader (src/load.cpp) can try the
// fast half first without building a TimestampParse for every cell.

#include <optional>
#include <string_view>

#include "leadfunnel/timestamp.hpp"

namespace leadfunnel::detail {

/// The general parser: every accepted shape and every error message. It is
/// the reference the fast path must agree with.
TimestampParse parse_timestamp_general(std::string_view text, const date::time_zone& zone,
                                       std::optional<DateOrder> order);

/// The fast path for the common shapes. True (and `out` set) only when it
/// fully accepts the text; false means "ask the general parser", never "bad".
bool parse_timestamp_fast(std::string_view text, const date::time_zone& zone, std::optional<DateOrder> order,
                          Timestamp& out);

}  // namespace leadfunnel::detail
