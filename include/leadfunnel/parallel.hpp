#pragma once
/// Work shared out among threads.

#include <cstddef>
#include <functional>

namespace leadfunnel {

/// Runs work(k) for every k in [0, n) at once: k = 0 on the calling thread,
/// every other k on a thread of its own. A k whose thread cannot be started
/// (a limit on threads) runs on the calling thread after k = 0. Returns when
/// every k has ended, then rethrows the exception of the lowest k that threw.
void run_parts(std::size_t n, const std::function<void(std::size_t)>& work);

}  // namespace leadfunnel
