// tests/core/timer_wheel_test.cpp: the hierarchical timing wheel (src/core/timer/timer_wheel.hpp).

#include "core/timer/timer_wheel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <vector>

namespace otter::detail {
namespace {

constexpr std::uint64_t wheel_span = std::uint64_t{1} << 36;      // 64^6 ms
constexpr std::uint64_t top_slot_width = std::uint64_t{1} << 30;  // 64^5 ms

struct item : timer_entry {
  int id = 0;
  std::int64_t rank = -1;  // used by the randomized callback test
};

int id_of(timer_entry* e) {
  return static_cast<item*>(e)->id;
}

// `count` items with ids 0..count-1 (a vector never resized afterwards, so addresses are stable).
std::vector<item> make_items(std::size_t count) {
  std::vector<item> items(count);
  for (std::size_t i = 0; i < count; ++i) {
    items[i].id = static_cast<int>(i);
  }
  return items;
}

void arm(timer_wheel& wheel, item& it, std::uint64_t deadline) {
  it.deadline = deadline;
  wheel.insert(&it);
}

// Advances to `now` and returns the ids fired, in firing order.
std::vector<int> advance_ids(timer_wheel& wheel, std::uint64_t now) {
  std::vector<int> ids;
  wheel.advance(now, [&](timer_entry* e) { ids.push_back(id_of(e)); });
  return ids;
}

// A uniform draw in [lo, hi], identical on every standard library.
std::uint64_t draw(std::mt19937_64& rng, std::uint64_t lo, std::uint64_t hi) {
  return lo + rng() % (hi - lo + 1);
}

using ids = std::vector<int>;

TEST(TimerWheelTest, FiresAtExactDeadlineAndNotBefore) {
  // Starts at 0, mid-way, and with elapsed's top-level digit at 63 (the ring wraps at once).
  const std::uint64_t starts[] = {0, 1'000'003, 63 * top_slot_width + 7};
  const std::uint64_t delays[] = {1,
                                  2,
                                  63,
                                  64,
                                  65,
                                  4095,
                                  4096,
                                  4097,
                                  262143,
                                  262144,
                                  300000,
                                  16777216,
                                  86400000,
                                  wheel_span - 1,
                                  wheel_span,
                                  wheel_span + 1,
                                  3 * wheel_span + 12345};
  for (std::uint64_t start : starts) {
    for (std::uint64_t delay : delays) {
      SCOPED_TRACE(testing::Message() << "start " << start << " delay " << delay);
      timer_wheel wheel(start);
      auto items = make_items(1);
      arm(wheel, items[0], start + delay);
      EXPECT_EQ(advance_ids(wheel, start + delay - 1), ids{});
      EXPECT_EQ(wheel.elapsed(), start + delay - 1);
      EXPECT_TRUE(items[0].linked());
      EXPECT_EQ(advance_ids(wheel, start + delay), ids{0});
      EXPECT_FALSE(items[0].linked());
      EXPECT_TRUE(wheel.empty());
    }
  }
}

TEST(TimerWheelTest, FiresOnTheExactMillisecondWhenAdvancingOneAtATime) {
  timer_wheel wheel;
  auto items = make_items(6);
  const std::uint64_t deadlines[] = {1, 63, 64, 65, 4095, 4097};
  for (std::size_t i = 0; i < 6; ++i) {
    arm(wheel, items[i], deadlines[i]);
  }
  std::vector<std::uint64_t> fired_at;
  for (std::uint64_t now = 1; now <= 5000; ++now) {
    wheel.advance(now, [&](timer_entry* e) {
      EXPECT_EQ(e->deadline, now);
      fired_at.push_back(now);
    });
  }
  EXPECT_EQ(fired_at, (std::vector<std::uint64_t>{1, 63, 64, 65, 4095, 4097}));
}

TEST(TimerWheelTest, FiresInDeadlineOrderWithTiesInInsertionOrder) {
  timer_wheel wheel;
  auto items = make_items(9);
  const std::uint64_t deadlines[] = {50, 10, 4100, 10, 70, 50, 10, 300000, 4100};
  for (std::size_t i = 0; i < 9; ++i) {
    arm(wheel, items[i], deadlines[i]);
  }
  EXPECT_EQ(advance_ids(wheel, 1'000'000), (ids{1, 3, 6, 0, 5, 4, 2, 8, 7}));
}

TEST(TimerWheelTest, EqualDeadlinesArmedAtDifferentLevelsFireInInsertionOrder) {
  timer_wheel wheel;
  auto items = make_items(3);
  arm(wheel, items[0], 5000);  // level 2 at time 0
  EXPECT_EQ(items[0].level, 2);
  EXPECT_EQ(advance_ids(wheel, 4097), ids{});
  arm(wheel, items[1], 5000);  // level 1 now
  EXPECT_EQ(items[1].level, 1);
  EXPECT_EQ(advance_ids(wheel, 4999), ids{});
  arm(wheel, items[2], 5000);  // level 0 now
  EXPECT_EQ(items[2].level, 0);
  EXPECT_EQ(advance_ids(wheel, 5000), (ids{0, 1, 2}));
}

TEST(TimerWheelTest, DeadlineInThePastFiresOnNextAdvance) {
  timer_wheel wheel(1000);
  auto items = make_items(3);
  arm(wheel, items[0], 10);
  arm(wheel, items[1], 1000);
  arm(wheel, items[2], 1001);
  EXPECT_EQ(wheel.next_deadline(), 10u);
  EXPECT_EQ(advance_ids(wheel, 1000), (ids{0, 1}));
  EXPECT_EQ(wheel.next_deadline(), 1001u);
}

TEST(TimerWheelTest, AlreadyDueEntriesFireInDeadlineOrder) {
  timer_wheel wheel(1000);
  auto items = make_items(5);
  arm(wheel, items[0], 900);
  arm(wheel, items[1], 100);
  arm(wheel, items[2], 500);
  arm(wheel, items[3], 100);
  arm(wheel, items[4], 1000);
  EXPECT_EQ(wheel.next_deadline(), 100u);
  EXPECT_EQ(advance_ids(wheel, 1000), (ids{1, 3, 2, 0, 4}));
}

TEST(TimerWheelTest, AdvanceToAnEarlierTimeKeepsTimeButFiresDueEntries) {
  timer_wheel wheel;
  auto items = make_items(2);
  EXPECT_EQ(advance_ids(wheel, 2000), ids{});
  arm(wheel, items[0], 1500);
  arm(wheel, items[1], 2001);
  EXPECT_EQ(advance_ids(wheel, 100), ids{0});
  EXPECT_EQ(wheel.elapsed(), 2000u);
  EXPECT_TRUE(items[1].linked());
}

TEST(TimerWheelTest, AdvanceOnAnEmptyWheelMovesTimeToNow) {
  timer_wheel wheel(5);
  EXPECT_EQ(wheel.next_deadline(), std::nullopt);
  EXPECT_EQ(advance_ids(wheel, 10 * wheel_span), ids{});
  EXPECT_EQ(wheel.elapsed(), 10 * wheel_span);
  EXPECT_TRUE(wheel.empty());
}

TEST(TimerWheelTest, RemoveBeforeExpiryPreventsFiring) {
  timer_wheel wheel;
  auto items = make_items(3);
  arm(wheel, items[0], 100);
  arm(wheel, items[1], 100);
  arm(wheel, items[2], 200);
  wheel.remove(&items[1]);
  EXPECT_FALSE(items[1].linked());
  EXPECT_EQ(wheel.size(), 2u);
  EXPECT_EQ(advance_ids(wheel, 1000), (ids{0, 2}));
  EXPECT_TRUE(wheel.empty());
}

TEST(TimerWheelTest, RemoveFromHeadMiddleAndTailOfOneSlotKeepsTheRest) {
  timer_wheel wheel;
  auto items = make_items(5);
  for (auto& it : items) {
    arm(wheel, it, 300000);
  }
  wheel.remove(&items[0]);
  wheel.remove(&items[2]);
  wheel.remove(&items[4]);
  EXPECT_EQ(advance_ids(wheel, 299999), ids{});
  EXPECT_EQ(advance_ids(wheel, 300000), (ids{1, 3}));
}

TEST(TimerWheelTest, RemoveWorksOnEveryLevelAndOnAlreadyDueEntries) {
  // 1000 is 15 * 64 + 40: each deadline below first differs from it at the level noted.
  timer_wheel wheel(1000);
  auto items = make_items(8);
  const std::uint64_t deadlines[] = {999,               // already due
                                     1001,              // level 0
                                     1024,              // level 1
                                     4096,              // level 2
                                     262144,            // level 3
                                     16777216,          // level 4
                                     top_slot_width,    // level 5
                                     10 * wheel_span};  // beyond the span: parked in level 5
  for (std::size_t i = 0; i < 8; ++i) {
    arm(wheel, items[i], deadlines[i]);
  }
  for (unsigned level = 0; level < timer_wheel::levels; ++level) {
    EXPECT_EQ(static_cast<unsigned>(items[level + 1].level), level);
  }
  EXPECT_EQ(static_cast<unsigned>(items[7].level), timer_wheel::levels - 1);
  // Remove in an order that empties the earliest slot last, so next_deadline() must rescan.
  const std::size_t order[] = {3, 7, 5, 1, 6, 4, 2, 0};
  std::size_t left = 8;
  for (std::size_t i : order) {
    wheel.remove(&items[i]);
    EXPECT_FALSE(items[i].linked());
    EXPECT_EQ(wheel.size(), --left);
  }
  EXPECT_EQ(wheel.next_deadline(), std::nullopt);
  EXPECT_EQ(advance_ids(wheel, 20 * wheel_span), ids{});
}

TEST(TimerWheelTest, CascadesAcrossLevelBoundariesFireEachEntryOnTime) {
  const std::uint64_t deadlines[] = {63,
                                     64,
                                     65,
                                     4095,
                                     4096,
                                     4097,
                                     262143,
                                     262144,
                                     262145,
                                     5 * 60 * 1000,
                                     16777215,
                                     16777216,
                                     24 * 3600 * 1000,
                                     wheel_span - 1,
                                     wheel_span,
                                     wheel_span + 1,
                                     2 * wheel_span + 5};
  constexpr std::size_t count = std::size(deadlines);
  timer_wheel wheel;
  auto items = make_items(count);
  for (std::size_t i = count; i-- > 0;) {  // latest first: filing order must not matter
    arm(wheel, items[i], deadlines[i]);
  }
  for (std::size_t i = 0; i < count; ++i) {
    SCOPED_TRACE(testing::Message() << "deadline " << deadlines[i]);
    EXPECT_EQ(wheel.next_deadline(), deadlines[i]);
    EXPECT_EQ(advance_ids(wheel, deadlines[i] - 1), ids{});
    EXPECT_EQ(advance_ids(wheel, deadlines[i]), ids{static_cast<int>(i)});
  }
  EXPECT_TRUE(wheel.empty());
}

TEST(TimerWheelTest, OneBigJumpFiresEverythingDueInDeadlineOrder) {
  const std::uint64_t deadlines[] = {
      2 * wheel_span + 5, wheel_span, 24 * 3600 * 1000, 262144, 4096, 64, 63, 262143,
      wheel_span + 1};
  timer_wheel wheel;
  auto items = make_items(std::size(deadlines));
  for (std::size_t i = 0; i < std::size(deadlines); ++i) {
    arm(wheel, items[i], deadlines[i]);
  }
  EXPECT_EQ(advance_ids(wheel, wheel_span), (ids{6, 5, 4, 7, 3, 2, 1}));
  EXPECT_EQ(wheel.next_deadline(), wheel_span + 1);
  EXPECT_EQ(advance_ids(wheel, 3 * wheel_span), (ids{8, 0}));
}

TEST(TimerWheelTest, TopLevelSlotsAreVisitedInTimeOrderAcrossTheRingWrap) {
  // elapsed's top-level digit is 10: digit 20 is 10 slots ahead, digit 5 wraps to 59 ahead.
  const std::uint64_t start = 10 * top_slot_width + 7;
  const std::uint64_t near = 20 * top_slot_width + 3;
  const std::uint64_t far = 69 * top_slot_width + 1;
  timer_wheel wheel(start);
  auto items = make_items(2);
  arm(wheel, items[0], far);
  arm(wheel, items[1], near);
  EXPECT_EQ(items[0].slot, 5);
  EXPECT_EQ(items[1].slot, 20);
  EXPECT_EQ(wheel.next_deadline(), near);
  EXPECT_EQ(advance_ids(wheel, near - 1), ids{});
  EXPECT_EQ(advance_ids(wheel, near), ids{1});
  EXPECT_EQ(advance_ids(wheel, far - 1), ids{});
  EXPECT_EQ(advance_ids(wheel, far), ids{0});
}

TEST(TimerWheelTest, DeadlineBeyondTheSpanIsParkedInTheFurthestTopLevelSlot) {
  // The furthest top-level slot is one full turn ahead: it shares elapsed's own digit (5).
  const std::uint64_t start = 5 * top_slot_width + 7;
  const std::uint64_t deadline = start + 4 * wheel_span + 7 * top_slot_width + 11;
  timer_wheel wheel(start);
  auto items = make_items(1);
  arm(wheel, items[0], deadline);
  EXPECT_EQ(static_cast<unsigned>(items[0].level), timer_wheel::levels - 1);
  EXPECT_EQ(items[0].slot, 5);
  EXPECT_EQ(wheel.next_deadline(), deadline);
  // Each turn re-files it by its true deadline; it never fires early.
  for (std::uint64_t now = start + wheel_span; now < deadline; now += wheel_span / 3) {
    EXPECT_EQ(advance_ids(wheel, now), ids{});
    EXPECT_EQ(wheel.next_deadline(), deadline);
  }
  EXPECT_EQ(advance_ids(wheel, deadline - 1), ids{});
  EXPECT_EQ(advance_ids(wheel, deadline), ids{0});
}

TEST(TimerWheelTest, NextDeadlineIsExactThroughCascades) {
  const std::uint64_t deadlines[] = {70, 4097, 5000, 262145, 300000, 16777300, wheel_span + 3};
  timer_wheel wheel;
  auto items = make_items(std::size(deadlines));
  for (std::size_t i = std::size(deadlines); i-- > 0;) {
    arm(wheel, items[i], deadlines[i]);
  }
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < std::size(deadlines); ++i) {
    SCOPED_TRACE(testing::Message() << "deadline " << deadlines[i]);
    EXPECT_EQ(wheel.next_deadline(), deadlines[i]);
    // Stop at several points on the way; each may cascade the entry to a lower level.
    for (std::uint64_t now : {previous + (deadlines[i] - previous) / 2, deadlines[i] - 64,
                              deadlines[i] - 2, deadlines[i] - 1}) {
      EXPECT_EQ(advance_ids(wheel, now), ids{});
      EXPECT_EQ(wheel.next_deadline(), deadlines[i]);
    }
    EXPECT_EQ(advance_ids(wheel, deadlines[i]), ids{static_cast<int>(i)});
    previous = deadlines[i];
  }
  EXPECT_EQ(wheel.next_deadline(), std::nullopt);
}

TEST(TimerWheelTest, NextDeadlineFindsANearerTopLevelSlotBehindAParkedEntry) {
  timer_wheel wheel;
  auto items = make_items(3);
  arm(wheel, items[0], 10 * wheel_span);     // parked in the furthest top-level slot
  arm(wheel, items[1], top_slot_width + 1);  // the next top-level slot
  EXPECT_EQ(advance_ids(wheel, top_slot_width + 1), ids{1});
  // Time moved one top-level slot on, so the wheel now reaches one slot further, behind the slot
  // where the parked entry sits.
  const std::uint64_t nearer = 65 * top_slot_width + 5;
  arm(wheel, items[2], nearer);
  EXPECT_EQ(wheel.next_deadline(), nearer);
  EXPECT_EQ(advance_ids(wheel, nearer - 1), ids{});
  EXPECT_EQ(advance_ids(wheel, nearer), ids{2});
  EXPECT_EQ(wheel.next_deadline(), 10 * wheel_span);
  EXPECT_EQ(advance_ids(wheel, 10 * wheel_span - 1), ids{});
  EXPECT_EQ(advance_ids(wheel, 10 * wheel_span), ids{0});
}

TEST(TimerWheelTest, NextDeadlineFollowsInsertsAndRemovesOfTheEarliestEntry) {
  timer_wheel wheel;
  auto items = make_items(4);
  arm(wheel, items[0], 300100);
  arm(wheel, items[1], 300100);
  arm(wheel, items[2], 300200);
  EXPECT_EQ(wheel.next_deadline(), 300100u);
  wheel.remove(&items[0]);
  EXPECT_EQ(wheel.next_deadline(), 300100u);
  wheel.remove(&items[1]);
  EXPECT_EQ(wheel.next_deadline(), 300200u);
  arm(wheel, items[3], 50);
  EXPECT_EQ(wheel.next_deadline(), 50u);
  wheel.remove(&items[3]);
  EXPECT_EQ(wheel.next_deadline(), 300200u);
}

TEST(TimerWheelTest, CallbackMayInsertEntriesThatFireInTheSameAdvance) {
  timer_wheel wheel;
  auto items = make_items(6);
  arm(wheel, items[0], 50);
  arm(wheel, items[5], 90);
  std::vector<int> fired;
  wheel.advance(100, [&](timer_entry* e) {
    fired.push_back(id_of(e));
    if (id_of(e) == 0) {
      arm(wheel, items[1], 80);   // due later in this advance
      arm(wheel, items[2], 10);   // already due: fires next
      arm(wheel, items[3], 101);  // not due
      arm(wheel, items[4], 100);  // due exactly at the end
    }
  });
  EXPECT_EQ(fired, (ids{0, 2, 1, 5, 4}));
  EXPECT_TRUE(items[3].linked());
  EXPECT_EQ(wheel.elapsed(), 100u);
}

TEST(TimerWheelTest, CallbackInsertingAnEntryDueNowQueuesItBehindEqualDeadlines) {
  timer_wheel wheel;
  auto items = make_items(4);
  for (int i = 0; i < 3; ++i) {
    arm(wheel, items[static_cast<std::size_t>(i)], 50);
  }
  std::vector<int> fired;
  wheel.advance(50, [&](timer_entry* e) {
    fired.push_back(id_of(e));
    if (id_of(e) == 0) {
      arm(wheel, items[3], 50);
    }
  });
  EXPECT_EQ(fired, (ids{0, 1, 2, 3}));
}

TEST(TimerWheelTest, CallbackMayRemoveEntriesDueInTheSameAdvance) {
  timer_wheel wheel;
  auto items = make_items(5);
  arm(wheel, items[0], 50);
  arm(wheel, items[1], 50);  // same slot as 0: already queued to fire when 0 fires
  arm(wheel, items[2], 60);  // still in the wheel when 0 fires
  arm(wheel, items[3], 70);
  arm(wheel, items[4], 500000);  // not due
  std::vector<int> fired;
  wheel.advance(100, [&](timer_entry* e) {
    fired.push_back(id_of(e));
    if (id_of(e) == 0) {
      wheel.remove(&items[1]);
      wheel.remove(&items[2]);
      wheel.remove(&items[4]);
    }
  });
  EXPECT_EQ(fired, (ids{0, 3}));
  EXPECT_TRUE(wheel.empty());
}

TEST(TimerWheelTest, CallbackMayRearmTheEntryItWasCalledFor) {
  timer_wheel wheel;
  auto items = make_items(1);
  arm(wheel, items[0], 10);
  std::vector<std::uint64_t> fired_at;
  wheel.advance(95, [&](timer_entry* e) {
    fired_at.push_back(e->deadline);
    arm(wheel, items[0], e->deadline + 20);  // a periodic timer
  });
  EXPECT_EQ(fired_at, (std::vector<std::uint64_t>{10, 30, 50, 70, 90}));
  EXPECT_EQ(wheel.next_deadline(), 110u);
}

// A reference model: deadline -> item, equal deadlines in insertion order (multimap guarantees
// that an insert goes after its equals).
struct model {
  std::multimap<std::uint64_t, item*> by_deadline;
  std::vector<std::multimap<std::uint64_t, item*>::iterator> where;

