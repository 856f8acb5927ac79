// Stress: linking to a process that is exiting at the same moment.
//
// Each round spawns a target that exits (returning :normal, exit/1, an exit signal from the
// coordinator, or exit(pid, :kill) -> :killed) while several long-lived trapping linkers link to
// it, sometimes together with a monitor (before or after the link) or followed by unlink, and
// two fresh non-trapping linkers link to it too.
//
// The guarantees checked (process.hpp, Erlang's link/1, unlink/1 and the signal order):
//   - a trapping linker gets exactly one exit_msg from the target: with the real reason when
//     the link reached the target alive, :noproc when it did not; never zero, never two;
//   - once it has arrived the link is gone (process_info's links);
//   - for one dying process, linked processes get the exit signal before monitors get DOWN: a
//     linker that also monitors sees exit_msg before DOWN when both carry the real reason, and
//     a link/monitor sent earlier to the target is handled earlier (real reason for the first
//     implies real reason for the second);
//   - after unlink returns, no exit_msg of that link arrives (one may already be in the
//     mailbox);
//   - a non-trapping linker dies with the target's reason, or :noproc (a link that found the
//     target dead: exit signal :noproc, or error(:noproc) raised by link itself), and ignores a
//     :normal exit.
// "Never two" is checked at the end: once every target is finalised (process_count() back to
// coordinator + linkers), each linker drains its mailbox: any exit_msg or DOWN left is a bug.

#include "stress/stress_support.hpp"

#include <algorithm>
#include <unordered_set>
#include <variant>

