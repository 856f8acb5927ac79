// Scenario 02_selective_receive: a receive with a pattern takes the FIRST matching message and
// leaves the non-matching ones in the mailbox, in their original order.

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(queue length: {:message_queue_len, 7}
first {:b, x}: 1
second {:b, x}: 2
{:d, x} when x > 10: 50
no match with after 0: :timeout
remaining mailbox in order: [:a, :c, {:d, 5}, :e]
multi-clause receive took: :matched_d
remaining mailbox in order: [:a, :c, :e]
end
)";

co<void> scenario_02(testing::trace& t) {
  const pid main = self();
  const atom b = a("b");
  const atom d = a("d");
  for (const term& m : std::vector<term>{term(a("a")), tuple(b, 1), term(a("c")), tuple(b, 2),
                                         tuple(d, 5), tuple(d, 50), term(a("e"))}) {
    send(main, m);
  }
  t.log("queue length", tuple(a("message_queue_len"), self_info().message_queue_len));

  // receive do {:b, x} -> x end
  auto is_b = [b](const term& m) {
    return m.is_tagged(b, 2);
  };
  auto second = [](term m) {
    return m[1];
  };
  t.log("first {:b, x}", co_await receive(on<term>(is_b, second)));
  t.log("second {:b, x}", co_await receive(on<term>(is_b, second)));

  // receive do {:d, x} when x > 10 -> x end
  auto big_d = [d](const term& m) {
    return m.is_tagged(d, 2) && m[1].is_integer() && m[1].as_int() > 10;
  };
  t.log("{:d, x} when x > 10", co_await receive(on<term>(big_d, second)));

  // receive do {:zzz, _} -> :got after 0 -> :timeout end
  const atom zzz = a("zzz");
  term r4 = co_await receive(on<term>([zzz](const term& m) { return m.is_tagged(zzz, 2); },
                                      [](term) { return term(a("got")); }),
                             after(0, [] { return term(atoms::timeout); }));
  t.log("no match with after 0", r4);

  t.log("remaining mailbox in order", testing::mailbox());

  // receive do :e -> :matched_e; {:d, _} -> :matched_d end
  const atom e = a("e");
  term r5 = co_await receive(
      on<term>([e](const term& m) { return m.is(e); }, [](term) { return term(a("matched_e")); }),
      on<term>([d](const term& m) { return m.is_tagged(d, 2); },
               [](term) { return term(a("matched_d")); }));
  t.log("multi-clause receive took", r5);
  t.log("remaining mailbox in order", co_await testing::flush());
  t.log("end");
}

TEST(ConformanceTest, SelectiveReceive02) {
  expect_trace(expected, scenario_02);
}

}  // namespace
}  // namespace otter::conformance
