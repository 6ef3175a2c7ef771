#pragma once

// An allocator for the few large arrays of an index build (tens to hundreds of MB each).
//
// Such arrays come straight from mmap, and every 4 KiB page costs a page fault on first touch:
// on the virtual machines this runs on, building the national AreaIndex spent a quarter of its
// time in the kernel's fault handler (perf: pvm_irq_enable under exc_page_fault). Blocks of at
// least kHugePageMin bytes are mapped here aligned to 2 MiB and marked MADV_HUGEPAGE, so that
// with transparent huge pages in "madvise" mode (the common default) a fault maps 2 MiB at a
// time. Smaller blocks use operator new. The contents are the same either way: only the speed
// differs.

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace notspot::engine::detail {

inline constexpr std::size_t kHugePageSize = std::size_t{2} << 20;
inline constexpr std::size_t kHugePageMin = std::size_t{4} << 20;

inline void* huge_page_allocate(std::size_t bytes) {
  if (bytes < kHugePageMin) return ::operator new(bytes);
  const std::size_t size = (bytes + kHugePageSize - 1) & ~(kHugePageSize - 1);
  // Over-map by one huge page and trim, so that the block starts on a 2 MiB boundary.
  void* raw = ::mmap(nullptr, size + kHugePageSize, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + kHugePageSize - 1) & ~(kHugePageSize - 1);
  if (aligned > start) ::munmap(raw, aligned - start);
  const std::uintptr_t end = start + size + kHugePageSize;
  if (end > aligned + size) ::munmap(reinterpret_cast<void*>(aligned + size), end - aligned - size);
  void* p = reinterpret_cast<void*>(aligned);
  ::madvise(p, size, MADV_HUGEPAGE);  // advice only: failure (no THP) changes nothing
  return p;
}

inline void huge_page_deallocate(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  if (bytes < kHugePageMin) {
    ::operator delete(p);
    return;
  }
  const std::size_t size = (bytes + kHugePageSize - 1) & ~(kHugePageSize - 1);
  ::munmap(p, size);
}

template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(huge_page_allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { huge_page_deallocate(p, n * sizeof(T)); }
  /// resize(n) and vector(n) default-initialise: no zeroing pass over memory that the caller
  /// writes in full anyway (fresh pages are zero already; the pass was 2.5% of the build).
  /// REQUIRES of users: every element so created is written before it is read.
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
};

/// A std::vector whose large buffers are backed by transparent huge pages.
template <class T>
using BigVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace notspot::engine::detail
