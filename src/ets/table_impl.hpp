// src/ets/table_impl.hpp: one table: its constant properties, its owner and heir, its store.
//
// Fields, by who may touch them:
//   constant after construction: rt, id, type, access, keypos, named, the concurrency flags,
//     store (the object itself; it has its own locks);
//   atomics read on every operation without a lock: owner_ (the access check), deleted_
//     (the fast "is it gone" check; the store's own closed flag is the exact one), name_;
//   guarded by meta_mu_: heir_, owner and deletion changes (owner_ and deleted_ are written
//     only under it).
//
// Ownership protocol (docs/design/ets.md#ownership):
//   - The owner is watched (core/exit_watch.hpp): its exit calls process_exited() before its
//     links and monitors fire.
//   - A change of owner (give_away, inheritance) happens under meta_mu_: owner_ is set and the
//     new owner watched, in that order, under the lock. If the new owner exits at that moment,
//     its process_exited() waits for meta_mu_ and then sees itself as the owner, so the table
//     cannot end up owned by a dead process.
//   - process_exited(who) does nothing unless `who` is still the owner and the table is not
//     deleted: a watch that was dropped (give_away) may still fire once.
//   - Deletion: deleted_ is set under meta_mu_ (so at most once), then the name is freed and
//     the store closed (each stripe emptied under its write lock; every later operation
//     raises badarg).

#pragma once

#include "otter/core/exit_watch.hpp"
#include "otter/ets/table.hpp"

#include "ets/store.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

namespace otter::detail {
class runtime_impl;
}

namespace otter::ets::detail {

class table_impl final : public exit_watch, public std::enable_shared_from_this<table_impl> {
public:
  table_impl(otter::detail::runtime_impl& runtime, atom name, const options& opts, pid owner);

  // -- constant ---------------------------------------------------------------------------------
  otter::detail::runtime_impl& rt;
  const ref id;
  const table_type type;
  const protection access;
  const std::uint32_t keypos;
  const bool named;
  const bool read_concurrency;
  const bool write_concurrency;
  const std::unique_ptr<store> objects;

  // -- read without a lock --------------------------------------------------------------------
  [[nodiscard]] atom name() const noexcept {
    return atom::from_index(name_.load(std::memory_order_acquire));
  }
  void set_name(atom n) noexcept { name_.store(n.index(), std::memory_order_release); }
  [[nodiscard]] pid owner() const noexcept;
  [[nodiscard]] bool deleted() const noexcept { return deleted_.load(std::memory_order_acquire); }
  [[nodiscard]] std::optional<pid> heir() const;

  // -- ownership (ownership.hpp) --------------------------------------------------------------
  /// Watches the first owner; false when it is not alive.
  bool start_watching();
  /// give_away(): `from` must be the owner. Returns false (nothing changed) when it is not,
  /// or when `to` is not alive.
  bool give_away(pid from, pid to, const term& data);
  /// setopts(heir). False when `caller` is not the owner.
  bool set_heir(pid caller, std::optional<heir_spec> heir);
  /// Deletes the table; false when it was already deleted. `in_owner_exit`: called from the
  /// owner's own exit (its watch is already firing, nothing to unwatch).
  bool destroy(bool in_owner_exit) noexcept;

  void process_exited(pid who, const term& reason) noexcept override;

private:
  std::atomic<std::uint32_t> name_;
  // Ordering: owner_ and deleted_ are stored with release under meta_mu_ and loaded with
  // acquire on every operation; a process that learns of a change by a message (transfer_msg)
  // also has it through the message's own synchronisation.
  std::atomic<std::uint64_t> owner_;
  std::atomic<bool> deleted_{false};
  mutable std::mutex meta_mu_;
  std::optional<heir_spec> heir_;  // guarded by meta_mu_
};

/// The table a table_ref names, kept alive for the duration of one operation (a name is
/// resolved through the registry; a handle is used as it is).
class resolved {
public:
  explicit resolved(table_ref t);
  [[nodiscard]] table_impl* get() const noexcept { return t_; }
  table_impl* operator->() const noexcept { return t_; }

private:
  std::shared_ptr<table_impl> hold_;
  table_impl* t_ = nullptr;
};

enum class access_kind : std::uint8_t { read, write };

/// The table, if the calling process (or thread) may `kind` it; raises badarg otherwise, or
/// when the table is deleted or unknown.
table_impl& checked(const resolved& r, access_kind kind);

/// The pid of the calling process, or the null pid on a thread that runs no process.
[[nodiscard]] pid caller() noexcept;

}  // namespace otter::ets::detail
