// Scenario 04_fifo_ordering: between one sender and one receiver messages arrive in send order
// (nothing is promised between different senders).

#include "conformance/scenario.hpp"

#include <map>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(per-sender order preserved: {:result, [{:s1, true}, {:s2, true}, {:s3, true}]}
own mailbox order: [:one, {:two}, "three", [4], 5]
end
)";

co<void> scenario_04(testing::trace& t) {
  const pid main = self();

  pid collector = spawn([main]() -> co<void> {
    std::vector<term> msgs;
    for (int i = 0; i < 300; ++i) {
      msgs.push_back(co_await receive(on<term>([](term m) { return m; })));
    }
    // Enum.group_by(msgs, &elem(&1, 0), &elem(&1, 1)), keys sorted (term order).
    std::map<term, std::vector<std::int64_t>> by_sender;
    for (const term& m : msgs) {
      by_sender[m[0]].push_back(m[1].as_int());
    }
    std::vector<std::int64_t> one_to_100;
    for (std::int64_t i = 1; i <= 100; ++i) {
      one_to_100.push_back(i);
    }
    std::vector<term> result;
    for (const auto& [sender, values] : by_sender) {
      result.push_back(tuple(sender, values == one_to_100));
    }
    send(main, tuple(a("result"), term::list(std::move(result))));
  });

  for (const char* s : {"s1", "s2", "s3"}) {
    const atom sender = a(s);
    (void)spawn([collector, sender]() -> co<void> {
      for (int i = 1; i <= 100; ++i) {
        send(collector, tuple(sender, i));
      }
      co_return;
    });
  }

  t.log("per-sender order preserved", co_await testing::recv(5000));

  // Same-sender ordering also holds for messages of different shapes.
  for (const term& m :
       std::vector<term>{term(a("one")), tuple(a("two")), term("three"), list(4), term(5)}) {
    send(main, m);
  }
  t.log("own mailbox order", co_await testing::flush());
  t.log("end");
}

TEST(ConformanceTest, FifoOrdering04) {
  expect_trace(expected, scenario_04);
}

// Runtime bug reproduction (expected to pass once fixed): the trace format (SPEC section 1,
// T.f/1) prints a list of {atom, value} pairs as a list of tuples, `[{:s1, true}]`, and a map
// with atom keys as `%{:a => 1}`; Otter's printer uses Elixir's inspect keyword syntax,
// `[s1: true]` and `%{a: 1}` (src/core/term/term_print.cpp: is_keyword_list/has_keyword_keys).
TEST(ConformanceTest, KeywordShapedTermsPrintAsTuplesRepro04) {
  testing::trace t;
  EXPECT_EQ(t.print(list(tuple(a("s1"), true), tuple(a("s2"), false))),
            "[{:s1, true}, {:s2, false}]");
  EXPECT_EQ(t.print(list(tuple(atoms::callers, list()))), R"([{:"$callers", []}])");
  EXPECT_EQ(t.print(term::map({{a("b"), 2}, {a("a"), 1}})), "%{:a => 1, :b => 2}");
}

}  // namespace
}  // namespace otter::conformance
