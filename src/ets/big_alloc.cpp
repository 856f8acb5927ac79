#include "ets/big_alloc.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <new>

namespace otter::ets::detail {
namespace {

constexpr std::size_t map_threshold = 256 * 1024;
constexpr std::size_t huge_page = 2 * 1024 * 1024;

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
  if (bytes < huge_page) {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      throw std::bad_alloc();
    }
    return p;  // anonymous mappings are zeroed
  }
  // Map one huge page more than needed, then unmap the unaligned head and tail.
  void* raw =
      ::mmap(nullptr, size + huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) {
    throw std::bad_alloc();
  }
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + huge_page - 1) & ~(std::uintptr_t{huge_page} - 1);
  if (aligned > start) {
    ::munmap(raw, aligned - start);
  }
  const std::uintptr_t end = start + size + huge_page;
  if (end > aligned + size) {
    ::munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  }
  void* p = reinterpret_cast<void*>(aligned);
  ::madvise(p, size, MADV_HUGEPAGE);  // advice only: failure changes nothing
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
