// The reader slots behind stripe_lock (protocol and invariants: stripe_lock.hpp).
//
// Slot ownership: a thread takes a free slot the first time it reads a table and gives it
// back when it exits (a thread_local holder), so the slots in use stay bounded by the threads
// alive at once. `high_water_` only grows: a writer scans [0, high_water_), which covers
// every slot that was ever handed out.

#include "ets/stripe_lock.hpp"

#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace otter::ets::detail {
namespace {

constexpr std::uint32_t max_slots = 256;

struct alignas(64) reader_slot {
  // The lock this thread is reading under, or nullptr.
  std::atomic<const void*> reading{nullptr};
};

class slot_table {
public:
  reader_slot* take() noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      std::uint32_t i = free_.back();
      free_.pop_back();
      return &slots_[i];
    }
    // Ordering: seq_cst. The new high water is stored before this thread ever stores into
    // the slot (seq_cst too), so a writer that sees the slot's store also sees the high water
    // that covers it (stripe_lock.hpp, invariant 3).
    std::uint32_t n = high_water_.load(std::memory_order_relaxed);
    if (n == max_slots) {
      return nullptr;
    }
    high_water_.store(n + 1, std::memory_order_seq_cst);
    return &slots_[n];
  }
  void give_back(reader_slot* s) noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(static_cast<std::uint32_t>(s - slots_));
  }
  [[nodiscard]] std::uint32_t high_water() const noexcept {
    return high_water_.load(std::memory_order_seq_cst);
  }
  [[nodiscard]] const reader_slot& at(std::uint32_t i) const noexcept { return slots_[i]; }

private:
  reader_slot slots_[max_slots];
  std::atomic<std::uint32_t> high_water_{0};
  std::mutex mu_;
  std::vector<std::uint32_t> free_;  // guarded by mu_
};

slot_table& slots() noexcept {
  static slot_table* table = new slot_table();  // never destroyed: threads may exit late
  return *table;
}

// The calling thread's slot. `overflow` means that no slot was free: this thread reads by
// taking locks exclusively.
struct slot_holder {
  reader_slot* slot = nullptr;
  bool overflow = false;
  slot_holder() noexcept : slot(slots().take()), overflow(slot == nullptr) {}
  ~slot_holder() {
    if (slot != nullptr) {
      slots().give_back(slot);
    }
  }
  slot_holder(const slot_holder&) = delete;
  slot_holder& operator=(const slot_holder&) = delete;
};

slot_holder& my_slot() noexcept {
  thread_local slot_holder holder;
  return holder;
}

inline void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

// Spins a little, then yields the thread: the lock holders never block inside, but the OS may
// preempt one (the machine may have fewer cores than threads).
class backoff {
public:
  void wait() noexcept {
    if (spins_ < 64) {
      ++spins_;
      pause();
    } else {
      std::this_thread::yield();
    }
  }

private:
  int spins_ = 0;
};

}  // namespace

void stripe_lock::lock_shared() const noexcept {
  slot_holder& me = my_slot();
  if (me.overflow) {
    lock();
    return;
  }
  std::atomic<const void*>& slot = me.slot->reading;
  for (;;) {
    // Ordering: seq_cst store then seq_cst load (invariant 3): either the writer sees our slot
    // and waits, or we see its flag and step back.
    slot.store(this, std::memory_order_seq_cst);
    if (writer_.load(std::memory_order_seq_cst) == 0) {
      return;
    }
    // Invariant 2: clear the slot before waiting, or the writer would wait for us.
    slot.store(nullptr, std::memory_order_release);
    backoff b;
    // Ordering: acquire pairs with the writer's release in unlock(); the next seq_cst
    // exchange above decides.
    while (writer_.load(std::memory_order_acquire) != 0) {
      b.wait();
    }
  }
}

void stripe_lock::unlock_shared() const noexcept {
  slot_holder& me = my_slot();
  if (me.overflow) {
    unlock();
    return;
  }
  // Ordering: release: our reads of the stripe happen before a writer that sees the cleared
  // slot (its seq_cst load acquires) modifies it.
  me.slot->reading.store(nullptr, std::memory_order_release);
}

void stripe_lock::lock() const noexcept {
  backoff b;
  for (;;) {
    std::uint32_t expected = 0;
    // Ordering: seq_cst (acquire on success: the previous writer's changes are visible; and
    // the flag's store takes part in invariant 3's total order).
    if (writer_.compare_exchange_weak(expected, 1, std::memory_order_seq_cst,
                                      std::memory_order_relaxed)) {
      break;
    }
    b.wait();
  }
  const slot_table& t = slots();
  const std::uint32_t n = t.high_water();
  for (std::uint32_t i = 0; i < n; ++i) {
    backoff r;
    // Ordering: seq_cst (invariant 3); it also acquires the reader's release of its slot.
    while (t.at(i).reading.load(std::memory_order_seq_cst) == this) {
      r.wait();
    }
  }
}

void stripe_lock::unlock() const noexcept {
  // Ordering: release pairs with the acquire loads of the next writer and of waiting readers.
  writer_.store(0, std::memory_order_release);
}

}  // namespace otter::ets::detail
