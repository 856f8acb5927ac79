// The atom table: a process-wide, append-only map between names and 32-bit indices.
//
// Interning looks the name up under a shared lock and inserts it under an exclusive one. The
// names live in a segmented array of fixed capacity (chunks allocated on demand, never moved or
// freed), so name() reads them with two acquire loads and no lock. The predefined atoms have
// their names in a constant array and never touch the table when read.
//
// Code names the same few atoms over and over (`atom("tick")` in a handler), so each thread
// keeps a small direct-mapped cache of names it has interned: a hit costs a hash and a compare,
// and takes no lock (the shared lock's counter is a cache line every scheduler would write).
// The cache may hold any name ever interned: atoms are never removed, and the views it keeps
// point at names that live for ever (the constant array, or the table's strings).

#include "otter/core/atom.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace otter {
namespace {

// In the order of namespace atoms in atom.hpp: the index of a name here is its atom's index.
constexpr std::array<std::string_view, atoms::predefined_count> predefined_names = {
    "nil",           "true",          "false",      "ok",           "error",        "normal",
    "shutdown",      "kill",          "killed",     "noproc",       "timeout",      "undefined",
    "infinity",      "badarg",        "nocatch",    "EXIT",         "DOWN",         "process",
    "nonode@nohost", "message",       "no_message", "noconnection", "system_limit", "$ancestors",
    "$callers",      "$initial_call",
};

[[noreturn]] void atom_failure(const char* what, std::uint32_t index,
                               const char* file = __builtin_FILE(),
                               int line = __builtin_LINE()) noexcept {
  std::fprintf(stderr, "%s:%d: atom: %s (index %u)\n", file, line, what, index);
  std::abort();
}

class atom_table {
public:
  // 1024 chunks of 4096 names: about four million atoms (Erlang's default limit is 1048576).
  static constexpr std::uint32_t chunk_bits = 12;
  static constexpr std::uint32_t chunk_size = std::uint32_t{1} << chunk_bits;
  static constexpr std::uint32_t chunk_count = 1024;
  static constexpr std::uint32_t capacity = chunk_size * chunk_count;

  // Slot i holds the name of atom i; the slots of the predefined atoms stay null (name() reads
  // those from predefined_names).
  using slot = std::atomic<const std::string*>;

  atom_table() {
    index_.reserve(1024);
    for (std::uint32_t i = 0; i < predefined_names.size(); ++i) {
      index_.emplace(predefined_names[i], i);
    }
  }

  std::uint32_t intern(std::string_view name) {
    struct cached {
      std::string_view name;  // a view of a name that lives for ever
      std::uint32_t index = 0;
    };
    static thread_local std::array<cached, 256> recent{};
    cached& c = recent[std::hash<std::string_view>{}(name) & (recent.size() - 1)];
    if (c.name.data() != nullptr && c.name == name) {
      return c.index;
    }
    {
      std::shared_lock lock(mutex_);
      if (auto it = index_.find(name); it != index_.end()) {
        c = cached{it->first, it->second};
        return it->second;
      }
    }
    std::unique_lock lock(mutex_);
    if (auto it = index_.find(name); it != index_.end()) {
      return it->second;  // another thread interned it between the two locks
    }
    const auto index = static_cast<std::uint32_t>(predefined_names.size() + added_);
    if (index >= capacity) {
      atom_failure("the atom table is full", index);
    }
    // Ordering: the writer (holding mutex_, so the only one) fills a slot and only then hands the
    // index out; a reader that has the index loads the chunk pointer and then the slot with
    // acquire, pairing with the release stores below, so it sees a fully allocated chunk and a
    // fully constructed string. Chunks and strings are never freed or changed afterwards.
    slot* chunk = chunks_[index >> chunk_bits].load(std::memory_order_relaxed);
    if (chunk == nullptr) {
      chunk = new slot[chunk_size]();  // value-initialized: every slot null
      chunks_[index >> chunk_bits].store(chunk, std::memory_order_release);
    }
    const auto* stored = new std::string(name);
    chunk[index & (chunk_size - 1)].store(stored, std::memory_order_release);
    index_.emplace(std::string_view(*stored), index);
    ++added_;
    return index;
  }

  std::string_view name(std::uint32_t index) const noexcept {
    if (index >= capacity) {
      atom_failure("no such atom", index);
    }
    // Ordering: acquire loads pairing with the release stores in intern() (see there).
    const slot* chunk = chunks_[index >> chunk_bits].load(std::memory_order_acquire);
    const std::string* stored =
        chunk == nullptr ? nullptr
                         : chunk[index & (chunk_size - 1)].load(std::memory_order_acquire);
    if (stored == nullptr) {
      atom_failure("no such atom", index);
    }
    return *stored;
  }

private:
  std::shared_mutex mutex_;
  std::unordered_map<std::string_view, std::uint32_t> index_;  // guarded by mutex_
  std::size_t added_ = 0;                                      // guarded by mutex_
  std::array<std::atomic<slot*>, chunk_count> chunks_{};
};

atom_table& table() {
  // Never destroyed: atoms may be named during static destruction, and their names must outlive
  // every view handed out. Reachable from this static, so not reported as a leak.
  static atom_table* const instance = new atom_table();
  return *instance;
}

}  // namespace

atom::atom(std::string_view name) : index_(table().intern(name)) {}

std::string_view atom::name() const noexcept {
  if (index_ < predefined_names.size()) {
    return predefined_names[index_];
  }
  return table().name(index_);
}

std::strong_ordering operator<=>(atom a, atom b) noexcept {
  if (a.index_ == b.index_) {
    return std::strong_ordering::equal;
  }
  return a.name() <=> b.name();
}

}  // namespace otter
