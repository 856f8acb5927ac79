// tests/core/run_queue_test.cpp: a scheduler's run queue (src/core/scheduler/run_queue.hpp):
// the `next` slot, the stealable FIFO ring, the overflow list, and stealing. Single-threaded
// behaviour first, then an owner and two thieves on real threads.
//
// The queue only stores and hands back process pointers, so the tests use control blocks
// allocated in a vector (never resized: their addresses are stable) and never run them.

#include "core/scheduler/run_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace otter::detail {

// Test access to a ring's head, to hold a thief's fence still as a thief preempted between its
// claim (steal_into's step 1) and the end of its copy does.
class run_queue_peer {
public:
  /// Claims the `n` oldest ring entries as a thief would, and stops there.
  static void claim(run_queue& q, std::uint32_t n) {
    auto [steal, real] = run_queue::unpack(q.head_.load());
    q.head_.store(run_queue::pack(steal, real + n));
  }
  /// Ends that claim, as the thief's step 3 does.
  static void release(run_queue& q) {
    auto [steal, real] = run_queue::unpack(q.head_.load());
    (void)steal;
    q.head_.store(run_queue::pack(real, real));
  }
};

namespace {

std::vector<process*> pointers(std::vector<process>& procs) {
  std::vector<process*> out;
  out.reserve(procs.size());
  for (auto& p : procs) {
    out.push_back(&p);
  }
  return out;
}

// Pops until the queue is empty.
std::vector<process*> drain(run_queue& q) {
  std::vector<process*> out;
  while (process* p = q.pop()) {
    out.push_back(p);
  }
  return out;
}

TEST(RunQueueTest, AnEmptyQueueHasNoWorkAndPopsNothing) {
  run_queue q;
  EXPECT_FALSE(q.has_work());
  EXPECT_EQ(q.ring_len(), 0U);
  EXPECT_EQ(q.pop(), nullptr);
}

TEST(RunQueueTest, PopReturnsProcessesInPushOrder) {
  std::vector<process> procs(10);
  run_queue q;
  for (auto& p : procs) {
    EXPECT_TRUE(q.push(&p));  // fits in the ring: stealable
  }
  EXPECT_TRUE(q.has_work());
  EXPECT_EQ(q.ring_len(), 10U);
  EXPECT_EQ(drain(q), pointers(procs));
  EXPECT_FALSE(q.has_work());
}

TEST(RunQueueTest, TheNextSlotIsPoppedBeforeTheRing) {
  std::vector<process> procs(3);
  run_queue q;
  q.push(&procs[0]);
  q.push(&procs[1]);
  q.push_next(&procs[2]);
  EXPECT_EQ(q.ring_len(), 2U);  // the next slot is not stealable
  EXPECT_EQ(drain(q), (std::vector<process*>{&procs[2], &procs[0], &procs[1]}));
}

TEST(RunQueueTest, PushNextMovesThePreviousOccupantToTheBackOfTheRing) {
  std::vector<process> procs(3);
  run_queue q;
  q.push(&procs[0]);
  EXPECT_FALSE(q.push_next(&procs[1]));  // the slot was empty: nothing moved to the ring
  EXPECT_TRUE(q.push_next(&procs[2]));   // procs[1] moved to the ring
  EXPECT_EQ(q.ring_len(), 2U);
  EXPECT_EQ(drain(q), (std::vector<process*>{&procs[2], &procs[0], &procs[1]}));
}

TEST(RunQueueTest, TheNextSlotIsTakenAtMostMaxNextInARowTimesBeforeTheRing) {
  constexpr std::uint32_t cap = run_queue::max_next_in_a_row;
  std::vector<process> ping(cap + 1);
  process waiting;
  run_queue q;
  q.push(&waiting);
  // A ping-pong keeps refilling the next slot; the ring's process must still get its turn.
  for (std::uint32_t i = 0; i < cap; ++i) {
    q.push_next(&ping[i]);
    EXPECT_EQ(q.pop(), &ping[i]) << "pop " << i;
  }
  q.push_next(&ping[cap]);
  EXPECT_EQ(q.pop(), &waiting);
  EXPECT_EQ(q.pop(), &ping[cap]);
  EXPECT_EQ(q.pop(), nullptr);
}

TEST(RunQueueTest, APingPongThroughTheNextSlotLetsTheRingRunEveryMaxNextInARowPops) {
  // Each round the running process wakes a fresh one into the next slot (push_next), as a
  // message ping-pong does; the ring's processes still get a turn after every
  // max_next_in_a_row pops of the next slot.
  constexpr std::uint32_t cap = run_queue::max_next_in_a_row;
  std::vector<process> woken(2 * cap + 2);
  std::vector<process> ring(2);
  run_queue q;
  q.push(&ring[0]);
  q.push(&ring[1]);
  std::vector<process*> popped;
  for (auto& w : woken) {
    q.push_next(&w);  // a process left in the slot is moved to the back of the ring
    popped.push_back(q.pop());
  }
  std::vector<process*> expected;
  for (std::uint32_t i = 0; i < cap; ++i) {
    expected.push_back(&woken[i]);
  }
  expected.push_back(&ring[0]);  // woken[cap] stays in the slot, then is displaced
  for (std::uint32_t i = cap + 1; i < 2 * cap + 1; ++i) {
    expected.push_back(&woken[i]);
  }
  expected.push_back(&ring[1]);
  EXPECT_EQ(popped, expected);
  // Left: woken[cap] (displaced to the ring) and woken[2 * cap + 1] (in the slot).
  EXPECT_EQ(drain(q), (std::vector<process*>{&woken[2 * cap + 1], &woken[cap]}));
}

TEST(RunQueueTest, PushesBeyondCapacityGoToOverflowAndKeepFifoOrder) {
  constexpr std::size_t n = run_queue::capacity * 4 + 17;
  std::vector<process> procs(n);
  run_queue q;
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(q.push(&procs[i]), i < run_queue::capacity) << "push " << i;
  }
  EXPECT_EQ(q.ring_len(), run_queue::capacity);
  EXPECT_EQ(drain(q), pointers(procs));
}

