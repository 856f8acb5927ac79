// notifier/service/task_worker.hpp: the process that reminds a user of one open task
// (docs/design/notifier.md#the-schedule-durable-no-bursts).
//
// One TaskWorker (a GenServer, restart :transient) per open task, under the task supervisor
// (env.names.tasks, a DynamicSupervisor), named in the worker table (env.names.workers,
// worker_table.hpp) by the task's id: a second start for the same task finds the first
// (start() returns the running worker), so two workers of one task never run.
//
// The worker arms one timer for the task's due time. When it fires (or on notify_now) it
// reloads the task through the reader (reader.hpp: one store query for many workers):
//   - gone or completed: the worker stops :normal (not restarted);
//   - open and due: it asks the writer to enqueue the reminder AND move the task's due time in
//     one transaction (domain/schedule.hpp: an overdue task is reminded once, then the cadence
//     resumes), hands the committed reminder to a delivery, and arms the next timer;
//   - open, not due (a stale start point, or a timer that fired early): it re-arms for the
//     stored due time;
//   - store unavailable: it backs off (config.store_retry, with jitter) and tries again; it
//     never crashes for that, so an outage does not exhaust the supervisor's intensity;
//   - any other store failure: it stops with {:store_error, code, message} and the supervisor
//     restarts it, and it picks its task up again from the store.
// A notify_now reminder leaves the schedule where it is.
//
// Thread safety: the functions are @in_process.

#pragma once

#include "notifier/domain/clock.hpp"
#include "notifier/domain/ids.hpp"
#include "notifier/service/env.hpp"
#include "otter/core/co.hpp"
#include "otter/core/expected.hpp"
#include "otter/core/pid.hpp"
#include "otter/otp/child_spec.hpp"
#include "otter/otp/server_ref.hpp"
#include "otter/otp/start_result.hpp"

#include <optional>

namespace notifier::task_worker {

/// Where a worker starts: its task, the task's user, and the due time last read. A stale due
/// time is harmless (the worker reloads the task before reminding).
struct start_point {
  task_id task{};
  user_id user{};
  timestamp due{};
};

/// The worker's child spec: restart :transient, named in the worker table.
[[nodiscard]] otter::child_spec child_spec(const env& e, start_point p);
/// The worker's name: {:via, WorkerTable, task id}.
[[nodiscard]] otter::server_ref name(const env& e, task_id task);
/// The running worker of `task`, if any.
[[nodiscard]] std::optional<otter::pid> whereis(const env& e, task_id task);

/// Starts the worker of p.task under the task supervisor, or finds the one running: the pid
/// either way, or the supervisor's error (max_children, ...). @in_process
otter::co<otter::start_result> start(const env& e, start_point p);
/// Asks `task`'s worker to remind at once; false when no worker runs. @in_process
bool notify_now(const env& e, task_id task);
/// Stops `task`'s worker (terminate_child: :shutdown, not restarted); ok when none runs.
/// @in_process
otter::co<otter::expected<void>> stop(const env& e, task_id task);

}  // namespace notifier::task_worker
