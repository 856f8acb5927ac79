// tests/core/process_info_test.cpp: erlang:process_info/1,2 (otter/core/process_info.hpp):
// self_info() for the calling process, co_await process_info(pid) for another one (answered
// by the target in signal order), and runtime::process_info() from outside.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace otter {
namespace {

using namespace std::chrono_literals;
using testing::deterministic_runtime;

struct stop {};
struct ready {};

// A process that waits for `stop` and leaves everything else in its mailbox.
co<void> wait_for_stop() {
  (void)co_await receive<stop>();
}

TEST(ProcessInfoTest, SelfInfoReportsRunningStatus) {
  deterministic_runtime rt;
  atom status = rt.run([]() -> co<atom> { co_return self_info().status; });
  EXPECT_EQ(status.name(), std::string_view("running"));
}

TEST(ProcessInfoTest, SelfInfoOfAFreshProcessIsEmpty) {
  deterministic_runtime rt;
  auto info = rt.run([]() -> co<process_info_t> { co_return self_info(); });
  EXPECT_EQ(info.message_queue_len, 0U);
  EXPECT_TRUE(info.messages.empty());
  EXPECT_TRUE(info.links.empty());
  EXPECT_TRUE(info.monitors.empty());
  EXPECT_TRUE(info.monitored_by.empty());
  EXPECT_FALSE(info.registered_name.has_value());
  EXPECT_FALSE(info.trap_exit);
  EXPECT_TRUE(info.dictionary.empty());
}

TEST(ProcessInfoTest, SelfInfoCountsAndListsQueuedMessagesOldestFirst) {
  deterministic_runtime rt;
  auto [before, after] = rt.run([]() -> co<std::pair<process_info_t, process_info_t>> {
    send(self(), 1);
    send(self(), term("two"));
    send(self(), tuple(atoms::ok, 3));
    process_info_t a = self_info();
    (void)co_await receive<int>();
    process_info_t b = self_info();
    co_return std::pair{a, b};
  });
  EXPECT_EQ(before.message_queue_len, 3U);
  EXPECT_EQ(before.messages, (std::vector<term>{1, "two", tuple(atoms::ok, 3)}));
  EXPECT_EQ(after.message_queue_len, 2U);
  EXPECT_EQ(after.messages, (std::vector<term>{"two", tuple(atoms::ok, 3)}));
}

TEST(ProcessInfoTest, SelfInfoListsLinksSortedByPid) {
  struct result {
    std::vector<pid> expected;
    std::vector<pid> links;
    pid kept;
    std::vector<pid> after_unlink;
  };
  deterministic_runtime rt;
  auto r = rt.run([]() -> co<result> {
    result out;
    pid b = spawn_link(wait_for_stop);
    pid a = spawn_link(wait_for_stop);
    out.expected = {a, b};
    std::sort(out.expected.begin(), out.expected.end());
    out.links = self_info().links;
    unlink(a);
    out.kept = b;
    out.after_unlink = self_info().links;
    send(a, stop{});
    send(b, stop{});
    co_return out;
  });
  EXPECT_EQ(r.links, r.expected);
  EXPECT_EQ(r.after_unlink, std::vector<pid>{r.kept});
}

TEST(ProcessInfoTest, SelfInfoListsMonitorsByPidAndByName) {
  const atom name("process_info_test_watched");
  deterministic_runtime rt;
  auto [child, monitors] = rt.run([name]() -> co<std::pair<pid, std::vector<term>>> {
    pid c = spawn(wait_for_stop);
    register_name(name, c);
    (void)monitor(c);
    (void)monitor(name);
    std::vector<term> m = self_info().monitors;
    send(c, stop{});
    co_return std::pair{c, m};
  });
  std::sort(monitors.begin(), monitors.end());
  std::vector<term> expected{tuple(atoms::process, child),
                             tuple(atoms::process, tuple(name, atoms::nonode))};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(monitors, expected);
}

TEST(ProcessInfoTest, SelfInfoForgetsAMonitorAfterDemonitor) {
  deterministic_runtime rt;
  auto monitors = rt.run([]() -> co<std::vector<term>> {
    pid c = spawn(wait_for_stop);
    ref m = monitor(c);
    demonitor(m);
    send(c, stop{});
    co_return self_info().monitors;
  });
  EXPECT_TRUE(monitors.empty());
}

TEST(ProcessInfoTest, SelfInfoListsTheProcessesMonitoringIt) {
  deterministic_runtime rt;
  auto [watchers, monitored_by] = rt.run([]() -> co<std::pair<std::vector<pid>, std::vector<pid>>> {
    const pid me = self();
    std::vector<pid> ws;
    for (int i = 0; i < 2; ++i) {
      ws.push_back(spawn([me]() -> co<> {
        (void)monitor(me);
        send(me, ready{});  // after the monitor signal: arrives after it
        co_await wait_for_stop();
      }));
    }
    for (int i = 0; i < 2; ++i) {
      (void)co_await receive<ready>();
    }
    std::vector<pid> by = self_info().monitored_by;
    for (pid w : ws) {
      send(w, stop{});
    }
    std::sort(ws.begin(), ws.end());
    co_return std::pair{ws, by};
  });
  EXPECT_EQ(monitored_by, watchers);
}

TEST(ProcessInfoTest, SelfInfoReportsTheRegisteredName) {
  const atom name("process_info_test_me");
  deterministic_runtime rt;
  auto [before, after] =
      rt.run([name]() -> co<std::pair<std::optional<atom>, std::optional<atom>>> {
        auto b = self_info().registered_name;
        register_name(name, self());
        auto a = self_info().registered_name;
        co_return std::pair{b, a};
      });
  EXPECT_FALSE(before.has_value());
  EXPECT_EQ(after, std::optional<atom>(name));
}

TEST(ProcessInfoTest, ReductionsGrowWithReceives) {
  deterministic_runtime rt;
  auto [before, after] = rt.run([]() -> co<std::pair<std::uint64_t, std::uint64_t>> {
    std::uint64_t b = self_info().reductions;
    for (int i = 0; i < 10; ++i) {
      send(self(), i);
      (void)co_await receive<int>();
    }
    std::uint64_t a = self_info().reductions;
    co_return std::pair{b, a};
  });
  EXPECT_GE(after, before + 10);
}

TEST(ProcessInfoTest, ReductionsGrowWithYields) {
  deterministic_runtime rt;
  auto [before, after] = rt.run([]() -> co<std::pair<std::uint64_t, std::uint64_t>> {
    std::uint64_t b = self_info().reductions;
    for (int i = 0; i < 5; ++i) {
      co_await yield();
    }
    std::uint64_t a = self_info().reductions;
    co_return std::pair{b, a};
  });
  EXPECT_GE(after, before + 5);
}

TEST(ProcessInfoTest, SelfInfoReportsTrapExit) {
  deterministic_runtime rt;
  auto [before, after] = rt.run([]() -> co<std::pair<bool, bool>> {
    bool b = self_info().trap_exit;
    trap_exit(true);
    co_return std::pair{b, self_info().trap_exit};
  });
  EXPECT_FALSE(before);
  EXPECT_TRUE(after);
}

TEST(ProcessInfoTest, SelfInfoReportsTheDictionarySortedByKey) {
  deterministic_runtime rt;
  auto dict = rt.run([]() -> co<std::vector<std::pair<term, term>>> {
    put(atom("b"), 2);
    put(atom("a"), 1);
    put(atom("c"), "gone");
    erase(atom("c"));
    co_return self_info().dictionary;
  });
  std::vector<std::pair<term, term>> expected{{atom("a"), 1}, {atom("b"), 2}};
  EXPECT_EQ(dict, expected);
}

TEST(ProcessInfoTest, ProcessInfoOfAnotherProcessIsConsistentWithSignalsSentBefore) {
  deterministic_runtime rt;
  auto [main, info] = rt.run([]() -> co<std::pair<pid, std::optional<process_info_t>>> {
    pid target = spawn(wait_for_stop);
    co_await yield();  // the target runs and waits in its receive
    link(target);
    (void)monitor(target);
    send(target, 1);
    send(target, 2);
    // The request follows the link, the monitor and the messages: the answer reflects them.
    auto i = co_await process_info(target);
    unlink(target);
    send(target, stop{});
    co_return std::pair{self(), i};
  });
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->status.name(), std::string_view("waiting"));
  EXPECT_EQ(info->message_queue_len, 2U);
  EXPECT_EQ(info->messages, (std::vector<term>{1, 2}));
  EXPECT_EQ(info->links, std::vector<pid>{main});
  EXPECT_EQ(info->monitored_by, std::vector<pid>{main});
  EXPECT_TRUE(info->monitors.empty());
}

