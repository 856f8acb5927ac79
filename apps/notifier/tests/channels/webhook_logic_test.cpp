// tests/channels/webhook_logic_test.cpp: the webhook channel's rules (notifier/channels/
// webhook.hpp) on the deterministic runtime, with a scripted HTTP client: which answers are
// delivered, which are retried, and how long the backoff waits, in virtual time.

#include "notifier/channels/webhook.hpp"
#include "notifier/domain/signature.hpp"
#include "otter/core/process.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "channels/channel_test_support.hpp"
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace notifier::channels {
namespace {

using namespace std::chrono_literals;
using http::http_failure_kind;
using test::failure;
using test::reminder;
using test::scripted_http;
using test::status;
using test::webhook_user;

class WebhookLogicTest : public ::testing::Test {
protected:
  // Delivers `n` to `u` with `http`, recording every attempt; returns the report.
  delivery_report deliver(scripted_http& http, user u, notification n) {
    ctx.post = http.poster();
    ctx.now = [] {
      return from_millis(otter::now_ms());
    };
    return rt.run([this, u, n]() -> otter::co<delivery_report> {
      attempt_callback record = [this](const new_attempt& a) {
        attempts.push_back(a);
      };
      co_return co_await deliver_webhook(ctx, u, n, record);
    });
  }

  otter::testing::deterministic_runtime rt;
  delivery_context ctx{.post = {},
                       .now = {},
                       .webhook = {.backoff = {.initial = 1000ms,
                                               .max_delay = 60'000ms,
                                               .multiplier = 2.0,
                                               .jitter = 0.0,
                                               .max_attempts = 4},
                                   .timeout = 5000ms,
                                   .max_response_bytes = 1024,
                                   .ca_file = {}}};
  std::vector<new_attempt> attempts;
};

TEST_F(WebhookLogicTest, OneAttemptPostsThePayloadSignedWithTheUsersSecret) {
  scripted_http http;
  const user u = webhook_user("http://hooks.test/in");
  const notification n = reminder();
  delivery_report r = deliver(http, u, n);

  EXPECT_TRUE(r.delivered);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.detail, "HTTP 200");
  ASSERT_EQ(http.calls().size(), 1u);
  const http::http_request& sent = http.calls()[0].request;
  EXPECT_EQ(sent.url, "http://hooks.test/in");
  EXPECT_EQ(sent.body, n.payload);
  EXPECT_EQ(sent.timeout, 5000ms);
  EXPECT_EQ(sent.max_response_bytes, 1024u);
  auto header = [&](std::string_view name) {
    for (const auto& [k, v] : sent.headers) {
      if (k == name) {
        return v;
      }
    }
    return std::string("<absent>");
  };
  EXPECT_EQ(header("Content-Type"), "application/json");
  EXPECT_EQ(header("User-Agent"), "otter-notifier/1");
  EXPECT_EQ(header("X-Otter-Notification"), "42");
  EXPECT_EQ(header("X-Otter-Attempt"), "1");
  EXPECT_TRUE(verify_webhook_signature(u.webhook_secret, sent.body, header("X-Otter-Signature")));

  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].notification, n.id);
  EXPECT_EQ(attempts[0].outcome, attempt_outcome::delivered);
  EXPECT_EQ(attempts[0].detail, "HTTP 200");
}

TEST_F(WebhookLogicTest, EveryTwoHundredIsDelivered) {
  for (int code : {200, 201, 202, 204, 299}) {
    scripted_http http({status(code)});
    attempts.clear();
    EXPECT_TRUE(deliver(http, webhook_user("http://h/"), reminder()).delivered) << code;
    EXPECT_EQ(attempts.size(), 1u) << code;
  }
}

