// otter/ets/table.hpp: ETS-like shared tables: creating, naming and deleting them.
//
// A table holds tuples ("objects") keyed by the element at `keypos` (1-based, default 1),
// shared by every process of a runtime, as Erlang's ets (OTP 25) does:
//   - set: one object per key, keys equal when they match exactly (1 and 1.0 differ);
//   - ordered_set: one object per key, kept in Erlang term order; keys equal when they
//     compare equal (1 and 1.0 are the same key);
//   - bag: many objects per key, no two identical;
//   - duplicate_bag: many objects per key, identical ones allowed.
//
//   auto t = otter::ets::new_table(otter::atom("users"), {.type = otter::ets::table_type::set});
//   otter::ets::insert(t, otter::tuple(42, "ada"));
//   std::vector<otter::term> found = otter::ets::lookup(t, 42);   // [{42, "ada"}]
//
// Every operation takes a table_ref: a table handle (no name lookup at all) or, for a table
// created with named_table, its name. The operations are free functions, grouped by concept:
// objects.hpp (insert, lookup, delete...), counters.hpp (update_counter, update_element),
// select.hpp (select, match, fold...), traversal.hpp (first/next/last/prev), info.hpp and
// ownership.hpp (owner, heir, give_away). otter/ets.hpp includes them all.
//
// Ownership and access. The process that creates a table owns it; the table is deleted when
// its owner exits, unless an heir takes it (ownership.hpp). Access is checked against the
// calling process, as on the BEAM: `public_`: every process reads and writes; `protected_`
// (the default): every process reads, only the owner writes; `private_`: only the owner reads
// or writes. info(), whereis() and all() never check access. A violation, an unknown name, a
// deleted table or a malformed argument raises error(badarg) (otter::error_exception with
// reason :badarg; Elixir shows ArgumentError), which the caller may catch; the table is left
// unchanged. Inside a process an uncaught badarg is the process's exit reason, as in Erlang.
//
// Outside any process (a plain thread): a table handle may be used as by a process that is not
// the owner (public tables: read and write; protected: read only; private: nothing), and
// whereis(runtime&, name) / all(runtime&) find tables. Creating a table, giving it away,
// setting its heir and using a name as a table_ref need a process (they are @in_process;
// calling them from outside one is a bug that OTTER_CHECK reports).
//
// Thread safety: every function in otter/ets is @threadsafe. Readers never block one another
// and never write shared memory; writers of a set, bag or duplicate_bag block only writers
// and readers of the same stripe of the table; ordered_set writers are serialised per table.
// A table handle is a value that may be copied to any thread. See docs/design/ets.md.

#pragma once

#include "otter/core/atom.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/ref.hpp"
#include "otter/core/term.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace otter {
class runtime;
}

namespace otter::ets {

namespace detail {
class table_impl;
}

enum class table_type : std::uint8_t { set, ordered_set, bag, duplicate_bag };

/// Who may read and write (the names are Erlang's, with a trailing underscore).
enum class protection : std::uint8_t { public_, protected_, private_ };

/// The atom Erlang uses for a type (`:set`, ...) or a protection (`:public`, ...).
[[nodiscard]] atom to_atom(table_type t);
[[nodiscard]] atom to_atom(protection p);

/// `{heir, pid, data}`: who inherits the table when its owner exits, and what it is told.
struct heir_spec {
  otter::pid pid{};
  term data{};
};

/// The options of new_table() (Erlang's option list, as a struct).
struct options {
  table_type type = table_type::set;
  protection access = protection::protected_;
  /// The table can also be reached by its name (which must not be taken).
  bool named_table = false;
  /// The 1-based position of the key in every object.
  std::size_t keypos = 1;
  /// No heir: the table is deleted with its owner. An heir that is not alive when the table is
  /// created (or setopts() sets it) is recorded as no heir, as on the BEAM.
  std::optional<heir_spec> heir{};
  /// Accepted for compatibility and reported by info(); every table is built for concurrent
  /// readers and writers, so they change nothing (behaviour at the time of writing).
  bool read_concurrency = false;
  bool write_concurrency = false;
};

/// A table identifier (Erlang's tid): a copyable handle. Operations through a handle never
/// look up a name. A handle to a deleted table stays valid as a value; using it raises badarg.
class table {
public:
  /// Refers to no table (every operation raises badarg).
  table() noexcept = default;
  explicit table(std::shared_ptr<detail::table_impl> impl) noexcept : impl_(std::move(impl)) {}

  /// Whether this handle refers to a table (which may have been deleted since).
  [[nodiscard]] explicit operator bool() const noexcept { return impl_ != nullptr; }
  /// The table's unique reference (what Erlang prints as `#Reference<...>`).
  [[nodiscard]] ref id() const noexcept;
  /// How Erlang shows the table in messages: its name for a named table, otherwise its
  /// reference.
  [[nodiscard]] term to_term() const;

  [[nodiscard]] detail::table_impl* impl() const noexcept { return impl_.get(); }

  friend bool operator==(const table& a, const table& b) noexcept { return a.impl_ == b.impl_; }

private:
  std::shared_ptr<detail::table_impl> impl_;
};

/// What operations take: a table handle or a table's name. Cheap to copy; it does not keep
/// the table alive, so the handle it was made from must outlive the call (as a temporary
/// always does).
class table_ref {
public:
  table_ref(const table& t) noexcept : impl_(t.impl()) {}  // NOLINT(google-explicit-constructor)
  table_ref(atom name) noexcept
      : name_(name), by_name_(true) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool by_name() const noexcept { return by_name_; }
  [[nodiscard]] atom name() const noexcept { return name_; }
  [[nodiscard]] detail::table_impl* impl() const noexcept { return impl_; }

private:
  detail::table_impl* impl_ = nullptr;
  atom name_{};
  bool by_name_ = false;
};

/// Creates a table owned by the calling process. `name` is the table's name (shown by info();
/// with named_table it also reaches the table). Raises badarg when named_table is set and the
/// name is taken, or keypos is 0. (Not [[nodiscard]]: a named table is often used by name only.)
/// @in_process
table new_table(atom name, const options& opts = {});

/// Deletes the table (Erlang's ets:delete/1): every object goes, the name is freed, handles
/// to it raise badarg from now on. Needs write access. Always true.
bool delete_table(table_ref t);

/// The table registered under `name`, if any (no access check). @in_process
[[nodiscard]] std::optional<table> whereis(atom name);
/// whereis() from any thread, in `rt`.
[[nodiscard]] std::optional<table> whereis(runtime& rt, atom name);

/// Every table of the calling process's runtime, in no particular order. @in_process
[[nodiscard]] std::vector<table> all();
/// all() from any thread, in `rt`.
[[nodiscard]] std::vector<table> all(runtime& rt);

/// Renames a named table (its old name no longer reaches it); renaming an unnamed table only
/// changes what info() shows. Needs write access; badarg when `name` is taken. Returns `name`.
atom rename(table_ref t, atom name);

}  // namespace otter::ets

template <>
struct std::hash<otter::ets::table> {
  std::size_t operator()(const otter::ets::table& t) const noexcept {
    return std::hash<const void*>{}(t.impl());
  }
};
