// src/core/memory/scheduler_arena.hpp: the malloc arena each scheduler thread allocates from.
//
// In builds with jemalloc (OTTER_MALLOC=jemalloc, docs/design/memory.md), scheduler thread i
// of every runtime allocates from jemalloc arena number i of the program's scheduler arenas,
// created on first use and kept for the program's life. Such an arena takes its memory from a
// page_reserve (page_reserve.hpp): one reservation of address space, advised for transparent
// huge pages, whose pages the populator thread faults in ahead of the arena's front. So the
// memory of processes (coroutine frames, mailboxes, timers, maps) reaches the scheduler
// already present, mostly on 2 MiB pages. Everything else about the arena is jemalloc's: its
// thread caches, frees from other threads, and giving unused pages back (madvise) after its
// decay time.
//
// Without jemalloc (sanitizer builds, OTTER_MALLOC=system) binding does nothing.

#pragma once

#include <cstdint>

namespace otter::detail {

/// Makes the calling thread allocate from scheduler arena `index`, creating it the first
/// time. Does nothing without jemalloc, or when the arena cannot be made (the thread then keeps
/// jemalloc's default arena). @threadsafe
void bind_scheduler_arena(std::uint32_t index) noexcept;

}  // namespace otter::detail
