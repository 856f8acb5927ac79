// notifier/service/delivery.hpp: handing committed reminders to their channel
// (docs/design/notifier.md#delivery-outbox-at-least-once).
//
// A webhook delivery is a short-lived process under the delivery Task.Supervisor
// (env.names.delivery): a webhook that hangs or retries holds only its own process, never a
// worker or another delivery. A log-channel delivery, which cannot hang, runs in the caller. The
// delivery records every attempt through the writer; a delivered attempt marks the outbox entry
// delivered. An entry whose delivery was cut short (the service stopped, the node crashed) is still
// undelivered in the store and is delivered again at the next start (redeliver_all): at least once.
//
// Thread safety: the functions are @in_process.

#pragma once

#include "notifier/domain/notification.hpp"
#include "notifier/service/env.hpp"
#include "notifier/store/store_error.hpp"
#include "otter/core/co.hpp"

#include <cstddef>

namespace notifier::delivery {

/// Delivers `n`: a webhook in a process of its own, the log channel at once in the caller.
/// @in_process
otter::co<void> start(const env& e, notification n);

/// Delivers `n` in the calling process: chooses its channel, retries webhooks with backoff and
/// records each attempt. Returns whether it was delivered. @in_process
otter::co<bool> deliver(const env& e, notification n);

/// Starts a delivery for every undelivered outbox entry (boot). Returns how many, or the store
/// error that stopped the walk. @in_process
otter::co<store_result<std::size_t>> redeliver_all(const env& e);

}  // namespace notifier::delivery
