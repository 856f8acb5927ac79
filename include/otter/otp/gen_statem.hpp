// otter/otp/gen_statem.hpp: state machines (Erlang's gen_statem, OTP 25).
//
// A machine is a class: `data` names the data its handlers share, `state` the type of its
// states (atom when not given), `callback_mode` how events find their handler:
//
//   struct door {
//     using data = int;                                   // how many times it opened
//     using result = gen_statem::result<atom, int>;
//     static constexpr auto callback_mode = gen_statem::state_functions;
//     gen_statem::init_result<atom, int> init() { return {atom("closed"), 0}; }
//     static gen_statem::state_table<door> state_functions() {
//       return {{atom("closed"), &door::closed}, {atom("open"), &door::open}};
//     }
//     result closed(gen_statem::event& e, int& opened) {     // one handler per state
//       if (e.cast<term>()) {
//         ++opened;
//         return result::next_state(atom("open")).state_timeout(1000, atom("close"));
//       }
//       return result::keep_state_and_data();
//     }
//     result open(gen_statem::event& e, int&) {
//       if (e.kind() == gen_statem::event_kind::state_timeout) {
//         return result::next_state(atom("closed"));
//       }
//       return result::keep_state_and_data().postpone();  // retried once closed
//     }
//   };
//   otter::start_result d = co_await gen_statem::start_link<door>();
//   gen_statem::cast(*d, atom("push"));
//
// Callbacks (each may also be a coroutine returning co<...>):
//   init(args...)                               -> init_result<state, data>
//   state_functions mode: static state_functions() -> state_table<S>, and per state
//     result name(event&, data&)
//   handle_event_function mode:
//     result handle_event(event&, const state&, data&)
//   terminate(const term& reason, const state&, data&)   optional
// With `| gen_statem::state_enter` the handler is also called with an enter event (content:
// the previous state) after every state change and repeat_state, and after init. Results,
// actions and events are in otter/otp/gen_statem_results.hpp.
//
// Semantics are OTP 25's gen_statem:
//   - start_link runs init inside the new process and returns when it has finished: {:ok,
//     pid}, :ignore or {:error, reason} (a raise in init: the exception, without stack trace);
//     init's actions run after the ack, so a bad one stops a machine that did start;
//   - events are handled one at a time: inserted events (next_event) first, then postponed
//     events after a state change (oldest first), then 0 timeouts, then the mailbox in order;
//   - calls ({:call, from}) are answered by reply actions, or later by gen_statem::reply;
//     call's default timeout is infinity; a call that times out exits the caller with
//     `{:timeout, {:gen_statem, :call, [dest, request, timeout]}}` and its late reply never
//     reaches the caller's mailbox; a dead machine gives :noproc, a call to oneself
//     :calling_self, a machine that dies during the call its exit reason; try_call returns
//     that reason instead;
//   - timeouts: the event timeout is cancelled by any event, the state timeout by a state
//     change, generic timeouts (one per name) only by cancel; a new one of the same type
//     replaces the running one; infinity cancels; 0 fires before any new message;
//   - a handler that raises stops the machine: terminate sees the exception (without stack
//     trace) and the state before the event, the "gen_statem terminate" and crash reports are
//     logged, and the process exits with the exception; a stop result exits with its reason
//     (no report for :normal, :shutdown, {:shutdown, _}); a bad result or action exits with
//     error({:bad_..._from_state_function, ...}) after terminate;
//   - data is changed in place: a handler that raises or returns a bad result keeps the
//     changes it made (OTP keeps the data from before the event);
//   - a machine started with start_link that traps exits terminates when its parent exits;
//     it answers system messages (otter/otp/sys.hpp) between events: get_state is
//     {state, data} (a std::pair<state, data> for get_state<std::pair<...>>);
//   - term requests (atoms, numbers, strings, terms) travel as GenServer's do, so
//     GenServer.call / cast reach a gen_statem and term calls of gen_statem reach a GenServer;
//   - send_request / wait_response / receive_response / check_response make a call whose
//     reply is collected later (otter/otp/gen_statem_request.hpp);
//   - enter_loop turns a process started by proc_lib into a machine (below);
//   - format_status (optional): `gen_statem::status format_status(gen_statem::status s)`
//     changes how sys::get_status shows the machine (state, data, postponed events,
//     timeouts; OTP 25's format_status/1). get_status then shows {s.state, s.data} as the
//     state and s's other fields in place of the originals (the number of time-outs stays
//     the real one); a format_status that raises shows {state, "Module:format_status/1
//     crashed"} instead. The "gen_statem terminate" report shows no state, so it does not
//     call format_status (OTP does, to hide data from its report).
// Not built: request id collections (reqids_*), start_monitor, change_callback_module,
// format_status/2 (deprecated in OTP 25), hibernate_after (hibernate is accepted, ignored).
// No code_change: it exists for hot code loading (sys:change_code during a release upgrade),
// which Otter does not have: code is compiled in, so there is no new version of the callback
// module to change the state for.
//
// Thread safety: the functions in gen_statem:: are @in_process; the handlers run in the
// machine's process, one at a time.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/process.hpp"
#include "otter/detail/gen_statem_loop.hpp"
#include "otter/otp/child_spec.hpp"
#include "otter/otp/gen_statem_request.hpp"
#include "otter/otp/gen_statem_results.hpp"
#include "otter/otp/server_ref.hpp"
#include "otter/otp/start_result.hpp"

