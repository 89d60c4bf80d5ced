#pragma once
/// Starting a cache line's load ahead of its use.

namespace leadfunnel {

/// Starts loading the cache line that holds `p` (never faults, whatever `p`,
/// null included).
///
/// An asm statement, not a bare `__builtin_prefetch`: GCC 12's mod-ref
/// analysis takes a function whose only effect is a prefetch for one
/// without effects, and drops the calls to it, inlined or not. Every
/// prefetch the loader's helpers asked for that way was gone from the
/// program (found in the nineteenth session: none in the committing loops).
/// Elsewhere than x86-64, an empty asm statement beside the builtin gives
/// the function its effect.
inline void prefetch_line(const void* p) noexcept {
#if defined(__x86_64__) && defined(__GNUC__)
  asm volatile("prefetcht0 (%0)" : : "r"(p));
#elif defined(__GNUC__)
  __builtin_prefetch(p);
  asm volatile("");
#else
  (void)p;
#endif
}

}  // namespace leadfunnel
