// Stress: lookups and registrations while registry partitions die and restart.
//
// A churner kills random partitions of a unique and a duplicate registry (4 partitions each);
// the registries' supervisors restart them (unique: all partitions, one_for_all; duplicate:
// the one, one_for_one) and give up after 3 restarts in 5 s, so the churner also restarts a
// registry that has stopped. Meanwhile registrants (half trapping exits, half not, so that
// partition deaths kill some) register and unregister random keys, with values naming
// themselves, and lookup processes read random keys. Checked:
//   - registrations either succeed or fail with the errors Elixir gives (:noproc from the link
//     to a dead partition, :badarg from the write to its table, ArgumentError for a registry
//     that is restarting); nothing else escapes, nothing hangs;
//   - every entry read is well formed: a unique key has at most one, and its value names its
//     owner and key;
//   - when a registrant's DOWN arrives, no entry of it is left in either registry;
//   - once everything has stopped, both registries are empty.

#include "otter/core/logger.hpp"
#include "otter/otp/registry.hpp"

#include "stress/stress_support.hpp"

#include <memory>
#include <stdexcept>

namespace otter::stress {
namespace {

atom uni() {
  static const atom a("Elixir.StressChurnU");
  return a;
}
atom dup() {
  static const atom a("Elixir.StressChurnD");
  return a;
}
constexpr int key_space = 48;
constexpr int partitions = 4;

struct stop {};
struct quit {};

struct counters {
  std::atomic<std::int64_t> registered{0};
  std::atomic<std::int64_t> refused{0};
  std::atomic<std::int64_t> lookups{0};
  std::atomic<std::int64_t> kills{0};
  std::atomic<std::int64_t> restarts{0};
};

/// Runs `op`, counting the refusals a registry being restarted may give; anything else fails.
template <class F>
bool attempt(F op, counters* c, failures* f) {
  try {
    op();
    return true;
  } catch (const error_exception& e) {
    f->check(e.reason().is(atoms::noproc) || e.reason().is(atoms::badarg), "unexpected error ",
             e.reason().to_string());
  } catch (const std::invalid_argument& e) {
    f->check(std::string(e.what()).rfind("unknown registry", 0) == 0, "unexpected ArgumentError ",
             e.what());
  }
  c->refused.fetch_add(1, std::memory_order_relaxed);
  return false;
}

co<void> registrant(int seed, bool trapping, int ops, counters* c, failures* f) {
  trap_exit(trapping);
  rng r(static_cast<std::uint64_t>(seed));
  const pid me = self();
  for (int n = 0; n < ops; ++n) {
    const term key = tuple(atom("k"), static_cast<int>(r.below(key_space)));
    const term value = tuple(me, key);
    switch (r.below(5)) {
      case 0:
      case 1:
        attempt(
            [&] {
              if (registry::register_key(uni(), key, value)) {
                c->registered.fetch_add(1, std::memory_order_relaxed);
              }
            },
            c, f);
        break;
      case 2:
        attempt(
            [&] {
              (void)registry::register_key(dup(), key, value);
              c->registered.fetch_add(1, std::memory_order_relaxed);
            },
            c, f);
        break;
      case 3:
        attempt([&] { (void)registry::unregister(uni(), key); }, c, f);
        break;
      default:
        attempt([&] { (void)registry::unregister_match(dup(), key, atom("_")); }, c, f);
        break;
    }
    if (n % 8 == 0) {
      // Exits of partitions we were linked to (when trapping), and a chance to be stopped.
      for (;;) {
        auto m = co_await receive_any(std::chrono::milliseconds(0));
        if (!m) {
          break;
        }
        if (m->is<stop>()) {
          co_return;
        }
      }
      co_await yield();
    }
  }
  co_await receive<stop>();
}

/// Entries of `p` left in the registries (a stopped registry has none).
std::string leftovers(pid p) {
  std::string out;
  for (atom reg : {uni(), dup()}) {
    try {
      for (int k = 0; k < key_space; ++k) {
        for (const auto& e : registry::lookup(reg, tuple(atom("k"), k))) {
          if (e.owner == p) {
            out += " " + e.to_term().to_string();
          }
        }
      }
    } catch (const std::invalid_argument&) {
      // restarting: its entries went with it
    }
  }
  return out;
}

/// Keeps `count` registrants alive until told to quit, checking each one's DOWN.
co<void> spawner(int count, int ops, pid coordinator, counters* c, failures* f) {
  int next = 0;
  std::vector<std::pair<pid, ref>> live;
  auto start_one = [&] {
    const bool trapping = next % 2 == 0;
    pid p = spawn(registrant, 1000 + next, trapping, ops, c, f);
    ++next;
    live.emplace_back(p, monitor(p));
  };
  for (int i = 0; i < count; ++i) {
    start_one();
  }
  bool quitting = false;
  while (!live.empty()) {
    auto got = co_await receive(
        on<down_msg>([](down_msg& d) { return std::optional<down_msg>(std::move(d)); }),
        on<quit>([](quit&) { return std::optional<down_msg>(); }));
    if (!got) {
      quitting = true;
      for (const auto& [p, m] : live) {
        send(p, stop{});
      }
      continue;
    }
    auto it = std::find_if(live.begin(), live.end(),
                           [&](const auto& x) { return x.second == got->monitor; });
    if (it == live.end()) {
      continue;
    }
    const pid dead = it->first;
    live.erase(it);
    std::string left = leftovers(dead);
    f->check(left.empty(), "entries of a registrant after its DOWN (", got->reason.to_string(),
             "):", left);
    if (!quitting) {
      start_one();  // a registrant killed with its partition, or done: replace it
    }
  }
  send(coordinator, quit{});
}

co<void> reader(int seed, counters* c, failures* f) {
  rng r(static_cast<std::uint64_t>(seed));
  for (std::int64_t n = 0;; ++n) {
    if (n % 32 == 0) {
      if (co_await receive_for<stop>(std::chrono::milliseconds(0))) {
        co_return;
      }
      co_await yield();
    }
    const term key = tuple(atom("k"), static_cast<int>(r.below(key_space)));
    try {
      std::vector<registry::entry> u = registry::lookup(uni(), key);
      f->check(u.size() <= 1, "a unique key with ", u.size(), " entries");
      for (const auto& e : registry::lookup(dup(), key)) {
        u.push_back(e);
      }
      for (const auto& e : u) {
        f->check(e.value == tuple(e.owner, key), "a malformed entry ", e.to_term().to_string(),
                 " under ", key.to_string());
      }
      c->lookups.fetch_add(1, std::memory_order_relaxed);
    } catch (const std::invalid_argument&) {
      // restarting
    }
  }
}

co<start_result> start_registry(atom name, registry::kind kind) {
  registry::options opts{.keys = kind, .name = name, .partitions = partitions};
  co_return co_await registry::start_link(std::move(opts));
}

class RegistryChurnStress : public ::testing::TestWithParam<unsigned> {};

TEST_P(RegistryChurnStress, LookupsAndRegistrationsDuringPartitionChurn) {
  const int kills = static_cast<int>(scaled(300, 30, 5));
  const int registrants = 12;
  const int ops = 400;
  runtime rt(runtime_options{.schedulers = GetParam()});
  failures f;
  counters c;
  // Supervisor reports (a partition killed, a registry giving up) are expected here.
  log_sink previous = set_log_sink({});
  try {
    rt.run(
        [&]() -> co<void> {
          trap_exit(true);  // the registries' supervisors are linked to us and may give up
          (void)co_await start_registry(uni(), registry::kind::unique);
          (void)co_await start_registry(dup(), registry::kind::duplicate);
          const pid me = self();
          pid sp = spawn(spawner, registrants, ops, me, &c, &f);
          std::vector<pid> readers;
          for (int i = 0; i < 2; ++i) {
            readers.push_back(spawn(reader, i + 7, &c, &f));
          }
          rng r(99);
          for (int n = 0; n < kills; ++n) {
            const bool on_unique = r.below(2) == 0;
            const atom reg = on_unique ? uni() : dup();
            if (whereis(reg).is_null()) {
              // The registry gave up (restart intensity): start it again.
              start_result s = co_await start_registry(
                  reg, on_unique ? registry::kind::unique : registry::kind::duplicate);
              if (s) {
                c.restarts.fetch_add(1, std::memory_order_relaxed);
              }
              continue;
            }
            const int i = static_cast<int>(r.below(partitions));
            pid part = whereis(atom(std::string(reg.name()) + ".PIDPartition" + std::to_string(i)));
            if (!part.is_null()) {
              otter::exit(part, atoms::kill);
              c.kills.fetch_add(1, std::memory_order_relaxed);
            }
            co_await otter::sleep(std::chrono::milliseconds(r.below(3)));
            while (co_await receive_for<exit_msg>(std::chrono::milliseconds(0))) {
            }
          }
          send(sp, quit{});
          auto done = co_await receive_for<quit>(outer_wait_limit);
          f.check(done.has_value(), "the spawner never finished");
          for (pid p : readers) {
            send(p, stop{});
          }
          for (atom reg : {uni(), dup()}) {
            try {
              f.check(registry::count(reg) == 0, reg.name(),
                      " not empty at the end: ", registry::count(reg));
            } catch (const std::invalid_argument&) {
              // stopped by its last restart: empty too
            }
          }
        },
        run_limit);
  } catch (const run_error& e) {
    ADD_FAILURE() << "run: " << e.what();
  }
  set_log_sink(std::move(previous));
  OTTER_STRESS_EXPECT_NO_FAILURES(f);
  EXPECT_GT(c.registered.load(), 0);
  EXPECT_GT(c.lookups.load(), 0);
  EXPECT_GT(c.kills.load(), 0);
  if (verbose()) {
    std::printf(
        "registry churn: %lld registered, %lld refused, %lld lookups, %lld kills, "
        "%lld registry restarts\n",
        static_cast<long long>(c.registered.load()), static_cast<long long>(c.refused.load()),
        static_cast<long long>(c.lookups.load()), static_cast<long long>(c.kills.load()),
        static_cast<long long>(c.restarts.load()));
  }
}

INSTANTIATE_TEST_SUITE_P(Threaded, RegistryChurnStress, ::testing::Values(2U, 4U), schedulers_name);

}  // namespace
}  // namespace otter::stress
