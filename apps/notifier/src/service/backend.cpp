#include "notifier/service/backend.hpp"

#include "notifier/service/repo.hpp"
#include "notifier/service/task_worker.hpp"
#include "otter/otp/dynamic_supervisor.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace notifier {

otter::co<store_result<created_user>> service_backend::create_user(api::user_draft draft) {
  new_user u{.name = std::move(draft.name),
             .webhook_url = std::move(draft.webhook_url),
             .created_at = env_.now()};
  auto create = [&u](store& s) {
    return s.create_user(u);
  };
  co_return co_await env_.repo->run(create);
}

otter::co<store_result<user>> service_backend::authenticate(std::string token) {
  auto find = [&token](store& s) {
    return s.user_by_token(token);
  };
  co_return co_await env_.repo->run(find);
}

otter::co<store_result<std::vector<task>>> service_backend::list_tasks(user_id owner, task_id after,
                                                                       std::size_t limit) {
  auto list = [owner, after, limit](store& s) {
    return s.list_tasks(owner, after, limit);
  };
  co_return co_await env_.repo->run(list);
}

otter::co<store_result<task>> service_backend::create_task(user_id owner, api::task_draft draft) {
  const timestamp now = env_.now();
  new_task t{.title = std::move(draft.title),
             .details = std::move(draft.details),
             .created_at = now,
             .first_notify_at = now + env_.config.interval};
  auto create = [owner, &t](store& s) {
    return s.create_task(owner, t);
  };
  store_result<task> created = co_await env_.repo->run(create);
  if (created) {
    task_worker::start_point p{.task = created->id, .user = owner, .due = created->next_notify_at};
    otter::start_result w = co_await task_worker::start(env_, p);
    if (!w) {
      // The task is stored: the next start of the service starts its worker.
      spdlog::error("no worker for new task {}: {}", created->id.value,
                    w.error().reason.to_string());
    }
  }
  co_return created;
}

otter::co<store_result<task>> service_backend::find_task(user_id owner, task_id id) {
  auto find = [owner, id](store& s) {
    return s.find_task(owner, id);
  };
  co_return co_await env_.repo->run(find);
}

otter::co<store_result<task>> service_backend::complete_task(user_id owner, task_id id) {
  const timestamp now = env_.now();
  auto complete = [owner, id, now](store& s) {
    return s.complete_task(owner, id, now);
  };
  store_result<task> done = co_await env_.repo->run(complete);
  if (done) {
    otter::expected<void> stopped = co_await task_worker::stop(env_, id);
    if (!stopped) {
      // It stops by itself at its next check (it finds the task completed).
      spdlog::warn("worker of completed task {} not stopped: {}", id.value,
                   stopped.error().reason.to_string());
    }
  }
  co_return done;
}

otter::co<store_result<task>> service_backend::notify_now(user_id owner, task_id id) {
  store_result<task> t = co_await find_task(owner, id);
  if (!t) {
    co_return t;
  }
  if (t->status == task_status::completed) {
    co_return store_failure(store_errc::conflict, "task is completed");
  }
  if (!task_worker::notify_now(env_, id)) {
    task_worker::start_point p{.task = id, .user = owner, .due = t->next_notify_at};
    otter::start_result w = co_await task_worker::start(env_, p);
    if (!w || !task_worker::notify_now(env_, id)) {
      co_return store_failure(store_errc::unavailable, "the task's worker is not running");
    }
  }
  co_return t;
}

otter::co<store_result<std::vector<notification>>> service_backend::list_notifications(
    user_id owner, task_id id, notification_id after, std::size_t limit) {
  auto list = [owner, id, after, limit](store& s) {
    return s.list_notifications(owner, id, after, limit);
  };
  co_return co_await env_.repo->run(list);
}

otter::co<api::health_report> service_backend::health() {
  api::health_report report;
  // A lookup of a user that cannot exist: not_found proves that the store answers.
  auto probe = [](store& s) {
    return s.user_by_id(user_id{0});
  };
  store_result<user> r = co_await env_.repo->run(probe);
  report.store_ok = r.has_value() || r.error().code == store_errc::not_found;
  if (!report.store_ok) {
    report.store_detail = r.error().message;
  }
  auto counts =
      co_await otter::dynamic_supervisor::count_children(otter::server_ref(env_.names.tasks));
  report.workers = static_cast<std::size_t>(counts.active);
  co_return report;
}

}  // namespace notifier
