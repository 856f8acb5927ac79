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

#include "core/timer/timer_wheel.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace otter::detail {

enum class timer_state : std::uint8_t { armed, fired, cancelled };

struct timer_node : timer_entry {
  std::atomic<std::uint32_t> refs{2};
  std::atomic<timer_state> state{timer_state::armed};
  std::uint32_t owner = 0;  // index of the worker whose wheel holds it
  bool receive_timeout = false;
  ref tag;                // user timers: the ref returned to the caller
  term dest;              // user timers: pid or atom
  node_ptr payload;       // user timers: what to deliver
  pid target;             // receive timeouts: the waiting process
  std::uint64_t seq = 0;  // receive timeouts: which receive

  /// Drops one reference; the last one frees the node. @threadsafe
  void release() noexcept {
    // Ordering: acq_rel: the last releaser sees every write of the other holder.
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      delete this;
    }
  }
};

/// User timers by ref, sharded so that arming from many schedulers does not contend.
class timer_registry {
public:
  static constexpr std::size_t shards = 64;
  struct shard {
    std::mutex mu;
    std::unordered_map<std::uint64_t, timer_node*> map;
  };
  shard& shard_of(ref r) noexcept { return shards_[(r.id() * 0x9E3779B97F4A7C15ULL) >> 58]; }
  shard& shard_at(std::size_t i) noexcept { return shards_[i]; }

private:
  std::array<shard, shards> shards_;
};

}  // namespace otter::detail
