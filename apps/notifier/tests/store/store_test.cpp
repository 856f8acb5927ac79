// tests/store/store_test.cpp: the store's contract (notifier/store/store.hpp), one suite run
// against every backend (SQLite, PostgreSQL). Each test gets a fresh database, migrated.

#include "notifier/store/store.hpp"

#include "notifier/domain/payload.hpp"
#include "notifier/domain/token.hpp"

#include "store/backends.hpp"
#include "store/store_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace notifier::testing {
namespace {

using namespace std::chrono_literals;

template <class Backend>
class StoreTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (auto why = backend_.unavailable()) {
      GTEST_SKIP() << *why;
    }
    store_ = must(backend_.open());
    ASSERT_EQ(must(store_->migrate()), schema_version);
  }

  user make_user(const std::string& name = "ada") {
    return must(store_->create_user({.name = name, .created_at = t0})).user;
  }
  task make_task(user_id owner, const std::string& title = "Pay rent",
                 timestamp first = t0 + 5min) {
    return must(
        store_->create_task(owner, {.title = title, .created_at = t0, .first_notify_at = first}));
  }
  new_notification reminder_of(const task& t, timestamp at = t0 + 5min) {
    return {.task = t.id,
            .user = t.user,
            .channel = channel::log,
            .payload = reminder_payload(t, reminder_reason::scheduled, at),
            .created_at = at};
  }

  Backend backend_;
  std::unique_ptr<store> store_;
};

struct backend_names {
  template <class T>
  static std::string GetName(int) {
    return T::name;
  }
};

using backends = ::testing::Types<sqlite_backend, postgres_backend>;
TYPED_TEST_SUITE(StoreTest, backends, backend_names);

// -- schema --------------------------------------------------------------------------------------

TYPED_TEST(StoreTest, MigratingAgainChangesNothing) {
  const auto u = this->make_user();
  EXPECT_EQ(must(this->store_->migrate()), schema_version);
  EXPECT_EQ(must(this->store_->migrate()), schema_version);
  EXPECT_EQ(must(this->store_->user_by_id(u.id)), u);
  auto reopened = must(this->backend_.open());
  EXPECT_EQ(must(reopened->migrate()), schema_version);
  EXPECT_EQ(must(reopened->user_by_id(u.id)), u);
}

// Several service instances starting together on one database: each version is applied once.
TYPED_TEST(StoreTest, ConcurrentMigrationsApplyEachVersionOnce) {
  std::vector<std::unique_ptr<store>> stores;
  for (int i = 0; i < 3; ++i) {
    stores.push_back(must(this->backend_.open()));
  }
  std::vector<store_result<int>> results(stores.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < stores.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = stores[i]->migrate(); });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (auto& r : results) {
    EXPECT_EQ(must(std::move(r)), schema_version);
  }
  EXPECT_EQ(this->backend_.query_int("SELECT COUNT(*) FROM schema_migrations"), schema_version);
}

TYPED_TEST(StoreTest, ADatabaseFromANewerBuildIsRefusedAndLeftAlone) {
  const auto u = this->make_user();
  this->backend_.exec(
      "INSERT INTO schema_migrations (version, description, applied_at) "
      "VALUES (999, 'from the future', 0)");
  EXPECT_EQ(code_of(this->store_->migrate()), store_errc::internal);
  EXPECT_EQ(must(this->store_->user_by_id(u.id)), u);
}

// -- users ---------------------------------------------------------------------------------------

TYPED_TEST(StoreTest, ANewUsersTokenFindsTheUserAndOnlyItsHashIsStored) {
  const auto created = must(this->store_->create_user(
      {.name = "ada", .webhook_url = "https://hooks.example.com/ada", .created_at = t0}));
  EXPECT_EQ(created.token.size(), 64u);
  EXPECT_EQ(created.user.name, "ada");
  EXPECT_EQ(created.user.webhook_url, "https://hooks.example.com/ada");
  EXPECT_EQ(created.user.created_at, t0);
  EXPECT_EQ(created.user.token_hash, hash_token(created.token));
  EXPECT_EQ(created.user.webhook_secret.size(), 64u);
  EXPECT_EQ(must(this->store_->user_by_token(created.token)), created.user);
  EXPECT_EQ(must(this->store_->user_by_id(created.user.id)), created.user);
}

