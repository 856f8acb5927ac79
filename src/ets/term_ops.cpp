// Hashing and key order for tables (term_ops.hpp).

#include "ets/term_ops.hpp"

#include "otter/core/term_hash.hpp"

#include <bit>
#include <cmath>
#include <string_view>

namespace otter::ets::detail {
namespace {

using kind = term::kind;

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
  return otter::hash_term(t);
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
