// otter/core/term_hash.hpp: hashes of terms.
//
//   - hash_term: 64 bits for the in-memory tables built on terms (ETS-like tables, Registry).
//     Atoms hash by their index: fast, but the value changes between runs (atom indexes depend
//     on interning order). Every input bit reaches every output bit (splitmix64's finaliser),
//     so any slice of the hash (a stripe, a slot) is usable.
//   - phash2: :erlang.phash2/1,2, bit for bit as OTP computes it (make_hash2), for routing
//     that users see and that must agree with the BEAM (PartitionSupervisor's partitions).
//     The same value in every run, on every machine, as the Erlang term would have:
//       * integers (as Erlang's smalls and bignums), floats, atoms (by name), binaries
//         (Elixir strings), tuples, lists (charlists included), maps (any order of entries);
//       * a struct hashes as the map it is in Elixir, %{__struct__: Module, ...}, its module
//         named "Elixir.<name>" unless struct_name() already starts with "Elixir.";
//       * a pid hashes as the local pid <0.index.generation> (OTP hashes only the middle
//         number, the index); a ref as #Ref<0.0.0.id> (OTP hashes its last word, the low 32
//         bits of the id). Pids and refs of Otter are not the BEAM's, so the value only says
//         where such a term would go, as for any Erlang pid with those numbers;
//       * an opaque (no Erlang counterpart) hashes as the binary of its text.
//
// All hashes agree with operator== (Erlang's =:=): equal terms hash alike (0.0 and -0.0
// included); an integer and a float of equal value are different keys.
//
// Thread safety: pure functions.

#pragma once

#include "otter/core/term.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>

namespace otter {

[[nodiscard]] std::uint64_t hash_term(const term& t) noexcept;

/// :erlang.phash2(t): in [0, 2^27).
[[nodiscard]] std::uint32_t phash2(const term& t) noexcept;
/// :erlang.phash2(t, range): in [0, range). A range of 0 is a bug (Erlang raises badarg):
/// OTTER_CHECK aborts. For Erlang's largest range, 2^32, use phash2_32.
[[nodiscard]] std::uint32_t phash2(const term& t, std::uint32_t range) noexcept;
/// :erlang.phash2(t, 1 bsl 32): the whole 32-bit hash.
[[nodiscard]] std::uint32_t phash2_32(const term& t) noexcept;

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
