// otter/core/term_hash.hpp: 64-bit hashes of terms, for the tables built on them (ETS-like
// tables, Registry, PartitionSupervisor).
//
// Both hashes agree with operator== (Erlang's =:=): equal terms hash alike, and an integer and
// a float of equal value do not (they are different keys). Every input bit reaches every
// output bit (splitmix64's finaliser), so any slice of the hash (a stripe, a slot, a partition)
// is usable.
//   - hash_term: atoms hash by their index. Fast, but the value changes between runs (atom
//     indexes depend on interning order): for in-memory tables.
//   - stable_hash_term: atoms hash by their name, so a term hashes alike in every run: for
//     routing that users see (which partition a key goes to). It is not :erlang.phash2/2.
//
// Thread safety: pure functions.

#pragma once

#include "otter/core/term.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>

namespace otter {

[[nodiscard]] std::uint64_t hash_term(const term& t) noexcept;
[[nodiscard]] std::uint64_t stable_hash_term(const term& t) noexcept;

/// splitmix64's finaliser: a bijection on 64 bits that spreads every input bit.
[[nodiscard]] constexpr std::uint64_t mix_bits(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

}  // namespace otter

/// Hash containers of terms (hash_term: per run).
template <>
struct std::hash<otter::term> {
  std::size_t operator()(const otter::term& t) const noexcept {
    return static_cast<std::size_t>(otter::hash_term(t));
  }
};
