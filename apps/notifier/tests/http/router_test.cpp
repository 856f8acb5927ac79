// Route matching, ids and query strings (src/http/router.hpp), without sockets.

#include "http/router.hpp"

#include <gtest/gtest.h>

namespace notifier::detail {
namespace {

using boost::beast::http::verb;

TEST(RouterTest, MatchesEveryRoute) {
  struct row {
    verb method;
    const char* target;
    route expected;
    std::int64_t id;
  };
  for (const row& r : {row{verb::post, "/users", route::create_user, 0},
                       row{verb::get, "/tasks", route::list_tasks, 0},
                       row{verb::post, "/tasks", route::create_task, 0},
                       row{verb::get, "/tasks/42", route::show_task, 42},
                       row{verb::post, "/tasks/42/complete", route::complete_task, 42},
                       row{verb::post, "/tasks/7/notify", route::notify_task, 7},
                       row{verb::get, "/tasks/7/notifications", route::list_notifications, 7},
                       row{verb::get, "/health", route::health, 0}}) {
    auto m = match_route(r.method, r.target);
    EXPECT_EQ(m.status, match_status::matched) << r.target;
    EXPECT_EQ(m.route, r.expected) << r.target;
    EXPECT_EQ(m.id.value, r.id) << r.target;
  }
}

TEST(RouterTest, SplitsTheQueryOff) {
  auto m = match_route(verb::get, "/tasks?after=3&limit=2");
  EXPECT_EQ(m.status, match_status::matched);
  EXPECT_EQ(m.query, "after=3&limit=2");
  EXPECT_EQ(match_route(verb::get, "/tasks/5?x").id.value, 5);
}

TEST(RouterTest, UnknownPathsAreNotFound) {
  for (const char* target :
       {"", "*", "http://host/tasks", "/", "/tasks/", "/tasks//complete", "/TASKS", "/tasks/1/",
        "/tasks/1/complete/now", "/tasks/1/remove", "/users/", "/health/"}) {
    EXPECT_EQ(match_route(verb::get, target).status, match_status::not_found) << target;
  }
}

TEST(RouterTest, AKnownPathWithAnotherMethodListsTheAllowedOnes) {
  auto tasks = match_route(verb::delete_, "/tasks");
  EXPECT_EQ(tasks.status, match_status::method_not_allowed);
  EXPECT_EQ(tasks.allow, "GET, POST");
  EXPECT_EQ(match_route(verb::post, "/tasks/1").allow, "GET");
  EXPECT_EQ(match_route(verb::get, "/tasks/1/notify").allow, "POST");
  EXPECT_EQ(match_route(verb::head, "/health").allow, "GET");
}

TEST(RouterTest, TheMethodIsJudgedBeforeTheId) {
  EXPECT_EQ(match_route(verb::get, "/tasks/abc/complete").status, match_status::method_not_allowed);
  EXPECT_EQ(match_route(verb::post, "/tasks/abc/complete").status, match_status::bad_id);
  EXPECT_EQ(match_route(verb::get, "/tasks/abc/other").status, match_status::not_found);
}

TEST(RouterTest, IdsArePositiveDecimalInt64s) {
  EXPECT_EQ(parse_id("1"), 1);
  EXPECT_EQ(parse_id("007"), 7);
  EXPECT_EQ(parse_id("9223372036854775807"), INT64_MAX);
  for (const char* bad :
       {"", "0", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0", "9223372036854775808"}) {
    EXPECT_FALSE(parse_id(bad).has_value()) << bad;
  }
}

TEST(RouterTest, ParsesAndDecodesQueries) {
  auto q = parse_query("a=1&b=x%20y+z&&c&d=&%61=%3D");
  ASSERT_TRUE(q.has_value());
  std::vector<std::pair<std::string, std::string>> expected{
      {"a", "1"}, {"b", "x y z"}, {"c", ""}, {"d", ""}, {"a", "="}};
  EXPECT_EQ(*q, expected);
  EXPECT_TRUE(parse_query("")->empty());
}

TEST(RouterTest, RejectsMalformedEscapes) {
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "%g1=1"}) {
    EXPECT_FALSE(parse_query(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace notifier::detail
