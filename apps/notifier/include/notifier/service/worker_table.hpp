// notifier/service/worker_table.hpp: the task id -> worker table that keeps one TaskWorker per
// task (docs/design/notifier.md#the-worker-table).
//
// A public ETS set of {task id, pid}, owned by a process of the service's tree (child_spec()),
// and a name registry over it (Erlang's via-module), so that a TaskWorker is a GenServer
// named {:via, WorkerTable, task id}: a second start for a task finds the first worker and
// gets {:already_started, pid}, exactly as with a Registry.
//
// Why not a Registry: a Registry links every registered process to its partition and keeps a
// reverse index from pid to keys, so that an entry vanishes when its process dies. That costs
// about 240 bytes per worker, a quarter of the per-worker budget of a million workers. This
// table keeps one object per worker and treats an entry whose pid is dead as absent instead:
//   - lookups (whereis_name) and registrations skip a dead owner; a registration replaces it
//     (delete_object of exactly {task, dead pid}, then insert_new, so two racing starts still
//     leave one winner and a newer worker's entry is never removed);
//   - a worker removes its own entry when it stops (forget(), from its terminate callback),
//     and task_worker::stop removes it after terminate_child (a :shutdown signal skips
//     terminate);
//   - a worker that crashes is restarted by its supervisor, and the new one replaces the
//     entry. The only entries left behind are those of a worker stopped by a signal from
//     outside the service and not restarted: they are skipped, and replaced if the task's
//     worker is ever started again.
// The table dies with its owner; the tree's rest_for_one order restarts the task supervisor
// after it, so no worker outlives the table that names it.
//
// Thread safety: every function is @threadsafe inside the runtime (ETS reads never block one
// another); child_spec's process owns the table.

#pragma once

#include "notifier/domain/ids.hpp"
#include "otter/core/atom.hpp"
#include "otter/core/pid.hpp"
#include "otter/otp/child_spec.hpp"
#include "otter/otp/server_ref.hpp"

#include <memory>

namespace notifier::worker_table {

/// The process that creates the table `name` and owns it until it stops.
[[nodiscard]] otter::child_spec child_spec(otter::atom name);

/// The name registry over the table `name`: names are task ids (integers).
[[nodiscard]] std::shared_ptr<otter::name_registry> names(otter::atom name);

/// The live worker of `task` in the table `name`, or the null pid. @in_process
[[nodiscard]] otter::pid whereis(otter::atom name, task_id task);

/// Removes `task`'s entry if it still names `worker` (a newer worker's entry stays).
/// @in_process
void forget(otter::atom name, task_id task, otter::pid worker);

/// The number of entries, dead owners included (for tests and reports). @in_process
[[nodiscard]] std::size_t size(otter::atom name);

}  // namespace notifier::worker_table
