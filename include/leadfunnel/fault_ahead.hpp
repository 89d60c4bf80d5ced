#pragma once
/// Large-page blocks brought into memory ahead of use, on a thread of their own.

#include <memory>

namespace leadfunnel {

/// While one lives, a thread of its own keeps a few blocks of kLargePage
/// bytes ready for allocate_large, their pages already brought in (written
/// to once per 4 KB). On a virtual machine whose free memory goes back to
/// the host, the first write to a fresh page is slow: filling the prospects
/// tables of 10M leads (about 150 MB of blocks) on one thread spent more
/// time in the kernel bringing pages in than in reading the file, while the
/// other core waited. Make one for such a phase, when a core is idle;
/// blocks it has ready when it ends are given back. At most one at a time.
class FaultAhead {
 public:
  FaultAhead();
  ~FaultAhead();
  FaultAhead(const FaultAhead&) = delete;
  FaultAhead& operator=(const FaultAhead&) = delete;

  struct State;

 private:
  std::unique_ptr<State> s_;
};

/// A ready block of kLargePage bytes from the live FaultAhead (to be freed
/// with std::free, like any from allocate_large), or null when there is
/// none live or it has none ready yet.
void* take_faulted_block() noexcept;

}  // namespace leadfunnel
