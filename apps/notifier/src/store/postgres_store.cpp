// The PostgreSQL store. Single-row calls are one parameterised statement. A batch is one
// transaction of a few statements whatever its size: the entries travel as arrays (one text
// parameter per column) that the server unnests into rows. Ids of inserted rows are drawn from
// the table's sequence first (nextval), then inserted explicitly, so that the ids returned match
// the entries' order (RETURNING promises no order).

#include "notifier/store/postgres_store.hpp"

#include "store/credentials.hpp"
#include "store/failure.hpp"
#include "store/pg_conn.hpp"
#include "store/schema.hpp"
#include "store/sql.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>

namespace notifier {

namespace {

using detail::fail;
using detail::limit_param;
using detail::pg_array;
using detail::pg_conn;
using detail::pg_params;
using detail::pg_row;
using detail::pg_transaction;

// Serialises concurrent migrate() calls of several service instances on one database (an
// arbitrary key, fixed forever).
constexpr std::int64_t migration_lock_key = 0x6f74746572'6e6f74;  // "otter" "not"

const std::string take_ids_sql =
    "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2::bigint)";
const std::string find_users_sql = detail::sql::with(
    "SELECT ", detail::user_columns, " FROM users WHERE id = ANY($1::bigint[]) ORDER BY id");
const std::string find_tasks_sql = detail::sql::with(
    "SELECT ", detail::task_columns, " FROM tasks WHERE id = ANY($1::bigint[]) ORDER BY id");
const std::string set_next_notify_sql =
    "UPDATE tasks AS t SET next_notify_at = v.at "
    "FROM unnest($1::bigint[], $2::bigint[]) AS v(id, at) "
    "WHERE t.id = v.id AND t.status = 'open'";
const std::string insert_notifications_sql =
    "INSERT INTO notifications (id, task_id, user_id, channel, payload, created_at) "
    "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], "
    "$6::bigint[])";
const std::string mark_delivered_sql =
    "UPDATE notifications AS n SET delivered_at = v.at "
    "FROM unnest($1::bigint[], $2::bigint[]) AS v(id, at) "
    "WHERE n.id = v.id AND n.delivered_at IS NULL";
const std::string insert_attempts_sql =
    "INSERT INTO delivery_attempts (id, notification_id, attempted_at, outcome, detail) "
    "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[])";
// Per notification: how many attempts the batch adds, and the time of its first delivered one.
const std::string count_attempts_sql =
    "UPDATE notifications AS n SET attempts = n.attempts + v.tries, "
    "delivered_at = COALESCE(n.delivered_at, v.first_delivered) "
    "FROM (SELECT id, count(*) AS tries, "
    "(array_agg(at ORDER BY ord) FILTER (WHERE outcome = 'delivered'))[1] AS first_delivered "
    "FROM unnest($1::bigint[], $2::bigint[], $3::text[]) WITH ORDINALITY AS u(id, at, outcome, "
    "ord) "
    "GROUP BY id) AS v "
    "WHERE n.id = v.id";

template <class Id>
std::vector<std::int64_t> values_of(std::span<const Id> ids) {
  std::vector<std::int64_t> out;
  out.reserve(ids.size());
  for (const Id id : ids) {
    out.push_back(id.value);
  }
  return out;
}

class postgres_store final : public store {
public:
  explicit postgres_store(postgres_options options)
      : options_(std::move(options)), conn_(options_.url, options_.connect_timeout) {}

