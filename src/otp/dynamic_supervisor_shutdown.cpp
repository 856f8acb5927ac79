// Stopping the children of a dynamic supervisor (Elixir's terminate_children/2 and the
// helpers under it). One child (terminate_child) and all children (the supervisor stops) go
// through the same steps; for all children, step 3 is done for every child before step 4
// starts, which is what makes the shutdown parallel:
//
//   1. monitor the child, then unlink it. Monitor first: a child that dies from now on is
//      seen by its DOWN whatever happens to the link;
//   2. if its {:EXIT} is already in the mailbox, it died before the unlink: take the EXIT,
//      take the DOWN (which then says :noproc or the reason), and judge the EXIT's reason;
//   3. otherwise send the exit signal: :kill for brutal_kill, :shutdown otherwise;
//   4. wait for the DOWN; when a child's shutdown time passes first, send it :kill and keep
//      waiting (infinity never kills).
// A stop whose reason is not the expected one is reported as :shutdown_error (wait_child/4):
// for brutal_kill anything but :killed; otherwise anything but :shutdown, {:shutdown, _}, or
// :normal for a child that is not permanent.

#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"

#include "otp/dynamic_supervisor_state.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

namespace otter::dynamic_supervisor::detail {

namespace {

/// Whether a child stopped by the supervisor ended as expected (wait_child/4).
bool expected_stop(const child_entry& c, const term& reason) {
  if (c.shutdown == brutal_kill) {
    return reason.is(atoms::killed);
  }
  if (reason.is(atoms::shutdown) || reason.is_tagged(atoms::shutdown, 2)) {
    return true;
  }
  return reason.is(atoms::normal) && c.restart != otter::restart::permanent;
}

/// Step 2 for a child whose {:EXIT} arrived before the unlink: whether the reason needs a
/// report (monitor_child/1: {:error, :normal} is fine for a child that is not permanent).
bool early_exit_is_error(const child_entry& c, const term& reason) {
  return !(reason.is(atoms::normal) && c.restart != otter::restart::permanent);
}

/// Takes the DOWN of monitor `mon` and returns its reason.
co<term> take_down(ref mon) {
  co_return co_await receive(on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; },
                                          [](down_msg& d) { return std::move(d.reason); }));
}

/// Step 2: the reason of an {:EXIT} from `child` already in the mailbox, if there is one.
co<std::optional<term>> take_early_exit(pid child) {
  co_return co_await receive(
      on<exit_msg>([child](const exit_msg& m) { return m.from == child; },
                   [](exit_msg& m) { return std::optional<term>(std::move(m.reason)); }),
      after(0, [] { return std::optional<term>(); }));
}

void send_exit(pid child, const child_entry& c) {
  otter::exit(child, term(c.shutdown == brutal_kill ? atoms::kill : atoms::shutdown));
}

}  // namespace

co<void> shutdown_child(pid child, const child_entry& c, const sup_state& s) {
  ref mon = monitor(child);
  unlink(child);
  if (std::optional<term> early = co_await take_early_exit(child)) {
    (void)co_await take_down(mon);
    if (early_exit_is_error(c, *early)) {
      report("shutdown_error", *early, s);
    }
    co_return;
  }
  send_exit(child, c);
  std::optional<term> reason;
  if (c.shutdown != brutal_kill && c.shutdown != infinity) {
    reason = co_await receive(
        on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; },
                     [](down_msg& d) { return std::optional<term>(std::move(d.reason)); }),
        after(c.shutdown, [] { return std::optional<term>(); }));
    if (!reason) {
      otter::exit(child, term(atoms::kill));
    }
  }
  if (!reason) {
    reason = co_await take_down(mon);
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
  // Step 1 for every child, before any exit signal: no child dies because of us while the
  // mailbox is searched for early {:EXIT}s, so the search stays short.
  for (const auto& [p, c] : s.children) {
    if (c.restarting) {
      continue;  // no process to stop
    }
    left.emplace(p, waiting{monitor(p), &c});
    unlink(p);
  }
  // Step 2: children that died before their unlink. One pass over the mailbox per such child.
  for (;;) {
    std::optional<exit_msg> early = co_await receive(
        on<exit_msg>([&left](const exit_msg& m) { return left.contains(m.from); },
                     [](exit_msg& m) { return std::optional<exit_msg>(std::move(m)); }),
        after(0, [] { return std::optional<exit_msg>(); }));
    if (!early) {
      break;
    }
    auto it = left.find(early->from);
    (void)co_await take_down(it->second.mon);
    if (early_exit_is_error(*it->second.c, early->reason)) {
      report("shutdown_error", early->reason, s);
    }
    left.erase(it);
  }
  // Step 3, grouping the children by shutdown time: one deadline per distinct time, as
  // Elixir arms one timer per distinct time.
  std::map<std::int64_t, std::vector<pid>> by_time;
  for (const auto& [p, w] : left) {
    send_exit(p, *w.c);
    if (w.c->shutdown != brutal_kill && w.c->shutdown != infinity) {
      by_time[w.c->shutdown].push_back(p);
    }
  }
  // Step 4.
  const std::int64_t t0 = now_ms();
  auto next = by_time.begin();
  while (!left.empty()) {
    std::int64_t wait = infinity;
    if (next != by_time.end()) {
      wait = std::max<std::int64_t>(0, t0 + next->first - now_ms());
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
      for (pid p : next->second) {
        if (left.contains(p)) {
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
