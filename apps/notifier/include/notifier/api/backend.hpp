// notifier/api/backend.hpp: what the HTTP API asks of the service.
//
// The HTTP layer (notifier/http/server.hpp) parses and authenticates requests, calls one of
// these functions inside an Otter process (one process per request), and turns the result into
// a response: a value into 200/201 with JSON, a store_error into its status (store_error.hpp:
// not_found 404, conflict 409, invalid 400, unavailable 503, internal 500). The service
// (notifier/service/backend.hpp) implements it on the store and the task workers; the API's
// tests implement it in memory.
//
// Every call is scoped: a user's calls take the authenticated user's id and never see another
// user's rows. Times (created_at, first_notify_at, completed_at) are the backend's to choose,
// from its clock and its notification interval.
//
// Thread safety: calls come from many processes at once; implementations are @threadsafe.

#pragma once

#include "notifier/domain/ids.hpp"
#include "notifier/domain/notification.hpp"
#include "notifier/domain/task.hpp"
#include "notifier/domain/user.hpp"
#include "notifier/store/store_error.hpp"
#include "otter/core/co.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace notifier::api {

/// A user to create (POST /users).
struct user_draft {
  std::string name{};
  std::optional<std::string> webhook_url{};
};

/// A task to create (POST /tasks).
struct task_draft {
  std::string title{};
  std::optional<std::string> details{};
};

/// GET /health.
struct health_report {
  bool store_ok = false;
  std::string store_detail{};  // the store's error when !store_ok, for operators
  std::size_t workers = 0;     // task workers running
};

class backend {
public:
  backend() = default;
  backend(const backend&) = delete;
  backend& operator=(const backend&) = delete;
  virtual ~backend() = default;

  /// Creates a user and returns it with its API token (shown once). invalid per validate().
  virtual otter::co<store_result<created_user>> create_user(user_draft draft) = 0;
  /// The user whose API token is `token`; not_found for an unknown token.
  virtual otter::co<store_result<user>> authenticate(std::string token) = 0;

  /// A page of `owner`'s tasks with ids greater than `after`, in id order.
  virtual otter::co<store_result<std::vector<task>>> list_tasks(user_id owner, task_id after,
                                                                std::size_t limit) = 0;
  /// Creates an open task and starts its worker.
  virtual otter::co<store_result<task>> create_task(user_id owner, task_draft draft) = 0;
  virtual otter::co<store_result<task>> find_task(user_id owner, task_id id) = 0;
  /// Completes the task and stops its worker; conflict when it is completed already.
  virtual otter::co<store_result<task>> complete_task(user_id owner, task_id id) = 0;
  /// Asks the task's worker to notify at once (the reminder is sent asynchronously); conflict
  /// when the task is completed.
  virtual otter::co<store_result<task>> notify_now(user_id owner, task_id id) = 0;
  /// A page of the task's notifications with ids greater than `after`, in id order.
  virtual otter::co<store_result<std::vector<notification>>> list_notifications(
      user_id owner, task_id id, notification_id after, std::size_t limit) = 0;

  virtual otter::co<health_report> health() = 0;
};

}  // namespace notifier::api
