// Tests for the process basics of otter/core/process.hpp and runtime.hpp: spawn, self, send,
// what a message may be, per-sender ordering, dead and stale pids, spawning and sending from
// outside the runtime, the lifetime of a process body's captures, crash isolation and process
// accounting. Each behaviour runs on the deterministic runtime and on the threaded one.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <numeric>
#include <optional>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace otter {
namespace {

using namespace std::chrono_literals;

using test_support::a;
using test_support::down_of;
using test_support::run_deadline;
using test_support::runtime_kind;

// Every TEST_P runs once on each runtime (tests/support/both_runtimes.hpp).
class ProcessTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(ProcessTest);

/// Waits (bounded, without sleeping) until the runtime has no live process.
bool wait_for_no_process(runtime& r, std::chrono::seconds limit = 20s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (r.process_count() != 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::yield();
  }
  return true;
}

// -- spawn, self, send, receive ----------------------------------------------------------------

TEST_P(ProcessTest, SpawnedProcessAnswersARequestWithItsReply) {
  auto reply = run([]() -> co<int> {
    pid echo = spawn([]() -> co<void> {
      auto [from, n] = co_await receive<std::pair<pid, int>>();
      send(from, n + 1);
    });
    send(echo, std::pair<pid, int>{self(), 41});
    co_return co_await receive<int>();
  });

  EXPECT_EQ(reply, 42);
}

TEST_P(ProcessTest, SelfInsideTheChildIsThePidSpawnReturned) {
  auto [spawned, reported] = run([]() -> co<std::pair<pid, pid>> {
    pid parent = self();
    pid child = spawn([parent]() -> co<void> {
      send(parent, self());
      co_return;
    });
    pid seen = co_await receive<pid>();
    co_return std::pair<pid, pid>{child, seen};
  });

  EXPECT_FALSE(spawned.is_null());
  EXPECT_EQ(spawned, reported);
}

TEST_P(ProcessTest, EachSpawnReturnsADistinctPid) {
  auto pids = run([]() -> co<std::vector<pid>> {
    std::vector<pid> out;
    for (int i = 0; i < 100; ++i) {
      out.push_back(spawn([]() -> co<void> { co_return; }));
    }
    co_return out;
  });

  EXPECT_EQ(std::set<pid>(pids.begin(), pids.end()).size(), 100U);
}

TEST_P(ProcessTest, AProcessCanSendToItself) {
  auto got = run([]() -> co<std::string> {
    send(self(), std::string("note to self"));
    co_return co_await receive<std::string>();
  });

  EXPECT_EQ(got, "note to self");
}

// -- what a message is ------------------------------------------------------------------------

struct point {
  int x;
  std::string label;
};

struct move_only_box {
  std::unique_ptr<std::vector<int>> items;
};

TEST_P(ProcessTest, AnyMovableTypeIsAMessage) {
  struct seen_values {
    int from_unique_ptr = 0;
    std::string from_string;
    int point_x = 0;
    std::string point_label;
    std::string from_term;
    int box_sum = 0;
  };
  auto seen = run([]() -> co<seen_values> {
    pid parent = self();
    pid child = spawn([parent]() -> co<void> {
      seen_values v;
      auto up = co_await receive<std::unique_ptr<int>>();
      v.from_unique_ptr = *up;
      v.from_string = co_await receive<std::string>();
      point p = co_await receive<point>();
      v.point_x = p.x;
      v.point_label = p.label;
      v.from_term = (co_await receive<term>()).to_string();
      move_only_box box = co_await receive<move_only_box>();
      v.box_sum = std::accumulate(box.items->begin(), box.items->end(), 0);
      send(parent, std::move(v));
    });
    send(child, std::make_unique<int>(7));
    send(child, std::string("text"));
    send(child, point{3, "p"});
    send(child, tuple(atom("ok"), 1, "two"));
    send(child, move_only_box{std::make_unique<std::vector<int>>(std::vector<int>{1, 2, 3})});
    co_return co_await receive<seen_values>();
  });

  EXPECT_EQ(seen.from_unique_ptr, 7);
  EXPECT_EQ(seen.from_string, "text");
  EXPECT_EQ(seen.point_x, 3);
  EXPECT_EQ(seen.point_label, "p");
  EXPECT_EQ(seen.from_term, R"({:ok, 1, "two"})");
  EXPECT_EQ(seen.box_sum, 6);
}

TEST_P(ProcessTest, MessagesOfDifferentTypesAreReceivedByTheirType) {
  auto got = run([]() -> co<std::pair<int, std::string>> {
    send(self(), std::string("second type"));
    send(self(), 5);
    int n = co_await receive<int>();  // skips the string, which stays in the mailbox
    std::string s = co_await receive<std::string>();
    co_return std::pair<int, std::string>{n, s};
  });

  EXPECT_EQ(got.first, 5);
  EXPECT_EQ(got.second, "second type");
}

// -- ordering -----------------------------------------------------------------------------------

// Erlang guarantees that messages from one process to another arrive in send order.
TEST_P(ProcessTest, MessagesFromOneSenderArriveInSendOrder) {
  constexpr int count = 10000;
  auto received = run([]() -> co<std::vector<int>> {
    pid collector = self();
    pid receiver = spawn([collector]() -> co<void> {
      std::vector<int> got;
      got.reserve(count);
      for (int i = 0; i < count; ++i) {
        got.push_back(co_await receive<int>());
      }
      send(collector, std::move(got));
    });
    (void)spawn([receiver]() -> co<void> {
      for (int i = 0; i < count; ++i) {
        send(receiver, i);
      }
      co_return;
    });
    co_return co_await receive<std::vector<int>>();
  });

  std::vector<int> expected(count);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(received, expected);
}

// Order holds per sender even when several senders interleave into one mailbox.
TEST_P(ProcessTest, EachOfSeveralSendersKeepsItsOwnOrder) {
  constexpr int senders = 4;
  constexpr int per_sender = 2500;
  auto per_sender_sequences = run([]() -> co<std::vector<std::vector<int>>> {
    pid me = self();
    for (int s = 0; s < senders; ++s) {
      (void)spawn([me, s]() -> co<void> {
        for (int i = 0; i < per_sender; ++i) {
          send(me, std::pair<int, int>{s, i});
        }
        co_return;
      });
    }
    std::vector<std::vector<int>> seqs(senders);
    for (int i = 0; i < senders * per_sender; ++i) {
      auto [s, n] = co_await receive<std::pair<int, int>>();
      seqs[static_cast<std::size_t>(s)].push_back(n);
    }
    co_return seqs;
  });

  std::vector<int> expected(per_sender);
  std::iota(expected.begin(), expected.end(), 0);
  for (int s = 0; s < senders; ++s) {
    EXPECT_EQ(per_sender_sequences[static_cast<std::size_t>(s)], expected) << "sender " << s;
  }
}

// -- dead and stale pids ------------------------------------------------------------------------

TEST_P(ProcessTest, SendingToADeadPidIsANoOp) {
  struct outcome {
    bool alive_after_down = true;
    std::size_t mailbox_after_send = 99;
  };
  auto o = run([]() -> co<outcome> {
    auto [child, mon] = spawn_monitor([]() -> co<void> { co_return; });
    (void)co_await down_of(mon);
    outcome r;
    r.alive_after_down = alive(child);
    send(child, 1);
    send(child, std::string("dropped"));
    send(pid{}, 2);  // the null pid names no process either
    r.mailbox_after_send = self_info().message_queue_len;
    co_return r;
  });

  EXPECT_FALSE(o.alive_after_down);
  EXPECT_EQ(o.mailbox_after_send, 0U);
}

struct stray {
  int n;
};
struct report_to {
  pid to;
};

/// Counts the stray messages that reach it until asked to report the count.
co<void> stray_counter() {
  int strays = 0;
  for (;;) {
    std::optional<pid> report =
        co_await receive(on<stray>([&strays](stray&) {
                           ++strays;
                           return std::optional<pid>();
                         }),
                         on<report_to>([](report_to& r) { return std::optional<pid>(r.to); }));
    if (report) {
      send(*report, std::pair<pid, int>{self(), strays});
      co_return;
    }
  }
}

// A pid names one incarnation: a slot reused by a later process never receives the messages
// or exit signals addressed to the earlier one (docs/design/process_table.md).
TEST_P(ProcessTest, AStalePidNeverReachesANewerProcessThatReusesItsSlot) {
  constexpr int count = 1000;
  struct outcome {
    int reused_slots = 0;
    int reused_with_same_pid = 0;
    int old_alive = 0;
    int fresh_alive = 0;
    int replies = 0;
    int strays_seen = 0;
    int noproc_downs = 0;
  };
  auto o = run([]() -> co<outcome> {
    outcome r;
    std::vector<pid> old;
    std::vector<ref> mons;
    for (int i = 0; i < count; ++i) {
      auto [p, m] = spawn_monitor([]() -> co<void> { co_return; });
      old.push_back(p);
      mons.push_back(m);
    }
    for (ref m : mons) {
      (void)co_await down_of(m);
    }
    std::vector<pid> fresh;
    for (int i = 0; i < count; ++i) {
      fresh.push_back(spawn(stray_counter));
    }
    std::set<std::uint32_t> old_slots;
    std::set<pid> old_set(old.begin(), old.end());
    for (pid p : old) {
      old_slots.insert(p.index());
    }
    for (pid p : fresh) {
      if (old_slots.contains(p.index())) {
        ++r.reused_slots;
      }
      if (old_set.contains(p)) {
        ++r.reused_with_same_pid;
      }
    }
    std::vector<ref> old_mons;
    for (pid p : old) {
      send(p, stray{1});
      (void)exit(p, atoms::kill);      // must not kill the new incarnation either
      old_mons.push_back(monitor(p));  // must not watch it either: DOWN :noproc at once
      r.old_alive += alive(p) ? 1 : 0;
    }
    for (pid p : fresh) {
      r.fresh_alive += alive(p) ? 1 : 0;
    }
    for (ref m : old_mons) {
      down_msg d = co_await down_of(m);
      r.noproc_downs += d.reason == term(atoms::noproc) ? 1 : 0;
    }
    for (pid p : fresh) {
      send(p, report_to{self()});
    }
    for (int i = 0; i < count; ++i) {
      auto reply = co_await receive_for<std::pair<pid, int>>(10s);
      if (!reply) {
        break;
      }
      ++r.replies;
      r.strays_seen += reply->second;
    }
    co_return r;
  });

  if (GetParam() == runtime_kind::deterministic) {
    // One scheduler recycles its own slots: the scenario really exercises reuse.
    EXPECT_GT(o.reused_slots, 0);
  }
  EXPECT_EQ(o.reused_with_same_pid, 0);
  EXPECT_EQ(o.old_alive, 0);
  EXPECT_EQ(o.fresh_alive, count);
  EXPECT_EQ(o.replies, count);
  EXPECT_EQ(o.strays_seen, 0);
  EXPECT_EQ(o.noproc_downs, count);
}

// -- from outside the runtime -----------------------------------------------------------------

TEST_P(ProcessTest, RuntimeSpawnAndSendReachProcessesFromOutside) {
  runtime& r = rt();
  pid doubler = r.spawn([]() -> co<void> {
    int n = co_await receive<int>();
    pid to = co_await receive<pid>();
    send(to, n * 2);
  });
  EXPECT_TRUE(r.alive(doubler));
  r.send(doubler, 21);

  int got = run([doubler]() -> co<int> {
    send(doubler, self());
    co_return co_await receive<int>();
  });

  EXPECT_EQ(got, 42);
}

// runtime::send from one thread keeps that thread's order.
TEST_P(ProcessTest, MessagesSentFromOutsideArriveInSendOrder) {
  constexpr int count = 1000;
  runtime& r = rt();
  pid collector = r.spawn([]() -> co<void> {
    std::vector<int> got;
    for (int i = 0; i < count; ++i) {
      got.push_back(co_await receive<int>());
    }
    pid to = co_await receive<pid>();
    send(to, std::move(got));
  });
  for (int i = 0; i < count; ++i) {
    r.send(collector, i);
  }

  auto received = run([collector]() -> co<std::vector<int>> {
    send(collector, self());
    co_return co_await receive<std::vector<int>>();
  });

  std::vector<int> expected(count);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(received, expected);
}

TEST_P(ProcessTest, ProcessInfoOfADeadProcessIsEmpty) {
  auto [inside, dead_pid] = run([]() -> co<std::pair<bool, pid>> {
    auto [child, m] = spawn_monitor([]() -> co<void> { co_return; });
    (void)co_await down_of(m);
    auto info = co_await process_info(child);
    co_return std::pair<bool, pid>{info.has_value(), child};
  });

  EXPECT_FALSE(inside);
  EXPECT_FALSE(rt().process_info(dead_pid).has_value());
}

TEST_P(ProcessTest, RunReturnsTheValueOfTheProcess) {
  EXPECT_EQ(run([]() -> co<std::string> { co_return "result"; }), "result");
}

// -- lifetime of captures -------------------------------------------------------------------------

/// Spawns a process whose body captures locals of this function, which are gone when the body
/// uses them.
pid spawn_greeter() {
  std::string greeting = "hello from a finished scope";
  auto numbers = std::make_shared<std::vector<int>>(std::vector<int>{1, 2, 3, 4});
  return spawn([greeting, numbers]() -> co<void> {
    pid to = co_await receive<pid>();  // suspends first: the creator has long returned
    int sum = std::accumulate(numbers->begin(), numbers->end(), 0);
    send(to, greeting + " " + std::to_string(sum));
  });
}

// The body callable is copied into the process, so its captures live as long as the process
// (co.hpp's lifetime rule; ASan checks this build).
TEST_P(ProcessTest, ACapturingLambdaKeepsItsCapturesAliveAfterItsCreatorReturns) {
  auto got = run([]() -> co<std::string> {
    pid greeter = spawn_greeter();
    send(greeter, self());
    co_return co_await receive<std::string>();
  });

  EXPECT_EQ(got, "hello from a finished scope 10");
}

TEST_P(ProcessTest, CapturesOutliveACreatorProcessThatHasExited) {
  auto got = run([]() -> co<std::string> {
    pid parent = self();
    auto [creator, mon] = spawn_monitor([parent]() -> co<void> {
      std::string local = "captured by value";
      std::vector<int> more{5, 6};
      pid child = spawn([local, more]() -> co<void> {
        pid to = co_await receive<pid>();
        send(to, local + " " + std::to_string(more[0] + more[1]));
      });
      send(parent, child);
      co_return;
    });
    pid child = co_await receive<pid>();
    down_msg d = co_await down_of(mon);  // the creator is gone, with its frame
    (void)creator;
    send(child, self());
    std::string reply = co_await receive<std::string>();
    co_return d.reason.to_string() + " / " + reply;
  });

  EXPECT_EQ(got, ":normal / captured by value 11");
}

TEST_P(ProcessTest, ABodySpawnedFromOutsideKeepsItsCapturesAlive) {
  runtime& r = rt();
  pid greeter;
  {
    std::string text = "spawned from the test thread";
    auto shared = std::make_shared<int>(3);
    greeter = r.spawn([text, shared]() -> co<void> {
      pid to = co_await receive<pid>();
      send(to, text + " " + std::to_string(*shared));
    });
  }

  auto got = run([greeter]() -> co<std::string> {
    send(greeter, self());
    co_return co_await receive<std::string>();
  });

  EXPECT_EQ(got, "spawned from the test thread 3");
}

TEST_P(ProcessTest, SpawnPassesArgumentsToTheBody) {
  auto got = run([]() -> co<int> {
    auto body = [](pid to, int a, std::string b) -> co<void> {
      send(to, a + static_cast<int>(b.size()));
      co_return;
    };
    (void)spawn(body, self(), 40, std::string("xy"));
    co_return co_await receive<int>();
  });

  EXPECT_EQ(got, 42);
}

// -- isolation --------------------------------------------------------------------------------

TEST_P(ProcessTest, AnExceptionInOneProcessDoesNotStopAnUnlinkedProcessOrTheNode) {
  struct outcome {
    std::string crash_reason;
    bool bystander_alive = false;
    std::string bystander_reply;
  };
  auto o = run([]() -> co<outcome> {
    pid bystander = spawn([]() -> co<void> {
      pid to = co_await receive<pid>();
      send(to, std::string("still here"));
    });
    auto [crasher, mon] = spawn_monitor([]() -> co<void> {
      throw std::runtime_error("boom");
      co_return;
    });
    (void)crasher;
    outcome r;
    r.crash_reason = (co_await down_of(mon)).reason.to_string();
    r.bystander_alive = alive(bystander);
    send(bystander, self());
    r.bystander_reply = co_await receive<std::string>();
    co_return r;
  });
  int after = run([]() -> co<int> { co_return 7; });  // the node still runs processes

  EXPECT_EQ(o.crash_reason, R"({%RuntimeError{message: "boom"}, #Stacktrace})");
  EXPECT_TRUE(o.bystander_alive);
  EXPECT_EQ(o.bystander_reply, "still here");
  EXPECT_EQ(after, 7);
}

// -- accounting ---------------------------------------------------------------------------------

TEST_P(ProcessTest, HundredThousandProcessesSpawnedAndFinishedLeaveNoneAlive) {
  constexpr int count = 100000;
  EXPECT_EQ(rt().process_count(), 0U);

  auto acks = run([]() -> co<int> {
    pid me = self();
    for (int i = 0; i < count; ++i) {
      (void)spawn([me]() -> co<void> {
        send(me, 1);
        co_return;
      });
    }
    int n = 0;
    for (int i = 0; i < count; ++i) {
      n += co_await receive<int>();
    }
    co_return n;
  });

  EXPECT_EQ(acks, count);
  EXPECT_TRUE(wait_for_no_process(rt())) << "process_count() = " << rt().process_count();
}

TEST_P(ProcessTest, ProcessCountIncludesWaitingProcesses) {
  runtime& r = rt();
  pid waiter = r.spawn([]() -> co<void> { (void)co_await receive<int>(); });
  auto during = run([]() -> co<int> { co_return 0; });
  (void)during;
  EXPECT_TRUE(r.alive(waiter));
  EXPECT_GE(r.process_count(), 1U);

  r.send(waiter, 1);
  (void)run([]() -> co<int> { co_return 0; });  // on the deterministic runtime, lets it run
  EXPECT_TRUE(wait_for_no_process(r)) << "process_count() = " << r.process_count();
  EXPECT_FALSE(r.alive(waiter));
}

}  // namespace
}  // namespace otter
