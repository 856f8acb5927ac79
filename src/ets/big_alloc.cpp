#include "ets/big_alloc.hpp"

#include "core/memory/huge_map.hpp"

#include <sys/mman.h>

#include <cstring>
#include <new>

namespace otter::ets::detail {
namespace {

constexpr std::size_t map_threshold = 256 * 1024;

// Whole 4 KiB pages only: the kernel backs the 2 MiB-aligned ranges that the mapping covers
// entirely with huge pages and the tail with small ones, so no huge page is half unused.
std::size_t mapped_size(std::size_t bytes) noexcept {
  return (bytes + 4095) / 4096 * 4096;
}

}  // namespace

void* big_alloc(std::size_t bytes) {
  if (bytes < map_threshold) {
    void* p = ::operator new(bytes, std::align_val_t(64));
    std::memset(p, 0, bytes);
    return p;
  }
  const std::size_t size = mapped_size(bytes);
  if (bytes < otter::detail::huge_page_size) {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      throw std::bad_alloc();
    }
    return p;  // anonymous mappings are zeroed
  }
  void* p = otter::detail::map_huge_aligned(size, /*noreserve=*/false);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  return p;
}

void big_free(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) {
    return;
  }
  if (bytes < map_threshold) {
    ::operator delete(p, std::align_val_t(64));
    return;
  }
  ::munmap(p, mapped_size(bytes));
}

}  // namespace otter::ets::detail
