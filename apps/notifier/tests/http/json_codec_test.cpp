// The API's JSON forms (src/http/json_codec.hpp), without sockets.

#include "http/json_codec.hpp"

#include <gtest/gtest.h>

namespace notifier::detail {
namespace {

TEST(JsonCodecTest, FormatsTimesAsRfc3339UtcWithMilliseconds) {
  EXPECT_EQ(format_time(from_millis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time(from_millis(1'700'000'000'123)), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(format_time(from_millis(951'782'400'007)), "2000-02-29T00:00:00.007Z");
  EXPECT_EQ(format_time(from_millis(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_time(from_millis(253'402'300'799'999)), "9999-12-31T23:59:59.999Z");
}

TEST(JsonCodecTest, EncodesAUserWithoutItsSecrets) {
  user u;
  u.id = user_id{3};
  u.name = "ada";
  u.token_hash = "hash";
  u.webhook_secret = "secret";
  u.created_at = from_millis(0);
  auto j = to_json(u);
  EXPECT_EQ(dump(j),
            R"({"id":3,"name":"ada","webhook_url":null,"created_at":"1970-01-01T00:00:00.000Z"})");
}

TEST(JsonCodecTest, EncodesATask) {
  task t;
  t.id = task_id{5};
  t.user = user_id{3};
  t.title = "Pay rent";
  t.status = task_status::completed;
  t.created_at = from_millis(0);
  t.completed_at = from_millis(1000);
  t.next_notify_at = from_millis(2000);
  EXPECT_EQ(dump(to_json(t)),
            R"({"id":5,"user_id":3,"title":"Pay rent","details":null,"status":"completed",)"
            R"("created_at":"1970-01-01T00:00:00.000Z","completed_at":"1970-01-01T00:00:01.000Z",)"
            R"("next_notify_at":"1970-01-01T00:00:02.000Z"})");
}

TEST(JsonCodecTest, EmbedsANotificationsPayloadAsJson) {
  notification n;
  n.id = notification_id{9};
  n.task = task_id{5};
  n.channel = channel::webhook;
  n.payload = R"({"event":"task.reminder"})";
  n.created_at = from_millis(0);
  n.attempts = 2;
  auto j = to_json(n);
  EXPECT_EQ(j["payload"]["event"], "task.reminder");
  EXPECT_EQ(j["channel"], "webhook");
  EXPECT_EQ(j["attempts"], 2);
  n.payload = "not json";
  EXPECT_EQ(to_json(n)["payload"], "not json");
}

TEST(JsonCodecTest, DumpReplacesInvalidUtf8) {
  json j{{"title", std::string("a\xff")}};
  EXPECT_EQ(dump(j), "{\"title\":\"a\xEF\xBF\xBD\"}");
}

TEST(JsonCodecTest, ParsesOnlyObjects) {
  EXPECT_TRUE(parse_object(R"({"a":1})").has_value());
  for (const char* bad : {"", "{", "[]", "1", "null", R"({"a":1}x)"}) {
    EXPECT_FALSE(parse_object(bad).has_value()) << bad;
  }
}

TEST(JsonCodecTest, ReadsDraftsAndNamesTheBadField) {
  auto task = parse_task_draft(nlohmann::json::parse(R"({"title":"t","details":null,"x":1})"));
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(task->title, "t");
  EXPECT_FALSE(task->details.has_value());
  auto bad = parse_task_draft(nlohmann::json::parse(R"({"title":"t","details":3})"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().find("details"), std::string::npos);
  auto missing = parse_user_draft(nlohmann::json::parse(R"({"webhook_url":"https://x"})"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().find("name"), std::string::npos);
  auto user = parse_user_draft(nlohmann::json::parse(R"({"name":"n","webhook_url":"https://x"})"));
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->webhook_url, "https://x");
}

}  // namespace
}  // namespace notifier::detail
