// End-to-end: the real notifier binary over loopback HTTP, on SQLite: the API's
// flow and its auth failures, webhooks (signed, retried), and recovery after
// kill -9.
//
// These tests run in real time: they wait for reminders with deadlines
// (eventually()), never with fixed sleeps, and use short intervals (hundreds of
// milliseconds).

#include "notifier/domain/signature.hpp"
#include "notifier/store/open_store.hpp"

#include "support/http_test_client.hpp"
#include "support/service_harness.hpp"
#include "support/webhook_receiver.hpp"

#include "e2e/notifier_process.hpp"
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>

namespace notifier::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

/// Checks `done` until it holds or `limit` passes (the service works in real
/// time here).
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

class EndToEndTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (!notifier_binary_available()) {
      GTEST_SKIP() << "NOTIFIER_BINARY is not set (run through ctest)";
    }
  }
  void TearDown() override {
    if (HasFailure() && node_) {
      std::fprintf(stderr, "notifier output:\n%s\n", node_->output().c_str());
    }
  }

  void start(const std::string& interval = "300ms") {
    node_ = std::make_unique<notifier_process>(std::vector<std::string>{
        "--db", "sqlite:" + db_, "--interval", interval, "--log-level", "warn"});
  }

  /// A new user: its token (and webhook secret, when it has a URL).
  std::pair<std::string, std::string> add_user(const std::string& name,
                                               std::optional<std::string> url = std::nullopt) {
    http_test_client c(node_->port());
    json body{{"name", name}};
    if (url) {
      body["webhook_url"] = *url;
    }
    http_response r = c.request("POST", "/users", body.dump(), notifier_process::admin_token);
    EXPECT_EQ(r.status, 201U) << r.body;
    return {r.json.value("token", ""), r.json.value("webhook_secret", "")};
  }

  json notifications_of(const std::string& token, std::int64_t task) {
    http_test_client c(node_->port());
    http_response r =
        c.request("GET", "/tasks/" + std::to_string(task) + "/notifications?limit=500", {}, token);
    EXPECT_EQ(r.status, 200U) << r.body;
    return r.json["notifications"];
  }

  temp_dir dir_;
  std::string db_ = (dir_.path() / "notifier.db").string();
  std::unique_ptr<notifier_process> node_;
};

TEST_F(EndToEndTest, CreateListNotifyCompleteAndAuthFailures) {
  start("1h");  // no scheduled reminder during the test: only "notify now"
  auto [ada, ada_secret] = add_user("ada");
  auto [bob, bob_secret] = add_user("bob");
  http_test_client c(node_->port());

  http_response created = c.request("POST", "/tasks", R"({"title":"Pay rent"})", ada);
  ASSERT_EQ(created.status, 201U) << created.body;
  const std::int64_t id = created.json["id"];
  EXPECT_EQ(created.json["status"], "open");

  http_response list = c.request("GET", "/tasks", {}, ada);
  ASSERT_EQ(list.status, 200U);
  ASSERT_EQ(list.json["tasks"].size(), 1U);
  EXPECT_EQ(list.json["tasks"][0]["title"], "Pay rent");
  EXPECT_EQ(c.request("GET", "/tasks/" + std::to_string(id), {}, ada).status, 200U);

  // Another user's task does not exist for bob; a wrong or missing token is
  // 401.
  EXPECT_EQ(c.request("GET", "/tasks/" + std::to_string(id), {}, bob).status, 404U);
  EXPECT_EQ(c.request("POST", "/tasks/" + std::to_string(id) + "/complete", {}, bob).status, 404U);
  EXPECT_TRUE(c.request("GET", "/tasks", {}, bob).json["tasks"].empty());
  EXPECT_EQ(c.request("GET", "/tasks", {}, "not-a-token").status, 401U);
  EXPECT_EQ(c.request("GET", "/tasks").status, 401U);
  EXPECT_EQ(c.request("POST", "/users", R"({"name":"eve"})", ada).status, 401U);
  EXPECT_EQ(c.request("POST", "/tasks", R"({"title":)", ada).status, 400U);

  http_response now = c.request("POST", "/tasks/" + std::to_string(id) + "/notify", {}, ada);
  EXPECT_EQ(now.status, 202U) << now.body;
  json sent;
  ASSERT_TRUE(eventually([&] {
    sent = notifications_of(ada, id);
    return sent.size() == 1 && !sent[0]["delivered_at"].is_null();
  })) << sent.dump();
  EXPECT_EQ(sent[0]["channel"], "log");

  http_response done = c.request("POST", "/tasks/" + std::to_string(id) + "/complete", {}, ada);
  ASSERT_EQ(done.status, 200U) << done.body;
  EXPECT_EQ(done.json["status"], "completed");
  EXPECT_EQ(c.request("POST", "/tasks/" + std::to_string(id) + "/complete", {}, ada).status, 409U);
  EXPECT_EQ(c.request("POST", "/tasks/" + std::to_string(id) + "/notify", {}, ada).status, 409U);
  http_response health = c.request("GET", "/health");
  EXPECT_EQ(health.status, 200U);
  EXPECT_EQ(health.json["workers"], 0);
  EXPECT_EQ(node_->stop(), 0);
}

