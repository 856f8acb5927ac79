// new_table, delete_table, whereis, all, rename, and the table handle (table.hpp).

#include "otter/ets/table.hpp"

#include "otter/core/process.hpp"
#include "otter/core/runtime.hpp"

#include "ets/registry.hpp"
#include "ets/table_impl.hpp"

#include <limits>

namespace otter::ets {

using detail::access_kind;
using detail::badarg;
using detail::checked;
using detail::registry;
using detail::resolved;
using detail::table_impl;

atom to_atom(table_type t) {
  switch (t) {
    case table_type::set:
      return atom("set");
    case table_type::ordered_set:
      return atom("ordered_set");
    case table_type::bag:
      return atom("bag");
    case table_type::duplicate_bag:
      return atom("duplicate_bag");
  }
  return atom("set");
}

atom to_atom(protection p) {
  switch (p) {
    case protection::public_:
      return atom("public");
    case protection::protected_:
      return atom("protected");
    case protection::private_:
      return atom("private");
  }
  return atom("protected");
}

ref table::id() const noexcept {
  return impl_ ? impl_->id : ref();
}

term table::to_term() const {
  if (!impl_) {
    return term(atoms::undefined);
  }
  return impl_->named ? term(impl_->name()) : term(impl_->id);
}

table new_table(atom name, const options& opts) {
  otter::detail::process& self = otter::detail::current_checked("otter::ets::new_table");
  if (opts.keypos == 0 || opts.keypos > std::numeric_limits<std::uint32_t>::max()) {
    badarg();
  }
  options o = opts;
  if (o.heir && !otter::alive(o.heir->pid)) {
    o.heir.reset();  // as the BEAM: a dead heir is no heir
  }
  auto& rt = otter::detail::current_runtime("otter::ets::new_table");
  auto t = std::make_shared<table_impl>(rt, name, o, otter::detail::pid_of(self));
  if (!registry::of(rt).add(t)) {
    badarg();  // the name is taken
  }
  if (!t->start_watching()) {
    // The caller is exiting (an exit signal is being handled): the table goes at once.
    (void)t->destroy(true);
    badarg();
  }
  return table(std::move(t));
}

bool delete_table(table_ref t) {
  resolved r(t);
  table_impl& tb = checked(r, access_kind::write);
  if (!tb.destroy(false)) {
    badarg();  // deleted meanwhile by someone else
  }
  return true;
}

namespace {
std::optional<table> find_in(otter::detail::runtime_impl& rt, atom name) {
  std::shared_ptr<table_impl> t = registry::of(rt).find(name);
  if (!t || t->deleted()) {
    return std::nullopt;
  }
  return table(std::move(t));
}

std::vector<table> all_in(otter::detail::runtime_impl& rt) {
  std::vector<table> out;
  for (auto& t : registry::of(rt).all()) {
    if (!t->deleted()) {
      out.emplace_back(std::move(t));
    }
  }
  return out;
}
}  // namespace

std::optional<table> whereis(atom name) {
  return find_in(otter::detail::current_runtime("otter::ets::whereis"), name);
}

std::optional<table> whereis(runtime& rt, atom name) {
  return find_in(rt.impl(), name);
}

std::vector<table> all() {
  return all_in(otter::detail::current_runtime("otter::ets::all"));
}

std::vector<table> all(runtime& rt) {
  return all_in(rt.impl());
}

atom rename(table_ref t, atom name) {
  resolved r(t);
  table_impl& tb = checked(r, access_kind::write);
  if (!registry::of(tb.rt).rename(tb, name)) {
    badarg();
  }
  return name;
}

}  // namespace otter::ets
