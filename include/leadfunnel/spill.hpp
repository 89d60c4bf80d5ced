#pragma once
/// One temporary file per process for data that outgrows its memory share.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace leadfunnel {

/// An unnamed file in $TMPDIR (else /tmp), removed by the system when the
/// process ends. Writers append blocks at offsets taken atomically, so
/// threads never wait on each other; blocks are read back with pread and
/// never change once written.
class SpillFile {
 public:
  /// The file, made on first use; nullptr when no temporary file can be made.
  static SpillFile* get();

  /// Appends `bytes` bytes; the offset they went to, or nothing when the
  /// write failed (a full disk): the caller then keeps its data in memory.
  std::optional<std::uint64_t> write(const void* data, std::size_t bytes);

  /// Reads back `bytes` bytes written at `offset`; throws when it cannot.
  void read(std::uint64_t offset, void* out, std::size_t bytes) const;

  /// Closes the file now, when nothing written to it is needed any more
  /// and no thread uses it; the next get() makes a new one. Freeing the
  /// pages of a big file takes the system a while (30 ms for 350 MB): a
  /// caller can have it done on a thread of its own while it does other work.
  static void release();

 private:
  SpillFile();
  ~SpillFile();
  /// Makes the unnamed file (fd_ stays -1 when it cannot).
  void open();
  std::atomic<int> fd_{-1};
  bool released_ = false;  ///< closed by release(), to be made again on use
  char dir_[256] = {};
};

}  // namespace leadfunnel
