// src/ets/big_alloc.hpp: memory for the arrays of a table stripe.
//
// Large arrays are mapped directly from the OS, so that freeing them (a table shrinking or
// being deleted) returns the memory at once instead of leaving it in the allocator's heap;
// arrays of 2 MiB and more are aligned to 2 MiB and advised to use transparent huge pages,
// which removes most TLB misses of random lookups in a big table. Small arrays come from
// operator new.

#pragma once

#include <cstddef>

namespace otter::ets::detail {

/// `bytes` of zeroed memory aligned to 64 bytes. Aborts when out of memory, as new does.
[[nodiscard]] void* big_alloc(std::size_t bytes);
/// Frees what big_alloc(bytes) returned (the same `bytes`).
void big_free(void* p, std::size_t bytes) noexcept;

}  // namespace otter::ets::detail
