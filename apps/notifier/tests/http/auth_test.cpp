// Authentication: bearer tokens, the admin token, and that a user can neither see nor change
// another user's tasks (another user's task is 404, as an unknown one).

#include "http/server_test_fixture.hpp"

#include <string>

namespace notifier::testing {
namespace {

TEST_F(HttpServerTest, AMissingTokenIs401WithABearerChallenge) {
  http_test_client c(server_->port());
  for (const char* target : {"/tasks", "/tasks/1", "/tasks/1/notifications"}) {
    auto r = c.request("GET", target);
    EXPECT_EQ(r.status, 401U) << target;
    EXPECT_EQ(r.error_code(), "unauthorized");
    EXPECT_EQ(r.header("WWW-Authenticate"), R"(Bearer realm="notifier")");
  }
}

TEST_F(HttpServerTest, AWrongTokenIs401WithInvalidToken) {
  create_user("ada");
  http_test_client c(server_->port());
  auto r = c.request("GET", "/tasks", "", "not-a-token");
  EXPECT_EQ(r.status, 401U);
  EXPECT_EQ(r.error_code(), "unauthorized");
  EXPECT_EQ(r.header("WWW-Authenticate"), R"(Bearer realm="notifier", error="invalid_token")");
}

TEST_F(HttpServerTest, AnAuthorizationThatIsNotBearerIs401) {
  auto token = create_user("ada");
  for (const std::string& header : {"Basic " + token, token, std::string("Bearer"),
                                    std::string("Bearer  "), "Bearer " + token + " extra"}) {
    http_test_client c(server_->port());
    c.send_raw("GET /tasks HTTP/1.1\r\nHost: x\r\nAuthorization: " + header + "\r\n\r\n");
    auto r = c.receive();
    EXPECT_EQ(r.status, 401U) << header;
  }
  http_test_client c(server_->port());
  c.send_raw("GET /tasks HTTP/1.1\r\nHost: x\r\nAuthorization: bEaReR " + token + "\r\n\r\n");
  EXPECT_EQ(c.receive().status, 200U) << "the scheme is case-insensitive";
}

TEST_F(HttpServerTest, AuthenticationComesBeforeIdAndBodyChecks) {
  http_test_client c(server_->port());
  EXPECT_EQ(c.request("GET", "/tasks/abc").status, 401U);
  EXPECT_EQ(c.request("POST", "/tasks", "{", "", "text/plain").status, 401U);
  EXPECT_EQ(c.request("GET", "/tasks?limit=0").status, 401U);
  for (const auto& call : backend_.calls()) {
    EXPECT_NE(call, "list_tasks");
    EXPECT_NE(call, "create_task");
  }
}

TEST_F(HttpServerTest, CreatingAUserRequiresTheAdminToken) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  const char* body = R"({"name":"eve"})";
  auto none = c.request("POST", "/users", body);
  EXPECT_EQ(none.status, 401U);
  EXPECT_EQ(none.header("WWW-Authenticate"), R"(Bearer realm="notifier")");
  EXPECT_EQ(c.request("POST", "/users", body, token).status, 401U);
  EXPECT_EQ(c.request("POST", "/users", body, "admin-secreT").status, 401U);
  EXPECT_EQ(c.request("POST", "/users", body, "admin-secret-and-more").status, 401U);
  EXPECT_EQ(backend_.user_count(), 1U);
}

TEST_F(HttpServerTest, WithoutAnAdminTokenNoUserCanBeCreated) {
  server_options options;
  options.admin_token = "";
  server_->stop();
  server_.reset();
  server_ = std::make_unique<http_server>(rt_, io_, backend_, options);
  http_test_client c(server_->port());
  EXPECT_EQ(c.request("POST", "/users", R"({"name":"eve"})", "").status, 401U);
  EXPECT_EQ(c.request("POST", "/users", R"({"name":"eve"})", "x").status, 401U);
  EXPECT_EQ(backend_.user_count(), 0U);
}

// Two users, each with a task: every route on the other's task answers 404, exactly as for an
// id that does not exist, and the other's task is unchanged afterwards.
TEST_F(HttpServerTest, AUserCannotSeeOrChangeAnotherUsersTasks) {
  auto ada = create_user("ada");
  auto bob = create_user("bob");
  auto ada_task = create_task(ada, "ada's");
  auto bob_task = create_task(bob, "bob's");
  http_test_client c(server_->port());
  const std::string theirs = "/tasks/" + std::to_string(ada_task);

  auto list = c.request("GET", "/tasks", "", bob);
  ASSERT_EQ(list.status, 200U);
  ASSERT_EQ(list.json["tasks"].size(), 1U);
  EXPECT_EQ(list.json["tasks"][0]["id"], bob_task);

  for (const auto& [method, target] : {std::pair<const char*, std::string>{"GET", theirs},
                                       {"POST", theirs + "/complete"},
                                       {"POST", theirs + "/notify"},
                                       {"GET", theirs + "/notifications"}}) {
    auto r = c.request(method, target, "", bob);
    EXPECT_EQ(r.status, 404U) << method << " " << target;
    EXPECT_EQ(r.body, c.request(method, "/tasks/999" + target.substr(theirs.size()), "", bob).body)
        << "another user's task must look like a missing one";
  }
  auto mine = c.request("GET", theirs, "", ada);
  EXPECT_EQ(mine.json["status"], "open");
  EXPECT_EQ(backend_.notification_count(), 0U);
}

}  // namespace
}  // namespace notifier::testing
