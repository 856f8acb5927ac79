// PartitionSupervisor: partitions, with_arguments, routing by key, restarts updating the
// routing table, via names with GenServer/Agent calls, and its errors.

#include "otter/otp/partition_supervisor.hpp"

#include "otter/core/logger.hpp"
#include "otter/otp/agent.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/otp/supervisor.hpp"
#include "otter/testing/trace.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace otter {
namespace {

using test_support::a;

class PartitionSupervisorTest : public test_support::on_both_runtimes {};

/// Keeps the arguments its start received; answers any call with them.
struct args_server {
  using state = term;
  term init(std::vector<term> args) { return term::list(std::move(args)); }
  term handle_call(const term& /*req*/, const gen_server::from& /*from*/, term& args) {
    return args;
  }
};

/// A worker spec whose start passes its arguments on to args_server.
child_spec args_spec() {
  child_spec spec;
  spec.id = term(a("Elixir.ArgsServer"));
  spec.mfa = tuple(a("Elixir.ArgsServer"), a("start_link"), list());
  spec.start = [](const std::vector<term>& args) {
    return gen_server::start_link<args_server>(args);
  };
  return spec;
}

/// Starts `name` with `n` partitions of args_spec(); each partition gets [:arg, partition].
co<pid> start_args(atom name, std::int64_t n) {
  partition_supervisor::options opts;
  opts.name = server_ref(name);
  opts.partitions = n;
  opts.with_arguments = [](std::vector<term> args, std::int64_t partition) {
    args.emplace_back(a("arg"));
    args.emplace_back(partition);
    return args;
  };
  start_result r = co_await partition_supervisor::start_link(args_spec(), std::move(opts));
  EXPECT_TRUE(r.has_value());
  co_return r.has_value() ? *r : pid();
}

TEST_P(PartitionSupervisorTest, StartsOnePartitionPerIdWithItsArguments) {
  run([]() -> co<void> {
    const atom name = a("Elixir.PsArgs");
    pid sup = co_await start_args(name, 3);
    EXPECT_EQ(partition_supervisor::partitions(name), 3);
    std::vector<supervisor::child_info> kids = co_await partition_supervisor::which_children(name);
    EXPECT_EQ(kids.size(), 3U);
    std::set<std::int64_t> ids;
    for (const supervisor::child_info& k : kids) {
      ids.insert(k.id.as_int());
      EXPECT_EQ(k.type, child_type::worker);
      EXPECT_EQ(k.modules, list(a("Elixir.ArgsServer")));  // the child's, not PartitionSupervisor
      // Partition i's start got with_arguments([], i), and integer key i routes to it.
      EXPECT_EQ(co_await gen_server::call(k.child.as_pid(), term(a("args"))), list(a("arg"), k.id));
      EXPECT_EQ(gen_server::whereis(partition_supervisor::via(name, k.id)), k.child.as_pid());
    }
    EXPECT_EQ(ids, (std::set<std::int64_t>{0, 1, 2}));
    supervisor::child_counts counts = co_await partition_supervisor::count_children(name);
    EXPECT_EQ(counts.specs, 3);
    EXPECT_EQ(counts.active, 3);
    EXPECT_EQ(counts.workers, 3);
    EXPECT_EQ(supervisor::to_term(co_await supervisor::which_children(sup)),
              supervisor::to_term(kids));  // it is a plain Supervisor
    EXPECT_EQ(co_await partition_supervisor::stop(name), atoms::ok);
  });
}

TEST_P(PartitionSupervisorTest, IntegerKeysRouteByRemOfAbsAndOtherKeysByPhash2) {
  run([]() -> co<void> {
    EXPECT_EQ(partition_supervisor::partition_of(term(7), 4), 3);
    EXPECT_EQ(partition_supervisor::partition_of(term(-7), 4), 3);
    EXPECT_EQ(partition_supervisor::partition_of(term(0), 4), 0);
    EXPECT_EQ(partition_supervisor::partition_of(term(INT64_MIN), 3),
              static_cast<std::int64_t>((std::uint64_t{1} << 63) % 3));
    std::set<std::int64_t> seen;
    for (int i = 0; i < 64; ++i) {
      const term key = tuple(a("user"), "name" + std::to_string(i));
      const std::int64_t p = partition_supervisor::partition_of(key, 4);
      EXPECT_EQ(
          p, partition_supervisor::partition_of(tuple(a("user"), "name" + std::to_string(i)), 4));
      EXPECT_GE(p, 0);
      EXPECT_LT(p, 4);
      seen.insert(p);
    }
    EXPECT_EQ(seen.size(), 4U);  // spread over every partition

    const atom name = a("Elixir.PsRoute");
    co_await start_args(name, 4);
    for (const term& key : {term(-6), term(a("some_key")), term("a string"), tuple(1, 2)}) {
      const std::int64_t p = partition_supervisor::partition_of(key, 4);
      EXPECT_EQ(co_await gen_server::call(partition_supervisor::via(name, key), term(a("args"))),
                list(a("arg"), p));
    }
    co_await partition_supervisor::stop(name);
  });
}

TEST_P(PartitionSupervisorTest, NonIntegerKeysRouteToThePartitionsElixirPicks) {
  // Expected: real Elixir 1.14 (OTP 25), PartitionSupervisor.start_link(child_spec: {Agent, ...},
  // name: name, partitions: n), then for each key the which_children id of
  // GenServer.whereis({:via, PartitionSupervisor, {name, key}}).
  const std::vector<term> keys = {
      a("a"),
      a("alice"),
      "user-1",
      "user-2",
      "",
      tuple(a("user"), 42),
      tuple(a("order"), "X-17"),
      list(1, 2, 3),
      list(97, 98, 99),  // ~c"abc"
      3.5,
      -0.0,
      0.0,
      term::map({{a("id"), 7}}),
      term(),  // nil
      true,
      list(),
      tuple(),
      a("Elixir.MyApp.Worker"),
      1.0e100,
      list(tuple(a("a"), 1), tuple(a("b"), 2)),
      "h\303\251llo",
      tuple(1, 2.0, "three", list(a("four"))),
  };
  const std::vector<std::int64_t> in4 = {1, 1, 1, 2, 1, 1, 1, 0, 2, 0, 0,
                                         0, 3, 0, 1, 2, 0, 2, 0, 3, 3, 3};
  const std::vector<std::int64_t> in7 = {6, 6, 5, 6, 4, 6, 1, 0, 2, 2, 3,
                                         3, 3, 2, 4, 3, 3, 3, 5, 4, 5, 6};
  ASSERT_EQ(keys.size(), in4.size());
  ASSERT_EQ(keys.size(), in7.size());
  run([&]() -> co<void> {
    const atom name = a("Elixir.PsElixirRoute");
    co_await start_args(name, 7);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      EXPECT_EQ(partition_supervisor::partition_of(keys[i], 4), in4[i]) << keys[i].to_string();
      EXPECT_EQ(partition_supervisor::partition_of(keys[i], 7), in7[i]) << keys[i].to_string();
      // The via name reaches that partition's process: its start got [:arg, partition].
      EXPECT_EQ(
          co_await gen_server::call(partition_supervisor::via(name, keys[i]), term(a("args"))),
          list(a("arg"), in7[i]))
          << keys[i].to_string();
    }
    co_await partition_supervisor::stop(name);
  });
}

