// notifier/domain/notification.hpp: the outbox (one entry per notification) and the record of
// each delivery attempt.
//
// Outbox protocol (docs/design/notifier_store.md#outbox): a notification is written to the store
// before it is delivered, and marked delivered after; an entry still undelivered after a crash
// is delivered again. Delivery is therefore at least once: a crash between delivering and
// marking repeats the delivery, so receivers must tolerate duplicates; an entry's id is the same
// on every redelivery, which lets a deliverer tell receivers which copies are one notification.
//
// Thread safety: values and pure functions.

#pragma once

#include "notifier/domain/clock.hpp"
#include "notifier/domain/ids.hpp"
#include "notifier/domain/user.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace notifier {

/// Where a notification goes: the service log, or an HTTP POST to the user's webhook URL.
enum class channel : std::uint8_t { log, webhook };

/// "log" or "webhook": the stored form.
[[nodiscard]] std::string_view to_string(channel c) noexcept;
[[nodiscard]] std::optional<channel> parse_channel(std::string_view text) noexcept;
/// The channel for `u`'s notifications: webhook when the user has a webhook URL, else log.
[[nodiscard]] channel channel_for(const user& u) noexcept;

/// An outbox entry.
struct notification {
  notification_id id{};
  task_id task{};
  user_id user{};
  notifier::channel channel = notifier::channel::log;
  std::string payload{};  // JSON text (payload.hpp), delivered as is
  timestamp created_at{};
  std::optional<timestamp> delivered_at{};  // empty while undelivered
  int attempts = 0;                         // delivery attempts recorded so far

  friend bool operator==(const notification&, const notification&) = default;
};

/// An entry to enqueue. With next_notify_at set, the task's schedule moves to that instant in
/// the same transaction as the insert: the reminder and the schedule advance commit together, so
/// a crash can neither lose the reminder nor send it twice on account of the schedule.
struct new_notification {
  task_id task{};
  user_id user{};
  notifier::channel channel = notifier::channel::log;
  std::string payload{};
  timestamp created_at{};
  std::optional<timestamp> next_notify_at{};
};

enum class attempt_outcome : std::uint8_t {
  delivered,  // the channel accepted it (webhook: a 2xx answer)
  failed,     // not delivered; the deliverer may retry after a backoff (backoff.hpp)
};

[[nodiscard]] std::string_view to_string(attempt_outcome o) noexcept;
[[nodiscard]] std::optional<attempt_outcome> parse_attempt_outcome(std::string_view text) noexcept;

/// One delivery attempt of a notification.
struct delivery_attempt {
  attempt_id id{};
  notification_id notification{};
  timestamp attempted_at{};
  attempt_outcome outcome = attempt_outcome::failed;
  std::string detail{};  // e.g. "HTTP 503", "connection refused"

  friend bool operator==(const delivery_attempt&, const delivery_attempt&) = default;
};

/// An attempt to record.
struct new_attempt {
  notification_id notification{};
  timestamp attempted_at{};
  attempt_outcome outcome = attempt_outcome::failed;
  std::string detail{};
};

}  // namespace notifier
