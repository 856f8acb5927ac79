// tests/otp/registry_test_support.hpp: helpers of the Registry tests.

#pragma once

#include "otter/otp/registry.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace otter::test_support {

/// Starts a registry linked to the caller; a failure is a test failure.
inline co<void> start_registry(atom name, registry::kind kind, std::int64_t partitions = 1,
                               std::vector<atom> listeners = {}) {
  registry::options opts{
      .keys = kind, .name = name, .partitions = partitions, .listeners = std::move(listeners)};
  start_result r = co_await registry::start_link(std::move(opts));
  EXPECT_TRUE(r.has_value()) << to_term(r).to_string();
}

/// A process that registers `key` with `value` in `reg`, tells its parent
/// `{:registered, result}`, then waits for an atom and exits :normal.
inline pid registrant(atom reg, term key, term value) {
  const pid parent = self();
  return spawn([parent, reg, key, value]() -> co<void> {
    registry::register_result r = registry::register_key(reg, key, value);
    send(parent, tuple(atom("registered"), registry::to_term(r)));
    (void)co_await receive<atom>();
  });
}

/// The `result` of the next `{:registered, result}`.
inline co<term> registered() {
  co_return co_await receive(
      on<term>([](const term& m) { return m.is_tagged(atom("registered"), 2); },
               [](term& m) { return m[1]; }));
}

/// The pids of the partitions of the registry `reg` (named `<reg>.PIDPartition<i>`).
inline std::vector<pid> partitions_of(atom reg, int n) {
  std::vector<pid> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(whereis(atom(std::string(reg.name()) + ".PIDPartition" + std::to_string(i))));
  }
  return out;
}

/// Whether the calling process is linked to one of `pids`.
inline bool linked_to_any(const std::vector<pid>& pids) {
  for (pid l : self_info().links) {
    for (pid p : pids) {
      if (l == p) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace otter::test_support
