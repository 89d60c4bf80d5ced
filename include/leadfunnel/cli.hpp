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

}  // namespace leadfunnel
