// tests/support/flaky_store.hpp: a store that can be made to fail, for tests of what the
// service does while its store is down.
//
// Every call is forwarded to the wrapped store, unless `down` is set: then it fails with
// store_errc::unavailable without reaching the store (as a lost connection does), and counts
// the refusal.

#pragma once

#include "notifier/store/store.hpp"

#include <atomic>
#include <memory>

namespace notifier::testing {

struct outage {
  std::atomic<bool> down{false};
  std::atomic<int> refused{0};
};

class flaky_store final : public store {
public:
  flaky_store(std::unique_ptr<store> inner, outage& o) : inner_(std::move(inner)), outage_(o) {}

  store_result<int> migrate() override {
    return pass([&] { return inner_->migrate(); });
  }
  store_result<created_user> create_user(const new_user& u) override {
    return pass([&] { return inner_->create_user(u); });
  }
  store_result<user> user_by_token(std::string_view token) override {
    return pass([&] { return inner_->user_by_token(token); });
  }
  store_result<user> user_by_id(user_id id) override {
    return pass([&] { return inner_->user_by_id(id); });
  }
  store_result<std::vector<user>> find_users(std::span<const user_id> ids) override {
    return pass([&] { return inner_->find_users(ids); });
  }
  store_result<task> create_task(user_id owner, const new_task& t) override {
    return pass([&] { return inner_->create_task(owner, t); });
  }
  store_result<std::size_t> create_tasks(user_id owner, std::span<const new_task> t) override {
    return pass([&] { return inner_->create_tasks(owner, t); });
  }
  store_result<task> find_task(user_id owner, task_id id) override {
    return pass([&] { return inner_->find_task(owner, id); });
  }
  store_result<std::vector<task>> list_tasks(user_id owner, task_id after,
                                             std::size_t limit) override {
    return pass([&] { return inner_->list_tasks(owner, after, limit); });
  }
  store_result<task> complete_task(user_id owner, task_id id, timestamp at) override {
    return pass([&] { return inner_->complete_task(owner, id, at); });
  }
  store_result<std::vector<task>> find_tasks(std::span<const task_id> ids) override {
    return pass([&] { return inner_->find_tasks(ids); });
  }
  store_result<std::vector<task>> open_tasks(task_id after, std::size_t limit) override {
    return pass([&] { return inner_->open_tasks(after, limit); });
  }
  store_result<std::vector<task>> due_tasks(timestamp now, std::size_t limit) override {
    return pass([&] { return inner_->due_tasks(now, limit); });
  }
  store_result<std::size_t> set_next_notify_at(std::span<const schedule_update> u) override {
    return pass([&] { return inner_->set_next_notify_at(u); });
  }
  store_result<std::vector<notification_id>> enqueue(
      std::span<const new_notification> entries) override {
    return pass([&] { return inner_->enqueue(entries); });
  }
  store_result<std::size_t> mark_delivered(std::span<const delivery_mark> marks) override {
    return pass([&] { return inner_->mark_delivered(marks); });
  }
  store_result<std::vector<notification>> undelivered(notification_id after,
                                                      std::size_t limit) override {
    return pass([&] { return inner_->undelivered(after, limit); });
  }
  store_result<std::vector<attempt_id>> record_attempts(
      std::span<const new_attempt> attempts) override {
    return pass([&] { return inner_->record_attempts(attempts); });
  }
  store_result<std::vector<notification>> list_notifications(user_id owner, task_id t,
                                                             notification_id after,
                                                             std::size_t limit) override {
    return pass([&] { return inner_->list_notifications(owner, t, after, limit); });
  }
  store_result<std::vector<delivery_attempt>> list_attempts(notification_id id) override {
    return pass([&] { return inner_->list_attempts(id); });
  }

private:
  template <class F>
  auto pass(F f) -> decltype(f()) {
    if (outage_.down.load()) {
      outage_.refused.fetch_add(1);
      return store_failure(store_errc::unavailable, "store is down (test outage)");
    }
    return f();
  }

  std::unique_ptr<store> inner_;
  outage& outage_;
};

}  // namespace notifier::testing
