#include "store/backends.hpp"

#include "notifier/store/postgres_store.hpp"
#include "notifier/store/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>

namespace notifier::testing {

// -- sqlite ------------------------------------------------------------------------------------

sqlite_backend::sqlite_backend() : file_(dir_.path() / "notifier.db") {}

store_result<std::unique_ptr<store>> sqlite_backend::open(
    std::function<void()> before_commit) const {
  return open_sqlite_store({.path = file_.string(), .before_commit = std::move(before_commit)});
}

void sqlite_backend::exec(const std::string& sql) const {
  sqlite3* db = nullptr;
  if (sqlite3_open(file_.c_str(), &db) != SQLITE_OK) {
    ADD_FAILURE() << "sqlite3_open: " << sqlite3_errmsg(db);
  } else if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  sqlite3_close(db);
}

std::int64_t sqlite_backend::query_int(const std::string& sql) const {
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  std::int64_t out = -1;
  if (sqlite3_open(file_.c_str(), &db) != SQLITE_OK
      || sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  } else if (sqlite3_step(stmt) == SQLITE_ROW) {
    out = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

// -- postgres ----------------------------------------------------------------------------------

namespace {

std::string with_param(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
}

std::string unique_schema() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return "t_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_"
         + std::to_string(rd() % 1'000'000);
}

}  // namespace

std::optional<std::string> pg_exec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::optional<std::string> out;
  if (PQstatus(conn) != CONNECTION_OK) {
    ADD_FAILURE() << "connect " << url << ": " << PQerrorMessage(conn);
  } else {
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    PGresult* r = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
    } else if (PQntuples(r) > 0 && PQnfields(r) > 0) {
      out = PQgetvalue(r, 0, 0);
    }
    PQclear(r);
  }
  PQfinish(conn);
  return out;
}

postgres_backend::postgres_backend() {
  const char* file = std::getenv("NOTIFIER_TEST_PG_URL_FILE");
  if (file == nullptr) {
    unavailable_ = "NOTIFIER_TEST_PG_URL_FILE is not set (ctest sets it and starts the server)";
    return;
  }
  std::ifstream in(file);
  if (!std::getline(in, server_url_) || server_url_.empty()) {
    // The fixture should have written it: that is a failure, not a reason to skip.
    throw std::runtime_error(std::string("no PostgreSQL URL in ") + file);
  }
  schema_ = unique_schema();
  pg_exec(server_url_, "CREATE SCHEMA " + schema_);
  url_ = with_param(with_param(server_url_, "options=-csearch_path%3D" + schema_),
                    "application_name=" + schema_);
}

postgres_backend::~postgres_backend() {
  if (!schema_.empty()) {
    pg_exec(server_url_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }
}

store_result<std::unique_ptr<store>> postgres_backend::open(
    std::function<void()> before_commit) const {
  return open_postgres_store({.url = url_, .before_commit = std::move(before_commit)});
}

void postgres_backend::exec(const std::string& sql) const {
  pg_exec(url_, sql);
}

std::int64_t postgres_backend::query_int(const std::string& sql) const {
  const auto text = pg_exec(url_, sql);
  return text ? std::stoll(*text) : -1;
}

}  // namespace notifier::testing
