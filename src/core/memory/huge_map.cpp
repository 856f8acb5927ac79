#include "core/memory/huge_map.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace otter::detail {

void* map_huge_aligned(std::size_t size, bool noreserve) noexcept {
  // Map one huge page more than needed, then unmap the unaligned head and tail.
  const int flags = MAP_PRIVATE | MAP_ANONYMOUS | (noreserve ? MAP_NORESERVE : 0);
  void* raw = ::mmap(nullptr, size + huge_page_size, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (raw == MAP_FAILED) {
    return nullptr;
  }
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + huge_page_size - 1) & ~(huge_page_size - 1);
  if (aligned > start) {
    ::munmap(raw, aligned - start);
  }
  const std::uintptr_t end = start + size + huge_page_size;
  if (end > aligned + size) {
    ::munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  }
  void* p = reinterpret_cast<void*>(aligned);
  ::madvise(p, size, MADV_HUGEPAGE);  // advice only: without it, small pages
  return p;
}

}  // namespace otter::detail
