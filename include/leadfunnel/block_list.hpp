#pragma once
/// Memory for tables of millions of small records, in 2 MB blocks that ask
/// the kernel for large pages. On a virtual machine a page fault costs
/// microseconds, and a table that grows faults in every new 4 KB page: with
/// 2 MB pages, one fault in 512.

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

#include "leadfunnel/fault_ahead.hpp"

namespace leadfunnel {

/// The large page size asked for, and the size of a BlockList block.
constexpr std::size_t kLargePage = std::size_t{1} << 21;

/// `bytes` (a multiple of kLargePage) aligned to a large page, with the
/// kernel asked to back it with large pages (a hint: without transparent
/// large pages, ordinary ones); null when memory is short.
inline void* allocate_large_new(std::size_t bytes) noexcept {
  void* p = std::aligned_alloc(kLargePage, bytes);
#if defined(MADV_HUGEPAGE)
  if (p) ::madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

/// allocate_large_new, or a single large page from a live FaultAhead when
/// it has one ready; freed with std::free. Throws std::bad_alloc.
inline void* allocate_large(std::size_t bytes) {
  if (bytes == kLargePage)
    if (void* ready = take_faulted_block()) return ready;
  void* p = allocate_large_new(bytes);
  if (!p) throw std::bad_alloc();
  return p;
}

/// An allocator for std::vector: blocks of 2 MB or more from allocate_large,
/// smaller ones from operator new as usual.
template <class T>
struct LargePageAllocator {
  using value_type = T;
  LargePageAllocator() = default;
  template <class U>
  LargePageAllocator(const LargePageAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kLargePage) return static_cast<T*>(::operator new(bytes));
    return static_cast<T*>(allocate_large((bytes + kLargePage - 1) / kLargePage * kLargePage));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < kLargePage) ::operator delete(p);
    else std::free(p);
  }
  template <class U>
  bool operator==(const LargePageAllocator<U>&) const noexcept {
    return true;
  }
};

/// Values added at the end and never moved, in 2 MB blocks from
/// allocate_large: growing copies nothing and never holds two copies of the
/// table (a std::vector briefly holds both; a std::deque allocates a block
/// per few hundred bytes).
template <class T>
class BlockList {
  static_assert(sizeof(T) <= kLargePage, "a value must fit in a block");

 public:
  BlockList() = default;
  BlockList(const BlockList&) = delete;
  BlockList& operator=(const BlockList&) = delete;
  BlockList(BlockList&& other) noexcept
      : blocks_(std::exchange(other.blocks_, {})), size_(std::exchange(other.size_, 0)) {}
  BlockList& operator=(BlockList&& other) noexcept {
    if (this != &other) {
      clear();
      blocks_ = std::exchange(other.blocks_, {});
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  ~BlockList() { clear(); }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  T& operator[](std::size_t i) noexcept { return blocks_[i / kPerBlock][i % kPerBlock]; }
  const T& operator[](std::size_t i) const noexcept { return blocks_[i / kPerBlock][i % kPerBlock]; }

  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == blocks_.size() * kPerBlock) {
      blocks_.reserve(blocks_.size() + 1);
      blocks_.push_back(static_cast<T*>(allocate_large(kLargePage)));
    }
    T* slot = blocks_[size_ / kPerBlock] + size_ % kPerBlock;
    ::new (static_cast<void*>(slot)) T(std::forward<Args>(args)...);
    ++size_;
    return *slot;
  }

  /// Destroys every value and gives the memory back.
  void clear() noexcept {
    for (std::size_t i = 0; i < size_; ++i) (*this)[i].~T();
    for (T* b : blocks_) std::free(b);
    blocks_.clear();
    blocks_.shrink_to_fit();
    size_ = 0;
  }

 private:
  static constexpr std::size_t kPerBlock = kLargePage / sizeof(T);
  std::vector<T*> blocks_;
  std::size_t size_ = 0;
};

}  // namespace leadfunnel
