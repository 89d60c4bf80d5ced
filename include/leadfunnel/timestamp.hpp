#pragma once
/// Timestamps: parsing export cells into instants, and printing instants.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace leadfunnel {

/// An instant on the UTC time line, with millisecond resolution.
using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

/// A parsed cell: the instant and whether the cell carried only a date.
struct Timestamp {
  Instant at{};
  bool date_only = false;
};

/// Either a timestamp or the reason the text is not one.
struct TimestampParse {
  std::optional<Timestamp> value;
  std::string error;  ///< set when value is empty
};

/// The order of day, month and year in locale dates such as 03/04/2026.
enum class DateOrder { Dmy, Mdy, Ymd };

/// "dmy", "mdy" or "ymd".
std::string_view date_order_name(DateOrder order);
/// The order with that name, if any.
std::optional<DateOrder> date_order_from_name(std::string_view name);

/// The pieces of a locale date (`15/03/2024 2:30 PM`, `01.10.2026 08:00`,
/// `2026.10.01`), before the order of its three numbers is known.
struct LocaleDate {
  int first = 0, second = 0, third = 0;
  int first_digits = 0, third_digits = 0;
  char separator = '/';
};

/// Splits a locale date; empty when the text does not have that shape.
std::optional<LocaleDate> scan_locale_date(std::string_view text);

/// Looks up an IANA zone name ("America/Sao_Paulo", "UTC"); nullptr when unknown.
const date::time_zone* find_zone(std::string_view name);

/// Parses one cell. Accepted shapes: ISO 8601 date (`2024-03-15`), date-time
/// with `T` or space, optional seconds and fraction, optional `Z`/`±HH:MM`/
/// `±HHMM`/`±HH`/` UTC`; epoch seconds (9-11 digits) and milliseconds (12-14).
/// Naive values are local time in `zone`; a date alone is the start of that
/// day there. Impossible values (`2024-02-30`, `24:00`) and local times that
/// fall into a daylight-saving gap are errors, never normalised.
/// With `order`, locale dates (`M/D/YYYY`, `D/M/YYYY`, `DD.MM.YYYY`,
/// `DD-MM-YYYY`, `YYYY.MM.DD`, two-digit years, 12-hour clocks with AM/PM,
/// optional seconds) are read in that order; without it they are an error
/// that asks for one, except that a four-digit first number (`2026/03/04`)
/// is always the year. Two-digit years 00-68 are 2000-2068, 69-99 are 1969-1999.
TimestampParse parse_timestamp(std::string_view text, const date::time_zone& zone,
                               std::optional<DateOrder> order = std::nullopt);

/// ISO 8601 in UTC with a `Z`, seconds precision (`2026-03-01T14:00:00Z`).
std::string format_utc(Instant at);

/// ISO 8601 local time in `zone` with its offset (`2026-03-01T11:00:00-03:00`).
std::string format_local(Instant at, const date::time_zone& zone);

/// The local calendar date of `at` in `zone`, as `YYYY-MM-DD`.
std::string local_date(Instant at, const date::time_zone& zone);

}  // namespace leadfunnel
