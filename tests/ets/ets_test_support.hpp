// tests/ets/ets_test_support.hpp: helpers shared by the ets unit tests.

#pragma once

#include "otter/core/exit.hpp"
#include "otter/core/term.hpp"
#include "otter/ets.hpp"
#include "otter/testing/trace.hpp"

#include "support/both_runtimes.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace otter::ets_test {

using test_support::a;

/// Whether `f()` raises error(:badarg).
template <class F>
bool raises_badarg(F&& f) {
  try {
    (void)std::forward<F>(f)();
  } catch (const error_exception& e) {
    return e.reason() == term(atoms::badarg);
  }
  return false;
}

/// A vector of terms as a list term (compared and printed as one value).
inline term as_list(std::vector<term> v) {
  return term::list(std::move(v));
}

/// The same, sorted in term order (for tables whose order is unspecified).
inline term sorted_list(std::vector<term> v) {
  std::sort(v.begin(), v.end());
  return term::list(std::move(v));
}

/// The printed form of a term (for readable expectations).
inline std::string str(const term& t) {
  return t.to_string();
}

}  // namespace otter::ets_test
