#pragma once
/// Whether the byte scans may take 64 bytes at a time (AVX-512BW). The
/// program is built for every x86-64 processor; the few hot scans that gain
/// from the wider registers have a second version, chosen at run time.

#include <atomic>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/// Defined where the 64-byte versions are compiled in.
#define LEADFUNNEL_WIDE_SCANS 1
#endif

namespace leadfunnel {

namespace simd_detail {
inline std::atomic<bool>& wide_allowed() {
  static std::atomic<bool> allowed{true};
  return allowed;
}
}  // namespace simd_detail

/// Whether this processor has AVX-512BW and the wide scans are allowed.
inline bool wide_scans() {
#if defined(LEADFUNNEL_WIDE_SCANS)
  static const bool cpu = __builtin_cpu_supports("avx512bw");
  return cpu && simd_detail::wide_allowed().load(std::memory_order_relaxed);
#else
  return false;
#endif
}

/// Whether the wide scans may also compress bytes and bits (AVX-512 VBMI2
/// and BMI2, as on AMD Zen 4 and Intel Ice Lake on): the quoted-record scan.
inline bool wide_compress() {
#if defined(LEADFUNNEL_WIDE_SCANS)
  static const bool cpu = __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("bmi2");
  return cpu && wide_scans();
#else
  return false;
#endif
}

/// Allows the wide scans (the default) or keeps every scan to its 16-byte
/// SSE2 version, as on a processor without AVX-512BW: for tests of both.
/// Returns the previous setting.
inline bool allow_wide_scans(bool allowed) { return simd_detail::wide_allowed().exchange(allowed); }

}  // namespace leadfunnel
