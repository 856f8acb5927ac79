// Scenario 56_task_async_await: Task.async links and monitors; the Task struct has mfa, owner,
// pid and ref; await returns the result and leaves no DOWN behind; the raw protocol is
// {ref, result} followed by {:DOWN, ref, :process, pid, :normal}; await_many returns results in
// input order; completed builds a finished task.

#include "otter/otp/task.hpp"

#include "conformance/scenario.hpp"

#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(task struct: %Task{mfa: {:erlang, :apply, 2}, owner: #PID<main>, pid: #PID<task1>, ref: #Ref<task1_ref>}
linked to caller: true
await: 2
mailbox after await: []
task alive: false
task/3 struct: %Task{mfa: {Enum, :sum, 1}, owner: #PID<main>, pid: #PID<task2>, ref: #Ref<task2_ref>}
await: 6
raw messages: [{#Ref<task3_ref>, :raw}, {:DOWN, #Ref<task3_ref>, :process, #PID<task3>, :normal}]
await_many: [150, 50, 100]
await_many []: []
await completed: :done
end
)";

/// Whether `p` is among the links of the calling process.
co<bool> linked_to(testing::trace& t, pid p) {
  term links = co_await testing::links(t, self());
  for (const term& l : links.elements()) {
    if (l == term(p)) {
      co_return true;
    }
  }
  co_return false;
}

term ints(const std::vector<int>& values) {
  std::vector<term> out(values.begin(), values.end());
  return term::list(std::move(out));
}

co<void> scenario_56(testing::trace& t) {
  task<int> task1 = async([]() -> co<int> {
    co_await receive(on<term>([](const term& m) { return m.is(a("go")); }, [](term&) {}));
    co_return 1 + 1;
  });
  t.name(task1.pid, "task1");
  t.name(task1.ref, "task1_ref");
  t.log("task struct", task1.to_term());
  t.log("linked to caller", co_await linked_to(t, task1.pid));
  send(task1.pid, term(a("go")));
  t.log("await", co_await await(task1));
  const pid p1 = task1.pid;
  auto dead = [p1]() -> co<term> {
    co_return term(!alive(p1));
  };
  (void)co_await testing::eventually(dead);
  t.log("mailbox after await", testing::mailbox());
  t.log("task alive", alive(task1.pid));

  // Task.async(Enum, :sum, [[1, 2, 3]])
  const std::vector<int> numbers{1, 2, 3};
  auto sum = [numbers] {
    int s = 0;
    for (int n : numbers) {
      s += n;
    }
    return s;
  };
  task<int> task2 = async(tuple(a("Elixir.Enum"), a("sum"), 1), sum);
  t.name(task2.pid, "task2");
  t.name(task2.ref, "task2_ref");
  t.log("task/3 struct", task2.to_term());
  t.log("await", co_await await(task2));

  // The reply message format, when not using await: {ref, result} then {:DOWN, ref, ...}.
  task<atom> task3 = async([] { return a("raw"); });
  t.name(task3.pid, "task3");
  t.name(task3.ref, "task3_ref");
  auto two_queued = []() -> co<term> {
    co_return term(self_info().message_queue_len == 2);
  };
  (void)co_await testing::eventually(two_queued);
  t.log("raw messages", co_await testing::flush());
  unlink(task3.pid);

  // Results come back in input order, whatever the completion order.
  std::vector<task<int>> tasks;
  for (int ms : {150, 50, 100}) {
    tasks.push_back(async([ms]() -> co<int> {
      co_await sleep(ms);
      co_return ms;
    }));
  }
  t.log("await_many", ints(co_await await_many(tasks)));
  t.log("await_many []", ints(co_await await_many(std::vector<task<int>>{})));

  t.log("await completed", co_await await(completed(term(a("done")))));
  t.log("end");
}

TEST(ConformanceTest, TaskAsyncAwait56) {
  expect_trace(expected, scenario_56);
}

}  // namespace
}  // namespace otter::conformance
