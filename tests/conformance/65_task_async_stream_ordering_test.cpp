// Scenario 65_task_async_stream_ordering: results are {:ok, value}; ordered (the default) gives
// input order, ordered: false completion order, and max_concurrency 1 is sequential. The stream
// is lazy, and taking 3 stops early, shutting down the remaining tasks (no links left).

#include "otter/otp/task.hpp"

#include "conformance/scenario.hpp"

#include <algorithm>
#include <ranges>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(ordered (default), max_concurrency 3: [{:ok, 300}, {:ok, 100}, {:ok, 200}]
ordered: false, max_concurrency 3: [{:ok, 100}, {:ok, 200}, {:ok, 300}]
ordered: false, max_concurrency 1: [{:ok, 300}, {:ok, 100}, {:ok, 200}]
messages before consuming: []
Enum.take 3: [{:ok, 10}, {:ok, 20}, {:ok, 30}]
inputs started (at most taken + max_concurrency): true
links left: []
end
)";

co<int> work(int ms) {
  co_await sleep(ms);
  co_return ms;
}

template <class T>
term results(const std::vector<task_result<T>>& rs) {
  std::vector<term> out;
  for (const auto& r : rs) {
    out.push_back(to_term(r));
  }
  return term::list(std::move(out));
}

co<void> scenario_65(testing::trace& t) {
  const std::vector<int> input{300, 100, 200};

  auto ordered = async_stream(input, work, {.max_concurrency = 3});
  t.log("ordered (default), max_concurrency 3", results(co_await ordered.to_list()));
  auto unordered = async_stream(input, work, {.max_concurrency = 3, .ordered = false});
  t.log("ordered: false, max_concurrency 3", results(co_await unordered.to_list()));
  auto sequential = async_stream(input, work, {.max_concurrency = 1, .ordered = false});
  t.log("ordered: false, max_concurrency 1", results(co_await sequential.to_list()));

  // Laziness: nothing runs until the stream is consumed; taking 3 stops early and shuts down
  // the remaining tasks.
  const pid main = self();
  auto report = [main](int i) {
    send(main, tuple(a("ran"), i));
    return i * 10;
  };
  std::vector<int> one_to_ten{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};  // (clang 14: no iota_view)
  auto stream = async_stream(one_to_ten, report, {.max_concurrency = 2});
  co_await sleep(50);
  t.log("messages before consuming", testing::mailbox());
  t.log("Enum.take 3", results(co_await stream.take(3)));
  std::vector<std::int64_t> ran;
  const term messages = co_await testing::flush();
  for (const term& m : messages.elements()) {
    ran.push_back(m[1].as_int());
  }
  std::sort(ran.begin(), ran.end());
  const bool first_three = ran.size() >= 3 && ran[0] == 1 && ran[1] == 2 && ran[2] == 3;
  t.log("inputs started (at most taken + max_concurrency)", ran.size() <= 5 && first_three);
  t.log("links left", co_await testing::links(t, self()));
  t.log("end");
}

TEST(ConformanceTest, TaskAsyncStreamOrdering65) {
  expect_trace(expected, scenario_65);
}

}  // namespace
}  // namespace otter::conformance