  store_result<int> migrate() override {
    return guarded([&] {
      pg_transaction tx(conn_, options_.before_commit);
      (void)conn_.exec("SELECT pg_advisory_xact_lock($1::bigint)", pg_params(migration_lock_key));
      (void)conn_.exec(detail::sql::create_migrations_table);
      const std::int64_t current = conn_.exec(detail::sql::current_version, pg_params())
                                       .one([](const pg_row& r) { return r.i64(0); },
                                            store_errc::internal, "no schema version");
      if (current > schema_version) {
        fail(store_errc::internal, "the database's schema version " + std::to_string(current)
                                       + " is newer than this build's "
                                       + std::to_string(schema_version));
      }
      for (const auto& m : detail::migrations()) {
        if (m.version <= current) {
          continue;
        }
        (void)conn_.exec(detail::migration_sql(m, detail::dialect::postgres));
        (void)conn_.exec(detail::sql::record_migration,
                         pg_params(m.version, m.description, to_millis(wall_clock_now())));
      }
      tx.commit();
      return schema_version;
    });
  }

  store_result<created_user> create_user(const new_user& u) override {
    return guarded([&] {
      detail::require_valid(validate(u));
      auto secrets = detail::new_credentials();
      auto stored =
          conn_
              .exec(detail::sql::insert_user, pg_params(u.name, secrets.token_hash, u.webhook_url,
                                                        secrets.secret, to_millis(u.created_at)))
              .one(detail::read_user<pg_row>, store_errc::internal, "no user inserted");
      return created_user{.user = std::move(stored), .token = std::move(secrets.token)};
    });
  }

  store_result<user> user_by_token(std::string_view token) override {
    return guarded([&] {
      return conn_.exec(detail::sql::user_by_token, pg_params(detail::stored_token_hash(token)))
          .one(detail::read_user<pg_row>, store_errc::not_found, "no user has this token");
    });
  }

  store_result<user> user_by_id(user_id id) override {
    return guarded([&] {
      return conn_.exec(detail::sql::user_by_id, pg_params(id.value))
          .one(detail::read_user<pg_row>, store_errc::not_found,
               "no user " + std::to_string(id.value));
    });
  }

  store_result<std::vector<user>> find_users(std::span<const user_id> ids) override {
    return guarded([&] {
      return conn_.exec(find_users_sql, pg_params(pg_array(values_of(ids))))
          .all(detail::read_user<pg_row>);
    });
  }

  store_result<task> create_task(user_id owner, const new_task& t) override {
    return guarded([&] {
      detail::require_valid(validate(t));
      return conn_
          .exec(detail::sql::insert_task,
                pg_params(owner.value, t.title, t.details, to_millis(t.created_at),
                          to_millis(t.first_notify_at)))
          .one(detail::read_task<pg_row>, store_errc::internal, "no task inserted");
    });
  }

  store_result<std::size_t> create_tasks(user_id owner, std::span<const new_task> tasks) override {
    return guarded([&]() -> std::size_t {
      detail::require_all_valid(tasks);
      if (tasks.empty()) {
        return 0;
      }
      pg_transaction tx(conn_, options_.before_commit);
      for (const new_task& t : tasks) {
        (void)conn_.exec(detail::sql::insert_task,
                         pg_params(owner.value, t.title, t.details, to_millis(t.created_at),
                                   to_millis(t.first_notify_at)));
      }
      tx.commit();
      return tasks.size();
    });
  }

  store_result<task> find_task(user_id owner, task_id id) override {
    return guarded([&] {
      return conn_.exec(detail::sql::find_task, pg_params(owner.value, id.value))
          .one(detail::read_task<pg_row>, store_errc::not_found,
               "no task " + std::to_string(id.value));
    });
  }

  store_result<std::vector<task>> find_tasks(std::span<const task_id> ids) override {
    return guarded([&] {
      return conn_.exec(find_tasks_sql, pg_params(pg_array(values_of(ids))))
          .all(detail::read_task<pg_row>);
    });
  }

  store_result<std::vector<task>> list_tasks(user_id owner, task_id after,
                                             std::size_t limit) override {
    return guarded([&] {
      return conn_
          .exec(detail::sql::list_tasks, pg_params(owner.value, after.value, limit_param(limit)))
          .all(detail::read_task<pg_row>);
    });
  }

