// The monitor process of a task stream (Elixir 1.14's Task.Supervised.stream_monitor) and the
// non-template parts of task_stream.
//
// Why a process of its own: the tasks must be linked to something that dies with the consumer
// and that absorbs their exits, so that a trapping consumer sees crashes only as {:exit, r}
// elements and is left with no links and no {:EXIT} messages; and per-task timeouts need a
// process that is never busy in the consumer's own code. The protocol, each step a message:
//   1. the consumer spawns the monitor (link + monitor: `mref`) and sends it stream_hello;
//   2. per input: the consumer sends stream_spawn_req{position}; the monitor starts a task
//      (spawner), monitors it, arms its timeout, and answers stream_spawned; the consumer sends
//      the task its work, and the task replies straight to the consumer (stream_reply);
//   3. the monitor relays each task's DOWN as stream_down (timed_out when it had killed it), so
//      that an element is final only once its task is gone;
//   4. close: stream_stop; the monitor kills the tasks still running, waits for their DOWNs and
//      exits :normal; the consumer waits for that DOWN, then removes the stream's leftovers.
// If the consumer dies, the monitor (monitoring it) kills its linked tasks with the same
// reason and exits with it.

#include "otter/otp/task_stream.hpp"

#include "otter/core/timer.hpp"

#include <stdexcept>
#include <unordered_map>

