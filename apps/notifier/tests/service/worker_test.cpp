// The task workers on the deterministic runtime: the 5-minute cadence, completion, crashes,
// one worker per task, overdue tasks, notify now, a store outage.

#include "notifier/service/backend.hpp"
#include "notifier/service/task_worker.hpp"
#include "notifier/service/writer.hpp"
#include "otter/core/process.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "support/service_harness.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace notifier::testing {
namespace {

using namespace std::chrono_literals;

class WorkerTest : public ::testing::Test {
protected:
  otter::testing::deterministic_runtime rt;

  std::optional<otter::pid> worker_of(service_harness& h, const task& t) {
    const env* e = &h.env;
    const task_id id = t.id;
    return rt.run([e, id]() -> otter::co<std::optional<otter::pid>> {
      co_return task_worker::whereis(*e, id);
    });
  }
  // Waits until the writer has recorded every queued delivery attempt.
  void sync_writer(service_harness& h) {
    const env* e = &h.env;
    EXPECT_TRUE(rt.run([e]() -> otter::co<bool> { co_return co_await writer::sync(*e); }));
  }
};

TEST_F(WorkerTest, BootStartsOneWorkerPerOpenTask) {
  service_harness h(rt);
  user_id u = h.add_user();
  task a = h.add_task(u, "a");
  task b = h.add_task(u, "b");
  task c = h.add_task(u, "c");
  ASSERT_TRUE(h.db().complete_task(u, c.id, h.now()).has_value());
  h.start();
  rt.run_until_idle();
  EXPECT_TRUE(h.boot.done.load());
  EXPECT_EQ(h.boot.workers_started.load(), 2U);
  EXPECT_EQ(h.workers(), 2U);
  EXPECT_TRUE(worker_of(h, a).has_value());
  EXPECT_TRUE(worker_of(h, b).has_value());
  EXPECT_FALSE(worker_of(h, c).has_value());
}

TEST_F(WorkerTest, RemindsOncePerIntervalAndRecordsDelivery) {
  service_harness h(rt);
  user_id u = h.add_user();
  task t = h.add_task(u);  // due in 5 minutes
  h.start();
  rt.advance(4min + 59s);
  EXPECT_TRUE(h.notifications(t).empty());
  rt.advance(1s);
  ASSERT_EQ(h.notifications(t).size(), 1U);
  EXPECT_EQ(h.reload(t).next_notify_at, t.next_notify_at + 5min);
  rt.advance(5min);
  rt.advance(5min);
  sync_writer(h);
  std::vector<notification> sent = h.notifications(t);
  ASSERT_EQ(sent.size(), 3U);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].created_at, t.next_notify_at + 5min * static_cast<int>(i));
    EXPECT_EQ(sent[i].channel, channel::log);
    EXPECT_TRUE(sent[i].delivered_at.has_value());
    EXPECT_EQ(sent[i].attempts, 1);
    EXPECT_NE(sent[i].payload.find("\"reason\":\"scheduled\""), std::string::npos);
  }
}

TEST_F(WorkerTest, CompletingATaskStopsItsWorkerForGood) {
  service_harness h(rt);
  user_id u = h.add_user();
  task t = h.add_task(u);
  h.start();
  rt.run_until_idle();
  service_backend api(h.env);
  store_result<task> done = rt.run(
      [&]() -> otter::co<store_result<task>> { co_return co_await api.complete_task(u, t.id); });
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(h.workers(), 0U);
  rt.advance(30min);
  EXPECT_EQ(h.workers(), 0U);
  EXPECT_TRUE(h.notifications(t).empty());
  store_result<task> again = rt.run(
      [&]() -> otter::co<store_result<task>> { co_return co_await api.complete_task(u, t.id); });
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, store_errc::conflict);
}

TEST_F(WorkerTest, AWorkerFindingItsTaskCompletedStopsNormally) {
  service_harness h(rt);
  user_id u = h.add_user();
  task t = h.add_task(u);
  h.start();
  rt.run_until_idle();
  // Completed behind the service's back (another node, say): the worker sees it when it wakes.
  ASSERT_TRUE(h.db().complete_task(u, t.id, h.now()).has_value());
  EXPECT_EQ(h.workers(), 1U);
  rt.advance(5min);
  EXPECT_EQ(h.workers(), 0U);
  EXPECT_TRUE(h.notifications(t).empty());
}