TEST(RunQueueTest, OnceOverflowIsUsedPushesGoBehindItEvenWhenTheRingHasRoom) {
  constexpr std::size_t n = run_queue::capacity + 50;
  std::vector<process> procs(n + 1);
  run_queue q;
  for (std::size_t i = 0; i < n; ++i) {
    q.push(&procs[i]);
  }
  std::vector<process*> popped;
  for (int i = 0; i < 10; ++i) {
    popped.push_back(q.pop());  // the ring now has room
  }
  EXPECT_FALSE(q.push(&procs[n]));  // but overflow is not empty: FIFO puts it there
  std::vector<process*> rest = drain(q);
  popped.insert(popped.end(), rest.begin(), rest.end());
  EXPECT_EQ(popped, pointers(procs));
}

TEST(RunQueueTest, StealIntoTakesHalfTheRingAndReturnsTheLastStolen) {
  std::vector<process> procs(100);
  run_queue victim;
  run_queue thief;
  for (auto& p : procs) {
    victim.push(&p);
  }
  process* got = victim.steal_into(thief);
  ASSERT_EQ(got, &procs[49]);
  EXPECT_EQ(thief.ring_len(), 49U);
  EXPECT_EQ(victim.ring_len(), 50U);
  std::vector<process*> all = pointers(procs);
  EXPECT_EQ(drain(thief), std::vector<process*>(all.begin(), all.begin() + 49));
  EXPECT_EQ(drain(victim), std::vector<process*>(all.begin() + 50, all.end()));
}

TEST(RunQueueTest, StealIntoRoundsTheHalfUp) {
  std::vector<process> procs(7);
  run_queue victim;
  run_queue thief;
  for (auto& p : procs) {
    victim.push(&p);
  }
  EXPECT_EQ(victim.steal_into(thief), &procs[3]);
  EXPECT_EQ(drain(thief), (std::vector<process*>{&procs[0], &procs[1], &procs[2]}));
  EXPECT_EQ(drain(victim), (std::vector<process*>{&procs[4], &procs[5], &procs[6]}));
}

