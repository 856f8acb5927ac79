// tests/store/store_test_support.hpp: helpers for tests of store calls.
//
//   auto u = must(store.create_user(...));      // the value, or the test fails (throws)
//   EXPECT_EQ(code_of(store.find_task(...)), store_errc::not_found);

#pragma once

#include "notifier/store/store.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <utility>

namespace notifier::testing {

/// The value of `r`; a failed call fails the test and throws (GoogleTest ends the test).
template <class T>
T must(store_result<T> r) {
  if (!r.has_value()) {
    ADD_FAILURE() << "store call failed: " << r.error();
    throw std::runtime_error("store call failed");
  }
  return std::move(r).value();
}

/// The error code of `r`, or nothing when the call succeeded.
template <class T>
std::optional<store_errc> code_of(const store_result<T>& r) {
  if (r.has_value()) {
    return std::nullopt;
  }
  return r.error().code;
}

/// A fixed instant that the tests count from.
inline constexpr timestamp t0 = from_millis(1'700'000'000'000);

}  // namespace notifier::testing
