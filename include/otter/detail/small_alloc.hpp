// otter/detail/small_alloc.hpp: the allocator of mailbox nodes and coroutine frames.
// Not API. Implemented in src/core/process/small_alloc.cpp.

#pragma once

#include <cstddef>

namespace otter::detail {

/// Memory for a small, short-lived runtime object (a message node, a coroutine frame). Blocks
/// up to small_alloc_max bytes come from a per-thread cache of size classes; larger ones from
/// operator new. Under ASan cached blocks are poisoned, so a use after free is still caught.
/// @threadsafe (a block may be freed on another thread than the one that allocated it).
[[nodiscard]] void* small_alloc(std::size_t size);
/// Frees a block from small_alloc(); `size` must be the size it was allocated with.
void small_free(void* p, std::size_t size) noexcept;

}  // namespace otter::detail
