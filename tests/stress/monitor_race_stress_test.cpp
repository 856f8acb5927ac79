// Stress: monitors and demonitors racing with the target's exit.
//
// Each round spawns a target and has several monitorer processes (long-lived, on every
// scheduler) monitor it, and demonitor some of those monitors (plain, flush, info, flush+info),
// while the target exits at the same moment: by returning (:normal), by exit/1, by an exit
// signal from the coordinator, or killed (exit(pid, :kill) from a monitorer: :killed). Some
// rounds the target is registered and also monitored by name.
//
// The guarantees checked (process.hpp, Erlang's erlang:monitor/2 and demonitor/2):
//   - a monitor that is not demonitored gets exactly one DOWN, with the target's exit reason,
//     or :noproc when the monitor signal reached the target after it had exited; the object is
//     the pid, or {name, :nonode@nohost} for a monitor by name;
//   - after demonitor returns, no DOWN of that monitor arrives any more (one may already be in
//     the mailbox without flush; none with flush);
//   - demonitor with info returns false exactly when the monitor had fired (its DOWN is in the
//     mailbox), true when it was still active (no DOWN, ever);
//   - monitoring a dead process gives one immediate DOWN :noproc.
// "Ever" is checked at the end: once every target's slot is finalised (process_count() back to
// coordinator + monitorers, so every DOWN they sent is in a mailbox), each monitorer drains its
// mailbox after a marker round trip: any DOWN left is one too many.

#include "stress/stress_support.hpp"

#include <unordered_set>