TYPED_TEST(StoreTest, EachUserGetsItsOwnTokenAndSecret) {
  const auto a = must(this->store_->create_user({.name = "a", .created_at = t0}));
  const auto b = must(this->store_->create_user({.name = "b", .created_at = t0}));
  EXPECT_NE(a.user.id, b.user.id);
  EXPECT_NE(a.token, b.token);
  EXPECT_NE(a.user.webhook_secret, b.user.webhook_secret);
  EXPECT_EQ(must(this->store_->user_by_token(b.token)).id, b.user.id);
}

TYPED_TEST(StoreTest, AnUnknownTokenOrUserIdIsNotFound) {
  const auto created = must(this->store_->create_user({.name = "ada", .created_at = t0}));
  EXPECT_EQ(code_of(this->store_->user_by_token(generate_token())), store_errc::not_found);
  EXPECT_EQ(code_of(this->store_->user_by_token(created.user.token_hash)), store_errc::not_found);
  EXPECT_EQ(code_of(this->store_->user_by_token("")), store_errc::not_found);
  EXPECT_EQ(code_of(this->store_->user_by_id(user_id{created.user.id.value + 1})),
            store_errc::not_found);
}

TYPED_TEST(StoreTest, AnInvalidUserIsRejectedAndNotStored) {
  auto r = this->store_->create_user({.name = "", .created_at = t0});
  EXPECT_EQ(code_of(r), store_errc::invalid);
  EXPECT_EQ(code_of(this->store_->create_user(
                {.name = "x", .webhook_url = "gopher://x", .created_at = t0})),
            store_errc::invalid);
  EXPECT_EQ(code_of(this->store_->user_by_id(user_id{1})), store_errc::not_found);
}

// -- tasks ---------------------------------------------------------------------------------------

TYPED_TEST(StoreTest, ANewTaskIsOpenAndKeepsEveryField) {
  const auto u = this->make_user();
  const auto t = must(this->store_->create_task(u.id, {.title = "Pay rent",
                                                       .details = "before the 5th",
                                                       .created_at = t0,
                                                       .first_notify_at = t0 + 5min}));
  EXPECT_GT(t.id.value, 0);
  EXPECT_EQ(t.user, u.id);
  EXPECT_EQ(t.title, "Pay rent");
  EXPECT_EQ(t.details, "before the 5th");
  EXPECT_EQ(t.status, task_status::open);
  EXPECT_EQ(t.created_at, t0);
  EXPECT_EQ(t.completed_at, std::nullopt);
  EXPECT_EQ(t.next_notify_at, t0 + 5min);
  EXPECT_EQ(must(this->store_->find_task(u.id, t.id)), t);
}

TYPED_TEST(StoreTest, ATaskForAnUnknownUserIsNotFound) {
  EXPECT_EQ(code_of(this->store_->create_task(user_id{12345}, {.title = "x", .created_at = t0})),
            store_errc::not_found);
}

TYPED_TEST(StoreTest, AnInvalidTaskIsRejected) {
  const auto u = this->make_user();
  EXPECT_EQ(code_of(this->store_->create_task(u.id, {.title = "", .created_at = t0})),
            store_errc::invalid);
  EXPECT_TRUE(must(this->store_->list_tasks(u.id, task_id{}, 10)).empty());
}

// A user cannot see or change another user's task: it is "not found", as a missing one is.
TYPED_TEST(StoreTest, AnotherUsersTaskIsNotFound) {
  const auto ada = this->make_user("ada");
  const auto bob = this->make_user("bob");
  const auto t = this->make_task(ada.id);
  EXPECT_EQ(code_of(this->store_->find_task(bob.id, t.id)), store_errc::not_found);
  EXPECT_EQ(code_of(this->store_->complete_task(bob.id, t.id, t0)), store_errc::not_found);
  EXPECT_EQ(code_of(this->store_->list_notifications(bob.id, t.id, notification_id{}, 10)),
            store_errc::not_found);
  EXPECT_TRUE(must(this->store_->list_tasks(bob.id, task_id{}, 10)).empty());
  EXPECT_EQ(must(this->store_->find_task(ada.id, t.id)).status, task_status::open);
}

