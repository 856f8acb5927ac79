// The state of a dynamic supervisor and the helpers its callbacks share. Private to
// src/otp/dynamic_supervisor*.cpp; the design is in docs/design/dynamic_supervisor.md.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/term.hpp"
#include "otter/otp/child_spec.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace otter::dynamic_supervisor::detail {

/// What the children started from one spec have in common (the rest of Elixir's child
/// tuple besides the mfa): kept once and shared by counted reference, so the entries of a
/// million children of one spec point at one shape.
struct child_shape {
  std::int64_t shutdown = 5000;  // ms, infinity or brutal_kill
  /// As which_children reports them (child_spec::modules_term()).
  term modules;
  otter::restart restart = otter::restart::permanent;
  child_type type = child_type::worker;
  /// Entries and the supervisor's last-shape memo holding it. Not atomic: shapes are made,
  /// copied and dropped only by the supervisor process, whose state never leaves it (a
  /// process that moves between schedulers is handed over with acquire/release ordering).
  std::uint32_t refs = 0;

  [[nodiscard]] bool same_as(const child_spec& spec, const term& spec_modules) const {
    // The modules are atoms (invalid_child checked them), so == is identity of value.
    return shutdown == spec.shutdown_ms() && restart == spec.restart && type == spec.type
           && modules == spec_modules;
  }
};

/// A counted reference to a child_shape plus one flag bit (the pointer's low bit, free since
/// shapes are 8-aligned): the entry's `restarting`, folded in to keep a map node at 64 bytes.
class shape_ref {
public:
  shape_ref() = default;
  explicit shape_ref(child_shape* s) noexcept : bits_(reinterpret_cast<std::uintptr_t>(s)) {
    ++s->refs;
  }
  shape_ref(const shape_ref& o) noexcept : bits_(o.bits_ & ~flag_bit) {
    if (child_shape* s = get()) {
      ++s->refs;
    }
  }
  shape_ref(shape_ref&& o) noexcept : bits_(std::exchange(o.bits_, 0)) {}
  shape_ref& operator=(shape_ref o) noexcept {
    std::swap(bits_, o.bits_);
    return *this;
  }
  ~shape_ref() {
    child_shape* s = get();
    if (s != nullptr && --s->refs == 0) {
      delete s;
    }
  }

  [[nodiscard]] child_shape* get() const noexcept {
    return reinterpret_cast<child_shape*>(bits_ & ~flag_bit);
  }
  const child_shape* operator->() const noexcept { return get(); }
  [[nodiscard]] bool flag() const noexcept { return (bits_ & flag_bit) != 0; }
  void set_flag(bool on) noexcept { bits_ = (bits_ & ~flag_bit) | (on ? flag_bit : 0); }

private:
  static constexpr std::uintptr_t flag_bit = 1;
  static_assert(alignof(child_shape) > flag_bit);
  std::uintptr_t bits_ = 0;
};

/// What the supervisor keeps of one child (Elixir's {mfa, restart, shutdown, type, modules}).
struct child_entry {
  /// Empty for a temporary child: it is never restarted (Elixir drops its arguments too).
  start_fn start;
  shape_ref shape;
  /// When the child (this incarnation) joined: which_children lists children in this order,
  /// the order of Elixir's map of children, whose keys are pids in the order they were made.
  /// (A map node is 64 bytes with it, 56 without: one jemalloc class, 64 bytes, either way.)
  std::uint64_t seq = 0;

  [[nodiscard]] std::int64_t shutdown() const noexcept { return shape->shutdown; }
  [[nodiscard]] const term& modules() const noexcept { return shape->modules; }
  [[nodiscard]] otter::restart restart() const noexcept { return shape->restart; }
  [[nodiscard]] child_type type() const noexcept { return shape->type; }
  /// The start of a restart failed; a retry is queued in the supervisor's mailbox. The map
  /// key is still the pid of the child that died.
  [[nodiscard]] bool restarting() const noexcept { return shape.flag(); }
  void set_restarting(bool on) noexcept { shape.set_flag(on); }
};

using child_map = std::unordered_map<pid, child_entry>;

struct sup_state {
  child_map children;
  std::vector<term> extra_arguments;
  std::int64_t max_children = 0;  // or infinity
  std::int64_t max_restarts = 3;
  std::int64_t max_seconds = 5;
  /// The last child_entry::seq given out.
  std::uint64_t last_seq = 0;
  /// Times of the recent restarts (seconds on the runtime clock), newest first.
  std::deque<std::int64_t> restarts;
  /// The supervisor as reports name it: {pid, Supervisor.Default} or {:local, name}.
  term name;
  /// The shape of the last child started: consecutive children of one spec (the common case)
  /// share it. Only a memo: a child whose spec differs gets a shape of its own.
  shape_ref last_shape;
};

/// The shape for a child started from `spec`: `s.last_shape` when it matches, else a new one
/// (which becomes the memo).
shape_ref shape_for(const child_spec& spec, sup_state& s);

/// The reason start_child rejects `spec` with, or none when it is valid (validate_child/5).
std::optional<term> invalid_child(const child_spec& spec);

/// Logs a "supervisor_report" with `context` (:child_terminated, :start_error, :shutdown,
/// :shutdown_error) about a child of the supervisor `s`.
void report(std::string_view context, const term& reason, const sup_state& s);

/// Stops one child as OTP does (monitor, unlink, exit :shutdown, wait, :kill) and reports a
/// stop with an unexpected reason. The entry stays in the map.
co<void> stop_child(pid child, const child_entry& c, const sup_state& s);

/// Stops every running child in parallel: all exit signals first, then the DOWNs, each child
/// against its own deadline. The map is left as it is.
co<void> shutdown_all(const sup_state& s);

}  // namespace otter::dynamic_supervisor::detail
