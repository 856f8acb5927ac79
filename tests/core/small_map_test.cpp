// tests/core/small_map_test.cpp: the per-process map (src/core/process/small_map.hpp), small
// and as a Robin Hood table, against a std::map model.

#include "core/process/small_map.hpp"

#include "otter/core/pid.hpp"
#include "otter/core/ref.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>

// Keys whose std::hash is chosen by the test: `hash_of` maps the key's value to its hash, and
// every call is counted.
struct test_key {
  std::uint64_t v = 0;
  friend bool operator==(test_key, test_key) = default;
};
inline std::uint64_t (*hash_of)(std::uint64_t) = [](std::uint64_t v) {
  return v;
};
inline std::uint64_t hash_calls = 0;

template <>
struct std::hash<test_key> {
  std::size_t operator()(test_key k) const noexcept {
    ++hash_calls;
    return hash_of(k.v);
  }
};

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

// Keys of only three distinct hashes, so three homes next to each other: the runs are long,
// interleave and wrap around the end of the table. Erasing from their middle must move the
// right entries back, or later keys become unreachable.
TEST(SmallMapTest, FindsEveryKeyOfCollidingRunsAfterErasingInside) {
  hash_of = [](std::uint64_t v) {
    return v % 3;
  };
  small_map<test_key, std::string> m;
  std::map<std::uint64_t, std::string> want;
  auto expect_all = [&] {
    ASSERT_EQ(m.size(), want.size());
    for (const auto& [k, v] : want) {
      std::string* got = m.find(test_key{k});
      ASSERT_NE(got, nullptr) << "key " << k;
      EXPECT_EQ(*got, v);
    }
    for (std::uint64_t k = 0; k < 150; ++k) {
      EXPECT_EQ(m.find(test_key{k}) != nullptr, want.count(k) == 1) << k;
    }
  };
  for (std::uint64_t k = 0; k < 120; ++k) {
    ASSERT_TRUE(m.insert(test_key{k}, value_of(k)));
    want.emplace(k, value_of(k));
  }
  expect_all();
  for (std::uint64_t k = 0; k < 120; k += 7) {
    ASSERT_TRUE(m.erase(test_key{k}));
    want.erase(k);
    expect_all();
  }
  for (const auto& [k, v] : want) {  // a present key, deep in a run, is found by insert
    EXPECT_FALSE(m.insert(test_key{k}, "other")) << k;
    EXPECT_EQ(*m.find(test_key{k}), v);
  }
  for (std::uint64_t k = 200; k < 260; ++k) {  // re-inserting into the shifted runs
    ASSERT_TRUE(m.insert(test_key{k}, value_of(k)));
    want.emplace(k, value_of(k));
  }
  expect_all();
  hash_of = [](std::uint64_t v) {
    return v;
  };
}

// A supervisor's link set: children of consecutive pids. Erasing them must not scan the rest
// of a run (which made churning children quadratic): an erase hashes only the key it looks for.
TEST(SmallMapTest, ErasingConsecutiveKeysLooksAtNoOtherEntry) {
  small_map<test_key, char> m;
  constexpr std::uint64_t n = 100000;
  for (std::uint64_t k = 0; k < n; ++k) {
    m.insert(test_key{k}, 'x');
  }
  hash_calls = 0;
  for (std::uint64_t k = 0; k < n; k += 2) {  // every other one, then the rest
    ASSERT_TRUE(m.erase(test_key{k}));
  }
  for (std::uint64_t k = 1; k < n; k += 2) {
    ASSERT_TRUE(m.erase(test_key{k}));
  }
  EXPECT_TRUE(m.empty());
  // One hash per erase, plus the entries re-filed when the table halves (fewer than n in all).
  EXPECT_LT(hash_calls, 2 * n);
}

// The patterns in which the runtime makes keys, with their real std::hash, far from zero as
// in a node that has run for a while, at every size the table passes through. Keys in order
// stay in order; blocks and batches, which wrap around a table in order block against block
// (runs thousands of slots long before the tables had two modes), make the table mixed.
template <class K, class KeyOf>
std::size_t longest_probe_while_filling(small_map<K, char>& m, std::uint64_t n, KeyOf key_of) {
  std::size_t longest = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    EXPECT_TRUE(m.insert(key_of(i), 'x'));
    if (i % 4096 == 0 || i == n - 1) {
      longest = std::max(longest, m.longest_probe());
    }
  }
  return longest;
}

TEST(SmallMapTest, KeysInTheRuntimesPatternsKeepShortProbes) {
  constexpr std::uint64_t far = 3000000;
  constexpr std::uint64_t n = 200000;
  constexpr std::size_t short_probe = 32;
  {
    // In order, each in its home slot: the table fills front to back.
    SCOPED_TRACE("a supervisor monitoring its children in a row: consecutive refs");
    small_map<ref, char> m;
    EXPECT_EQ(longest_probe_while_filling(m, n, [](std::uint64_t i) { return ref(far + i); }), 1U);
  }
  {
    SCOPED_TRACE("the refs of one scheduler while another takes blocks too");
    small_map<ref, char> m;
    auto every_other_block = [](std::uint64_t i) {
      return ref(far + (i / 1024) * 2048 + i % 1024);
    };
    EXPECT_LE(longest_probe_while_filling(m, n, every_other_block), short_probe);
  }
  {
    SCOPED_TRACE("children spawned on one scheduler, then half of them restarted");
    small_map<pid, char> m;
    auto index_of = [](std::uint64_t i) {  // every other batch of 256 slots
      return static_cast<std::uint32_t>(far + (i / 256) * 512 + i % 256);
    };
    EXPECT_LE(
        longest_probe_while_filling(m, n, [&](std::uint64_t i) { return pid(index_of(i), 1); }),
        short_probe);
    for (std::uint64_t i = 0; i < n; i += 2) {  // the same slots, one generation on
      ASSERT_TRUE(m.erase(pid(index_of(i), 1)));
      ASSERT_TRUE(m.insert(pid(index_of(i), 2), 'x'));
    }
    EXPECT_LE(m.longest_probe(), short_probe);
    EXPECT_EQ(m.size(), n);
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
