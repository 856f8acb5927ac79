// tests/core/small_map_test.cpp: the per-process map (src/core/process/small_map.hpp), small
// and as an open-addressing table, against a std::map model.

#include "core/process/small_map.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>

namespace otter::detail {
namespace {

using model = std::map<std::uint64_t, std::string>;

// A value that owns heap memory, so that a lost or doubly destroyed entry shows under ASan.
std::string value_of(std::uint64_t k) {
  return "value of key " + std::to_string(k) + std::string(32, 'x');
}

void expect_same(small_map<std::uint64_t, std::string>& m, const model& want) {
  ASSERT_EQ(m.size(), want.size());
  for (const auto& [k, v] : want) {
    std::string* got = m.find(k);
    ASSERT_NE(got, nullptr) << "key " << k;
    EXPECT_EQ(*got, v);
  }
  model seen;
  m.for_each([&](const std::uint64_t& k, std::string& v) { seen.emplace(k, v); });
  EXPECT_EQ(seen, want);
}

TEST(SmallMapTest, GrowsIntoATableAndShrinksWithTheSameContents) {
  small_map<std::uint64_t, std::string> m;
  model want;
  for (std::uint64_t k = 1; k <= 5000; ++k) {
    ASSERT_TRUE(m.insert(k, value_of(k)));
    want.emplace(k, value_of(k));
    if (k == 10 || k == 17 || k == 100 || k == 5000) {
      expect_same(m, want);
    }
  }
  EXPECT_FALSE(m.insert(7, "other")) << "a present key keeps its value";
  EXPECT_EQ(*m.find(7), value_of(7));
  for (std::uint64_t k = 1; k <= 4990; ++k) {
    std::string out;
    ASSERT_TRUE(m.erase(k, &out));
    EXPECT_EQ(out, value_of(k));
    want.erase(k);
    if (k % 1000 == 0) {
      expect_same(m, want);
    }
  }
  EXPECT_FALSE(m.erase(1));
  EXPECT_EQ(m.find(1), nullptr);
  expect_same(m, want);
}

// Keys a multiple of 4096 apart share their home slot in any table of up to 4096 slots, and
// the runs wrap around the end of the table: erasing from the middle of such runs must move
// the right entries back (backward shift), or later keys become unreachable.
TEST(SmallMapTest, FindsEveryKeyOfCollidingRunsAfterErasingInside) {
  small_map<std::uint64_t, std::string> m;
  model want;
  for (std::uint64_t i = 0; i < 40; ++i) {
    for (std::uint64_t home : {0ULL, 1ULL, 63ULL}) {
      const std::uint64_t k = i * 4096 + home;
      ASSERT_TRUE(m.insert(k, value_of(k)));
      want.emplace(k, value_of(k));
    }
  }
  expect_same(m, want);
  for (std::uint64_t i = 0; i < 40; i += 3) {
    for (std::uint64_t home : {1ULL, 63ULL}) {
      const std::uint64_t k = i * 4096 + home;
      ASSERT_TRUE(m.erase(k));
      want.erase(k);
      expect_same(m, want);
    }
  }
}

TEST(SmallMapTest, MatchesAModelUnderRandomInsertsAndErases) {
  std::mt19937_64 rng(12345);
  small_map<std::uint64_t, std::string> m;
  model want;
  for (int round = 0; round < 40000; ++round) {
    // Phases of growth and of shrinking, so the table both grows and halves.
    const bool growing = (round / 5000) % 2 == 0;
    const std::uint64_t k = rng() % 3000;
    if (rng() % 4 < (growing ? 3U : 1U)) {
      EXPECT_EQ(m.insert(k, value_of(k)), want.emplace(k, value_of(k)).second);
    } else {
      EXPECT_EQ(m.erase(k), want.erase(k) == 1);
    }
    if (round % 997 == 0) {
      expect_same(m, want);
    }
  }
  expect_same(m, want);
}

TEST(SmallMapTest, ClearEmptiesEitherFormAndTheMapIsReusable) {
  small_map<std::uint64_t, std::string> m;
  for (std::uint64_t k = 0; k < 1000; ++k) {
    m.insert(k, value_of(k));
  }
  m.clear();
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.find(5), nullptr);
  for (std::uint64_t k = 0; k < 5; ++k) {
    m.insert(k, value_of(k));
  }
  m.clear();
  EXPECT_TRUE(m.empty());
  ASSERT_TRUE(m.insert(3, "three"));
  EXPECT_EQ(*m.find(3), "three");
}

}  // namespace
}  // namespace otter::detail