  explicit model(std::size_t count) : where(count) {}

  void insert(item* it) {
    where[static_cast<std::size_t>(it->id)] = by_deadline.emplace(it->deadline, it);
  }
  void erase(item* it) { by_deadline.erase(where[static_cast<std::size_t>(it->id)]); }
  std::optional<std::uint64_t> next_deadline() const {
    if (by_deadline.empty()) {
      return std::nullopt;
    }
    return by_deadline.begin()->first;
  }
  // Removes and returns the ids due at `now`, in the order they must fire.
  std::vector<int> take_due(std::uint64_t now) {
    std::vector<int> due;
    while (!by_deadline.empty() && by_deadline.begin()->first <= now) {
      due.push_back(by_deadline.begin()->second->id);
      by_deadline.erase(by_deadline.begin());
    }
    return due;
  }
};

// Drives a wheel and the model with the same random inserts, removes and advances;
// `next_jump` picks each advance's step.
template <class Jump>
void run_against_model(std::uint64_t start, int operations, std::uint64_t seed, Jump next_jump) {
  constexpr std::size_t pool = 512;
  std::mt19937_64 rng(seed);
  timer_wheel wheel(start);
  model reference(pool);
  auto items = make_items(pool);
  std::uint64_t now = start;
  for (int op = 0; op < operations; ++op) {
    const std::uint64_t roll = draw(rng, 0, 99);
    item& it = items[draw(rng, 0, pool - 1)];
    if (roll < 45) {
      if (it.linked()) {
        continue;
      }
      const std::uint64_t kind = draw(rng, 0, 99);
      std::uint64_t deadline = 0;
      if (kind < 8) {
        deadline = now - draw(rng, 0, std::min<std::uint64_t>(now, 1000));  // already due
      } else if (kind < 50) {
        deadline = now + draw(rng, 0, 70);
      } else if (kind < 75) {
        deadline = now + draw(rng, 0, 5000);
      } else if (kind < 92) {
        deadline = now + draw(rng, 0, 300000);
      } else if (kind < 97) {
        deadline = now + draw(rng, 0, std::uint64_t{1} << 31);
      } else {
        deadline = now + draw(rng, 0, 3 * wheel_span);
      }
      arm(wheel, it, deadline);
      reference.insert(&it);
    } else if (roll < 65) {
      if (!it.linked()) {
        continue;
      }
      wheel.remove(&it);
      reference.erase(&it);
    } else {
      const std::uint64_t previous = now;
      now += next_jump(rng);
      const std::vector<int> expected = reference.take_due(now);
      std::vector<int> fired;
      wheel.advance(now, [&](timer_entry* e) {
        // Anything not yet due at the previous advance fires at or before `now`; with 1 ms
        // steps that is exactly its deadline.
        if (e->deadline > previous) {
          EXPECT_LE(e->deadline, now);
          if (now == previous + 1) {
            EXPECT_EQ(e->deadline, now);
          }
        }
        fired.push_back(id_of(e));
      });
      ASSERT_EQ(fired, expected) << "advance from " << previous << " to " << now;
      ASSERT_EQ(wheel.elapsed(), now);
    }
    ASSERT_EQ(wheel.size(), reference.by_deadline.size());
    ASSERT_EQ(wheel.next_deadline(), reference.next_deadline());
  }
}

TEST(TimerWheelTest, MatchesAReferenceModelWhenAdvancingOneMillisecondAtATime) {
  // Starts 40 s before 2^24 ms so the run crosses level 1 to 4 slot boundaries.
  run_against_model((std::uint64_t{1} << 24) - 40'000, 200'000, 0x7157'3e11,
                    [](std::mt19937_64&) { return std::uint64_t{1}; });
}

TEST(TimerWheelTest, MatchesAReferenceModelWithBigAndSmallJumps) {
  run_against_model(123'456, 200'000, 0xb16'5eed, [](std::mt19937_64& rng) {
    const std::uint64_t kind = draw(rng, 0, 99);
    if (kind < 50) {
      return draw(rng, 0, 3);
    }
    if (kind < 75) {
      return draw(rng, 0, 100);
    }
    if (kind < 90) {
      return draw(rng, 0, 10'000);
    }
    if (kind < 98) {
      return draw(rng, 0, 500'000);
    }
    return draw(rng, 0, 2 * wheel_span);
  });
}

TEST(TimerWheelTest, RandomCallbacksThatInsertAndRemoveKeepEveryDueEntryFiringOnce) {
  constexpr std::size_t pool = 128;
  std::mt19937_64 rng(0xca11'bac4);
  timer_wheel wheel;
  model reference(pool);
  auto items = make_items(pool);
  std::uint64_t now = 0;
  for (int round = 0; round < 4'000; ++round) {
    for (int i = 0; i < 4; ++i) {
      item& it = items[draw(rng, 0, pool - 1)];
      if (!it.linked()) {
        arm(wheel, it, now + draw(rng, 0, 2000));
        reference.insert(&it);
      }
    }
    now += draw(rng, 0, 200);
    // The entries due at the start fire in model order; callbacks may remove some of them.
    std::int64_t rank = 0;
    for (auto& [deadline, it] : reference.by_deadline) {
      if (deadline > now) {
        break;
      }
      it->rank = rank++;
    }
    std::int64_t last_rank = -1;
    wheel.advance(now, [&](timer_entry* e) {
      auto* fired = static_cast<item*>(e);
      ASSERT_LE(fired->deadline, now);
      reference.erase(fired);  // fails loudly (ASan) if it fired while not armed
      if (fired->rank >= 0) {
        EXPECT_GT(fired->rank, last_rank);
        last_rank = fired->rank;
        fired->rank = -1;
      }
      for (int i = 0; i < 2; ++i) {
        item& other = items[draw(rng, 0, pool - 1)];
        if (other.linked() && draw(rng, 0, 1) == 0) {
          wheel.remove(&other);
          reference.erase(&other);
          other.rank = -1;
        } else if (!other.linked()) {
          // Anything from already due to well past now, including the entry just fired.
          arm(wheel, other,
              fired->deadline + draw(rng, 0, 400) - std::min<std::uint64_t>(fired->deadline, 100));
          reference.insert(&other);
          other.rank = -1;
        }
      }
    });
    ASSERT_EQ(wheel.size(), reference.by_deadline.size());
    if (!reference.by_deadline.empty()) {
      ASSERT_GT(reference.by_deadline.begin()->first, now);  // nothing due was left behind
    }
    ASSERT_EQ(wheel.next_deadline(), reference.next_deadline());
  }
}

TEST(TimerWheelTest, AMillionEntriesCostOnlyTheirOwnMemoryAndAllFireOnTime) {
  // The wheel itself is a fixed-size array of list heads and bitmaps; entries carry the links.
  static_assert(sizeof(timer_wheel) <= 8 * 1024);
  constexpr std::size_t count = 1'000'000;
  constexpr std::uint64_t timeout = 5 * 60 * 1000;
  std::vector<timer_entry> entries(count);
  timer_wheel wheel;
  std::size_t fired = 0;
  std::uint64_t now = 0;
  auto fire_in_order = [&](timer_entry* e) {
    // Deadlines grow with the index, and equal ones fire in insertion (index) order.
    ASSERT_LT(fired, count);
    ASSERT_EQ(e, &entries[fired]);
    ASSERT_EQ(e->deadline, now);
    ++fired;
  };
  // Armed over one minute, each for five minutes.
  for (std::size_t i = 0; i < count; ++i) {
    if (const std::uint64_t t = i * 60'000 / count; t != now) {
      now = t;
      wheel.advance(now, fire_in_order);
    }
    entries[i].deadline = now + timeout;
    wheel.insert(&entries[i]);
  }
  EXPECT_EQ(fired, 0u);
  EXPECT_EQ(wheel.size(), count);
  EXPECT_EQ(wheel.next_deadline(), timeout);
  for (now = 60'000; now <= 60'000 + timeout; ++now) {
    wheel.advance(now, fire_in_order);
  }
  EXPECT_EQ(fired, count);
  EXPECT_TRUE(wheel.empty());
}

}  // namespace
}  // namespace otter::detail
