// tests/domain/backoff_test.cpp: exponential backoff with jitter (notifier/domain/backoff.hpp).

#include "notifier/domain/backoff.hpp"

#include <gtest/gtest.h>

namespace notifier {
namespace {

using namespace std::chrono_literals;

TEST(BackoffTest, BoundsDoubleFromTheInitialDelayUpToTheCap) {
  const backoff_policy p{};  // 500 ms, x2, at most 60 s, 20 % jitter
  EXPECT_EQ(backoff_bounds(p, 1).max, 500ms);
  EXPECT_EQ(backoff_bounds(p, 1).min, 400ms);
  EXPECT_EQ(backoff_bounds(p, 2).max, 1000ms);
  EXPECT_EQ(backoff_bounds(p, 2).min, 800ms);
  EXPECT_EQ(backoff_bounds(p, 7).max, 32000ms);
  EXPECT_EQ(backoff_bounds(p, 8).max, 60000ms);
  EXPECT_EQ(backoff_bounds(p, 8).min, 48000ms);
}

TEST(BackoffTest, AHugeRetryNumberStaysAtTheCap) {
  const backoff_policy p{};
  EXPECT_EQ(backoff_bounds(p, 10000).max, 60000ms);
  EXPECT_EQ(backoff_bounds(p, 10000).min, 48000ms);
}

TEST(BackoffTest, RetryNumbersBelowOneCountAsTheFirstRetry) {
  const backoff_policy p{};
  EXPECT_EQ(backoff_bounds(p, 0).max, 500ms);
  EXPECT_EQ(backoff_bounds(p, -3).max, 500ms);
}

TEST(BackoffTest, TheUnitPicksThePointBetweenTheBounds) {
  const backoff_policy p{};
  EXPECT_EQ(backoff_delay(p, 2, 0.0), 1000ms);
  EXPECT_EQ(backoff_delay(p, 2, 0.5), 900ms);
  EXPECT_EQ(backoff_delay(p, 2, 1.0), 800ms);
}

TEST(BackoffTest, RandomDelaysStayWithinTheBounds) {
  const backoff_policy p{.initial = 100ms, .max_delay = 5s, .multiplier = 3.0, .jitter = 0.5};
  for (int retry = 1; retry <= 10; ++retry) {
    const auto bounds = backoff_bounds(p, retry);
    for (int i = 0; i < 200; ++i) {
      const auto d = backoff_delay(p, retry);
      EXPECT_GE(d, bounds.min) << "retry " << retry;
      EXPECT_LE(d, bounds.max) << "retry " << retry;
    }
  }
}

TEST(BackoffTest, WithoutJitterTheDelayIsExact) {
  const backoff_policy p{.initial = 100ms, .max_delay = 1s, .multiplier = 2.0, .jitter = 0.0};
  EXPECT_EQ(backoff_delay(p, 3), 400ms);
  EXPECT_EQ(backoff_bounds(p, 3).min, 400ms);
}

TEST(BackoffTest, RetriesStopAtMaxAttempts) {
  const backoff_policy p{.max_attempts = 3};
  EXPECT_TRUE(may_retry(p, 1));
  EXPECT_TRUE(may_retry(p, 2));
  EXPECT_FALSE(may_retry(p, 3));
}

}  // namespace
}  // namespace notifier
