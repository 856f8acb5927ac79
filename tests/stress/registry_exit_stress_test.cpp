// Stress: processes dying while registered (otter/otp/registry.hpp).
//
// Each round, workers register keys in a unique and a duplicate registry (4 partitions each,
// so registrations and removals cross partitions), report ready, and then end in one of four
// ways at the same moment: returning, exiting abnormally, killed, or after a few yields. Checker
// processes on the other schedulers monitor every worker and, as each DOWN arrives, look its
// keys up at once: the registry removes a process's entries during its exit, before its DOWN,
// so NO entry of a worker may be found then (no waiting, no "eventually"). Meanwhile lookup
// processes read random keys of the round and check what they see is well formed. At the end
// both registries are empty.

#include "otter/otp/registry.hpp"

#include "stress/stress_support.hpp"

#include <algorithm>
#include <memory>

namespace otter::stress {
namespace {

atom uni() {
  static const atom a("Elixir.StressExitU");
  return a;
}
atom dup() {
  static const atom a("Elixir.StressExitD");
  return a;
}
constexpr int keys_per_worker = 6;
constexpr int topics = 4;

struct go {};
struct ready {
  int id;
};
struct check_round {
  std::vector<std::pair<pid, int>> workers;  // pid, id
};
struct monitoring {};
struct round_checked {};
struct stop_reading {};

term worker_key(int id, int i) {
  return tuple(atom("w"), id, i);
}
term topic(int id) {
  return tuple(atom("topic"), id % topics);
}

co<void> worker(int id, pid coordinator) {
  for (int i = 0; i < keys_per_worker; ++i) {
    (void)registry::register_key(uni(), worker_key(id, i), i);
    (void)registry::register_key(dup(), topic(id), tuple(id, i));
  }
  send(coordinator, ready{id});
  co_await receive<go>();
  switch (id % 4) {
    case 0:
      co_return;
    case 1:
      otter::exit(atom("boom"));
    case 2:
      co_await receive<stop_reading>();  // never sent to workers: killed while waiting
      co_return;
    default:
      for (int i = 0; i < id % 7; ++i) {
        co_await yield();
      }
      co_return;
  }
}

/// The entries of worker `id` (pid `w`) still in the registries, as text (empty when none).
std::string leftovers(pid w, int id) {
  std::string out;
  for (int i = 0; i < keys_per_worker; ++i) {
    for (const auto& e : registry::lookup(uni(), worker_key(id, i))) {
      out += " unique " + e.to_term().to_string();
    }
  }
  for (const auto& e : registry::lookup(dup(), topic(id))) {
    if (e.owner == w) {
      out += " duplicate " + e.to_term().to_string();
    }
  }
  if (!registry::keys(uni(), w).empty() || !registry::keys(dup(), w).empty()) {
    out += " keys()";
  }
  return out;
}

co<void> checker(int rounds, pid coordinator, failures* f) {
  for (int n = 0; n < rounds; ++n) {
    auto r = co_await receive_for<check_round>(wait_limit);
    if (!f->check(r.has_value(), "checker: round ", n, " never came")) {
      co_return;
    }
    std::vector<std::pair<ref, std::pair<pid, int>>> mons;
    for (const auto& w : r->workers) {
      mons.emplace_back(monitor(w.first), w);
    }
    send(coordinator, monitoring{});
    for (std::size_t k = 0; k < mons.size(); ++k) {
      auto d = co_await receive_for<down_msg>(wait_limit);
      if (!f->check(d.has_value(), "checker: a DOWN never came in round ", n)) {
        co_return;
      }
      auto it = std::find_if(mons.begin(), mons.end(),
                             [&](const auto& m) { return m.first == d->monitor; });
      if (it == mons.end()) {
        f->add("checker: an unknown DOWN");
        continue;
      }
      f->check(!d->reason.is(atoms::noproc), "checker: worker ", it->second.second,
               " was dead before it was monitored");
      std::string left = leftovers(it->second.first, it->second.second);
      f->check(left.empty(), "round ", n, ": worker ", it->second.second,
               " has entries after its DOWN:", left);
    }
    send(coordinator, round_checked{});
  }
}

co<void> reader(int seed, std::shared_ptr<std::atomic<int>> newest, failures* f) {
  rng r(static_cast<std::uint64_t>(seed));
  for (std::int64_t n = 0;; ++n) {
    if (n % 64 == 0) {
      auto stop = co_await receive_for<stop_reading>(std::chrono::milliseconds(0));
      if (stop) {
        co_return;
      }
    }
    const int top = newest->load(std::memory_order_relaxed);
    const int id = top > 0 ? static_cast<int>(r.below(static_cast<std::uint32_t>(top))) : 0;
    const int i = static_cast<int>(r.below(keys_per_worker));
    std::vector<registry::entry> u = registry::lookup(uni(), worker_key(id, i));
    f->check(u.size() <= 1, "reader: a unique key with ", u.size(), " entries");
    for (const auto& e : u) {
      f->check(e.value == term(i), "reader: unique value ", e.to_term().to_string());
    }
    for (const auto& e : registry::lookup(dup(), topic(id))) {
      f->check(
          e.value.is_tuple() && e.value.size() == 2 && e.value[0].as_int() % topics == id % topics,
          "reader: duplicate value ", e.to_term().to_string());
    }
    if (n % 16 == 0) {
      co_await yield();
    }
  }
}

class RegistryExitStress : public ::testing::TestWithParam<unsigned> {};

TEST_P(RegistryExitStress, NoEntrySurvivesItsProcess) {
  const int rounds = static_cast<int>(scaled(60, 5, 2));
  const int per_round = 24;
  const int checkers = 2;
  runtime rt(runtime_options{.schedulers = GetParam()});
  failures f;
  auto newest = std::make_shared<std::atomic<int>>(0);
  try {
    rt.run(
        [&]() -> co<void> {
          registry::options uo{.keys = registry::kind::unique, .name = uni(), .partitions = 4};
          registry::options dpo{.keys = registry::kind::duplicate, .name = dup(), .partitions = 4};
          (void)co_await registry::start_link(uo);
          (void)co_await registry::start_link(dpo);
          const pid me = self();
          std::vector<pid> cs;
          for (int i = 0; i < checkers; ++i) {
            cs.push_back(spawn(checker, rounds, me, &f));
          }
          std::vector<pid> readers;
          for (int i = 0; i < 2; ++i) {
            readers.push_back(spawn(reader, i + 1, newest, &f));
          }
          int next_id = 0;
          for (int n = 0; n < rounds; ++n) {
            check_round round;
            for (int i = 0; i < per_round; ++i) {
              round.workers.emplace_back(spawn(worker, next_id, me), next_id);
              ++next_id;
            }
            for (int i = 0; i < per_round; ++i) {
              auto r = co_await receive_for<ready>(outer_wait_limit);
              if (!f.check(r.has_value(), "round ", n, ": a worker never got ready")) {
                co_return;
              }
            }
            newest->store(next_id, std::memory_order_relaxed);
            for (pid c : cs) {
              send(c, round);
            }
            for (int i = 0; i < checkers; ++i) {
              (void)co_await receive_for<monitoring>(outer_wait_limit);
            }
            for (const auto& [w, id] : round.workers) {
              if (id % 4 == 2) {
                otter::exit(w, atoms::kill);
              } else {
                send(w, go{});
              }
            }
            for (int i = 0; i < checkers; ++i) {
              auto d = co_await receive_for<round_checked>(outer_wait_limit);
              if (!f.check(d.has_value(), "round ", n, ": a checker never finished")) {
                co_return;
              }
            }
          }
          for (pid r : readers) {
            send(r, stop_reading{});
          }
          f.check(registry::count(uni()) == 0,
                  "unique registry not empty: ", registry::count(uni()));
          f.check(registry::count(dup()) == 0,
                  "duplicate registry not empty: ", registry::count(dup()));
        },
        run_limit);
  } catch (const run_error& e) {
    ADD_FAILURE() << "run: " << e.what();
  }
  OTTER_STRESS_EXPECT_NO_FAILURES(f);
}

INSTANTIATE_TEST_SUITE_P(Threaded, RegistryExitStress, ::testing::Values(2U, 4U), schedulers_name);

}  // namespace
}  // namespace otter::stress
