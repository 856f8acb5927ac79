// otter/core/pid.hpp: process identifiers.
//
// A pid names one incarnation of a process: the slot index in the runtime's process table plus
// the slot's generation at spawn time. A slot is reused only with a new generation, and a slot
// whose generation would wrap is retired for good, so a stale pid can never reach a newer
// process (docs/design/process_table.md).
//
// Thread safety: pid is a trivially copyable value.

#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace otter {

class pid {
public:
  /// The null pid: names no process (sends to it are dropped, as to any dead pid).
  constexpr pid() noexcept = default;
  constexpr pid(std::uint32_t index, std::uint32_t generation) noexcept
      : index_(index), generation_(generation) {}

  [[nodiscard]] constexpr std::uint32_t index() const noexcept { return index_; }
  [[nodiscard]] constexpr std::uint32_t generation() const noexcept { return generation_; }
  /// Generation 0 is never handed out, so it marks the null pid.
  [[nodiscard]] constexpr bool is_null() const noexcept { return generation_ == 0; }
  constexpr explicit operator bool() const noexcept { return !is_null(); }

  /// The pid packed in one integer (index in the high half): stable while the process lives.
  [[nodiscard]] constexpr std::uint64_t value() const noexcept {
    return (std::uint64_t{index_} << 32) | generation_;
  }

  friend constexpr bool operator==(pid, pid) noexcept = default;
  friend constexpr auto operator<=>(pid a, pid b) noexcept { return a.value() <=> b.value(); }

private:
  std::uint32_t index_ = 0;
  std::uint32_t generation_ = 0;
};

}  // namespace otter

// The index in the low half: processes spawned one after another have neighbouring indices,
// so in a std::unordered_map (whose buckets are the hash modulo a prime) their entries land in
// neighbouring buckets, and a supervisor filling its map of a million children touches the
// bucket array in order instead of at random (a cache miss per insert). The generation only
// tells apart the successive holders of one index.
template <>
struct std::hash<otter::pid> {
  std::size_t operator()(otter::pid p) const noexcept {
    return (std::size_t{p.generation()} << 32) | p.index();
  }
};
