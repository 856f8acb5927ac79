// info/1 and info/2 (info.hpp).

#include "otter/ets/info.hpp"

#include "ets/table_impl.hpp"

#include <string_view>
#include <utility>

namespace otter::ets {

using detail::resolved;
using detail::table_impl;

namespace {

constexpr std::size_t word = 8;  // ets:info(t, :memory) is in words

table_info info_of(table_impl& tb) {
  table_info i;
  i.id = table(tb.shared_from_this());
  i.name = tb.name();
  i.type = tb.type;
  i.access = tb.access;
  i.named_table = tb.named;
  i.keypos = tb.keypos;
  i.owner = tb.owner();
  i.heir = tb.heir();
  i.size = tb.objects->size();
  i.memory = sizeof(table_impl) + tb.objects->memory();
  i.read_concurrency = tb.read_concurrency;
  i.write_concurrency = tb.write_concurrency;
  return i;
}

term item_of(const table_info& i, std::string_view item) {
  if (item == "id") {
    return term(i.id.id());
  }
  if (item == "name") {
    return term(i.name);
  }
  if (item == "type") {
    return term(to_atom(i.type));
  }
  if (item == "protection") {
    return term(to_atom(i.access));
  }
  if (item == "named_table") {
    return term(i.named_table);
  }
  if (item == "keypos") {
    return term(static_cast<std::int64_t>(i.keypos));
  }
  if (item == "owner") {
    return term(i.owner);
  }
  if (item == "heir") {
    return i.heir ? term(*i.heir) : term(atom("none"));
  }
  if (item == "size") {
    return term(static_cast<std::int64_t>(i.size));
  }
  if (item == "memory") {
    return term(static_cast<std::int64_t>((i.memory + word - 1) / word));
  }
  if (item == "node") {
    return term(atoms::nonode);
  }
  if (item == "read_concurrency") {
    return term(i.read_concurrency);
  }
  if (item == "write_concurrency") {
    return term(i.write_concurrency);
  }
  if (item == "decentralized_counters" || item == "compressed") {
    return term(false);
  }
  detail::badarg();
}

}  // namespace

term table_info::to_term() const {
  std::vector<term> items;
  for (const char* item : {"id", "decentralized_counters", "read_concurrency", "write_concurrency",
                           "compressed", "memory", "owner", "heir", "name", "size", "node",
                           "named_table", "type", "keypos", "protection"}) {
    items.push_back(tuple(atom(item), item_of(*this, item)));
  }
  return term::list(std::move(items));
}

std::optional<table_info> info(table_ref t) {
  resolved r(t);
  table_impl* tb = r.get();
  if (tb == nullptr || tb->deleted()) {
    return std::nullopt;
  }
  return info_of(*tb);
}

term info(table_ref t, atom item) {
  resolved r(t);
  table_impl* tb = r.get();
  if (tb == nullptr || tb->deleted()) {
    (void)item_of(table_info{}, item.name());  // an unknown item is badarg even then
    return term(atoms::undefined);
  }
  return item_of(info_of(*tb), item.name());
}

}  // namespace otter::ets
