// gen_statem and :sys: get_state is {state, data}, replace_state, suspend / resume,
// get_status and the format_status callback.

#include "otter/otp/gen_statem.hpp"
#include "otter/otp/sys.hpp"
#include "otter/testing/trace.hpp"

#include "otp/gen_statem_test_support.hpp"
#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace otter::test_support {
namespace {

class GenStatemSysTest : public on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(GenStatemSysTest);

struct counter {
  using data = int;
  using result = gen_statem::result<atom, int>;
  static constexpr auto callback_mode = gen_statem::handle_event_function;
  gen_statem::init_result<atom, int> init(int n) { return {a("counting"), n}; }
  result handle_event(gen_statem::event& e, const atom&, int& n) {
    if (e.is_call()) {
      return result::keep_state_and_data().reply(e.caller(), n);
    }
    ++n;
    return result::keep_state();
  }
};

TEST_P(GenStatemSysTest, GetStateAndReplaceStateSeeTheStateAndTheData) {
  run([]() -> co<void> {
    start_result c = co_await gen_statem::start_link<counter>(5);
    EXPECT_EQ(co_await sys::get_state(*c), tuple(a("counting"), 5));
    auto typed = co_await sys::get_state<std::pair<atom, int>>(*c);
    EXPECT_EQ(typed, std::make_pair(a("counting"), 5));
    auto bump = [](std::pair<atom, int> sd) {
      return std::make_pair(a("bumped"), sd.second + 10);
    };
    auto after = co_await sys::replace_state<std::pair<atom, int>>(*c, bump);
    EXPECT_EQ(after, std::make_pair(a("bumped"), 15));
    EXPECT_EQ(co_await gen_statem::call(*c, a("n")), term(15));

    // A term machine: replace_state with a function of {state, data} terms.
    statem_script keep = [](gen_statem::event&, const term&, term&) {
      return term(a("keep_state_and_data"));
    };
    start_result p =
        co_await gen_statem::start_link<statem_probe>(self(), ok_init(a("s"), 2), keep);
    auto add = [](const term& sd) {
      return tuple(sd[0], sd[1].as_int() + 100);
    };
    EXPECT_EQ(co_await sys::replace_state(*p, add), tuple(a("s"), 102));
    EXPECT_EQ(co_await sys::get_state(*p), tuple(a("s"), 102));
  });
}

TEST_P(GenStatemSysTest, ASuspendedMachineQueuesEventsAndHandlesThemInOrderAfterResume) {
  run([]() -> co<void> {
    start_result c = co_await gen_statem::start_link<counter>(0);
    EXPECT_EQ(co_await sys::suspend(*c), term(atoms::ok));
    gen_statem::cast(*c, a("one"));
    send(*c, term(a("two")));
    auto call = [p = *c]() -> co<term> {
      co_return co_await gen_statem::call(p, a("n"), 50);
    };
    term timed_out = co_await testing::catching(call);
    EXPECT_EQ(timed_out[0], term(a("exit")));
    EXPECT_EQ(co_await sys::get_state(*c), tuple(a("counting"), 0));
    term status = co_await sys::get_status(*c);
    EXPECT_EQ(status[3][1], term(a("suspended")));
    EXPECT_EQ(co_await sys::resume(*c), term(atoms::ok));
    EXPECT_EQ(co_await gen_statem::call(*c, a("n")), term(2));
    EXPECT_EQ(testing::mailbox(), list());  // the timed-out call's reply was dropped
  });
}

TEST_P(GenStatemSysTest, GetStatusShowsTimeoutsPostponedEventsAndTheState) {
  run([]() -> co<void> {
    statem_script s = [](gen_statem::event& e, const term&, term&) -> term {
      if (e.is_cast()) {
        return tuple(a("keep_state_and_data"), list(a("postpone")));
      }
      if (e.is_call()) {
        return tuple(a("keep_state_and_data"),
                     list(tuple(a("reply"), e.caller().to_term(), a("ok")),
                          tuple(a("state_timeout"), 10000, a("st"))));
      }
      return term(a("keep_state_and_data"));
    };
    gen_statem::start_options opts;
    opts.name = server_ref(a("statusy"));
    start_result m =
        co_await gen_statem::start_link<statem_probe>(opts, self(), ok_init(a("s"), 1), s);
    gen_statem::cast(*m, a("j1"));
    gen_statem::cast(*m, a("j2"));
    (void)co_await gen_statem::call(*m, a("arm"));
    term status = co_await sys::get_status(*m);
    EXPECT_EQ(status[0], term(a("status")));
    EXPECT_EQ(status[1], term(*m));
    EXPECT_EQ(status[2], tuple(a("module"), a("gen_statem")));
    const term& items = status[3];
    EXPECT_EQ(items[1], term(a("running")));
    EXPECT_EQ(items[2], term(self()));
    const term& misc = items[4];
    EXPECT_EQ(misc[0], tuple(a("header"), sys::charlist("Status for state machine statusy")));
    const term& data = misc[1][1];
    EXPECT_EQ(data[0], tuple(sys::charlist("Status"), a("running")));
    EXPECT_EQ(data[1], tuple(sys::charlist("Parent"), self()));
    EXPECT_EQ(data[3], tuple(sys::charlist("Time-outs"),
                             tuple(1, list(tuple(a("state_timeout"), a("st"))))));
    EXPECT_EQ(data[5], tuple(sys::charlist("Postponed"),
                             list(tuple(a("cast"), a("j2")), tuple(a("cast"), a("j1")))));
    EXPECT_EQ(misc[2], tuple(a("data"), list(tuple(sys::charlist("State"), tuple(a("s"), 1)))));
  });
}

// format_status (OTP 25's format_status/1): hides the secret in the data, the postponed events
// and the time-outs; mode :crash raises. Its data is %{mode: m, secret: 42}.
struct secretive {
  using data = term;
  using result = gen_statem::result<atom, term>;
  static constexpr auto callback_mode = gen_statem::handle_event_function;

