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

// Class c holds blocks of 16c + 24 bytes. glibc's malloc (OTTER_MALLOC=system) puts an 8-byte
// header before a block and rounds the pair up to 16 bytes (32 at least), so a block of 16k + 8
// bytes fills its chunk exactly, where a block of 16k bytes would waste 8 bytes of a chunk 16
// bytes larger. A million idle processes each hold a frame and a timer message: 16 bytes each
// is 16 MB per million. jemalloc (the default) has no header and classes that are multiples of
// 16 up to 128 bytes, then four per doubling: a block here costs it at most 8 bytes more up to
// 128 bytes, and the same as a request of its exact size above.
constexpr std::size_t granule = 16;
constexpr std::size_t smallest = 24;
constexpr std::size_t classes = 32;
constexpr std::size_t class_size(std::size_t c) noexcept {
  return granule * c + smallest;
}
constexpr std::size_t small_alloc_max = class_size(classes - 1);  // 520
constexpr std::size_t max_cached = 8192;

constexpr std::size_t class_of(std::size_t size) noexcept {
  return size <= smallest ? 0 : (size - smallest + granule - 1) / granule;
}
static_assert(class_of(smallest) == 0 && class_of(smallest + 1) == 1);
static_assert(class_size(class_of(small_alloc_max)) == small_alloc_max);
static_assert(class_size(class_of(small_alloc_max - granule + 1)) == small_alloc_max);

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
