// tests/channels/deliver_test.cpp: the log channel (notifier/channels/log_channel.hpp) and the
// dispatcher that picks a notification's channel (notifier/channels/deliver.hpp).

#include "notifier/channels/deliver.hpp"

#include "notifier/channels/log_channel.hpp"
#include "otter/core/logger.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "channels/channel_test_support.hpp"
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

namespace notifier::channels {
namespace {

using test::reminder;
using test::scripted_http;
using test::webhook_user;

// Captures the program's log events while alive (the sink is program-wide).
class captured_log {
public:
  captured_log()
      : previous_(otter::set_log_sink([this](const otter::log_event& e) {
          std::lock_guard<std::mutex> lock(mu_);
          events_.push_back(e);
        })) {}
  ~captured_log() { otter::set_log_sink(std::move(previous_)); }
  captured_log(const captured_log&) = delete;
  captured_log& operator=(const captured_log&) = delete;

  std::vector<otter::log_event> notifications() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<otter::log_event> out;
    for (const auto& e : events_) {
      if (e.kind == log_event_kind) {
        out.push_back(e);
      }
    }
    return out;
  }

private:
  std::mutex mu_;
  std::vector<otter::log_event> events_;
  otter::log_sink previous_;
};

TEST(LogChannelTest, WritesOneInfoLineWithThePayloadVerbatim) {
  captured_log log;
  const notification n = reminder(channel::log);
  const new_attempt a = deliver_log(n, from_millis(1234));

  EXPECT_EQ(a.notification, n.id);
  EXPECT_EQ(a.attempted_at, from_millis(1234));
  EXPECT_EQ(a.outcome, attempt_outcome::delivered);
  EXPECT_EQ(a.detail, "logged");
  const auto events = log.notifications();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].level, otter::log_level::info);
  EXPECT_EQ(otter::format(events[0]),
            "notifier notification id=42 task=9 user=7 payload=" + n.payload);
}

class DeliverTest : public ::testing::Test {
protected:
  delivery_report deliver_now(user u, notification n) {
    return rt.run([this, u, n]() -> otter::co<delivery_report> {
      attempt_callback record = [this](const new_attempt& a) {
        attempts.push_back(a);
      };
      co_return co_await deliver(ctx, u, n, record);
    });
  }

  otter::testing::deterministic_runtime rt;
  scripted_http http;
  delivery_context ctx{
      .post = http.poster(), .now = [] { return from_millis(otter::now_ms()); }, .webhook = {}};
  std::vector<new_attempt> attempts;
};

TEST_F(DeliverTest, ALogNotificationIsLoggedAndRecordedAsDelivered) {
  captured_log log;
  delivery_report r = deliver_now(webhook_user("http://h/"), reminder(channel::log));
  EXPECT_TRUE(r.delivered);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(log.notifications().size(), 1u);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, attempt_outcome::delivered);
  // The notification's channel decides, not the user's current one: no POST was made.
  EXPECT_TRUE(http.calls().empty());
}

TEST_F(DeliverTest, AWebhookNotificationIsPostedToTheUsersUrl) {
  captured_log log;
  delivery_report r = deliver_now(webhook_user("http://hooks.test/a"), reminder(channel::webhook));
  EXPECT_TRUE(r.delivered);
  ASSERT_EQ(http.calls().size(), 1u);
  EXPECT_EQ(http.calls()[0].request.url, "http://hooks.test/a");
  EXPECT_TRUE(log.notifications().empty());
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].detail, "HTTP 200");
}

TEST_F(DeliverTest, AWebhookNotificationOfAUserWhoseUrlIsGoneFails) {
  user u = webhook_user("http://h/");
  u.webhook_url.reset();
  EXPECT_EQ(channel_for(u), channel::log);
  delivery_report r = deliver_now(u, reminder(channel::webhook));
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.detail, "user has no webhook URL");
  EXPECT_EQ(attempts.size(), 1u);
}

}  // namespace
}  // namespace notifier::channels
