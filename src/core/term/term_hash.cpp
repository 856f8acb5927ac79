// hash_term of otter/core/term_hash.hpp (phash2 is in term_phash2.cpp).

#include "otter/core/term_hash.hpp"

#include <bit>
#include <cstring>
#include <string_view>

namespace otter {
namespace {

constexpr std::uint64_t combine(std::uint64_t seed, std::uint64_t v) noexcept {
  return mix_bits(seed ^ (v + 0x9E3779B97F4A7C15ULL + (seed << 6) + (seed >> 2)));
}

std::uint64_t hash_bytes(std::string_view s) noexcept {
  // FNV-1a, 8 bytes at a time where possible, then mixed.
  std::uint64_t h = 0xCBF29CE484222325ULL ^ s.size();
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0x100000001B3ULL;
  }
  for (; i < s.size(); ++i) {
    h = (h ^ static_cast<unsigned char>(s[i])) * 0x100000001B3ULL;
  }
  return mix_bits(h);
}

std::uint64_t hash_of(const term& t) noexcept {
  const auto k = static_cast<std::uint64_t>(t.type());
  switch (t.type()) {
    case term::kind::integer:
      return combine(k, static_cast<std::uint64_t>(t.as_int()));
    case term::kind::floating: {
      // operator== compares floats bit for bit, except that -0.0 equals 0.0: hash it as 0.0.
      const double d = t.as_double() == 0.0 ? 0.0 : t.as_double();
      return combine(k, std::bit_cast<std::uint64_t>(d));
    }
    case term::kind::atom:
      return combine(k, t.as_atom().index());
    case term::kind::pid:
      return combine(k, t.as_pid().value());
    case term::kind::reference:
      return combine(k, t.as_ref().id());
    case term::kind::binary:
    case term::kind::opaque:
      return combine(k, hash_bytes(t.as_string()));
    case term::kind::tuple:
    case term::kind::list: {
      std::uint64_t h = combine(k, t.size());
      for (const term& e : t.elements()) {
        h = combine(h, hash_of(e));
      }
      return h;
    }
    case term::kind::map:
    case term::kind::structure: {
      // Entries are kept sorted, so equal maps list them in the same order.
      std::uint64_t h = combine(k, hash_bytes(t.struct_name()));
      for (const auto& [key, value] : t.entries()) {
        h = combine(combine(h, hash_of(key)), hash_of(value));
      }
      return h;
    }
  }
  return k;
}

}  // namespace

std::uint64_t hash_term(const term& t) noexcept {
  return hash_of(t);
}

}  // namespace otter
