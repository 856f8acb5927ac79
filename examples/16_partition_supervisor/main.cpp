// Example 16: PartitionSupervisor, one bottleneck split into independent partitions.
//
// A single counter process serialises every request. A partition supervisor starts several
// copies of it (partitions 0..N-1) and routes each request by key with the name
// {:via, PartitionSupervisor, {Counters, key}}: the same key always reaches the same
// partition, and routing reads a table, never the supervisor. When a partition crashes, its
// supervisor restarts it and the table points the key at the new process.
//
// Expected output:
//   partitions: 4
//   key 1 -> partition 1, count 3
//   key 2 -> partition 2, count 1
//   key 5 -> partition 1, count 4
//   partition 1 restarted; key 5 now counts 1
//   stopped: ok

#include "otter/otp/gen_server.hpp"
#include "otter/otp/partition_supervisor.hpp"
#include "otter/otter.hpp"

#include <cstdio>
#include <vector>

// A counter that knows its partition (given by with_arguments).
struct counter {
  struct state {
    std::int64_t partition = 0;
    std::int64_t count = 0;
  };
  struct bump {};
  state init(std::vector<otter::term> args) { return state{args.at(0).as_int(), 0}; }
  otter::term handle_call(bump, const otter::gen_server::from&, state& s) {
    ++s.count;
    return otter::tuple(s.partition, s.count);
  }
};

otter::co<void> demo() {
  const otter::server_ref counters(otter::atom("Elixir.Counters"));
  otter::child_spec spec;
  spec.start = [](const std::vector<otter::term>& args) {
    return otter::gen_server::start_link<counter>(args);
  };
  otter::partition_supervisor::options opts;
  opts.name = counters;
  opts.partitions = 4;
  opts.with_arguments = [](std::vector<otter::term> args, std::int64_t partition) {
    args.emplace_back(partition);  // each counter learns its partition
    return args;
  };
  (void)co_await otter::partition_supervisor::start_link(spec, opts);
  std::printf("partitions: %lld\n",
              static_cast<long long>(otter::partition_supervisor::partitions(counters)));

  otter::term last;
  for (const std::int64_t key : {1, 1, 1, 2, 5}) {
    const otter::server_ref to = otter::partition_supervisor::via(counters, otter::term(key));
    last = co_await otter::gen_server::call<counter>(to, counter::bump{});
    if (key != 1 || last[1].as_int() == 3) {
      std::printf("key %lld -> partition %lld, count %lld\n", static_cast<long long>(key),
                  static_cast<long long>(last[0].as_int()),
                  static_cast<long long>(last[1].as_int()));
    }
  }

  // Crash partition 1: the supervisor restarts it with a fresh count.
  const otter::server_ref five = otter::partition_supervisor::via(counters, otter::term(5));
  const otter::pid old = otter::gen_server::whereis(five);
  const otter::ref mon = otter::monitor(old);
  otter::exit(old, otter::atom("kill"));
  (void)co_await otter::receive(otter::on<otter::down_msg>(
      [mon](const otter::down_msg& d) { return d.monitor == mon; }, [](otter::down_msg&) {}));
  while (otter::gen_server::whereis(five) == old) {  // the restart is under way
    co_await otter::sleep(1);
  }
  last = co_await otter::gen_server::call<counter>(five, counter::bump{});
  std::printf("partition 1 restarted; key 5 now counts %lld\n",
              static_cast<long long>(last[1].as_int()));

  otter::atom stopped = co_await otter::partition_supervisor::stop(counters);
  std::printf("stopped: %s\n", std::string(stopped.name()).c_str());
}

int main() {
  otter::set_log_sink({});  // the killed partition's crash report is expected here
  otter::runtime rt;
  rt.run(demo);
}
