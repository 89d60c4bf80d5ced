#pragma once
/// Where input bytes come from: a file or stdin read in blocks, or memory.
/// Readers pull from a ByteSource so that no file has to fit in memory.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace leadfunnel {

/// A stream of bytes read in pieces.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Reads up to `n` bytes into `buf`; 0 means the end of the input. Throws
  /// InputError (exit 74) when the underlying read fails.
  virtual std::size_t read(char* buf, std::size_t n) = 0;
};

/// Bytes already in memory.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  std::size_t read(char* buf, std::size_t n) override;

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

/// An open file descriptor (a file, a pipe or stdin), read with read(2).
class FileSource final : public ByteSource {
 public:
  /// Opens `path` ("-" is stdin); throws InputError (exit 66) when it cannot.
  explicit FileSource(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  std::size_t read(char* buf, std::size_t n) override;
  /// The next read starts at byte `offset` of the file; throws InputError
  /// (exit 74) when the file cannot be positioned (stdin or a pipe).
  void seek(std::uint64_t offset);

 private:
  std::string path_;
  int fd_ = -1;
  bool owned_ = false;
};

/// Some bytes already taken from a source, then the rest of that source.
class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::string prefix, ByteSource& rest) : prefix_(std::move(prefix)), rest_(rest) {}
  std::size_t read(char* buf, std::size_t n) override;

 private:
  std::string prefix_;
  std::size_t pos_ = 0;
  ByteSource& rest_;
};

/// Reads from `source` until `n` bytes or the end: the first bytes of a file,
/// for sniffing.
std::string read_up_to(ByteSource& source, std::size_t n);

/// Reads `source` to the end.
std::string read_rest(ByteSource& source);

}  // namespace leadfunnel
