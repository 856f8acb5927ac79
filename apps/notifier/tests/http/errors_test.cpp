// Every error the API answers (docs/design/notifier_api.md#errors), each with its JSON body,
// and that a refused request changes nothing.

#include "http/server_test_fixture.hpp"

#include <string>

namespace notifier::testing {
namespace {

TEST_F(HttpServerTest, UnknownRoutesAre404) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  for (const char* target : {"/", "/nope", "/tasks/", "/tasks/1/bogus", "/tasks/1/complete/x",
                             "//tasks", "/users/1", "/health/x"}) {
    auto r = c.request("GET", target, "", token);
    EXPECT_EQ(r.status, 404U) << target;
    EXPECT_EQ(r.error_code(), "not_found") << target;
  }
}

TEST_F(HttpServerTest, WrongMethodsAre405WithAllow) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  struct probe {
    const char* method;
    const char* target;
    const char* allow;
  };
  for (const probe& p :
       {probe{"DELETE", "/tasks", "GET, POST"}, probe{"GET", "/users", "POST"},
        probe{"POST", "/health", "GET"}, probe{"PUT", "/tasks/1", "GET"},
        probe{"GET", "/tasks/1/complete", "POST"}, probe{"GET", "/tasks/1/notify", "POST"},
        probe{"POST", "/tasks/1/notifications", "GET"}}) {
    auto r = c.request(p.method, p.target, "", token);
    EXPECT_EQ(r.status, 405U) << p.method << " " << p.target;
    EXPECT_EQ(r.error_code(), "method_not_allowed");
    EXPECT_EQ(r.header("Allow"), p.allow) << p.method << " " << p.target;
  }
}

TEST_F(HttpServerTest, UnknownTaskIdsAre404AndBadOnesAre400) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  auto unknown = c.request("GET", "/tasks/999", "", token);
  EXPECT_EQ(unknown.status, 404U);
  EXPECT_EQ(unknown.error_code(), "not_found");
  for (const char* target :
       {"/tasks/abc", "/tasks/0", "/tasks/-1", "/tasks/1.5", "/tasks/+1",
        "/tasks/99999999999999999999", "/tasks/abc/complete", "/tasks/x/notifications"}) {
    const bool post = std::string(target).ends_with("complete");
    auto r = c.request(post ? "POST" : "GET", target, "", token);
    EXPECT_EQ(r.status, 400U) << target;
    EXPECT_EQ(r.error_code(), "invalid_id") << target;
  }
}

TEST_F(HttpServerTest, CompletingTwiceIs409AndChangesNothing) {
  auto token = create_user("ada");
  auto id = create_task(token, "Pay rent");
  const std::string target = "/tasks/" + std::to_string(id) + "/complete";
  http_test_client c(server_->port());
  auto first = c.request("POST", target, "", token);
  ASSERT_EQ(first.status, 200U);
  auto second = c.request("POST", target, "", token);
  EXPECT_EQ(second.status, 409U);
  EXPECT_EQ(second.error_code(), "conflict");
  EXPECT_EQ(c.request("GET", "/tasks/" + std::to_string(id), "", token).json, first.json);
}

TEST_F(HttpServerTest, NotifyingACompletedTaskIs409) {
  auto token = create_user("ada");
  auto id = create_task(token, "Pay rent");
  const std::string base = "/tasks/" + std::to_string(id);
  http_test_client c(server_->port());
  ASSERT_EQ(c.request("POST", base + "/complete", "", token).status, 200U);
  auto r = c.request("POST", base + "/notify", "", token);
  EXPECT_EQ(r.status, 409U);
  EXPECT_EQ(r.error_code(), "conflict");
  EXPECT_EQ(backend_.notification_count(), 0U);
}

TEST_F(HttpServerTest, MalformedJsonIs400AndChangesNothing) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  for (const char* body : {"{", "{\"title\":}", "[\"title\"]", "\"title\"", "42", "null",
                           "{\"title\":\"a\"} trailing", "{\"title\":\"\xff\"}"}) {
    auto r = c.request("POST", "/tasks", body, token);
    EXPECT_EQ(r.status, 400U) << body;
    EXPECT_EQ(r.error_code(), "malformed_json") << body;
  }
  auto empty = c.request("POST", "/tasks", "", token);
  EXPECT_EQ(empty.status, 400U);
  EXPECT_EQ(empty.error_code(), "malformed_json");
  EXPECT_EQ(backend_.task_count(), 0U);
}

