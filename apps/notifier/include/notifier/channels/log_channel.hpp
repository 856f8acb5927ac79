// notifier/channels/log_channel.hpp: delivering a notification to the service's log.
//
// The default channel (users without a webhook URL): one line per notification through
// Otter's logger (otter/core/logger.hpp), at level info, of kind "notifier notification":
//
//   notifier notification id=12 task=42 user=7 payload={"event":"task.reminder",...}
//
// The payload is printed as it is stored (compact JSON, one line), so the line can be parsed:
// everything after "payload=" is the JSON document. (It is carried as an opaque term, which a
// term printer writes verbatim.)
// The logger hands the event to the program's sink: spdlog's default logger unless the
// service (or a test) installed another with otter::set_log_sink. Writing the line is the
// delivery, so it is always `delivered`.
//
// Thread safety: @threadsafe (the logger's sink must be, as logger.hpp requires).

#pragma once

#include "notifier/domain/clock.hpp"
#include "notifier/domain/notification.hpp"

#include <string_view>

namespace notifier::channels {

/// The kind of the log events this channel writes.
inline constexpr std::string_view log_event_kind = "notifier notification";

/// Logs `n` and returns the attempt to record (delivered at `now`, detail "logged").
new_attempt deliver_log(const notification& n, timestamp now);

}  // namespace notifier::channels
