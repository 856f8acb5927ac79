#include "core/memory/scheduler_arena.hpp"

#if OTTER_JEMALLOC

#include "core/memory/page_reserve.hpp"

#include <jemalloc/jemalloc.h>
#include <sys/mman.h>

#include <array>
#include <cstdio>
#include <mutex>
#include <type_traits>

namespace otter::detail {
namespace {

// Address space per scheduler arena. MAP_NORESERVE keeps it free until touched; past it, the
// arena falls back to jemalloc's own mappings.
constexpr std::size_t reserve_bytes = std::size_t{64} << 30;
// The most an arena takes from its reserve at a time (jemalloc's retain_grow_limit), so that
// the front of the reserve, which the populator runs ahead of, follows what is in use.
constexpr std::size_t grow_limit = std::size_t{4} << 20;
constexpr std::uint32_t max_schedulers = 64;

// The hooks of one scheduler arena. `hooks` comes first: jemalloc passes its address to every
// hook, which finds the rest from it. Memory outside the reserve (taken when the reserve was
// full, or at an address jemalloc asked for) goes to jemalloc's default hooks.
struct arena_hooks {
  extent_hooks_t hooks;
  extent_hooks_t* fallback;
  page_reserve reserve{reserve_bytes};
};
static_assert(std::is_standard_layout_v<arena_hooks>);

arena_hooks& of(extent_hooks_t* h) noexcept {
  return *reinterpret_cast<arena_hooks*>(h);  // `hooks` is the first member
}

void* alloc(extent_hooks_t* h, void* new_addr, std::size_t size, std::size_t alignment, bool* zero,
            bool* commit, unsigned arena) {
  arena_hooks& a = of(h);
  if (new_addr == nullptr) {
    if (void* p = a.reserve.take(size, alignment)) {
      *zero = true;  // never handed out before
      *commit = true;
      return p;
    }
  }
  return a.fallback->alloc(a.fallback, new_addr, size, alignment, zero, commit, arena);
}

// Reserve memory is never unmapped: jemalloc keeps it (retained) and reuses it.
bool dalloc(extent_hooks_t* h, void* addr, std::size_t size, bool committed, unsigned arena) {
  arena_hooks& a = of(h);
  if (a.reserve.contains(addr)) {
    return true;  // opt out: jemalloc retains the range
  }
  return a.fallback->dalloc(a.fallback, addr, size, committed, arena);
}

void destroy(extent_hooks_t* h, void* addr, std::size_t size, bool committed, unsigned arena) {
  arena_hooks& a = of(h);
  if (a.reserve.contains(addr)) {
    ::madvise(addr, size, MADV_DONTNEED);
    return;
  }
  a.fallback->destroy(a.fallback, addr, size, committed, arena);
}

bool commit(extent_hooks_t* h, void* addr, std::size_t size, std::size_t offset, std::size_t length,
            unsigned arena) {
  arena_hooks& a = of(h);
  if (a.reserve.contains(addr)) {
    return false;  // always committed
  }
  return a.fallback->commit(a.fallback, addr, size, offset, length, arena);
}

bool decommit(extent_hooks_t* h, void* addr, std::size_t size, std::size_t offset,
              std::size_t length, unsigned arena) {
  arena_hooks& a = of(h);
  if (a.reserve.contains(addr)) {
    return true;  // not supported: jemalloc purges instead
  }
  return a.fallback->decommit(a.fallback, addr, size, offset, length, arena);
}

bool purge_lazy(extent_hooks_t* h, void* addr, std::size_t size, std::size_t offset,
                std::size_t length, unsigned arena) {
  arena_hooks& a = of(h);
  if (a.reserve.contains(addr)) {
    return ::madvise(static_cast<char*>(addr) + offset, length, MADV_FREE) != 0;
  }
  return a.fallback->purge_lazy == nullptr
         || a.fallback->purge_lazy(a.fallback, addr, size, offset, length, arena);
}

bool purge_forced(extent_hooks_t* h, void* addr, std::size_t size, std::size_t offset,
                  std::size_t length, unsigned arena) {
  arena_hooks& a = of(h);
  if (a.reserve.contains(addr)) {
    return ::madvise(static_cast<char*>(addr) + offset, length, MADV_DONTNEED) != 0;
  }
  return a.fallback->purge_forced == nullptr
         || a.fallback->purge_forced(a.fallback, addr, size, offset, length, arena);
}

bool split(extent_hooks_t* h, void* addr, std::size_t size, std::size_t size_a, std::size_t size_b,
           bool committed, unsigned arena) {
  arena_hooks& a = of(h);
  if (a.reserve.contains(addr)) {
    return false;  // one mapping: any split is fine
  }
  return a.fallback->split == nullptr
         || a.fallback->split(a.fallback, addr, size, size_a, size_b, committed, arena);
}

bool merge(extent_hooks_t* h, void* addr_a, std::size_t size_a, void* addr_b, std::size_t size_b,
           bool committed, unsigned arena) {
  arena_hooks& a = of(h);
  const bool in_a = a.reserve.contains(addr_a);
  if (in_a != a.reserve.contains(addr_b)) {
    return true;  // never join the reserve with a mapping of its own
  }
  if (in_a) {
    return false;
  }
  return a.fallback->merge == nullptr
         || a.fallback->merge(a.fallback, addr_a, size_a, addr_b, size_b, committed, arena);
}

// 0: not made yet; 1 + the arena's index once made; -1 (as unsigned max) when it failed.
constexpr unsigned failed = ~0U;
std::mutex g_mu;
std::array<unsigned, max_schedulers> g_arenas{};  // guarded by g_mu

unsigned make_arena() noexcept {
  extent_hooks_t* fallback = nullptr;
  std::size_t len = sizeof fallback;
  if (mallctl("arena.0.extent_hooks", &fallback, &len, nullptr, 0) != 0 || fallback == nullptr) {
    return failed;
  }
  // Never freed: jemalloc calls the hooks for as long as the program lives.
  auto* a = new arena_hooks{
      {alloc, dalloc, destroy, commit, decommit, purge_lazy, purge_forced, split, merge}, fallback};
  if (!a->reserve.valid()) {
    delete a;
    return failed;
  }
  populator::add(&a->reserve);
  extent_hooks_t* hooks = &a->hooks;
  unsigned index = 0;
  len = sizeof index;
  if (mallctl("arenas.create", &index, &len, &hooks, sizeof hooks) != 0) {
    return failed;  // `a` stays: jemalloc may hold its hooks if creation failed half way
  }
  char name[64];
  std::snprintf(name, sizeof name, "arena.%u.retain_grow_limit", index);
  std::size_t limit = grow_limit;
  (void)mallctl(name, nullptr, nullptr, &limit, sizeof limit);  // advice: larger steps work too
  return index + 1;
}

}  // namespace

void bind_scheduler_arena(std::uint32_t index) noexcept {
  if (index >= max_schedulers) {
    return;
  }
  unsigned arena = 0;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    if (g_arenas[index] == 0) {
      g_arenas[index] = make_arena();
    }
    arena = g_arenas[index];
  }
  if (arena == failed) {
    return;
  }
  unsigned ind = arena - 1;
  (void)mallctl("thread.arena", nullptr, nullptr, &ind, sizeof ind);
}

}  // namespace otter::detail

#else

namespace otter::detail {

void bind_scheduler_arena(std::uint32_t) noexcept {}

}  // namespace otter::detail

#endif