TEST(ProcessInfoTest, ProcessInfoOfAProcessThatHasNotRunYetReportsRunnable) {
  // As on the BEAM: `spawn(...)` then `Process.info(pid, :status)` is `:runnable`.
  deterministic_runtime rt;
  auto info = rt.run([]() -> co<std::optional<process_info_t>> {
    pid target = spawn(wait_for_stop);  // runnable; this process keeps the scheduler
    auto i = co_await process_info(target);
    send(target, stop{});
    co_return i;
  });
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->status.name(), std::string_view("runnable"));
}

TEST(ProcessInfoTest, ProcessInfoOfAnotherProcessOnTheThreadedRuntime) {
  runtime rt(runtime_options{.schedulers = 2});
  auto [main, info] = rt.run(
      []() -> co<std::pair<pid, std::optional<process_info_t>>> {
        const pid me = self();
        pid target = spawn([me]() -> co<> {
          trap_exit(true);
          put(atom("role"), atom("target"));
          send(me, ready{});
          co_await wait_for_stop();
        });
        (void)co_await receive<ready>();
        (void)monitor(target);
        send(target, 7);
        auto i = co_await process_info(target);
        send(target, stop{});
        co_return std::pair{me, i};
      },
      30s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->status.name(), std::string_view("waiting"));
  EXPECT_EQ(info->messages, std::vector<term>{7});
  EXPECT_EQ(info->monitored_by, std::vector<pid>{main});
  EXPECT_TRUE(info->trap_exit);
  EXPECT_EQ(info->dictionary, (std::vector<std::pair<term, term>>{{atom("role"), atom("target")}}));
}

