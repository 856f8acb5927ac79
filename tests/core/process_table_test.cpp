// tests/core/process_table_test.cpp: pid -> control block (src/core/process/process_table.hpp):
// acquire() pins one incarnation, fails for dead and stale pids; the last release() of a dead
// incarnation finalises it; a slot is reused only with a new generation, and retired when the
// generation would wrap. Exercised through a runtime's own table and real processes.

#include "core/process/process_table.hpp"

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "core/process/internal_messages.hpp"
#include "core/scheduler/runtime_impl.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace otter {
namespace {

using namespace std::chrono_literals;
using detail::process;
using detail::process_table;
using testing::deterministic_runtime;

struct stop {};

co<void> wait_for_stop() {
  (void)co_await receive<stop>();
}

std::uint32_t generation_in_slot(process_table& table, std::uint32_t index) {
  return static_cast<std::uint32_t>(table.slot(index)->rc_gen.load() >> 32);
}

TEST(ProcessTableTest, AcquireOfALiveProcessReturnsItsControlBlock) {
  deterministic_runtime rt;
  auto& table = rt.impl().table;
  pid p = rt.spawn(wait_for_stop);
  rt.run_until_idle();
  process* b = table.acquire(p);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->self(), p);
  EXPECT_EQ(b, table.slot(p.index()));
  table.release(b);
  EXPECT_TRUE(table.alive(p));
  EXPECT_TRUE(rt.alive(p));
}

TEST(ProcessTableTest, GenerationZeroIsNeverHandedOut) {
  deterministic_runtime rt;
  pid p = rt.spawn(wait_for_stop);
  EXPECT_NE(p.generation(), 0U);
  EXPECT_FALSE(p.is_null());
  EXPECT_EQ(rt.impl().table.acquire(pid{}), nullptr);
}

TEST(ProcessTableTest, AcquireFailsForAnotherGenerationOfALiveSlot) {
  deterministic_runtime rt;
  auto& table = rt.impl().table;
  pid p = rt.spawn(wait_for_stop);
  EXPECT_EQ(table.acquire(pid(p.index(), p.generation() + 1)), nullptr);
  EXPECT_FALSE(table.alive(pid(p.index(), p.generation() + 1)));
  ASSERT_NE(table.acquire(p), nullptr);
  table.release(table.slot(p.index()));
}

TEST(ProcessTableTest, AcquireFailsForADeadProcess) {
  deterministic_runtime rt;
  auto& table = rt.impl().table;
  pid p = rt.spawn([]() -> co<> { co_return; });
  rt.run_until_idle();
  EXPECT_EQ(table.acquire(p), nullptr);
  EXPECT_FALSE(table.alive(p));
  EXPECT_EQ(rt.process_count(), 0U);
}

TEST(ProcessTableTest, AcquireFailsForASlotThatWasNeverAllocated) {
  deterministic_runtime rt;
  auto& table = rt.impl().table;
  const std::uint32_t far = table.high_water() + 10 * process_table::chunk_size;
  EXPECT_EQ(table.slot(far), nullptr);
  EXPECT_EQ(table.acquire(pid(far, 1)), nullptr);
  EXPECT_FALSE(table.alive(pid(far, 1)));
  EXPECT_EQ(table.acquire(pid(std::numeric_limits<std::uint32_t>::max(), 1)), nullptr);
}

TEST(ProcessTableTest, AHeldReferenceDelaysFinalisationUntilItsRelease) {
  deterministic_runtime rt;
  auto& table = rt.impl().table;
  pid p = rt.spawn(wait_for_stop);
  rt.run_until_idle();
  process* b = table.acquire(p);
  ASSERT_NE(b, nullptr);

  rt.exit(p, atoms::kill);
  rt.run_until_idle();
  // Dead (no new acquire, not alive) but pinned: the slot keeps its generation, the
  // incarnation is not finalised, and new processes get other slots.
  EXPECT_FALSE(rt.alive(p));
  EXPECT_EQ(table.acquire(p), nullptr);
  EXPECT_EQ(generation_in_slot(table, p.index()), p.generation());
  EXPECT_EQ(rt.process_count(), 1U);
  pid other = rt.spawn(wait_for_stop);
  EXPECT_NE(other.index(), p.index());

  table.release(b);  // the last reference: finalises
  EXPECT_EQ(generation_in_slot(table, p.index()), p.generation() + 1);
  EXPECT_EQ(rt.process_count(), 1U);  // only `other`
  rt.send(other, stop{});
  rt.run_until_idle();
  EXPECT_EQ(rt.process_count(), 0U);
}

