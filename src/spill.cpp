// The process's spill file (see spill.hpp).
#include "leadfunnel/spill.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>

namespace leadfunnel {
namespace {

std::atomic<std::uint64_t> end_of_file{0};
/// The file, once get() has made it.
std::atomic<SpillFile*> made{nullptr};
/// Held while the file is made again after a release.
std::mutex remaking;

}  // namespace

SpillFile* SpillFile::get() {
  static SpillFile file;
  made = &file;
  if (file.fd_ >= 0) return &file;
  std::lock_guard guard(remaking);
  if (file.released_ && file.fd_ < 0) {
    end_of_file = 0;
    file.open();
    file.released_ = false;
  }
  return file.fd_ >= 0 ? &file : nullptr;
}

SpillFile::SpillFile() {
  const char* t = std::getenv("TMPDIR");
  const std::string dir = t && *t && std::strlen(t) < sizeof(dir_) ? t : "/tmp";
  std::memcpy(dir_, dir.c_str(), dir.size() + 1);
  open();
}

void SpillFile::open() {
  int fd = -1;
#ifdef O_TMPFILE
  fd = ::open(dir_, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
  if (fd < 0) {
    std::string path = std::string(dir_) + "/leadfunnel-spill-XXXXXX";
    fd = ::mkstemp(path.data());
    if (fd >= 0) ::unlink(path.c_str());
  }
  fd_ = fd;
}

SpillFile::~SpillFile() {
  if (fd_ >= 0) ::close(fd_);
}

void SpillFile::release() {
  SpillFile* file = made;  // not get(): a file never made is not made now
  if (!file) return;
  std::lock_guard guard(remaking);
  const int fd = file->fd_.exchange(-1);
  if (fd < 0) return;
  ::close(fd);
  file->released_ = true;
}

std::optional<std::uint64_t> SpillFile::write(const void* data, std::size_t bytes) {
  const std::uint64_t at = end_of_file.fetch_add(bytes);
  std::size_t done = 0;
  while (done < bytes) {
    const ssize_t k =
        ::pwrite(fd_, static_cast<const char*>(data) + done, bytes - done, static_cast<off_t>(at + done));
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return std::nullopt;
    done += static_cast<std::size_t>(k);
  }
  return at;
}

void SpillFile::read(std::uint64_t offset, void* out, std::size_t bytes) const {
  std::size_t done = 0;
  while (done < bytes) {
    const ssize_t k = ::pread(fd_, static_cast<char*>(out) + done, bytes - done, static_cast<off_t>(offset + done));
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0)
      throw std::runtime_error(std::string("cannot read back leadfunnel's temporary file in ") + dir_ +
                               "; check that TMPDIR names a working, writable directory");
    done += static_cast<std::size_t>(k);
  }
}

}  // namespace leadfunnel
