// Every route's success path, over loopback HTTP against the in-memory backend.

#include "http/server_test_fixture.hpp"

#include <string>

namespace notifier::testing {
namespace {

// The memory backend's clock: 1'700'000'000'000 ms since the epoch.
constexpr const char* backend_now = "2023-11-14T22:13:20.000Z";

TEST_F(HttpServerTest, CreateUserReturnsTheUserWithItsTokenAndWebhookSecret) {
  http_test_client c(server_->port());
  auto r = c.request("POST", "/users", R"({"name":"ada","webhook_url":"https://example.com/hook"})",
                     admin_token);
  ASSERT_EQ(r.status, 201U) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_EQ(r.json["user"]["id"], 1);
  EXPECT_EQ(r.json["user"]["name"], "ada");
  EXPECT_EQ(r.json["user"]["webhook_url"], "https://example.com/hook");
  EXPECT_EQ(r.json["user"]["created_at"], backend_now);
  EXPECT_EQ(r.json["token"].get<std::string>().size(), 64U);
  EXPECT_EQ(r.json["webhook_secret"].get<std::string>().size(), 64U);
  EXPECT_FALSE(r.json["user"].contains("token_hash"));
  EXPECT_FALSE(r.json["user"].contains("webhook_secret"));
  EXPECT_EQ(backend_.user_count(), 1U);

  // The token works at once.
  auto tasks = c.request("GET", "/tasks", "", r.json["token"].get<std::string>());
  EXPECT_EQ(tasks.status, 200U) << tasks.body;
}

TEST_F(HttpServerTest, CreateUserWithoutWebhookUrlHasNull) {
  http_test_client c(server_->port());
  auto r = c.request("POST", "/users", R"({"name":"bob","webhook_url":null})", admin_token);
  ASSERT_EQ(r.status, 201U) << r.body;
  EXPECT_TRUE(r.json["user"]["webhook_url"].is_null());
}

TEST_F(HttpServerTest, CreateTaskReturnsTheTaskAndItsLocation) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  auto r = c.request("POST", "/tasks", R"({"title":"Pay rent","details":"by Friday"})", token);
  ASSERT_EQ(r.status, 201U) << r.body;
  EXPECT_EQ(r.header("Location"), "/tasks/1");
  EXPECT_EQ(r.json["id"], 1);
  EXPECT_EQ(r.json["user_id"], 1);
  EXPECT_EQ(r.json["title"], "Pay rent");
  EXPECT_EQ(r.json["details"], "by Friday");
  EXPECT_EQ(r.json["status"], "open");
  EXPECT_EQ(r.json["created_at"], backend_now);
  EXPECT_TRUE(r.json["completed_at"].is_null());
  EXPECT_EQ(r.json["next_notify_at"], "2023-11-14T22:18:20.000Z");  // 5 minutes later
  EXPECT_EQ(backend_.task_count(), 1U);
}

TEST_F(HttpServerTest, CreateTaskWithoutDetailsHasNull) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  auto r = c.request("POST", "/tasks", R"({"title":"Call mum"})", token);
  ASSERT_EQ(r.status, 201U) << r.body;
  EXPECT_TRUE(r.json["details"].is_null());
}

TEST_F(HttpServerTest, ListTasksReturnsTheCallersTasksInIdOrder) {
  auto token = create_user("ada");
  create_task(token, "one");
  create_task(token, "two");
  http_test_client c(server_->port());
  auto r = c.request("GET", "/tasks", "", token);
  ASSERT_EQ(r.status, 200U) << r.body;
  ASSERT_EQ(r.json["tasks"].size(), 2U);
  EXPECT_EQ(r.json["tasks"][0]["title"], "one");
  EXPECT_EQ(r.json["tasks"][1]["title"], "two");
  EXPECT_TRUE(r.json["next"].is_null());
}

TEST_F(HttpServerTest, ShowTaskReturnsTheTask) {
  auto token = create_user("ada");
  auto id = create_task(token, "Pay rent");
  http_test_client c(server_->port());
  auto r = c.request("GET", "/tasks/" + std::to_string(id), "", token);
  ASSERT_EQ(r.status, 200U) << r.body;
  EXPECT_EQ(r.json["id"], id);
  EXPECT_EQ(r.json["title"], "Pay rent");
}