namespace otter::stress {
namespace {

enum class death : int { normal_return = 0, exit_self = 1, killed = 2, exit_signal = 3 };

struct target_go {};
struct never {};
struct round_go {
  pid target;
  term expected;  // the target's exit reason
  int round;
  bool kill_it;  // this monitorer kills the target (exit(target, :kill)) mid-sequence
  atom name;     // the target's registered name, or nil
};
struct round_done {};
struct final_check {};
struct final_report {
  std::int64_t kept;        // monitors that had to fire
  std::int64_t fired;       // DOWNs received for them
  std::int64_t real;        // ... of which with the real reason (not :noproc); informative
  std::int64_t demonitors;  // monitors removed with demonitor
  std::int64_t info_fired;  // demonitor(info) found the monitor fired already; informative
};

atom target_name() {
  static const atom a("otter_stress_monitor_target");
  return a;
}

co<void> target(death how, int round, int yields) {
  if (how == death::killed || how == death::exit_signal) {
    co_await receive<never>();  // until the exit signal
    co_return;
  }
  co_await receive<target_go>();
  for (; yields > 0; --yields) {
    co_await yield();
  }
  if (how == death::exit_self) {
    otter::exit(tuple(atom("bye"), round));
  }
}

/// Takes every DOWN of monitor `r` that is in the mailbox now (receive ... after 0) and returns
/// how many there were; checks their object and reason (`expected` or :noproc, or only :noproc
/// when `noproc_only`).
co<int> take_downs(ref r, term object, term expected, bool noproc_only, int who, failures* f) {
  int n = 0;
  while (auto d =
             co_await receive_if<down_msg>([r](const down_msg& m) { return m.monitor == r; }, 0)) {
    ++n;
    f->check(d->object == object, "monitorer ", who, ": DOWN object ", d->object.to_string(),
             ", expected ", object.to_string());
    if (noproc_only) {
      f->check(d->reason == term(atoms::noproc), "monitorer ", who,
               ": monitor of a dead process: DOWN reason ", d->reason.to_string(),
               ", expected :noproc");
    } else {
      f->check(d->reason == expected || d->reason == term(atoms::noproc), "monitorer ", who,
               ": DOWN reason ", d->reason.to_string(), ", expected ", expected.to_string(),
               " or :noproc");
    }
  }
  co_return n;
}

co<void> monitorer(int who, pid coordinator, failures* f, std::uint64_t seed) {
  rng r(seed);
  std::unordered_set<ref> spent;  // monitors whose DOWN may never arrive (any more)
  final_report rep{0, 0, 0, 0, 0};
  for (;;) {
    auto go =
        co_await receive(on<round_go>([](round_go& g) { return std::optional<round_go>(g); }),
                         on<final_check>([](final_check&) { return std::optional<round_go>(); }));
    if (!go) {
      break;
    }
    const pid t = go->target;
    const term by_pid = term(t);
    const term by_name = tuple(go->name, atoms::nonode);
    struct kept_monitor {
      ref r;
      bool named;
    };
    std::vector<kept_monitor> kept;
    const int ops = 6;
    const int kill_at = static_cast<int>(r.below(ops));
    for (int i = 0; i < ops; ++i) {
      const std::uint32_t op = i == 0 ? 0 : r.below(6);
      const std::uint32_t yields = r.below(3);
      switch (op) {
        case 0:
          kept.push_back({monitor(t), false});
          break;
        case 1: {  // demonitor: a DOWN already in the mailbox may stay (at most one)
          ref x = monitor(t);
          for (std::uint32_t y = 0; y < yields; ++y) {
            co_await yield();
          }
          f->check(demonitor(x), "monitorer ", who, ": demonitor returned false");
          int n = co_await take_downs(x, by_pid, go->expected, false, who, f);
          f->check(n <= 1, "monitorer ", who, ": ", n, " DOWNs for one demonitored monitor");
          spent.insert(x);
          ++rep.demonitors;
          break;
        }
        case 2: {  // demonitor + flush: no DOWN in the mailbox afterwards
          ref x = monitor(t);
          for (std::uint32_t y = 0; y < yields; ++y) {
            co_await yield();
          }
          f->check(demonitor(x, {.flush = true}), "monitorer ", who,
                   ": demonitor(flush) returned false");
          int n = co_await take_downs(x, by_pid, go->expected, false, who, f);
          f->check(n == 0, "monitorer ", who, ": DOWN in the mailbox after demonitor(flush)");
          spent.insert(x);
          ++rep.demonitors;
          break;
        }
        case 3: {  // demonitor + info: false exactly when the DOWN is in the mailbox
          ref x = monitor(t);
          for (std::uint32_t y = 0; y < yields; ++y) {
            co_await yield();
          }
          bool active = demonitor(x, {.info = true});
          int n = co_await take_downs(x, by_pid, go->expected, false, who, f);
          f->check(active ? n == 0 : n == 1, "monitorer ", who, ": demonitor(info) returned ",
                   active, " but ", n, " DOWNs were in the mailbox");
          rep.info_fired += active ? 0 : 1;
          spent.insert(x);
          ++rep.demonitors;
          break;
        }
        case 4: {  // demonitor + flush + info: nothing in the mailbox either way
          ref x = monitor(t);
          for (std::uint32_t y = 0; y < yields; ++y) {
            co_await yield();
          }
          (void)demonitor(x, {.flush = true, .info = true});
          int n = co_await take_downs(x, by_pid, go->expected, false, who, f);
          f->check(n == 0, "monitorer ", who, ": DOWN in the mailbox after demonitor(flush, info)");
          spent.insert(x);
          ++rep.demonitors;
          break;
        }
        default:  // by name when the target has one
          if (go->name != atom()) {
            kept.push_back({monitor(go->name), true});
          } else {
            kept.push_back({monitor(t), false});
          }
          break;
      }
      if (go->kill_it && i == kill_at) {
        otter::exit(t, atoms::kill);
      }
    }
    // Every kept monitor fires exactly once (the second one is caught by the final drain).
    for (const kept_monitor& k : kept) {
      ++rep.kept;
      const ref kr = k.r;
      stall_watch w;
      auto d = co_await receive_if<down_msg>([kr](const down_msg& m) { return m.monitor == kr; },
                                             wait_limit);
      w.check(*f, d.has_value(), "monitorer ", who, ": round ", go->round, ": DOWN");
      spent.insert(kr);
      if (!f->check(d.has_value(), "monitorer ", who, ": round ", go->round,
                    ": no DOWN in 60 s for a monitor of ", by_pid.to_string(),
                    " that was not removed (target alive: ", alive(t), ")")) {
        continue;
      }
      ++rep.fired;
      const term& object = k.named ? by_name : by_pid;
      f->check(d->object == object, "monitorer ", who, ": DOWN object ", d->object.to_string(),
               ", expected ", object.to_string());
      f->check(d->reason == go->expected || d->reason == term(atoms::noproc), "monitorer ", who,
               ": round ", go->round, ": DOWN reason ", d->reason.to_string(), ", expected ",
               go->expected.to_string(), " or :noproc");
      if (d->reason == go->expected) {
        ++rep.real;
      }
    }
    // The target is dead now (a DOWN was sent, so it was marked dead before): monitoring it
    // gives an immediate DOWN :noproc, and the monitor is not active.
    f->check(!alive(t), "monitorer ", who, ": target alive after its DOWN");
    ref late = monitor(t);
    int n = co_await take_downs(late, by_pid, go->expected, true, who, f);
    f->check(n == 1, "monitorer ", who, ": monitor of a dead process gave ", n,
             " immediate DOWNs, expected 1");
    f->check(!demonitor(late, {.info = true}), "monitorer ", who,
             ": a monitor of a dead process was active");
    spent.insert(late);
    send(coordinator, round_done{});
  }
  // Final drain: every target is finalised, so any DOWN they sent is in the mailbox already.
  while (auto m = co_await receive_any(0)) {
    if (m->is<down_msg>()) {
      const down_msg& d = m->get<down_msg>();
      f->add("monitorer ", who, ": late DOWN ", d.to_term().to_string(),
             spent.contains(d.monitor) ? " (of a monitor demonitored or fired already)"
                                       : " (of an unknown monitor)");
    } else {
      f->add("monitorer ", who, ": unexpected message ", m->to_term().to_string());
    }
  }
  send(coordinator, rep);
}

class MonitorRaceStress : public ::testing::TestWithParam<unsigned> {};

TEST_P(MonitorRaceStress, EveryMonitorFiresOnceUnlessRemoved) {
  const int rounds = static_cast<int>(scaled(3000, 50, 1));
  const int monitorers = 4;

  failures f;
  final_report total{0, 0, 0, 0, 0};
  runtime rt(runtime_options{.schedulers = GetParam()});
  try {
    rt.run(
        [&]() -> co<void> {
          const pid me = self();
          std::vector<pid> ms;
          for (int i = 0; i < monitorers; ++i) {
            ms.push_back(spawn(monitorer, i, me, &f, std::uint64_t(GetParam()) * 1000 + i));
          }
          for (int round = 0; round < rounds; ++round) {
            const auto how = static_cast<death>(round % 4);
            const pid t = spawn(target, how, round, (round / 16) % 3);
            atom name;
            if (round % 3 == 0) {
              if (f.check(register_name(target_name(), t), "round ", round,
                          ": register_name failed")) {
                name = target_name();
              }
            }
            term expected;
            switch (how) {
              case death::normal_return:
                expected = atoms::normal;
                break;
              case death::killed:
                expected = atoms::killed;
                break;
              case death::exit_self:
              case death::exit_signal:
                expected = tuple(atom("bye"), round);
                break;
            }
            // The trigger goes out at a different place among the go messages, or that many
            // yields after them, so that the exit falls at every stage of the other side.
            const int delay = (round / 4) % 4;
            const int trigger_at = delay == 0 ? round % (monitorers + 1) : monitorers;
            auto trigger = [&] {
              if (how == death::normal_return || how == death::exit_self) {
                send(t, target_go{});
              } else if (how == death::exit_signal) {
                otter::exit(t, expected);
              }  // death::killed: a monitorer kills it mid-sequence
            };
            for (int i = 0; i < monitorers; ++i) {
              if (i == trigger_at) {
                trigger();
              }
              const bool kill_it = how == death::killed && i == round % monitorers;
              send(ms[static_cast<std::size_t>(i)], round_go{t, expected, round, kill_it, name});
            }
            for (int y = 0; y < delay; ++y) {
              co_await yield();
            }
            if (trigger_at == monitorers) {
              trigger();
            }
            for (int i = 0; i < monitorers; ++i) {
              stall_watch w(outer_wait_limit);
              auto d = co_await receive_for<round_done>(outer_wait_limit);
              w.check(f, d.has_value(), "round ", round, ": round_done");
              if (!f.check(d.has_value(), "round ", round, ": a monitorer did not finish")) {
                co_return;
              }
            }
          }
          // Every target finalised: only this process and the monitorers are left.
          bool settled = co_await wait_until(
              [&] { return rt.process_count() == static_cast<std::size_t>(1 + monitorers); });
          f.check(settled, "targets still counted as live: ", rt.process_count());
          for (pid m : ms) {
            send(m, final_check{});
          }
          for (int i = 0; i < monitorers; ++i) {
            stall_watch w;
            auto rep = co_await receive_for<final_report>(wait_limit);
            w.check(f, rep.has_value(), "final_report");
            if (!f.check(rep.has_value(), "a monitorer did not report")) {
              co_return;
            }
            total.kept += rep->kept;
            total.fired += rep->fired;
            total.real += rep->real;
            total.demonitors += rep->demonitors;
            total.info_fired += rep->info_fired;
          }
        },
        run_limit);
  } catch (const run_error& e) {
    ADD_FAILURE() << "run: " << e.what();
  }
  if (verbose()) {
    std::printf(
        "monitor race: %d rounds, %lld kept monitors (%lld DOWNs with the real reason, the "
        "rest :noproc), %lld demonitors (%lld demonitor(info) after the DOWN)\n",
        rounds, static_cast<long long>(total.kept), static_cast<long long>(total.real),
        static_cast<long long>(total.demonitors), static_cast<long long>(total.info_fired));
  }
  OTTER_STRESS_EXPECT_NO_FAILURES(f);
  EXPECT_GT(total.kept, 0);
  EXPECT_EQ(total.fired, total.kept);
  EXPECT_EQ(wait_process_count(rt, 0), 0U);
}

INSTANTIATE_TEST_SUITE_P(Threaded, MonitorRaceStress, ::testing::Values(2U, 4U), schedulers_name);

}  // namespace
}  // namespace otter::stress
