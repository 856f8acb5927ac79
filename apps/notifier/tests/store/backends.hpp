// tests/store/backends.hpp: the databases the store test suite runs against.
//
// A backend gives each test a fresh, empty database and opens stores on it:
//   sqlite_backend    a file in a new temporary directory, removed afterwards;
//   postgres_backend  a new schema (search_path) on the server that scripts/postgres.sh started
//                     (its URL is in the file NOTIFIER_TEST_PG_URL_FILE names), dropped
//                     afterwards. Without that variable the PostgreSQL tests are skipped (a
//                     bare run of the binary); ctest always sets it (tests/CMakeLists.txt).
// Both also run raw SQL on a connection of their own, for the tests that tamper with the
// database behind the store's back.

#pragma once

#include "notifier/store/store.hpp"

#include "support/temp_dir.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace notifier::testing {

class sqlite_backend {
public:
  static constexpr const char* name = "Sqlite";

  sqlite_backend();
  sqlite_backend(const sqlite_backend&) = delete;
  sqlite_backend& operator=(const sqlite_backend&) = delete;

  /// Why the backend cannot run, or nothing.
  [[nodiscard]] std::optional<std::string> unavailable() const { return std::nullopt; }

  [[nodiscard]] store_result<std::unique_ptr<store>> open(
      std::function<void()> before_commit = {}) const;
  /// Runs `sql` on a connection of its own; fails the test on error.
  void exec(const std::string& sql) const;
  /// The integer in the first column of the first row of `sql` (-1 when there is none).
  [[nodiscard]] std::int64_t query_int(const std::string& sql) const;

  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

private:
  temp_dir dir_;
  std::filesystem::path file_;
};

class postgres_backend {
public:
  static constexpr const char* name = "Postgres";

  postgres_backend();
  postgres_backend(const postgres_backend&) = delete;
  postgres_backend& operator=(const postgres_backend&) = delete;
  ~postgres_backend();

  [[nodiscard]] std::optional<std::string> unavailable() const { return unavailable_; }

  [[nodiscard]] store_result<std::unique_ptr<store>> open(
      std::function<void()> before_commit = {}) const;
  void exec(const std::string& sql) const;
  [[nodiscard]] std::int64_t query_int(const std::string& sql) const;

  /// The server's URL, and the URL of this test's schema (application_name = the schema's
  /// name, so that a test can find its store's connections in pg_stat_activity).
  [[nodiscard]] const std::string& server_url() const { return server_url_; }
  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] const std::string& schema() const { return schema_; }

private:
  std::optional<std::string> unavailable_;
  std::string server_url_;
  std::string schema_;
  std::string url_;
};

/// Runs `sql` on a new connection to `url`; returns the first column of the first row, if any.
/// Fails the test on error.
std::optional<std::string> pg_exec(const std::string& url, const std::string& sql);

}  // namespace notifier::testing
