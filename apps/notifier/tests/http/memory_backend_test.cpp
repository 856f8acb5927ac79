// The in-memory backend (tests/support/memory_backend.hpp) keeps the store's rules, so that
// tests built on it exercise the same answers as the real service.

#include "support/memory_backend.hpp"

#include "otter/core/runtime.hpp"

#include <gtest/gtest.h>

namespace notifier::testing {
namespace {

class MemoryBackendTest : public ::testing::Test {
protected:
  MemoryBackendTest() : rt_(otter::runtime_options{.schedulers = 1}) {}

  /// Runs `f(backend)` in a process and returns its value.
  template <class F>
  auto run(F f) {
    return rt_.run([this, f]() { return f(backend_); });
  }

  static otter::co<created_user> new_user(memory_backend& b, std::string name) {
    api::user_draft d;
    d.name = std::move(name);
    co_return *(co_await b.create_user(std::move(d)));
  }

  static otter::co<task> new_task(memory_backend& b, user_id owner) {
    api::task_draft d;
    d.title = "t";
    co_return *(co_await b.create_task(owner, std::move(d)));
  }

  otter::runtime rt_;
  memory_backend backend_;
};

TEST_F(MemoryBackendTest, AuthenticatesByTokenOnly) {
  auto found = run([](memory_backend& b) -> otter::co<bool> {
    created_user u = co_await new_user(b, "ada");
    auto me = co_await b.authenticate(u.token);
    auto nobody = co_await b.authenticate(u.user.token_hash);
    co_return me.has_value() && me->id == u.user.id && !nobody.has_value()
        && nobody.error().code == store_errc::not_found;
  });
  EXPECT_TRUE(found);
}

TEST_F(MemoryBackendTest, ScopesEveryTaskCallByOwner) {
  auto codes = run([](memory_backend& b) -> otter::co<std::vector<store_errc>> {
    auto ada = (co_await new_user(b, "ada")).user.id;
    auto bob = (co_await new_user(b, "bob")).user.id;
    task t = co_await new_task(b, ada);
    std::vector<store_errc> out;
    out.push_back((co_await b.find_task(bob, t.id)).error().code);
    out.push_back((co_await b.complete_task(bob, t.id)).error().code);
    out.push_back((co_await b.notify_now(bob, t.id)).error().code);
    out.push_back((co_await b.list_notifications(bob, t.id, {}, 10)).error().code);
    auto bobs = co_await b.list_tasks(bob, {}, 10);
    if (!bobs->empty()) {
      out.push_back(store_errc::internal);
    }
    co_return out;
  });
  EXPECT_EQ(codes, std::vector<store_errc>(4, store_errc::not_found));
}

TEST_F(MemoryBackendTest, CompletingTwiceIsAConflictAndNotifyingACompletedTaskToo) {
  auto codes = run([](memory_backend& b) -> otter::co<std::vector<store_errc>> {
    auto ada = (co_await new_user(b, "ada")).user.id;
    task t = co_await new_task(b, ada);
    (void)co_await b.complete_task(ada, t.id);
    std::vector<store_errc> out;
    out.push_back((co_await b.complete_task(ada, t.id)).error().code);
    out.push_back((co_await b.notify_now(ada, t.id)).error().code);
    co_return out;
  });
  EXPECT_EQ(codes, std::vector<store_errc>(2, store_errc::conflict));
  EXPECT_EQ(backend_.notification_count(), 0U);
}

TEST_F(MemoryBackendTest, ValidatesDrafts) {
  auto code = run([](memory_backend& b) -> otter::co<store_errc> {
    api::user_draft d;
    d.name = "";
    co_return (co_await b.create_user(std::move(d))).error().code;
  });
  EXPECT_EQ(code, store_errc::invalid);
  EXPECT_EQ(backend_.user_count(), 0U);
}

TEST_F(MemoryBackendTest, UnavailableFailsEveryCallAndHealthSaysSo) {
  backend_.set_available(false);
  auto result = run([](memory_backend& b) -> otter::co<std::pair<store_errc, bool>> {
    api::user_draft d;
    d.name = "ada";
    auto created = co_await b.create_user(std::move(d));
    auto report = co_await b.health();
    co_return std::pair(created.error().code, report.store_ok);
  });
  EXPECT_EQ(result.first, store_errc::unavailable);
  EXPECT_FALSE(result.second);
  EXPECT_EQ(backend_.user_count(), 0U);
}

TEST_F(MemoryBackendTest, TheHookRunsBeforeEveryCall) {
  std::vector<std::string> seen;
  backend_.set_hook([&seen](std::string_view call) -> otter::co<void> {
    seen.emplace_back(call);
    co_return;
  });
  run([](memory_backend& b) -> otter::co<int> {
    (void)co_await b.health();
    (void)co_await b.authenticate("x");
    co_return 0;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"health", "authenticate"}));
  EXPECT_EQ(backend_.calls(), seen);
}

}  // namespace
}  // namespace notifier::testing
