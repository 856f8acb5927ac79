// notifier/channels/deliver.hpp: delivering a notification through its channel.
//
// The channel is the notification's own (notification.channel, chosen by channel_for(user)
// when it was enqueued and stored with it), so a redelivery goes where the first delivery
// went. log: one line, delivered. webhook: deliver_webhook() with its retries; a user whose
// webhook URL is gone since gets a final failed attempt.
//
//   auto report = co_await channels::deliver(ctx, owner, entry, [&](const new_attempt& a) {
//     writer.record(a);  // must not block
//   });
//
// Thread safety: @in_process; see webhook.hpp for the context.

#pragma once

#include "notifier/channels/webhook.hpp"
#include "notifier/domain/notification.hpp"
#include "notifier/domain/user.hpp"
#include "otter/core/co.hpp"

namespace notifier::channels {

/// Delivers `n` (whose user is `to`) through n.channel, calling `on_attempt` after each
/// attempt. `ctx` must outlive the call. @in_process
[[nodiscard]] otter::co<delivery_report> deliver(const delivery_context& ctx, user to,
                                                 notification n, attempt_callback on_attempt);

}  // namespace notifier::channels
