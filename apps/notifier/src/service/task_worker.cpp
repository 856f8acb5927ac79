#include "notifier/service/task_worker.hpp"

#include "notifier/domain/payload.hpp"
#include "notifier/domain/schedule.hpp"
#include "notifier/service/delivery.hpp"
#include "notifier/service/reader.hpp"
#include "notifier/service/worker_table.hpp"
#include "notifier/service/writer.hpp"
#include "otter/core/process.hpp"
#include "otter/core/timer.hpp"
#include "otter/otp/dynamic_supervisor.hpp"
#include "otter/otp/gen_server.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

namespace notifier::task_worker {
namespace {

namespace gen_server = otter::gen_server;
using gen_server::cast_result;

/// The timer's message. Only the tick of the latest timer counts: arming a timer bumps the
/// state's generation, so a tick of an older one (left in the mailbox, or not cancelled in
/// time) is ignored and exactly one timer drives the worker.
struct tick {
  std::uint32_t generation = 0;
};
struct remind_now {};

struct worker {
  struct state {
    const env* e = nullptr;
    task_id task{};
    user_id user{};
    std::optional<channel> ch{};  // the user's channel, read on the first check
    std::uint32_t generation = 0;
    int failures = 0;        // consecutive unavailable-store failures
    bool requested = false;  // a notify_now not served yet (the store was unavailable)
  };

  state init(const env* e, start_point p) {
    state s{.e = e, .task = p.task, .user = p.user};
    arm(s, p.due);
    return s;
  }

  otter::co<cast_result> handle_info(otter::message& m, state& s) {
    if (m.is<tick>() && m.get<tick>().generation == s.generation) {
      co_return co_await check(s);
    }
    co_return cast_result::noreply();
  }

  // Stopping by itself (completed, gone, a store error, a crash): the worker's entry goes with
  // it. A stop by a :shutdown signal skips this; stop() below removes the entry then.
  void terminate(const otter::term& /*reason*/, state& s) {
    worker_table::forget(s.e->names.workers, s.task, otter::self());
  }

  otter::co<cast_result> handle_cast(remind_now, state& s) {
    s.requested = true;
    co_return co_await check(s);
  }

  static void arm(state& s, timestamp at) {
    arm_in(s, std::max<std::int64_t>(0, (at - s.e->now()).count()));
  }
  // The one place a timer is armed: a new generation makes every older tick stale.
  static void arm_in(state& s, std::int64_t delay_ms) {
    otter::send_after(otter::self(), tick{++s.generation}, delay_ms);
  }

  static cast_result stop_for(const store_error& err) {
    return cast_result::stop(otter::tuple(otter::atom("store_error"),
                                          otter::atom(std::string(to_string(err.code))),
                                          otter::term(err.message)));
  }

  // A failed store trip: back off on `unavailable`, stop :normal when the task is gone, stop
  // abnormally (and be restarted) otherwise.
  static cast_result failed(state& s, const store_error& err) {
    if (err.code == store_errc::not_found) {
      return cast_result::stop(otter::term(otter::atoms::normal));
    }
    if (!err.retryable()) {
      return stop_for(err);
    }
    ++s.failures;
    if (s.e->stats != nullptr) {
      s.e->stats->store_retries.fetch_add(1, std::memory_order_relaxed);
    }
    arm_in(s, backoff_delay(s.e->config.store_retry, s.failures).count());
    return cast_result::noreply();
  }

  static otter::co<cast_result> check(state& s) {
    const env& e = *s.e;
    store_result<reader::loaded> r = co_await reader::load(e, s.user, s.task, !s.ch);
    if (!r) {
      co_return failed(s, r.error());
    }
    const task& t = r->t;
    if (t.status == task_status::completed) {
      co_return cast_result::stop(otter::term(otter::atoms::normal));
    }
    if (r->ch) {
      s.ch = r->ch;
    }
    const timestamp now = e.now();
    const bool due = is_due(t, now);
    if (!due && !s.requested) {
      s.failures = 0;
      arm(s, t.next_notify_at);
      co_return cast_result::noreply();
    }
    new_notification entry{
        .task = t.id,
        .user = t.user,
        .channel = *s.ch,
        .payload =
            reminder_payload(t, due ? reminder_reason::scheduled : reminder_reason::requested, now),
        .created_at = now,
        .next_notify_at =
            due ? std::optional<timestamp>(next_notify_at(t.next_notify_at, e.config.interval, now))
                : std::nullopt};
    notification n{.id = {},
                   .task = entry.task,
                   .user = entry.user,
                   .channel = entry.channel,
                   .payload = entry.payload,
                   .created_at = now,
                   .delivered_at = std::nullopt,
                   .attempts = 0};
    std::optional<timestamp> next = entry.next_notify_at;
    store_result<notification_id> id = co_await writer::enqueue(e, std::move(entry));
    if (!id) {
      co_return failed(s, id.error());
    }
    if (e.stats != nullptr) {
      e.stats->reminders.fetch_add(1, std::memory_order_relaxed);
    }
    s.failures = 0;
    s.requested = false;
    n.id = *id;
    co_await delivery::start(e, std::move(n));
    arm(s, next.value_or(t.next_notify_at));
    co_return cast_result::noreply();
  }
};

}  // namespace

otter::server_ref name(const env& e, task_id task) {
  return otter::server_ref::via(worker_table::names(e.names.workers), otter::term(task.value));
}

std::optional<otter::pid> whereis(const env& e, task_id task) {
  const otter::pid p = worker_table::whereis(e.names.workers, task);
  if (p.is_null()) {
    return std::nullopt;
  }
  return p;
}

otter::child_spec child_spec(const env& e, start_point p) {
  otter::child_spec spec;
  spec.restart = otter::restart::transient;
  const env* ep = &e;
  spec.start = otter::start_with([ep, p]() {
    gen_server::start_options opts;
    opts.name = name(*ep, p.task);
    return gen_server::start_link<worker>(std::move(opts), ep, p);
  });
  return spec;
}

otter::co<otter::start_result> start(const env& e, start_point p) {
  otter::start_result r = co_await otter::dynamic_supervisor::start_child(
      otter::server_ref(e.names.tasks), child_spec(e, p));
  if (!r && r.error().code == otter::errc::already_started) {
    co_return otter::start_result(r.error().reason.elements()[1].as_pid());
  }
  co_return r;
}

bool notify_now(const env& e, task_id task) {
  std::optional<otter::pid> w = whereis(e, task);
  if (!w) {
    return false;
  }
  gen_server::cast<worker>(otter::server_ref(*w), remind_now{});
  return true;
}

otter::co<otter::expected<void>> stop(const env& e, task_id task) {
  std::optional<otter::pid> w = whereis(e, task);
  if (!w) {
    co_return otter::expected<void>();
  }
  otter::expected<void> r =
      co_await otter::dynamic_supervisor::terminate_child(otter::server_ref(e.names.tasks), *w);
  if (!r && r.error().code == otter::errc::not_found) {
    co_return otter::expected<void>();  // it stopped by itself meanwhile
  }
  if (r) {
    worker_table::forget(e.names.workers, task, *w);  // :shutdown skipped its terminate
  }
  co_return r;
}

}  // namespace notifier::task_worker
