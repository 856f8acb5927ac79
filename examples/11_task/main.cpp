// Example 11: tasks: run work concurrently, then collect the results (Elixir's Task).
//
// async() starts a function in its own process, linked to the caller; await() waits for its
// value. Three tasks that sleep 300, 100 and 200 ms take 300 ms together, and await_many gives
// their values back in the order they were started.
//
// When a task may fail or hang, the caller decides what to do:
//   - yield(t, ms) waits at most ms: nullopt (nil) while the task runs, {:ok, v} once it has
//     answered; shutdown() then stops a task that is too slow;
//   - a task started with task_supervisor::async_nolink is not linked to the caller: its crash
//     comes back as {:exit, reason} (here an exception), and the caller lives on.
// async_stream applies a function to every input with at most max_concurrency tasks at a time
// and gives the results in input order.
//
// Expected output (the crash also logs "task terminating", a crash report and a supervisor
// report on stderr):
//   await_many: [300, 100, 200] after 300 ms
//   yield after 50 ms: nil
//   shutdown of the slow task: nil
//   nolink task: {:exit, {%RuntimeError{message: "bad input"}, #Stacktrace}}
//   caller still alive: true
//   async_stream squares: [{:ok, 1}, {:ok, 4}, {:ok, 9}, {:ok, 16}, {:ok, 25}]

#include "otter/otp/task.hpp"
#include "otter/otp/task_supervisor.hpp"
#include "otter/otter.hpp"

#include <cstdio>
#include <stdexcept>
#include <vector>

using otter::co;
using otter::term;

template <class T>
term to_list(const std::vector<T>& values) {
  std::vector<term> out;
  for (const auto& v : values) {
    out.push_back(otter::to_term(v));
  }
  return term::list(std::move(out));
}

// A piece of work: sleeps `ms` (on the runtime's clock), then returns it.
co<int> work(int ms) {
  co_await otter::sleep(ms);
  co_return ms;
}

co<void> concurrent_work() {
  // [docs:task-async-await]
  const std::int64_t start = otter::now_ms();
  std::vector<otter::task<int>> tasks;
  for (int ms : {300, 100, 200}) {
    tasks.push_back(otter::async([ms] { return work(ms); }));
  }
  std::vector<int> values = co_await otter::await_many(tasks);
  // [docs:task-async-await-end]
  std::vector<term> printed(values.begin(), values.end());
  std::printf("await_many: %s after %lld ms\n", term::list(printed).to_string().c_str(),
              static_cast<long long>((otter::now_ms() - start) / 100 * 100));
}

co<void> slow_and_failing_work() {
  otter::task<int> slow = otter::async([] { return work(10'000); });
  auto early = co_await otter::yield(slow, 50);
  std::printf("yield after 50 ms: %s\n", otter::to_term(early).to_string().c_str());
  auto stopped = co_await otter::shutdown(slow);
  std::printf("shutdown of the slow task: %s\n", otter::to_term(stopped).to_string().c_str());

  // [docs:task-nolink]
  otter::start_result sup = co_await otter::task_supervisor::start_link();
  otter::task<int> risky = co_await otter::task_supervisor::async_nolink(
      *sup, []() -> int { throw std::runtime_error("bad input"); });
  auto outcome = co_await otter::yield(risky, 1000);  // {:exit, reason}: not our crash
  // [docs:task-nolink-end]
  std::printf("nolink task: %s\n", otter::to_term(outcome).to_string().c_str());
  std::printf("caller still alive: %s\n", otter::alive(otter::self()) ? "true" : "false");
}

co<void> stream_of_work() {
  auto square = [](int n) {
    return n * n;
  };
  auto stream = otter::async_stream({1, 2, 3, 4, 5}, square, {.max_concurrency = 2});
  std::printf("async_stream squares: %s\n", to_list(co_await stream.to_list()).to_string().c_str());
}

co<void> demo() {
  co_await concurrent_work();
  co_await slow_and_failing_work();
  co_await stream_of_work();
}

int main() {
  otter::runtime rt;
  rt.run(demo);
  return 0;
}