TEST_P(PartitionSupervisorTest, PartitionsDefaultToTheSchedulersOnline) {
  const unsigned expected = GetParam() == test_support::runtime_kind::deterministic ? 1U : 2U;
  run([expected]() -> co<void> {
    EXPECT_EQ(schedulers_online(), expected);
    partition_supervisor::options opts;
    opts.name = server_ref(a("Elixir.PsDefault"));
    start_result r = co_await partition_supervisor::start_link(args_spec(), std::move(opts));
    EXPECT_TRUE(r.has_value());
    EXPECT_EQ(partition_supervisor::partitions(a("Elixir.PsDefault")),
              static_cast<std::int64_t>(expected));
    supervisor::child_counts counts =
        co_await partition_supervisor::count_children(a("Elixir.PsDefault"));
    EXPECT_EQ(counts.active, static_cast<std::int64_t>(expected));
    co_await partition_supervisor::stop(a("Elixir.PsDefault"));
  });
}

TEST_P(PartitionSupervisorTest, ARestartedPartitionIsRoutedToItsNewPid) {
  log_sink previous = set_log_sink({});  // the child_terminated report is expected
  run([]() -> co<void> {
    const atom name = a("Elixir.PsRestart");
    co_await start_args(name, 2);
    const server_ref one = partition_supervisor::via(name, term(1));
    const pid old = gen_server::whereis(one);
    if (old.is_null()) {
      ADD_FAILURE() << "partition 1 has no pid";
      co_return;
    }
    const ref mon = monitor(old);
    exit(old, term(a("kill")));
    EXPECT_EQ((co_await test_support::down_of(mon)).reason, term(a("killed")));
    auto moved = [one, old]() -> co<term> {
      const pid now = gen_server::whereis(one);
      co_return term(!now.is_null() && now != old && alive(now));
    };
    EXPECT_EQ(co_await testing::eventually(moved), term(true));
    const pid fresh = gen_server::whereis(one);
    EXPECT_EQ(co_await gen_server::call(one, term(a("args"))), list(a("arg"), 1));
    // The routing table and the supervisor agree.
    for (const supervisor::child_info& k : co_await partition_supervisor::which_children(name)) {
      if (k.id == term(1)) {
        EXPECT_EQ(k.child.as_pid(), fresh);
      }
    }
    co_await partition_supervisor::stop(name);
  });
  set_log_sink(std::move(previous));
}

