// Micro-benchmarks of the runtime's hot paths (Google Benchmark). The comparisons with the BEAM
// and CAF are in bench/run.sh; these track Otter against itself.

#include "otter/otter.hpp"

#include <benchmark/benchmark.h>

namespace {

// A process sends itself a message and receives it: mailbox push, drain and match.
void BM_SelfSendReceive(benchmark::State& state) {
  otter::runtime rt(otter::runtime_options{.schedulers = 1, .blocking_threads = 1});
  rt.run([&]() -> otter::co<void> {
    otter::pid me = otter::self();
    for (auto _ : state) {
      otter::send(me, 1);
      benchmark::DoNotOptimize(co_await otter::receive<int>());
    }
  });
}
BENCHMARK(BM_SelfSendReceive);

// Spawning a process that exits at once, including its teardown.
void BM_SpawnExit(benchmark::State& state) {
  otter::runtime rt(otter::runtime_options{.schedulers = 1, .blocking_threads = 1});
  rt.run([&]() -> otter::co<void> {
    otter::pid me = otter::self();
    for (auto _ : state) {
      otter::spawn([me]() -> otter::co<void> {
        otter::send(me, 1);
        co_return;
      });
      benchmark::DoNotOptimize(co_await otter::receive<int>());
    }
  });
}
BENCHMARK(BM_SpawnExit);

// Selective receive that skips `range(0)` unmatched messages each time.
void BM_SelectiveReceiveSkipping(benchmark::State& state) {
  otter::runtime rt(otter::runtime_options{.schedulers = 1, .blocking_threads = 1});
  rt.run([&]() -> otter::co<void> {
    otter::pid me = otter::self();
    for (std::int64_t i = 0; i < state.range(0); ++i) {
      otter::send(me, std::string("noise"));
    }
    for (auto _ : state) {
      otter::send(me, 1);
      benchmark::DoNotOptimize(co_await otter::receive<int>());
    }
  });
}
BENCHMARK(BM_SelectiveReceiveSkipping)->Arg(0)->Arg(16)->Arg(256);

}  // namespace

BENCHMARK_MAIN();