TEST_F(HttpServerTest, MissingOrWrongTypedFieldsAre400AndChangeNothing) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  for (const char* body : {R"({})", R"({"title":5})", R"({"title":null})", R"({"title":["a"]})",
                           R"({"title":"a","details":7})", R"({"details":"only"})"}) {
    auto r = c.request("POST", "/tasks", body, token);
    EXPECT_EQ(r.status, 400U) << body;
    EXPECT_EQ(r.error_code(), "invalid_field") << body;
  }
  for (const char* body : {R"({})", R"({"name":1})", R"({"name":"ada","webhook_url":5})"}) {
    auto r = c.request("POST", "/users", body, admin_token);
    EXPECT_EQ(r.status, 400U) << body;
    EXPECT_EQ(r.error_code(), "invalid_field") << body;
  }
  EXPECT_EQ(backend_.task_count(), 0U);
  EXPECT_EQ(backend_.user_count(), 1U);
}

TEST_F(HttpServerTest, ValuesTheBackendRejectsAre400WithItsReason) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  auto title = c.request("POST", "/tasks", R"({"title":""})", token);
  EXPECT_EQ(title.status, 400U);
  EXPECT_EQ(title.error_code(), "invalid_field");
  EXPECT_FALSE(title.json["error"]["message"].get<std::string>().empty());
  auto url = c.request("POST", "/users", R"({"name":"bob","webhook_url":"ftp://x"})", admin_token);
  EXPECT_EQ(url.status, 400U);
  EXPECT_EQ(url.error_code(), "invalid_field");
  // A URL the webhook client could not use is refused here, with the client's reason.
  auto info =
      c.request("POST", "/users", R"({"name":"bob","webhook_url":"https://me:pw@example.com/"})",
                admin_token);
  EXPECT_EQ(info.status, 400U);
  EXPECT_EQ(info.json["error"]["message"], "webhook_url must not contain user info (user@host)");
  EXPECT_EQ(backend_.task_count(), 0U);
  EXPECT_EQ(backend_.user_count(), 1U);
}

TEST_F(HttpServerTest, UnknownFieldsAreIgnored) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  auto r = c.request("POST", "/tasks", R"({"title":"a","priority":"high","id":99})", token);
  ASSERT_EQ(r.status, 201U) << r.body;
  EXPECT_EQ(r.json["id"], 1);
  EXPECT_FALSE(r.json.contains("priority"));
}

TEST_F(HttpServerTest, ABodyThatIsNotJsonIs415) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", ""}) {
    auto r = c.request("POST", "/tasks", R"({"title":"a"})", token, type);
    EXPECT_EQ(r.status, 415U) << type;
    EXPECT_EQ(r.error_code(), "unsupported_media_type") << type;
  }
  auto complete = c.request("POST", "/tasks/1/complete", "x=1", token, "text/plain");
  EXPECT_EQ(complete.status, 415U);
  EXPECT_EQ(backend_.task_count(), 0U);
  auto charset =
      c.request("POST", "/tasks", R"({"title":"a"})", token, "Application/JSON; charset=utf-8");
  EXPECT_EQ(charset.status, 201U) << charset.body;
}

TEST_F(HttpServerTest, BadQueryValuesAre400) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  for (const char* query :
       {"limit=0", "limit=501", "limit=-1", "limit=abc", "limit=1.5", "after=-1", "after=x",
        "after=99999999999999999999", "limit=1&limit=2", "after=%zz"}) {
    auto r = c.request("GET", std::string("/tasks?") + query, "", token);
    EXPECT_EQ(r.status, 400U) << query;
    EXPECT_EQ(r.error_code(), "invalid_query") << query;
  }
  EXPECT_EQ(c.request("GET", "/tasks?limit=500&after=0&unknown=1", "", token).status, 200U);
}

TEST_F(HttpServerTest, AnUnavailableStoreIs503WithRetryAfter) {
  auto token = create_user("ada");
  backend_.set_available(false);
  http_test_client c(server_->port());
  auto r = c.request("GET", "/tasks", "", token);
  EXPECT_EQ(r.status, 503U);
  EXPECT_EQ(r.error_code(), "unavailable");
  EXPECT_EQ(r.header("Retry-After"), "1");
  auto create = c.request("POST", "/users", R"({"name":"bob"})", admin_token);
  EXPECT_EQ(create.status, 503U);
  EXPECT_EQ(backend_.user_count(), 1U);
}

TEST_F(HttpServerTest, MalformedHttpIs400AndCloses) {
  http_test_client c(server_->port());
  c.send_raw("NOT HTTP AT ALL\r\n\r\n");
  auto r = c.receive();
  EXPECT_EQ(r.status, 400U);
  EXPECT_EQ(r.error_code(), "bad_request");
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(c.closed_by_server());
}

}  // namespace
}  // namespace notifier::testing
