// leadfunnel: main reads the clock once (the default --as-of), sets up
// signals and the allocator, and hands argv to run_cli.
#include <cerrno>
#include <chrono>
#include <csignal>
#include <iostream>

#include <cstring>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "leadfunnel/cli.hpp"

namespace {

/// Ctrl-C (130) and kill (143) end the run at once: the half-written -o
/// file is removed so the target keeps its old content.
extern "C" void on_interrupt(int sig) {
  leadfunnel::remove_partial_output();
  ::_exit(128 + sig);
}

}  // namespace

int main(int argc, char** argv) {
#if defined(__GLIBC__)
  // Blocks of 128 KB or more always get their own mapping, returned whole
  // when freed. By default glibc raises that bound as such blocks are freed
  // (up to 32 MB), after which they come from the heaps of the threads and
  // stay there: 99 MB of peak RSS against 90 MB on the messy 10M export,
  // with no change in time (docs/performance.md).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
  // A closed pipe (`| head`) shows up as a failed write, handled below.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const int code = leadfunnel::run_cli(args, std::cout, std::cerr, leadfunnel::Instant{now.time_since_epoch()});
  std::cout.flush();
  if (!std::cout && errno != EPIPE) {
    std::cerr << "leadfunnel: error: writing the report to standard output failed: " << std::strerror(errno) << "\n";
    return 74;
  }
  return code;
}
