// Registry names: which registry_state a name stands for, per runtime.
//
// Elixir finds a registry through an ETS table named after it, on every call. Here a global
// table maps (runtime, name) to the running registry; it changes only when a registry starts
// or stops, and each change bumps a version. Every thread keeps a small cache of the entries
// it has used, valid while the version is the one it saw: a lookup by name then costs one
// atomic load of the version and a scan of a few cached entries, with no lock and no write to
// shared memory.
//
// Thread safety: @threadsafe. publish/unpublish lock the table; find() locks it only on a
// cache miss or after a change.

#pragma once

#include "otter/core/atom.hpp"

#include <memory>

namespace otter::detail {
class runtime_impl;
}

namespace otter::registry::detail {

class registry_state;

/// Makes `name` in `rt` stand for `state` (replacing a registry of the same name whose
/// supervisor has exited but whose unpublish has not run yet).
void publish(const otter::detail::runtime_impl* rt, atom name,
             std::shared_ptr<registry_state> state);
/// Removes `name` in `rt` when it still stands for `state`.
void unpublish(const otter::detail::runtime_impl* rt, atom name,
               const registry_state* state) noexcept;
/// The registry `name` stands for in `rt`, or nullptr. The pointer stays valid until the
/// calling thread calls find() again (the cache holds a reference until then).
[[nodiscard]] registry_state* find(const otter::detail::runtime_impl* rt, atom name);
/// find() with a reference of the caller's own.
[[nodiscard]] std::shared_ptr<registry_state> find_shared(const otter::detail::runtime_impl* rt,
                                                          atom name);

}  // namespace otter::registry::detail
