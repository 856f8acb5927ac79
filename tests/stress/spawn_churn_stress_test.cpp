// Stress: spawn churn, and stale pids never reaching a later incarnation.
//
// Eight spawner processes (100,000 spawns by default) (spread over the schedulers by work stealing)
// spawn short-lived children in waves, as spawn, spawn_link (the spawner traps exits) or
// spawn_monitor; children exit by returning, by exit/1 or by throwing, and some spawn a grandchild.
// Slots of the process table are therefore freed and reused all the time, from every scheduler.
//
// Every spawned pid goes into a shared sample ring. After each spawn the spawner sends a
// `tagged{pid}` message to two sampled pids (a recent one, often alive, and an older one, often
// dead and its slot reused). pid.hpp promises that a pid never reaches a later process: so every
// process that receives a tagged message must find its own pid in it.
//
// Also checked: every spawned process runs (started == spawned), every linked child's exit
// arrives exactly once as exit_msg with its reason, every monitored child's DOWN exactly once
// with its reason, the spawners receive no tagged message, and process_count() returns to the
// baseline (ASan checks that nothing leaks).

#include "stress/stress_support.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <unordered_map>

namespace otter::stress {
namespace {

struct tagged {
  pid to;
};
struct spawner_done {
  std::int64_t spawned;
};

struct shared_state {
  static constexpr std::size_t ring_size = 4096;
  std::array<std::atomic<std::uint64_t>, ring_size> ring{};  // pid values
  std::atomic<std::uint64_t> ring_next{0};
  std::atomic<std::int64_t> spawned{0};
  std::atomic<std::int64_t> started{0};
  std::atomic<std::int64_t> tagged_ok{0};  // informative: tagged messages that reached their pid

