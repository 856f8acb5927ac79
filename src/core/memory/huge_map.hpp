// src/core/memory/huge_map.hpp: anonymous mappings aligned to a transparent huge page.
//
// The kernel backs an anonymous range with 2 MiB pages only where the range covers whole
// 2 MiB-aligned blocks, and only where madvise(MADV_HUGEPAGE) asked for it (the default
// setting of /sys/kernel/mm/transparent_hugepage/enabled is "madvise"). The ETS tables' big
// arrays and the scheduler arenas' page reserves map their memory this way.

#pragma once

#include <cstddef>

namespace otter::detail {

inline constexpr std::size_t huge_page_size = std::size_t{2} << 20;

/// Maps `size` bytes (a multiple of 4 KiB) of zeroed, readable and writable memory aligned to
/// 2 MiB and advised to use transparent huge pages; `noreserve` maps it MAP_NORESERVE (address
/// space, charged only as pages are touched). nullptr when the kernel refuses. Undo with
/// munmap(p, size). @threadsafe
[[nodiscard]] void* map_huge_aligned(std::size_t size, bool noreserve) noexcept;

}  // namespace otter::detail