TEST_F(HttpServerTest, CompleteTaskMarksItCompleted) {
  auto token = create_user("ada");
  auto id = create_task(token, "Pay rent");
  http_test_client c(server_->port());
  auto r = c.request("POST", "/tasks/" + std::to_string(id) + "/complete", "", token);
  ASSERT_EQ(r.status, 200U) << r.body;
  EXPECT_EQ(r.json["status"], "completed");
  EXPECT_EQ(r.json["completed_at"], backend_now);
  EXPECT_EQ(c.request("GET", "/tasks/" + std::to_string(id), "", token).json["status"],
            "completed");
}

TEST_F(HttpServerTest, NotifyNowIsAcceptedAndQueuesANotification) {
  auto token = create_user("ada");
  auto id = create_task(token, "Pay rent");
  http_test_client c(server_->port());
  auto r = c.request("POST", "/tasks/" + std::to_string(id) + "/notify", "", token);
  ASSERT_EQ(r.status, 202U) << r.body;
  EXPECT_EQ(r.json["id"], id);
  EXPECT_EQ(backend_.notification_count(), 1U);
}

TEST_F(HttpServerTest, ListNotificationsReturnsThemWithTheirPayloadAsJson) {
  auto token = create_user("ada");
  auto id = create_task(token, "Pay rent");
  http_test_client c(server_->port());
  const std::string base = "/tasks/" + std::to_string(id);
  ASSERT_EQ(c.request("POST", base + "/notify", "", token).status, 202U);
  auto r = c.request("GET", base + "/notifications", "", token);
  ASSERT_EQ(r.status, 200U) << r.body;
  ASSERT_EQ(r.json["notifications"].size(), 1U);
  const auto& n = r.json["notifications"][0];
  EXPECT_EQ(n["id"], 1);
  EXPECT_EQ(n["task_id"], id);
  EXPECT_EQ(n["channel"], "log");
  EXPECT_EQ(n["payload"]["event"], "task.reminder");
  EXPECT_EQ(n["payload"]["reason"], "requested");
  EXPECT_EQ(n["created_at"], backend_now);
  EXPECT_TRUE(n["delivered_at"].is_null());
  EXPECT_EQ(n["attempts"], 0);
  EXPECT_TRUE(r.json["next"].is_null());
}

TEST_F(HttpServerTest, HealthNeedsNoTokenAndReportsTheStore) {
  auto token = create_user("ada");
  create_task(token, "Pay rent");
  http_test_client c(server_->port());
  auto r = c.request("GET", "/health");
  ASSERT_EQ(r.status, 200U) << r.body;
  EXPECT_EQ(r.json["status"], "ok");
  EXPECT_EQ(r.json["store"], "ok");
  EXPECT_EQ(r.json["workers"], 1);
  EXPECT_FALSE(r.json.contains("detail"));
}

TEST_F(HttpServerTest, HealthIs503WhenTheStoreIsDownAndShowsTheDetailToTheAdminOnly) {
  backend_.set_available(false);
  http_test_client c(server_->port());
  auto anonymous = c.request("GET", "/health");
  EXPECT_EQ(anonymous.status, 503U);
  EXPECT_EQ(anonymous.json["status"], "unavailable");
  EXPECT_FALSE(anonymous.json.contains("detail"));
  auto admin = c.request("GET", "/health", "", admin_token);
  EXPECT_EQ(admin.status, 503U);
  EXPECT_TRUE(contains(admin.json.value("detail", ""), "unavailable")) << admin.body;
}

TEST_F(HttpServerTest, NoAnswerShowsATokenHashOrAnotherSecret) {
  auto token = create_user("ada");
  auto id = create_task(token, "Pay rent");
  http_test_client c(server_->port());
  const std::string base = "/tasks/" + std::to_string(id);
  ASSERT_EQ(c.request("POST", base + "/notify", "", token).status, 202U);
  for (const std::string& target : {std::string("/tasks"), base, base + "/notifications"}) {
    auto r = c.request("GET", target, "", token);
    EXPECT_EQ(r.status, 200U) << target;
    EXPECT_FALSE(contains(r.body, "token_hash")) << target;
    EXPECT_FALSE(contains(r.body, "secret")) << target;
    EXPECT_FALSE(contains(r.body, token)) << target;
  }
}

}  // namespace
}  // namespace notifier::testing
