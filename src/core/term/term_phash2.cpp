// otter::phash2: OTP's make_hash2 (erts/emulator/beam/utils.c, with atom_hash from atom.c),
// the portable hash behind :erlang.phash2/1,2, which OTP guarantees not to change between
// releases. The golden tests (tests/core/term_phash2_test.cpp) hold values printed by OTP 25.
//
// make_hash2 folds every term of the walk into one running 32-bit `hash` with Bob Jenkins'
// MIX. Its walk is a stack machine; the recursion below visits the same terms in the same
// order:
//   - a tuple mixes its arity, then each element in order;
//   - a list: runs of consecutive elements that are integers 0..255 ("bytes", as charlists)
//     are packed four to a word, big end first, and mixed as words (a shorter last word as
//     it is); any other element is hashed as a term and ends the run; the list's tail [] is
//     hashed last, as the empty list is;
//   - a map mixes its size, then hashes each key-value pair starting from 0 and xors the pair
//     hashes together (so the order of pairs does not matter), and mixes the xor;
//   - atoms and [] are "poorly" hashed when the running hash is 0 (the atom's hashpjw value,
//     or a constant); the map pairs start from 0, so a map key that is an atom hits that case.
// Integers in [-2^27, 2^27) are "smalls of 28 bits"; larger ones are hashed as bignums (one
// 64-bit digit of the magnitude, a constant for the sign).

#include "otter/core/term_hash.hpp"
#include "otter/detail/assert.hpp"

#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace otter {
namespace {

using u32 = std::uint32_t;

// (HCONST * n) mod 2^32, the golden-ratio constants of utils.c.
constexpr u32 hconst = 0x9e3779b9U;
constexpr u32 hconst_2 = 0x3c6ef372U;
constexpr u32 hconst_3 = 0xdaa66d2bU;
constexpr u32 hconst_4 = 0x78dde6e4U;
constexpr u32 hconst_5 = 0x1715609dU;
constexpr u32 hconst_7 = 0x5384540fU;
constexpr u32 hconst_9 = 0x8ff34781U;
constexpr u32 hconst_10 = 0x2e2ac13aU;
constexpr u32 hconst_11 = 0xcc623af3U;
constexpr u32 hconst_12 = 0x6a99b4acU;
constexpr u32 hconst_13 = 0x08d12e65U;
constexpr u32 hconst_16 = 0xe3779b90U;
constexpr u32 hconst_19 = 0xbe1e08bbU;
// The value of [] when it is hashed first, and NIL_DEF (the tag mixed otherwise).
constexpr u32 nil_first = 3468870702U;
constexpr u32 nil_def = 0x2;

constexpr void mix(u32& a, u32& b, u32& c) noexcept {
  a -= b;
  a -= c;
  a ^= (c >> 13);
  b -= c;
  b -= a;
  b ^= (a << 8);
  c -= a;
  c -= b;
  c ^= (b >> 13);
  a -= b;
  a -= c;
  a ^= (c >> 12);
  b -= c;
  b -= a;
  b ^= (a << 16);
  c -= a;
  c -= b;
  c ^= (b >> 5);
  a -= b;
  a -= c;
  a ^= (c >> 3);
  b -= c;
  b -= a;
  b ^= (a << 10);
  c -= a;
  c -= b;
  c ^= (b >> 15);
}

// UINT32_HASH_2 and UINT32_HASH.
constexpr void hash2(u32& hash, u32 x, u32 y, u32 k) noexcept {
  u32 a = k + x;
  u32 b = k + y;
  mix(a, b, hash);
}
constexpr void hash1(u32& hash, u32 x, u32 k) noexcept {
  hash2(hash, x, 0, k);
}

// block_hash: Jenkins' lookup2 over the bytes, seeded with `initval`.
u32 block_hash(std::string_view bytes, u32 initval) noexcept {
  const auto* k = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto length = static_cast<u32>(bytes.size());
  u32 len = length;
  u32 a = hconst;
  u32 b = hconst;
  u32 c = initval;
  auto word = [](const unsigned char* p) {
    return u32{p[0]} | (u32{p[1]} << 8) | (u32{p[2]} << 16) | (u32{p[3]} << 24);
  };
  while (len >= 12) {
    a += word(k);
    b += word(k + 4);
    c += word(k + 8);
    mix(a, b, c);
    k += 12;
    len -= 12;
  }
  c += length;
  // The byte at offset 8 goes one byte up: c's first byte holds the length.
  switch (len) {
    case 11:
      c += u32{k[10]} << 24;
      [[fallthrough]];
    case 10:
      c += u32{k[9]} << 16;
      [[fallthrough]];
    case 9:
      c += u32{k[8]} << 8;
      [[fallthrough]];
    case 8:
      b += u32{k[7]} << 24;
      [[fallthrough]];
    case 7:
      b += u32{k[6]} << 16;
      [[fallthrough]];
    case 6:
      b += u32{k[5]} << 8;
      [[fallthrough]];
    case 5:
      b += k[4];
      [[fallthrough]];
    case 4:
      a += u32{k[3]} << 24;
      [[fallthrough]];
    case 3:
      a += u32{k[2]} << 16;
      [[fallthrough]];
    case 2:
      a += u32{k[1]} << 8;
      [[fallthrough]];
    case 1:
      a += k[0];
      break;
    default:
      break;
  }
  mix(a, b, c);
  return c;
}

// atom.c's atom_hash: hashpjw over the name's UTF-8 bytes, except that a two-byte sequence
// for a Latin-1 character (lead byte C2 or C3) counts as that character (the "latin1 clutch":
// the values of atoms from before UTF-8 atom names).
u32 atom_hash(std::string_view name) noexcept {
  u32 h = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    auto v = static_cast<unsigned char>(name[i]);
    if (i + 1 < name.size() && (v & 0xFEU) == 0xC2U
        && (static_cast<unsigned char>(name[i + 1]) & 0xC0U) == 0x80U) {
      // The byte type truncates, as in atom.c: (v << 6) | low bits fits 8 bits for C2/C3.
      v = static_cast<unsigned char>((v << 6) | (static_cast<unsigned char>(name[i + 1]) & 0x3FU));
      ++i;
    }
    h = (h << 4) + v;
    if (const u32 g = h & 0xF0000000U; g != 0) {
      h ^= g >> 24;
      h ^= g;
    }
  }
  return h;
}

