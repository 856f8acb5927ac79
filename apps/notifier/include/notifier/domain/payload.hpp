// notifier/domain/payload.hpp: the JSON text a reminder carries (stored in the outbox entry and
// delivered as is: the log line, or the webhook request body).
//
//   {"event":"task.reminder","reason":"scheduled","at":1700000000000,"user_id":7,
//    "task":{"id":42,"title":"Pay rent","details":null,"created_at":1699990000000}}
//
// Times are milliseconds since the Unix epoch. Text that is not valid UTF-8 is written with
// U+FFFD in place of the bad bytes, so a payload is always valid JSON.
//
// Thread safety: pure functions.

#pragma once

#include "notifier/domain/clock.hpp"
#include "notifier/domain/task.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace notifier {

/// Why a reminder is sent: the schedule, or a user's "notify now".
enum class reminder_reason : std::uint8_t { scheduled, requested };

[[nodiscard]] std::string_view to_string(reminder_reason r) noexcept;

/// The payload of a reminder of `t`, sent at `at` for `reason`.
[[nodiscard]] std::string reminder_payload(const task& t, reminder_reason reason, timestamp at);

}  // namespace notifier
