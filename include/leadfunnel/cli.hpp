#pragma once
/// The command line: argv in, a report and an exit status out.

#include <iosfwd>
#include <string>
#include <vector>

#include "leadfunnel/timestamp.hpp"

namespace leadfunnel {

/// Runs leadfunnel with `args` (without the program name). The report goes to
/// `out` (or -o FILE), messages to `err`. `now` is the default --as-of; the
/// clock is read by main only.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, Instant now);

/// Removes the half-written temporary file of `-o FILE`, if one exists. Safe
/// to call from a signal handler (it only calls unlink).
void remove_partial_output() noexcept;

}  // namespace leadfunnel
