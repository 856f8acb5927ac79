// The reader: the workers' task reloads, gathered into batches and answered one by one, each
// caller seeing only its own user's task.

#include "notifier/service/reader.hpp"

#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/otp/sys.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "support/service_harness.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <vector>

namespace notifier::testing {
namespace {

/// What a load answered, as the test compares it.
struct outcome {
  std::optional<task_id> task;  // the task loaded, or nothing
  std::optional<channel> ch;
  std::optional<store_errc> error;
  friend bool operator==(const outcome&, const outcome&) = default;
};

struct request {
  user_id owner;
  task_id task;
  bool with_channel = false;
};

/// Loads every request at once, each from a process of its own, and returns the outcomes in
/// request order. The reader is suspended (:sys.suspend) until every load waits in its
/// mailbox, so that they are read as one batch.
std::vector<outcome> load_all(otter::runtime& rt, const env& e, std::vector<request> requests) {
  const env* ep = &e;
  return rt.run([ep, requests]() -> otter::co<std::vector<outcome>> {
    const otter::pid me = otter::self();
    const otter::server_ref reader(ep->names.reader);
    (void)co_await otter::sys::suspend(reader);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const request r = requests[i];
      otter::spawn([ep, r, i, me]() -> otter::co<void> {
        store_result<reader::loaded> l =
            co_await reader::load(*ep, r.owner, r.task, r.with_channel);
        outcome o;
        if (l) {
          o.task = l->t.id;
          o.ch = l->ch;
        } else {
          o.error = l.error().code;
        }
        otter::send(me, std::make_pair(i, o));
      });
    }
    // Virtual time moves on only once nothing can run: every loader has sent its load by then.
    co_await otter::sleep(std::chrono::milliseconds(1));
    (void)co_await otter::sys::resume(reader);
    std::vector<outcome> out(requests.size());
    for (std::size_t n = 0; n < requests.size(); ++n) {
      auto [i, o] = co_await otter::receive<std::pair<std::size_t, outcome>>();
      out[i] = o;
    }
    co_return out;
  });
}

/// A service with one user (ada, log channel) and two of her tasks; started by each test.
class ReaderTest : public ::testing::Test {
protected:
  otter::testing::deterministic_runtime rt;
  service_harness h{rt};
  const user_id ada = h.add_user();
  const task a = h.add_task(ada, "a");
  const task b = h.add_task(ada, "b");
};

TEST_F(ReaderTest, ABatchAnswersEachCallerWithItsOwnTask) {
  const user_id bob = h.add_user("http://127.0.0.1:9/hook");
  const task c = h.add_task(bob, "c");
  h.start();
  const std::vector<outcome> got = load_all(rt, h.env,
                                            {{ada, a.id, true},
                                             {bob, c.id, true},
                                             {bob, c.id, false},
                                             {bob, a.id, false},  // another user's task
                                             {ada, task_id{999}, true},
                                             {user_id{999}, a.id, true}});
  const std::vector<outcome> expected{{a.id, channel::log, std::nullopt},
                                      {c.id, channel::webhook, std::nullopt},
                                      {c.id, std::nullopt, std::nullopt},
                                      {std::nullopt, std::nullopt, store_errc::not_found},
                                      {std::nullopt, std::nullopt, store_errc::not_found},
                                      {std::nullopt, std::nullopt, store_errc::not_found}};
  EXPECT_EQ(got, expected);
}

TEST_F(ReaderTest, AnUnavailableStoreFailsTheWholeBatchRetryably) {
  h.start();
  h.fault.down = true;
  const std::vector<outcome> got = load_all(
      rt, h.env, {{ada, a.id, true}, {ada, b.id, false}, {ada, a.id, false}, {ada, b.id, true}});
  for (const outcome& o : got) {
    EXPECT_EQ(o.error, store_errc::unavailable);
  }
  // Loads that met in the reader's mailbox were one trip to the store.
  EXPECT_EQ(h.fault.refused.load(), 1);
  h.fault.down = false;
  EXPECT_EQ(load_all(rt, h.env, {{ada, b.id, false}}).front().task, b.id);
}

// A row that cannot be read back (written behind the store's back) fails only its own load:
// the batch is read again load by load.
TEST_F(ReaderTest, AnUnreadableRowFailsOnlyItsOwnLoad) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(h.db_path().c_str(), &db), SQLITE_OK);
    const std::string corrupt =
        "PRAGMA ignore_check_constraints = ON; "
        "UPDATE tasks SET status = 'lost' WHERE id = "
        + std::to_string(b.id.value);
    EXPECT_EQ(sqlite3_exec(db, corrupt.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  h.start();
  const std::vector<outcome> got =
      load_all(rt, h.env, {{ada, a.id, true}, {ada, b.id, true}, {ada, a.id, false}});
  EXPECT_EQ(got[0], (outcome{a.id, channel::log, std::nullopt}));
  EXPECT_EQ(got[1], (outcome{std::nullopt, std::nullopt, store_errc::internal}));
  EXPECT_EQ(got[2], (outcome{a.id, std::nullopt, std::nullopt}));
}

}  // namespace
}  // namespace notifier::testing
