// The SQLite store. Batched writes are one BEGIN IMMEDIATE transaction that runs a cached
// prepared statement once per entry: inside a transaction each row costs a few microseconds
// (no fsync until COMMIT), so a batch of 10'000 is one fsync, not 10'000.

#include "notifier/store/sqlite_store.hpp"

#include "store/credentials.hpp"
#include "store/failure.hpp"
#include "store/schema.hpp"
#include "store/sql.hpp"
#include "store/sqlite_db.hpp"

#include <algorithm>
#include <climits>
#include <mutex>
#include <unordered_set>

namespace notifier {

namespace {

using detail::fail;
using detail::limit_param;
using detail::sqlite_db;
using detail::sqlite_transaction;

// SQLite-only statements of the batched writes (one row each, run in a loop in one transaction).
const std::string set_next_notify_sql =
    "UPDATE tasks SET next_notify_at = $2 WHERE id = $1 AND status = 'open'";
const std::string insert_notification_sql =
    "INSERT INTO notifications (task_id, user_id, channel, payload, created_at) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id";
const std::string mark_delivered_sql =
    "UPDATE notifications SET delivered_at = $2 WHERE id = $1 AND delivered_at IS NULL";
const std::string insert_attempt_sql =
    "INSERT INTO delivery_attempts (notification_id, attempted_at, outcome, detail) "
    "VALUES ($1, $2, $3, $4) RETURNING id";
const std::string count_attempt_sql =
    "UPDATE notifications SET attempts = attempts + 1, delivered_at = CASE "
    "WHEN $2 = 'delivered' AND delivered_at IS NULL THEN $3 ELSE delivered_at END WHERE id = $1";

// read(q) for each remaining row of q.
template <class Read>
auto read_all(detail::sqlite_query& q, Read read) {
  std::vector<decltype(read(q))> rows;
  while (q.step()) {
    rows.push_back(read(q));
  }
  return rows;
}

// The ids sorted, each once: the order find_tasks and find_users answer in.
template <class Id>
std::vector<Id> sorted_unique(std::span<const Id> ids) {
  std::vector<Id> out(ids.begin(), ids.end());
  std::sort(out.begin(), out.end());  // basic_id orders by value
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

class sqlite_store final : public store {
public:
  explicit sqlite_store(sqlite_options options)
      : options_(std::move(options)),
        db_(options_.path,
            static_cast<int>(std::clamp<std::int64_t>(options_.busy_timeout.count(), 0, INT_MAX)),
            options_.synchronous_full) {}

  store_result<int> migrate() override {
    return guarded([&] {
      sqlite_transaction tx(db_, options_.before_commit);
      db_.exec(detail::sql::create_migrations_table);
      std::int64_t current = 0;
      {
        auto q = db_.query(detail::sql::current_version);
        q.expect_row(store_errc::internal, "no schema version");
        current = q.i64(0);
      }
      if (current > schema_version) {
        fail(store_errc::internal, "the database's schema version " + std::to_string(current)
                                       + " is newer than this build's "
                                       + std::to_string(schema_version));
      }
      for (const auto& m : detail::migrations()) {
        if (m.version <= current) {
          continue;
        }
        db_.exec(detail::migration_sql(m, detail::dialect::sqlite));
        db_.query(detail::sql::record_migration)
            .bind(m.version, m.description, to_millis(wall_clock_now()))
            .run();
      }
      tx.commit();
      return schema_version;
    });
  }

  store_result<created_user> create_user(const new_user& u) override {
    return guarded([&] {
      detail::require_valid(validate(u));
      auto secrets = detail::new_credentials();
      auto q = db_.query(detail::sql::insert_user);
      q.bind(u.name, secrets.token_hash, u.webhook_url, secrets.secret, to_millis(u.created_at));
      q.expect_row(store_errc::internal, "INSERT INTO users returned nothing");
      return created_user{.user = detail::read_user(q), .token = std::move(secrets.token)};
    });
  }

  store_result<user> user_by_token(std::string_view token) override {
    return guarded([&] {
      auto q = db_.query(detail::sql::user_by_token);
      q.bind(detail::stored_token_hash(token));
      q.expect_row(store_errc::not_found, "no user has this token");
      return detail::read_user(q);
    });
  }

  store_result<user> user_by_id(user_id id) override {
    return guarded([&] {
      auto q = db_.query(detail::sql::user_by_id);
      q.bind(id.value);
      q.expect_row(store_errc::not_found, "no user " + std::to_string(id.value));
      return detail::read_user(q);
    });
  }

  store_result<std::vector<user>> find_users(std::span<const user_id> ids) override {
    return find_each(detail::sql::user_by_id, ids, detail::read_user<detail::sqlite_query>);
  }

  store_result<task> create_task(user_id owner, const new_task& t) override {
    return guarded([&] {
      detail::require_valid(validate(t));
      auto q = db_.query(detail::sql::insert_task);
      q.bind(owner.value, t.title, t.details, to_millis(t.created_at),
             to_millis(t.first_notify_at));
      q.expect_row(store_errc::internal, "INSERT INTO tasks returned nothing");
      return detail::read_task(q);
    });
  }

  store_result<std::size_t> create_tasks(user_id owner, std::span<const new_task> tasks) override {
    return guarded([&]() -> std::size_t {
      detail::require_all_valid(tasks);
      if (tasks.empty()) {
        return 0;
      }
      sqlite_transaction tx(db_, options_.before_commit);
      for (const new_task& t : tasks) {
        auto q = db_.query(detail::sql::insert_task);
        q.bind(owner.value, t.title, t.details, to_millis(t.created_at),
               to_millis(t.first_notify_at));
        q.expect_row(store_errc::internal, "INSERT INTO tasks returned nothing");
      }
      tx.commit();
      return tasks.size();
    });
  }

  store_result<task> find_task(user_id owner, task_id id) override {
    return guarded([&] {
      auto q = db_.query(detail::sql::find_task);
      q.bind(owner.value, id.value);
      q.expect_row(store_errc::not_found, "no task " + std::to_string(id.value));
      return detail::read_task(q);
    });
  }

  store_result<std::vector<task>> find_tasks(std::span<const task_id> ids) override {
    return find_each(detail::sql::task_by_id, ids, detail::read_task<detail::sqlite_query>);
  }

  store_result<std::vector<task>> list_tasks(user_id owner, task_id after,
                                             std::size_t limit) override {
    return guarded([&] {
      auto q = db_.query(detail::sql::list_tasks);
      q.bind(owner.value, after.value, limit_param(limit));
      return read_all(q, detail::read_task<detail::sqlite_query>);
    });
  }

  store_result<task> complete_task(user_id owner, task_id id, timestamp at) override {
    return guarded([&] {
      {
        auto q = db_.query(detail::sql::complete_task);
        q.bind(owner.value, id.value, to_millis(at));
        if (q.step()) {
          return detail::read_task(q);
        }
      }
      // Nothing changed: the task is missing (or another user's), or completed already. A
      // task never goes back to open, so this second read cannot contradict the update.
      auto q = db_.query(detail::sql::task_status);
      q.bind(owner.value, id.value);
      q.expect_row(store_errc::not_found, "no task " + std::to_string(id.value));
      fail(store_errc::conflict, "task " + std::to_string(id.value) + " is already completed");
    });
  }

  store_result<std::vector<task>> open_tasks(task_id after, std::size_t limit) override {
    return guarded([&] {
      auto q = db_.query(detail::sql::open_tasks);
      q.bind(after.value, limit_param(limit));
      return read_all(q, detail::read_task<detail::sqlite_query>);
    });
  }

  store_result<std::vector<task>> due_tasks(timestamp now, std::size_t limit) override {
    return guarded([&] {
      auto q = db_.query(detail::sql::due_tasks);
      q.bind(to_millis(now), limit_param(limit));
      return read_all(q, detail::read_task<detail::sqlite_query>);
    });
  }

  store_result<std::size_t> set_next_notify_at(std::span<const schedule_update> updates) override {
    return guarded([&]() -> std::size_t {
      if (updates.empty()) {
        return 0;
      }
      sqlite_transaction tx(db_, options_.before_commit);
      std::unordered_set<std::int64_t> changed;  // a task listed twice counts once
      for (const auto& u : updates) {
        db_.query(set_next_notify_sql).bind(u.task.value, to_millis(u.next_notify_at)).run();
        if (sqlite3_changes(db_.handle()) > 0) {
          changed.insert(u.task.value);
        }
      }
      tx.commit();
      return changed.size();
    });
  }

  store_result<std::vector<notification_id>> enqueue(
      std::span<const new_notification> entries) override {
    return guarded([&] {
      std::vector<notification_id> ids;
      if (entries.empty()) {
        return ids;
      }
      sqlite_transaction tx(db_, options_.before_commit);
      ids.reserve(entries.size());
      for (const auto& e : entries) {
        {
          auto q = db_.query(insert_notification_sql);
          q.bind(e.task.value, e.user.value, to_string(e.channel), e.payload,
                 to_millis(e.created_at));
          q.expect_row(store_errc::internal, "INSERT INTO notifications returned nothing");
          ids.push_back(notification_id{q.i64(0)});
        }
        if (e.next_notify_at) {
          db_.query(set_next_notify_sql).bind(e.task.value, to_millis(*e.next_notify_at)).run();
        }
      }
      tx.commit();
      return ids;
    });
  }

  store_result<std::size_t> mark_delivered(std::span<const delivery_mark> marks) override {
    return guarded([&]() -> std::size_t {
      if (marks.empty()) {
        return 0;
      }
      sqlite_transaction tx(db_, options_.before_commit);
      std::size_t changed = 0;
      for (const auto& m : marks) {
        db_.query(mark_delivered_sql).bind(m.notification.value, to_millis(m.delivered_at)).run();
        changed += static_cast<std::size_t>(sqlite3_changes(db_.handle()));
      }
      tx.commit();
      return changed;
    });
  }

  store_result<std::vector<notification>> undelivered(notification_id after,
                                                      std::size_t limit) override {
    return guarded([&] {
      auto q = db_.query(detail::sql::undelivered);
      q.bind(after.value, limit_param(limit));
      return read_all(q, detail::read_notification<detail::sqlite_query>);
    });
  }

  store_result<std::vector<attempt_id>> record_attempts(
      std::span<const new_attempt> attempts) override {
    return guarded([&] {
      std::vector<attempt_id> ids;
      if (attempts.empty()) {
        return ids;
      }
      sqlite_transaction tx(db_, options_.before_commit);
      ids.reserve(attempts.size());
      for (const auto& a : attempts) {
        {
          auto q = db_.query(insert_attempt_sql);
          q.bind(a.notification.value, to_millis(a.attempted_at), to_string(a.outcome), a.detail);
          q.expect_row(store_errc::internal, "INSERT INTO delivery_attempts returned nothing");
          ids.push_back(attempt_id{q.i64(0)});
        }
        db_.query(count_attempt_sql)
            .bind(a.notification.value, to_string(a.outcome), to_millis(a.attempted_at))
            .run();
      }
      tx.commit();
      return ids;
    });
  }

  store_result<std::vector<notification>> list_notifications(user_id owner, task_id t,
                                                             notification_id after,
                                                             std::size_t limit) override {
    return guarded([&] {
      {
        auto q = db_.query(detail::sql::task_status);
        q.bind(owner.value, t.value);
        q.expect_row(store_errc::not_found, "no task " + std::to_string(t.value));
      }
      auto q = db_.query(detail::sql::list_notifications);
      q.bind(owner.value, t.value, after.value, limit_param(limit));
      return read_all(q, detail::read_notification<detail::sqlite_query>);
    });
  }

  store_result<std::vector<delivery_attempt>> list_attempts(notification_id id) override {
    return guarded([&] {
      auto q = db_.query(detail::sql::list_attempts);
      q.bind(id.value);
      return read_all(q, detail::read_attempt<detail::sqlite_query>);
    });
  }

private:
  // The row of each id by `sql` (a lookup by id), in id order: one cached statement run per id,
  // a point lookup costing a few microseconds as a row of a batched write does; a missing id
  // yields no row.
  template <class Id, class Read, class Row = std::invoke_result_t<Read&, detail::sqlite_query&>>
  store_result<std::vector<Row>> find_each(const std::string& sql, std::span<const Id> ids,
                                           Read read) {
    return guarded([&] {
      std::vector<Row> out;
      for (const Id id : sorted_unique(ids)) {
        auto q = db_.query(sql);
        q.bind(id.value);
        if (q.step()) {
          out.push_back(read(q));
        }
      }
      return out;
    });
  }

  template <class F>
  auto guarded(F&& body) -> store_result<std::invoke_result_t<F&>> {
    return detail::guarded(mu_, std::forward<F>(body));
  }

  // Constant after construction.
  const sqlite_options options_;

  std::mutex mu_;
  sqlite_db db_;  // Protected by mu_ (every use is inside guarded()).
};

}  // namespace

store_result<std::unique_ptr<store>> open_sqlite_store(sqlite_options options) {
  try {
    return std::unique_ptr<store>(std::make_unique<sqlite_store>(std::move(options)));
  } catch (detail::store_exception& e) {
    return otter::unexpected<store_error>(std::move(e.error));
  }
}

}  // namespace notifier
