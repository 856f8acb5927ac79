// tests/store/sqlite_store_test.cpp: what only the SQLite store has (sqlite_store.hpp): the
// file, WAL mode, the busy timeout, and how opening fails.

#include "notifier/store/sqlite_store.hpp"

#include "notifier/store/open_store.hpp"

#include "store/backends.hpp"
#include "store/store_test_support.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

namespace notifier::testing {
namespace {

using namespace std::chrono_literals;

TEST(SqliteStoreTest, TheDatabaseIsInWalMode) {
  sqlite_backend db;
  auto s = must(db.open());
  (void)must(s->migrate());
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.file().c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
}

// Another writer holds the lock past the busy timeout: the call is unavailable (retryable),
// and the same call succeeds once the lock is released.
TEST(SqliteStoreTest, ALockedDatabaseIsUnavailableUntilTheLockIsReleased) {
  sqlite_backend db;
  auto s = must(open_sqlite_store({.path = db.file().string(), .busy_timeout = 50ms}));
  (void)must(s->migrate());
  const auto u = must(s->create_user({.name = "ada", .created_at = t0})).user;

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(db.file().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  const new_task t{.title = "t", .created_at = t0};
  auto blocked = s->create_task(u.id, t);
  ASSERT_EQ(code_of(blocked), store_errc::unavailable);
  EXPECT_TRUE(blocked.error().retryable());
  const std::vector<schedule_update> update = {{.task = task_id{1}, .next_notify_at = t0}};
  EXPECT_EQ(code_of(s->set_next_notify_at(update)), store_errc::unavailable);
  // Readers are not blocked by a writer in WAL mode.
  EXPECT_EQ(must(s->user_by_id(u.id)), u);

  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  EXPECT_EQ(must(s->create_task(u.id, t)).title, "t");
}

TEST(SqliteStoreTest, AFileInAMissingDirectoryIsUnavailable) {
  sqlite_backend db;
  auto s = open_sqlite_store({.path = (db.file().parent_path() / "no" / "such.db").string()});
  EXPECT_EQ(code_of(s), store_errc::unavailable);
}

TEST(SqliteStoreTest, AFileThatIsNotADatabaseIsInternal) {
  sqlite_backend db;
  std::ofstream(db.file()) << std::string(4096, 'x');
  auto s = open_sqlite_store({.path = db.file().string()});
  EXPECT_EQ(code_of(s), store_errc::internal);
}

TEST(SqliteStoreTest, AnInMemoryDatabaseWorksForTests) {
  auto s = must(open_sqlite_store({.path = ":memory:"}));
  EXPECT_EQ(must(s->migrate()), schema_version);
  const auto created = must(s->create_user({.name = "ada", .created_at = t0}));
  EXPECT_EQ(must(s->user_by_token(created.token)), created.user);
}

TEST(SqliteStoreTest, OpenStoreTakesAPathOrASqliteUrl) {
  sqlite_backend db;
  auto by_url = must(open_store("sqlite:" + db.file().string()));
  EXPECT_EQ(must(by_url->migrate()), schema_version);
  const auto created = must(by_url->create_user({.name = "ada", .created_at = t0}));
  by_url.reset();
  auto by_path = must(open_store(db.file().string()));
  EXPECT_EQ(must(by_path->user_by_token(created.token)), created.user);
  EXPECT_EQ(code_of(open_store("")), store_errc::invalid);
  EXPECT_EQ(code_of(open_store("sqlite:")), store_errc::invalid);
}

}  // namespace
}  // namespace notifier::testing