TYPED_TEST(StoreTest, AUsersTasksArePagedInIdOrder) {
  const auto ada = this->make_user("ada");
  const auto bob = this->make_user("bob");
  std::vector<task_id> mine;
  for (int i = 0; i < 7; ++i) {
    mine.push_back(this->make_task(ada.id, "a" + std::to_string(i)).id);
    (void)this->make_task(bob.id, "b" + std::to_string(i));
  }
  std::vector<task_id> seen;
  task_id after{};
  for (;;) {
    const auto page = must(this->store_->list_tasks(ada.id, after, 3));
    for (const auto& t : page) {
      EXPECT_EQ(t.user, ada.id);
      seen.push_back(t.id);
    }
    if (page.size() < 3) {
      break;
    }
    after = page.back().id;
  }
  EXPECT_EQ(seen, mine);
}

TYPED_TEST(StoreTest, CreatingTasksInABatchIsAllOrNothing) {
  const auto ada = this->make_user("ada");
  std::vector<new_task> batch;
  for (int i = 0; i < 3; ++i) {
    batch.push_back({.title = "t" + std::to_string(i),
                     .details = std::nullopt,
                     .created_at = t0,
                     .first_notify_at = t0 + std::chrono::minutes(i)});
  }
  EXPECT_EQ(must(this->store_->create_tasks(ada.id, batch)), 3U);
  const auto created = must(this->store_->list_tasks(ada.id, task_id{}, 10));
  ASSERT_EQ(created.size(), 3U);
  EXPECT_EQ(created[2].title, "t2");
  EXPECT_EQ(created[2].next_notify_at, t0 + std::chrono::minutes(2));
  EXPECT_EQ(created[2].status, task_status::open);

  batch[1].title.clear();  // invalid: nothing of the batch is written
  auto bad = this->store_->create_tasks(ada.id, batch);
  EXPECT_EQ(code_of(bad), store_errc::invalid);
  EXPECT_NE(bad.error().message.find("entry 1"), std::string::npos);
  EXPECT_EQ(code_of(this->store_->create_tasks(user_id{999'999}, std::span(batch).first(1))),
            store_errc::not_found);
  EXPECT_EQ(must(this->store_->list_tasks(ada.id, task_id{}, 10)).size(), 3U);
  EXPECT_EQ(must(this->store_->open_tasks(task_id{}, 10)).size(), 3U);
}

TYPED_TEST(StoreTest, CompletingATaskRecordsTheTime) {
  const auto u = this->make_user();
  const auto t = this->make_task(u.id);
  const auto done = must(this->store_->complete_task(u.id, t.id, t0 + 1h));
  EXPECT_EQ(done.status, task_status::completed);
  EXPECT_EQ(done.completed_at, t0 + 1h);
  EXPECT_EQ(done.next_notify_at, t.next_notify_at);
  EXPECT_EQ(must(this->store_->find_task(u.id, t.id)), done);
}

TYPED_TEST(StoreTest, CompletingACompletedTaskIsAConflictAndKeepsTheFirstTime) {
  const auto u = this->make_user();
  const auto t = this->make_task(u.id);
  (void)must(this->store_->complete_task(u.id, t.id, t0 + 1h));
  const auto again = this->store_->complete_task(u.id, t.id, t0 + 2h);
  EXPECT_EQ(code_of(again), store_errc::conflict);
  EXPECT_FALSE(again.error().retryable());
  EXPECT_EQ(must(this->store_->find_task(u.id, t.id)).completed_at, t0 + 1h);
}

TYPED_TEST(StoreTest, CompletingAnUnknownTaskIsNotFound) {
  const auto u = this->make_user();
  EXPECT_EQ(code_of(this->store_->complete_task(u.id, task_id{999}, t0)), store_errc::not_found);
  EXPECT_EQ(code_of(this->store_->find_task(u.id, task_id{999})), store_errc::not_found);
}

// -- scheduling
// ------------------------------------------------------------------------------------

TYPED_TEST(StoreTest, OpenTasksArePagedByIdAndSkipCompletedOnes) {
  const auto ada = this->make_user("ada");
  const auto bob = this->make_user("bob");
  std::vector<task_id> open;
  for (int i = 0; i < 10; ++i) {
    const auto t = this->make_task(i % 2 == 0 ? ada.id : bob.id);
    if (i % 3 == 0) {
      (void)must(this->store_->complete_task(t.user, t.id, t0));
    } else {
      open.push_back(t.id);
    }
  }
  const auto first = must(this->store_->open_tasks(task_id{}, 4));
  ASSERT_EQ(first.size(), 4u);
  const auto rest = must(this->store_->open_tasks(first.back().id, 100));
  std::vector<task_id> seen;
  for (const auto& page : {first, rest}) {
    for (const auto& t : page) {
      EXPECT_EQ(t.status, task_status::open);
      seen.push_back(t.id);
    }
  }
  EXPECT_EQ(seen, open);
}

// The workers' batched reload: every listed task that exists, whoever its user and whatever its
// status, once and in id order; unknown and repeated ids change nothing.
TYPED_TEST(StoreTest, FindTasksReturnsTheListedTasksThatExistInIdOrder) {
  const auto ada = this->make_user("ada");
  const auto bob = this->make_user("bob");
  const auto a = this->make_task(ada.id, "a");
  const auto b = this->make_task(bob.id, "b");
  const auto c = this->make_task(ada.id, "c");
  const auto done = must(this->store_->complete_task(ada.id, c.id, t0 + 1h));
  const std::vector<task_id> ids{c.id, task_id{999}, a.id, b.id, a.id};
  EXPECT_EQ(must(this->store_->find_tasks(ids)), (std::vector<task>{a, b, done}));
  EXPECT_TRUE(must(this->store_->find_tasks(std::vector<task_id>{task_id{999}})).empty());
  EXPECT_TRUE(must(this->store_->find_tasks({})).empty());
}

TYPED_TEST(StoreTest, FindUsersReturnsTheListedUsersThatExistInIdOrder) {
  const auto ada = this->make_user("ada");
  const auto bob = this->make_user("bob");
  const std::vector<user_id> ids{bob.id, user_id{999}, ada.id, bob.id};
  const auto found = must(this->store_->find_users(ids));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], must(this->store_->user_by_id(ada.id)));
  EXPECT_EQ(found[1], must(this->store_->user_by_id(bob.id)));
  EXPECT_TRUE(must(this->store_->find_users({})).empty());
}

// The boot walk: every open task exactly once, in pages, and the visitor can stop it.
TYPED_TEST(StoreTest, ForEachOpenTaskVisitsEveryOpenTaskOnce) {
  const auto u = this->make_user();
  std::set<std::int64_t> open;
  for (int i = 0; i < 25; ++i) {
    const auto t = this->make_task(u.id);
    if (i == 3 || i == 24) {
      (void)must(this->store_->complete_task(u.id, t.id, t0));
    } else {
      open.insert(t.id.value);
    }
  }
  std::vector<std::int64_t> seen;
  std::vector<std::size_t> pages;
  const auto count = must(for_each_open_task(*this->store_, 10, [&](std::span<const task> page) {
    pages.push_back(page.size());
    for (const auto& t : page) {
      seen.push_back(t.id.value);
    }
    return true;
  }));
  EXPECT_EQ(count, 23u);
  EXPECT_EQ(pages, (std::vector<std::size_t>{10, 10, 3}));
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()), open);
  EXPECT_EQ(seen.size(), open.size());

  int calls = 0;
  const auto stopped = must(
      for_each_open_task(*this->store_, 10, [&](std::span<const task>) { return ++calls < 2; }));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(stopped, 20u);
}