TEST_F(WebhookLogicTest, RetriesAfterA503AndWaitsTheBackoffInVirtualTime) {
  scripted_http http({status(503), status(200)});
  delivery_report r = deliver(http, webhook_user("http://h/"), reminder());

  EXPECT_TRUE(r.delivered);
  EXPECT_EQ(r.attempts, 2);
  ASSERT_EQ(http.calls().size(), 2u);
  EXPECT_EQ(http.calls()[1].at_ms - http.calls()[0].at_ms, 1000);  // initial, no jitter
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome, attempt_outcome::failed);
  EXPECT_EQ(attempts[0].detail, "HTTP 503");
  EXPECT_EQ(attempts[1].outcome, attempt_outcome::delivered);
  EXPECT_EQ(attempts[1].attempted_at - attempts[0].attempted_at, 1000ms);
}

TEST_F(WebhookLogicTest, BackoffGrowsAndStaysWithinItsJitterBounds) {
  ctx.webhook.backoff.jitter = 0.5;
  scripted_http http({status(500), status(500), status(500), status(200)});
  delivery_report r = deliver(http, webhook_user("http://h/"), reminder());
  EXPECT_TRUE(r.delivered);
  ASSERT_EQ(http.calls().size(), 4u);
  for (int retry = 1; retry <= 3; ++retry) {
    const auto waited = http.calls()[static_cast<std::size_t>(retry)].at_ms
                        - http.calls()[static_cast<std::size_t>(retry - 1)].at_ms;
    const backoff_range bounds = backoff_bounds(ctx.webhook.backoff, retry);
    EXPECT_GE(waited, bounds.min.count()) << retry;
    EXPECT_LE(waited, bounds.max.count()) << retry;
  }
}

TEST_F(WebhookLogicTest, AttemptNumbersContinueFromTheRecordedAttemptsAndTheIdStays) {
  scripted_http http({status(502), status(200)});
  notification n = reminder();
  n.attempts = 3;  // a redelivery after a crash
  (void)deliver(http, webhook_user("http://h/"), n);
  ASSERT_EQ(http.calls().size(), 2u);
  std::vector<std::string> numbers;
  for (const auto& c : http.calls()) {
    for (const auto& [k, v] : c.request.headers) {
      if (k == "X-Otter-Attempt") {
        numbers.push_back(v);
      }
      if (k == "X-Otter-Notification") {
        EXPECT_EQ(v, "42");
      }
    }
  }
  EXPECT_EQ(numbers, (std::vector<std::string>{"4", "5"}));
}

TEST_F(WebhookLogicTest, GivesUpAfterMaxAttempts) {
  scripted_http http({status(503), status(503), status(503), status(503), status(200)});
  const auto start = rt.now_ms();
  delivery_report r = deliver(http, webhook_user("http://h/"), reminder());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.attempts, 4);
  EXPECT_EQ(r.detail, "HTTP 503");
  EXPECT_EQ(http.calls().size(), 4u);
  EXPECT_EQ(attempts.size(), 4u);
  // 1 s + 2 s + 4 s of backoff, and no wait after the last attempt.
  EXPECT_EQ(http.calls().back().at_ms - start, 7000);
  EXPECT_EQ(rt.now_ms() - start, 7000);
}

TEST_F(WebhookLogicTest, ARefusalIsNotRetried) {
  for (int code : {400, 401, 403, 404, 410, 422}) {
    scripted_http http({status(code), status(200)});
    attempts.clear();
    delivery_report r = deliver(http, webhook_user("http://h/"), reminder());
    EXPECT_FALSE(r.delivered) << code;
    EXPECT_EQ(r.attempts, 1) << code;
    EXPECT_EQ(r.detail, "HTTP " + std::to_string(code));
    EXPECT_EQ(http.calls().size(), 1u) << code;
  }
}

TEST_F(WebhookLogicTest, TimeoutsThrottlingAndServerErrorsAreRetried) {
  for (int code : {408, 429, 500, 502, 503, 504}) {
    scripted_http http({status(code), status(200)});
    delivery_report r = deliver(http, webhook_user("http://h/"), reminder());
    EXPECT_TRUE(r.delivered) << code;
    EXPECT_EQ(r.attempts, 2) << code;
  }
}

