// notifier/service/application.hpp: the service's process tree (docs/design/notifier.md#the-tree).
//
//   root (Supervisor, rest_for_one, env.names.root)
//    ├─ writer     GenServer: batched outbox writes (writer.hpp)
//    ├─ workers    the worker table, an ETS set: task id -> worker (one worker per task)
//    ├─ delivery   Task.Supervisor: one process per delivery (delivery.hpp)
//    ├─ tasks      DynamicSupervisor of task workers, restart :transient (task_worker.hpp)
//    └─ starter    Task, :transient: a worker per open task, then the undelivered entries
//
// Start order is the list order: the writer exists before a worker enqueues, the table before
// a worker registers, the supervisors before the starter fills them. rest_for_one: a child
// that dies takes down the children started after it, never those before it. The starter is
// :transient: it ends :normal once its work is done, and rest_for_one runs it again whenever a
// child before it restarts, so a lost worker table or task supervisor gets its workers back.
//
// A node runs the tree under a master process (start_master), as an OTP application runs
// under its application master: the master is not linked to whoever started it, and reports
// the tree's end (the root exceeded its restart intensity, say) to the node, which then stops.
//
// Thread safety: start_link is @in_process; start_master and stop_master are called from
// outside the runtime's processes (main).

#pragma once

#include "notifier/service/env.hpp"
#include "otter/core/co.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/runtime.hpp"
#include "otter/core/term.hpp"
#include "otter/otp/child_spec.hpp"
#include "otter/otp/start_result.hpp"

#include <functional>
#include <vector>

namespace notifier::application {

/// The root's children, in start order.
[[nodiscard]] std::vector<otter::child_spec> children(const env& e);

/// Starts the tree linked to the caller. @in_process
otter::co<otter::start_result> start_link(const env& e);

/// Starts the tree under a master process and returns the master, once the tree runs (the
/// starter's work goes on in the background: see env.boot). `on_exit(reason)` is called (on a
/// scheduler thread) if the tree ends by itself. Throws std::runtime_error when the tree does
/// not start.
[[nodiscard]] otter::pid start_master(otter::runtime& rt, const env& e,
                                      std::function<void(const otter::term&)> on_exit);

/// Stops the tree (children in reverse order) and waits for the master to end.
void stop_master(otter::runtime& rt, otter::pid master);

}  // namespace notifier::application
