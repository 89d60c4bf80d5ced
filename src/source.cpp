#include "leadfunnel/source.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "leadfunnel/error.hpp"

namespace leadfunnel {

std::size_t MemorySource::read(char* buf, std::size_t n) {
  const std::size_t k = std::min(n, data_.size() - pos_);
  if (k > 0) std::memcpy(buf, data_.data() + pos_, k);
  pos_ += k;
  return k;
}

FileSource::FileSource(const std::string& path) : path_(path) {
  if (path == "-") {
    fd_ = STDIN_FILENO;
    return;
  }
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0)
    throw InputError(path, 0, "",
                     fmt::format("{}: cannot open: {}; check the path and permissions", path, std::strerror(errno)),
                     ExitCode::NoInput);
  owned_ = true;
}

FileSource::~FileSource() {
  if (owned_) ::close(fd_);
}

std::size_t FileSource::read(char* buf, std::size_t n) {
  for (;;) {
    const ssize_t got = ::read(fd_, buf, n);
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno == EINTR) continue;
    const int err = errno;
    if (err == EISDIR)
      throw InputError(path_, 0, "", fmt::format("{}: is a directory; give the path of an export file", path_),
                       ExitCode::NoInput);
    throw InputError(path_, 0, "", fmt::format("{}: read failed: {}", path_, std::strerror(err)), ExitCode::Io);
  }
}

void FileSource::seek(std::uint64_t offset) {
  if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0)
    throw InputError(path_, 0, "", fmt::format("{}: cannot seek: {}", path_, std::strerror(errno)), ExitCode::Io);
}

std::size_t PrefixedSource::read(char* buf, std::size_t n) {
  if (pos_ < prefix_.size()) {
    const std::size_t k = std::min(n, prefix_.size() - pos_);
    std::memcpy(buf, prefix_.data() + pos_, k);
    pos_ += k;
    if (pos_ == prefix_.size()) {  // free the prefix: the rest comes from the source
      std::string().swap(prefix_);
      pos_ = 0;
    }
    return k;
  }
  return rest_.read(buf, n);
}

std::string read_up_to(ByteSource& source, std::size_t n) {
  // Grows as bytes come, so a small input does not pay for a large n.
  std::string out;
  std::size_t have = 0;
  while (have < n) {
    if (out.size() == have) out.resize(std::min(n, std::max<std::size_t>(4096, 2 * have)));
    const std::size_t got = source.read(out.data() + have, out.size() - have);
    if (got == 0) break;
    have += got;
  }
  out.resize(have);
  return out;
}

std::string read_rest(ByteSource& source) {
  std::string out;
  std::vector<char> block(std::size_t{1} << 16);
  for (;;) {
    const std::size_t got = source.read(block.data(), block.size());
    if (got == 0) return out;
    out.append(block.data(), got);
  }
}

}  // namespace leadfunnel
