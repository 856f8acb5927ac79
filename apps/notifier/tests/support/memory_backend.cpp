#include "support/memory_backend.hpp"

#include "notifier/domain/payload.hpp"
#include "notifier/domain/token.hpp"

#include <utility>

namespace notifier::testing {

memory_backend::memory_backend(std::chrono::milliseconds interval)
    : interval_(interval), now_(from_millis(1'700'000'000'000)) {}

otter::co<std::optional<store_error>> memory_backend::enter(std::string_view call) {
  hook h;
  {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.emplace_back(call);
    h = hook_;
  }
  // `h` lives in this frame while the hook's coroutine runs (the lambda-coroutine rule).
  if (h) {
    co_await h(call);
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<store_error> down;
  if (!available_) {
    down.emplace();
    down->code = store_errc::unavailable;
    down->message = "memory_backend: store marked unavailable";
  }
  co_return down;
}

store_result<task> memory_backend::owned_task(user_id owner, task_id id) const {
  auto it = tasks_.find(id);
  if (it == tasks_.end() || it->second.user != owner) {
    return store_failure(store_errc::not_found, "no such task");
  }
  return it->second;
}

otter::co<store_result<created_user>> memory_backend::create_user(api::user_draft draft) {
  if (auto down = co_await enter("create_user")) {
    co_return otter::unexpected<store_error>(std::move(*down));
  }
  std::lock_guard<std::mutex> lock(mu_);
  new_user nu;
  nu.name = std::move(draft.name);
  nu.webhook_url = std::move(draft.webhook_url);
  nu.created_at = now_;
  if (auto why = validate(nu)) {
    co_return store_failure(store_errc::invalid, *why);
  }
  created_user out;
  out.token = generate_token();
  out.user.id = user_id{next_user_++};
  out.user.name = std::move(nu.name);
  out.user.webhook_url = std::move(nu.webhook_url);
  out.user.token_hash = hash_token(out.token);
  out.user.webhook_secret = generate_secret();
  out.user.created_at = now_;
  users_.emplace(out.user.id, out.user);
  by_token_hash_.emplace(out.user.token_hash, out.user.id);
  co_return out;
}

otter::co<store_result<user>> memory_backend::authenticate(std::string token) {
  if (auto down = co_await enter("authenticate")) {
    co_return otter::unexpected<store_error>(std::move(*down));
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_token_hash_.find(hash_token(token));
  if (it == by_token_hash_.end()) {
    co_return store_failure(store_errc::not_found, "no user has this token");
  }
  co_return users_.at(it->second);
}

otter::co<store_result<std::vector<task>>> memory_backend::list_tasks(user_id owner, task_id after,
                                                                      std::size_t limit) {
  if (auto down = co_await enter("list_tasks")) {
    co_return otter::unexpected<store_error>(std::move(*down));
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<task> out;
  for (auto it = tasks_.upper_bound(after); it != tasks_.end() && out.size() < limit; ++it) {
    if (it->second.user == owner) {
      out.push_back(it->second);
    }
  }
  co_return out;
}

otter::co<store_result<task>> memory_backend::create_task(user_id owner, api::task_draft draft) {
  if (auto down = co_await enter("create_task")) {
    co_return otter::unexpected<store_error>(std::move(*down));
  }
  std::lock_guard<std::mutex> lock(mu_);
  new_task nt;
  nt.title = std::move(draft.title);
  nt.details = std::move(draft.details);
  nt.created_at = now_;
  nt.first_notify_at = now_ + interval_;
  if (auto why = validate(nt)) {
    co_return store_failure(store_errc::invalid, *why);
  }
  if (users_.count(owner) == 0) {
    co_return store_failure(store_errc::not_found, "no such user");
  }
  task t;
  t.id = task_id{next_task_++};
  t.user = owner;
  t.title = std::move(nt.title);
  t.details = std::move(nt.details);
  t.created_at = nt.created_at;
  t.next_notify_at = nt.first_notify_at;
  tasks_.emplace(t.id, t);
  co_return t;
}

otter::co<store_result<task>> memory_backend::find_task(user_id owner, task_id id) {
  if (auto down = co_await enter("find_task")) {
    co_return otter::unexpected<store_error>(std::move(*down));
  }
  std::lock_guard<std::mutex> lock(mu_);
  co_return owned_task(owner, id);
}

otter::co<store_result<task>> memory_backend::complete_task(user_id owner, task_id id) {
  if (auto down = co_await enter("complete_task")) {
    co_return otter::unexpected<store_error>(std::move(*down));
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto found = owned_task(owner, id);
  if (!found) {
    co_return found;
  }
  task& t = tasks_.at(id);
  if (t.status == task_status::completed) {
    co_return store_failure(store_errc::conflict, "the task is completed already");
  }
  t.status = task_status::completed;
  t.completed_at = now_;
  co_return t;
}

otter::co<store_result<task>> memory_backend::notify_now(user_id owner, task_id id) {
  if (auto down = co_await enter("notify_now")) {
    co_return otter::unexpected<store_error>(std::move(*down));
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto found = owned_task(owner, id);
  if (!found) {
    co_return found;
  }
  if (found->status == task_status::completed) {
    co_return store_failure(store_errc::conflict, "the task is completed");
  }
  notification n;
  n.id = notification_id{next_notification_++};
  n.task = id;
  n.user = owner;
  n.channel = channel_for(users_.at(owner));
  n.payload = reminder_payload(*found, reminder_reason::requested, now_);
  n.created_at = now_;
  notifications_.emplace(n.id, std::move(n));
  co_return found;
}

otter::co<store_result<std::vector<notification>>> memory_backend::list_notifications(
    user_id owner, task_id id, notification_id after, std::size_t limit) {
  if (auto down = co_await enter("list_notifications")) {
    co_return otter::unexpected<store_error>(std::move(*down));
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto found = owned_task(owner, id);
  if (!found) {
    co_return otter::unexpected<store_error>(found.error());
  }
  std::vector<notification> out;
  for (auto it = notifications_.upper_bound(after);
       it != notifications_.end() && out.size() < limit; ++it) {
    if (it->second.task == id) {
      out.push_back(it->second);
    }
  }
  co_return out;
}

otter::co<api::health_report> memory_backend::health() {
  (void)co_await enter("health");
  std::lock_guard<std::mutex> lock(mu_);
  api::health_report r;
  r.store_ok = available_;
  r.store_detail = available_ ? "" : "memory_backend: store marked unavailable";
  for (const auto& [id, t] : tasks_) {
    r.workers += t.status == task_status::open ? 1 : 0;
  }
  co_return r;
}

void memory_backend::set_now(timestamp now) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ = now;
}

void memory_backend::set_available(bool available) {
  std::lock_guard<std::mutex> lock(mu_);
  available_ = available;
}

void memory_backend::set_hook(hook h) {
  std::lock_guard<std::mutex> lock(mu_);
  hook_ = std::move(h);
}

std::size_t memory_backend::user_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return users_.size();
}

std::size_t memory_backend::task_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tasks_.size();
}

std::size_t memory_backend::notification_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return notifications_.size();
}

std::vector<std::string> memory_backend::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

}  // namespace notifier::testing
