// Stress: timers armed and cancelled concurrently on every scheduler.
//
// Owner processes arm rounds of short timers to themselves (send_after to the pid or to their
// registered name, start_timer) and cancel some of them: themselves, or through a helper process
// that usually runs on another scheduler than the one whose wheel holds the timer. Meanwhile
// sleeper processes wait in receive ... after(t) while pingers send them messages at random
// moments.
//
// The guarantees checked (timer.hpp, Erlang's erlang:cancel_timer/1):
//   - every timer either fires exactly once, or cancel_timer returns the time it had left
//     (0 <= left <= delay), never both, never neither; a second cancel and read_timer then say
//     it is gone (nullopt); read_timer before that is within [0, delay] too;
//   - start_timer delivers timer_msg with the ref start_timer returned;
//   - a receive timeout never fires early (now_ms() has reached the deadline when the after
//     clause runs), and a message that arrives is taken exactly once, in order, whether the
//     receive that takes it timed out before or not.
// "Never both" is checked until every deadline is well past: the owners then sleep beyond
// their last deadline and drain their mailboxes.

#include "stress/stress_support.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <variant>

namespace otter::stress {
namespace {

struct tick {
  std::uint32_t id;
};
struct cancel_req {
  ref timer;
  std::uint32_t id;
  pid owner;
};
struct cancel_res {
  std::uint32_t id;
  std::optional<std::int64_t> left;
  std::optional<std::int64_t> again;  // a second cancel: must be nullopt after a success
};
struct stop {};

/// The most read_timer / cancel_timer may report for a timer armed with `delay`: the time asked
/// for (the millisecond the real-time clock adds so that a timer never fires early is not part
/// of the time left: runtime_impl::remaining).
constexpr std::int64_t max_left(std::int64_t delay) {
  return delay;
}
struct wake {
  std::uint32_t seq;
};
struct owner_report {
  std::int64_t timers;
  std::int64_t fired;
  std::int64_t cancelled;  // cancel returned the time left
  std::int64_t too_late;   // cancel returned nullopt (the timer had fired)
};
struct sleeper_report {
  std::int64_t received;
  std::int64_t timeouts;
};

atom owner_name(int i) {
  static const std::vector<atom> names = [] {
    std::vector<atom> v;
    for (int k = 0; k < 64; ++k) {
      v.emplace_back("otter_stress_timer_owner_" + std::to_string(k));
    }
    return v;
  }();
  return names[static_cast<std::size_t>(i) % names.size()];
}

co<void> canceller() {
  for (;;) {
    using job = std::variant<std::monostate, cancel_req>;
    job j = co_await receive(on<cancel_req>([](cancel_req& c) { return job(c); }),
                             on<stop>([](stop&) { return job(); }));
    auto* c = std::get_if<cancel_req>(&j);
    if (c == nullptr) {
      co_return;
    }
    std::optional<std::int64_t> left = cancel_timer(c->timer);
    std::optional<std::int64_t> again = cancel_timer(c->timer);
    send(c->owner, cancel_res{c->id, left, again});
  }
}

enum class cancel_state : std::uint8_t { none, pending, cancelled, too_late };

struct timer_rec {
  ref r;
  std::int64_t delay = 0;
  bool is_start_timer = false;
  bool remote = false;
  int fired = 0;
  cancel_state cancel = cancel_state::none;
};

co<void> owner(int who, int rounds, int per_round, pid coordinator, failures* f) {
  rng r(static_cast<std::uint64_t>(who) * 31 + 5);
  const pid me = self();
  const atom name = owner_name(who);
  f->check(register_name(name, me), "owner ", who, ": register_name failed");
  const pid helper = spawn(canceller);
  owner_report rep{0, 0, 0, 0};
  std::int64_t last_deadline = 0;
  std::vector<timer_rec> recs;
  for (int round = 0; round < rounds; ++round) {
    recs.assign(static_cast<std::size_t>(per_round), timer_rec{});
    const auto base = static_cast<std::uint32_t>(round * per_round);
    for (std::uint32_t i = 0; i < recs.size(); ++i) {
      timer_rec& t = recs[i];
      t.delay = r.below(5);
      last_deadline = std::max(last_deadline, now_ms() + t.delay);
      switch (r.below(3)) {
        case 0:
          t.r = send_after(me, tick{base + i}, t.delay);
          break;
        case 1:
          t.r = send_after(name, tick{base + i}, t.delay);
          break;
        default:
          t.r = start_timer(t.delay, me, tick{base + i});
          t.is_start_timer = true;
          break;
      }
      if (auto left = read_timer(t.r)) {
        f->check(*left >= 0 && *left <= max_left(t.delay), "owner ", who, ": read_timer ", *left,
                 " for a delay of ", t.delay);
      }
    }
    rep.timers += per_round;
    // Cancel about a third here and a third through the helper, in random order, with yields.
    for (std::uint32_t i = 0; i < recs.size(); ++i) {
      timer_rec& t = recs[i];
      const std::uint32_t plan = r.below(3);
      for (std::uint32_t y = r.below(2); y > 0; --y) {
        co_await yield();
      }
      if (plan == 1) {
        std::optional<std::int64_t> left = cancel_timer(t.r);
        if (left) {
          t.cancel = cancel_state::cancelled;
          f->check(*left >= 0 && *left <= max_left(t.delay), "owner ", who,
                   ": cancel_timer returned ", *left, " for a delay of ", t.delay);
          f->check(!cancel_timer(t.r), "owner ", who, ": a cancelled timer cancelled again");
          f->check(!read_timer(t.r), "owner ", who, ": read_timer of a cancelled timer");
        } else {
          t.cancel = cancel_state::too_late;
        }
      } else if (plan == 2) {
        t.remote = true;
        t.cancel = cancel_state::pending;
        send(helper, cancel_req{t.r, base + i, me});
      }
    }
    // Until every timer has fired or been cancelled, and every remote cancel has answered.
    auto unresolved = [&] {
      for (const timer_rec& t : recs) {
        if (t.cancel == cancel_state::pending
            || (t.fired == 0 && t.cancel != cancel_state::cancelled)) {
          return true;
        }
      }
      return false;
    };
    auto fire = [&](std::uint32_t id, const ref* tag) {
      if (!f->check(id >= base && id < base + recs.size(), "owner ", who, ": tick ", id,
                    " from another round (base ", base, ")")) {
        return;
      }
      timer_rec& t = recs[id - base];
      ++t.fired;
      ++rep.fired;
      f->check(t.fired == 1, "owner ", who, ": timer ", id, " fired ", t.fired, " times");
      f->check(t.cancel != cancel_state::cancelled, "owner ", who, ": timer ", id,
               " fired after cancel_timer returned its time left");
      f->check(t.is_start_timer == (tag != nullptr), "owner ", who, ": timer ", id,
               " delivered as the wrong kind of message");
      if (tag != nullptr) {
        f->check(*tag == t.r, "owner ", who, ": timer_msg with another ref");
      }
    };
    using event = std::variant<std::monostate, tick, timer_msg<tick>, cancel_res>;
    while (unresolved()) {
      stall_watch sw;
      event e = co_await receive(on<tick>([](tick& x) { return event(x); }),
                                 on<timer_msg<tick>>([](timer_msg<tick>& x) { return event(x); }),
                                 on<cancel_res>([](cancel_res& x) { return event(x); }),
                                 after(wait_limit, [] { return event(); }));
      sw.check(*f, e.index() != 0, "owner ", who, ": round ", round, ": tick/cancel answer");
      if (auto* tk = std::get_if<tick>(&e)) {
        fire(tk->id, nullptr);
      } else if (auto* tm = std::get_if<timer_msg<tick>>(&e)) {
        fire(tm->msg.id, &tm->timer);
      } else if (auto* cr = std::get_if<cancel_res>(&e)) {
        if (!f->check(cr->id >= base && cr->id < base + recs.size(), "owner ", who,
                      ": cancel answer from another round")) {
          continue;
        }
        timer_rec& t = recs[cr->id - base];
        f->check(t.cancel == cancel_state::pending, "owner ", who, ": unexpected cancel answer");
        if (cr->left) {
          t.cancel = cancel_state::cancelled;
          f->check(t.fired == 0, "owner ", who, ": timer ", cr->id,
                   " fired and cancel_timer still returned its time left");
          f->check(*cr->left >= 0 && *cr->left <= max_left(t.delay), "owner ", who,
                   ": remote cancel_timer returned ", *cr->left, " for a delay of ", t.delay);
          f->check(!cr->again, "owner ", who, ": a cancelled timer cancelled again");
        } else {
          t.cancel = cancel_state::too_late;
        }
      } else {
        std::int64_t open = 0;
        for (const timer_rec& t : recs) {
          open += (t.fired == 0 && t.cancel != cancel_state::cancelled) ? 1 : 0;
        }
        f->add("owner ", who, ": round ", round, ": ", open,
               " timers neither fired nor cancelled after 60 s");
        break;
      }
    }
    for (const timer_rec& t : recs) {
      rep.cancelled += t.cancel == cancel_state::cancelled ? 1 : 0;
      rep.too_late += t.cancel == cancel_state::too_late ? 1 : 0;
      if (t.cancel == cancel_state::too_late) {
        f->check(t.fired == 1, "owner ", who, ": cancel_timer said fired, but no message came");
      }
    }
  }
  send(helper, stop{});
  // Never both: wait past the last deadline (and a margin for the wheel's tick), then nothing
  // may arrive any more.
  while (now_ms() < last_deadline + 20) {
    co_await otter::sleep(std::chrono::milliseconds(5));
  }
  while (auto m = co_await receive_any(0)) {
    f->add("owner ", who, ": late message ", m->to_term().to_string());
  }
  send(coordinator, rep);
}

co<void> pinger(pid to, std::uint32_t count, std::uint64_t seed) {
  rng r(seed);
  for (std::uint32_t seq = 0; seq < count; ++seq) {
    send(to, wake{seq});
    switch (r.below(4)) {
      case 0:
        co_await otter::sleep(std::chrono::milliseconds(r.below(3)));
        break;
      case 1:
        co_await yield();
        break;
      default:
        break;
    }
  }
}

co<void> sleeper(std::uint32_t count, pid coordinator, std::uint64_t seed, failures* f) {
  rng r(seed);
  (void)spawn(pinger, self(), count, seed + 1);
  sleeper_report rep{0, 0};
  std::uint32_t next = 0;
  while (next < count) {
    const std::int64_t t = r.below(4);
    const std::int64_t before = now_ms();
    std::optional<wake> w =
        co_await receive(on<wake>([](wake& x) { return std::optional<wake>(x); }),
                         after(t, [] { return std::optional<wake>(); }));
    if (w) {
      ++rep.received;
      f->check(w->seq == next, "sleeper: wake ", w->seq, " arrived when ", next, " was next");
      next = w->seq + 1;
    } else {
      ++rep.timeouts;
      const std::int64_t waited = now_ms() - before;
      f->check(waited >= t, "sleeper: receive after(", t, ") timed out after ", waited, " ms");
    }
  }
  // Nothing more was sent.
  while (auto m = co_await receive_any(0)) {
    f->add("sleeper: unexpected message ", m->to_term().to_string());
  }
  send(coordinator, rep);
}

class TimerChurnStress : public ::testing::TestWithParam<unsigned> {};

TEST_P(TimerChurnStress, EveryTimerFiresOnceOrIsCancelled) {
  const int owners = 8;
  const int sleepers = 4;
  const int rounds = static_cast<int>(scaled(300, 20, 2));
  const int per_round = 16;
  const auto wakes = static_cast<std::uint32_t>(scaled(3000, 200, 2));

  failures f;
  owner_report total{0, 0, 0, 0};
  sleeper_report sleeps{0, 0};
  runtime rt(runtime_options{.schedulers = GetParam()});
  try {
    rt.run(
        [&]() -> co<void> {
          const pid me = self();
          for (int i = 0; i < owners; ++i) {
            (void)spawn(owner, i, rounds, per_round, me, &f);
          }
          for (int i = 0; i < sleepers; ++i) {
            (void)spawn(sleeper, wakes, me, std::uint64_t(i) * 101 + GetParam(), &f);
          }
          for (int i = 0; i < owners + sleepers; ++i) {
            using report = std::variant<std::monostate, owner_report, sleeper_report>;
            stall_watch w(outer_wait_limit);
            report rep =
                co_await receive(on<owner_report>([](owner_report& x) { return report(x); }),
                                 on<sleeper_report>([](sleeper_report& x) { return report(x); }),
                                 after(outer_wait_limit, [] { return report(); }));
            w.check(f, rep.index() != 0, "owner/sleeper report");
            if (auto* o = std::get_if<owner_report>(&rep)) {
              total.timers += o->timers;
              total.fired += o->fired;
              total.cancelled += o->cancelled;
              total.too_late += o->too_late;
            } else if (auto* s = std::get_if<sleeper_report>(&rep)) {
              sleeps.received += s->received;
              sleeps.timeouts += s->timeouts;
            } else {
              f.add("only ", i, " of ", owners + sleepers, " owners and sleepers finished");
              co_return;
            }
          }
        },
        run_limit);
  } catch (const run_error& e) {
    ADD_FAILURE() << "run: " << e.what();
  }
  if (verbose()) {
    std::printf(
        "timer churn: %lld timers: %lld fired, %lld cancelled (%lld cancels came too "
        "late); sleepers: %lld wakes, %lld timeouts\n",
        static_cast<long long>(total.timers), static_cast<long long>(total.fired),
        static_cast<long long>(total.cancelled), static_cast<long long>(total.too_late),
        static_cast<long long>(sleeps.received), static_cast<long long>(sleeps.timeouts));
  }
  OTTER_STRESS_EXPECT_NO_FAILURES(f);
  EXPECT_EQ(total.timers, std::int64_t{owners} * rounds * per_round);
  EXPECT_EQ(total.fired + total.cancelled, total.timers);
  EXPECT_EQ(sleeps.received, std::int64_t{sleepers} * wakes);
  EXPECT_EQ(wait_process_count(rt, 0), 0U);
}

INSTANTIATE_TEST_SUITE_P(Threaded, TimerChurnStress, ::testing::Values(2U, 4U), schedulers_name);

}  // namespace
}  // namespace otter::stress