TYPED_TEST(StoreTest, DueTasksAreTheOpenTasksDueByNowEarliestFirst) {
  const auto u = this->make_user();
  const auto late = this->make_task(u.id, "late", t0 + 3min);
  const auto early = this->make_task(u.id, "early", t0 + 1min);
  const auto future = this->make_task(u.id, "future", t0 + 1h);
  const auto done = this->make_task(u.id, "done", t0);
  (void)must(this->store_->complete_task(u.id, done.id, t0));
  (void)future;

  auto ids = [](const std::vector<task>& ts) {
    std::vector<task_id> out;
    for (const auto& t : ts) {
      out.push_back(t.id);
    }
    return out;
  };
  EXPECT_EQ(ids(must(this->store_->due_tasks(t0 + 5min, 10))),
            (std::vector<task_id>{early.id, late.id}));
  EXPECT_EQ(ids(must(this->store_->due_tasks(t0 + 5min, 1))), (std::vector<task_id>{early.id}));
  EXPECT_TRUE(must(this->store_->due_tasks(t0, 10)).empty());
  EXPECT_EQ(ids(must(this->store_->due_tasks(t0 + 3min, 10))),
            (std::vector<task_id>{early.id, late.id}));
}

TYPED_TEST(StoreTest, SetNextNotifyAtMovesOpenTasksOnly) {
  const auto u = this->make_user();
  const auto a = this->make_task(u.id);
  const auto b = this->make_task(u.id);
  const auto done = this->make_task(u.id);
  (void)must(this->store_->complete_task(u.id, done.id, t0));
  const std::vector<schedule_update> updates = {
      {.task = a.id, .next_notify_at = t0 + 10min},
      {.task = done.id, .next_notify_at = t0 + 10min},
      {.task = task_id{99999}, .next_notify_at = t0 + 10min},
      {.task = b.id, .next_notify_at = t0 + 20min},
      {.task = a.id, .next_notify_at = t0 + 30min},  // listed twice: the last wins
  };
  EXPECT_EQ(must(this->store_->set_next_notify_at(updates)), 2u);
  EXPECT_EQ(must(this->store_->find_task(u.id, a.id)).next_notify_at, t0 + 30min);
  EXPECT_EQ(must(this->store_->find_task(u.id, b.id)).next_notify_at, t0 + 20min);
  EXPECT_EQ(must(this->store_->find_task(u.id, done.id)).next_notify_at, done.next_notify_at);
}