TEST(ProcessTableTest, FinalisationAnswersSignalsLeftInTheInbox) {
  // A sender that acquired the process before it died may still push a signal; the last
  // release answers it as a dead process would (here: an empty process_info reply).
  deterministic_runtime rt;
  auto& table = rt.impl().table;
  std::optional<detail::info_reply> reply;
  const ref tag = make_ref();
  pid asker = rt.spawn([&reply, tag]() -> co<> {
    reply = co_await receive(
        on<detail::info_reply>([tag](const detail::info_reply& r) { return r.tag == tag; },
                               [](detail::info_reply& r) { return std::move(r); }));
  });
  pid p = rt.spawn(wait_for_stop);
  rt.run_until_idle();
  process* b = table.acquire(p);
  ASSERT_NE(b, nullptr);
  rt.exit(p, atoms::kill);
  rt.run_until_idle();

  auto* request = new detail::signal_node(detail::node_kind::info_request);
  request->from = asker;
  request->tag = tag;
  b->in.push(request);  // what the pinned sender does
  table.release(b);
  rt.run_until_idle();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->tag, tag);
  EXPECT_FALSE(reply->info.has_value());
}

TEST(ProcessTableTest, ASlotIsReusedWithTheNextGeneration) {
  deterministic_runtime rt;
  auto& table = rt.impl().table;
  pid first = rt.spawn([]() -> co<> { co_return; });
  rt.run_until_idle();
  ASSERT_FALSE(rt.alive(first));
  pid second = rt.spawn(wait_for_stop);
  rt.run_until_idle();
  EXPECT_EQ(second.index(), first.index());
  EXPECT_EQ(second.generation(), first.generation() + 1);
  EXPECT_NE(second, first);
  EXPECT_EQ(table.acquire(first), nullptr);
  EXPECT_TRUE(rt.alive(second));
  EXPECT_FALSE(rt.alive(first));
  // A message to the old pid does not reach the new incarnation.
  rt.send(first, 1);
  rt.run_until_idle();
  auto info = rt.process_info(second);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->message_queue_len, 0U);
}

TEST(ProcessTableTest, ASlotWhoseGenerationWouldWrapIsRetired) {
  deterministic_runtime rt;
  auto& table = rt.impl().table;
  pid first = rt.spawn([]() -> co<> { co_return; });
  rt.run_until_idle();
  const std::uint32_t index = first.index();
  // Age the free slot to the last generation (as 2^32 - 2 reuses would).
  constexpr std::uint32_t last = std::numeric_limits<std::uint32_t>::max();
  process* b = table.slot(index);
  b->generation = last;
  b->rc_gen.store(std::uint64_t{last} << 32);

  pid oldest = rt.spawn([]() -> co<> { co_return; });
  ASSERT_EQ(oldest.index(), index);
  EXPECT_EQ(oldest.generation(), last);
  rt.run_until_idle();
  EXPECT_FALSE(rt.alive(oldest));

  // Generation 0 would make a pid equal to the null pid: the slot is never handed out again.
  std::set<std::uint32_t> indices;
  for (int i = 0; i < 600; ++i) {
    indices.insert(rt.spawn(wait_for_stop).index());
  }
  EXPECT_EQ(indices.count(index), 0U);
  EXPECT_EQ(table.acquire(oldest), nullptr);
  EXPECT_EQ(table.acquire(pid(index, 0)), nullptr);
}

TEST(ProcessTableTest, TheTableGrowsAcrossChunks) {
  constexpr int n = static_cast<int>(process_table::chunk_size) + 500;
  deterministic_runtime rt;
  auto& table = rt.impl().table;
  std::vector<pid> pids;
  std::set<std::uint32_t> indices;
  for (int i = 0; i < n; ++i) {
    pid p = rt.spawn(wait_for_stop);
    pids.push_back(p);
    indices.insert(p.index());
  }
  rt.run_until_idle();
  EXPECT_EQ(indices.size(), static_cast<std::size_t>(n));
  EXPECT_GE(table.high_water(), static_cast<std::uint32_t>(n));
  EXPECT_GE(*indices.rbegin(), process_table::chunk_size);
  for (pid p : pids) {
    process* b = table.acquire(p);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->self(), p);
    table.release(b);
  }
  EXPECT_EQ(rt.process_count(), static_cast<std::size_t>(n));
}

