// Per-thread caches of free blocks by size class, for mailbox nodes and coroutine frames.
//
// Each scheduler thread allocates and frees a node per message and a frame per process; the
// general allocator spent a fifth of the ring benchmark's time on them. A block freed on a
// thread goes to that thread's cache (blocks migrate between threads, as in tcmalloc's thread
// caches); each class keeps at most `max_cached` blocks, the rest go back to operator delete, and
// a thread's cache is emptied when the thread ends. No locks, no atomics: every cache belongs to
// one thread.
//
// The free lists live outside the blocks (an array per class), so that under AddressSanitizer a
// cached block is poisoned whole: a use after free of a node or frame is still reported while
// the block waits in the cache.

#include "otter/detail/small_alloc.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define OTTER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OTTER_ASAN 1
#endif
#endif

#ifdef OTTER_ASAN
#include <sanitizer/asan_interface.h>
#define OTTER_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define OTTER_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define OTTER_POISON(p, n) ((void)(p), (void)(n))
#define OTTER_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace otter::detail {

namespace {

// Size classes: a block of class c is class_size(c) bytes, the smallest class that holds the
// request. The classes are those of the malloc behind operator new, so that a block wastes
// nothing there beyond what the class itself rounds.
//
// glibc (OTTER_MALLOC=system, and the sanitizer builds) puts an 8-byte header before a block
// and rounds the pair up to 16 bytes (32 at least): blocks of 16k + 24 bytes fill their chunks
// exactly, where a block of 16k bytes would waste 8 bytes of a chunk 16 bytes larger.
namespace glibc_classes {
constexpr std::size_t count = 32;
constexpr std::size_t size(std::size_t c) noexcept {
  return 16 * c + 24;
}
constexpr std::size_t of(std::size_t bytes) noexcept {
  return bytes <= 24 ? 0 : (bytes - 24 + 15) / 16;
}
}  // namespace glibc_classes

// jemalloc (the default) has no header; its small classes are the multiples of 16 up to 128
// bytes, then four per doubling (160, 192, 224, 256, 320, ...). A glibc-shaped class would
// cost it a whole class more for every request within 8 bytes under a jemalloc class (a
// 320-byte coroutine frame: 328 requested, 384 served).
namespace jemalloc_classes {
constexpr std::size_t count = 16;  // 16 ... 512
constexpr std::size_t size(std::size_t c) noexcept {
  if (c < 8) {
    return 16 * (c + 1);
  }
  const std::size_t doubling = (c - 8) / 4;
  return (std::size_t{128} << doubling) + ((c - 8) % 4 + 1) * (std::size_t{32} << doubling);
}
constexpr std::size_t of(std::size_t bytes) noexcept {
  if (bytes <= 128) {
    return bytes <= 16 ? 0 : (bytes + 15) / 16 - 1;
  }
  const auto lg = static_cast<std::size_t>(std::bit_width(bytes - 1) - 1);  // 7 or 8
  return 8 + (lg - 7) * 4 + (bytes - 1 - (std::size_t{1} << lg)) / (std::size_t{1} << (lg - 2));
}
}  // namespace jemalloc_classes

// Both mappings are checked in every build: each request gets the smallest class that holds it.
template <std::size_t (*Size)(std::size_t), std::size_t (*Of)(std::size_t), std::size_t Count>
constexpr bool fitted() noexcept {
  for (std::size_t bytes = 1; bytes <= Size(Count - 1); ++bytes) {
    const std::size_t c = Of(bytes);
    if (c >= Count || Size(c) < bytes || (c > 0 && Size(c - 1) >= bytes)) {
      return false;
    }
  }
  return true;
}
static_assert(fitted<glibc_classes::size, glibc_classes::of, glibc_classes::count>());
static_assert(fitted<jemalloc_classes::size, jemalloc_classes::of, jemalloc_classes::count>());
static_assert(jemalloc_classes::size(11) == 256 && jemalloc_classes::size(13) == 384);

#if OTTER_JEMALLOC
namespace size_classes = jemalloc_classes;
#else
namespace size_classes = glibc_classes;
#endif
constexpr std::size_t classes = size_classes::count;
constexpr std::size_t class_size(std::size_t c) noexcept {
  return size_classes::size(c);
}
constexpr std::size_t class_of(std::size_t bytes) noexcept {
  return size_classes::of(bytes);
}
constexpr std::size_t small_alloc_max = class_size(classes - 1);  // 520 or 512
constexpr std::size_t max_cached = 8192;

// One class's free list: an array of block pointers, grown on demand up to max_cached.
struct class_list {
  void** items = nullptr;
  std::uint32_t size = 0;
  std::uint32_t capacity = 0;
};

// The cache is plain data, so that the thread_local needs no guard and no wrapper call: the
// fast paths are an index, a compare and a load or store. Its memory is released at thread exit
// by `reaper`, which the slow path creates the first time a list grows.
struct thread_cache {
  std::array<class_list, classes> lists;
  bool closed = false;  // the thread is exiting: its cache was emptied, blocks go to delete
};
constinit thread_local thread_cache t_cache;

struct reaper {
  reaper() = default;
  reaper(const reaper&) = delete;
  reaper& operator=(const reaper&) = delete;
  ~reaper() {
    t_cache.closed = true;  // a block freed by a later thread_local destructor is deleted
    for (std::size_t c = 0; c < classes; ++c) {
      class_list& l = t_cache.lists[c];
      for (std::uint32_t i = 0; i < l.size; ++i) {
        OTTER_UNPOISON(l.items[i], class_size(c));
        ::operator delete(l.items[i]);
      }
      ::operator delete(static_cast<void*>(l.items));
      l = class_list{};
    }
  }
};

// The rest of small_free when `c`'s list is full: grow it up to max_cached, else delete the
// block. Out of line (a tail call), so that the fast path saves no registers.
[[gnu::noinline, gnu::cold]] void free_slow(void* p, std::size_t c) noexcept {
  class_list& l = t_cache.lists[c];
  if (t_cache.closed || l.capacity >= max_cached) {
    ::operator delete(p);
    return;
  }
  static thread_local reaper r;  // constructed once per thread, here only
  (void)r;
  const std::uint32_t capacity = l.capacity == 0 ? 64 : l.capacity * 2;
  auto* items = static_cast<void**>(::operator new(capacity * sizeof(void*), std::nothrow));
  if (items == nullptr) {
    ::operator delete(p);
    return;
  }
  std::copy_n(l.items, l.size, items);
  ::operator delete(static_cast<void*>(l.items));
  l.items = items;
  l.capacity = capacity;
  l.items[l.size++] = p;
  OTTER_POISON(p, class_size(c));
}

}  // namespace

void* small_alloc(std::size_t size) {
  if (size == 0 || size > small_alloc_max) {
    return ::operator new(size);
  }
  const std::size_t c = class_of(size);
  class_list& l = t_cache.lists[c];
  if (l.size != 0) {
    void* b = l.items[--l.size];
    OTTER_UNPOISON(b, class_size(c));
    return b;
  }
  return ::operator new(class_size(c));
}

void small_free(void* p, std::size_t size) noexcept {
  if (p == nullptr) {
    return;
  }
  if (size == 0 || size > small_alloc_max) {
    ::operator delete(p);
    return;
  }
  const std::size_t c = class_of(size);
  class_list& l = t_cache.lists[c];
  if (l.size == l.capacity) [[unlikely]] {
    free_slow(p, c);
    return;
  }
  l.items[l.size++] = p;
  OTTER_POISON(p, class_size(c));
}

void* frame_alloc(std::size_t size) {
  return small_alloc(size);
}
void frame_free(void* p, std::size_t size) noexcept {
  small_free(p, size);
}

}  // namespace otter::detail
