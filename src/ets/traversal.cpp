// first/next/last/prev (traversal.hpp).

#include "otter/ets/traversal.hpp"

#include "ets/table_impl.hpp"

namespace otter::ets {

using detail::access_kind;
using detail::checked;
using detail::resolved;

std::optional<term> first(table_ref t) {
  resolved r(t);
  return checked(r, access_kind::read).objects->first();
}

std::optional<term> next(table_ref t, const term& key) {
  resolved r(t);
  return checked(r, access_kind::read).objects->next(key);
}

std::optional<term> last(table_ref t) {
  resolved r(t);
  return checked(r, access_kind::read).objects->last();
}

std::optional<term> prev(table_ref t, const term& key) {
  resolved r(t);
  return checked(r, access_kind::read).objects->prev(key);
}

}  // namespace otter::ets
