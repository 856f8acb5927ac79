// notifier/service/reader.hpp: the process that reloads tasks for every task worker, in batches
// (docs/design/notifier.md#reads-batched).
//
//   store_result<reader::loaded> l = co_await reader::load(env, owner, task, with_channel);
//
// load is a call: the reader gathers every load that reaches it while its mailbox has messages
// (at most config.max_batch), reads all their tasks in one trip to the pool (store::find_tasks,
// and store::find_users for the loads that ask for the user's channel), then answers each
// caller. Under load a trip takes longer, more loads queue meanwhile and the next batch is
// larger: the store sees one query for many workers, not one per reminder. It is the writer's
// (writer.hpp) mirror for reads; the two run side by side on two pool threads.
//
// A batch that fails `unavailable` is answered with that error, every load of it alike (the
// workers back off and try again); a batch that fails otherwise is read again load by load, so
// that a row that cannot be read fails only its own worker (which stops, to be restarted).
//
// Thread safety: load is @in_process; the reader is one GenServer registered under
// env.names.reader.

#pragma once

#include "notifier/domain/ids.hpp"
#include "notifier/domain/notification.hpp"
#include "notifier/domain/task.hpp"
#include "notifier/service/env.hpp"
#include "notifier/store/store_error.hpp"
#include "otter/core/co.hpp"
#include "otter/otp/child_spec.hpp"

#include <cstdint>
#include <optional>

namespace notifier::reader {

/// A task as its worker reloads it, and its user's channel when asked for.
struct loaded {
  task t;
  std::optional<channel> ch;
};

/// The reader's child spec (registered under env.names.reader; `e` outlives it).
[[nodiscard]] otter::child_spec child_spec(const env& e);

/// `owner`'s task `id`, and with_channel the channel of `owner`: not_found when the task (or
/// the user) does not exist or the task is another user's. A reader that is not running or does
/// not answer within `timeout_ms` gives `unavailable`. @in_process
otter::co<store_result<loaded>> load(const env& e, user_id owner, task_id id, bool with_channel,
                                     std::int64_t timeout_ms = 60'000);

}  // namespace notifier::reader
