#include "notifier/service/delivery.hpp"

#include "notifier/service/repo.hpp"
#include "notifier/service/writer.hpp"

#include "otter/otp/task_supervisor.hpp"

#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

namespace notifier::delivery {

otter::co<void> start(const env& e, notification n) {
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

otter::co<bool> deliver(const env& e, notification n) {
  const timestamp at = e.now();
  spdlog::info("notify user {} of task {} (notification {}): {}", n.user.value, n.task.value,
               n.id.value, n.payload);
  new_attempt attempt{.notification = n.id,
                      .attempted_at = at,
                      .outcome = attempt_outcome::delivered,
                      .detail = "log"};
  writer::record(e, std::move(attempt));
  co_return true;
}

otter::co<store_result<std::size_t>> redeliver_all(const env& e) {
  std::size_t started = 0;
  notification_id after{};
  for (;;) {
    const std::size_t page_size = e.config.boot_page;
    auto page_of = [after, page_size](store& s) { return s.undelivered(after, page_size); };
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
