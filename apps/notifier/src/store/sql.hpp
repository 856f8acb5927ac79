// The SQL both stores share, written once in PostgreSQL's placeholder syntax ($1, $2, ...);
// the SQLite store rewrites $N to ?N (same numbering) when it prepares a statement. Statements
// only one backend uses (the batched writes) live in that backend's source.

#pragma once

#include "store/rows.hpp"

#include <string>

namespace notifier::detail::sql {

inline std::string with(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string s;
  s.reserve(a.size() + b.size() + c.size());
  s.append(a).append(b).append(c);
  return s;
}

// -- users --
inline const std::string insert_user = with(
    "INSERT INTO users (name, token_hash, webhook_url, webhook_secret, created_at) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING ",
    user_columns);
inline const std::string user_by_token =
    with("SELECT ", user_columns, " FROM users WHERE token_hash = $1");
inline const std::string user_by_id = with("SELECT ", user_columns, " FROM users WHERE id = $1");

// -- tasks --
inline const std::string insert_task = with(
    "INSERT INTO tasks (user_id, title, details, status, created_at, next_notify_at) "
    "VALUES ($1, $2, $3, 'open', $4, $5) RETURNING ",
    task_columns);
inline const std::string find_task =
    with("SELECT ", task_columns, " FROM tasks WHERE id = $2 AND user_id = $1");
inline const std::string task_by_id = with("SELECT ", task_columns, " FROM tasks WHERE id = $1");
inline const std::string list_tasks = with(
    "SELECT ", task_columns, " FROM tasks WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3");
inline const std::string complete_task = with(
    "UPDATE tasks SET status = 'completed', completed_at = $3 "
    "WHERE id = $2 AND user_id = $1 AND status = 'open' RETURNING ",
    task_columns);
inline const std::string task_status = "SELECT status FROM tasks WHERE id = $2 AND user_id = $1";
inline const std::string open_tasks = with(
    "SELECT ", task_columns, " FROM tasks WHERE status = 'open' AND id > $1 ORDER BY id LIMIT $2");
inline const std::string due_tasks =
    with("SELECT ", task_columns,
         " FROM tasks WHERE status = 'open' AND next_notify_at <= $1 "
         "ORDER BY next_notify_at, id LIMIT $2");

// -- outbox --
inline const std::string undelivered =
    with("SELECT ", notification_columns,
         " FROM notifications WHERE delivered_at IS NULL AND id > $1 ORDER BY id LIMIT $2");
inline const std::string list_notifications =
    with("SELECT ", notification_columns,
         " FROM notifications WHERE task_id = $2 AND user_id = $1 AND id > $3 "
         "ORDER BY id LIMIT $4");
inline const std::string list_attempts = with(
    "SELECT ", attempt_columns, " FROM delivery_attempts WHERE notification_id = $1 ORDER BY id");

// -- schema --
inline const std::string create_migrations_table =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)";
inline const std::string current_version =
    "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_migrations";
inline const std::string record_migration =
    "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)";

}  // namespace notifier::detail::sql