TEST_F(WebhookLogicTest, RedirectsAreNotFollowedNorRetried) {
  scripted_http http({status(301), status(200)});
  delivery_report r = deliver(http, webhook_user("http://h/"), reminder());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.detail, "HTTP 301");
}

TEST_F(WebhookLogicTest, NetworkFailuresAreRetriedWithTheClientsMessageAsDetail) {
  scripted_http http({failure(http_failure_kind::connect, "connection refused (h:80)"),
                      failure(http_failure_kind::timeout, "timeout after 5000 ms"),
                      failure(http_failure_kind::resolve, "cannot resolve h: host not found"),
                      status(200)});
  delivery_report r = deliver(http, webhook_user("http://h/"), reminder());
  EXPECT_TRUE(r.delivered);
  ASSERT_EQ(attempts.size(), 4u);
  EXPECT_EQ(attempts[0].detail, "connection refused (h:80)");
  EXPECT_EQ(attempts[1].detail, "timeout after 5000 ms");
  EXPECT_EQ(attempts[2].detail, "cannot resolve h: host not found");
  EXPECT_EQ(attempts[3].detail, "HTTP 200");
}

TEST_F(WebhookLogicTest, AnUnusableUrlOrAnOversizedAnswerIsFinal) {
  scripted_http http({failure(http_failure_kind::bad_url, "URL port must be a number")});
  delivery_report r = deliver(http, webhook_user("http://h:x/"), reminder());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.detail, "bad webhook URL: URL port must be a number");

  scripted_http big(
      {failure(http_failure_kind::too_large, "response body larger than 1024 bytes")});
  r = deliver(big, webhook_user("http://h/"), reminder());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.attempts, 1);
}

TEST_F(WebhookLogicTest, AUserWithoutAWebhookUrlGetsOneFinalFailedAttempt) {
  scripted_http http;
  user u = webhook_user("http://h/");
  u.webhook_url.reset();
  delivery_report r = deliver(http, u, reminder());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.detail, "user has no webhook URL");
  EXPECT_TRUE(http.calls().empty());
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, attempt_outcome::failed);
}

TEST_F(WebhookLogicTest, TheBackoffLeavesTheMailboxAlone) {
  scripted_http http({status(503), status(200)});
  ctx.post = http.poster();
  ctx.now = [] {
    return from_millis(otter::now_ms());
  };
  std::vector<int> got = rt.run([this]() -> otter::co<std::vector<int>> {
    otter::send(otter::self(), 1);
    otter::send(otter::self(), 2);
    const user u = webhook_user("http://h/");
    const notification n = reminder();
    attempt_callback ignore = [](const new_attempt&) {
    };
    delivery_report r = co_await deliver_webhook(ctx, u, n, ignore);
    EXPECT_TRUE(r.delivered);
    std::vector<int> seen;
    seen.push_back(co_await otter::receive<int>());
    seen.push_back(co_await otter::receive<int>());
    co_return seen;
  });
  EXPECT_EQ(got, (std::vector<int>{1, 2}));
}

TEST(WebhookClassifyTest, MapsResultsToOutcomesAndRetries) {
  EXPECT_EQ(classify(status(200)).outcome, attempt_outcome::delivered);
  EXPECT_FALSE(classify(status(200)).retryable);
  EXPECT_EQ(classify(status(404)).outcome, attempt_outcome::failed);
  EXPECT_FALSE(classify(status(404)).retryable);
  EXPECT_TRUE(classify(status(429)).retryable);
  EXPECT_TRUE(classify(status(599)).retryable);
  EXPECT_TRUE(classify(failure(http_failure_kind::tls, "x")).retryable);
  EXPECT_TRUE(classify(failure(http_failure_kind::io, "x")).retryable);
  EXPECT_FALSE(classify(failure(http_failure_kind::bad_url, "x")).retryable);
  EXPECT_FALSE(classify(failure(http_failure_kind::too_large, "x")).retryable);
}

}  // namespace
}  // namespace notifier::channels