namespace otter::detail {

namespace {

/// Sent by a task's timeout timer to the monitor.
struct stream_timeout_msg {
  ref mref;
  ref task_mon;
};

struct running_task {
  std::uint64_t position = 0;
  bool linked = false;
  pid task;
  ref timer;
  bool timed_out = false;
};

using running_map = std::unordered_map<ref, running_task>;

/// Unlinks and kills. Elixir spawns an enforcer in case the monitor dies between the two
/// steps; here nothing can stop a process between two calls that do not suspend.
void unlink_and_kill(pid task) {
  unlink(task);
  otter::exit(task, term(atoms::kill));
}

/// {stop, mref}: kill every task, wait for each, exit :normal.
co<void> stop_tasks(running_map& running) {
  trap_exit(true);
  for (auto& [mon, t] : running) {
    otter::exit(t.task, term(atoms::kill));
  }
  for (auto& [mon, t] : running) {
    const ref m = mon;
    co_await receive(
        on<down_msg>([m](const down_msg& d) { return d.monitor == m; }, [](down_msg&) {}));
  }
}

/// The consumer died: its linked tasks die with it, and so does the monitor.
[[noreturn]] void parent_down(running_map& running, const term& reason) {
  for (auto& [mon, t] : running) {
    if (t.linked) {
      otter::exit(t.task, reason);
    }
  }
  otter::exit(reason);
}

/// After the supervisor refused a task: only stop or the consumer's death matter now.
co<void> wait_for_stop(running_map& running, ref mref, ref parent_ref) {
  for (;;) {
    message m = co_await receive(on<message>([](message& x) { return std::move(x); }));
    if (m.is<stream_stop>() && m.get<stream_stop>().mref == mref) {
      co_await stop_tasks(running);
      co_return;
    }
    if (m.is<down_msg>()) {
      down_msg& d = m.get<down_msg>();
      if (d.monitor == parent_ref) {
        parent_down(running, d.reason);
      }
      // A task that ends now is forgotten, so that stop does not wait for its DOWN again.
      running.erase(d.monitor);
    }
  }
}

co<void> stream_monitor(pid parent, stream_spawner spawn, bool trap, std::int64_t timeout) {
  trap_exit(trap);
  const ref parent_ref = monitor(parent);
  struct hello_or_down {
    ref mref;
    term down;
  };
  hello_or_down h = co_await receive(
      on<stream_hello>([parent](const stream_hello& x) { return x.parent == parent; },
                       [](stream_hello& x) {
                         return hello_or_down{x.mref, term()};
                       }),
      on<down_msg>([parent_ref](const down_msg& d) { return d.monitor == parent_ref; },
                   [](down_msg& d) {
                     return hello_or_down{ref(), std::move(d.reason)};
                   }));
  if (h.mref.is_null()) {
    otter::exit(h.down);
  }
  const ref mref = h.mref;
  running_map running;
  for (;;) {
    message m = co_await receive(on<message>([](message& x) { return std::move(x); }));
    if (m.is<stream_spawn_req>()) {
      const std::uint64_t position = m.get<stream_spawn_req>().position;
      stream_spawn_outcome out = co_await spawn();
      if (out.task.is_null()) {
        send(parent, stream_max_children{mref});
        co_await wait_for_stop(running, mref, parent_ref);
        co_return;
      }
      ref mon = monitor(out.task);
      ref timer;
      if (timeout != infinity) {
        timer = send_after(self(), stream_timeout_msg{mref, mon}, timeout);
      }
      send(parent, stream_spawned{mref, position, out.task});
      running.emplace(mon, running_task{position, out.linked, out.task, timer, false});
    } else if (m.is<down_msg>()) {
      down_msg& d = m.get<down_msg>();
      auto it = running.find(d.monitor);
      if (it != running.end()) {
        if (!it->second.timer.is_null()) {
          (void)cancel_timer(it->second.timer);
        }
        send(parent,
             stream_down{mref, it->second.position, std::move(d.reason), it->second.timed_out});
        running.erase(it);
      } else if (d.monitor == parent_ref) {
        parent_down(running, d.reason);
      }
    } else if (m.is<stream_timeout_msg>()) {
      auto it = running.find(m.get<stream_timeout_msg>().task_mon);
      if (it != running.end() && !it->second.timed_out) {
        unlink_and_kill(it->second.task);
        it->second.timed_out = true;
      }
    } else if (m.is<stream_stop>() && m.get<stream_stop>().mref == mref) {
      co_await stop_tasks(running);
      co_return;
    }
    // Anything else ({:EXIT} of the tasks when trapping, strays) is dropped.
  }
}

}  // namespace

stream_spawner linked_task_spawner(pid owner, term starter) {
  return [owner, starter]() -> co<stream_spawn_outcome> {
    co_return stream_spawn_outcome{spawn_reply_task(true, owner, starter, false), true};
  };
}

std::pair<pid, ref> open_stream_monitor(stream_spawner spawner, std::int64_t timeout) {
  const pid parent = self();
  const bool trap = trapping_exits();
  ref mref;
  pid m = spawn_opt(
      spawn_options{.link = true, .monitor = true},
      [parent, spawner = std::move(spawner), trap, timeout]() mutable {
        return stream_monitor(parent, std::move(spawner), trap, timeout);
      },
      &mref);
  send(m, stream_hello{parent, mref});
  return {m, mref};
}

co<stream_spawn_answer> request_stream_task(pid monitor_pid, ref mref, std::uint64_t position) {
  send(monitor_pid, stream_spawn_req{position});
  co_return co_await receive(
      on<stream_spawned>(
          [mref, position](const stream_spawned& s) {
            return s.mref == mref && s.position == position;
          },
          [](stream_spawned& s) {
            return stream_spawn_answer{s.task, false, std::nullopt};
          }),
      on<stream_max_children>([mref](const stream_max_children& x) { return x.mref == mref; },
                              [](stream_max_children&) {
                                return stream_spawn_answer{pid(), true, std::nullopt};
                              }),
      on<down_msg>([mref](const down_msg& d) { return d.monitor == mref; },
                   [](down_msg& d) {
                     return stream_spawn_answer{pid(), false, std::move(d.reason)};
                   }));
}

term stream_exit_reason(term reason, std::int64_t timeout) {
  return tuple(std::move(reason), tuple(atom("Elixir.Task.Supervised"), atom("stream"),
                                        term::list({timeout_term(timeout)})));
}

void stream_max_children_error() {
  throw std::runtime_error(
      "reached the maximum number of tasks for this task supervisor. The maximum number of tasks "
      "that are allowed to run at the same time under this supervisor can be configured with the "
      ":max_children option passed to Task.Supervisor.start_link/1. When using async_stream or "
      "async_stream_nolink, make sure to configure :max_concurrency to be lower or equal to "
      ":max_children and pay attention to whether other tasks are also spawned under the same "
      "task supervisor.");
}

void check_max_concurrency(std::int64_t n) {
  if (n <= 0) {
    throw std::invalid_argument(":max_concurrency must be an integer greater than zero");
  }
}

std::int64_t default_max_concurrency() {
  return static_cast<std::int64_t>(schedulers_online());
}

}  // namespace otter::detail
