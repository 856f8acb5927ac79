// Registry lifecycle: options, the supervisor of partitions, child_spec, stopping, the links
// between registered processes and partitions, and partitions that die and restart.

#include "otter/otp/registry.hpp"
#include "otter/otp/supervisor.hpp"
#include "otter/otp/sys.hpp"
#include "otter/testing/trace.hpp"

#include "otp/registry_test_support.hpp"
#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace otter {
namespace {

using test_support::a;
using test_support::down_of;
using test_support::linked_to_any;
using test_support::partitions_of;
using test_support::registered;
using test_support::registrant;
using test_support::start_registry;

class RegistryLifecycleTest : public test_support::on_both_runtimes {};

co<std::string> start_error(registry::options opts) {
  try {
    (void)co_await registry::start_link(std::move(opts));
  } catch (const std::invalid_argument& e) {
    co_return e.what();
  }
  co_return "no error";
}

TEST_P(RegistryLifecycleTest, StartLinkRejectsBadOptionsInTheCaller) {
  run([]() -> co<void> {
    registry::options no_keys{.name = a("Elixir.R")};
    registry::options no_name{.keys = registry::kind::unique};
    registry::options no_partitions{
        .keys = registry::kind::unique, .name = a("Elixir.R"), .partitions = 0};
    EXPECT_EQ(co_await start_error(no_keys),
              "expected :keys to be given and be one of :unique or :duplicate, got: nil");
    EXPECT_EQ(co_await start_error(no_name), "expected :name option to be present");
    EXPECT_EQ(co_await start_error(no_partitions),
              "expected :partitions to be a positive integer, got: 0");
    EXPECT_TRUE(whereis(a("Elixir.R")).is_null());
  });
}

TEST_P(RegistryLifecycleTest, ARegistryIsASupervisorOfNamedPartitions) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.LifeA");
    registry::options opts{.keys = registry::kind::duplicate, .name = reg, .partitions = 2};
    start_result sup = co_await registry::start_link(opts);
    EXPECT_TRUE(sup.has_value());
    EXPECT_EQ(whereis(reg), *sup);
    std::vector<supervisor::child_info> kids = co_await supervisor::which_children(reg);
    EXPECT_EQ(supervisor::to_term(kids),
              list(tuple(a("Elixir.LifeA.PIDPartition1"), whereis(a("Elixir.LifeA.PIDPartition1")),
                         a("worker"), list(a("Elixir.Registry.Partition"))),
                   tuple(a("Elixir.LifeA.PIDPartition0"), whereis(a("Elixir.LifeA.PIDPartition0")),
                         a("worker"), list(a("Elixir.Registry.Partition")))));
    // A second registry of the same name is not started.
    start_result again = co_await registry::start_link(opts);
    EXPECT_EQ(to_term(again), tuple(atoms::error, tuple(a("already_started"), *sup)));
    EXPECT_EQ(registry::count(reg), 0);
  });
}

TEST_P(RegistryLifecycleTest, ChildSpecRunsARegistryUnderASupervisorThatStopsWithIt) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.LifeB");
    registry::options opts{.keys = registry::kind::unique, .name = reg, .partitions = 2};
    child_spec spec = registry::child_spec(opts);
    EXPECT_EQ(spec.id, term(reg));
    EXPECT_EQ(spec.type, child_type::supervisor);
    EXPECT_EQ(spec.shutdown_ms(), infinity);
    EXPECT_EQ(spec.mfa, tuple(a("Elixir.Registry"), a("start_link"),
                              list(list(tuple(a("keys"), a("unique")), tuple(a("name"), reg),
                                        tuple(a("partitions"), 2)))));
    std::vector<child_spec> children{spec};
    start_result parent = co_await supervisor::start_link(children);
    EXPECT_TRUE(parent.has_value());
    EXPECT_TRUE(registry::register_key(reg, "k", 1).has_value());
    trap_exit(true);  // the partition we are linked to will exit :shutdown
    (void)co_await supervisor::stop(*parent);
    EXPECT_THROW((void)registry::lookup(reg, "k"), std::invalid_argument);
    EXPECT_TRUE(whereis(reg).is_null());
    // The name is free again.
    start_result next = co_await registry::start_link(opts);
    EXPECT_TRUE(next.has_value());
    EXPECT_TRUE(registry::lookup(reg, "k").empty());
  });
}

