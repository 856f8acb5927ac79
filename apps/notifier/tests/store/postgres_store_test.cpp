// tests/store/postgres_store_test.cpp: what only the PostgreSQL store has (postgres_store.hpp):
// connecting by URL, and how a lost or missing server is reported. Runs against the server the
// ctest fixture starts (backends.hpp).

#include "notifier/store/postgres_store.hpp"

#include "notifier/store/open_store.hpp"

#include "store/backends.hpp"
#include "store/store_test_support.hpp"

#include <gtest/gtest.h>

namespace notifier::testing {
namespace {

class PostgresStoreTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (auto why = db_.unavailable()) {
      GTEST_SKIP() << *why;
    }
  }
  postgres_backend db_;
};

// Port 1 on the loopback: nothing listens, the connection is refused at once.
TEST_F(PostgresStoreTest, AServerThatIsDownIsUnavailable) {
  auto s = open_postgres_store({.url = "postgresql://otter@127.0.0.1:1/postgres"});
  ASSERT_EQ(code_of(s), store_errc::unavailable);
  EXPECT_TRUE(s.error().retryable());
}

TEST_F(PostgresStoreTest, AMalformedUrlIsInvalid) {
  EXPECT_EQ(code_of(open_postgres_store({.url = "postgresql://otter@localhost/db?bogus=1"})),
            store_errc::invalid);
  EXPECT_EQ(code_of(open_postgres_store({.url = "postgresql://%zz@localhost/db"})),
            store_errc::invalid);
}

// The server ends the store's connection (as a restart or failover would): the call that finds
// out is unavailable, and the next call reconnects and works.
TEST_F(PostgresStoreTest, ALostConnectionIsUnavailableAndTheNextCallReconnects) {
  auto s = must(db_.open());
  (void)must(s->migrate());
  const auto created = must(s->create_user({.name = "ada", .created_at = t0}));
  // The store's connections carry application_name = the schema (backends.cpp); the
  // terminating connection does not. Wait up to 5 s for the backend to be gone.
  const auto killed = pg_exec(db_.server_url(),
                              "SELECT count(*) FROM ("
                              "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                              "WHERE application_name = '"
                                  + db_.schema() + "') AS t");
  ASSERT_EQ(killed, "1");

  auto lost = s->user_by_token(created.token);
  ASSERT_EQ(code_of(lost), store_errc::unavailable);
  EXPECT_TRUE(lost.error().retryable());
  EXPECT_EQ(must(s->user_by_token(created.token)), created.user);
  EXPECT_EQ(must(s->create_task(created.user.id, {.title = "t", .created_at = t0})).title, "t");
}

TEST_F(PostgresStoreTest, OpenStoreChoosesPostgresForAPostgresUrl) {
  auto s = must(open_store(db_.url()));
  EXPECT_EQ(must(s->migrate()), schema_version);
  const auto created = must(s->create_user({.name = "ada", .created_at = t0}));
  EXPECT_EQ(db_.query_int("SELECT COUNT(*) FROM users"), 1);
  EXPECT_EQ(must(s->user_by_token(created.token)), created.user);
}

}  // namespace
}  // namespace notifier::testing
