// An in-memory api::backend for tests: users, tasks and notifications in maps behind one
// mutex, with the store's rules (validate(), owner scoping, conflict on completing twice).
//
//   notifier::testing::memory_backend backend;
//   notifier::http_server server(rt, io, backend, {.admin_token = "admin"});
//
// Times come from a settable clock (fixed by default, so that answers are reproducible); a new
// task's first notification is due one interval after its creation. notify_now() appends a
// notification at once (the real service queues it for the task's worker), so that tests can
// list notifications without workers.
//
// Fault injection, for the HTTP tests: set_available(false) makes every call fail with
// store_errc::unavailable (and health() report the store down); set_hook() installs a
// coroutine awaited at the start of every call, which may suspend (a slow store) or throw (a
// bug). Neither is a real store's behaviour to copy; they are seams.
//
// Thread safety: @threadsafe (one mutex, never held across a co_await).

#pragma once

#include "notifier/api/backend.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace notifier::testing {

class memory_backend final : public api::backend {
public:
  /// Awaited at the start of each call with the call's name ("create_user", "authenticate",
  /// "list_tasks", "create_task", "find_task", "complete_task", "notify_now",
  /// "list_notifications", "health"). Runs in the calling request process.
  using hook = std::function<otter::co<void>(std::string_view call)>;

  explicit memory_backend(std::chrono::milliseconds interval = std::chrono::minutes(5));

  // -- api::backend ---------------------------------------------------------------------------
  otter::co<store_result<created_user>> create_user(api::user_draft draft) override;
  otter::co<store_result<user>> authenticate(std::string token) override;
  otter::co<store_result<std::vector<task>>> list_tasks(user_id owner, task_id after,
                                                        std::size_t limit) override;
  otter::co<store_result<task>> create_task(user_id owner, api::task_draft draft) override;
  otter::co<store_result<task>> find_task(user_id owner, task_id id) override;
  otter::co<store_result<task>> complete_task(user_id owner, task_id id) override;
  otter::co<store_result<task>> notify_now(user_id owner, task_id id) override;
  otter::co<store_result<std::vector<notification>>> list_notifications(user_id owner, task_id id,
                                                                        notification_id after,
                                                                        std::size_t limit) override;
  otter::co<api::health_report> health() override;

  // -- test controls (any thread) -------------------------------------------------------------
  void set_now(timestamp now);
  void set_available(bool available);
  void set_hook(hook h);

  // -- inspection (any thread) ----------------------------------------------------------------
  [[nodiscard]] std::size_t user_count() const;
  [[nodiscard]] std::size_t task_count() const;
  [[nodiscard]] std::size_t notification_count() const;
  /// Every call made so far, by name (the hook's names), in order.
  [[nodiscard]] std::vector<std::string> calls() const;

private:
  /// Records the call and runs the hook; the unavailable error when the store is "down".
  otter::co<std::optional<store_error>> enter(std::string_view call);
  [[nodiscard]] store_result<task> owned_task(user_id owner, task_id id) const;  // mu_ held

  const std::chrono::milliseconds interval_;

  mutable std::mutex mu_;
  // Protected by mu_.
  timestamp now_;
  bool available_ = true;
  hook hook_;
  std::vector<std::string> calls_;
  std::map<user_id, user> users_;
  std::map<std::string, user_id> by_token_hash_;
  std::map<task_id, task> tasks_;
  std::map<notification_id, notification> notifications_;
  std::int64_t next_user_ = 1;
  std::int64_t next_task_ = 1;
  std::int64_t next_notification_ = 1;
};

}  // namespace notifier::testing
