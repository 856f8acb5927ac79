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

#include "core/timer/timer_table.hpp"
#include "core/timer/timer_wheel.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

namespace otter::detail {

enum class timer_state : std::uint8_t { armed, fired, cancelled };

/// What a timer_node delivers, and to whom.
enum class timer_kind : std::uint8_t {
  to_pid,   // user timer to a pid (`who` is pid::value())
  to_name,  // user timer to a registered name, resolved at expiry (`who` is the atom's index)
  receive_timeout,  // a receive's `after` (`who` is the waiting process's pid::value())
};

/// One armed timer. Every field is narrowed so that the node is 56 bytes, which operator new
/// serves from a 64-byte glibc chunk (a million idle workers each hold one). It is allocated
/// with plain new rather than small_alloc: small_alloc rounds 56 up to its 64-byte class, which
/// glibc then serves from an 80-byte chunk.
struct timer_node : timer_entry {
  // The four small fields fill the tail padding of timer_entry (Itanium ABI: a non-POD base's
  // tail padding is reused; the static_assert below keeps it so).
  std::atomic<std::uint8_t> refs{2};  // at most 2: the wheel's and the registry's/process's
  std::atomic<timer_state> state{timer_state::armed};
  std::uint8_t owner = 0;  // index of the worker whose wheel holds it (at most 64 workers)
  timer_kind kind = timer_kind::to_pid;
  std::uint64_t id = 0;   // user timers: the ref's id (registry key); receive timeouts: the seq
  std::uint64_t who = 0;  // the destination (see timer_kind)
  node_ptr payload;       // user timers: what to deliver

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

  /// Drops one reference; the last one frees the node. @threadsafe
  void release() noexcept {
    // Ordering: acq_rel: the last releaser sees every write of the other holder.
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      delete this;
    }
  }
};
static_assert(sizeof(timer_node) == 56, "timer_node must fit a 64-byte malloc chunk");

/// User timers by ref, sharded so that arming from many schedulers does not contend. Each
/// shard's table holds a reference to every node in it (so a node found under the shard's lock
/// is alive).
class timer_registry {
public:
  static constexpr std::size_t shards = 64;  // shard_of() takes the hash's top 6 bits
  struct shard {
    std::mutex mu;
    timer_table table;  // guarded by mu
  };
  // The top bits of the hash pick the shard; the table uses the low bits.
  shard& shard_of(ref r) noexcept { return shards_[timer_hash(r.id()) >> 58]; }
  shard& shard_at(std::size_t i) noexcept { return shards_[i]; }

private:
  std::array<shard, shards> shards_;
};

}  // namespace otter::detail
