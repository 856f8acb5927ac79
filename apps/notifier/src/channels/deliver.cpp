#include "notifier/channels/deliver.hpp"

#include "notifier/channels/log_channel.hpp"

#include <utility>

namespace notifier::channels {

otter::co<delivery_report> deliver(const delivery_context& ctx, user to, notification n,
                                   attempt_callback on_attempt) {
  if (n.channel == channel::log) {
    const new_attempt logged = deliver_log(n, ctx.now());
    if (on_attempt) {
      on_attempt(logged);
    }
    co_return delivery_report{.delivered = true, .attempts = 1, .detail = logged.detail};
  }
  co_return co_await deliver_webhook(ctx, std::move(to), std::move(n), std::move(on_attempt));
}

}  // namespace notifier::channels
