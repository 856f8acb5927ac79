// notifier/channels/webhook.hpp: delivering a notification by HTTP POST to the user's URL.
//
// One attempt POSTs the notification's payload (the outbox's JSON text, byte for byte) to the
// user's webhook_url with the headers
//
//   Content-Type: application/json
//   User-Agent: otter-notifier/1
//   X-Otter-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the user's secret>
//   X-Otter-Notification: <notification id>   (the same on every redelivery: drop duplicates)
//   X-Otter-Attempt: <n>                       (1 for the first attempt ever made)
//
// A 2xx answer is `delivered`; anything else is `failed`, with a detail for the attempt's
// record: "HTTP 503", "timeout after 5000 ms", "connection refused (127.0.0.1:9)".
//
// deliver_webhook() makes up to policy.max_attempts attempts, waiting between them as
// domain/backoff.hpp says. Whether a failure is retried:
//   - retried: 5xx, 408 Request Timeout, 429 Too Many Requests, and failures to resolve,
//     connect, handshake, send or read (including the timeout);
//   - final: other 4xx (the receiver refuses this request; sending it again will not help),
//     3xx (redirects are not followed: the signature is for the URL the user registered), a URL
//     the client cannot use, and an answer larger than max_response_bytes.
// Attempt numbers continue from notification.attempts (the attempts already recorded), so a
// redelivery after a crash says X-Otter-Attempt: 4 if three were recorded before; max_attempts
// bounds the attempts of one call.
//
// Everything runs in the calling process: the POST waits in a receive and the backoff is a
// timed wait (otter::sleep), so a URL that hangs costs only its own deliveries their timeout,
// and on the deterministic runtime the backoff is virtual time. How the POST is made is a
// parameter (http_poster): io_poster() in the service, a fake in tests that run on the
// deterministic runtime (whose single thread cannot take messages from the I/O threads).
//
// Thread safety: the functions are @in_process where they return otter::co, pure otherwise;
// a delivery_context is read by many processes at once and must not change meanwhile.

#pragma once

#include "notifier/domain/backoff.hpp"
#include "notifier/domain/clock.hpp"
#include "notifier/domain/notification.hpp"
#include "notifier/domain/user.hpp"
#include "notifier/http/client.hpp"
#include "notifier/io/io_runner.hpp"
#include "otter/core/co.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace notifier::channels {

/// Makes one POST, inside a process.
using http_poster = std::function<otter::co<http::http_result>(http::http_request)>;

/// The poster of the service: http::post on `io` (which must outlive the poster's uses).
[[nodiscard]] http_poster io_poster(io_runner& io);

/// Called after each attempt with its record, in the delivering process. It must not block
/// (the service hands the record to its writer and returns).
using attempt_callback = std::function<void(const new_attempt&)>;

/// How webhooks are sent.
struct webhook_options {
  backoff_policy backoff{};
  std::chrono::milliseconds timeout{5000};     // per attempt, the whole exchange
  std::size_t max_response_bytes = 64 * 1024;  // an answer's body is read and dropped
  std::string ca_file{};                       // extra trusted CAs (http_request::ca_file)
};

/// What every delivery needs; built once by the service.
struct delivery_context {
  http_poster post{};
  std::function<timestamp()> now = &wall_clock_now;  // the attempts' times
  webhook_options webhook{};
};

/// One attempt's result.
struct attempt_result {
  attempt_outcome outcome = attempt_outcome::failed;
  std::string detail{};    // "HTTP 200", "HTTP 503", "timeout after 5000 ms", ...
  bool retryable = false;  // a failure that another attempt may cure (see the top of the file)
};

/// The request of attempt number `attempt` (>= 1) of `n` to `to` (whose webhook_url is set).
[[nodiscard]] http::http_request webhook_request(const user& to, const notification& n, int attempt,
                                                 const webhook_options& options);

/// What `result` means for the delivery.
[[nodiscard]] attempt_result classify(const http::http_result& result);

/// How a delivery ended.
struct delivery_report {
  bool delivered = false;
  int attempts = 0;      // made by this call
  std::string detail{};  // the last attempt's detail
};

/// Delivers `n` to `to`'s webhook: attempts with backoff until one is delivered, one fails for
/// good, or policy.max_attempts were made; calls `on_attempt` after each. A user without a
/// webhook URL gets one final failed attempt ("user has no webhook URL"). `ctx` must outlive
/// the call (the service keeps one for its life). @in_process
[[nodiscard]] otter::co<delivery_report> deliver_webhook(const delivery_context& ctx, user to,
                                                         notification n,
                                                         attempt_callback on_attempt);

}  // namespace notifier::channels
