// otter/otp/gen_server.hpp: generic servers (Elixir's GenServer, Erlang's gen_server).
//
// A server is a class whose member functions are the callbacks, and whose `state` type names
// the state the callbacks share; requests are ordinary C++ types (or otter::term):
//
//   struct counter {
//     using state = int;
//     struct get {};
//     struct add { int by; };
//     state init(int start) { return start; }                          // {:ok, start}
//     int handle_call(get, const gen_server::from&, int& n) { return n; }   // {:reply, n, n}
//     void handle_cast(add a, int& n) { n += a.by; }                   // {:noreply, n}
//   };
//   otter::start_result c = co_await gen_server::start_link<counter>(0);
//   int n = co_await gen_server::call<counter>(*c, counter::get{});   // the reply type is the
//                                                                     // handler's return type
// Callbacks (all optional except init; each may also be a coroutine returning co<...>):
//   init(args...)                     -> state | init_result<state>
//   handle_call(Req, const from&, state&) -> R | call_result<R>     (one overload per request)
//   handle_cast(Req, state&)          -> void | cast_result
//   handle_info(const term&, state&)  -> void | cast_result  (or take otter::message& to see
//                                        the C++ type of a message)
//   handle_continue(const term&, state&) -> void | cast_result
//   terminate(const term& reason, state&)
// Results carry OTP's variants: reply / noreply / stop (with or without a reply), each with a
// timeout (then handle_info(:timeout) runs when no message arrives in time) or a continue
// (handle_continue runs before the next message). init may return ignore or stop.
//
// Semantics are Elixir's (GenServer, OTP 25's gen_server):
//   - start_link runs init inside the new process and returns when it has finished: {:ok, pid},
//     :ignore, or {:error, reason}; a taken name gives {:error, {:already_started, pid}} and
//     init does not run;
//   - requests are handled one at a time, in mailbox order;
//   - call exits the caller with `{reason, {GenServer, :call, [dest, request, timeout]}}` when
//     the server is dead (:noproc), is the caller itself (:calling_self, at once), dies (its
//     reason), or does not answer in time (:timeout; a reply that comes later is dropped);
//     try_call returns that reason instead;
//   - a callback that throws stops the server with the exception as its reason: terminate runs
//     (always, as in Elixir: it is not limited to trapping servers), the "gen_server terminate"
//     and crash reports are logged for abnormal reasons, links and monitors fire;
//   - {:stop, reason, reply, state} runs terminate BEFORE the reply is sent;
//   - a server started with start_link that traps exits terminates when its parent exits;
//   - the server answers system messages (otter/otp/sys.hpp) at any time, even suspended.
//
// Handlers that are coroutines may co_await other calls; the server handles nothing else
// meanwhile (its mailbox waits), exactly like a GenServer callback that calls another server.
//
// Thread safety: the functions in gen_server:: are @in_process; the callbacks run in the
// server's process, one at a time.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/exit.hpp"
#include "otter/core/logger.hpp"
#include "otter/core/message.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/detail/gen_call.hpp"
#include "otter/detail/gen_server_loop.hpp"
#include "otter/otp/gen_server_results.hpp"
#include "otter/otp/proc_lib.hpp"
#include "otter/otp/server_ref.hpp"
#include "otter/otp/start_result.hpp"
#include "otter/otp/sys.hpp"

#include <cstdint>
#include <utility>

namespace otter::gen_server {

/// Starts a server linked to the caller; init(args...) runs in it before this returns.
/// @in_process
// (These return detail::start's coroutine itself: a wrapper coroutine would cost a frame per
// start for nothing.)
template <class S, class... A>
co<start_result> start_link(start_options opts, A... args) {
  return detail::start<S>(true, std::move(opts), std::move(args)...);
}
template <class S, class... A>
co<start_result> start_link(A... args) {
  return detail::start<S>(true, start_options{}, std::move(args)...);
}
/// start_link() without the link.
template <class S, class... A>
co<start_result> start(start_options opts, A... args) {
  return detail::start<S>(false, std::move(opts), std::move(args)...);
}
template <class S, class... A>
co<start_result> start(A... args) {
  return detail::start<S>(false, start_options{}, std::move(args)...);
}

// -- calls -----------------------------------------------------------------------------------

/// The reply type of S's handle_call for Req.
template <class S, class Req>
using reply_t = typename detail::call_traits<S, Req>::reply_type;

/// Sends `request` to the server of type S named by `dest` and waits for its reply (see the top
/// of this file for the failures, which exit the caller). @in_process
template <class S, class Req>
auto call(const server_ref& dest, Req&& request, std::int64_t timeout = default_call_timeout) {
  return detail::do_call<S, false>(dest, std::decay_t<Req>(std::forward<Req>(request)), timeout);
}
/// call() with a term request to any server that handles terms; the reply is a term.
inline auto call(const server_ref& dest, const term& request,
                 std::int64_t timeout = default_call_timeout) {
  return detail::do_call<void, false>(dest, request, timeout);
}
/// call() returning the failure instead of exiting: its reason is the exit reason call() would
/// have used. @in_process
template <class S, class Req>
auto try_call(const server_ref& dest, Req&& request, std::int64_t timeout = default_call_timeout) {
  return detail::do_call<S, true>(dest, std::decay_t<Req>(std::forward<Req>(request)), timeout);
}
inline auto try_call(const server_ref& dest, const term& request,
                     std::int64_t timeout = default_call_timeout) {
  return detail::do_call<void, true>(dest, request, timeout);
}

/// Sends `request` without waiting; a dead server or an unknown name is ignored (as cast
/// always returns :ok). @in_process
template <class S, class Req>
atom cast(const server_ref& dest, Req&& request) {
  detail::do_cast<S>(dest, std::decay_t<Req>(std::forward<Req>(request)));
  return atoms::ok;
}
inline atom cast(const server_ref& dest, term request) {
  detail::do_cast<void>(dest, std::move(request));
  return atoms::ok;
}

/// Answers a call that the handler did not answer itself (GenServer.reply); callable from any
/// process, at most once per call. `value` must have the handler's reply type. Returns :ok.
template <class V>
atom reply(const from& to, V value) {
  detail::send_reply(to, std::move(value));
  return atoms::ok;
}

/// Stops the server with `reason`: terminate runs in it, and this returns :ok once it has
/// exited. Exits the caller with `{reason', {GenServer, :stop, [dest, reason, timeout]}}` when
/// the server is not running (:noproc), is the caller itself (:calling_self), or exits with
/// another reason. @in_process
co<atom> stop(server_ref dest, term reason = term(atoms::normal), std::int64_t timeout = infinity);

/// The pid a name refers to now, or the null pid (GenServer.whereis).
[[nodiscard]] inline pid whereis(const server_ref& dest) {
  return dest.resolve();
}

}  // namespace otter::gen_server