// -- outbox
// ----------------------------------------------------------------------------------------

TYPED_TEST(StoreTest, EnqueuedEntriesGetIncreasingIdsInOrderAndWaitUndelivered) {
  const auto u = this->make_user();
  const auto a = this->make_task(u.id, "a");
  const auto b = this->make_task(u.id, "b");
  const std::vector<new_notification> batch = {this->reminder_of(a), this->reminder_of(b),
                                               this->reminder_of(a, t0 + 6min)};
  const auto ids = must(this->store_->enqueue(batch));
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<notification_id>(ids.begin(), ids.end()).size(), 3u);

  const auto pending = must(this->store_->undelivered(notification_id{}, 10));
  ASSERT_EQ(pending.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(pending[i].id, ids[i]);
    EXPECT_EQ(pending[i].task, batch[i].task);
    EXPECT_EQ(pending[i].user, u.id);
    EXPECT_EQ(pending[i].channel, channel::log);
    EXPECT_EQ(pending[i].payload, batch[i].payload);
    EXPECT_EQ(pending[i].created_at, batch[i].created_at);
    EXPECT_EQ(pending[i].delivered_at, std::nullopt);
    EXPECT_EQ(pending[i].attempts, 0);
  }
  EXPECT_EQ(must(this->store_->undelivered(ids[0], 1)).at(0).id, ids[1]);
  EXPECT_EQ(must(this->store_->find_task(u.id, a.id)).next_notify_at, a.next_notify_at);
}

// The reminder and the schedule's advance commit together (notification.hpp).
TYPED_TEST(StoreTest, EnqueueCanMoveTheTaskScheduleInTheSameTransaction) {
  const auto u = this->make_user();
  const auto a = this->make_task(u.id);
  const auto done = this->make_task(u.id);
  (void)must(this->store_->complete_task(u.id, done.id, t0));
  auto ra = this->reminder_of(a);
  ra.next_notify_at = t0 + 10min;
  auto rd = this->reminder_of(done);
  rd.next_notify_at = t0 + 10min;
  (void)must(this->store_->enqueue(std::vector{ra, rd}));
  EXPECT_EQ(must(this->store_->find_task(u.id, a.id)).next_notify_at, t0 + 10min);
  EXPECT_EQ(must(this->store_->find_task(u.id, done.id)).next_notify_at, done.next_notify_at);
}

TYPED_TEST(StoreTest, ABatchWithOneBadEntryWritesNothing) {
  const auto u = this->make_user();
  const auto a = this->make_task(u.id);
  auto good = this->reminder_of(a);
  good.next_notify_at = t0 + 10min;
  auto bad = this->reminder_of(a);
  bad.task = task_id{424242};
  EXPECT_EQ(code_of(this->store_->enqueue(std::vector{good, bad})), store_errc::not_found);
  EXPECT_TRUE(must(this->store_->undelivered(notification_id{}, 10)).empty());
  EXPECT_EQ(must(this->store_->find_task(u.id, a.id)).next_notify_at, a.next_notify_at);
}

