// tests/core/timer_table_test.cpp: the registry's open-addressing table of timers by ref id
// (src/core/timer/timer_table.hpp), against a std::map model.

#include "core/timer/timer_table.hpp"

#include "core/timer/timer_service.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <vector>

namespace otter::detail {
namespace {

// Nodes owned by the test (the table never frees what it holds).
struct nodes {
  std::vector<std::unique_ptr<timer_node>> all;
  timer_node* make(std::uint64_t id) {
    all.push_back(std::make_unique<timer_node>());
    all.back()->id = id;
    return all.back().get();
  }
};

TEST(TimerTableTest, FindsEveryInsertedNodeByIdAndNothingElse) {
  nodes n;
  timer_table table;
  EXPECT_EQ(table.find(1), nullptr);
  std::vector<timer_node*> inserted;
  for (std::uint64_t id = 1; id <= 1000; ++id) {
    inserted.push_back(n.make(id));
    table.insert(inserted.back());
  }
  EXPECT_EQ(table.size(), 1000U);
  for (std::uint64_t id = 1; id <= 1000; ++id) {
    EXPECT_EQ(table.find(id), inserted[id - 1]);
  }
  EXPECT_EQ(table.find(0), nullptr);
  EXPECT_EQ(table.find(1001), nullptr);
  EXPECT_EQ(table.erase(1001), nullptr);
  EXPECT_EQ(table.size(), 1000U);
}

TEST(TimerTableTest, StaysAtMostThreeQuartersFullAndShrinksWhenEmptied) {
  nodes n;
  timer_table table;
  for (std::uint64_t id = 1; id <= 10000; ++id) {
    table.insert(n.make(id));
    EXPECT_LE(table.size() * 4, table.capacity() * 3);
  }
  const std::size_t peak = table.capacity();
  for (std::uint64_t id = 1; id <= 9990; ++id) {
    ASSERT_NE(table.erase(id), nullptr);
  }
  EXPECT_LT(table.capacity(), peak / 64);
  for (std::uint64_t id = 9991; id <= 10000; ++id) {
    EXPECT_EQ(table.find(id)->id, id);
  }
}

// Random inserts and erases (ids drawn from a small range, so runs collide and wrap around the
// end of the table), checked against a model after every step: backward-shift deletion must
// never lose a node that probed past the erased one.
TEST(TimerTableTest, RandomInsertsAndErasesAgreeWithAModel) {
  nodes n;
  timer_table table;
  std::map<std::uint64_t, timer_node*> model;
  std::mt19937_64 rng(42);
  for (int step = 0; step < 20000; ++step) {
    const std::uint64_t id = rng() % 512 + 1;
    auto it = model.find(id);
    if (it == model.end()) {
      timer_node* t = n.make(id);
      table.insert(t);
      model.emplace(id, t);
    } else {
      ASSERT_EQ(table.erase(id), it->second);
      model.erase(it);
    }
    ASSERT_EQ(table.size(), model.size());
    if (step % 97 == 0) {
      for (std::uint64_t probe = 1; probe <= 512; ++probe) {
        auto m = model.find(probe);
        ASSERT_EQ(table.find(probe), m == model.end() ? nullptr : m->second) << probe;
      }
    }
  }
}

TEST(TimerTableTest, DrainVisitsEveryNodeOnceAndEmptiesTheTable) {
  nodes n;
  timer_table table;
  for (std::uint64_t id = 100; id < 200; ++id) {
    table.insert(n.make(id));
  }
  std::map<std::uint64_t, int> seen;
  table.drain([&](timer_node* t) { ++seen[t->id]; });
  EXPECT_EQ(seen.size(), 100U);
  for (auto& [id, count] : seen) {
    EXPECT_EQ(count, 1) << id;
  }
  EXPECT_EQ(table.size(), 0U);
  EXPECT_EQ(table.find(150), nullptr);
}

TEST(TimerTableTest, OneBlockOfRefsKeepsToOneShardAndBlocksUseEveryShard) {
  // make_ref() hands a scheduler a block of 2^ref_block_bits ids: its timers share a shard,
  // and the blocks of many schedulers spread over all of them.
  constexpr std::uint64_t block = std::uint64_t{1} << ref_block_bits;
  constexpr std::size_t shards = timer_registry::shards;
  std::vector<int> per_shard(shards);
  for (std::uint64_t b = 0; b < 6400; ++b) {
    const std::size_t s = timer_shard(b * block, shards);
    for (std::uint64_t id = b * block; id < (b + 1) * block; id += 37) {
      ASSERT_EQ(timer_shard(id, shards), s) << id;
    }
    ++per_shard[s];
  }
  for (int count : per_shard) {
    EXPECT_GT(count, 50);
    EXPECT_LT(count, 150);
  }
}

TEST(TimerTableTest, ConsecutiveIdsGetConsecutiveHomeSlotsInGroupsSpreadOverTheTable) {
  constexpr std::uint64_t group = std::uint64_t{1} << timer_group_bits;
  constexpr std::uint64_t mask = 1023;  // a table of 1024 slots
  std::vector<int> per_region(1024 / group);
  for (std::uint64_t g = 1; g <= 6400; ++g) {
    const std::uint64_t first = timer_hash(g * group) & mask;
    for (std::uint64_t k = 1; k < group; ++k) {
      ASSERT_EQ(timer_hash(g * group + k) & mask, (first + k) & mask);
    }
    ++per_region[first / group];
  }
  for (int count : per_region) {  // 100 expected in each of the 64 regions
    EXPECT_GT(count, 50);
    EXPECT_LT(count, 150);
  }
  // Ids 16 apart (each alone in its group, all with the same low bits) are spread as well.
  std::vector<int> per_slot_mod_group(group);
  for (std::uint64_t k = 1; k <= 6400; ++k) {
    ++per_slot_mod_group[timer_hash(k * group) & (group - 1)];
  }
  for (int count : per_slot_mod_group) {  // 400 expected for each
    EXPECT_GT(count, 250);
    EXPECT_LT(count, 550);
  }
}

// Dense runs of ids fill whole groups: runs of occupied slots are then longer than with one
// hashed slot per id, and erasing from them must still keep every other node reachable.
TEST(TimerTableTest, DenseAndStridedIdsAreAllFoundAfterInterleavedErases) {
  for (std::uint64_t stride : {1, 2, 3, 16, 1024}) {
    nodes n;
    timer_table table;
    std::map<std::uint64_t, timer_node*> model;
    for (std::uint64_t k = 1; k <= 5000; ++k) {
      timer_node* t = n.make(k * stride);
      table.insert(t);
      model.emplace(k * stride, t);
    }
    for (std::uint64_t k = 1; k <= 5000; k += 3) {
      ASSERT_EQ(table.erase(k * stride), model[k * stride]) << stride;
      model.erase(k * stride);
    }
    ASSERT_EQ(table.size(), model.size());
    for (const auto& [id, t] : model) {
      ASSERT_EQ(table.find(id), t) << "stride " << stride << " id " << id;
    }
  }
}

}  // namespace
}  // namespace otter::detail