TEST_F(EndToEndTest, RemindsEveryIntervalUntilCompleted) {
  start("300ms");
  auto [token, secret] = add_user("ada");
  http_test_client c(node_->port());
  const std::int64_t id = c.request("POST", "/tasks", R"({"title":"Stretch"})", token).json["id"];
  ASSERT_TRUE(eventually([&] { return notifications_of(token, id).size() >= 3; }));
  ASSERT_EQ(c.request("POST", "/tasks/" + std::to_string(id) + "/complete", {}, token).status,
            200U);
  const std::size_t at_completion = notifications_of(token, id).size();
  // A reminder committed just before the completion may still land; none after
  // that.
  std::this_thread::sleep_for(1s);
  EXPECT_LE(notifications_of(token, id).size(), at_completion + 1);
}

TEST_F(EndToEndTest, WebhookIsSignedAndRetriedUntilDelivered) {
  test_support::webhook_receiver rx;
  rx.script(
      {{.status = 503, .body = {}, .hang = false}, {.status = 200, .body = {}, .hang = false}});
  start("1h");
  auto [token, secret] = add_user("hooked", rx.url("/hook"));
  http_test_client c(node_->port());
  const std::int64_t id = c.request("POST", "/tasks", R"({"title":"Ship it"})", token).json["id"];
  ASSERT_EQ(c.request("POST", "/tasks/" + std::to_string(id) + "/notify", {}, token).status, 202U);
  ASSERT_TRUE(rx.wait_for_requests(2, 30s));
  const auto requests = rx.requests();
  for (const auto& r : requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hook");
    EXPECT_TRUE(verify_webhook_signature(secret, r.body, r.header("X-Otter-Signature")))
        << r.header("X-Otter-Signature");
    EXPECT_EQ(json::parse(r.body)["task"]["id"], id);
  }
  EXPECT_EQ(requests[0].header("X-Otter-Notification"), requests[1].header("X-Otter-Notification"));
  json sent;
  ASSERT_TRUE(eventually([&] {
    sent = notifications_of(token, id);
    return sent.size() == 1 && !sent[0]["delivered_at"].is_null();
  })) << sent.dump();
  EXPECT_EQ(sent[0]["channel"], "webhook");
  EXPECT_EQ(sent[0]["attempts"], 2);
}

TEST_F(EndToEndTest, AfterKillNineEveryOpenTaskHasOneWorkerAndNothingIsLost) {
  test_support::webhook_receiver rx;
  rx.set_default_reply({.status = 500, .body = {}, .hang = false});  // nothing gets delivered
  start("400ms");
  auto [logged, s1] = add_user("logged");
  auto [hooked, s2] = add_user("hooked", rx.url("/hook"));
  http_test_client c(node_->port());
  std::vector<std::int64_t> log_tasks, hook_tasks;
  for (int i = 0; i < 5; ++i) {
    log_tasks.push_back(c.request("POST", "/tasks", R"({"title":"log"})", logged).json["id"]);
    hook_tasks.push_back(c.request("POST", "/tasks", R"({"title":"hook"})", hooked).json["id"]);
  }
  const std::int64_t done = c.request("POST", "/tasks", R"({"title":"done"})", logged).json["id"];
  ASSERT_EQ(c.request("POST", "/tasks/" + std::to_string(done) + "/complete", {}, logged).status,
            200U);
  // Undelivered webhook reminders pile up in the outbox.
  ASSERT_TRUE(eventually([&] { return notifications_of(hooked, hook_tasks[0]).size() >= 2; }));
  node_->kill();

  // The receiver recovers; the restarted node delivers what was left
  // undelivered.
  rx.set_default_reply({.status = 200, .body = {}, .hang = false});
  start("400ms");
  http_test_client c2(node_->port());
  http_response health = c2.request("GET", "/health");
  ASSERT_EQ(health.status, 200U);
  ASSERT_TRUE(eventually([&] {
    return http_test_client(node_->port()).request("GET", "/health").json["workers"] == 10;
  }));
  for (std::int64_t id : hook_tasks) {
    ASSERT_TRUE(eventually([&] {
      json sent = notifications_of(hooked, id);
      for (const json& n : sent) {
        if (n["delivered_at"].is_null()) {
          return false;
        }
      }
      return !sent.empty();
    })) << "task "
        << id;
  }
  node_->stop();

  // No task was reminded twice within one interval, across the crash included
  // (all reminders here are scheduled; a late timer may bring the next one
  // closer by its lateness, never by half an interval); the completed task has
  // no worker and was never reminded.
  auto db = open_store("sqlite:" + db_);
  ASSERT_TRUE(db.has_value());
  auto open = (*db)->open_tasks(task_id{}, 100);
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->size(), 10U);
  for (const task& t : *open) {
    EXPECT_NE(t.id.value, done);
    auto sent = (*db)->list_notifications(t.user, t.id, notification_id{}, 1000);
    ASSERT_TRUE(sent.has_value());
    EXPECT_FALSE(sent->empty()) << "task " << t.id.value;
    for (std::size_t i = 1; i < sent->size(); ++i) {
      EXPECT_GE((*sent)[i].created_at - (*sent)[i - 1].created_at, 200ms)
          << "task " << t.id.value << " reminded twice within one interval";
    }
  }
}

TEST_F(EndToEndTest, BadCommandLineIsRefusedWithAClearMessage) {
  EXPECT_THROW(notifier_process({"--interval", "soon"}), std::runtime_error);
  try {
    notifier_process bad({"--db", "postgres://127.0.0.1:1/none?connect_timeout=2"});
    FAIL() << "started against an unreachable database";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace notifier::testing