TYPED_TEST(StoreTest, AnEntryMustBelongToItsTasksUser) {
  const auto ada = this->make_user("ada");
  const auto bob = this->make_user("bob");
  auto r = this->reminder_of(this->make_task(ada.id));
  r.user = bob.id;
  EXPECT_EQ(code_of(this->store_->enqueue(std::vector{r})), store_errc::not_found);
  EXPECT_TRUE(must(this->store_->undelivered(notification_id{}, 10)).empty());
}

TYPED_TEST(StoreTest, EmptyBatchesChangeNothing) {
  EXPECT_TRUE(must(this->store_->enqueue({})).empty());
  EXPECT_EQ(must(this->store_->mark_delivered({})), 0u);
  EXPECT_EQ(must(this->store_->set_next_notify_at({})), 0u);
  EXPECT_TRUE(must(this->store_->record_attempts({})).empty());
}

TYPED_TEST(StoreTest, MarkDeliveredKeepsTheFirstTimeAndSkipsUnknownIds) {
  const auto u = this->make_user();
  const auto t = this->make_task(u.id);
  const auto ids =
      must(this->store_->enqueue(std::vector{this->reminder_of(t), this->reminder_of(t)}));
  const std::vector<delivery_mark> marks = {
      {.notification = ids[0], .delivered_at = t0 + 6min},
      {.notification = notification_id{987654}, .delivered_at = t0 + 6min},
      {.notification = ids[0], .delivered_at = t0 + 7min},
  };
  EXPECT_EQ(must(this->store_->mark_delivered(marks)), 1u);
  const std::vector<delivery_mark> again = {{.notification = ids[0], .delivered_at = t0 + 8min}};
  EXPECT_EQ(must(this->store_->mark_delivered(again)), 0u);

  const auto pending = must(this->store_->undelivered(notification_id{}, 10));
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, ids[1]);
  const auto all = must(this->store_->list_notifications(u.id, t.id, notification_id{}, 10));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].delivered_at, t0 + 6min);
}

TYPED_TEST(StoreTest, AttemptsAreCountedAndADeliveredOneMarksTheEntry) {
  const auto u = this->make_user();
  const auto t = this->make_task(u.id);
  const auto ids = must(this->store_->enqueue(std::vector{this->reminder_of(t)}));
  const std::vector<new_attempt> first = {
      {.notification = ids[0],
       .attempted_at = t0 + 5min,
       .outcome = attempt_outcome::failed,
       .detail = "HTTP 503"},
      {.notification = ids[0],
       .attempted_at = t0 + 6min,
       .outcome = attempt_outcome::failed,
       .detail = "connection refused"},
  };
  const auto attempt_ids = must(this->store_->record_attempts(first));
  ASSERT_EQ(attempt_ids.size(), 2u);
  EXPECT_LT(attempt_ids[0], attempt_ids[1]);
  auto entry = must(this->store_->undelivered(notification_id{}, 10)).at(0);
  EXPECT_EQ(entry.attempts, 2);
  EXPECT_EQ(entry.delivered_at, std::nullopt);

  const std::vector<new_attempt> second = {{.notification = ids[0],
                                            .attempted_at = t0 + 8min,
                                            .outcome = attempt_outcome::delivered,
                                            .detail = "HTTP 200"}};
  (void)must(this->store_->record_attempts(second));
  EXPECT_TRUE(must(this->store_->undelivered(notification_id{}, 10)).empty());
  entry = must(this->store_->list_notifications(u.id, t.id, notification_id{}, 10)).at(0);
  EXPECT_EQ(entry.attempts, 3);
  EXPECT_EQ(entry.delivered_at, t0 + 8min);

  const auto attempts = must(this->store_->list_attempts(ids[0]));
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0], (delivery_attempt{.id = attempt_ids[0],
                                           .notification = ids[0],
                                           .attempted_at = t0 + 5min,
                                           .outcome = attempt_outcome::failed,
                                           .detail = "HTTP 503"}));
  EXPECT_EQ(attempts[1].detail, "connection refused");
  EXPECT_EQ(attempts[2].outcome, attempt_outcome::delivered);
  EXPECT_TRUE(must(this->store_->list_attempts(notification_id{555555})).empty());
}

