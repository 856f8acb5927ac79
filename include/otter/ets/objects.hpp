// otter/ets/objects.hpp: inserting, reading and deleting objects by key.
//
// An object is a tuple with at least `keypos` elements. Semantics are Erlang's (OTP 25):
//   - insert on a set or ordered_set replaces the object with the same key; on a bag it adds
//     the object unless an identical one is there; on a duplicate_bag it always adds it.
//   - lookup returns the objects with the key: at most one for sets; for bags in insertion
//     order (a bag keeps an object's first position when it is inserted again).
//   - a list of objects (a list term, or a span) is inserted atomically: readers see all of it
//     or none of it. Within one list, a later object with the same key wins in a set; a bag
//     takes the list's objects in reverse order, exactly as the BEAM does.
//   - Keys of a set, bag or duplicate_bag are equal when they match exactly (=:=); keys of an
//     ordered_set when they compare equal (==: 1 and 1.0 are the same key). Objects (as in
//     delete_object) are always compared exactly.
// Errors raise error(badarg) and change nothing: an object that is not a tuple of at least
// keypos elements, missing access (table.hpp), a deleted table or an unknown name.
//
// Thread safety: @threadsafe. Each call, a list insert included, is atomic and isolated with
// respect to other calls on the same table.

#pragma once

#include "otter/core/term.hpp"
#include "otter/ets/table.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace otter::ets {

/// Inserts one object, or every object of a list term. Needs write access. Always true.
bool insert(table_ref t, const term& object_or_list);
/// Inserts the objects atomically. Needs write access. Always true.
bool insert(table_ref t, std::span<const term> objects);

/// Inserts the object(s) only if none of their keys is in the table; false (and nothing
/// inserted) otherwise. Atomic for a list. Needs write access.
bool insert_new(table_ref t, const term& object_or_list);
bool insert_new(table_ref t, std::span<const term> objects);

/// The objects with `key` (empty when none). Needs read access.
[[nodiscard]] std::vector<term> lookup(table_ref t, const term& key);

/// Element `pos` (1-based) of the object with `key`; for a bag, the list of that element of
/// every object with the key. badarg when no object has the key or one is shorter than pos.
[[nodiscard]] term lookup_element(table_ref t, const term& key, std::size_t pos);

/// Whether an object with `key` exists. Needs read access.
[[nodiscard]] bool member(table_ref t, const term& key);

/// Removes and returns the objects with `key`. Needs write access.
std::vector<term> take(table_ref t, const term& key);

/// Deletes every object with `key` (Erlang's ets:delete/2). Needs write access. Always true.
bool delete_key(table_ref t, const term& key);

/// Deletes this exact object (every copy of it in a duplicate_bag). Needs write access.
/// Always true, also when the object was not there.
bool delete_object(table_ref t, const term& object);

/// Deletes every object, atomically; the table stays. Needs write access. Always true.
bool delete_all_objects(table_ref t);

}  // namespace otter::ets