TEST(RunQueueTest, StealIntoLeavesALoneProcessToItsOwner) {
  process only;
  run_queue victim;
  run_queue thief;
  victim.push(&only);
  EXPECT_EQ(victim.steal_into(thief), nullptr);
  EXPECT_FALSE(thief.has_work());
  EXPECT_EQ(victim.pop(), &only);
}

TEST(RunQueueTest, StealIntoTakesOneOfTwo) {
  std::vector<process> procs(2);
  run_queue victim;
  run_queue thief;
  victim.push(&procs[0]);
  victim.push(&procs[1]);
  EXPECT_EQ(victim.steal_into(thief), &procs[0]);
  EXPECT_FALSE(thief.has_work());
  EXPECT_EQ(drain(victim), std::vector<process*>{&procs[1]});
}

TEST(RunQueueTest, StealIntoFromAnEmptyRingReturnsNull) {
  run_queue victim;
  run_queue thief;
  EXPECT_EQ(victim.steal_into(thief), nullptr);
}

TEST(RunQueueTest, StealIntoLeavesTheNextSlotAndOverflowToTheOwner) {
  std::vector<process> procs(run_queue::capacity + 3);
  process next;
  run_queue victim;
  run_queue thief;
  for (auto& p : procs) {
    victim.push(&p);
  }
  victim.push_next(&next);
  std::vector<process*> stolen;
  while (process* p = victim.steal_into(thief)) {
    stolen.push_back(p);
    std::vector<process*> rest = drain(thief);
    stolen.insert(stolen.end(), rest.begin(), rest.end());
  }
  // Thieves take from the ring only, and leave its last process to the owner.
  EXPECT_EQ(stolen.size(), static_cast<std::size_t>(run_queue::capacity - 1));
  std::vector<process*> owner = drain(victim);
  std::vector<process*> expected{&next, &procs[run_queue::capacity - 1],
                                 &procs[run_queue::capacity], &procs[run_queue::capacity + 1],
                                 &procs[run_queue::capacity + 2]};
  EXPECT_EQ(owner, expected);
}

TEST(RunQueueTest, StealIntoRefusesWhenTheThiefHasNoRoomForHalfARing) {
  std::vector<process> mine(run_queue::capacity / 2 + 1);
  std::vector<process> theirs(10);
  run_queue victim;
  run_queue thief;
  for (auto& p : mine) {
    thief.push(&p);
  }
  for (auto& p : theirs) {
    victim.push(&p);
  }
  EXPECT_EQ(victim.steal_into(thief), nullptr);
  EXPECT_EQ(victim.ring_len(), 10U);
}

TEST(RunQueueTest, OwnerAndTwoThievesSeeEveryProcessExactlyOnce) {
  constexpr std::size_t n = 200'000;
  std::vector<process> procs(n);
  std::vector<std::atomic<int>> seen(n);
  auto mark = [&](process* p) {
    seen[static_cast<std::size_t>(p - procs.data())].fetch_add(1, std::memory_order_relaxed);
  };
  run_queue owner_q;
  run_queue thief_q[2];
  std::atomic<bool> owner_done{false};
  std::atomic<std::size_t> stolen{0};

  auto thief = [&](int me) {
    run_queue& mine = thief_q[me];
    run_queue& other = thief_q[1 - me];
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      // Read before the last look, so that a thief leaves only after a look that followed
      // the owner's final drain.
      const bool finished = owner_done.load(std::memory_order_acquire);
      if (process* p = mine.pop()) {  // one at a time, so that the other thief can steal
        mark(p);
        continue;
      }
      process* p = owner_q.steal_into(mine);
      if (p == nullptr) {
        p = other.steal_into(mine);
      }
      if (p != nullptr) {
        stolen.fetch_add(1, std::memory_order_relaxed);
        mark(p);
        continue;
      }
      if ((finished && !mine.has_work()) || std::chrono::steady_clock::now() > give_up) {
        return;
      }
      std::this_thread::yield();
    }
  };
  std::thread t0(thief, 0);
  std::thread t1(thief, 1);

  for (std::size_t i = 0; i < n; ++i) {
    if (i % 11 == 0) {
      owner_q.push_next(&procs[i]);
    } else {
      owner_q.push(&procs[i]);
    }
    if (i % 3 == 0) {
      if (process* p = owner_q.pop()) {
        mark(p);
      }
    }
    if (i % 5000 == 0) {  // a burst beyond the ring's capacity: overflow, then refill
      while (process* p = owner_q.pop()) {
        mark(p);
      }
    }
  }
  while (process* p = owner_q.pop()) {
    mark(p);
  }
  owner_done.store(true, std::memory_order_release);
  t0.join();
  t1.join();

  std::size_t missing = 0;
  std::size_t duplicated = 0;
  for (auto& s : seen) {
    int c = s.load(std::memory_order_relaxed);
    missing += c == 0 ? 1 : 0;
    duplicated += c > 1 ? 1 : 0;
  }
  EXPECT_EQ(missing, 0U);
  EXPECT_EQ(duplicated, 0U);
  EXPECT_GT(stolen.load(), 0U) << "the thieves never stole: the test did not exercise stealing";
}

