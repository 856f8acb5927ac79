// otter/ets/select.hpp: queries over a whole table: select with a C++ function, match with
// a term pattern, folds and tab2list.
//
// Erlang selects with match specifications; in C++ a function is the natural form: a
// `selector` gets each object and returns the value to collect (any projection of the
// object) or nullopt to skip it; a `predicate` just says yes or no. Patterns are terms in
// which the atom `:_` matches anything and `:"$N"` (N >= 0) is a variable: the same variable
// matches equal terms wherever it appears, match() returns each match's bindings ordered by
// N, and maps in a pattern match maps that have at least the pattern's keys (as in match
// specs). Everything else in a pattern must match exactly. A pattern whose key is fully bound
// only visits the objects with that key.
//
// Order: an ordered_set is visited in key order (foldr: reverse order); other tables in their
// internal order, which is the same for every function here, first/next and tab2list.
//
// Concurrency. The functions you pass run with no lock held, on a consistent copy of one
// stripe of the table at a time (a few hundred objects of an ordered_set at a time), so they
// may call any ets function, on any table, and may throw (the exception reaches the caller;
// select_delete keeps the deletions of the stripes it had finished). A query is therefore not one
// atomic snapshot of the whole table: objects inserted or deleted during it, in parts not yet
// visited, may or may not be seen, as with Erlang's select on a table that is not fixed.
// select_delete and match_delete remove each selected object atomically, if it is still there.
//
// Thread safety: @threadsafe. Needs read access (select_delete, match_delete: write access).

#pragma once

#include "otter/core/term.hpp"
#include "otter/ets/table.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace otter::ets {

/// Returns what to collect for an object, or nullopt to skip it.
using selector = std::function<std::optional<term>(const term& object)>;
/// Whether an object is selected.
using predicate = std::function<bool(const term& object)>;

/// What `f` returns for each object, skipping nullopt.
[[nodiscard]] std::vector<term> select(table_ref t, const selector& f);
/// The same, for the objects that match `pattern` only.
[[nodiscard]] std::vector<term> select(table_ref t, const term& pattern, const selector& f);
/// How many objects satisfy `p`.
[[nodiscard]] std::size_t select_count(table_ref t, const predicate& p);
/// Deletes the objects that satisfy `p`; returns how many were deleted.
std::size_t select_delete(table_ref t, const predicate& p);

/// The objects that match `pattern`.
[[nodiscard]] std::vector<term> match_object(table_ref t, const term& pattern);
/// For each object that matches `pattern`, the list of its bindings ordered by variable
/// number (`[]` for a pattern without variables).
[[nodiscard]] std::vector<term> match(table_ref t, const term& pattern);
/// Deletes the objects that match `pattern`. Always true.
bool match_delete(table_ref t, const term& pattern);

/// Every object.
[[nodiscard]] std::vector<term> tab2list(table_ref t);

/// Calls `f` on every object, in table order (`reverse`: ordered_set in descending key order;
/// other types in the same order, as Erlang's foldr).
void for_each(table_ref t, const std::function<void(const term&)>& f, bool reverse = false);

/// `acc = f(object, acc)` over every object, in table order (Erlang's ets:foldl/3).
template <class F, class Acc>
Acc foldl(table_ref t, F f, Acc acc) {
  for_each(t, [&](const term& object) { acc = f(object, std::move(acc)); });
  return acc;
}
/// foldl() in reverse order (Erlang's ets:foldr/3).
template <class F, class Acc>
Acc foldr(table_ref t, F f, Acc acc) {
  for_each(
      t, [&](const term& object) { acc = f(object, std::move(acc)); }, true);
  return acc;
}

}  // namespace otter::ets
