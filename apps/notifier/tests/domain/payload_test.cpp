// tests/domain/payload_test.cpp: the reminder's JSON payload (notifier/domain/payload.hpp).

#include "notifier/domain/payload.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace notifier {
namespace {

const task sample{.id = task_id{42},
                  .user = user_id{7},
                  .title = "Pay \"rent\"",
                  .details = std::nullopt,
                  .status = task_status::open,
                  .created_at = from_millis(1'699'990'000'000),
                  .completed_at = std::nullopt,
                  .next_notify_at = from_millis(1'700'000'000'000)};

TEST(PayloadTest, APayloadNamesTheEventTheTaskAndTheTime) {
  const std::string text =
      reminder_payload(sample, reminder_reason::scheduled, from_millis(1'700'000'000'000));
  EXPECT_EQ(
      text,
      R"({"event":"task.reminder","reason":"scheduled","at":1700000000000,"user_id":7,)"
      R"("task":{"id":42,"title":"Pay \"rent\"","details":null,"created_at":1699990000000}})");
}

TEST(PayloadTest, DetailsAndTheRequestedReasonAreCarried) {
  task t = sample;
  t.details = "line 1\nline 2";
  const auto json = nlohmann::json::parse(
      reminder_payload(t, reminder_reason::requested, from_millis(1'700'000'000'001)));
  EXPECT_EQ(json["reason"], "requested");
  EXPECT_EQ(json["task"]["details"], "line 1\nline 2");
  EXPECT_EQ(json["at"], 1'700'000'000'001);
}

TEST(PayloadTest, InvalidUtf8IsReplacedSoThePayloadStaysValidJson) {
  task t = sample;
  t.title = "caf\xc3";  // a truncated two-byte sequence
  const std::string text = reminder_payload(t, reminder_reason::scheduled, from_millis(0));
  const auto json = nlohmann::json::parse(text);
  EXPECT_EQ(json["task"]["title"], "caf\xef\xbf\xbd");
}

}  // namespace
}  // namespace notifier
