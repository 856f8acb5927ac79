// Erlang's throw class in a gen_statem (otter::throw_value): gen_statem takes a throw from
// init or a state callback as the callback's result, parsed as OTP's result terms are, and
// ignores one from terminate. A thrown result that is one ({:ok, state, data} from init,
// {:keep_state, data, [reply]} from a call) works as if returned; any other value is a bad
// result: from init, start_link's {:error, {:bad_return_from_init, v}}, reported with class
// :exit (the init's logs are not captured: Elixir's logger prints them after the starter's
// next line, Otter's before); from a callback, the stop reason {:bad_return_from_state_function,
// v}, class :error. Trace recorded from Elixir 1.14 / OTP 25 with the suite's trace helper:
//
//   T.start()
//   Process.flag(:trap_exit, true)
//   defmodule Machine do
//     @behaviour :gen_statem
//     def callback_mode, do: :state_functions
//     def init(:throw), do: throw(:from_init)
//     def init(:throw_result), do: throw({:ok, :idle, 0})
//     def init(d), do: {:ok, :idle, d}
//     def idle({:call, _from}, :throw, _d), do: throw(:from_call)
//     def idle({:call, from}, :throw_result, d),
//       do: throw({:keep_state, d + 1, [{:reply, from, {:thrown, d}}]})
//     def idle({:call, from}, :get, d), do: {:keep_state_and_data, [{:reply, from, d}]}
//     def idle(:cast, :throw, _d), do: throw(:from_cast)
//     def terminate(_r, _s, _d), do: throw(:from_terminate)
//   end
//   T.log("start_link, init throws", :gen_statem.start_link(Machine, :throw, []))
//   T.log("caller gets", T.recv())
//   T.capture_logs(true)
//   {:ok, m0} = :gen_statem.start(Machine, :throw_result, [])
//   T.name(m0, "m0")
//   T.log("init threw a result, data", :gen_statem.call(m0, :get))
//   {:ok, m} = :gen_statem.start(Machine, 7, [])
//   T.name(m, "m")
//   T.log("call, callback throws a result", :gen_statem.call(m, :throw_result))
//   T.log("call, get", :gen_statem.call(m, :get))
//   T.log("call, callback throws", T.catching(fn -> :gen_statem.call(m, :throw) end))
//   {:ok, m2} = :gen_statem.start(Machine, 8, [])
//   T.name(m2, "m2")
//   ref = Process.monitor(m2)
//   :gen_statem.cast(m2, :throw)
//   receive do {:DOWN, ^ref, _, _, r} -> T.log("m2 DOWN", r) end
//   T.log("end")

#include "otter/otp/gen_statem.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(start_link, init throws: {:error, {:bad_return_from_init, :from_init}}
caller gets: {:EXIT, #PID<pid1>, {:bad_return_from_init, :from_init}}
init threw a result, data: 0
call, callback throws a result: {:thrown, 7}
call, get: 8
LOG[error] gen_statem terminate name=#PID<m> reason={:bad_return_from_state_function, :from_call}
LOG[error] proc_lib crash_report pid=#PID<m> registered_name=[] error_info={:error, {:bad_return_from_state_function, :from_call}} ancestors=[#PID<main>]
call, callback throws: {:exit, {{{:bad_return_from_state_function, :from_call}, #Stacktrace}, {:gen_statem, :call, [#PID<m>, :throw, :infinity]}}}
LOG[error] gen_statem terminate name=#PID<m2> reason={:bad_return_from_state_function, :from_cast}
LOG[error] proc_lib crash_report pid=#PID<m2> registered_name=[] error_info={:error, {:bad_return_from_state_function, :from_cast}} ancestors=[#PID<main>]
m2 DOWN: {{:bad_return_from_state_function, :from_cast}, #Stacktrace}
end
)";

struct machine {
  using data = term;
  using result = gen_statem::result<atom, term>;
  static constexpr auto callback_mode = gen_statem::state_functions;

  gen_statem::init_result<atom, term> init(term arg) {
    if (arg.is(a("throw"))) {
      throw_value(a("from_init"));
    }
    if (arg.is(a("throw_result"))) {
      throw_value(tuple(a("ok"), a("idle"), 0));
    }
    return {a("idle"), arg};
  }

  static gen_statem::state_table<machine> state_functions() {
    return {{a("idle"), &machine::idle}};
  }

  result idle(gen_statem::event& e, term& d) {
    if (e.kind() == gen_statem::event_kind::cast) {
      throw_value(a("from_cast"));
    }
    const term req = e.content();
    if (req.is(a("throw"))) {
      throw_value(a("from_call"));
    }
    if (req.is(a("throw_result"))) {
      term reply = tuple(a("reply"), e.caller().to_term(), tuple(a("thrown"), d));
      throw_value(tuple(a("keep_state"), d.as_int() + 1, term::list({reply})));
    }
    return result::keep_state_and_data().reply(e.caller(), d);  // :get
  }

  void terminate(const term&, const atom&, term&) { throw_value(a("from_terminate")); }
};

co<void> scenario(testing::trace& t) {
  trap_exit(true);
  t.log("start_link, init throws",
        to_term(co_await gen_statem::start_link<machine>(term(a("throw")))));
  t.log("caller gets", co_await testing::recv());
  testing::log_capture capture(t);
  start_result started = co_await gen_statem::start<machine>(term(a("throw_result")));
  const pid m0 = t.name(*started, "m0");
  t.log("init threw a result, data", co_await gen_statem::call(m0, a("get")));
  started = co_await gen_statem::start<machine>(term(7));
  const pid m = t.name(*started, "m");
  t.log("call, callback throws a result", co_await gen_statem::call(m, a("throw_result")));
  t.log("call, get", co_await gen_statem::call(m, a("get")));
  t.log("call, callback throws", co_await testing::catching([m]() -> co<term> {
          co_return co_await gen_statem::call(m, a("throw"));
        }));
  started = co_await gen_statem::start<machine>(term(8));
  const pid m2 = t.name(*started, "m2");
  ref mon = monitor(m2);
  gen_statem::cast(m2, a("throw"));
  t.log("m2 DOWN", co_await down_reason(mon));
  t.log("end");
}

TEST(ConformanceTest, StatemThrow) {
  expect_trace(expected, scenario);
}

}  // namespace
}  // namespace otter::conformance
