// tests/core/inbox_test.cpp: the sender side of a mailbox (src/core/process/inbox.hpp), an
// intrusive MPSC queue: FIFO per producer, and pending() as the park protocol reads it.

#include "core/process/inbox.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace otter::detail {
namespace {

// A node that says who pushed it and in which position.
struct test_node : node {
  int producer = -1;
  int seq = -1;
  test_node() : node(node_kind::message) {}
};

TEST(InboxTest, AnEmptyInboxPopsNothingAndIsNotPending) {
  inbox in;
  EXPECT_EQ(in.pop(), nullptr);
  EXPECT_FALSE(in.pending());
}

TEST(InboxTest, PopReturnsNodesInPushOrder) {
  std::vector<test_node> nodes(10);
  inbox in;
  for (auto& n : nodes) {
    in.push(&n);
  }
  for (auto& n : nodes) {
    EXPECT_EQ(in.pop(), &n);
  }
  EXPECT_EQ(in.pop(), nullptr);
}

TEST(InboxTest, PendingIsTrueFromPushUntilTheLastNodeIsPopped) {
  std::vector<test_node> nodes(2);
  inbox in;
  in.push(&nodes[0]);
  EXPECT_TRUE(in.pending());
  in.push(&nodes[1]);
  EXPECT_TRUE(in.pending());
  EXPECT_EQ(in.pop(), &nodes[0]);
  EXPECT_TRUE(in.pending());
  EXPECT_EQ(in.pop(), &nodes[1]);
  EXPECT_FALSE(in.pending());
  EXPECT_EQ(in.pop(), nullptr);
  EXPECT_FALSE(in.pending());
}

TEST(InboxTest, AnInboxCanBeReusedAfterItWasEmptied) {
  std::vector<test_node> nodes(6);
  inbox in;
  for (int round = 0; round < 3; ++round) {
    test_node* a = &nodes[static_cast<std::size_t>(2 * round)];
    test_node* b = &nodes[static_cast<std::size_t>(2 * round + 1)];
    in.push(a);
    EXPECT_EQ(in.pop(), a);
    EXPECT_FALSE(in.pending());
    in.push(b);
    EXPECT_TRUE(in.pending());
    EXPECT_EQ(in.pop(), b);
    EXPECT_EQ(in.pop(), nullptr);
  }
}

TEST(InboxTest, InterleavedPushesAndPopsKeepFifoOrder) {
  std::vector<test_node> nodes(100);
  inbox in;
  std::vector<node*> popped;
  std::size_t next = 0;
  for (int step = 0; step < 60; ++step) {
    for (int k = 0; k < 2 && next < nodes.size(); ++k) {
      in.push(&nodes[next++]);
    }
    if (node* n = in.pop()) {
      popped.push_back(n);
    }
  }
  while (node* n = in.pop()) {
    popped.push_back(n);
  }
  ASSERT_EQ(popped.size(), nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    EXPECT_EQ(popped[i], &nodes[i]);
  }
}

TEST(InboxTest, FourProducersKeepTheirOrderAndNothingIsLost) {
  constexpr int producers = 4;
  constexpr int per_producer = 100'000;
  std::vector<std::vector<test_node>> nodes(producers);
  for (int p = 0; p < producers; ++p) {
    nodes[static_cast<std::size_t>(p)] = std::vector<test_node>(per_producer);
    for (int i = 0; i < per_producer; ++i) {
      auto& n = nodes[static_cast<std::size_t>(p)][static_cast<std::size_t>(i)];
      n.producer = p;
      n.seq = i;
    }
  }
  inbox in;
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      while (!go.load(std::memory_order_acquire)) {
        std::this_thread::yield();
      }
      for (auto& n : nodes[static_cast<std::size_t>(p)]) {
        in.push(&n);
      }
    });
  }
  go.store(true, std::memory_order_release);

  // The consumer runs concurrently with the producers.
  std::vector<int> next_seq(producers, 0);
  std::size_t total = 0;
  std::size_t out_of_order = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (total < static_cast<std::size_t>(producers) * per_producer
         && std::chrono::steady_clock::now() < give_up) {
    node* n = in.pop();
    if (n == nullptr) {
      std::this_thread::yield();
      continue;
    }
    auto* t = static_cast<test_node*>(n);
    if (t->seq != next_seq[static_cast<std::size_t>(t->producer)]) {
      ++out_of_order;
    }
    next_seq[static_cast<std::size_t>(t->producer)] = t->seq + 1;
    ++total;
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(total, static_cast<std::size_t>(producers) * per_producer);
  EXPECT_EQ(out_of_order, 0U);
  for (int p = 0; p < producers; ++p) {
    EXPECT_EQ(next_seq[static_cast<std::size_t>(p)], per_producer) << "producer " << p;
  }
  EXPECT_EQ(in.pop(), nullptr);
  EXPECT_FALSE(in.pending());
}

TEST(InboxTest, PendingSeenFromAnotherThreadAfterAPush) {
  // The park protocol: a consumer that finds pop() empty but pending() true must not sleep.
  // Here a producer thread pushes while the consumer polls pending() from the test thread.
  constexpr int n = 10'000;
  std::vector<test_node> nodes(n);
  inbox in;
  std::thread producer([&] {
    for (auto& nd : nodes) {
      in.push(&nd);
    }
  });
  int popped = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (popped < n && std::chrono::steady_clock::now() < give_up) {
    if (in.pop() != nullptr) {
      ++popped;
    } else if (!in.pending()) {
      std::this_thread::yield();  // truly empty: the producer has not pushed the next one yet
    }
  }
  producer.join();
  EXPECT_EQ(popped, n);
  EXPECT_FALSE(in.pending());
}

}  // namespace
}  // namespace otter::detail
