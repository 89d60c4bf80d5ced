#include "leadfunnel/stats.hpp"

#include <algorithm>
#include <cmath>

namespace leadfunnel {

std::optional<Interval> wilson_interval(std::size_t k, std::size_t n, double z) {
  if (n == 0 || k > n) return std::nullopt;
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / nn;
  const double centre = (p + z2 / (2.0 * nn)) / denom;
  const double half = z * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
  // In exact arithmetic k == 0 starts at 0 and k == n ends at 1; floating
  // point leaves crumbs there, so those ends are set exactly.
  const double low = k == 0 ? 0.0 : std::max(0.0, centre - half);
  const double high = k == n ? 1.0 : std::min(1.0, centre + half);
  return Interval{low, high};
}

Rate make_rate(std::size_t k, std::size_t n) {
  Rate r;
  r.numerator = k;
  r.denominator = n;
  if (n > 0) {
    r.value = static_cast<double>(k) / static_cast<double>(n);
    r.ci95 = wilson_interval(k, n);
  }
  return r;
}

std::optional<double> percentile(std::vector<double> values, double q) { return percentile_in_place(values, q); }

}  // namespace leadfunnel