// A thief that stalls after claiming the older half of a full ring keeps its fence where the
// ring began: once the owner has popped the newer half the ring is empty, yet refilling it from
// the overflow would overwrite the claimed slots. The owner must still pop its overflow (it
// used to get nothing, and sat idle with work queued).
TEST(RunQueueTest, AnOwnerBehindAStalledThiefsFenceStillPopsItsOverflow) {
  constexpr std::size_t half = run_queue::capacity / 2;
  constexpr std::size_t extra = 44;
  std::vector<process> procs(run_queue::capacity + extra);
  run_queue q;
  for (process* p : pointers(procs)) {
    q.push(p);
  }
  run_queue_peer::claim(q, half);
  const std::vector<process*> popped = drain(q);
  ASSERT_EQ(popped.size(), half + extra);
  for (std::size_t i = 0; i < popped.size(); ++i) {
    EXPECT_EQ(popped[i], &procs[half + i]) << i;  // the ring's newer half, then the overflow
  }
  EXPECT_FALSE(q.has_work());
  run_queue_peer::release(q);
}

TEST(RunQueueTest, ThievesStealingFromAFullRingWhileTheOwnerOverflowsLoseNothing) {
  // The owner pushes in bursts larger than the ring and pops slowly, so the ring stays full
  // (invariant 3: the owner must not overwrite slots a thief is still copying).
  constexpr std::size_t n = 100'000;
  std::vector<process> procs(n);
  std::vector<std::atomic<int>> seen(n);
  auto mark = [&](process* p) {
    seen[static_cast<std::size_t>(p - procs.data())].fetch_add(1, std::memory_order_relaxed);
  };
  run_queue owner_q;
  run_queue thief_q[2];
  std::atomic<bool> owner_done{false};

  auto thief = [&](int me) {
    run_queue& mine = thief_q[me];
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      const bool finished = owner_done.load(std::memory_order_acquire);
      if (process* p = owner_q.steal_into(mine)) {
        mark(p);
        while (process* q = mine.pop()) {
          mark(q);
        }
        continue;
      }
      if (finished || std::chrono::steady_clock::now() > give_up) {
        return;
      }
      std::this_thread::yield();
    }
  };
  std::thread t0(thief, 0);
  std::thread t1(thief, 1);
  std::size_t i = 0;
  while (i < n) {
    for (std::size_t b = 0; b < 700 && i < n; ++b, ++i) {
      owner_q.push(&procs[i]);
    }
    for (int k = 0; k < 300; ++k) {
      if (process* p = owner_q.pop()) {
        mark(p);
      }
    }
  }
  while (process* p = owner_q.pop()) {
    mark(p);
  }
  owner_done.store(true, std::memory_order_release);
  t0.join();
  t1.join();
  for (std::size_t k = 0; k < n; ++k) {
    ASSERT_EQ(seen[k].load(), 1) << "process " << k;
  }
}

}  // namespace
}  // namespace otter::detail
