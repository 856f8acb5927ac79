// notifier/store/store.hpp: the notifier's persistence interface (users, tasks, the outbox).
//
// One abstract class with two implementations behind it: SQLite (sqlite_store.hpp, the default:
// one file in WAL mode) and PostgreSQL (postgres_store.hpp). Both have the same schema, the same
// migrations and the same semantics; one test suite runs against both. Schema, protocols and the
// reasons behind them: docs/design/notifier_store.md.
//
// Calls are synchronous and block the calling thread (@blocking): the service runs them on
// otter's blocking pool (`co_await otter::blocking(...)`), never on a scheduler thread.
//
// Semantics shared by every call:
//   - Failures are values (store_error.hpp): not_found, conflict, invalid, unavailable,
//     internal. Only unavailable is worth a retry. No call throws, except std::bad_alloc and
//     whatever a test's before_commit hook throws (the transaction is then rolled back).
//   - Times are passed in, never read from a clock (clock.hpp).
//   - User-facing reads and writes take the caller's user id and see only that user's rows: a
//     task of another user is not_found, exactly like a task that does not exist.
//   - Each batch call runs in one transaction: it is applied entirely or not at all. Batched
//     inserts (enqueue, record_attempts) fail entirely with not_found when one entry names a
//     missing row. Batched updates (set_next_notify_at, mark_delivered) skip entries whose row
//     is missing or no longer applies and return how many rows they changed. Batches have no
//     size limit, but the service keeps them to about 10'000 entries.
//   - Lists are pages in id order (keyset pagination): pass the last id of a page as `after` to
//     get the next; a page shorter than `limit` is the last.
//
// Thread safety: a store object may be shared between threads; its calls are serialised by an
// internal mutex (one connection per store object). For parallel calls, open one store per
// thread of the pool: SQLite (WAL) then runs reads in parallel with one writer, PostgreSQL runs
// everything in parallel.

#pragma once

#include "notifier/domain/clock.hpp"
#include "notifier/domain/ids.hpp"
#include "notifier/domain/notification.hpp"
#include "notifier/domain/task.hpp"
#include "notifier/domain/user.hpp"
#include "notifier/store/store_error.hpp"

#include <cstddef>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

namespace notifier {

/// A new due time for a task (set_next_notify_at).
struct schedule_update {
  task_id task{};
  timestamp next_notify_at{};
};

/// An outbox entry that was delivered, and when (mark_delivered).
struct delivery_mark {
  notification_id notification{};
  timestamp delivered_at{};
};

/// The latest schema version this build knows (migrate() brings a database to it).
inline constexpr int schema_version = 1;

class store {
public:
  store() = default;
  store(const store&) = delete;
  store& operator=(const store&) = delete;
  virtual ~store() = default;

  // -- schema ---------------------------------------------------------------------------------

  /// Applies the migrations the database lacks, in one transaction, and returns the schema
  /// version (schema_version). Idempotent; concurrent callers (several service instances on
  /// one PostgreSQL database) are serialised. A database whose version is newer than this
  /// build's is refused with `internal` and left unchanged.
  [[nodiscard]] virtual store_result<int> migrate() = 0;

  // -- users ----------------------------------------------------------------------------------

  /// Creates a user with a fresh API token and webhook secret (token.hpp). The token is returned
  /// in plain text once; only its hash is stored. `invalid` when validate(u) objects.
  [[nodiscard]] virtual store_result<created_user> create_user(const new_user& u) = 0;
  /// The user whose API token is `token`; not_found for an unknown token.
  [[nodiscard]] virtual store_result<user> user_by_token(std::string_view token) = 0;
  /// The user `id` (for the service's own use: the deliverer needs the webhook URL and secret).
  [[nodiscard]] virtual store_result<user> user_by_id(user_id id) = 0;
  /// The users among `ids` that exist, each once, in id order (for the service's own use: the
  /// task workers' batched reloads). Unknown ids are left out; the caller tells which are.
  [[nodiscard]] virtual store_result<std::vector<user>> find_users(
      std::span<const user_id> ids) = 0;

  // -- a user's tasks (scoped to the user) -----------------------------------------------------