namespace otter::stress {
namespace {

enum class death : int { normal_return = 0, exit_self = 1, killed = 2, exit_signal = 3 };

struct target_go {};
struct never {};
struct stop {};
struct round_go {
  pid target;
  term expected;
  int round;
};
struct round_done {};
struct final_check {};
struct final_report {
  std::int64_t exits;      // exit_msgs received (one per link kept until the exit)
  std::int64_t real;       // ... with the real reason (informative)
  std::int64_t both_real;  // exit_msg and DOWN with the real reason (order checked)
  std::int64_t unlinks;
};

co<void> target(death how, int round, int yields) {
  if (how == death::killed || how == death::exit_signal) {
    co_await receive<never>();
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

bool linked_to(pid t) {
  auto links = self_info().links;
  return std::find(links.begin(), links.end(), t) != links.end();
}

co<void> trapping_linker(int who, pid coordinator, failures* f, std::uint64_t seed) {
  (void)trap_exit(true);
  rng r(seed);
  final_report rep{0, 0, 0, 0};
  std::unordered_set<pid> finished;  // targets whose exit_msg may never arrive (any more)
  for (;;) {
    auto go =
        co_await receive(on<round_go>([](round_go& g) { return std::optional<round_go>(g); }),
                         on<final_check>([](final_check&) { return std::optional<round_go>(); }));
    if (!go) {
      break;
    }
    const pid t = go->target;
    const term& expected = go->expected;
    const term noproc = atoms::noproc;
    const std::uint32_t variant = r.below(4);
    for (std::uint32_t y = r.below(3); y > 0; --y) {
      co_await yield();
    }
    ref m;
    if (variant == 1) {
      m = monitor(t);
    }
    f->check(link(t), "linker ", who, ": link returned false");
    if (variant == 2) {
      m = monitor(t);
    }
    auto from_t = [t](const exit_msg& e) {
      return e.from == t;
    };
    if (variant == 3) {
      for (std::uint32_t y = r.below(3); y > 0; --y) {
        co_await yield();
      }
      f->check(unlink(t), "linker ", who, ": unlink returned false");
      ++rep.unlinks;
      int n = 0;
      while (auto e = co_await receive_if<exit_msg>(from_t, 0)) {
        ++n;
        f->check(e->reason == expected || e->reason == noproc, "linker ", who, ": exit reason ",
                 e->reason.to_string(), ", expected ", expected.to_string(), " or :noproc");
      }
      f->check(n <= 1, "linker ", who, ": ", n, " exit_msgs for one link");
      f->check(!linked_to(t), "linker ", who, ": still linked after unlink");
      finished.insert(t);
      send(coordinator, round_done{});
      continue;
    }
    // Exactly one exit_msg (and, with a monitor, one DOWN), in signal order.
    std::optional<exit_msg> e;
    std::optional<down_msg> d;
    bool down_first = false;
    using event = std::variant<std::monostate, exit_msg, down_msg>;
    while (!e || (m && !d)) {
      const ref mr = m;
      stall_watch w;
      event got =
          co_await receive(on<exit_msg>(from_t, [](exit_msg& x) { return event(std::move(x)); }),
                           on<down_msg>([mr](const down_msg& x) { return mr && x.monitor == mr; },
                                        [](down_msg& x) { return event(std::move(x)); }),
                           after(wait_limit, [] { return event(); }));
      w.check(*f, got.index() != 0, "linker ", who, ": round ", go->round, ": exit_msg/DOWN");
      if (auto* x = std::get_if<exit_msg>(&got)) {
        e = std::move(*x);
      } else if (auto* y = std::get_if<down_msg>(&got)) {
        down_first = !e;
        d = std::move(*y);
      } else {
        f->add("linker ", who, ": round ", go->round, ": no ", e ? "DOWN" : "exit_msg", " from ",
               term(t).to_string(), " in 60 s (target alive: ", alive(t), ")");
        break;
      }
    }
    finished.insert(t);
    if (e) {
      ++rep.exits;
      const bool e_real = e->reason == expected;
      rep.real += e_real ? 1 : 0;
      f->check(e_real || e->reason == noproc, "linker ", who, ": round ", go->round,
               ": exit reason ", e->reason.to_string(), ", expected ", expected.to_string(),
               " or :noproc");
      f->check(!linked_to(t), "linker ", who, ": still linked after the exit_msg");
      if (d) {
        const bool d_real = d->reason == expected;
        f->check(d_real || d->reason == noproc, "linker ", who, ": DOWN reason ",
                 d->reason.to_string());
        f->check(d->object == term(t), "linker ", who, ": DOWN object ", d->object.to_string());
        if (e_real && d_real) {
          ++rep.both_real;
          f->check(!down_first, "linker ", who, ": round ", go->round,
                   ": DOWN arrived before the exit signal of the link");
        }
        if (variant == 1) {  // the monitor signal went first: if the link took, so did it
          f->check(!e_real || d_real, "linker ", who, ": link handled but earlier monitor not");
        } else {  // the link signal went first
          f->check(!d_real || e_real, "linker ", who, ": monitor handled but earlier link not");
        }
      }
    }
    send(coordinator, round_done{});
  }
  while (auto msg = co_await receive_any(0)) {
    if (msg->is<exit_msg>()) {
      const exit_msg& x = msg->get<exit_msg>();
      f->add("linker ", who, ": late exit_msg ", x.to_term().to_string(),
             finished.contains(x.from) ? " (a second one for its link)" : "");
    } else {
      f->add("linker ", who, ": unexpected message ", msg->to_term().to_string());
    }
  }
  send(coordinator, rep);
}

// Not trapping: dies with the target's reason or :noproc, or, when the target exits :normal,
// stays alive until told to stop.
co<void> plain_linker(pid t, std::uint32_t yields) {
  for (; yields > 0; --yields) {
    co_await yield();
  }
  (void)link(t);  // raises error(:noproc) when t is already dead
  co_await receive<stop>();
}

class LinkRaceStress : public ::testing::TestWithParam<unsigned> {};

TEST_P(LinkRaceStress, LinkingToAnExitingProcessGivesExactlyOneExit) {
  const int rounds = static_cast<int>(scaled(3000, 50, 1));
  const int linkers = 4;
  const int plain = 2;

  failures f;
  final_report total{0, 0, 0, 0};
  std::int64_t plain_noproc = 0;
  runtime rt(runtime_options{.schedulers = GetParam()});
  try {
    rt.run(
        [&]() -> co<void> {
          const pid me = self();
          const term noproc_error = tuple(atoms::noproc, stacktrace());
          std::vector<pid> ls;
          for (int i = 0; i < linkers; ++i) {
            ls.push_back(spawn(trapping_linker, i, me, &f, std::uint64_t(GetParam()) * 7919 + i));
          }
          for (int round = 0; round < rounds; ++round) {
            const auto how = static_cast<death>(round % 4);
            const pid t = spawn(target, how, round, (round / 16) % 3);
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
            std::vector<std::pair<pid, ref>> plains;
            for (int i = 0; i < plain; ++i) {
              plains.push_back(
                  spawn_monitor(plain_linker, t, static_cast<std::uint32_t>((round + i) % 3)));
            }
            // The trigger goes out at a different place among the go messages, or that many
            // yields after them, so that the exit falls at every stage of the other side.
            const int delay = (round / 4) % 4;
            const int trigger_at = delay == 0 ? round % (linkers + 1) : linkers;
            auto trigger = [&] {
              if (how == death::normal_return || how == death::exit_self) {
                send(t, target_go{});
              } else {
                otter::exit(t, how == death::killed ? term(atoms::kill) : expected);
              }
            };
            for (int i = 0; i < linkers; ++i) {
              if (i == trigger_at) {
                trigger();
              }
              send(ls[static_cast<std::size_t>(i)], round_go{t, expected, round});
            }
            for (int y = 0; y < delay; ++y) {
              co_await yield();
            }
            if (trigger_at == linkers) {
              trigger();
            }
            for (int i = 0; i < linkers; ++i) {
              stall_watch w(outer_wait_limit);
              auto d = co_await receive_for<round_done>(outer_wait_limit);
              w.check(f, d.has_value(), "round ", round, ": round_done");
              if (!f.check(d.has_value(), "round ", round, ": a linker did not finish")) {
                co_return;
              }
            }
            for (auto& [p, mref] : plains) {
              if (how == death::normal_return) {
                send(p, stop{});  // a linker that ignored :normal is still waiting
              }
              const ref pr = mref;
              stall_watch w;
              auto d = co_await receive_if<down_msg>(
                  [pr](const down_msg& x) { return x.monitor == pr; }, wait_limit);
              w.check(f, d.has_value(), "round ", round, ": DOWN of a non-trapping linker");
              if (!f.check(d.has_value(), "round ", round, ": a non-trapping linker of ",
                           term(t).to_string(), " did not die (target reason ",
                           expected.to_string(), ")")) {
                co_return;
              }
              const bool noproc = d->reason == term(atoms::noproc) || d->reason == noproc_error;
              plain_noproc += noproc ? 1 : 0;
              f.check(d->reason == expected || noproc, "round ", round,
                      ": non-trapping linker died with ", d->reason.to_string(), ", expected ",
                      expected.to_string(), " or :noproc");
            }
          }
          bool settled = co_await wait_until(
              [&] { return rt.process_count() == static_cast<std::size_t>(1 + linkers); });
          f.check(settled, "targets still counted as live: ", rt.process_count());
          for (pid l : ls) {
            send(l, final_check{});
          }
          for (int i = 0; i < linkers; ++i) {
            stall_watch w;
            auto rep = co_await receive_for<final_report>(wait_limit);
            w.check(f, rep.has_value(), "final_report");
            if (!f.check(rep.has_value(), "a linker did not report")) {
              co_return;
            }
            total.exits += rep->exits;
            total.real += rep->real;
            total.both_real += rep->both_real;
            total.unlinks += rep->unlinks;
          }
        },
        run_limit);
  } catch (const run_error& e) {
    ADD_FAILURE() << "run: " << e.what();
  }
  if (verbose()) {
    std::printf(
        "link race: %d rounds, %lld exit_msgs (%lld with the real reason, %lld also with "
        "a real DOWN), %lld unlinks; non-trapping linkers: %lld died :noproc\n",
        rounds, static_cast<long long>(total.exits), static_cast<long long>(total.real),
        static_cast<long long>(total.both_real), static_cast<long long>(total.unlinks),
        static_cast<long long>(plain_noproc));
  }
  OTTER_STRESS_EXPECT_NO_FAILURES(f);
  EXPECT_EQ(total.exits + total.unlinks, std::int64_t{rounds} * linkers);
  EXPECT_EQ(wait_process_count(rt, 0), 0U);
}

INSTANTIATE_TEST_SUITE_P(Threaded, LinkRaceStress, ::testing::Values(2U, 4U), schedulers_name);

}  // namespace
}  // namespace otter::stress
