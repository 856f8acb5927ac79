// The scheduler loop: docs/design/scheduler.md describes the protocols referenced here.

#include "otter/core/logger.hpp"
#include "otter/core/process.hpp"
#include "otter/detail/assert.hpp"

#include "core/scheduler/runtime_impl.hpp"

#include <algorithm>

namespace otter::detail {

constinit thread_local thread_context t_context;

namespace {
// Whether a suspended receive can complete now. A matching message wins over a timeout that
// fired in the same step (as on the BEAM, where the message is matched before the timeout is
// seen); an after(0) put back for using up its slice times out here: it checks once, never
// waits.
bool receive_can_complete(receive_base& r, message_queue& q) noexcept {
  if (r.try_match(q)) {
    r.timed_out = false;
    return true;
  }
  if (r.timeout_ms == 0) {
    r.timed_out = true;
  }
  return r.timed_out;
}
// The BEAM's "Error in process" report for a plain process that raised. It is logged by a
// short-lived process a millisecond later, not by the dying one: on the BEAM the report reaches
// the logger asynchronously, after the exit signals, and a monitoring process sees the DOWN
// first. (proc_lib processes catch their exceptions and exit() with a crash report instead, so
// they never get here.)
co<void> error_in_process_report(pid who, term reason) {
  co_await sleep(1);
  log(log_event{log_level::error,
                "emulator error_in_process",
                {{"pid", term(who)}, {"reason", std::move(reason)}}});
}

void report_error_in_process(runtime_impl& rt, pid who, term reason) noexcept {
  spawn_request req(error_in_process_report(who, without_stacktrace(reason)));
  (void)spawn(rt, req);
}
}  // namespace

worker::worker(runtime_impl* r, std::uint32_t i, std::uint64_t now)
    : rt(r),
      id(i),
      wheel(now),
      rng_(static_cast<std::minstd_rand::result_type>(
          r->options.manual && r->options.shuffle_seed != 0 ? r->options.shuffle_seed : i + 1)) {}

void worker::schedule(process* p, bool woken_by_process) noexcept {
  if (rt->options.manual && rt->options.shuffle_seed != 0) {
    shuffle_.push_back(p);
    return;
  }
  bool stealable = woken_by_process ? rq.push_next(p) : rq.push(p);
  // Wake an idle worker only when there is something it may steal.
  if (stealable && rt->workers.size() > 1 && rq.stealable()) {
    rt->notify_idle_worker();
  }
}

void worker::wake() noexcept {
  {
    std::lock_guard<std::mutex> lock(park_mu_);
    notified_ = true;
  }
  park_cv_.notify_one();
}

process* worker::next_process() noexcept {
  ++tick_;
  if ((tick_ & 31) == 0) {
    fire_timers();
  }
  if (!shuffle_.empty()) {
    std::size_t i = rng_() % shuffle_.size();
    process* p = shuffle_[i];
    shuffle_[i] = shuffle_.back();
    shuffle_.pop_back();
    return p;
  }
  // Every 61st pick looks at the injector first, so that outside work is not starved by a
  // busy local queue (the number is the BEAM's and Go's habit: prime, so not in phase).
  bool injector_first = (tick_ % 61) == 0;
  if (!injector_first) {
    if (process* p = rq.pop()) {
      return p;
    }
  }
  // Ordering: acquire pairs with the release store after a push under injector_mu; a false
  // negative only delays the pick to the next round.
  if (rt->injector_nonempty.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(rt->injector_mu);
    if (!rt->injector.empty()) {
      process* p = rt->injector.front();
      rt->injector.pop_front();
      rt->injector_nonempty.store(!rt->injector.empty(), std::memory_order_release);
      return p;
    }
  }
  return injector_first ? rq.pop() : nullptr;
}

process* worker::steal() noexcept {
  const std::size_t n = rt->workers.size();
  if (n <= 1) {
    return nullptr;
  }
  std::size_t start = rng_() % n;
  for (std::size_t i = 0; i < n; ++i) {
    worker* victim = rt->workers[(start + i) % n].get();
    if (victim == this) {
      continue;
    }
    if (process* p = victim->rq.steal_into(rq)) {
      return p;
    }
  }
  return nullptr;
}

void worker::run_loop() noexcept {
  tls().w = this;
  while (!rt->halting.load(std::memory_order_acquire)) {
    if (process* p = next_process()) {
      run_process(p);
      continue;
    }
    fire_timers();
    if (rq.has_work()) {
      continue;
    }
    // Search a little before sleeping: a process woken on another worker is often about to
    // be pushed, and a park/unpark costs two context switches.
    process* stolen = nullptr;
    for (int round = 0; round < 4 && stolen == nullptr; ++round) {
      stolen = steal();
      if (stolen == nullptr) {
        std::this_thread::yield();
      }
    }
    if (stolen != nullptr) {
      run_process(stolen);
      continue;
    }
    park();
  }
  tls().w = nullptr;
}

// Park protocol (docs/design/scheduler.md#idle):
//   1. set our bit in `sleepers` (seq_cst);
//   2. look for work again (every queue, the injector, remote timers);
//   3. sleep until notified or until the next timer is due.
// A pusher publishes work, then (seq_cst fence) reads `sleepers` and wakes one sleeper whose bit
// it clears. Either the pusher sees our bit (and wakes us), or step 2 sees its work.
void worker::park() noexcept {
  const std::uint64_t bit = std::uint64_t{1} << id;
  rt->sleepers.fetch_or(bit, std::memory_order_seq_cst);
  // The re-check below reads with acquire loads; the fence puts them after the fetch_or in the
  // seq_cst order that the Dekker argument with notify_idle_worker() needs.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  bool work = rq.has_work() || rt->injector_nonempty.load(std::memory_order_seq_cst)
              || has_remote_timers.load(std::memory_order_seq_cst);
  for (std::size_t i = 0; !work && i < rt->workers.size(); ++i) {
    work = rt->workers[i].get() != this && rt->workers[i]->rq.stealable();
  }
  if (!work && !rt->halting.load(std::memory_order_acquire)) {
    std::optional<std::uint64_t> deadline = wheel.next_deadline();
    std::unique_lock<std::mutex> lock(park_mu_);
    auto ready = [this] {
      return notified_ || rt->halting.load(std::memory_order_acquire);
    };
    if (deadline) {
      std::uint64_t now = rt->now();
      if (*deadline > now) {
        // Clamped: a deadline centuries away would overflow wait_for's nanoseconds and return
        // at once, spinning the worker. An early wake just re-parks.
        auto wait = std::min<std::uint64_t>(*deadline - now, 3'600'000);
        park_cv_.wait_for(lock, std::chrono::milliseconds(wait), ready);
      }
    } else {
      park_cv_.wait(lock, ready);
    }
    notified_ = false;
  }
  rt->sleepers.fetch_and(~bit, std::memory_order_seq_cst);
}

void worker::arm_local(timer_node* t) noexcept {
  OTTER_ASSERT(t->owner == id, "a timer is filed in the wheel of its owner");
  wheel.insert(t);
}

void worker::fire_timers() noexcept {
  // Ordering: acquire pairs with the release store after arming from outside.
  if (has_remote_timers.load(std::memory_order_acquire)) {
    std::vector<timer_node*> pending;
    {
      std::lock_guard<std::mutex> lock(remote_mu);
      pending.swap(remote_timers);
      has_remote_timers.store(false, std::memory_order_relaxed);
    }
    for (timer_node* t : pending) {
      arm_local(t);
    }
  }
  if (wheel.empty()) {
    return;
  }
  wheel.advance(rt->now(), [this](timer_entry* e) { rt->fire(static_cast<timer_node*>(e)); });
}

std::size_t worker::run_until_idle(std::size_t max_steps) noexcept {
  auto& ctx = tls();
  worker* saved = ctx.w;
  ctx.w = this;
  std::size_t steps = 0;
  for (;;) {
    fire_timers();
    process* p = next_process();
    if (p == nullptr) {
      break;
    }
    run_process(p);
    ++steps;
    if (max_steps != 0 && steps >= max_steps) {
      break;
    }
  }
  ctx.w = saved;
  return steps;
}

// Runs one process until it parks, yields, uses its slice, or exits. The process is owned by
// this thread from the pop that returned it until it is parked or pushed again; after either,
// `p` must not be touched (another worker may already run it).
void worker::run_process(process* p) noexcept {
  auto& ctx = tls();
  ctx.current = p;
  p->state.store(sched_state::running, std::memory_order_relaxed);
  p->slice_reductions = 0;
  const std::uint32_t budget = rt->options.reductions_per_slice;
  for (;;) {
    drain(*p);
    if (p->exit_pending && !p->blocking_in_flight) {
      terminate(*p);
      break;
    }
    bool resume = false;
    switch (p->suspended) {
      case suspend_kind::none:
      case suspend_kind::yield:
        resume = true;
        break;
      case suspend_kind::receive:
        resume = !p->exit_pending && receive_can_complete(*p->waiting, p->mq);
        break;
      case suspend_kind::blocking:
        resume = p->blocking_done && !p->exit_pending;
        break;
    }
    if (!resume) {
      if (p->suspended == suspend_kind::receive && p->receive_timer == nullptr
          && p->waiting->timeout_ms > 0) {
        p->receive_timer = rt->arm_receive_timeout(
            p, rt->deadline_in(static_cast<std::uint64_t>(p->waiting->timeout_ms)));
      }
      // Park: docs/design/scheduler.md#park.
      //   1. While still the owner, note whether the consumer side holds a half-linked node.
      //   2. Store `waiting`. From here a sender may make p runnable and another worker may run
      //      it: only the CAS of step 3 may touch p again.
      //   3. If anything is pending, take p back (CAS waiting -> running) and go round again;
      //      losing the CAS means a sender queued it.
      const bool unconsumed = p->in.unconsumed();
      ctx.current = nullptr;
      p->state.store(sched_state::waiting, std::memory_order_seq_cst);
      if (!unconsumed && !p->in.pending()) {
        return;
      }
      sched_state expected = sched_state::waiting;
      if (!p->state.compare_exchange_strong(expected, sched_state::running,
                                            std::memory_order_acq_rel)) {
        return;  // a sender won: it queued p
      }
      ctx.current = p;
      continue;
    }
    if (p->suspended == suspend_kind::receive) {
      rt->cancel_receive_timeout(p);
      p->waiting = nullptr;
    } else if (p->suspended == suspend_kind::blocking) {
      p->blocking_done = false;
    }
    p->suspended = suspend_kind::none;
    ++p->reductions;
    p->resume_point.resume();
    if (p->root.done()) {
      std::exception_ptr err = p->root.promise().error;
      if (!p->exit_pending) {
        p->exit_reason = err ? exit_reason_of(err) : term(atoms::normal);
      }
      p->exit_pending = true;
      if (err && !is_exit_class(err)) {
        // Spawned before terminate(): while p still counts as live, shutdown's wait for
        // live_processes() == 0 cannot pass between p's end and the report's birth (a report
        // born after that wait would never run, nor be freed).
        ctx.current = nullptr;  // the report process is nobody's child
        report_error_in_process(*rt, p->self(), p->exit_reason);
        ctx.current = p;
      }
      terminate(*p);
      break;
    }
    if (p->suspended == suspend_kind::yield || p->slice_reductions >= budget) {
      ctx.current = nullptr;
      p->state.store(sched_state::runnable, std::memory_order_relaxed);
      schedule(p, false);
      return;
    }
  }
  ctx.current = nullptr;
}

}  // namespace otter::detail
