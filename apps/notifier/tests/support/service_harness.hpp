// tests/support/service_harness.hpp: one notifier service on a runtime, for tests.
//
//   otter::testing::deterministic_runtime rt;
//   service_harness h(rt);                       // a fresh SQLite file in a temporary directory
//   user_id u = h.add_user();  task t = h.add_task(u, "Pay rent");
//   h.start();                                   // the tree, under its master
//   rt.advance(std::chrono::minutes(5));         // the 5-minute cadence, without waiting
//   EXPECT_EQ(h.notifications(t).size(), 1);
//
// The service's clock follows the runtime's (t0 + now_ms()), so on the deterministic runtime
// every time the service writes is exact. The store can be taken down (h.fault.down = true):
// every call of the service then fails `unavailable`. Test-side reads and writes use a
// connection of their own.

#pragma once

#include "notifier/service/application.hpp"
#include "notifier/service/env.hpp"
#include "notifier/service/repo.hpp"
#include "notifier/store/store.hpp"
#include "otter/core/runtime.hpp"

#include "support/flaky_store.hpp"
#include "support/temp_dir.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace notifier::testing {

class service_harness {
public:
  /// A service on `rt` with `config` (its name is made unique per harness), storing in
  /// `db_path` (a new file in a temporary directory when empty).
  explicit service_harness(otter::runtime& rt, service_config config = {},
                           std::string db_path = {});
  service_harness(const service_harness&) = delete;
  service_harness& operator=(const service_harness&) = delete;
  ~service_harness();

  void start();
  void stop();
  [[nodiscard]] bool running() const noexcept { return master_.has_value(); }

  /// The test's own connection (not subject to the outage).
  [[nodiscard]] store& db() { return *db_; }
  [[nodiscard]] const std::string& db_path() const noexcept { return db_path_; }

  user_id add_user(std::optional<std::string> webhook_url = std::nullopt);
  /// An open task of `owner` created now, first due one interval later (or at `first_due`).
  task add_task(user_id owner, const std::string& title = "task",
                std::optional<timestamp> first_due = std::nullopt);
  [[nodiscard]] task reload(const task& t);
  [[nodiscard]] std::vector<notification> notifications(const task& t);
  /// The running task workers (the task supervisor's active children).
  [[nodiscard]] std::size_t workers();
  [[nodiscard]] timestamp now() const;

  otter::runtime& rt;
  outage fault;  // fault.down = true takes the store down for the service
  boot_progress boot;
  notifier::env env;

private:
  std::unique_ptr<temp_dir> dir_;
  std::string db_path_;
  std::unique_ptr<store> db_;
  std::unique_ptr<repo> repo_;
  std::optional<otter::pid> master_;
};

/// The instant the harness's clock starts from.
inline constexpr timestamp harness_epoch = from_millis(1'700'000'000'000);

}  // namespace notifier::testing
