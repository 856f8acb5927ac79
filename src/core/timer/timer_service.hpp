// src/core/timer/timer_service.hpp: user timers and receive timeouts on top of the wheels.
//
// Every timer is a timer_node filed in the wheel of the scheduler that armed it (its owner).
// A node is reference counted: the wheel holds one reference, and either the registry (user
// timers, found by ref for cancel_timer/read_timer) or the waiting process (receive timeouts)
// holds the other. The node's state moves once, armed -> fired (owner, on expiry) or
// armed -> cancelled (anyone): that CAS decides who delivers, so a timer is delivered at most
// once and a cancelled timer never.
//
// Cancel-vs-fire (docs/design/timers.md):
//   1. cancel takes the registry shard lock, finds the node, CASes armed -> cancelled.
//   2. fire CASes armed -> fired first, then takes the shard lock to erase the node.
//   Whoever wins the CAS owns the outcome; the node cannot be freed while a canceller holds the
//   shard lock, because fire erases it under that lock before dropping its reference.
// A node cancelled on another thread stays linked in its wheel until its deadline (only the
// owner may unlink); the owner then drops it. Cancelling on the owner unlinks at once.
//
// Thread safety: arm/cancel/read are @threadsafe; fire runs on the owner.

#pragma once

#include "otter/core/message.hpp"
#include "otter/detail/process_api.hpp"

#include "core/timer/timer_table.hpp"
#include "core/timer/timer_wheel.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <new>
#include <type_traits>

namespace otter::detail {

enum class timer_state : std::uint8_t { armed, fired, cancelled };

/// What a timer_node delivers, and to whom.
enum class timer_kind : std::uint8_t {
  to_pid,   // user timer to a pid (`who` is pid::value())
  to_name,  // user timer to a registered name, resolved at expiry (`who` is the atom's index)
  receive_timeout,  // a receive's `after` (`who` is the waiting process's pid::value())
};

/// Where a user timer's message lives.
enum class timer_storage : std::uint8_t {
  none,      // receive timeouts: a plain timer_node from new
  boxed,     // a boxed_timer from new, holding a separately allocated node (arm_timer)
  embedded,  // a timer_payload_node placed right after the timer_node in one block from
             // operator new (arm_timer_with): timer.hpp's send_after/send_at/start_timer
};

/// One armed timer. Every field is narrowed so that the node is 48 bytes: a receive timeout
/// takes a 64-byte glibc chunk (48 bytes of jemalloc), and a send_after of a small message (the
/// node plus a 40-byte payload_node, process_api.hpp's timer_header_size) a 96-byte one (both),
/// where a separate node and message took 64 + 64. Nodes come from plain operator new rather
/// than small_alloc: its classes are the malloc's own (small_alloc.cpp), so it would take the
/// same chunks for them and save nothing.
///
/// Trivially destructible, so that a delivered embedded message may free the block under it.
struct timer_node : timer_entry {
  // The five small fields fill the tail padding of timer_entry (Itanium ABI: a non-POD base's
  // tail padding is reused; the static_assert below keeps it so).
  std::atomic<std::uint8_t> refs{2};  // at most 2: the wheel's and the registry's/process's
  std::atomic<timer_state> state{timer_state::armed};
  std::uint8_t owner = 0;  // index of the worker whose wheel holds it (at most 64 workers)
  timer_kind kind = timer_kind::to_pid;
  timer_storage storage = timer_storage::none;
  std::uint64_t id = 0;   // user timers: the ref's id (registry key); receive timeouts: the seq
  std::uint64_t who = 0;  // the destination (see timer_kind)

  [[nodiscard]] bool receive_timeout() const noexcept {
    return kind == timer_kind::receive_timeout;
  }
  /// The destination pid (to_pid) or the waiting process (receive_timeout).
  [[nodiscard]] pid target() const noexcept {
    return pid(static_cast<std::uint32_t>(who >> 32), static_cast<std::uint32_t>(who));
  }
  /// The destination name (to_name).
  [[nodiscard]] atom name() const noexcept {
    return atom::from_index(static_cast<std::uint32_t>(who));
  }
  /// The message of an embedded timer, right behind the node. @pre storage == embedded
  [[nodiscard]] node* embedded_payload() noexcept {
    return std::launder(reinterpret_cast<node*>(reinterpret_cast<char*>(this) + sizeof(*this)));
  }
  /// Hands the message over to the caller (who delivers it). For an embedded timer the message
  /// then owns the block, node included: the caller must not touch `this` afterwards, and must
  /// hold every reference (fire() after winning the CAS and erasing the registry entry).
  /// @pre a user timer whose message has not been taken
  [[nodiscard]] node_ptr take_payload() noexcept;

  /// Drops one reference; the last one frees the node (and a message it still holds).
  /// @threadsafe
  void release() noexcept {
    // Ordering: acq_rel: the last releaser sees every write of the other holder.
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      destroy();
    }
  }

private:
  void destroy() noexcept;
};
static_assert(sizeof(timer_node) == timer_header_size,
              "process_api.hpp places an embedded message timer_header_size bytes in");
static_assert(std::is_trivially_destructible_v<timer_node>);

/// A user timer whose message was allocated on its own (arm_timer with a node_ptr).
struct boxed_timer : timer_node {
  node_ptr payload;
};

inline node_ptr timer_node::take_payload() noexcept {
  if (storage == timer_storage::embedded) {
    return node_ptr(embedded_payload());
  }
  return std::move(static_cast<boxed_timer*>(this)->payload);
}

inline void timer_node::destroy() noexcept {
  switch (storage) {
    case timer_storage::none:
      delete this;
      return;
    case timer_storage::boxed:
      delete static_cast<boxed_timer*>(this);
      return;
    case timer_storage::embedded: {
      // Never delivered (cancelled, or dropped at shutdown): destroy the message without its
      // deleting destructor, then free the block the node starts.
      embedded_payload()->~node();
      ::operator delete(static_cast<void*>(this));
      return;
    }
  }
}

/// User timers by ref, sharded so that arming from many schedulers does not contend. Each
/// shard's table holds a reference to every node in it (so a node found under the shard's lock
/// is alive).
class timer_registry {
public:
  static constexpr std::size_t shards = 64;
  struct shard {
    std::mutex mu;
    timer_table table;  // guarded by mu
  };
  shard& shard_of(ref r) noexcept { return shards_[timer_shard(r.id(), shards)]; }
  shard& shard_at(std::size_t i) noexcept { return shards_[i]; }

private:
  std::array<shard, shards> shards_;
};

}  // namespace otter::detail
