// insert, lookup, delete... (objects.hpp): argument checks here, the work in the store.

#include "otter/ets/objects.hpp"

#include "ets/table_impl.hpp"

namespace otter::ets {

using detail::access_kind;
using detail::badarg;
using detail::checked;
using detail::resolved;
using detail::table_impl;

namespace {

void check_object(const table_impl& t, const term& object) {
  if (!object.is_tuple() || object.size() < t.keypos) {
    badarg();
  }
}

// The objects of `object_or_list` (one object, or a list term), all checked.
std::span<const term> objects_of(const table_impl& t, const term& object_or_list) {
  if (object_or_list.is_list()) {
    for (const term& o : object_or_list.elements()) {
      check_object(t, o);
    }
    return object_or_list.elements();
  }
  check_object(t, object_or_list);
  return {&object_or_list, 1};
}

std::span<const term> checked_objects(const table_impl& t, std::span<const term> objects) {
  for (const term& o : objects) {
    check_object(t, o);
  }
  return objects;
}

bool is_bag(const table_impl& t) {
  return t.type == table_type::bag || t.type == table_type::duplicate_bag;
}

}  // namespace

bool insert(table_ref t, const term& object_or_list) {
  resolved r(t);
  table_impl& tb = checked(r, access_kind::write);
  tb.objects->insert(objects_of(tb, object_or_list));
  return true;
}

bool insert(table_ref t, std::span<const term> objects) {
  resolved r(t);
  table_impl& tb = checked(r, access_kind::write);
  tb.objects->insert(checked_objects(tb, objects));
  return true;
}

bool insert_new(table_ref t, const term& object_or_list) {
  resolved r(t);
  table_impl& tb = checked(r, access_kind::write);
  return tb.objects->insert_new(objects_of(tb, object_or_list));
}

bool insert_new(table_ref t, std::span<const term> objects) {
  resolved r(t);
  table_impl& tb = checked(r, access_kind::write);
  return tb.objects->insert_new(checked_objects(tb, objects));
}

std::vector<term> lookup(table_ref t, const term& key) {
  resolved r(t);
  table_impl& tb = checked(r, access_kind::read);
  std::vector<term> out;
  tb.objects->lookup(key, out);
  return out;
}

term lookup_element(table_ref t, const term& key, std::size_t pos) {
  resolved r(t);
  table_impl& tb = checked(r, access_kind::read);
  if (pos == 0) {
    badarg();
  }
  std::vector<term> found;
  tb.objects->lookup(key, found);
  if (found.empty()) {
    badarg();
  }
  for (const term& o : found) {
    if (o.size() < pos) {
      badarg();
    }
  }
  if (!is_bag(tb)) {
    return found.front()[pos - 1];
  }
  std::vector<term> elements;
  elements.reserve(found.size());
  for (const term& o : found) {
    elements.push_back(o[pos - 1]);
  }
  return term::list(std::move(elements));
}

bool member(table_ref t, const term& key) {
  resolved r(t);
  return checked(r, access_kind::read).objects->member(key);
}

std::vector<term> take(table_ref t, const term& key) {
  resolved r(t);
  table_impl& tb = checked(r, access_kind::write);
  std::vector<term> out;
  tb.objects->erase(key, &out);
  return out;
}

bool delete_key(table_ref t, const term& key) {
  resolved r(t);
  checked(r, access_kind::write).objects->erase(key, nullptr);
  return true;
}

bool delete_object(table_ref t, const term& object) {
  resolved r(t);
  table_impl& tb = checked(r, access_kind::write);
  check_object(tb, object);
  tb.objects->erase_object(object);
  return true;
}

bool delete_all_objects(table_ref t) {
  resolved r(t);
  checked(r, access_kind::write).objects->clear();
  return true;
}

}  // namespace otter::ets
