// otter/core/ref.hpp: unique references (Erlang's make_ref()).
//
// Monitors, timers and call tags are named by refs. A ref is unique for the life of the
// program (a 64-bit counter handed out in per-scheduler blocks, so make_ref() takes no lock).
//
// Thread safety: ref is a trivially copyable value; make_ref() may be called from any thread.

#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace otter {

class ref {
public:
  constexpr ref() noexcept = default;
  constexpr explicit ref(std::uint64_t id) noexcept : id_(id) {}

  [[nodiscard]] constexpr std::uint64_t id() const noexcept { return id_; }
  [[nodiscard]] constexpr bool is_null() const noexcept { return id_ == 0; }
  constexpr explicit operator bool() const noexcept { return id_ != 0; }

  friend constexpr bool operator==(ref, ref) noexcept = default;
  friend constexpr auto operator<=>(ref, ref) noexcept = default;

private:
  std::uint64_t id_ = 0;
};

/// A fresh ref, never equal to any other made in this program. @threadsafe
[[nodiscard]] ref make_ref() noexcept;

}  // namespace otter

template <>
struct std::hash<otter::ref> {
  std::size_t operator()(otter::ref r) const noexcept { return std::hash<std::uint64_t>{}(r.id()); }
};