  gen_statem::init_result<atom, term> init(term mode) {
    return {a("idle"), term::map({{a("mode"), std::move(mode)}, {a("secret"), 42}})};
  }
  result handle_event(gen_statem::event& e, const atom&, term&) {
    if (e.is_cast()) {
      return result::keep_state_and_data().postpone();
    }
    if (e.is_call()) {
      return result::keep_state_and_data().reply(e.caller(), a("ok")).state_timeout(10000, a("st"));
    }
    return result::keep_state_and_data();
  }
  gen_statem::status format_status(gen_statem::status s) {
    const term mode = *s.data.find(a("mode"));
    if (mode == term(a("crash"))) {
      otter::error(term(a("oops")));
    }
    s.data = term::map({{a("mode"), mode}});
    s.postponed = term(a("hidden"));
    s.timeouts = list();
    return s;
  }
};

TEST_P(GenStatemSysTest, FormatStatusChangesWhatGetStatusShows) {
  run([]() -> co<void> {
    start_result m = co_await gen_statem::start_link<secretive>(term(a("normal")));
    gen_statem::cast(*m, a("later"));
    EXPECT_EQ(co_await gen_statem::call(*m, a("arm")), term(a("ok")));
    term status = co_await sys::get_status(*m);
    const term& misc = status[3][4];
    // OTP 25 (a format_status/1 returning the map with data, postponed and timeouts changed):
    //   {"Time-outs",{1,[]}}, {"Postponed",hidden}, {data,[{"State",{idle,#{mode => normal}}}]}
    const std::string header = "Status for state machine <0." + std::to_string(m->index()) + "."
                               + std::to_string(m->generation()) + ">";
    EXPECT_EQ(misc[0], tuple(a("header"), sys::charlist(header)));
    const term& data = misc[1][1];
    EXPECT_EQ(data[3],
              tuple(sys::charlist("Time-outs"), tuple(1, list())));  // the count stays real
    EXPECT_EQ(data[4], tuple(sys::charlist("Logged Events"), list()));
    EXPECT_EQ(data[5], tuple(sys::charlist("Postponed"), a("hidden")));
    EXPECT_EQ(misc[2], tuple(a("data"),
                             list(tuple(sys::charlist("State"),
                                        tuple(a("idle"), term::map({{a("mode"), a("normal")}}))))));
    // get_state is not formatted.
    const term unformatted =
        tuple(a("idle"), term::map({{a("mode"), a("normal")}, {a("secret"), 42}}));
    const term state = co_await sys::get_state(*m);
    EXPECT_EQ(state, unformatted);
  });
}

TEST_P(GenStatemSysTest, AFormatStatusThatRaisesShowsTheStateWithACrashNote) {
  run([]() -> co<void> {
    start_result m = co_await gen_statem::start_link<secretive>(term(a("crash")));
    gen_statem::cast(*m, a("later"));
    term status = co_await sys::get_status(*m);
    const term& misc = status[3][4];
    const term& data = misc[1][1];
    // OTP 25: {data,[{"State",{idle,"sm:format_status/1 crashed"}}]}, the rest unformatted.
    const term module = data[2][1][0];
    const std::string note = std::string(module.as_atom().name()) + ":format_status/1 crashed";
    EXPECT_EQ(misc[2], tuple(a("data"), list(tuple(sys::charlist("State"),
                                                   tuple(a("idle"), sys::charlist(note))))));
    EXPECT_EQ(data[3], tuple(sys::charlist("Time-outs"), tuple(0, list())));
    EXPECT_EQ(data[5], tuple(sys::charlist("Postponed"), list(tuple(a("cast"), a("later")))));
    EXPECT_TRUE(alive(*m));  // the machine goes on
    EXPECT_EQ(co_await gen_statem::call(*m, a("arm")), term(a("ok")));
  });
}

TEST_P(GenStatemSysTest, AViaNamedMachinesHeaderIsATupleWithTheName) {
  run([]() -> co<void> {
    gen_statem::start_options opts;
    opts.name = server_ref::global(a("statem_global"));
    start_result m = co_await gen_statem::start_link<counter>(opts, 0);
    term status = co_await sys::get_status(*m);
    // gen:format_status_header(TagLine, Name) = {TagLine, Name} for a global or via name.
    EXPECT_EQ(status[3][4][0], tuple(a("header"), tuple(sys::charlist("Status for state machine"),
                                                        a("statem_global"))));
    EXPECT_EQ(co_await gen_statem::stop(*m), atoms::ok);
  });
}

}  // namespace
}  // namespace otter::test_support
