// A thin C++ layer over libpq for postgres_store.cpp: a connection that reconnects after a loss,
// parameterised queries (text format), result rows, array literals for batched statements, and
// a transaction. Every error is thrown as a store_exception with its store_errc (pg_conn.cpp maps
// SQLSTATEs).
//
// Thread safety: none; the owning store serialises all use under its mutex.

#pragma once

#include "store/failure.hpp"

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace notifier::detail {

/// The store_errc for a SQLSTATE (null: no server error, e.g. the connection broke).
[[nodiscard]] store_errc pg_errc(const char* sqlstate) noexcept;

/// Query parameters, in text format: $1, $2, ... in the order added.
class pg_params {
public:
  template <class... Args>
  explicit pg_params(const Args&... args) {
    (add(args), ...);
  }

  /// Integers as decimal text, std::nullopt / nullptr as NULL, strings as they are.
  template <class T>
  void add(const T& value) {
    if constexpr (std::is_same_v<T, std::nullptr_t> || std::is_same_v<T, std::nullopt_t>) {
      values_.emplace_back(std::nullopt);
    } else if constexpr (is_optional_v<T>) {
      if (value) {
        add(*value);
      } else {
        values_.emplace_back(std::nullopt);
      }
    } else if constexpr (std::is_integral_v<T>) {
      values_.emplace_back(std::to_string(value));
    } else {
      values_.emplace_back(std::string(std::string_view(value)));
    }
  }

  [[nodiscard]] const std::vector<std::optional<std::string>>& values() const noexcept {
    return values_;
  }

private:
  std::vector<std::optional<std::string>> values_;
};

/// `{1,2,3}`: an int8[] literal.
[[nodiscard]] std::string pg_array(std::span<const std::int64_t> values);
/// `{"a","b \"quoted\""}`: a text[] literal; every element quoted, `"` and `\` escaped.
[[nodiscard]] std::string pg_array(std::span<const std::string> values);

/// One row of a result.
class pg_row {
public:
  pg_row(const PGresult* result, int row) noexcept : result_(result), row_(row) {}

  [[nodiscard]] std::int64_t i64(int col) const;
  [[nodiscard]] std::optional<std::int64_t> opt_i64(int col) const;
  [[nodiscard]] std::string text(int col) const;
  [[nodiscard]] std::optional<std::string> opt_text(int col) const;

private:
  const PGresult* result_;
  int row_;
};

/// A successful result (errors are thrown, never returned).
class pg_result {
public:
  explicit pg_result(PGresult* r) noexcept : result_(r) {}

  [[nodiscard]] int rows() const noexcept { return PQntuples(result_.get()); }
  [[nodiscard]] pg_row row(int i) const noexcept { return {result_.get(), i}; }
  /// The rows an INSERT, UPDATE or DELETE changed.
  [[nodiscard]] std::size_t changed() const;

  /// read(row) for every row.
  template <class Read>
  auto all(Read read) const {
    std::vector<decltype(read(row(0)))> out;
    out.reserve(static_cast<std::size_t>(rows()));
    for (int i = 0; i < rows(); ++i) {
      out.push_back(read(row(i)));
    }
    return out;
  }
  /// read(the only row); `on_none` is thrown with `what` when there is no row.
  template <class Read>
  auto one(Read read, store_errc on_none, const std::string& what) const {
    if (rows() == 0) {
      fail(on_none, what);
    }
    return read(row(0));
  }

private:
  struct clearer {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
  };
  std::unique_ptr<PGresult, clearer> result_;
};

class pg_conn {
public:
  /// Connects. Throws store_exception: invalid for a malformed URL, unavailable when the
  /// server cannot be reached.
  pg_conn(const std::string& url, std::chrono::seconds connect_timeout);
  pg_conn(const pg_conn&) = delete;
  pg_conn& operator=(const pg_conn&) = delete;
  ~pg_conn();

  /// Makes the connection usable for a new call: reconnects if it was lost or ended (throwing
  /// unavailable if that fails), and rolls back a transaction an earlier failure left open.
  void ensure_ready();

  /// Runs one parameterised statement.
  pg_result exec(const std::string& sql, const pg_params& params);
  /// Runs SQL without parameters (may hold several statements).
  pg_result exec(const std::string& sql);

private:
  pg_result check(PGresult* r, std::string_view sql);

  PGconn* conn_ = nullptr;
  bool broken_ = false;  // the session is over: ensure_ready() reconnects
};

/// BEGIN at construction, ROLLBACK at destruction unless commit() ran (which calls the test
/// hook first, as sqlite_transaction does).
class pg_transaction {
public:
  pg_transaction(pg_conn& conn, const std::function<void()>& before_commit);
  pg_transaction(const pg_transaction&) = delete;
  pg_transaction& operator=(const pg_transaction&) = delete;
  ~pg_transaction();

  void commit();

private:
  pg_conn& conn_;
  const std::function<void()>& before_commit_;
  bool open_ = true;
};

}  // namespace notifier::detail
