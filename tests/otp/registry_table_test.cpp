// The open-addressing table of unique registries (src/otp/registry_table.hpp), against
// std::map as the model: random inserts and erases, colliding hashes, runs that wrap around
// the end of the array, and growth.

#include "otp/registry_table.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>

namespace otter::registry::detail {
namespace {

// xorshift64*: deterministic operations.
std::uint64_t next(std::uint64_t& s) {
  s ^= s >> 12;
  s ^= s << 25;
  s ^= s >> 27;
  return s * 0x2545F4914F6CDD1DULL;
}

void check_same(const unique_table& t, const std::map<std::int64_t, std::int64_t>& model,
                std::uint64_t (*hash)(std::int64_t), std::int64_t key_space) {
  EXPECT_EQ(t.size(), model.size());
  for (std::int64_t k = 0; k < key_space; ++k) {
    const entry* e = t.find(term(k), hash(k));
    auto it = model.find(k);
    if (it == model.end()) {
      EXPECT_EQ(e, nullptr) << "key " << k;
    } else {
      EXPECT_NE(e, nullptr) << "key " << k;
      if (e != nullptr) {
        EXPECT_EQ(e->value, term(it->second)) << "key " << k;
      }
    }
  }
  std::size_t seen = 0;
  t.for_each([&](const term& k, const entry& e) {
    ++seen;
    auto it = model.find(k.as_int());
    EXPECT_TRUE(it != model.end() && e.value == term(it->second));
  });
  EXPECT_EQ(seen, model.size());
}

void random_ops(std::uint64_t (*hash)(std::int64_t), std::int64_t key_space, int ops) {
  unique_table t;
  std::map<std::int64_t, std::int64_t> model;
  std::uint64_t s = 12345;
  for (int n = 0; n < ops; ++n) {
    const auto k = static_cast<std::int64_t>(next(s) % static_cast<std::uint64_t>(key_space));
    if (next(s) % 3 != 0) {
      auto [e, inserted] = t.insert(term(k), hash(k), entry{pid(1, 1), term(n)});
      EXPECT_EQ(inserted, model.count(k) == 0);
      if (inserted) {
        model[k] = n;
      }
      EXPECT_EQ(e->value, term(model[k]));
    } else {
      entry out;
      EXPECT_EQ(t.erase(term(k), hash(k), out), model.erase(k) == 1);
    }
    if (n % 97 == 0) {
      check_same(t, model, hash, key_space);
    }
  }
  check_same(t, model, hash, key_space);
}

std::uint64_t good_hash(std::int64_t k) {
  return static_cast<std::uint64_t>(k) * 0xD6E8FEB86659FD93ULL + 7;
}
// Eight keys per hash value, and hash 0 (stored as 1, like hash 1): long colliding runs.
std::uint64_t bad_hash(std::int64_t k) {
  return static_cast<std::uint64_t>(k / 8);
}

TEST(RegistryTableTest, MatchesAMapUnderRandomInsertsAndErases) {
  random_ops(good_hash, 500, 20000);
}

TEST(RegistryTableTest, KeepsEveryKeyReachableWhenHashesCollide) {
  random_ops(bad_hash, 200, 20000);
}

TEST(RegistryTableTest, ErasingInsideARunThatWrapsAroundKeepsTheRunIntact) {
  // A table of 16 slots (the first capacity) with every key in the last slot as home (the
  // table takes the home from the top 4 bits of hash * 0x9E3779B97F4A7C15): the run wraps
  // past the end of the array; erasing from its middle must shift the rest back.
  static const std::uint64_t last_slot_hash = [] {
    std::uint64_t h = 1;
    while (((h * 0x9E3779B97F4A7C15ULL) >> 60) != 15) {
      ++h;
    }
    return h;
  }();
  unique_table t;
  auto same = [](std::int64_t) {
    return last_slot_hash;
  };
  for (std::int64_t k = 0; k < 10; ++k) {
    EXPECT_TRUE(t.insert(term(k), same(k), entry{pid(1, 1), term(k)}).second);
  }
  for (std::int64_t k : {3, 0, 9, 5}) {
    entry out;
    EXPECT_TRUE(t.erase(term(k), same(k), out));
    EXPECT_EQ(out.value, term(k));
  }
  for (std::int64_t k = 0; k < 10; ++k) {
    const bool erased = k == 3 || k == 0 || k == 9 || k == 5;
    EXPECT_EQ(t.find(term(k), same(k)) == nullptr, erased) << "key " << k;
  }
  EXPECT_EQ(t.size(), 6U);
}

TEST(RegistryTableTest, SwapExchangesContents) {
  unique_table a;
  unique_table b;
  (void)a.insert(term(1), good_hash(1), entry{pid(1, 1), term("a")});
  a.swap(b);
  EXPECT_EQ(a.size(), 0U);
  EXPECT_EQ(a.find(term(1), good_hash(1)), nullptr);
  ASSERT_NE(b.find(term(1), good_hash(1)), nullptr);
  EXPECT_EQ(b.find(term(1), good_hash(1))->value, term("a"));
}

}  // namespace
}  // namespace otter::registry::detail
