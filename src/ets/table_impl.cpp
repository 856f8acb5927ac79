// A table's ownership, access checks and deletion (protocols: table_impl.hpp and
// docs/design/ets.md#ownership).

#include "ets/table_impl.hpp"

#include "otter/core/exit.hpp"
#include "otter/core/process.hpp"
#include "otter/ets/ownership.hpp"

#include "ets/hash_store.hpp"
#include "ets/registry.hpp"
#include "ets/tree_store.hpp"

#include <utility>

namespace otter::ets::detail {

void badarg() {
  otter::error(atoms::badarg);
}

pid caller() noexcept {
  otter::detail::process* p = otter::detail::current();
  return p != nullptr ? otter::detail::pid_of(*p) : pid{};
}

namespace {
std::unique_ptr<store> make_store(table_type type, std::uint32_t keypos) {
  if (type == table_type::ordered_set) {
    return std::make_unique<tree_store>(keypos);
  }
  return std::make_unique<hash_store>(type, keypos);
}
}  // namespace

table_impl::table_impl(otter::detail::runtime_impl& runtime, atom name, const options& opts,
                       pid owner)
    : rt(runtime),
      id(make_ref()),
      type(opts.type),
      access(opts.access),
      keypos(static_cast<std::uint32_t>(opts.keypos)),
      named(opts.named_table),
      read_concurrency(opts.read_concurrency),
      write_concurrency(opts.write_concurrency),
      objects(make_store(opts.type, static_cast<std::uint32_t>(opts.keypos))),
      name_(name.index()),
      owner_(owner.value()),
      heir_(opts.heir) {}

pid table_impl::owner() const noexcept {
  const std::uint64_t v = owner_.load(std::memory_order_acquire);
  return {static_cast<std::uint32_t>(v >> 32), static_cast<std::uint32_t>(v)};
}

std::optional<pid> table_impl::heir() const {
  std::lock_guard<std::mutex> lock(meta_mu_);
  if (!heir_) {
    return std::nullopt;
  }
  return heir_->pid;
}

bool table_impl::start_watching() {
  return watch_exit(owner(), shared_from_this());
}

bool table_impl::give_away(pid from, pid to, const term& data) {
  if (to == from || to.is_null()) {
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(meta_mu_);
    if (deleted() || owner() != from) {
      return false;
    }
    // Owner first, then the watch, under meta_mu_: if `to` exits now, its process_exited()
    // waits for the lock and then finds itself the owner (table_impl.hpp).
    owner_.store(to.value(), std::memory_order_release);
    if (!watch_exit(to, shared_from_this())) {
      owner_.store(from.value(), std::memory_order_release);
      return false;  // `to` is not alive
    }
  }
  // The caller is the old owner and is running this: its exit cannot be firing the watch.
  unwatch_exit(from, this);
  otter::send(to, transfer_msg{table(shared_from_this()), from, data});
  return true;
}

bool table_impl::set_heir(pid by, std::optional<heir_spec> heir) {
  if (heir && !otter::alive(heir->pid)) {
    heir.reset();  // as the BEAM: a dead heir is no heir
  }
  std::lock_guard<std::mutex> lock(meta_mu_);
  if (deleted() || owner() != by) {
    return false;
  }
  heir_ = std::move(heir);
  return true;
}

bool table_impl::destroy(bool in_owner_exit) noexcept {
  pid was_owner;
  {
    std::lock_guard<std::mutex> lock(meta_mu_);
    if (deleted()) {
      return false;
    }
    deleted_.store(true, std::memory_order_release);
    was_owner = owner();
  }
  registry::of(rt).remove(*this);
  if (!in_owner_exit && otter::detail::current() != nullptr) {
    // From a non-process thread the watch stays until the owner exits; it then finds the
    // table deleted and does nothing.
    unwatch_exit(was_owner, this);
  }
  objects->close();
  return true;
}

void table_impl::process_exited(pid who, const term& /*reason*/) noexcept {
  std::optional<heir_spec> inherit;
  {
    std::lock_guard<std::mutex> lock(meta_mu_);
    if (deleted() || owner() != who) {
      return;  // a watch dropped by give_away() that fired anyway, or a deleted table
    }
    if (heir_ && heir_->pid != who) {
      owner_.store(heir_->pid.value(), std::memory_order_release);
      if (watch_exit(heir_->pid, shared_from_this())) {
        inherit = heir_;
      } else {
        owner_.store(who.value(), std::memory_order_release);  // the heir is dead
      }
    }
  }
  if (inherit) {
    // Sent from inside the owner's exit, before its EXIT and DOWN signals (exit_watch.hpp), so
    // the heir receives it first.
    otter::send(inherit->pid, transfer_msg{table(shared_from_this()), who, inherit->data});
    return;
  }
  (void)destroy(true);
}

resolved::resolved(table_ref t) {
  if (!t.by_name()) {
    t_ = t.impl();
    return;
  }
  hold_ = registry::of(otter::detail::current_runtime("otter::ets (a table name)")).find(t.name());
  t_ = hold_.get();
}

table_impl& checked(const resolved& r, access_kind kind) {
  table_impl* t = r.get();
  if (t == nullptr || t->deleted()) {
    badarg();
  }
  switch (t->access) {
    case protection::public_:
      return *t;
    case protection::protected_:
      if (kind == access_kind::read) {
        return *t;
      }
      [[fallthrough]];
    case protection::private_:
      if (caller() != t->owner()) {
        badarg();
      }
      return *t;
  }
  badarg();
}

}  // namespace otter::ets::detail
