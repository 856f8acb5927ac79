// tests/channels/channel_test_support.hpp: what the channel tests share: a user and a
// notification to deliver, and a scripted stand-in for the HTTP client that runs on the
// deterministic runtime.

#pragma once

#include "notifier/channels/webhook.hpp"
#include "notifier/domain/notification.hpp"
#include "notifier/domain/user.hpp"
#include "notifier/http/client.hpp"
#include "otter/core/co.hpp"
#include "otter/core/process.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace notifier::channels::test {

inline user webhook_user(std::string url) {
  return user{.id = user_id{7},
              .name = "ada",
              .token_hash = "hash",
              .webhook_url = std::move(url),
              .webhook_secret = "5ec7e7",
              .created_at = from_millis(1'700'000'000'000)};
}

inline notification reminder(notifier::channel c = notifier::channel::webhook) {
  return notification{
      .id = notification_id{42},
      .task = task_id{9},
      .user = user_id{7},
      .channel = c,
      .payload = R"({"event":"task.reminder","reason":"scheduled","at":1700000000000,"user_id":7})",
      .created_at = from_millis(1'700'000'000'000),
      .delivered_at = std::nullopt,
      .attempts = 0};
}

inline http::http_result status(int code) {
  return http::http_response{.status = code, .body = {}};
}

inline http::http_result failure(http::http_failure_kind kind, std::string message) {
  return otter::unexpected<http::http_failure>(
      http::http_failure{.kind = kind, .message = std::move(message)});
}

/// An http_poster that answers from a script, at once, and records each request with the
/// runtime time it was made. Used inside one runtime's processes; on the deterministic runtime
/// the times are virtual. After the script, it answers 200.
class scripted_http {
public:
  struct call {
    std::int64_t at_ms = 0;
    http::http_request request{};
  };

  explicit scripted_http(std::vector<http::http_result> script = {})
      : state_(std::make_shared<state>()) {
    for (auto& r : script) {
      state_->script.push_back(std::move(r));
    }
  }

  [[nodiscard]] http_poster poster() const {
    return [s = state_](http::http_request request) {
      s->calls.push_back(call{.at_ms = otter::now_ms(), .request = std::move(request)});
      http::http_result next = status(200);
      if (!s->script.empty()) {
        next = std::move(s->script.front());
        s->script.pop_front();
      }
      return answer(std::move(next));
    };
  }

  [[nodiscard]] const std::vector<call>& calls() const { return state_->calls; }

private:
  struct state {
    std::deque<http::http_result> script;
    std::vector<call> calls;
  };
  static otter::co<http::http_result> answer(http::http_result r) { co_return r; }

  std::shared_ptr<state> state_;
};

}  // namespace notifier::channels::test