  store_result<task> complete_task(user_id owner, task_id id, timestamp at) override {
    return guarded([&] {
      auto done =
          conn_.exec(detail::sql::complete_task, pg_params(owner.value, id.value, to_millis(at)));
      if (done.rows() > 0) {
        return detail::read_task(done.row(0));
      }
      // As in the SQLite store: missing, or completed already (a task never reopens).
      if (conn_.exec(detail::sql::task_status, pg_params(owner.value, id.value)).rows() == 0) {
        fail(store_errc::not_found, "no task " + std::to_string(id.value));
      }
      fail(store_errc::conflict, "task " + std::to_string(id.value) + " is already completed");
    });
  }

  store_result<std::vector<task>> open_tasks(task_id after, std::size_t limit) override {
    return guarded([&] {
      return conn_.exec(detail::sql::open_tasks, pg_params(after.value, limit_param(limit)))
          .all(detail::read_task<pg_row>);
    });
  }

  store_result<std::vector<task>> due_tasks(timestamp now, std::size_t limit) override {
    return guarded([&] {
      return conn_.exec(detail::sql::due_tasks, pg_params(to_millis(now), limit_param(limit)))
          .all(detail::read_task<pg_row>);
    });
  }

  store_result<std::size_t> set_next_notify_at(std::span<const schedule_update> updates) override {
    return guarded([&]() -> std::size_t {
      if (updates.empty()) {
        return 0;
      }
      pg_transaction tx(conn_, options_.before_commit);
      const std::size_t changed = update_schedule(updates);
      tx.commit();
      return changed;
    });
  }

  store_result<std::vector<notification_id>> enqueue(
      std::span<const new_notification> entries) override {
    return guarded([&] {
      std::vector<notification_id> out;
      if (entries.empty()) {
        return out;
      }
      pg_transaction tx(conn_, options_.before_commit);
      const std::vector<std::int64_t> ids = take_ids("notifications", entries.size());
      std::vector<std::int64_t> tasks, users, created;
      std::vector<std::string> channels, payloads;
      std::vector<schedule_update> moves;
      for (const auto& e : entries) {
        tasks.push_back(e.task.value);
        users.push_back(e.user.value);
        channels.emplace_back(to_string(e.channel));
        payloads.push_back(e.payload);
        created.push_back(to_millis(e.created_at));
        if (e.next_notify_at) {
          moves.push_back({.task = e.task, .next_notify_at = *e.next_notify_at});
        }
      }
      (void)conn_.exec(insert_notifications_sql,
                       pg_params(pg_array(ids), pg_array(tasks), pg_array(users),
                                 pg_array(channels), pg_array(payloads), pg_array(created)));
      if (!moves.empty()) {
        (void)update_schedule(moves);
      }
      tx.commit();
      out.reserve(ids.size());
      for (const auto id : ids) {
        out.push_back(notification_id{id});
      }
      return out;
    });
  }

  store_result<std::size_t> mark_delivered(std::span<const delivery_mark> marks) override {
    return guarded([&]() -> std::size_t {
      if (marks.empty()) {
        return 0;
      }
      // An id listed twice keeps its first time, as the SQLite store's in-order loop does.
      std::vector<std::int64_t> ids, times;
      std::unordered_map<std::int64_t, bool> seen;
      for (const auto& m : marks) {
        if (seen.emplace(m.notification.value, true).second) {
          ids.push_back(m.notification.value);
          times.push_back(to_millis(m.delivered_at));
        }
      }
      pg_transaction tx(conn_, options_.before_commit);
      const std::size_t changed =
          conn_.exec(mark_delivered_sql, pg_params(pg_array(ids), pg_array(times))).changed();
      tx.commit();
      return changed;
    });
  }

  store_result<std::vector<notification>> undelivered(notification_id after,
                                                      std::size_t limit) override {
    return guarded([&] {
      return conn_.exec(detail::sql::undelivered, pg_params(after.value, limit_param(limit)))
          .all(detail::read_notification<pg_row>);
    });
  }

