#include "support/service_harness.hpp"

#include "notifier/store/sqlite_store.hpp"
#include "otter/otp/dynamic_supervisor.hpp"

#include "store/store_test_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

namespace notifier::testing {
namespace {

std::unique_ptr<store> open_or_throw(const std::string& path) {
  sqlite_options opts;
  opts.path = path;
  opts.synchronous_full = false;  // tests do not survive power failures
  auto s = open_sqlite_store(std::move(opts));
  if (!s) {
    throw std::runtime_error("cannot open " + path + ": " + s.error().message);
  }
  return std::move(*s);
}

std::atomic<int> next_service{0};

}  // namespace

service_harness::service_harness(otter::runtime& runtime, service_config config,
                                 std::string db_path)
    : rt(runtime) {
  if (db_path.empty()) {
    dir_ = std::make_unique<temp_dir>();
    db_path = (dir_->path() / "notifier.db").string();
  }
  db_path_ = db_path;
  db_ = open_or_throw(db_path_);
  must(db_->migrate());
  repo_ = std::make_unique<repo>([this]() -> store_result<std::unique_ptr<store>> {
    return std::unique_ptr<store>(std::make_unique<flaky_store>(open_or_throw(db_path_), fault));
  });
  config.name = "Notifier" + std::to_string(next_service.fetch_add(1));
  env.config = config;
  env.names = service_names::under(config.name);
  env.repo = repo_.get();
  env.boot = &boot;
  otter::runtime* r = &rt;
  env.now = [r] {
    return harness_epoch + std::chrono::milliseconds(r->now_ms());
  };
  // Webhooks: no poster by default (the deterministic runtime cannot take messages from I/O
  // threads); a test that needs them sets env.delivery.post to a fake.
  env.delivery.now = env.now;
  env.delivery.webhook = config.webhook;
}

service_harness::~service_harness() {
  if (running()) {
    stop();
  }
}

void service_harness::start() {
  boot.workers_started = 0;
  boot.workers_done = false;
  boot.redelivered = 0;
  boot.done = false;
  master_ = application::start_master(rt, env, nullptr);
}

void service_harness::stop() {
  if (master_) {
    application::stop_master(rt, *master_);
    master_.reset();
  }
}

user_id service_harness::add_user(std::optional<std::string> webhook_url) {
  new_user u{.name = "user", .webhook_url = std::move(webhook_url), .created_at = now()};
  return must(db_->create_user(u)).user.id;
}

task service_harness::add_task(user_id owner, const std::string& title,
                               std::optional<timestamp> first_due) {
  new_task t{.title = title,
             .details = std::nullopt,
             .created_at = now(),
             .first_notify_at = first_due.value_or(now() + env.config.interval)};
  return must(db_->create_task(owner, t));
}

task service_harness::reload(const task& t) {
  return must(db_->find_task(t.user, t.id));
}

std::vector<notification> service_harness::notifications(const task& t) {
  return must(db_->list_notifications(t.user, t.id, notification_id{}, 1000));
}

std::size_t service_harness::workers() {
  const otter::atom tasks = env.names.tasks;
  return rt.run([tasks]() -> otter::co<std::size_t> {
    auto c = co_await otter::dynamic_supervisor::count_children(otter::server_ref(tasks));
    co_return static_cast<std::size_t>(c.active);
  });
}

timestamp service_harness::now() const {
  return harness_epoch + std::chrono::milliseconds(rt.now_ms());
}

}  // namespace notifier::testing
