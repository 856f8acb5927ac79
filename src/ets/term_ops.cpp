// Hashing and key order for tables (term_ops.hpp).

#include "ets/term_ops.hpp"

#include <bit>
#include <cmath>
#include <string_view>

namespace otter::ets::detail {
namespace {

using kind = term::kind;

// The finaliser of splitmix64: every input bit affects every output bit, so any slice of the
// hash (stripe, slot, tag: hash_store.cpp) is usable.
constexpr std::uint64_t mix(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

constexpr std::uint64_t combine(std::uint64_t seed, std::uint64_t v) noexcept {
  return mix(seed ^ (v + 0x9E3779B97F4A7C15ULL + (seed << 6) + (seed >> 2)));
}

std::uint64_t hash_bytes(std::string_view s) noexcept {
  // FNV-1a over the bytes, then mixed: binaries are rarely long keys.
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return mix(h);
}

std::uint64_t seed_of(kind k) noexcept {
  return (static_cast<std::uint64_t>(k) + 1) * 0xD6E8FEB86659FD93ULL;
}

// An integer and a float of equal value: -1 / 0 / 1 as int <=> double, exactly.
std::weak_ordering compare_int_double(std::int64_t i, double d) noexcept {
  constexpr double two_63 = 9223372036854775808.0;
  if (std::isnan(d)) {
    return std::signbit(d) ? std::weak_ordering::greater : std::weak_ordering::less;
  }
  if (d >= two_63) {
    return std::weak_ordering::less;
  }
  if (d < -two_63) {
    return std::weak_ordering::greater;
  }
  const double whole = std::trunc(d);
  const auto whole_int = static_cast<std::int64_t>(whole);
  if (i != whole_int) {
    return i < whole_int ? std::weak_ordering::less : std::weak_ordering::greater;
  }
  if (d > whole) {
    return std::weak_ordering::less;
  }
  if (d < whole) {
    return std::weak_ordering::greater;
  }
  return std::weak_ordering::equivalent;
}

}  // namespace

std::uint64_t hash_term(const term& t) noexcept {
  const kind k = t.type();
  switch (k) {
    case kind::integer:
      return mix(static_cast<std::uint64_t>(t.as_int()) ^ seed_of(k));
    case kind::floating:
      return mix(std::bit_cast<std::uint64_t>(t.as_double()) ^ seed_of(k));
    case kind::atom:
      return mix(t.as_atom().index() ^ seed_of(k));
    case kind::pid:
      return mix(t.as_pid().value() ^ seed_of(k));
    case kind::reference:
      return mix(t.as_ref().id() ^ seed_of(k));
    case kind::binary:
    case kind::opaque:
      return hash_bytes(t.as_string()) ^ seed_of(k);
    case kind::tuple:
    case kind::list: {
      std::uint64_t h = seed_of(k) + t.size();
      for (const term& e : t.elements()) {
        h = combine(h, hash_term(e));
      }
      return h;
    }
    case kind::map:
    case kind::structure: {
      std::uint64_t h = seed_of(k) ^ hash_bytes(t.struct_name());
      for (const auto& [key, value] : t.entries()) {
        h = combine(combine(h, hash_term(key)), hash_term(value));
      }
      return h;
    }
  }
  return 0;
}

std::weak_ordering compare_keys(const term& a, const term& b) noexcept {
  const kind ka = a.type();
  const kind kb = b.type();
  if (ka != kb) {
    if (ka == kind::integer && kb == kind::floating) {
      return compare_int_double(a.as_int(), b.as_double());
    }
    if (ka == kind::floating && kb == kind::integer) {
      return 0 <=> compare_int_double(b.as_int(), a.as_double());
    }
    return a <=> b;  // different kinds: term order by kind
  }
  switch (ka) {
    case kind::floating: {
      // By value: OTP 25 has 0.0 == -0.0.
      const double x = a.as_double();
      const double y = b.as_double();
      if (x < y) {
        return std::weak_ordering::less;
      }
      return x > y ? std::weak_ordering::greater : std::weak_ordering::equivalent;
    }
    case kind::tuple: {
      const auto x = a.elements();
      const auto y = b.elements();
      if (x.size() != y.size()) {
        return x.size() < y.size() ? std::weak_ordering::less : std::weak_ordering::greater;
      }
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (auto c = compare_keys(x[i], y[i]); c != 0) {
          return c;
        }
      }
      return std::weak_ordering::equivalent;
    }
    case kind::list: {
      const auto x = a.elements();
      const auto y = b.elements();
      const std::size_t n = x.size() < y.size() ? x.size() : y.size();
      for (std::size_t i = 0; i < n; ++i) {
        if (auto c = compare_keys(x[i], y[i]); c != 0) {
          return c;
        }
      }
      if (x.size() == y.size()) {
        return std::weak_ordering::equivalent;
      }
      return x.size() < y.size() ? std::weak_ordering::less : std::weak_ordering::greater;
    }
    default:
      return a <=> b;
  }
}

}  // namespace otter::ets::detail
