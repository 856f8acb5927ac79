// tests/domain/schedule_test.cpp: the durable schedule rule (notifier/domain/schedule.hpp).

#include "notifier/domain/schedule.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace notifier {
namespace {

using namespace std::chrono_literals;

constexpr timestamp t0 = from_millis(1'700'000'000'000);
constexpr std::chrono::milliseconds interval = 5min;

TEST(ScheduleTest, AReminderSentOnTimeIsFollowedOneIntervalLater) {
  EXPECT_EQ(next_notify_at(t0, interval, t0), t0 + interval);
}

// A reminder sent late pushes the next one: two reminders are never less than an interval
// apart (a restart a moment after a reminder must not send the next one at once).
TEST(ScheduleTest, AReminderSentLateIsFollowedOneIntervalAfterItWasSent) {
  EXPECT_EQ(next_notify_at(t0, interval, t0 + 30ms), t0 + interval + 30ms);
  EXPECT_EQ(next_notify_at(t0, interval, t0 + 3min), t0 + 3min + interval);
  EXPECT_EQ(next_notify_at(t0, interval, t0 + interval - 1ms), t0 + 2 * interval - 1ms);
}

TEST(ScheduleTest, AReminderOverdueByAnIntervalRestartsTheCadenceFromNow) {
  EXPECT_EQ(next_notify_at(t0, interval, t0 + interval), t0 + 2 * interval);
  EXPECT_EQ(next_notify_at(t0, interval, t0 + interval + 7ms), t0 + 2 * interval + 7ms);
  EXPECT_EQ(next_notify_at(t0, interval, t0 + 10h), t0 + 10h + interval);
}

TEST(ScheduleTest, ANonPositiveIntervalIsRejected) {
  EXPECT_THROW((void)next_notify_at(t0, 0ms, t0), std::invalid_argument);
  EXPECT_THROW((void)next_notify_at(t0, -1ms, t0), std::invalid_argument);
}

TEST(ScheduleTest, OnlyAnOpenTaskWhoseTimeHasComeIsDue) {
  task t{.next_notify_at = t0};
  EXPECT_FALSE(is_due(t, t0 - 1ms));
  EXPECT_TRUE(is_due(t, t0));
  EXPECT_TRUE(is_due(t, t0 + 1h));
  t.status = task_status::completed;
  EXPECT_FALSE(is_due(t, t0 + 1h));
}

// The rule as a worker applies it, across a restart: the service checks each second whether
// the task is due, sends one reminder when it is and stores the next time. It is down from
// 00:07 to 01:00 (the stored time stays 00:10). Expected reminders: 00:05, one at 01:00 for all
// the missed ones, then every five minutes from 01:00.
TEST(ScheduleTest, ARestartAfterDowntimeSendsOneReminderThenResumes) {
  task t{.next_notify_at = t0 + interval};
  std::vector<timestamp> sent;
  auto run = [&](timestamp from, timestamp to) {
    for (timestamp now = from; now <= to; now += 1s) {
      if (is_due(t, now)) {
        sent.push_back(now);
        t.next_notify_at = next_notify_at(t.next_notify_at, interval, now);
      }
    }
  };
  run(t0, t0 + 7min);
  run(t0 + 60min, t0 + 71min);
  const std::vector<timestamp> expected = {t0 + 5min, t0 + 60min, t0 + 65min, t0 + 70min};
  EXPECT_EQ(sent, expected);
}

}  // namespace
}  // namespace notifier
