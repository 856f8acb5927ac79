// Scenario 80_statem_postpone_next_event: postponed events are retried after the next state
// change, in their original order, before newer events, and not while the state stays the
// same; next_event actions are handled before any mailbox event, in the order given.

#include "otter/otp/gen_statem.hpp"
#include "otter/otp/sys.hpp"

#include "conformance/scenario.hpp"

#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(closed: postpone job: 1
closed: postpone job: 2
noop in: :closed
opening: :ok
open: run job: 1
open: run job: 2
open: run job: 3
burst inserts next_events: [:a, :b]
internal event: :a
internal event: :b
noop in: :open
jobs run in order: [1, 2, 3]
end
)";

struct gate {
  using state = atom;
  using data = std::vector<term>;  // the jobs run, newest first (the Elixir list)
  using result = gen_statem::result<atom, data>;
  static constexpr auto callback_mode = gen_statem::handle_event_function;

  testing::trace* t = nullptr;

  gen_statem::init_result<atom, data> init(testing::trace* tr) {
    t = tr;
    return {a("closed"), data{}};
  }

  result handle_event(gen_statem::event& e, const atom& s, data& jobs) {
    const term c = e.content();
    if (e.is_cast() && c.is_tagged(a("job"), 2)) {
      if (s == a("closed")) {
        t->log("closed: postpone job", c[1]);
        return result::keep_state_and_data().postpone();
      }
      t->log("open: run job", c[1]);
      jobs.insert(jobs.begin(), c[1]);
      return result::keep_state();
    }
    if (e.is_cast() && c == term(a("noop"))) {
      t->log("noop in", s);
      return result::keep_state_and_data();
    }
    if (e.is_cast() && c == term(a("open")) && s == a("closed")) {
      t->log("opening", a("ok"));
      return result::next_state(a("open"));
    }
    if (e.is_cast() && c == term(a("burst"))) {
      t->log("burst inserts next_events", list(a("a"), a("b")));
      return result::keep_state_and_data()
          .next_event(gen_statem::event_kind::internal, a("a"))
          .next_event(gen_statem::event_kind::internal, a("b"));
    }
    if (e.is_internal()) {
      t->log("internal event", c);
      return result::keep_state_and_data();
    }
    // {:call, from} :done
    std::vector<term> in_order(jobs.rbegin(), jobs.rend());
    return result::keep_state_and_data().reply(e.caller(), term::list(std::move(in_order)));
  }
};

co<void> scenario_80(testing::trace& t) {
  start_result started = co_await gen_statem::start_link<gate>(&t);
  pid p = t.name(*started, "gate");
  (void)co_await sys::suspend(p);
  // Queued while suspended, so that the mailbox order is fixed.
  gen_statem::cast(p, tuple(a("job"), 1));
  gen_statem::cast(p, tuple(a("job"), 2));
  gen_statem::cast(p, a("noop"));
  gen_statem::cast(p, a("open"));
  gen_statem::cast(p, tuple(a("job"), 3));
  gen_statem::cast(p, a("burst"));
  gen_statem::cast(p, a("noop"));
  (void)co_await sys::resume(p);
  t.log("jobs run in order", co_await gen_statem::call(p, a("done")));
  t.log("end");
}

TEST(ConformanceTest, StatemPostponeNextEvent80) {
  expect_trace(expected, scenario_80);
}

}  // namespace
}  // namespace otter::conformance