TEST_P(RegistryLifecycleTest, AStoppedRegistryFailsByNameAndByHandle) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.LifeC");
    registry::options opts{.keys = registry::kind::unique, .name = reg};
    start_result sup = co_await registry::start_link(opts);
    registry::handle h = registry::find(reg);
    EXPECT_EQ(h.name(), reg);
    (void)registry::register_key(h, "k", 1);
    EXPECT_EQ(registry::lookup(h, "k").size(), 1U);
    trap_exit(true);
    (void)co_await supervisor::stop(*sup);
    EXPECT_THROW((void)registry::lookup(reg, "k"), std::invalid_argument);
    EXPECT_THROW((void)registry::lookup(h, "k"), std::invalid_argument);
    EXPECT_THROW((void)registry::find(reg), std::invalid_argument);
    // A new registry takes the name; the old handle still names the stopped one.
    (void)co_await registry::start_link(opts);
    EXPECT_TRUE(registry::lookup(reg, "k").empty());
    EXPECT_THROW((void)registry::lookup(h, "k"), std::invalid_argument);
    EXPECT_TRUE(registry::lookup(registry::find(reg), "k").empty());
  });
}

TEST_P(RegistryLifecycleTest, RegisteringLinksToOnePartitionUntilTheLastEntryGoes) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.LifeD");
    co_await start_registry(reg, registry::kind::unique, 4);
    const std::vector<pid> parts = partitions_of(reg, 4);
    registry::register_result r = registry::register_key(reg, "a", 1);
    (void)registry::register_key(reg, "b", 2);
    EXPECT_TRUE(linked_to_any({*r}));
    int linked = 0;
    for (pid l : self_info().links) {
      linked += std::count(parts.begin(), parts.end(), l) > 0 ? 1 : 0;
    }
    EXPECT_EQ(linked, 1);
    (void)registry::unregister(reg, "a");
    EXPECT_TRUE(linked_to_any(parts));
    (void)registry::unregister(reg, "b");
    EXPECT_FALSE(linked_to_any(parts));
  });
}

TEST_P(RegistryLifecycleTest, StoppingTheRegistryStopsItsRegisteredProcesses) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.LifeE");
    registry::options opts{.keys = registry::kind::duplicate, .name = reg, .partitions = 2};
    start_result sup = co_await registry::start_link(opts);
    pid plain = registrant(reg, "t", 1);
    (void)co_await registered();
    ref mon = monitor(plain);
    trap_exit(true);
    registry::register_result mine = registry::register_key(reg, "t", 2);
    (void)co_await supervisor::stop(*sup);
    // Through the link to its partition: a process that does not trap exits dies with it ...
    EXPECT_EQ((co_await down_of(mon)).reason, term(atoms::shutdown));
    // ... one that traps receives the exit.
    term exit_of_partition = co_await receive(on<exit_msg>(
        [&](const exit_msg& m) { return m.from == *mine; }, [](exit_msg& m) { return m.reason; }));
    EXPECT_EQ(exit_of_partition, term(atoms::shutdown));
  });
}

