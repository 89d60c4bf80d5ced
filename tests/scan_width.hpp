#pragma once
// For tests of the byte scans at both widths.

#include "leadfunnel/simd.hpp"

namespace leadfunnel {

/// Runs a test with the 64-byte scans allowed (on this processor, if it has
/// AVX-512BW) or kept to 16 bytes, as on a processor without, and puts the
/// setting back.
struct ScanWidth {
  bool was;
  explicit ScanWidth(bool allowed) : was(allow_wide_scans(allowed)) {}
  ~ScanWidth() { allow_wide_scans(was); }
  ScanWidth(const ScanWidth&) = delete;
  ScanWidth& operator=(const ScanWidth&) = delete;
};

}  // namespace leadfunnel