  /// Creates an open task of `owner`, first due at t.first_notify_at. not_found when the user
  /// does not exist; invalid when validate(t) objects.
  [[nodiscard]] virtual store_result<task> create_task(user_id owner, const new_task& t) = 0;
  /// Creates many open tasks of `owner` in one transaction (imports, benchmarks) and returns
  /// how many. All or nothing: not_found when the user does not exist, invalid (naming the
  /// entry) when validate() objects to one of them.
  [[nodiscard]] virtual store_result<std::size_t> create_tasks(user_id owner,
                                                               std::span<const new_task> tasks) = 0;
  /// `owner`'s task `id`; not_found when it does not exist or is another user's.
  [[nodiscard]] virtual store_result<task> find_task(user_id owner, task_id id) = 0;
  /// A page of `owner`'s tasks with ids greater than `after`, in id order.
  [[nodiscard]] virtual store_result<std::vector<task>> list_tasks(user_id owner, task_id after,
                                                                   std::size_t limit) = 0;
  /// Completes `owner`'s open task `id` at `at` and returns it. conflict when it is completed
  /// already (it keeps its first completion time); not_found as for find_task.
  [[nodiscard]] virtual store_result<task> complete_task(user_id owner, task_id id,
                                                         timestamp at) = 0;

  // -- scheduling (service-wide) ---------------------------------------------------------------

  /// The tasks among `ids` that exist, open or completed, each once, in id order, whoever
  /// their user: how the task workers reload their tasks in one trip (each worker checks the
  /// user itself). Unknown ids are left out.
  [[nodiscard]] virtual store_result<std::vector<task>> find_tasks(
      std::span<const task_id> ids) = 0;
  /// A page of open tasks with ids greater than `after`, in id order: how the service finds
  /// every open task at boot (for_each_open_task below walks all pages).
  [[nodiscard]] virtual store_result<std::vector<task>> open_tasks(task_id after,
                                                                   std::size_t limit) = 0;
  /// Up to `limit` open tasks with next_notify_at <= now, earliest first.
  [[nodiscard]] virtual store_result<std::vector<task>> due_tasks(timestamp now,
                                                                  std::size_t limit) = 0;
  /// Sets the next due time of each listed open task (completed or missing tasks are skipped;
  /// for a task listed twice the last entry wins). Returns the number of tasks changed.
  [[nodiscard]] virtual store_result<std::size_t> set_next_notify_at(
      std::span<const schedule_update> updates) = 0;

  // -- outbox ---------------------------------------------------------------------------------

  /// Writes the entries (undelivered, no attempts) and returns their ids, in the order given
  /// and increasing. An entry with next_notify_at also moves its task's schedule, if the task
  /// is still open (notification.hpp). not_found, and nothing written, when an entry names a
  /// task that does not exist or is not the entry's user's.
  [[nodiscard]] virtual store_result<std::vector<notification_id>> enqueue(
      std::span<const new_notification> entries) = 0;
  /// Marks the entries delivered at the given times. Entries already delivered keep their first
  /// time; unknown ids are skipped. Returns the number of entries changed.
  [[nodiscard]] virtual store_result<std::size_t> mark_delivered(
      std::span<const delivery_mark> marks) = 0;
  /// A page of undelivered entries with ids greater than `after`, in id order: what a restarted
  /// service delivers again.
  [[nodiscard]] virtual store_result<std::vector<notification>> undelivered(notification_id after,
                                                                            std::size_t limit) = 0;
  /// Records delivery attempts and returns their ids, in the order given. Each attempt adds one
  /// to its entry's attempts; a `delivered` attempt also marks the entry delivered at its time,
  /// unless it was already. not_found, and nothing written, for an unknown notification.
  [[nodiscard]] virtual store_result<std::vector<attempt_id>> record_attempts(
      std::span<const new_attempt> attempts) = 0;
  /// A page of the notifications of `owner`'s task `task`, in id order; not_found when the task
  /// does not exist or is another user's.
  [[nodiscard]] virtual store_result<std::vector<notification>> list_notifications(
      user_id owner, task_id task, notification_id after, std::size_t limit) = 0;
  /// The attempts recorded for `id`, in order (empty for an unknown id).
  [[nodiscard]] virtual store_result<std::vector<delivery_attempt>> list_attempts(
      notification_id id) = 0;
};

/// Calls `visit` with every open task, a page of up to `page_size` (>= 1) at a time, in id
/// order, until the tasks run out or `visit` returns false. Returns the number of tasks visited.
/// Pages are read one after another without a transaction around them: a task opened during
/// the walk may or may not be seen; a task completed during it may still be seen (the caller
/// rechecks, as a worker does when it loads its task).
[[nodiscard]] store_result<std::size_t> for_each_open_task(
    store& s, std::size_t page_size, const std::function<bool(std::span<const task>)>& visit);

}  // namespace notifier