TEST_P(RegistryLifecycleTest, AKilledUniquePartitionRestartsThemAllWithEmptyTables) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.LifeF");
    co_await start_registry(reg, registry::kind::unique, 2);
    trap_exit(true);
    for (int i = 0; i < 10; ++i) {
      (void)registry::register_key(reg, i, i);
    }
    const std::vector<pid> before = partitions_of(reg, 2);
    ref mon = monitor(before[0]);
    otter::exit(before[0], atoms::kill);
    (void)co_await down_of(mon);
    // The supervisor handled the partition's exit before this call (it came first): one_for_all
    // restarted both partitions; every entry went with its partition.
    (void)co_await supervisor::which_children(reg);
    const std::vector<pid> after = partitions_of(reg, 2);
    EXPECT_NE(after[0], before[0]);
    EXPECT_NE(after[1], before[1]);
    EXPECT_EQ(registry::count(reg), 0);
    EXPECT_TRUE(registry::keys(reg, self()).empty());
    // The registry works again.
    EXPECT_TRUE(registry::register_key(reg, 1, a("again")).has_value());
  });
}

TEST_P(RegistryLifecycleTest, AKilledDuplicatePartitionTakesOnlyItsOwnEntries) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.LifeG");
    co_await start_registry(reg, registry::kind::duplicate, 2);
    const std::vector<pid> parts = partitions_of(reg, 2);
    // Registrants until both partitions hold some (each goes to its pid's partition).
    std::vector<pid> in0;
    std::vector<pid> in1;
    for (int i = 0; (in0.empty() || in1.empty()) && i < 64; ++i) {
      pid p = registrant(reg, "t", i);
      term r = co_await registered();
      (r[1] == term(parts[0]) ? in0 : in1).push_back(p);
    }
    EXPECT_FALSE(in0.empty());
    EXPECT_FALSE(in1.empty());
    std::vector<ref> mons;
    for (pid p : in0) {
      mons.push_back(monitor(p));
    }
    ref pmon = monitor(parts[0]);
    otter::exit(parts[0], atoms::kill);
    (void)co_await down_of(pmon);
    for (ref m : mons) {
      EXPECT_EQ((co_await down_of(m)).reason, term(atoms::killed));  // through the link
    }
    (void)co_await supervisor::which_children(reg);
    EXPECT_EQ(partitions_of(reg, 2)[1], parts[1]);  // one_for_one
    EXPECT_EQ(registry::count(reg), static_cast<std::int64_t>(in1.size()));
    for (const registry::entry& e : registry::lookup(reg, "t")) {
      EXPECT_NE(std::find(in1.begin(), in1.end(), e.owner), in1.end());
    }
    for (pid p : in1) {
      send(p, atoms::ok);
    }
  });
}

TEST_P(RegistryLifecycleTest, RegisteringWhileThePartitionIsDownFails) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.LifeH");
    registry::options opts{.keys = registry::kind::unique, .name = reg};
    start_result sup = co_await registry::start_link(opts);
    (void)co_await sys::suspend(*sup);  // so that it does not restart the partition yet
    const pid old = partitions_of(reg, 1)[0];
    ref mon = monitor(old);
    otter::exit(old, atoms::kill);
    (void)co_await down_of(mon);
    // As Elixir: the link to the old partition fails (:noproc) ...
    term reason;
    try {
      (void)registry::register_key(reg, "k", 1);
    } catch (const error_exception& e) {
      reason = e.reason();
    }
    EXPECT_EQ(reason, term(atoms::noproc));
    // ... and a caller that traps exits gets {:EXIT, old, :noproc}, then the write fails.
    trap_exit(true);
    reason = term();
    try {
      (void)registry::register_key(reg, "k", 1);
    } catch (const error_exception& e) {
      reason = e.reason();
    }
    EXPECT_EQ(reason, term(atoms::badarg));
    {
      exit_msg m = co_await receive<exit_msg>();
      EXPECT_EQ(m.from, old);
      EXPECT_EQ(m.reason, term(atoms::noproc));
    }
    EXPECT_TRUE(registry::lookup(reg, "k").empty());
    (void)co_await sys::resume(*sup);
    (void)co_await supervisor::which_children(reg);
    EXPECT_TRUE(registry::register_key(reg, "k", 1).has_value());
  });
}

OTTER_ON_BOTH_RUNTIMES(RegistryLifecycleTest);

}  // namespace
}  // namespace otter
