#include "notifier/channels/webhook.hpp"

#include "notifier/domain/signature.hpp"
#include "otter/core/process.hpp"

#include <algorithm>
#include <utility>

namespace notifier::channels {

namespace {

constexpr std::string_view user_agent = "otter-notifier/1";

bool retryable_status(int status) {
  return status >= 500 || status == 408 || status == 429;
}

}  // namespace

http_poster io_poster(io_runner& io) {
  // Not a coroutine: it returns post()'s frame, which owns its own copy of the request.
  return [&io](http::http_request request) {
    return http::post(io, std::move(request));
  };
}

http::http_request webhook_request(const user& to, const notification& n, int attempt,
                                   const webhook_options& options) {
  http::http_request request;
  request.url = to.webhook_url.value_or(std::string());
  request.body = n.payload;
  request.headers.reserve(5);
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("User-Agent", std::string(user_agent));
  request.headers.emplace_back(std::string(signature_header),
                               webhook_signature(to.webhook_secret, n.payload));
  request.headers.emplace_back("X-Otter-Notification", std::to_string(n.id.value));
  request.headers.emplace_back("X-Otter-Attempt", std::to_string(attempt));
  request.timeout = options.timeout;
  request.max_response_bytes = options.max_response_bytes;
  request.ca_file = options.ca_file;
  return request;
}

attempt_result classify(const http::http_result& result) {
  if (result) {
    const int status = result->status;
    const std::string detail = "HTTP " + std::to_string(status);
    if (status >= 200 && status < 300) {
      return {.outcome = attempt_outcome::delivered, .detail = detail, .retryable = false};
    }
    return {.outcome = attempt_outcome::failed,
            .detail = detail,
            .retryable = retryable_status(status)};
  }
  const http::http_failure& f = result.error();
  switch (f.kind) {
    case http::http_failure_kind::bad_url:
      return {.outcome = attempt_outcome::failed,
              .detail = "bad webhook URL: " + f.message,
              .retryable = false};
    case http::http_failure_kind::too_large:
      return {.outcome = attempt_outcome::failed, .detail = f.message, .retryable = false};
    case http::http_failure_kind::resolve:
    case http::http_failure_kind::connect:
    case http::http_failure_kind::tls:
    case http::http_failure_kind::timeout:
    case http::http_failure_kind::io:
      break;
  }
  return {.outcome = attempt_outcome::failed, .detail = f.message, .retryable = true};
}

otter::co<delivery_report> deliver_webhook(const delivery_context& ctx, user to, notification n,
                                           attempt_callback on_attempt) {
  delivery_report report;
  auto record = [&](timestamp at, const attempt_result& a) {
    if (on_attempt) {
      on_attempt(new_attempt{
          .notification = n.id, .attempted_at = at, .outcome = a.outcome, .detail = a.detail});
    }
  };
  if (!to.webhook_url) {
    const attempt_result none{.outcome = attempt_outcome::failed,
                              .detail = "user has no webhook URL",
                              .retryable = false};
    report.attempts = 1;
    report.detail = none.detail;
    record(ctx.now(), none);
    co_return report;
  }
  const backoff_policy& policy = ctx.webhook.backoff;
  for (int i = 1;; ++i) {
    const timestamp at = ctx.now();
    http::http_request request = webhook_request(to, n, n.attempts + i, ctx.webhook);
    http::http_result result = co_await ctx.post(std::move(request));
    const attempt_result a = classify(result);
    report.attempts = i;
    report.detail = a.detail;
    record(at, a);
    if (a.outcome == attempt_outcome::delivered) {
      report.delivered = true;
      co_return report;
    }
    if (!a.retryable || !may_retry(policy, i)) {
      co_return report;
    }
    // A timed wait of this process only: other processes deliver meanwhile.
    co_await otter::sleep(backoff_delay(policy, i));
  }
}

}  // namespace notifier::channels
