// Stress: exit watches (otter/core/exit_watch.hpp) added and removed while their targets exit.
//
// Each round a coordinator spawns targets; watcher processes on every scheduler watch each
// target with one watch object per (watcher, target), unwatch about half of them, and the
// target exits at the same moment (returning, or killed by a watcher). Checked:
//   - a watch that was added (watch_exit returned true) and not removed runs exactly once;
//   - a removed watch runs at most once (its target may have been exiting already);
//   - watch_exit returns false only for a target that has exited (its own watches all ran).
// Counts are compared once every target's slot is finalised.

#include "stress/stress_support.hpp"

#include <memory>

namespace otter::stress {
namespace {

struct target_go {};
struct never {};
struct watch_round {
  std::vector<pid> targets;
  int round;
};
struct watch_done {
  std::int64_t kept;
  std::int64_t removed;
  std::int64_t refused;
};

class counting_watch : public exit_watch {
public:
  void process_exited(pid /*who*/, const term& /*reason*/) noexcept override {
    runs.fetch_add(1, std::memory_order_relaxed);
  }
  std::atomic<int> runs{0};
};

struct shared_watches {
  std::mutex mu;
  std::vector<std::shared_ptr<counting_watch>> kept;
  std::vector<std::shared_ptr<counting_watch>> removed;
};

co<void> target(bool wait_for_kill) {
  if (wait_for_kill) {
    co_await receive<never>();
  }
  co_await receive<target_go>();
}

co<void> watcher(int id, int rounds, pid coordinator, shared_watches* s, failures* f) {
  rng r(static_cast<std::uint64_t>(id) * 7919 + 1);
  for (int n = 0; n < rounds; ++n) {
    auto msg = co_await receive_for<watch_round>(wait_limit);
    if (!f->check(msg.has_value(), "watcher ", id, ": round ", n, " never came")) {
      co_return;
    }
    watch_done done{0, 0, 0};
    std::vector<std::shared_ptr<counting_watch>> kept;
    std::vector<std::shared_ptr<counting_watch>> removed;
    for (pid t : msg->targets) {
      auto w = std::make_shared<counting_watch>();
      if (!watch_exit(t, w)) {
        ++done.refused;
        continue;
      }
      if (r.below(2) == 0) {
        unwatch_exit(t, w.get());
        removed.push_back(std::move(w));
        ++done.removed;
      } else {
        kept.push_back(std::move(w));
        ++done.kept;
      }
      if (r.below(16) == 0) {
        otter::exit(t, atoms::kill);
      } else if (r.below(4) == 0) {
        send(t, target_go{});
      }
      if (r.below(4) == 0) {
        co_await yield();
      }
    }
    {
      std::lock_guard<std::mutex> lock(s->mu);
      for (auto& w : kept) {
        s->kept.push_back(std::move(w));
      }
      for (auto& w : removed) {
        s->removed.push_back(std::move(w));
      }
    }
    send(coordinator, done);
  }
}

class ExitWatchStress : public ::testing::TestWithParam<unsigned> {};

TEST_P(ExitWatchStress, EveryKeptWatchRunsOnceAndNoRemovedOneTwice) {
  const int rounds = static_cast<int>(scaled(200, 10));
  const int per_round = 32;
  const int watchers = 4;
  runtime rt(runtime_options{.schedulers = GetParam()});
  failures f;
  shared_watches s;
  try {
    rt.run(
        [&]() -> co<void> {
          std::vector<pid> ws;
          for (int i = 0; i < watchers; ++i) {
            ws.push_back(spawn(watcher, i, rounds, self(), &s, &f));
          }
          for (int n = 0; n < rounds; ++n) {
            std::vector<pid> targets;
            for (int i = 0; i < per_round; ++i) {
              targets.push_back(spawn(target, i % 8 == 0));
            }
            for (pid w : ws) {
              send(w, watch_round{targets, n});
            }
            for (pid t : targets) {
              send(t, target_go{});
              otter::exit(t, atoms::kill);  // the ones waiting for `never`
            }
            for (int i = 0; i < watchers; ++i) {
              auto d = co_await receive_for<watch_done>(outer_wait_limit);
              if (!f.check(d.has_value(), "round ", n, ": a watcher never finished")) {
                co_return;
              }
            }
          }
        },
        run_limit);
  } catch (const run_error& e) {
    ADD_FAILURE() << "run: " << e.what();
  }
  EXPECT_EQ(wait_process_count(rt, 0), 0U);
  OTTER_STRESS_EXPECT_NO_FAILURES(f);
  std::int64_t bad_kept = 0;
  std::int64_t bad_removed = 0;
  for (auto& w : s.kept) {
    bad_kept += w->runs.load() != 1 ? 1 : 0;
  }
  for (auto& w : s.removed) {
    bad_removed += w->runs.load() > 1 ? 1 : 0;
  }
  EXPECT_EQ(bad_kept, 0) << "of " << s.kept.size() << " kept watches";
  EXPECT_EQ(bad_removed, 0) << "of " << s.removed.size() << " removed watches";
  EXPECT_FALSE(s.kept.empty());
}

INSTANTIATE_TEST_SUITE_P(Threaded, ExitWatchStress, ::testing::Values(2U, 4U), schedulers_name);

}  // namespace
}  // namespace otter::stress
