// Row decoding shared by the SQLite and PostgreSQL stores, and the column lists it relies on.
//
// `Row` is the backend's row cursor: i64(col), opt_i64(col), text(col), opt_text(col). Column
// order is the order of the *_columns lists below; every SELECT and RETURNING uses them.

#pragma once

#include "notifier/domain/notification.hpp"
#include "notifier/domain/task.hpp"
#include "notifier/domain/user.hpp"

#include "store/failure.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace notifier::detail {

inline constexpr std::string_view user_columns =
    "id, name, token_hash, webhook_url, webhook_secret, created_at";
inline constexpr std::string_view task_columns =
    "id, user_id, title, details, status, created_at, completed_at, next_notify_at";
inline constexpr std::string_view notification_columns =
    "id, task_id, user_id, channel, payload, created_at, delivered_at, attempts";
inline constexpr std::string_view attempt_columns =
    "id, notification_id, attempted_at, outcome, detail";

template <class E>
E parse_or_fail(std::optional<E> parsed, const std::string& text, const char* what) {
  if (!parsed) {
    fail(store_errc::internal, std::string("unknown ") + what + " '" + text + "' in the database");
  }
  return *parsed;
}

inline std::optional<timestamp> opt_time(std::optional<std::int64_t> ms) {
  return ms ? std::optional<timestamp>(from_millis(*ms)) : std::nullopt;
}

template <class Row>
user read_user(const Row& r) {
  return user{.id = user_id{r.i64(0)},
              .name = r.text(1),
              .token_hash = r.text(2),
              .webhook_url = r.opt_text(3),
              .webhook_secret = r.text(4),
              .created_at = from_millis(r.i64(5))};
}

template <class Row>
task read_task(const Row& r) {
  const std::string status = r.text(4);
  return task{.id = task_id{r.i64(0)},
              .user = user_id{r.i64(1)},
              .title = r.text(2),
              .details = r.opt_text(3),
              .status = parse_or_fail(parse_task_status(status), status, "task status"),
              .created_at = from_millis(r.i64(5)),
              .completed_at = opt_time(r.opt_i64(6)),
              .next_notify_at = from_millis(r.i64(7))};
}

template <class Row>
notification read_notification(const Row& r) {
  const std::string ch = r.text(3);
  return notification{.id = notification_id{r.i64(0)},
                      .task = task_id{r.i64(1)},
                      .user = user_id{r.i64(2)},
                      .channel = parse_or_fail(parse_channel(ch), ch, "channel"),
                      .payload = r.text(4),
                      .created_at = from_millis(r.i64(5)),
                      .delivered_at = opt_time(r.opt_i64(6)),
                      .attempts = static_cast<int>(r.i64(7))};
}

template <class Row>
delivery_attempt read_attempt(const Row& r) {
  const std::string outcome = r.text(3);
  return delivery_attempt{
      .id = attempt_id{r.i64(0)},
      .notification = notification_id{r.i64(1)},
      .attempted_at = from_millis(r.i64(2)),
      .outcome = parse_or_fail(parse_attempt_outcome(outcome), outcome, "attempt outcome"),
      .detail = r.text(4)};
}

}  // namespace notifier::detail