TEST_F(WorkerTest, ACrashedWorkerIsRestartedAndKeepsTheCadence) {
  service_harness h(rt);
  user_id u = h.add_user();
  task t = h.add_task(u);
  h.start();
  rt.advance(5min);  // first reminder; next due at 10 min
  ASSERT_EQ(h.notifications(t).size(), 1U);
  std::optional<otter::pid> before = worker_of(h, t);
  ASSERT_TRUE(before.has_value());
  rt.advance(1min);
  EXPECT_TRUE(rt.exit(*before, otter::term(otter::atom("boom"))));
  rt.run_until_idle();
  std::optional<otter::pid> after = worker_of(h, t);
  ASSERT_TRUE(after.has_value());
  EXPECT_NE(*after, *before);
  // Restarted from its stale start point (due at 5 min, past): it reloads the task and waits
  // for the stored due time instead of reminding again.
  EXPECT_EQ(h.notifications(t).size(), 1U);
  rt.advance(3min + 59s);
  EXPECT_EQ(h.notifications(t).size(), 1U);
  rt.advance(1s);
  EXPECT_EQ(h.notifications(t).size(), 2U);
}

TEST_F(WorkerTest, ASecondStartForATaskFindsTheFirstWorker) {
  service_harness h(rt);
  user_id u = h.add_user();
  task t = h.add_task(u);
  h.start();
  rt.run_until_idle();
  const env* e = &h.env;
  task_worker::start_point p{.task = t.id, .user = u, .due = t.next_notify_at};
  auto [first, second] = rt.run([e, p]() -> otter::co<std::pair<otter::pid, otter::pid>> {
    otter::start_result a = co_await task_worker::start(*e, p);
    otter::start_result b = co_await task_worker::start(*e, p);
    co_return std::pair{*a, *b};
  });
  EXPECT_EQ(first, second);
  EXPECT_EQ(h.workers(), 1U);
}

TEST_F(WorkerTest, AnOverdueTaskIsRemindedOnceThenTheCadenceResumes) {
  service_harness h(rt);
  user_id u = h.add_user();
  rt.advance(3h);
  task t = h.add_task(u, "late", harness_epoch);  // due 3 hours ago: 36 intervals missed
  h.start();
  rt.run_until_idle();
  std::vector<notification> sent = h.notifications(t);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(h.reload(t).next_notify_at, h.now() + 5min);
  rt.advance(5min);
  EXPECT_EQ(h.notifications(t).size(), 2U);
}

TEST_F(WorkerTest, NotifyNowRemindsAtOnceAndKeepsTheSchedule) {
  service_harness h(rt);
  user_id u = h.add_user();
  task t = h.add_task(u);
  h.start();
  rt.advance(1min);
  service_backend api(h.env);
  store_result<task> r = rt.run(
      [&]() -> otter::co<store_result<task>> { co_return co_await api.notify_now(u, t.id); });
  ASSERT_TRUE(r.has_value());
  rt.run_until_idle();
  std::vector<notification> sent = h.notifications(t);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_NE(sent[0].payload.find("\"reason\":\"requested\""), std::string::npos);
  EXPECT_EQ(h.reload(t).next_notify_at, t.next_notify_at);
  rt.advance(4min);
  EXPECT_EQ(h.notifications(t).size(), 2U);
}

TEST_F(WorkerTest, WorkersBackOffWhileTheStoreIsDownAndCatchUpOnce) {
  service_config config;
  config.worker_max_restarts = 3;  // a crash per worker would exceed it: there must be none
  service_harness h(rt, config);
  user_id u = h.add_user();
  std::vector<task> tasks;
  for (int i = 0; i < 5; ++i) {
    tasks.push_back(h.add_task(u));
  }
  h.start();
  rt.run_until_idle();
  std::vector<otter::pid> before;
  for (const task& t : tasks) {
    before.push_back(*worker_of(h, t));
  }
  h.fault.down = true;
  rt.advance(20min);  // four intervals with the store down
  EXPECT_GT(h.fault.refused.load(), 10);
  h.fault.down = false;
  rt.advance(1min);  // the backoff is at most 30 s
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    EXPECT_EQ(worker_of(h, tasks[i]), before[i]) << "worker " << i << " was restarted";
    EXPECT_EQ(h.notifications(tasks[i]).size(), 1U) << "task " << i;
  }
}

