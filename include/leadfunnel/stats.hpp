#pragma once
/// The statistics behind every number: rates with Wilson intervals, percentiles.

#include <cstddef>
#include <optional>
#include <vector>

#include "leadfunnel/samples.hpp"

namespace leadfunnel {

/// The 97.5% quantile of the standard normal, for two-sided 95% intervals.
inline constexpr double kZ95 = 1.959963984540054;

/// A closed interval [low, high].
struct Interval {
  double low = 0;
  double high = 0;
};

/// A proportion with its parts. `value` and `ci95` are empty when the
/// denominator is zero: an undefined rate, never NaN.
struct Rate {
  std::size_t numerator = 0;
  std::size_t denominator = 0;
  std::optional<double> value;
  std::optional<Interval> ci95;
};

/// Wilson score interval for k successes in n trials; empty when n == 0.
std::optional<Interval> wilson_interval(std::size_t k, std::size_t n, double z = kZ95);

/// k / n with its 95% Wilson interval.
Rate make_rate(std::size_t k, std::size_t n);

/// The q-quantile (0..1) of `values` by linear interpolation between order
/// statistics (NumPy's default, Hyndman & Fan type 7); empty for no values.
/// `values` need not be sorted. (percentile_in_place and Samples, for many
/// values, are in samples.hpp.)
std::optional<double> percentile(std::vector<double> values, double q);

}  // namespace leadfunnel