TEST(ProcessTableTest, PrepareChunkBuildsAChunkAheadOfTheHighWaterMarkOnce) {
  deterministic_runtime rt;
  auto& table = rt.impl().table;
  const std::uint32_t first = 5 * process_table::chunk_size;
  EXPECT_EQ(table.slot(first), nullptr);
  table.prepare_chunk(5);
  process* b = table.slot(first);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->index, first);
  EXPECT_EQ(generation_in_slot(table, first), 1U);
  EXPECT_LT(table.high_water(), first) << "nothing in it is handed out";
  table.prepare_chunk(5);
  EXPECT_EQ(table.slot(first), b) << "a second call keeps the first chunk";
  table.prepare_chunk(process_table::max_chunks);  // out of range: nothing
}

TEST(ProcessTableTest, SpawningPastHalfAChunkPreparesTheNextOne) {
  deterministic_runtime rt;  // its blocking pool runs jobs inline
  auto& table = rt.impl().table;
  ASSERT_EQ(table.slot(process_table::chunk_size), nullptr);
  constexpr int n = static_cast<int>(process_table::chunk_size / 2 + process_table::batch);
  rt.run([]() -> co<void> {
    std::vector<pid> children;
    for (int i = 0; i < n; ++i) {
      children.push_back(spawn(wait_for_stop));
    }
    for (pid c : children) {
      send(c, stop{});
    }
    co_return;
  });
  EXPECT_LT(table.high_water(), process_table::chunk_size);
  EXPECT_NE(table.slot(process_table::chunk_size), nullptr);
}

TEST(ProcessTableTest, ConcurrentPreparesOfOneChunkPublishOneOfThem) {
  runtime rt(runtime_options{.schedulers = 1});
  auto& table = rt.impl().table;
  std::vector<std::thread> threads;
  std::vector<process*> seen(4);
  for (std::size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&, t] {
      table.prepare_chunk(9);
      seen[t] = table.slot(9 * process_table::chunk_size);
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (process* b : seen) {
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b, seen[0]);
  }
}

TEST(ProcessTableTest, ConcurrentAcquiresNeverReachALaterIncarnation) {
  // Reader threads keep acquiring old pids while their processes die and their slots are
  // reused by new processes on the schedulers.
  runtime rt(runtime_options{.schedulers = 2});
  auto& table = rt.impl().table;
  constexpr int generations = 200;
  constexpr int width = 8;
  std::vector<pid> pids(static_cast<std::size_t>(generations) * width);
  std::atomic<int> published{0};
  std::atomic<bool> done{false};
  std::atomic<int> wrong{0};

  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!done.load(std::memory_order_acquire)) {
        const int upto = published.load(std::memory_order_acquire);
        for (int i = 0; i < upto; ++i) {
          const pid p = pids[static_cast<std::size_t>(i)];
          if (process* b = table.acquire(p)) {
            if ((b->rc_gen.load() >> 32) != p.generation()) {
              wrong.fetch_add(1);
            }
            table.release(b);
          }
        }
      }
    });
  }
  for (int g = 0; g < generations; ++g) {
    rt.run(
        [&, g]() -> co<void> {
          std::vector<ref> mons;
          for (int k = 0; k < width; ++k) {
            auto [p, m] = spawn_monitor([]() -> co<> { (void)co_await receive<stop>(); });
            pids[static_cast<std::size_t>(g * width + k)] = p;
            mons.push_back(m);
          }
          published.store((g + 1) * width, std::memory_order_release);
          for (int k = 0; k < width; ++k) {
            send(pids[static_cast<std::size_t>(g * width + k)], stop{});
          }
          for (int k = 0; k < width; ++k) {
            (void)co_await receive_for<down_msg>(30s);
          }
        },
        60s);
  }
  done.store(true, std::memory_order_release);
  for (auto& t : readers) {
    t.join();
  }
  EXPECT_EQ(wrong.load(), 0);
  for (pid p : pids) {
    EXPECT_FALSE(table.alive(p));
  }
  rt.shutdown();
  EXPECT_EQ(rt.process_count(), 0U);
}

}  // namespace
}  // namespace otter
