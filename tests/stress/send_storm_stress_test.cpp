// Stress: send storms into one mailbox.
//
// Eight sender processes send 100,000 numbered messages each (half as many under TSan) to one
// receiver, half of them through its registered name, with a marker message of another type
// every 1,000; the receiver interleaves receives of either type with selective receives of one
// sender's next message (which skip markers and other senders). Checked for every message:
// per-sender FIFO (the guarantee of process.hpp: what one process sends another arrives in send
// order, whatever the receive that takes it), markers never ahead of an earlier message of their
// sender, the exact totals, and no message that arrives twice or not at all.
//
// The second test sends from plain std::threads through runtime::send (to the pid and to the
// name): per-thread FIFO, exact count.

#include "stress/stress_support.hpp"

#include <future>
#include <variant>

namespace otter::stress {
namespace {

struct storm_msg {
  std::uint32_t sender;
  std::uint32_t seq;
};
struct storm_marker {
  std::uint32_t sender;
  std::uint32_t index;
};
struct start {};
struct sender_done {
  std::uint32_t sender;
};

constexpr std::uint32_t marker_every = 1000;

atom storm_name() {
  static const atom a("otter_stress_storm_receiver");
  return a;
}
atom thread_storm_name() {
  static const atom a("otter_stress_thread_storm_receiver");
  return a;
}

co<void> storm_sender(std::uint32_t id, pid to, std::uint32_t count, pid coordinator) {
  co_await receive<start>();
  const bool by_name = id % 2 == 1;
  for (std::uint32_t seq = 0; seq < count; ++seq) {
    if (by_name && seq % 2 == 0) {
      send(storm_name(), storm_msg{id, seq});
    } else {
      send(to, storm_msg{id, seq});
    }
    if (seq % marker_every == marker_every - 1) {
      send(to, storm_marker{id, seq / marker_every});
    }
    // send() costs no reduction: yield now and then so that the senders interleave (on one
    // scheduler) instead of running one after the other.
    if ((seq & 127) == 127) {
      co_await yield();
    }
  }
  send(coordinator, sender_done{id});
}

struct storm_result {
  std::uint64_t received = 0;
  std::uint64_t selective = 0;
  std::uint64_t markers = 0;
  std::vector<std::uint32_t> next;         // per sender: next expected seq
  std::vector<std::uint32_t> next_marker;  // per sender: next expected marker
};

class SendStormStress : public ::testing::TestWithParam<unsigned> {};

TEST_P(SendStormStress, PerSenderFifoUnderSelectiveReceive) {
  const std::uint32_t senders = 8;
  const auto per_sender = static_cast<std::uint32_t>(scaled(100000, 2000, 2));
  const std::uint64_t total = std::uint64_t{senders} * per_sender;
  const std::uint32_t markers = per_sender / marker_every;

  failures f;
  storm_result res;
  runtime rt(runtime_options{.schedulers = GetParam()});
  try {
    res = rt.run(
        [&]() -> co<storm_result> {
          const pid me = self();
          storm_result r;
          r.next.assign(senders, 0);
          r.next_marker.assign(senders, 0);
          f.check(register_name(storm_name(), me), "register_name failed");
          std::vector<pid> ss;
          for (std::uint32_t i = 0; i < senders; ++i) {
            ss.push_back(spawn(storm_sender, i, me, per_sender, me));
          }
          for (pid s : ss) {
            send(s, start{});
          }
          // A marker follows message (index + 1) * marker_every - 1 of its sender: every message
          // before it is ahead of it in the mailbox, so it has been taken already.
          auto take_marker = [&](const storm_marker& mk) {
            ++r.markers;
            if (!f.check(mk.sender < senders, "marker from unknown sender ", mk.sender)) {
              return;
            }
            std::uint32_t& want = r.next_marker[mk.sender];
            f.check(mk.index == want, "sender ", mk.sender, ": marker ", mk.index, " arrived when ",
                    want, " was next");
            f.check(r.next[mk.sender] >= (mk.index + 1) * marker_every, "sender ", mk.sender,
                    ": marker ", mk.index, " overtook message ", r.next[mk.sender]);
            want = mk.index + 1;
          };
          auto take_message = [&](const storm_msg& m) {
            ++r.received;
            if (!f.check(m.sender < senders, "message from unknown sender ", m.sender)) {
              return;
            }
            std::uint32_t& want = r.next[m.sender];
            f.check(m.seq == want, "sender ", m.sender, ": seq ", m.seq, " arrived when ", want,
                    " was next");
            want = m.seq + 1;
          };
          using item = std::variant<std::monostate, storm_msg, storm_marker>;
          const std::uint64_t all_markers = std::uint64_t{senders} * markers;
          std::uint32_t rotate = 0;
          while (r.received < total || r.markers < all_markers) {
            if (r.received % 509 == 0 && r.received < total) {
              // Selective: the next message of one sender that still has some to send (it
              // skips the markers and the other senders' messages, which stay in order).
              std::uint32_t k = rotate++ % senders;
              while (r.next[k] >= per_sender) {
                k = (k + 1) % senders;
              }
              stall_watch w;
              auto got = co_await receive_if<storm_msg>(
                  [k](const storm_msg& x) { return x.sender == k; }, wait_limit);
              w.check(f, got.has_value(), "selective receive from sender ", k);
              if (!f.check(got.has_value(), "no message from sender ", k, " (expected seq ",
                           r.next[k], ")")) {
                break;
              }
              ++r.selective;
              take_message(*got);
              continue;
            }
            // Both types: whichever is first in the mailbox.
            stall_watch w;
            item got = co_await receive(on<storm_msg>([](storm_msg& x) { return item(x); }),
                                        on<storm_marker>([](storm_marker& x) { return item(x); }),
                                        after(wait_limit, [] { return item(); }));
            w.check(f, got.index() != 0, "receive of message ", r.received);
            if (auto* m = std::get_if<storm_msg>(&got)) {
              take_message(*m);
            } else if (auto* mk = std::get_if<storm_marker>(&got)) {
              take_marker(*mk);
            } else {
              f.add("only ", r.received, " of ", total, " messages and ", r.markers, " of ",
                    all_markers, " markers arrived");
              break;
            }
          }
          for (std::uint32_t i = 0; i < senders; ++i) {
            stall_watch w;
            auto d = co_await receive_for<sender_done>(wait_limit);
            w.check(f, d.has_value(), "sender_done");
            f.check(d.has_value(), "a sender did not finish");
          }
          while (auto extra = co_await receive_any(0)) {
            f.add("unexpected message after the storm: ", extra->to_term().to_string());
          }
          co_return r;
        },
        run_limit);
  } catch (const run_error& e) {
    ADD_FAILURE() << "run: " << e.what();
  }
  if (verbose()) {
    std::printf("send storm: %llu messages, %llu taken by selective receives, %llu markers\n",
                static_cast<unsigned long long>(res.received),
                static_cast<unsigned long long>(res.selective),
                static_cast<unsigned long long>(res.markers));
  }
  OTTER_STRESS_EXPECT_NO_FAILURES(f);
  EXPECT_EQ(res.received, total);
  EXPECT_EQ(res.markers, std::uint64_t{senders} * markers);
  for (std::uint32_t i = 0; i < res.next.size(); ++i) {
    EXPECT_EQ(res.next[i], per_sender) << "sender " << i;
    EXPECT_EQ(res.next_marker[i], markers) << "sender " << i;
  }
  EXPECT_EQ(wait_process_count(rt, 0), 0U);
}

TEST_P(SendStormStress, PerThreadFifoFromPlainThreads) {
  const std::uint32_t threads = 4;
  const auto per_thread = static_cast<std::uint32_t>(scaled(100000, 2000, 2));
  const std::uint64_t total = std::uint64_t{threads} * per_thread;

  failures f;
  std::promise<pid> receiver_promise;
  std::shared_future<pid> receiver = receiver_promise.get_future().share();
  std::vector<std::uint32_t> next(threads, 0);
  std::uint64_t received = 0;
  runtime rt(runtime_options{.schedulers = GetParam()});

  std::vector<std::thread> ts;
  std::atomic<std::uint32_t> name_misses{0};
  for (std::uint32_t id = 0; id < threads; ++id) {
    ts.emplace_back([&, id, fut = receiver] {
      if (fut.wait_for(wait_limit) != std::future_status::ready) {
        return;
      }
      const pid to = fut.get();
      if (to.is_null()) {
        return;
      }
      for (std::uint32_t seq = 0; seq < per_thread; ++seq) {
        if (id % 2 == 1 && seq % 2 == 0) {
          if (!rt.send(thread_storm_name(), storm_msg{id, seq})) {
            name_misses.fetch_add(1);
          }
        } else {
          rt.send(to, storm_msg{id, seq});
        }
      }
    });
  }
  try {
    received = rt.run(
        [&]() -> co<std::uint64_t> {
          f.check(register_name(thread_storm_name(), self()), "register_name failed");
          receiver_promise.set_value(self());
          std::uint64_t n = 0;
          while (n < total) {
            stall_watch w;
            auto got = co_await receive_for<storm_msg>(wait_limit);
            w.check(f, got.has_value(), "receive of message ", n);
            if (!f.check(got.has_value(), "only ", n, " of ", total, " messages arrived")) {
              break;
            }
            ++n;
            if (!f.check(got->sender < threads, "message from unknown thread ", got->sender)) {
              continue;
            }
            std::uint32_t& want = next[got->sender];
            f.check(got->seq == want, "thread ", got->sender, ": seq ", got->seq, " arrived when ",
                    want, " was next");
            want = got->seq + 1;
          }
          co_return n;
        },
        run_limit);
  } catch (const run_error& e) {
    ADD_FAILURE() << "run: " << e.what();
  }
  try {
    receiver_promise.set_value(pid{});  // releases the threads if the receiver never started
  } catch (const std::future_error&) {
  }
  for (auto& t : ts) {
    t.join();
  }
  OTTER_STRESS_EXPECT_NO_FAILURES(f);
  EXPECT_EQ(name_misses.load(), 0U);
  EXPECT_EQ(received, total);
  for (std::uint32_t i = 0; i < threads; ++i) {
    EXPECT_EQ(next[i], per_thread) << "thread " << i;
  }
  EXPECT_EQ(wait_process_count(rt, 0), 0U);
}

INSTANTIATE_TEST_SUITE_P(Threaded, SendStormStress, ::testing::Values(2U, 4U), schedulers_name);

}  // namespace
}  // namespace otter::stress