#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

namespace otter::gen_statem {

/// Starts a machine of type S linked to the caller; init(args...) runs in it before this
/// returns. @in_process
template <class S, class... A>
co<start_result> start_link(start_options opts, A... args) {
  co_return co_await detail::start<S>(true, std::move(opts), std::move(args)...);
}
template <class S, class... A>
co<start_result> start_link(A... args) {
  co_return co_await detail::start<S>(true, start_options{}, std::move(args)...);
}
/// start_link() without the link.
template <class S, class... A>
co<start_result> start(start_options opts, A... args) {
  co_return co_await detail::start<S>(false, std::move(opts), std::move(args)...);
}
template <class S, class... A>
co<start_result> start(A... args) {
  co_return co_await detail::start<S>(false, start_options{}, std::move(args)...);
}

/// Turns the calling process into a machine of type S (gen_statem:enter_loop/4,5,6): no init
/// runs; the machine starts in `start`'s state with its data and actions, as if init had
/// returned it (the first enter call included). The process must have been started by
/// proc_lib (otter/otp/proc_lib.hpp), whose starter is the machine's parent, and has usually
/// acknowledged its start already (proc_lib::init_ack). `name`, when given, must already be
/// the process's: its registered name, or a via / global name that resolves to it; it is then
/// the machine's name (get_status, reports). Never returns: the process exits when the machine
/// stops. Exits the process at once with OTP's reasons when it was not started by proc_lib
/// (:process_was_not_started_by_proc_lib), its parent's name is gone
/// (:could_not_find_registered_name), or `name` is not its own (:process_not_registered,
/// :process_not_registered_globally, {:process_not_registered_via, module}); a `start` that
/// is not ok(...) raises error(:badarg). @in_process
template <class S>
co<void> enter_loop(init_result<state_of<S>, typename S::data> start,
                    std::optional<server_ref> name = std::nullopt) {
  const pid parent = detail::enter_loop_parent();
  detail::check_enter_loop_name(name);
  if (start.kind_ != detail::transition::next_state) {
    otter::error(term(atoms::badarg));
  }
  start_options opts;
  if (name && !name->is_pid()) {
    opts.name = std::move(name);
  }
  co_await detail::enter_main<S>(parent, std::move(opts), std::move(start));
}

/// A child spec that starts S with start_link(opts, args...) (restarts start it afresh):
/// permanent worker, shutdown 5000; change the fields to taste.
template <class S, class... A>
otter::child_spec child_spec(term id, start_options opts, A... args) {
  otter::child_spec spec;
  spec.id = std::move(id);
  spec.start = start_with([opts = std::move(opts), ... args = std::move(args)]() {
    return gen_statem::start_link<S>(opts, args...);
  });
  return spec;
}

// -- calls -----------------------------------------------------------------------------------

/// The reply type of a call with `Req`: Req::reply_type, or term.
template <class Req>
using reply_of = typename detail::reply_of_t<detail::request_t<std::decay_t<Req>>>::type;

/// Sends `request` as a {:call, from} event and waits for the reply (see the top of this
/// file for the failures, which exit the caller). The reply has type R: by default
/// Req::reply_type, or term. @in_process
template <class R = void, class Req>
auto call(const server_ref& dest, Req&& request, std::int64_t timeout = infinity) {
  using Q = detail::request_t<std::decay_t<Req>>;
  using reply = std::conditional_t<std::is_void_v<R>, reply_of<Req>, R>;
  return detail::do_call<reply, false>(dest, Q(std::forward<Req>(request)), timeout);
}
/// call() returning the failure instead of exiting: its reason is the exit reason call()
/// would have used. @in_process
template <class R = void, class Req>
auto try_call(const server_ref& dest, Req&& request, std::int64_t timeout = infinity) {
  using Q = detail::request_t<std::decay_t<Req>>;
  using reply = std::conditional_t<std::is_void_v<R>, reply_of<Req>, R>;
  return detail::do_call<reply, true>(dest, Q(std::forward<Req>(request)), timeout);
}

/// Sends `msg` as a :cast event; a dead machine or an unknown name is ignored. @in_process
template <class Msg>
atom cast(const server_ref& dest, Msg&& msg) {
  using Q = detail::request_t<std::decay_t<Msg>>;
  detail::do_cast(dest, Q(std::forward<Msg>(msg)));
  return atoms::ok;
}

/// Answers a call (gen_statem:reply/2) from any process, at most once per call. `value` must
/// have the reply type the caller waits for (a caller that waits for a term gets it as a
/// term). Returns :ok.
template <class V>
atom reply(const from& to, V value) {
  gen_server::detail::send_reply(to, std::move(value));
  return atoms::ok;
}

/// Stops the machine with `reason` (gen_statem:stop/3): terminate runs in it, and this returns
/// :ok once it has exited. Exits the caller with :noproc when it is not running, :timeout when
/// it does not stop in time, or the machine's exit reason when it is another; a machine that
/// is the caller itself gives `{:calling_self, {:sys, :terminate, [dest, reason, timeout]}}`.
/// @in_process
co<atom> stop(server_ref dest, term reason = term(atoms::normal), std::int64_t timeout = infinity);

/// The pid a name refers to now, or the null pid.
[[nodiscard]] inline pid whereis(const server_ref& dest) {
  return dest.resolve();
}

}  // namespace otter::gen_statem