  store_result<std::vector<attempt_id>> record_attempts(
      std::span<const new_attempt> attempts) override {
    return guarded([&] {
      std::vector<attempt_id> out;
      if (attempts.empty()) {
        return out;
      }
      pg_transaction tx(conn_, options_.before_commit);
      const std::vector<std::int64_t> ids = take_ids("delivery_attempts", attempts.size());
      std::vector<std::int64_t> notifications, times;
      std::vector<std::string> outcomes, details;
      for (const auto& a : attempts) {
        notifications.push_back(a.notification.value);
        times.push_back(to_millis(a.attempted_at));
        outcomes.emplace_back(to_string(a.outcome));
        details.push_back(a.detail);
      }
      (void)conn_.exec(insert_attempts_sql,
                       pg_params(pg_array(ids), pg_array(notifications), pg_array(times),
                                 pg_array(outcomes), pg_array(details)));
      (void)conn_.exec(count_attempts_sql,
                       pg_params(pg_array(notifications), pg_array(times), pg_array(outcomes)));
      tx.commit();
      out.reserve(ids.size());
      for (const auto id : ids) {
        out.push_back(attempt_id{id});
      }
      return out;
    });
  }

  store_result<std::vector<notification>> list_notifications(user_id owner, task_id t,
                                                             notification_id after,
                                                             std::size_t limit) override {
    return guarded([&] {
      if (conn_.exec(detail::sql::task_status, pg_params(owner.value, t.value)).rows() == 0) {
        fail(store_errc::not_found, "no task " + std::to_string(t.value));
      }
      return conn_
          .exec(detail::sql::list_notifications,
                pg_params(owner.value, t.value, after.value, limit_param(limit)))
          .all(detail::read_notification<pg_row>);
    });
  }

  store_result<std::vector<delivery_attempt>> list_attempts(notification_id id) override {
    return guarded([&] {
      return conn_.exec(detail::sql::list_attempts, pg_params(id.value))
          .all(detail::read_attempt<pg_row>);
    });
  }

private:
  template <class F>
  auto guarded(F&& body) -> store_result<std::invoke_result_t<F&>> {
    return detail::guarded(mu_, [&] {
      conn_.ensure_ready();
      return body();
    });
  }

  // `count` fresh ids of `table`, increasing.
  std::vector<std::int64_t> take_ids(const char* table, std::size_t count) {
    auto ids = conn_.exec(take_ids_sql, pg_params(table, static_cast<std::int64_t>(count)))
                   .all([](const pg_row& r) { return r.i64(0); });
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // Moves the schedule of each listed open task; a task listed twice gets its last time (an
  // UPDATE ... FROM that matches one row twice would apply an arbitrary one). Returns the
  // number of tasks changed.
  std::size_t update_schedule(std::span<const schedule_update> updates) {
    std::unordered_map<std::int64_t, std::int64_t> last;
    std::vector<std::int64_t> order;
    for (const auto& u : updates) {
      if (last.insert_or_assign(u.task.value, to_millis(u.next_notify_at)).second) {
        order.push_back(u.task.value);
      }
    }
    std::vector<std::int64_t> times;
    times.reserve(order.size());
    for (const auto id : order) {
      times.push_back(last[id]);
    }
    return conn_.exec(set_next_notify_sql, pg_params(pg_array(order), pg_array(times))).changed();
  }

  // Constant after construction.
  const postgres_options options_;

  std::mutex mu_;
  pg_conn conn_;  // Protected by mu_ (every use is inside guarded()).
};

}  // namespace

store_result<std::unique_ptr<store>> open_postgres_store(postgres_options options) {
  try {
    return std::unique_ptr<store>(std::make_unique<postgres_store>(std::move(options)));
  } catch (detail::store_exception& e) {
    return otter::unexpected<store_error>(std::move(e.error));
  }
}

}  // namespace notifier
