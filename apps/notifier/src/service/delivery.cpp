#include "notifier/service/delivery.hpp"

#include "notifier/channels/deliver.hpp"
#include "notifier/service/repo.hpp"
#include "notifier/service/writer.hpp"
#include "otter/core/process.hpp"
#include "otter/otp/task_supervisor.hpp"

#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

namespace notifier::delivery {

otter::co<void> start(const env& e, notification n) {
  if (n.channel == channel::log) {
    co_await deliver(e, std::move(n));  // one log line and a cast: nothing that can hang
    co_return;
  }
  const env* ep = &e;
  const notification_id id = n.id;
  auto work = [ep, n = std::move(n)]() -> otter::co<void> {
    co_await deliver(*ep, n);
  };
  otter::start_result r =
      co_await otter::task_supervisor::start_child(otter::server_ref(e.names.delivery), work);
  if (!r) {
    // The entry stays undelivered in the store: the next start delivers it.
    spdlog::error("delivery of notification {} not started: {}", id.value,
                  r.error().reason.to_string());
  }
}

namespace {

/// The user a webhook goes to, read through the pool; an unavailable store is retried a few
/// times (the entry stays in the outbox either way, so giving up loses nothing).
otter::co<store_result<user>> recipient(const env& e, user_id id) {
  auto read = [id](store& s) {
    return s.user_by_id(id);
  };
  auto quietly = [](const store_error&, std::chrono::milliseconds) {
  };
  co_return co_await e.repo->run_retrying(read, e.config.store_retry, 5, quietly);
}

}  // namespace

otter::co<bool> deliver(const env& e, notification n) {
  user to{};
  to.id = n.user;
  if (n.channel == channel::webhook) {
    store_result<user> u = co_await recipient(e, n.user);
    if (!u) {
      spdlog::warn(
          "notification {} not delivered now (its user cannot be read: {}); it is "
          "delivered again at the next start",
          n.id.value, u.error().message);
      co_return false;
    }
    to = std::move(*u);
  }
  const env* ep = &e;
  channels::attempt_callback record = [ep](const new_attempt& a) {
    if (ep->stats != nullptr && a.outcome == attempt_outcome::failed) {
      ep->stats->failed_attempts.fetch_add(1, std::memory_order_relaxed);
    }
    writer::record(*ep, a);
  };
  channels::delivery_report report =
      co_await channels::deliver(e.delivery, std::move(to), std::move(n), std::move(record));
  if (report.delivered && e.stats != nullptr) {
    e.stats->delivered.fetch_add(1, std::memory_order_relaxed);
  }
  co_return report.delivered;
}

otter::co<store_result<std::size_t>> redeliver_all(const env& e) {
  std::size_t started = 0;
  notification_id after{};
  for (;;) {
    const std::size_t page_size = e.config.boot_page;
    auto page_of = [after, page_size](store& s) {
      return s.undelivered(after, page_size);
    };
    store_result<std::vector<notification>> page = co_await e.repo->run(page_of);
    if (!page) {
      co_return otter::unexpected<store_error>(page.error());
    }
    for (notification& n : *page) {
      after = n.id;
      co_await start(e, std::move(n));
      ++started;
    }
    if (page->size() < page_size) {
      co_return started;
    }
  }
}

}  // namespace notifier::delivery