TEST(ProcessInfoTest, ProcessInfoOfADeadProcessIsNullopt) {
  deterministic_runtime rt;
  bool answered_nullopt = rt.run([]() -> co<bool> {
    pid child = spawn_monitor([]() -> co<> { co_return; }).first;
    (void)co_await receive<down_msg>();
    co_return !(co_await process_info(child)).has_value();
  });
  EXPECT_TRUE(answered_nullopt);
}

TEST(ProcessInfoTest, ProcessInfoOfAPidThatNeverExistedIsNullopt) {
  deterministic_runtime rt;
  auto [never, null] = rt.run([]() -> co<std::pair<bool, bool>> {
    bool a = !(co_await process_info(pid(123'456, 1))).has_value();
    bool b = !(co_await process_info(pid{})).has_value();
    co_return std::pair{a, b};
  });
  EXPECT_TRUE(never);
  EXPECT_TRUE(null);
}

TEST(ProcessInfoTest, ProcessInfoOfSelfIsSelfInfo) {
  deterministic_runtime rt;
  auto info = rt.run([]() -> co<std::optional<process_info_t>> {
    put(atom("k"), 1);
    co_return co_await process_info(self());
  });
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->status.name(), std::string_view("running"));
  EXPECT_EQ(info->dictionary.size(), 1U);
}

TEST(ProcessInfoTest, RuntimeProcessInfoFromOutsideTheRuntime) {
  const atom name("process_info_test_outside");
  runtime rt(runtime_options{.schedulers = 2});
  pid target = rt.run(
      [name]() -> co<pid> {
        const pid me = self();
        pid t = spawn([me, name]() -> co<> {
          register_name(name, self());
          put(atom("answer"), 42);
          send(me, ready{});
          co_await wait_for_stop();
        });
        (void)co_await receive<ready>();
        co_return t;
      },
      30s);
  rt.send(target, 5);
  auto info = rt.process_info(target);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->status.name(), std::string_view("waiting"));
  EXPECT_EQ(info->registered_name, std::optional<atom>(name));
  EXPECT_EQ(info->messages, std::vector<term>{5});
  EXPECT_EQ(info->dictionary, (std::vector<std::pair<term, term>>{{atom("answer"), 42}}));
  EXPECT_TRUE(info->links.empty());
}

TEST(ProcessInfoTest, RuntimeProcessInfoOfADeadProcessIsNullopt) {
  runtime rt(runtime_options{.schedulers = 2});
  pid dead = rt.run(
      []() -> co<pid> {
        pid child = spawn_monitor([]() -> co<> { co_return; }).first;
        (void)co_await receive<down_msg>();
        co_return child;
      },
      30s);
  EXPECT_FALSE(rt.process_info(dead).has_value());
}

}  // namespace
}  // namespace otter