TYPED_TEST(StoreTest, AnAttemptOnAnUnknownEntryWritesNothing) {
  const auto u = this->make_user();
  const auto t = this->make_task(u.id);
  const auto ids = must(this->store_->enqueue(std::vector{this->reminder_of(t)}));
  const std::vector<new_attempt> batch = {
      {.notification = ids[0], .attempted_at = t0, .outcome = attempt_outcome::delivered},
      {.notification = notification_id{ids[0].value + 100}, .attempted_at = t0},
  };
  EXPECT_EQ(code_of(this->store_->record_attempts(batch)), store_errc::not_found);
  EXPECT_TRUE(must(this->store_->list_attempts(ids[0])).empty());
  EXPECT_EQ(must(this->store_->undelivered(notification_id{}, 10)).at(0).attempts, 0);
}

TYPED_TEST(StoreTest, ATasksNotificationsArePagedInIdOrder) {
  const auto u = this->make_user();
  const auto a = this->make_task(u.id, "a");
  const auto b = this->make_task(u.id, "b");
  std::vector<new_notification> batch;
  for (int i = 0; i < 5; ++i) {
    batch.push_back(this->reminder_of(a, t0 + std::chrono::minutes(i)));
    batch.push_back(this->reminder_of(b, t0 + std::chrono::minutes(i)));
  }
  const auto ids = must(this->store_->enqueue(batch));
  const auto first = must(this->store_->list_notifications(u.id, a.id, notification_id{}, 3));
  const auto rest = must(this->store_->list_notifications(u.id, a.id, first.back().id, 3));
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(rest.size(), 2u);
  std::vector<notification_id> seen;
  for (const auto& page : {first, rest}) {
    for (const auto& n : page) {
      EXPECT_EQ(n.task, a.id);
      seen.push_back(n.id);
    }
  }
  EXPECT_EQ(seen, (std::vector{ids[0], ids[2], ids[4], ids[6], ids[8]}));
}

// Text goes through both databases unchanged, whatever it holds: quotes, backslashes, the
// characters of array literals (PostgreSQL batches), multi-byte UTF-8.
TYPED_TEST(StoreTest, TextRoundTripsByteForByte) {
  const auto u = this->make_user(R"(O'Brien "Bob" \ {x,y})");
  EXPECT_EQ(u.name, R"(O'Brien "Bob" \ {x,y})");
  const std::string title = "NULL";
  const std::string details = "tab\tnewline\n quote\" backslash\\ braces{} comma, é ✓ 🦦";
  const auto t = must(this->store_->create_task(
      u.id, {.title = title, .details = details, .created_at = t0, .first_notify_at = t0}));
  EXPECT_EQ(t.title, title);
  EXPECT_EQ(t.details, details);
  auto entry = this->reminder_of(t);
  entry.payload = R"({"a":"\"quoted\" \\ {}, NULL","b":null})" + details;
  auto empty = this->reminder_of(t);
  empty.payload = "";
  (void)must(this->store_->enqueue(std::vector{entry, empty}));
  const auto pending = must(this->store_->undelivered(notification_id{}, 10));
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].payload, entry.payload);
  EXPECT_EQ(pending[1].payload, "");
  const std::vector<new_attempt> attempt = {{.notification = pending[0].id,
                                             .attempted_at = t0,
                                             .outcome = attempt_outcome::failed,
                                             .detail = details}};
  (void)must(this->store_->record_attempts(attempt));
  EXPECT_EQ(must(this->store_->list_attempts(pending[0].id)).at(0).detail, details);
}

// -- recovery
// --------------------------------------------------------------------------------------

TYPED_TEST(StoreTest, TheOutboxSurvivesReopeningTheStore) {
  const auto u = this->make_user();
  const auto t = this->make_task(u.id);
  const auto ids =
      must(this->store_->enqueue(std::vector{this->reminder_of(t), this->reminder_of(t)}));
  this->store_.reset();

  auto reopened = must(this->backend_.open());
  ASSERT_EQ(must(reopened->migrate()), schema_version);
  auto pending = must(reopened->undelivered(notification_id{}, 10));
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].id, ids[0]);
  const std::vector<delivery_mark> marks = {{.notification = ids[0], .delivered_at = t0 + 6min}};
  EXPECT_EQ(must(reopened->mark_delivered(marks)), 1u);
  reopened.reset();

  auto again = must(this->backend_.open());
  pending = must(again->undelivered(notification_id{}, 10));
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, ids[1]);
}