  void remember(pid p) noexcept {
    std::uint64_t i = ring_next.fetch_add(1, std::memory_order_relaxed);
    ring[i % ring_size].store(p.value(), std::memory_order_relaxed);
  }
  /// A pid spawned `back` spawns ago (about), or the null pid.
  pid recall(std::uint64_t back) const noexcept {
    std::uint64_t n = ring_next.load(std::memory_order_relaxed);
    if (n == 0) {
      return {};
    }
    back = back % std::min<std::uint64_t>(n, ring_size);
    std::uint64_t v = ring[(n - 1 - back) % ring_size].load(std::memory_order_relaxed);
    return pid(static_cast<std::uint32_t>(v >> 32), static_cast<std::uint32_t>(v));
  }
};

enum class ending : std::uint32_t { normal = 0, exit_reason = 1, thrown = 2 };

ending ending_of(std::uint32_t how) {
  // exit/1 and throwing unwind the coroutine, which is slow under ASan: 1 in 16 each.
  switch (how % 16) {
    case 14:
      return ending::exit_reason;
    case 15:
      return ending::thrown;
    default:
      return ending::normal;
  }
}

const term& reason_of(ending e) {
  static const term normal = atoms::normal;
  static const term churned = atom("churned");
  static const term thrown =
      tuple(term::structure("RuntimeError", {{atom("message"), term("churn")}}), stacktrace());
  switch (e) {
    case ending::exit_reason:
      return churned;
    case ending::thrown:
      return thrown;
    case ending::normal:
      break;
  }
  return normal;
}

/// Takes every tagged message in the mailbox now and checks it names this process.
co<void> check_tagged(pid me, shared_state* s, failures* f) {
  while (auto m = co_await receive_any(0)) {
    if (m->is<tagged>()) {
      pid to = m->get<tagged>().to;
      if (f->check(to == me, "process ", term(me).to_string(), " received a message sent to pid ",
                   term(to).to_string())) {
        s->tagged_ok.fetch_add(1, std::memory_order_relaxed);
      }
    } else {
      f->add("child ", term(me).to_string(), " received ", m->to_term().to_string());
    }
  }
}

co<void> churn_child(std::uint32_t how, bool may_spawn, shared_state* s, failures* f) {
  s->started.fetch_add(1, std::memory_order_relaxed);
  const pid me = self();
  co_await check_tagged(me, s, f);
  if (may_spawn && how % 8 == 3) {
    s->spawned.fetch_add(1, std::memory_order_relaxed);
    pid g = spawn(churn_child, how / 8, false, s, f);
    s->remember(g);
  }
  co_await yield();
  co_await check_tagged(me, s, f);
  switch (ending_of(how)) {
    case ending::normal:
      co_return;
    case ending::exit_reason:
      otter::exit(atom("churned"));
    case ending::thrown:
      throw std::runtime_error("churn");
  }
}

co<void> spawner(int id, int waves, int batch, pid coordinator, shared_state* s, failures* f) {
  (void)trap_exit(true);
  rng r(static_cast<std::uint64_t>(id) + 1);
  const pid me = self();
  std::unordered_map<pid, ending> linked;
  std::unordered_map<ref, std::pair<pid, ending>> monitored;
  std::int64_t spawned = 0;
  for (int w = 0; w < waves; ++w) {
    for (int b = 0; b < batch; ++b) {
      const auto how = static_cast<std::uint32_t>(r.next() >> 40);
      const std::uint32_t mode = r.below(3);
      pid c;
      if (mode == 0) {
        c = spawn(churn_child, how, true, s, f);
      } else if (mode == 1) {
        c = spawn_link(churn_child, how, true, s, f);
        linked.emplace(c, ending_of(how));
      } else {
        auto [p, m] = spawn_monitor(churn_child, how, true, s, f);
        c = p;
        monitored.emplace(m, std::make_pair(p, ending_of(how)));
      }
      ++spawned;
      s->spawned.fetch_add(1, std::memory_order_relaxed);
      s->remember(c);
      for (std::uint64_t back : {std::uint64_t{r.below(8)}, std::uint64_t{r.below(4096)}}) {
        pid old = s->recall(back);
        if (!old.is_null()) {
          send(old, tagged{old});
        }
      }
    }
    // Collect the wave: one exit_msg per linked child, one DOWN per monitored child.
    while (!linked.empty() || !monitored.empty()) {
      stall_watch sw;
      auto m = co_await receive_any(wait_limit);
      sw.check(*f, m.has_value(), "spawner ", id, ": exit_msg/DOWN");
      if (!f->check(m.has_value(), "spawner ", id, ": ", linked.size(), " exit_msgs and ",
                    monitored.size(), " DOWNs never arrived")) {
        co_return;
      }
      if (m->is<exit_msg>()) {
        const exit_msg& e = m->get<exit_msg>();
        auto it = linked.find(e.from);
        if (!f->check(it != linked.end(), "spawner ", id, ": exit_msg from ",
                      e.from == pid() ? std::string("nobody") : term(e.from).to_string(),
                      " which is not a live linked child: ", e.to_term().to_string())) {
          continue;
        }
        f->check(e.reason == reason_of(it->second), "spawner ", id, ": linked child exited ",
                 e.reason.to_string(), ", expected ", reason_of(it->second).to_string());
        linked.erase(it);
      } else if (m->is<down_msg>()) {
        const down_msg& d = m->get<down_msg>();
        auto it = monitored.find(d.monitor);
        if (!f->check(it != monitored.end(), "spawner ", id, ": unexpected DOWN ",
                      d.to_term().to_string())) {
          continue;
        }
        f->check(d.object == term(it->second.first), "spawner ", id, ": DOWN object ",
                 d.object.to_string());
        f->check(d.reason == reason_of(it->second.second), "spawner ", id,
                 ": monitored child exited ", d.reason.to_string(), ", expected ",
                 reason_of(it->second.second).to_string());
        monitored.erase(it);
      } else if (m->is<tagged>()) {
        f->add("spawner ", id, " (", term(me).to_string(), ") received a message sent to ",
               term(m->get<tagged>().to).to_string());
      } else {
        f->add("spawner ", id, ": unexpected message ", m->to_term().to_string());
      }
    }
  }
  while (auto m = co_await receive_any(0)) {
    f->add("spawner ", id, ": unexpected message at the end ", m->to_term().to_string());
  }
  send(coordinator, spawner_done{spawned});
}

class SpawnChurnStress : public ::testing::TestWithParam<unsigned> {};

TEST_P(SpawnChurnStress, StalePidsNeverReachLaterIncarnations) {
  const int spawners = 8;
  const int batch = 256;
  // 100,000 spawns (plus about 12% grandchildren) take a few seconds in the Debug ASan build;
  // OTTER_STRESS_SCALE=10 makes it a million.
  const std::int64_t wanted = scaled(100000, 8 * 256, 2);
  const int waves = static_cast<int>(std::max<std::int64_t>(1, wanted / (spawners * batch)));

  failures f;
  auto s = std::make_unique<shared_state>();
  std::int64_t by_spawners = 0;
  runtime rt(runtime_options{.schedulers = GetParam()});
  try {
    by_spawners = rt.run(
        [&]() -> co<std::int64_t> {
          const pid me = self();
          for (int i = 0; i < spawners; ++i) {
            (void)spawn(spawner, i, waves, batch, me, s.get(), &f);
          }
          std::int64_t n = 0;
          for (int i = 0; i < spawners; ++i) {
            stall_watch w(outer_wait_limit);
            auto d = co_await receive_for<spawner_done>(outer_wait_limit);
            w.check(f, d.has_value(), "spawner_done");
            if (!f.check(d.has_value(), "only ", i, " of ", spawners, " spawners finished")) {
              break;
            }
            n += d->spawned;
          }
          co_return n;
        },
        run_limit);
  } catch (const run_error& e) {
    ADD_FAILURE() << "run: " << e.what();
  }
  EXPECT_EQ(wait_process_count(rt, 0), 0U);
  if (verbose()) {
    std::printf(
        "spawn churn: %lld processes spawned (%lld by the spawners), %lld tagged messages "
        "reached their process\n",
        static_cast<long long>(s->spawned.load()), static_cast<long long>(by_spawners),
        static_cast<long long>(s->tagged_ok.load()));
  }
  OTTER_STRESS_EXPECT_NO_FAILURES(f);
  EXPECT_EQ(by_spawners, std::int64_t{spawners} * waves * batch);
  EXPECT_EQ(s->started.load(), s->spawned.load());
}

INSTANTIATE_TEST_SUITE_P(Threaded, SpawnChurnStress, ::testing::Values(2U, 4U), schedulers_name);

}  // namespace
}  // namespace otter::stress
