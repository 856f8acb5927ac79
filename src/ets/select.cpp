// select, match, folds and tab2list (select.hpp).
//
// Invariant: user functions never run under a table lock. Each part of the table (a stripe,
// or a run of keys of an ordered_set) is copied under its read lock, and the user's function
// runs on the copy afterwards. Patterns, which are ours, are matched under the lock, so only
// the matching objects are copied.

#include "otter/ets/select.hpp"

#include "ets/pattern.hpp"
#include "ets/table_impl.hpp"

#include <utility>

namespace otter::ets {

using detail::access_kind;
using detail::checked;
using detail::object_view;
using detail::pattern;
using detail::resolved;
using detail::scan_cursor;
using detail::table_impl;

namespace {

// Calls `each_part` with a copy of each part of the table in turn, with no lock held.
template <class F>
void for_each_part(const table_impl& tb, bool reverse, F&& each_part) {
  scan_cursor c;
  std::vector<term> part;
  while (!c.done) {
    part.clear();
    if (!tb.objects->scan(c, reverse,
                          [&part](const object_view& v) { part.push_back(v.to_term()); })) {
      break;
    }
    each_part(part);
  }
}

// Calls `on_match(view)` under the read lock for every object that matches `p`. A bound key
// visits only that key's objects.
template <class F>
void match_each(const table_impl& tb, const pattern& p, F&& on_match) {
  if (auto key = p.bound_key(tb.keypos)) {
    std::vector<term> objects;
    tb.objects->lookup(*key, objects);
    for (const term& o : objects) {
      const object_view v{o.elements(), &o};
      if (p.match(v, nullptr)) {
        on_match(v);
      }
    }
    return;
  }
  scan_cursor c;
  while (!c.done) {
    if (!tb.objects->scan(c, false, [&](const object_view& v) {
          if (p.match(v, nullptr)) {
            on_match(v);
          }
        })) {
      break;
    }
  }
}

std::vector<term> matching_objects(const table_impl& tb, const pattern& p) {
  std::vector<term> out;
  match_each(tb, p, [&out](const object_view& v) { out.push_back(v.to_term()); });
  return out;
}

}  // namespace

std::vector<term> select(table_ref t, const selector& f) {
  resolved r(t);
  const table_impl& tb = checked(r, access_kind::read);
  std::vector<term> out;
  for_each_part(tb, false, [&](const std::vector<term>& part) {
    for (const term& o : part) {
      if (std::optional<term> v = f(o)) {
        out.push_back(std::move(*v));
      }
    }
  });
  return out;
}

std::vector<term> select(table_ref t, const term& pattern_term, const selector& f) {
  resolved r(t);
  const table_impl& tb = checked(r, access_kind::read);
  const pattern p(pattern_term);
  std::vector<term> out;
  for (const term& o : matching_objects(tb, p)) {
    if (std::optional<term> v = f(o)) {
      out.push_back(std::move(*v));
    }
  }
  return out;
}

std::size_t select_count(table_ref t, const predicate& p) {
  resolved r(t);
  const table_impl& tb = checked(r, access_kind::read);
  std::size_t n = 0;
  for_each_part(tb, false, [&](const std::vector<term>& part) {
    for (const term& o : part) {
      n += p(o) ? 1 : 0;
    }
  });
  return n;
}

std::size_t select_delete(table_ref t, const predicate& p) {
  resolved r(t);
  table_impl& tb = checked(r, access_kind::write);
  std::size_t n = 0;
  std::vector<term> selected;
  for_each_part(tb, false, [&](const std::vector<term>& part) {
    selected.clear();
    for (const term& o : part) {
      if (p(o)) {
        selected.push_back(o);
      }
    }
    n += tb.objects->erase_each(selected);
  });
  return n;
}

std::vector<term> match_object(table_ref t, const term& pattern_term) {
  resolved r(t);
  const table_impl& tb = checked(r, access_kind::read);
  return matching_objects(tb, pattern(pattern_term));
}

std::vector<term> match(table_ref t, const term& pattern_term) {
  resolved r(t);
  const table_impl& tb = checked(r, access_kind::read);
  const pattern p(pattern_term);
  std::vector<term> out;
  std::vector<term> bindings;
  auto on_match = [&](const object_view& v) {
    (void)p.match(v, &bindings);
    out.push_back(term::list(bindings));
  };
  match_each(tb, p, on_match);
  return out;
}

bool match_delete(table_ref t, const term& pattern_term) {
  resolved r(t);
  table_impl& tb = checked(r, access_kind::write);
  const std::vector<term> selected = matching_objects(tb, pattern(pattern_term));
  (void)tb.objects->erase_each(selected);
  return true;
}

std::vector<term> tab2list(table_ref t) {
  resolved r(t);
  const table_impl& tb = checked(r, access_kind::read);
  std::vector<term> out;
  detail::scan_cursor c;
  while (!c.done) {
    if (!tb.objects->scan(c, false, [&out](const object_view& v) { out.push_back(v.to_term()); })) {
      break;
    }
  }
  return out;
}

void for_each(table_ref t, const std::function<void(const term&)>& f, bool reverse) {
  resolved r(t);
  const table_impl& tb = checked(r, access_kind::read);
  for_each_part(tb, reverse, [&](const std::vector<term>& part) {
    for (const term& o : part) {
      f(o);
    }
  });
}

}  // namespace otter::ets
