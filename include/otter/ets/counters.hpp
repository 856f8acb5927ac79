// otter/ets/counters.hpp: updating elements of an object in place (update_counter,
// update_element), for sets and ordered_sets.
//
// update_counter adds to integer elements of the object with a key, as Erlang's
// ets:update_counter/3,4:
//   - an increment alone updates the element after the key (position keypos + 1);
//   - counter_op{pos, incr} updates element pos;
//   - counter_op{pos, incr, threshold, set_value}: after adding, a result above threshold (for
//     incr >= 0) or below it (for incr < 0) is replaced by set_value;
//   - several ops apply in order (the same position may appear twice) and return every result;
//   - with a default object, a missing key first inserts the default object with its key
//     element replaced by `key`.
// The whole update is atomic and isolated. badarg, with nothing changed, when: the table is a
// bag or duplicate_bag; no object has the key (and no default is given); a position is the
// key's, 0 or beyond the object; the element is not an integer; the result does not fit in 64
// bits (Erlang would make a bignum); or the usual access and table errors (table.hpp).
//
// Thread safety: @threadsafe. Writers of different keys of a set do not block each other
// (unless the keys share a stripe; docs/design/ets.md).

#pragma once

#include "otter/core/term.hpp"
#include "otter/ets/table.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace otter::ets {

/// One counter update: `{pos, incr}` or `{pos, incr, threshold, set_value}`.
struct counter_op {
  std::size_t pos = 0;
  std::int64_t incr = 0;
  std::optional<std::int64_t> threshold{};
  std::int64_t set_value = 0;
};

/// Adds `incr` to the element after the key; returns the new value.
std::int64_t update_counter(table_ref t, const term& key, std::int64_t incr);
std::int64_t update_counter(table_ref t, const term& key, std::int64_t incr,
                            const term& default_object);
/// One op; returns the new value.
std::int64_t update_counter(table_ref t, const term& key, const counter_op& op);
std::int64_t update_counter(table_ref t, const term& key, const counter_op& op,
                            const term& default_object);
/// Several ops, in order; returns the new values in the same order.
std::vector<std::int64_t> update_counter(table_ref t, const term& key,
                                         std::span<const counter_op> ops);
std::vector<std::int64_t> update_counter(table_ref t, const term& key,
                                         std::span<const counter_op> ops,
                                         const term& default_object);

/// One element update: `{pos, value}`.
struct element_update {
  std::size_t pos = 0;
  term value{};
};

/// Replaces element `pos` of the object with `key`. False when no object has the key; badarg
/// for a bag, the key's position, position 0 or beyond the object.
bool update_element(table_ref t, const term& key, std::size_t pos, term value);
/// Several replacements, atomically (all or none), in order.
bool update_element(table_ref t, const term& key, std::span<const element_update> updates);

}  // namespace otter::ets
