// Stopping the children of a dynamic supervisor (Elixir's terminate_children/2 and the
// helpers under it). One child (terminate_child) and all children (the supervisor stops) go
// through the same steps; for all children, steps 1-2 are done for every child before any DOWN
// is awaited, which is what makes the shutdown parallel:
//
//   1. monitor_child() (otter/otp/child_shutdown.hpp, OTP's monitor_child/1): monitor, unlink,
//      and take an {:EXIT} that came before the unlink; such a child is judged by that reason;
//   2. send the exit signal: :kill for brutal_kill, :shutdown otherwise;
//   3. wait for the DOWN; when a child's shutdown time passes first, send it :kill and keep
//      waiting (infinity never kills). Children with the same shutdown time share a deadline,
//      as Elixir arms one timer per distinct time.
// Reports (:shutdown_error) follow Elixir exactly, which is why child_shutdown's
// shutdown_child() is not used as a whole: it cannot tell an {:EXIT} taken in step 1 from a
// DOWN, and Elixir judges them differently (monitor_children/1 accepts only :normal of a child
// that is not permanent; wait_child/4 also accepts :shutdown and {:shutdown, _}, and for
// brutal_kill only :killed).

#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/otp/child_shutdown.hpp"

#include "otp/dynamic_supervisor_state.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

namespace otter::dynamic_supervisor::detail {

namespace {

/// Whether a child stopped by the supervisor ended as expected (wait_child/4).
bool expected_stop(const child_entry& c, const term& reason) {
  if (c.shutdown() == brutal_kill) {
    return reason.is(atoms::killed);
  }
  if (reason.is(atoms::shutdown) || reason.is_tagged(atoms::shutdown, 2)) {
    return true;
  }
  return reason.is(atoms::normal) && c.restart() != otter::restart::permanent;
}

/// For a child whose {:EXIT} arrived before the unlink (step 1): whether the reason needs a
/// report (monitor_child/1: {:error, :normal} is fine for a child that is not permanent).
bool early_exit_is_error(const child_entry& c, const term& reason) {
  return !(reason.is(atoms::normal) && c.restart() != otter::restart::permanent);
}

void send_exit(pid child, const child_entry& c) {
  otter::exit(child, term(c.shutdown() == brutal_kill ? atoms::kill : atoms::shutdown));
}

}  // namespace

co<void> stop_child(pid child, const child_entry& c, const sup_state& s) {
  expected<ref> mon = co_await monitor_child(child);
  if (!mon) {
    if (early_exit_is_error(c, mon.error().reason)) {
      report("shutdown_error", mon.error().reason, s);
    }
    co_return;
  }
  send_exit(child, c);
  std::optional<term> reason;
  if (c.shutdown() != brutal_kill && c.shutdown() != infinity) {
    ref m = *mon;
    auto ours = [m](const down_msg& d) {
      return d.monitor == m;
    };
    auto reason_of = [](down_msg& d) {
      return std::optional<term>(std::move(d.reason));
    };
    auto timed_out = [] {
      return std::optional<term>();
    };
    reason = co_await receive(on<down_msg>(ours, reason_of), after(c.shutdown(), timed_out));
    if (!reason) {
      otter::exit(child, term(atoms::kill));
    }
  }
  if (!reason) {
    reason = co_await down_reason(*mon);
  }
  if (!expected_stop(c, *reason)) {
    report("shutdown_error", *reason, s);
  }
}

co<void> shutdown_all(const sup_state& s) {
  struct waiting {
    ref mon;
    const child_entry* c;
  };
  std::unordered_map<pid, waiting> left;
  left.reserve(s.children.size());
  // Step 1 for every child before any exit signal is sent: no child dies because of us while
  // the mailbox is searched for early {:EXIT}s.
  for (const auto& [p, c] : s.children) {
    if (c.restarting()) {
      continue;  // no process to stop
    }
    expected<ref> mon = co_await monitor_child(p);
    if (mon) {
      left.emplace(p, waiting{*mon, &c});
    } else if (early_exit_is_error(c, mon.error().reason)) {
      report("shutdown_error", mon.error().reason, s);
    }
  }
  // Step 2, noting the distinct shutdown times for step 3 (a group is found again in `left`
  // when its time is up, so no second list of the children is kept).
  std::set<std::int64_t> times;
  for (const auto& [p, w] : left) {
    send_exit(p, *w.c);
    if (w.c->shutdown() != brutal_kill && w.c->shutdown() != infinity) {
      times.insert(w.c->shutdown());
    }
  }
  // Step 3.
  const std::int64_t t0 = now_ms();
  auto next = times.begin();
  while (!left.empty()) {
    std::int64_t wait = infinity;
    if (next != times.end()) {
      wait = std::max<std::int64_t>(0, t0 + *next - now_ms());
    }
    std::optional<down_msg> d =
        co_await receive(on<down_msg>(
                             [&left](const down_msg& m) {
                               if (!m.object.is_pid()) {
                                 return false;
                               }
                               auto it = left.find(m.object.as_pid());
                               return it != left.end() && it->second.mon == m.monitor;
                             },
                             [](down_msg& m) { return std::optional<down_msg>(std::move(m)); }),
                         after(wait, [] { return std::optional<down_msg>(); }));
    if (!d) {
      // This group's time is up: kill those still running.
      for (const auto& [p, w] : left) {
        if (w.c->shutdown() == *next) {
          otter::exit(p, term(atoms::kill));
        }
      }
      ++next;
      continue;
    }
    auto it = left.find(d->object.as_pid());
    if (!expected_stop(*it->second.c, d->reason)) {
      report("shutdown_error", d->reason, s);
    }
    left.erase(it);
  }
}

}  // namespace otter::dynamic_supervisor::detail
