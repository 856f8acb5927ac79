// Task.Supervisor: the child specs of tasks, and the DynamicSupervisor underneath (Elixir
// 1.14's task/supervisor.ex and DynamicSupervisor's {:start_task, ...} call).

#include "otter/otp/task_supervisor.hpp"

#include "otter/otp/dynamic_supervisor.hpp"

#include <stdexcept>

namespace otter::task_supervisor {

namespace detail {

namespace {

const atom task_supervised("Elixir.Task.Supervised");
constexpr std::int64_t default_task_shutdown = 5000;

[[noreturn]] void max_children_error() {
  throw std::runtime_error(
      "reached the maximum number of tasks for this task supervisor. The maximum number of tasks "
      "that are allowed to run at the same time under this supervisor can be configured with the "
      ":max_children option passed to Task.Supervisor.start_link/1");
}

/// Task's get_owner: `{node, name_or_pid, pid}`.
term owner_term(pid owner, const term& starter) {
  return tuple(atoms::nonode, starter, owner);
}

/// start_child failed other than by max_children: Elixir's `case` has no clause for it.
[[noreturn]] void unexpected_start(const start_result& r) {
  otter::error(tuple(atom("case_clause"), to_term(r)));
}

}  // namespace

child_spec reply_task_spec(pid owner, term starter, std::optional<std::int64_t> shutdown) {
  child_spec spec;
  spec.id = term(atoms::undefined);
  spec.mfa =
      tuple(task_supervised, atom("start_link"), list(owner_term(owner, starter), atom("monitor")));
  spec.start = start_with([owner, starter]() -> co<start_result> {
    // Linked to the supervisor (the caller of start); the task monitors its owner while it
    // waits for the work.
    co_return start_result(otter::detail::spawn_reply_task(true, owner, starter, true));
  });
  spec.restart = restart::temporary;
  spec.shutdown = shutdown.value_or(default_task_shutdown);
  return spec;
}

co<pid> start_reply_task(server_ref sup, pid owner, std::optional<std::int64_t> shutdown) {
  child_spec spec = reply_task_spec(owner, otter::detail::task_starter(owner), shutdown);
  start_result r = co_await dynamic_supervisor::start_child(std::move(sup), std::move(spec));
  if (r) {
    co_return *r;
  }
  if (r.error().code == errc::max_children) {
    max_children_error();
  }
  unexpected_start(r);
}

child_spec noreply_task_spec(term starter, term callers,
                             std::function<otter::detail::task_work()> make, task_options opts) {
  child_spec spec;
  spec.id = term(atoms::undefined);
  spec.mfa =
      tuple(task_supervised, atom("start_link"),
            list(owner_term(self(), starter), callers,
                 tuple(atom("erlang"), atom("apply"), list(term::opaque("#Fun"), term::list({})))));
  spec.start = start_with([starter, callers, make]() -> co<start_result> {
    co_return start_result(otter::detail::spawn_noreply_task(true, starter, callers,
                                                             otter::detail::apply_mfa(), make()));
  });
  spec.restart = opts.restart;
  spec.shutdown = opts.shutdown.value_or(default_task_shutdown);
  return spec;
}

co<start_result> start_task_child(server_ref sup, child_spec spec) {
  co_return co_await dynamic_supervisor::start_child(std::move(sup), std::move(spec));
}

otter::detail::stream_spawner supervised_task_spawner(server_ref sup, pid owner, bool link,
                                                      std::optional<std::int64_t> shutdown) {
  return [sup = std::move(sup), owner, starter = otter::detail::task_starter(owner), link,
          shutdown]() -> co<otter::detail::stream_spawn_outcome> {
    // Runs in the stream's monitor process: that is what a linked task is linked to.
    start_result r =
        co_await dynamic_supervisor::start_child(sup, reply_task_spec(owner, starter, shutdown));
    if (!r) {
      if (r.error().code == errc::max_children) {
        co_return otter::detail::stream_spawn_outcome{};
      }
      unexpected_start(r);
    }
    if (link) {
      otter::link(*r);
    }
    co_return otter::detail::stream_spawn_outcome{*r, link};
  };
}

}  // namespace detail

co<start_result> start_link(options opts) {
  dynamic_supervisor::options d;
  d.max_restarts = opts.max_restarts;
  d.max_seconds = opts.max_seconds;
  d.max_children = opts.max_children;
  d.name = std::move(opts.name);
  d.module = term(atom("Elixir.Task.Supervisor"));
  co_return co_await dynamic_supervisor::start_link(std::move(d));
}

co<expected<void>> terminate_child(server_ref sup, pid child) {
  co_return co_await dynamic_supervisor::terminate_child(std::move(sup), child);
}

co<std::vector<pid>> children(server_ref sup) {
  std::vector<dynamic_supervisor::child_info> all =
      co_await dynamic_supervisor::which_children(std::move(sup));
  std::vector<pid> out;
  for (const auto& c : all) {
    if (!c.restarting()) {
      out.push_back(c.child);
    }
  }
  co_return out;
}

child_spec supervisor_spec(options opts) {
  child_spec spec;
  if (opts.name && opts.name->is_local_name()) {
    spec.id = term(opts.name->local_name());
  } else if (opts.name && opts.name->is_via()) {
    spec.id = opts.name->via_name();
  } else {
    spec.id = term(atom("Elixir.Task.Supervisor"));
  }
  spec.mfa = tuple(atom("Elixir.Task.Supervisor"), atom("start_link"), list(term::list({})));
  spec.start = start_with([opts]() -> co<start_result> { co_return co_await start_link(opts); });
  spec.type = child_type::supervisor;
  return spec;
}

}  // namespace otter::task_supervisor
