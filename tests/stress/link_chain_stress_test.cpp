// Stress: link chains killed at once.
//
// `chains` chains of `length` processes (100 x 1,000 = 100,000 by default, under TSan too):
// each process spawn_links the next one and waits in receive. An observer per chain monitors
// every process of its chain before the chain grows further (the process waits for the
// observer's `monitored` message, which the monitor signal precedes), so when the tail reports,
// every process of every chain is alive, linked to its neighbours and monitored.
//
// Then the head of every chain is killed with exit(head, :kill) by several killer processes at
// once (every head by two of them) and by a plain std::thread through runtime::exit. As in
// Erlang, a killed process exits :killed and its linked neighbours receive :killed and die with
// it, all the way down the chain. Checked: exactly one DOWN per process, with reason :killed and
// the right object; process_count() exact while the chains stand, and back to the baseline
// after (ASan checks that nothing leaks).

#include "stress/stress_support.hpp"

#include <future>
#include <unordered_map>

namespace otter::stress {
namespace {

struct hello {
  pid who;
};
struct monitored {};
struct never {};
struct chain_ready {
  int chain;
};
struct chain_report {
  int chain;
  std::int64_t downs;
};
struct go_kill {
  std::vector<pid> heads;
};
struct kill_done {};

// One link of a chain: announce yourself, wait until the observer monitors you, grow the chain
// by one (spawn_link), then wait forever (until the :killed signal comes down the chain).
co<void> chain_link(pid observer, pid coordinator, int chain, int remaining) {
  send(observer, hello{self()});
  co_await receive<monitored>();
  if (remaining > 1) {
    (void)spawn_link(chain_link, observer, coordinator, chain, remaining - 1);
  } else {
    send(coordinator, chain_ready{chain});
  }
  co_await receive<never>();
}

co<void> chain_observer(pid coordinator, int chain, int length, failures* f) {
  std::unordered_map<ref, pid> refs;
  refs.reserve(static_cast<std::size_t>(length));
  for (int i = 0; i < length; ++i) {
    stall_watch w;
    auto h = co_await receive_for<hello>(wait_limit);
    w.check(*f, h.has_value(), "chain ", chain, ": hello ", i);
    if (!f->check(h.has_value(), "chain ", chain, ": only ", i, " of ", length,
                  " processes said hello")) {
      send(coordinator, chain_report{chain, 0});
      co_return;
    }
    refs.emplace(monitor(h->who), h->who);
    send(h->who, monitored{});
  }
  std::int64_t downs = 0;
  while (downs < length) {
    stall_watch w;
    auto d = co_await receive_for<down_msg>(wait_limit);
    w.check(*f, d.has_value(), "chain ", chain, ": DOWN ", downs);
    if (!f->check(d.has_value(), "chain ", chain, ": only ", downs, " of ", length,
                  " DOWNs arrived (processes left alive)")) {
      break;
    }
    auto it = refs.find(d->monitor);
    if (!f->check(it != refs.end(), "chain ", chain,
                  ": DOWN for an unknown or already fired monitor ", d->to_term().to_string())) {
      continue;
    }
    f->check(d->object == term(it->second), "chain ", chain, ": DOWN object ",
             d->object.to_string(), " for a monitor of ", term(it->second).to_string());
    f->check(d->reason == term(atoms::killed), "chain ", chain, ": DOWN reason ",
             d->reason.to_string(), ", expected :killed");
    refs.erase(it);
    ++downs;
  }
  // Whatever else is in the mailbox now is a DOWN too many.
  while (auto m = co_await receive_any(0)) {
    f->add("chain ", chain, ": unexpected message after all DOWNs: ", m->to_term().to_string());
  }
  send(coordinator, chain_report{chain, downs});
}

co<void> killer(pid coordinator, int id, int killers) {
  go_kill g = co_await receive<go_kill>();
  // Each head is killed by killer (i % killers) and by killer ((i + 1) % killers).
  for (std::size_t i = 0; i < g.heads.size(); ++i) {
    auto k = static_cast<int>(i % static_cast<std::size_t>(killers));
    if (k == id || (k + 1) % killers == id) {
      otter::exit(g.heads[i], atoms::kill);
    }
    if ((i & 15) == 15) {
      co_await yield();
    }
  }
  send(coordinator, kill_done{});
}

class LinkChainStress : public ::testing::TestWithParam<unsigned> {};

TEST_P(LinkChainStress, KillingEveryHeadKillsEveryChain) {
  // Full size under TSan too (about 5 s there): the 100,000-process kill is the point.
  const int chains = static_cast<int>(scaled(100, 4, 1));
  const int length = 1000;
  const int killers = 4;
  const std::int64_t total = std::int64_t{chains} * length;

  // Everything the processes touch is declared before the runtime, so that it outlives them
  // even when run() times out.
  failures f;
  std::promise<std::vector<pid>> heads_promise;
  std::future<std::vector<pid>> heads_future = heads_promise.get_future();
  std::atomic<bool> outside_done{false};
  std::size_t count_standing = 0;
  std::int64_t downs = 0;

  runtime rt(runtime_options{.schedulers = GetParam()});
  const std::size_t baseline = rt.process_count();
  ASSERT_EQ(baseline, 0U);

  // A killer outside the runtime (runtime::exit from a plain thread), concurrent with the
  // killer processes: it kills every third head once more.
  std::thread outside([&] {
    if (heads_future.wait_for(outer_wait_limit) != std::future_status::ready) {
      outside_done = true;
      return;
    }
    std::vector<pid> heads = heads_future.get();
    for (std::size_t i = 0; i < heads.size(); i += 3) {
      rt.exit(heads[i], atoms::kill);
    }
    outside_done = true;
  });

  try {
    downs = rt.run(
        [&]() -> co<std::int64_t> {
          const pid me = self();
          std::vector<pid> heads;
          std::vector<pid> killer_pids;
          for (int k = 0; k < killers; ++k) {
            killer_pids.push_back(spawn(killer, me, k, killers));
          }
          for (int c = 0; c < chains; ++c) {
            pid obs = spawn(chain_observer, me, c, length, &f);
            heads.push_back(spawn(chain_link, obs, me, c, length));
          }
          for (int c = 0; c < chains; ++c) {
            stall_watch w;
            auto r = co_await receive_for<chain_ready>(wait_limit);
            w.check(f, r.has_value(), "chain_ready ", c);
            if (!f.check(r.has_value(), "only ", c, " of ", chains, " chains were built")) {
              co_return 0;
            }
          }
          // Every chain process, observer and killer is alive, and so is this process.
          count_standing = rt.process_count();
          for (pid k : killer_pids) {
            send(k, go_kill{heads});
          }
          heads_promise.set_value(heads);
          std::int64_t seen = 0;
          for (int c = 0; c < chains; ++c) {
            stall_watch w(outer_wait_limit);
            auto r = co_await receive_for<chain_report>(outer_wait_limit);
            w.check(f, r.has_value(), "chain_report ", c);
            if (!f.check(r.has_value(), "only ", c, " of ", chains, " observers reported")) {
              co_return seen;
            }
            seen += r->downs;
          }
          for (int k = 0; k < killers; ++k) {
            stall_watch w;
            auto d = co_await receive_for<kill_done>(wait_limit);
            w.check(f, d.has_value(), "kill_done ", k);
            f.check(d.has_value(), "killer ", k, " did not finish");
          }
          co_return seen;
        },
        run_limit);
  } catch (const run_error& e) {
    ADD_FAILURE() << "run: " << e.what();
  }
  try {
    heads_promise.set_value({});  // releases the outside killer when the chains never stood
  } catch (const std::future_error&) {
  }
  outside.join();
  EXPECT_TRUE(outside_done.load());

  OTTER_STRESS_EXPECT_NO_FAILURES(f);
  EXPECT_EQ(count_standing, static_cast<std::size_t>(1 + killers + chains + total));
  EXPECT_EQ(downs, total);
  EXPECT_EQ(wait_process_count(rt, baseline), baseline);
}

INSTANTIATE_TEST_SUITE_P(Threaded, LinkChainStress, ::testing::Values(2U, 4U), schedulers_name);

}  // namespace
}  // namespace otter::stress
