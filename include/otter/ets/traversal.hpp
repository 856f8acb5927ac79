// otter/ets/traversal.hpp: walking a table key by key (first/next, last/prev).
//
// An ordered_set is walked in Erlang term order (keys compared with ==); next and prev take
// any key, present or not, and return the next greater (smaller) key. A set, bag or
// duplicate_bag is walked in its internal order, the same for every traversal function and
// for select.hpp; for them last() is first() and prev() is next(), as in Erlang, and next()
// of a key that is not in the table raises badarg. nullopt plays the part of Erlang's
// `:"$end_of_table"`.
//
// A walk that runs while other processes insert or delete may, for a set or bag, miss keys or
// see one twice, and next() may raise badarg if its key was deleted meanwhile (Erlang's
// safe_fixtable is not provided). An ordered_set walk always continues from its key.
//
// Thread safety: @threadsafe. Needs read access.

#pragma once

#include "otter/core/term.hpp"
#include "otter/ets/table.hpp"

#include <optional>

namespace otter::ets {

/// The first key, or nullopt for an empty table.
[[nodiscard]] std::optional<term> first(table_ref t);
/// The key after `key`, or nullopt at the end.
[[nodiscard]] std::optional<term> next(table_ref t, const term& key);
/// The last key (ordered_set), or first() for other types.
[[nodiscard]] std::optional<term> last(table_ref t);
/// The key before `key` (ordered_set), or next() for other types.
[[nodiscard]] std::optional<term> prev(table_ref t, const term& key);

}  // namespace otter::ets
