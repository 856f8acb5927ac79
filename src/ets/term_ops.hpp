// src/ets/term_ops.hpp: hashing and comparing keys.
//
// hash_term() agrees with exact equality (operator==, Erlang's =:=): the keys of set, bag and
// duplicate_bag. compare_keys() is Erlang's term order with == for equality: numbers compare
// by value, so 1 and 1.0 are the same key of an ordered_set, at any depth of tuples and lists.
// (Maps and structs compare exactly, with term's own order: a corner we do not need.)

#pragma once

#include "otter/core/term.hpp"

#include <compare>
#include <cstdint>

namespace otter::ets::detail {

[[nodiscard]] std::uint64_t hash_term(const term& t) noexcept;

[[nodiscard]] std::weak_ordering compare_keys(const term& a, const term& b) noexcept;

[[nodiscard]] inline bool is_number(const term& t) noexcept {
  return t.type() == term::kind::integer || t.type() == term::kind::floating;
}

/// Orders keys for std::map (ordered_set).
struct key_less {
  bool operator()(const term& a, const term& b) const noexcept { return compare_keys(a, b) < 0; }
};

}  // namespace otter::ets::detail