// A batch whose transaction fails before COMMIT leaves nothing, and the store stays usable.
TYPED_TEST(StoreTest, ABatchInterruptedBeforeCommitLeavesNothing) {
  const auto u = this->make_user();
  const auto t = this->make_task(u.id);
  auto failing = must(this->backend_.open([] { throw std::runtime_error("injected"); }));
  auto entry = this->reminder_of(t);
  entry.next_notify_at = t0 + 1h;
  EXPECT_THROW((void)failing->enqueue(std::vector{entry, entry}), std::runtime_error);
  EXPECT_TRUE(must(this->store_->undelivered(notification_id{}, 10)).empty());
  EXPECT_EQ(must(this->store_->find_task(u.id, t.id)).next_notify_at, t.next_notify_at);
  // The failed store's connection is still good for reads.
  EXPECT_TRUE(must(failing->undelivered(notification_id{}, 10)).empty());
  EXPECT_EQ(must(failing->find_task(u.id, t.id)).id, t.id);
}

// A crash in the middle of a batch: a child process writes a batch and dies just before
// COMMIT, its connection and file handles dropped with it. Nothing of the batch survives.
TYPED_TEST(StoreTest, ACrashBeforeCommitLeavesNothing) {
  const auto u = this->make_user();
  const auto t = this->make_task(u.id);
  auto entry = this->reminder_of(t);
  entry.next_notify_at = t0 + 1h;
  // No connection of ours may be open across the fork (SQLite's rule); reopened below.
  this->store_.reset();
  EXPECT_EXIT(
      {
        auto doomed = this->backend_.open([] { std::_Exit(42); });
        if (doomed) {
          (void)(*doomed)->enqueue(std::vector{entry, entry, entry});
        }
        std::_Exit(1);
      },
      ::testing::ExitedWithCode(42), "");
  this->store_ = must(this->backend_.open());
  EXPECT_TRUE(must(this->store_->undelivered(notification_id{}, 10)).empty());
  EXPECT_EQ(must(this->store_->find_task(u.id, t.id)).next_notify_at, t.next_notify_at);
  // And the database takes new writes.
  EXPECT_EQ(must(this->store_->enqueue(std::vector{entry})).size(), 1u);
}

// -- threads
// ---------------------------------------------------------------------------------------

// One store shared by a pool of threads: calls serialise, none is lost.
TYPED_TEST(StoreTest, OneStoreSharedByThreadsLosesNoWrite) {
  const auto u = this->make_user();
  constexpr int threads = 4;
  constexpr int per_thread = 25;
  std::vector<std::vector<task_id>> ids(threads);
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      for (int j = 0; j < per_thread; ++j) {
        auto t = this->store_->create_task(u.id, {.title = "t", .created_at = t0});
        if (t) {
          ids[static_cast<std::size_t>(i)].push_back(t->id);
        }
      }
    });
  }
  for (auto& th : pool) {
    th.join();
  }
  std::set<task_id> all;
  for (const auto& v : ids) {
    EXPECT_EQ(v.size(), static_cast<std::size_t>(per_thread));
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(threads * per_thread));
  EXPECT_EQ(must(this->store_->list_tasks(u.id, task_id{}, 1000)).size(), all.size());
}

// One store per thread on the same database (the pool's layout): concurrent batches all land.
TYPED_TEST(StoreTest, StoresOnOneDatabaseWriteBatchesConcurrently) {
  const auto u = this->make_user();
  const auto t = this->make_task(u.id);
  constexpr int threads = 3;
  constexpr int batches = 10;
  std::vector<std::unique_ptr<store>> stores;
  for (int i = 0; i < threads; ++i) {
    stores.push_back(must(this->backend_.open()));
  }
  std::vector<int> failures(threads, 0);
  std::vector<std::thread> pool;
  const std::vector<new_notification> batch(20, this->reminder_of(t));
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      for (int j = 0; j < batches; ++j) {
        if (!stores[static_cast<std::size_t>(i)]->enqueue(batch)) {
          ++failures[static_cast<std::size_t>(i)];
        }
      }
    });
  }
  for (auto& th : pool) {
    th.join();
  }
  EXPECT_EQ(failures, std::vector<int>(threads, 0));
  EXPECT_EQ(must(this->store_->undelivered(notification_id{}, 10000)).size(),
            static_cast<std::size_t>(threads * batches * 20));
}

}  // namespace
}  // namespace notifier::testing
