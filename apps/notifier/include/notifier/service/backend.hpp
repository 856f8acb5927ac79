// notifier/service/backend.hpp: the HTTP API's backend (api/backend.hpp) on the running
// service: the store through the pool, and the task workers.
//
// Creating a task stores it, then starts its worker; completing one stores the completion,
// then stops the worker (terminate_child: the :transient worker is not restarted), so a task
// that the API reports completed has no worker left. "Notify now" checks the task, then casts
// to its worker (starting one first if none runs: a worker that is being restarted, or a
// task created while its start failed). Times come from env.now; a new task is first due one
// interval after its creation.
//
// Thread safety: @threadsafe (each call runs in the calling request's process).

#pragma once

#include "notifier/api/backend.hpp"
#include "notifier/service/env.hpp"

namespace notifier {

class service_backend final : public api::backend {
public:
  /// `e` outlives the backend, and its tree runs while calls are made.
  explicit service_backend(const env& e) : env_(e) {}

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

private:
  const env& env_;
};

}  // namespace notifier
