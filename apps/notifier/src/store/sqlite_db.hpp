// A thin C++ layer over the SQLite C API for sqlite_store.cpp: a connection with a cache of
// prepared statements, a statement in use (bind, step, read columns), and a write transaction.
// Every SQLite error is thrown as a store_exception with its store_errc (sqlite_db.cpp maps the
// result codes).
//
// Thread safety: none; the owning store serialises all use under its mutex.

#pragma once

#include "store/failure.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace notifier::detail {

/// The store_errc for an (extended) SQLite result code.
[[nodiscard]] store_errc sqlite_errc(int extended_code) noexcept;

class sqlite_db;

/// A cached prepared statement being used: bind(), then step() through the rows and read
/// them. Resets the statement and clears its bindings when it goes out of scope, so the cache
/// can hand it out again. @pre At most one sqlite_query per SQL text is alive at a time (the
/// two would share one statement): each use is scoped, and no use nests in another of the same
/// statement.
class sqlite_query {
public:
  sqlite_query(sqlite_db& db, sqlite3_stmt* stmt) noexcept : db_(db), stmt_(stmt) {}
  sqlite_query(const sqlite_query&) = delete;
  sqlite_query& operator=(const sqlite_query&) = delete;
  ~sqlite_query();

  /// Binds the arguments to ?1, ?2, ... Integers bind as int64, std::nullopt and nullptr as
  /// NULL, anything convertible to std::string_view as text (copied).
  template <class... Args>
  sqlite_query& bind(const Args&... args) {
    int index = 1;
    (bind_one(index++, args), ...);
    return *this;
  }

  /// Runs to the next row: true when there is one, false when the statement is done.
  bool step();
  /// Steps until done, for statements that return no rows.
  void run();
  /// Steps to the one row the statement must return; `on_none` is thrown when there is none.
  void expect_row(store_errc on_none, std::string_view what);

  // -- the current row --
  [[nodiscard]] std::int64_t i64(int col) const;
  [[nodiscard]] std::optional<std::int64_t> opt_i64(int col) const;
  [[nodiscard]] std::string text(int col) const;
  [[nodiscard]] std::optional<std::string> opt_text(int col) const;

private:
  template <class T>
  void bind_one(int index, const T& value) {
    if constexpr (std::is_same_v<T, std::nullptr_t> || std::is_same_v<T, std::nullopt_t>) {
      bind_null(index);
    } else if constexpr (is_optional_v<T>) {
      if (value) {
        bind_one(index, *value);
      } else {
        bind_null(index);
      }
    } else if constexpr (std::is_integral_v<T>) {
      bind_int(index, static_cast<std::int64_t>(value));
    } else {
      bind_text(index, std::string_view(value));
    }
  }
  void bind_null(int index);
  void bind_int(int index, std::int64_t value);
  void bind_text(int index, std::string_view value);
  void check(int rc, std::string_view what) const;

  sqlite_db& db_;
  sqlite3_stmt* stmt_;
};

class sqlite_db {
public:
  /// Opens `path` and applies the connection settings. Throws store_exception.
  sqlite_db(const std::string& path, int busy_timeout_ms, bool synchronous_full);
  sqlite_db(const sqlite_db&) = delete;
  sqlite_db& operator=(const sqlite_db&) = delete;
  ~sqlite_db();

  /// The statement for `sql` (PostgreSQL placeholders $N are accepted and become ?N), prepared
  /// on first use and cached for the connection's life.
  [[nodiscard]] sqlite_query query(const std::string& sql);
  /// Runs `sql`, one or more statements without parameters.
  void exec(const std::string& sql);

  /// Throws the store_exception for the connection's last error, `rc`, during `what`.
  [[noreturn]] void fail(int rc, std::string_view what) const;

  [[nodiscard]] sqlite3* handle() const noexcept { return db_; }

private:
  struct finalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
  };

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, finalizer>> statements_;
};

/// A write transaction: BEGIN IMMEDIATE at construction (the write lock is taken up front, so
/// two writers cannot deadlock upgrading a read lock), ROLLBACK at destruction unless commit()
/// ran. commit() calls the test hook first (sqlite_options::before_commit).
class sqlite_transaction {
public:
  sqlite_transaction(sqlite_db& db, const std::function<void()>& before_commit);
  sqlite_transaction(const sqlite_transaction&) = delete;
  sqlite_transaction& operator=(const sqlite_transaction&) = delete;
  ~sqlite_transaction();

  void commit();

private:
  sqlite_db& db_;
  const std::function<void()>& before_commit_;
  bool open_ = true;
};

}  // namespace notifier::detail