void hash_atom_name(u32& hash, std::string_view name) noexcept {
  const u32 hv = atom_hash(name);
  if (hash == 0) {
    hash = hv;  // the first term of the walk: the "poor" value, unmixed, as OTP does
  } else {
    hash1(hash, hv, hconst_3);
  }
}

void hash_nil(u32& hash) noexcept {
  if (hash == 0) {
    hash = nil_first;
  } else {
    hash1(hash, nil_def, hconst_2);
  }
}

void hash_integer(u32& hash, std::int64_t x) noexcept {
  if (x >= -(std::int64_t{1} << 27) && x < (std::int64_t{1} << 27)) {
    // SINT32_HASH: a negative small is mixed twice, once as its magnitude.
    const auto y = static_cast<std::int32_t>(x);
    if (y < 0) {
      hash1(hash, static_cast<u32>(-y), hconst);
    }
    hash1(hash, static_cast<u32>(y), hconst);
    return;
  }
  // A bignum of one 64-bit digit: the magnitude (2^63 for INT64_MIN converts exactly).
  const std::uint64_t mag =
      x < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(x) : static_cast<std::uint64_t>(x);
  hash2(hash, static_cast<u32>(mag), static_cast<u32>(mag >> 32), x < 0 ? hconst_10 : hconst_11);
}

void hash_float(u32& hash, double d) noexcept {
  if (d == 0.0) {
    d = 0.0;  // -0.0 hashes as 0.0: they are equal terms
  }
  const auto bits = std::bit_cast<std::uint64_t>(d);
  hash2(hash, static_cast<u32>(bits >> 32), static_cast<u32>(bits), hconst_12);
}

void hash_binary(u32& hash, std::string_view bytes) noexcept {
  const u32 con = hconst_13 + hash;
  hash = bytes.empty() ? con : block_hash(bytes, con);
}