TEST_F(WorkerTest, AWebhookReminderIsRetriedWithBackoffAndEachAttemptRecorded) {
  service_config config;
  config.webhook.backoff.initial = 2s;
  config.webhook.backoff.jitter = 0;
  service_harness h(rt, config);
  // The receiver fails once, then accepts: the delivery retries after the backoff (virtual
  // time), and both attempts end up in the store.
  auto calls = std::make_shared<std::vector<std::pair<std::int64_t, std::string>>>();
  otter::runtime* r = &rt;
  h.env.delivery.post = [calls, r](http::http_request req) -> otter::co<http::http_result> {
    calls->emplace_back(r->now_ms(), req.url);
    http::http_response answer{.status = calls->size() == 1 ? 503 : 200, .body = {}};
    co_return http::http_result(answer);
  };
  user_id u = h.add_user("https://example.com/hook");
  task t = h.add_task(u);
  h.start();
  rt.advance(5min);
  rt.advance(2s);
  sync_writer(h);
  ASSERT_EQ(calls->size(), 2U);
  EXPECT_EQ((*calls)[1].first - (*calls)[0].first, 2000);
  EXPECT_EQ((*calls)[0].second, "https://example.com/hook");
  std::vector<notification> sent = h.notifications(t);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].channel, channel::webhook);
  EXPECT_EQ(sent[0].attempts, 2);
  EXPECT_TRUE(sent[0].delivered_at.has_value());
  auto attempts = h.db().list_attempts(sent[0].id);
  ASSERT_TRUE(attempts.has_value());
  ASSERT_EQ(attempts->size(), 2U);
  EXPECT_EQ((*attempts)[0].outcome, attempt_outcome::failed);
  EXPECT_EQ((*attempts)[0].detail, "HTTP 503");
  EXPECT_EQ((*attempts)[1].outcome, attempt_outcome::delivered);
}

TEST_F(WorkerTest, UndeliveredRemindersAreDeliveredAgainAtTheNextStart) {
  service_harness h(rt);
  auto up = std::make_shared<bool>(false);
  h.env.delivery.post = [up](http::http_request) -> otter::co<http::http_result> {
    http::http_response answer{.status = *up ? 200 : 500, .body = {}};
    co_return http::http_result(answer);
  };
  user_id u = h.add_user("https://example.com/hook");
  task t = h.add_task(u);
  h.start();
  rt.advance(5min);
  rt.advance(10min);  // every retry of the first reminder fails; a second reminder too
  sync_writer(h);
  h.stop();
  std::vector<notification> before = h.notifications(t);
  ASSERT_FALSE(before.empty());
  for (const notification& n : before) {
    EXPECT_FALSE(n.delivered_at.has_value());
  }
  *up = true;
  h.start();
  rt.run_until_idle();
  sync_writer(h);
  EXPECT_EQ(h.boot.redelivered.load(), before.size());
  for (const notification& n : h.notifications(t)) {
    EXPECT_TRUE(n.delivered_at.has_value()) << "notification " << n.id.value;
  }
}

TEST_F(WorkerTest, ARestartedServiceNeitherSkipsNorRepeatsReminders) {
  service_harness h(rt);
  user_id u = h.add_user();
  task t = h.add_task(u);
  h.start();
  rt.advance(5min);
  ASSERT_EQ(h.notifications(t).size(), 1U);
  h.stop();
  rt.advance(2min);  // down for a while, less than an interval
  h.start();
  rt.run_until_idle();
  EXPECT_EQ(h.notifications(t).size(), 1U);
  rt.advance(3min);
  EXPECT_EQ(h.notifications(t).size(), 2U);
}

}  // namespace
}  // namespace notifier::testing