TEST_P(PartitionSupervisorTest, AgentsAndCastsReachThePartitionOfTheirKey) {
  run([]() -> co<void> {
    const server_ref name(a("Elixir.PsAgents"));
    partition_supervisor::options opts;
    opts.name = name;
    opts.partitions = 3;
    child_spec spec;
    spec.start = [](const std::vector<term>& args) {
      const term partition = args.at(0);
      return agent::start_link([partition] { return partition; });
    };
    opts.with_arguments = [](std::vector<term> args, std::int64_t partition) {
      args.emplace_back(partition);
      return args;
    };
    start_result r = co_await partition_supervisor::start_link(spec, std::move(opts));
    if (!r.has_value()) {
      ADD_FAILURE() << "start_link failed";
      co_return;
    }
    auto identity = [](const term& s) {
      return s;
    };
    for (std::int64_t key = 0; key < 6; ++key) {
      EXPECT_EQ(co_await agent::get(partition_supervisor::via(name, term(key)), identity),
                term(key % 3));
    }
    const server_ref two = partition_supervisor::via(name, term(5));
    EXPECT_EQ(agent::cast(two, [](const term& s) { return term(s.as_int() * 10); }), atoms::ok);
    EXPECT_EQ(co_await agent::get(two, identity), term(20));
    co_await partition_supervisor::stop(name);
  });
}

TEST_P(PartitionSupervisorTest, AnUnknownOrStoppedNameIsAnArgumentError) {
  run([]() -> co<void> {
    const atom name = a("Elixir.PsGone");
    try {
      (void)partition_supervisor::partitions(name);
      ADD_FAILURE() << "partitions of an unknown name";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()), "could not find PartitionSupervisor PsGone");
    }
    EXPECT_THROW((void)gen_server::whereis(partition_supervisor::via(name, term(1))),
                 std::invalid_argument);
    pid sup = co_await start_args(name, 2);
    EXPECT_EQ(partition_supervisor::partitions(name), 2);
    unlink(sup);
    co_await partition_supervisor::stop(name);
    auto gone = [name]() -> co<term> {
      try {
        (void)partition_supervisor::partitions(name);
        co_return term(false);
      } catch (const std::invalid_argument&) {
        co_return term(true);
      }
    };
    EXPECT_EQ(co_await testing::eventually(gone), term(true));
  });
}

TEST_P(PartitionSupervisorTest, StartRejectsAMissingNameAndNonPositivePartitions) {
  run([]() -> co<void> {
    partition_supervisor::options no_name;
    no_name.partitions = 2;
    EXPECT_THROW((void)co_await partition_supervisor::start_link(args_spec(), no_name),
                 std::invalid_argument);
    for (const std::int64_t n : {0, -1}) {
      partition_supervisor::options opts;
      opts.name = server_ref(a("Elixir.PsBad"));
      opts.partitions = n;
      EXPECT_THROW((void)co_await partition_supervisor::start_link(args_spec(), opts),
                   std::invalid_argument);
    }
    EXPECT_TRUE(whereis(a("Elixir.PsBad")).is_null());  // nothing started
    EXPECT_THROW((void)partition_supervisor::via_module()->register_name(
                     tuple(a("Elixir.PsBad"), 1), self()),
                 std::invalid_argument);
    EXPECT_THROW(partition_supervisor::via_module()->unregister_name(tuple(a("Elixir.PsBad"), 1)),
                 std::invalid_argument);
  });
}

TEST_P(PartitionSupervisorTest, TheViaNamePrintsAsElixirs) {
  run([]() -> co<void> {
    EXPECT_EQ(partition_supervisor::via(server_ref(a("Elixir.P")), term(3)).to_term(),
              tuple(a("via"), a("Elixir.PartitionSupervisor"), tuple(a("Elixir.P"), 3)));
    co_return;
  });
}

OTTER_ON_BOTH_RUNTIMES(PartitionSupervisorTest);

}  // namespace
}  // namespace otter