void hash_term(u32& hash, const term& t) noexcept;

// An Elixir map: the size, then the xor of the pairs' hashes, each from 0. `module`, when not
// empty, is a struct's __struct__ value, one more pair (the entries hold the fields only).
template <class Entries>
void hash_map(u32& hash, const Entries& entries, std::string_view module) noexcept {
  const auto size = static_cast<u32>(entries.size() + (module.empty() ? 0 : 1));
  hash1(hash, size, hconst_16);
  if (size == 0) {
    return;
  }
  u32 pairs = 0;
  if (!module.empty()) {
    u32 h = 0;
    hash_atom_name(h, "__struct__");
    hash_atom_name(h, module);
    pairs ^= h;
  }
  for (const auto& [key, value] : entries) {
    u32 h = 0;
    hash_term(h, key);
    hash_term(h, value);
    pairs ^= h;
  }
  hash1(hash, pairs, hconst_19);
}

[[nodiscard]] bool is_byte(const term& t) noexcept {
  return t.is_integer() && t.as_int() >= 0 && t.as_int() <= 255;
}

void hash_list(u32& hash, std::span<const term> items) noexcept {
  std::size_t i = 0;
  while (i < items.size()) {
    u32 packed = 0;
    int count = 0;
    for (; i < items.size() && is_byte(items[i]); ++i) {
      packed = (packed << 8) + static_cast<u32>(items[i].as_int());
      if (++count == 4) {
        hash1(hash, packed, hconst_4);
        packed = 0;
        count = 0;
      }
    }
    if (count > 0) {
      hash1(hash, packed, hconst_4);
    }
    if (i < items.size()) {
      hash_term(hash, items[i]);  // not a byte: hashed whole, and the rest is a new run
      ++i;
    }
  }
  hash_nil(hash);
}

void hash_term(u32& hash, const term& t) noexcept {
  switch (t.type()) {
    case term::kind::integer:
      hash_integer(hash, t.as_int());
      return;
    case term::kind::floating:
      hash_float(hash, t.as_double());
      return;
    case term::kind::atom:
      hash_atom_name(hash, t.as_atom().name());
      return;
    case term::kind::reference:
      // The ref's first number word: `#Ref<0.0.0.id>` is printed as OTP prints it, last word
      // first.
      hash1(hash, static_cast<u32>(t.as_ref().id()), hconst_7);
      return;
    case term::kind::pid:
      // OTP hashes a local pid's number (the middle of <0.number.serial>), not its serial.
      hash1(hash, t.as_pid().index(), hconst_5);
      return;
    case term::kind::tuple: {
      const auto items = t.elements();
      hash1(hash, static_cast<u32>(items.size()), hconst_9);
      for (const term& e : items) {
        hash_term(hash, e);
      }
      return;
    }
    case term::kind::list:
      hash_list(hash, t.elements());
      return;
    case term::kind::map:
      hash_map(hash, t.entries(), {});
      return;
    case term::kind::structure: {
      // %Name{...} is the map %{__struct__: Name, ...}; Name is an Elixir module's atom.
      std::string module(t.struct_name());
      if (!module.starts_with("Elixir.")) {
        module.insert(0, "Elixir.");
      }
      hash_map(hash, t.entries(), module);
      return;
    }
    case term::kind::binary:
    case term::kind::opaque:
      // An opaque has no Erlang value: it hashes as the binary of its text.
      hash_binary(hash, t.as_string());
      return;
  }
}

u32 make_hash2(const term& t) noexcept {
  u32 hash = 0;
  hash_term(hash, t);
  return hash;
}

}  // namespace

std::uint32_t phash2(const term& t) noexcept {
  return make_hash2(t) & ((u32{1} << 27) - 1);
}

std::uint32_t phash2(const term& t, std::uint32_t range) noexcept {
  OTTER_CHECK(range != 0, "phash2: the range must be positive");
  return make_hash2(t) % range;
}

std::uint32_t phash2_32(const term& t) noexcept {
  return make_hash2(t);
}

}  // namespace otter
