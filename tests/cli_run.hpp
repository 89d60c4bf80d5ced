#pragma once
// Test support: running the command line in-process, and scratch files.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "leadfunnel/cli.hpp"

namespace leadfunnel::testing {

/// What one run of the command line gave.
struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

/// Runs the command line in this process, with `now` as the clock.
inline Run run_at(const std::vector<std::string>& args, Instant now) {
  std::ostringstream out, err;
  Run r;
  r.code = run_cli(args, out, err, now);
  r.out = out.str();
  r.err = err.str();
  return r;
}

/// A scratch file holding `bytes`, removed at the end of the test. `prefix`
/// keeps the files of different test files apart.
struct TempFile {
  std::filesystem::path path;
  TempFile(const std::string& prefix, const std::string& name, const std::string& bytes) {
    path = std::filesystem::temp_directory_path() /
           (prefix + "-" + std::to_string(static_cast<long>(::getpid())) + "-" + name);
    std::ofstream(path, std::ios::binary) << bytes;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string str() const { return path.string(); }
};

}  // namespace leadfunnel::testing
