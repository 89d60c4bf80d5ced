#pragma once
/// Errors that end a run, each tied to the exit status a script can act on.

#include <cstddef>
#include <stdexcept>
#include <string>

namespace leadfunnel {

/// Exit statuses, following BSD sysexits where one fits.
enum class ExitCode : int {
  Ok = 0,            ///< report produced and clean
  Alert = 1,         ///< report produced, an alert threshold was crossed
  Usage = 64,        ///< bad command line
  Data = 65,         ///< rejected rows beyond --max-rejected, or --strict stopped
  NoInput = 66,      ///< input missing or unreadable
  Internal = 70,     ///< a bug in leadfunnel
  CantCreate = 73,   ///< cannot create the output file
  Io = 74,           ///< read or write failed
  Config = 78,       ///< bad agreement file
};

/// Base of every error that ends a run with a message and a status.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

/// A mistake on the command line.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(ExitCode::Usage, message) {}
};

/// Unusable input data; the message reads `path:line: what is wrong; what to do`.
class InputError : public Error {
 public:
  InputError(const std::string& path, std::size_t line, const std::string& column,
             const std::string& message, ExitCode code = ExitCode::Data)
      : Error(code, message), path_(path), line_(line), column_(column) {}
  const std::string& path() const { return path_; }
  std::size_t line() const { return line_; }
  const std::string& column() const { return column_; }

 private:
  std::string path_;
  std::size_t line_;
  std::string column_;
};

/// A broken agreement file.
class AgreementError : public Error {
 public:
  explicit AgreementError(const std::string& message) : Error(ExitCode::Config, message) {}
};

}  // namespace leadfunnel
