#include "store/sqlite_db.hpp"

#include <climits>
#include <string>

namespace notifier::detail {

store_errc sqlite_errc(int extended_code) noexcept {
  switch (extended_code & 0xff) {
    case SQLITE_BUSY:      // another connection holds the lock past busy_timeout
    case SQLITE_LOCKED:    // a conflict inside a shared cache
    case SQLITE_IOERR:     // the disk, the file system
    case SQLITE_CANTOPEN:  // the file or its directory, out of descriptors
    case SQLITE_FULL:      // the disk is full
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:  // a WAL lock race; transient by definition
    case SQLITE_READONLY:  // the file's permissions or medium changed under us
      return store_errc::unavailable;
    case SQLITE_CONSTRAINT:
      switch (extended_code) {
        case SQLITE_CONSTRAINT_FOREIGNKEY:  // a referenced row is missing
          return store_errc::not_found;
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
          return store_errc::conflict;
        default:  // CHECK, NOT NULL
          return store_errc::invalid;
      }
    case SQLITE_TOOBIG:
      return store_errc::invalid;
    default:  // CORRUPT, NOTADB, SCHEMA errors, MISUSE, ...
      return store_errc::internal;
  }
}

// -- sqlite_query ------------------------------------------------------------------------------

sqlite_query::~sqlite_query() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void sqlite_query::check(int rc, std::string_view what) const {
  if (rc != SQLITE_OK) {
    db_.fail(rc, what);
  }
}

void sqlite_query::bind_null(int index) {
  check(sqlite3_bind_null(stmt_, index), "bind");
}

void sqlite_query::bind_int(int index, std::int64_t value) {
  check(sqlite3_bind_int64(stmt_, index, value), "bind");
}

void sqlite_query::bind_text(int index, std::string_view value) {
  if (value.size() > static_cast<std::size_t>(INT_MAX)) {
    fail(store_errc::invalid, "a text value is too large for SQLite");
  }
  // A null data pointer would bind NULL, not the empty string.
  const char* data = value.data() != nullptr ? value.data() : "";
  check(sqlite3_bind_text(stmt_, index, data, static_cast<int>(value.size()), SQLITE_TRANSIENT),
        "bind");
}

bool sqlite_query::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  db_.fail(rc, sqlite3_sql(stmt_));
}

void sqlite_query::run() {
  while (step()) {
  }
}

void sqlite_query::expect_row(store_errc on_none, std::string_view what) {
  if (!step()) {
    fail(on_none, std::string(what));
  }
}

std::int64_t sqlite_query::i64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

std::optional<std::int64_t> sqlite_query::opt_i64(int col) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) {
    return std::nullopt;
  }
  return sqlite3_column_int64(stmt_, col);
}

std::string sqlite_query::text(int col) const {
  // sqlite3_column_text before sqlite3_column_bytes: the documented order for text.
  const auto* data = sqlite3_column_text(stmt_, col);
  const int size = sqlite3_column_bytes(stmt_, col);
  if (data == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::optional<std::string> sqlite_query::opt_text(int col) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) {
    return std::nullopt;
  }
  return text(col);
}

// -- sqlite_db ---------------------------------------------------------------------------------

namespace {

// $N -> ?N. Our SQL has no '$' inside string literals.
std::string to_sqlite_placeholders(const std::string& sql) {
  std::string out = sql;
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') {
      out[i] = '?';
    }
  }
  return out;
}

}  // namespace

sqlite_db::sqlite_db(const std::string& path, int busy_timeout_ms, bool synchronous_full) {
  // NOMUTEX: the store serialises all use of the connection under its own mutex.
  constexpr int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open " + path + ": ";
    message += db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    const int code = db_ != nullptr ? sqlite3_extended_errcode(db_) : rc;
    sqlite3_close(db_);
    db_ = nullptr;
    detail::fail(sqlite_errc(code), std::move(message));
  }
  try {
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    exec("PRAGMA foreign_keys = ON");
    // journal_mode answers with the mode in force: "wal", or "memory" for :memory:.
    {
      auto q = query("PRAGMA journal_mode = WAL");
      q.expect_row(store_errc::internal, "PRAGMA journal_mode returned nothing");
      const std::string mode = q.text(0);
      if (mode != "wal" && mode != "memory") {
        detail::fail(store_errc::unavailable,
                     "cannot switch " + path + " to WAL mode (" + mode + ")");
      }
    }
    exec(synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    // The cached PRAGMA statement is of no further use.
    statements_.clear();
  } catch (...) {
    statements_.clear();
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

sqlite_db::~sqlite_db() {
  statements_.clear();  // finalize every statement before closing
  sqlite3_close(db_);
}

sqlite_query sqlite_db::query(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const std::string text = to_sqlite_placeholders(sql);
    const int rc = sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size() + 1),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      fail(rc, "prepare " + sql);
    }
    it = statements_.emplace(sql, std::unique_ptr<sqlite3_stmt, finalizer>(stmt)).first;
  }
  return sqlite_query(*this, it->second.get());
}

void sqlite_db::exec(const std::string& sql) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    fail(rc, sql);
  }
}

void sqlite_db::fail(int rc, std::string_view what) const {
  // The connection's extended code is more precise than `rc` (e.g. CONSTRAINT_FOREIGNKEY), but
  // only when it describes the same failure.
  const int extended = sqlite3_extended_errcode(db_);
  const int code = (extended & 0xff) == (rc & 0xff) ? extended : rc;
  std::string message = sqlite3_errmsg(db_);
  message += " (in: ";
  message += what.substr(0, 120);
  message += ")";
  detail::fail(sqlite_errc(code), std::move(message));
}

// -- sqlite_transaction ------------------------------------------------------------------------

sqlite_transaction::sqlite_transaction(sqlite_db& db, const std::function<void()>& before_commit)
    : db_(db), before_commit_(before_commit) {
  db_.exec("BEGIN IMMEDIATE");
}

sqlite_transaction::~sqlite_transaction() {
  if (open_) {
    // A failed statement may have ended the transaction already (SQLite does on some I/O and
    // full-disk errors); ROLLBACK then fails harmlessly.
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

void sqlite_transaction::commit() {
  if (before_commit_) {
    before_commit_();
  }
  db_.exec("COMMIT");
  open_ = false;
}

}  // namespace notifier::detail
