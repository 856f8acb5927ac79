// Keyset pagination of GET /tasks and GET /tasks/{id}/notifications: ?after=<id>&limit=<n>,
// and "next" (the id to pass as after, or null on the last page).

#include "http/server_test_fixture.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace notifier::testing {
namespace {

/// Follows "next" from `first` to the end; returns the ids seen, page by page.
std::vector<std::vector<std::int64_t>> walk(http_test_client& c, const std::string& path,
                                            const char* key, std::string_view token, int limit) {
  std::vector<std::vector<std::int64_t>> pages;
  std::string target = path + "?limit=" + std::to_string(limit);
  for (int guard = 0; guard < 100; ++guard) {
    auto r = c.request("GET", target, "", token);
    EXPECT_EQ(r.status, 200U) << r.body;
    std::vector<std::int64_t> ids;
    for (const auto& item : r.json[key]) {
      ids.push_back(item["id"].get<std::int64_t>());
    }
    pages.push_back(ids);
    if (r.json["next"].is_null()) {
      return pages;
    }
    EXPECT_EQ(r.json["next"], ids.back());
    target = path + "?limit=" + std::to_string(limit)
             + "&after=" + std::to_string(r.json["next"].get<std::int64_t>());
  }
  ADD_FAILURE() << "pagination did not end";
  return pages;
}

TEST_F(HttpServerTest, ListTasksPagesWithANextCursor) {
  auto ada = create_user("ada");
  auto bob = create_user("bob");
  std::vector<std::int64_t> mine;
  for (int i = 0; i < 5; ++i) {
    mine.push_back(create_task(ada, "task " + std::to_string(i)));
    create_task(bob, "noise");  // interleaved ids of another user
  }
  http_test_client c(server_->port());
  auto pages = walk(c, "/tasks", "tasks", ada, 2);
  ASSERT_EQ(pages.size(), 3U);
  EXPECT_EQ(pages[0], (std::vector<std::int64_t>{mine[0], mine[1]}));
  EXPECT_EQ(pages[1], (std::vector<std::int64_t>{mine[2], mine[3]}));
  EXPECT_EQ(pages[2], (std::vector<std::int64_t>{mine[4]}));
}

TEST_F(HttpServerTest, AFullLastPageHasNoNext) {
  auto ada = create_user("ada");
  for (int i = 0; i < 4; ++i) {
    create_task(ada, "t");
  }
  http_test_client c(server_->port());
  auto pages = walk(c, "/tasks", "tasks", ada, 2);
  ASSERT_EQ(pages.size(), 2U) << "no empty third page";
  EXPECT_EQ(pages[1].size(), 2U);
}

TEST_F(HttpServerTest, TheDefaultPageSizeApplies) {
  server_options options;
  options.default_page_size = 3;
  options.max_page_size = 4;
  start_server(options);
  auto ada = create_user("ada");
  for (int i = 0; i < 5; ++i) {
    create_task(ada, "t");
  }
  http_test_client c(server_->port());
  auto r = c.request("GET", "/tasks", "", ada);
  EXPECT_EQ(r.json["tasks"].size(), 3U);
  EXPECT_EQ(r.json["next"], 3);
  auto empty_after = c.request("GET", "/tasks?after=&limit=", "", ada);
  EXPECT_EQ(empty_after.json["tasks"].size(), 3U) << "empty values mean the defaults";
  EXPECT_EQ(c.request("GET", "/tasks?limit=4", "", ada).json["tasks"].size(), 4U);
  EXPECT_EQ(c.request("GET", "/tasks?limit=5", "", ada).status, 400U);
}

TEST_F(HttpServerTest, ListNotificationsPagesWithANextCursor) {
  auto ada = create_user("ada");
  auto id = create_task(ada, "Pay rent");
  auto other = create_task(ada, "other");
  http_test_client c(server_->port());
  const std::string base = "/tasks/" + std::to_string(id);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(c.request("POST", base + "/notify", "", ada).status, 202U);
    ASSERT_EQ(c.request("POST", "/tasks/" + std::to_string(other) + "/notify", "", ada).status,
              202U);
  }
  auto pages = walk(c, base + "/notifications", "notifications", ada, 2);
  ASSERT_EQ(pages.size(), 2U);
  EXPECT_EQ(pages[0], (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(pages[1], (std::vector<std::int64_t>{5}));
}

TEST_F(HttpServerTest, AfterPastTheEndGivesAnEmptyPage) {
  auto ada = create_user("ada");
  create_task(ada, "t");
  http_test_client c(server_->port());
  auto r = c.request("GET", "/tasks?after=1", "", ada);
  ASSERT_EQ(r.status, 200U);
  EXPECT_TRUE(r.json["tasks"].empty());
  EXPECT_TRUE(r.json["next"].is_null());
}

}  // namespace
}  // namespace notifier::testing
