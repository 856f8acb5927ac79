// notifier/service/writer.hpp: the process that writes the outbox for every task worker, in
// batches (docs/design/notifier.md#writes-batched).
//
//   store_result<notification_id> id = co_await writer::enqueue(env, entry);  // in a worker
//   writer::record(env, attempt);                                   // after a delivery attempt
//
// enqueue is a call: the caller waits until its entry is committed, and gets the entry's id or
// the store's error. The writer gathers every enqueue that reaches it while its mailbox has
// messages (and at most config.max_batch), commits them in one transaction through the pool,
// then answers each caller. Under load a commit takes longer, more requests queue meanwhile and
// the next batch is larger: the store sees fewer, bigger transactions, never a queue of
// single-row commits. Nothing is acknowledged before it is committed.
//
// A batch that fails `unavailable` is answered with that error (the workers back off and try
// again themselves: their reminder is still due in the store); a batch that fails otherwise is
// retried entry by entry, so one bad entry fails only its own caller.
//
// record (a cast) queues a delivery attempt; attempts are committed in batches the same way.
// Attempts that meet an unavailable store stay queued and are retried after a backoff; if the
// service stops first, the entry is still undelivered in the store and is delivered again at the
// next start (at least once).
//
// Thread safety: the functions are @in_process; the writer is one GenServer registered under
// env.names.writer.

#pragma once

#include "notifier/domain/notification.hpp"
#include "notifier/service/env.hpp"
#include "notifier/store/store_error.hpp"
#include "otter/core/co.hpp"
#include "otter/otp/child_spec.hpp"

#include <cstdint>

namespace notifier::writer {

/// The writer's child spec (registered under env.names.writer; `e` outlives it).
[[nodiscard]] otter::child_spec child_spec(const env& e);

/// Commits `entry` (batched with others) and returns its id. A writer that is not running or
/// does not answer within `timeout_ms` gives `unavailable`. @in_process
otter::co<store_result<notification_id>> enqueue(const env& e, new_notification entry,
                                                 std::int64_t timeout_ms = 60'000);

/// Queues `attempt` for recording. @in_process
void record(const env& e, new_attempt attempt);

/// Waits until every attempt queued before this call is committed (for tests and shutdown):
/// true when the queue emptied, false when the store stayed unavailable. @in_process
otter::co<bool> sync(const env& e, std::int64_t timeout_ms = 60'000);

}  // namespace notifier::writer
