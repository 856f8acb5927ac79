// otter/otp/gen_statem_request.hpp: calls whose reply is collected later (OTP 25's
// gen_statem:send_request/2, wait_response/1,2, receive_response/1,2, check_response/2).
//
//   auto id = gen_statem::send_request(machine, atom("get"));   // returns at once
//   ...                                                          // other work
//   gen_statem::response<term> r = co_await gen_statem::receive_response(id, 1000);
//   if (r.is_reply()) use(*r.value);
//
// send_request sends the request as call() does (a {:call, from} event for a gen_statem, a
// handle_call for a GenServer given a term request), monitoring the server, and returns a
// request_id at once. The reply, or the server's DOWN, then waits in the caller's mailbox
// until one of these takes it:
//   - wait_response(id, timeout): {:reply, r}, {:error, {reason, server}} when the server died
//     first (`server` is the pid the DOWN names), or :timeout. After a timeout the request is
//     still active: wait again, or abandon it with receive_response;
//   - receive_response(id, timeout): the same, but a timeout abandons the request (the monitor
//     is removed and a reply that comes later is dropped before it reaches the mailbox, as
//     call() does); a reply already in the mailbox is still returned;
//   - check_response(msg, id): for a message the caller received itself (receive_any, or
//     on<message>): {:reply, r} or {:error, ...} when it is this request's, else :no_reply
//     (the message is left as it was).
// A dest that names no process does not fail: as OTP, send_request puts a DOWN with :noproc
// in the caller's own mailbox, and the response is {:error, {:noproc, dest}} (dest as
// written). Once a response other than :timeout has been returned the request is done:
// waiting for it again waits for nothing (until the timeout).
//
// The reply has type R: by default Req::reply_type, or term (as call()). Timeouts are in
// milliseconds or otter::infinity (the default); any other negative timeout raises
// error(:badarg) in the caller, as OTP's.
// Not built: request id collections (reqids_new, send_request/4, the /3 forms).
//
// Thread safety: @in_process; a request_id belongs to the process that sent the request.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/exit.hpp"
#include "otter/core/message.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/detail/gen_call.hpp"
#include "otter/detail/gen_statem_loop.hpp"
#include "otter/otp/server_ref.hpp"

#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

namespace otter::gen_statem {

/// What wait_response / receive_response / check_response found.
enum class response_kind : std::uint8_t { reply, error, timeout, no_reply };

template <class R>
struct response {
  response_kind kind = response_kind::timeout;
  std::optional<R> value{};  // the reply (kind reply)
  term reason{};             // kind error: the server's exit reason
  term server{};             // kind error: the server as the DOWN names it

  [[nodiscard]] bool is_reply() const noexcept { return kind == response_kind::reply; }
  /// `{:reply, r}`, `{:error, {reason, server}}`, `:timeout` or `:no_reply`.
  [[nodiscard]] term to_term() const {
    switch (kind) {
      case response_kind::reply:
        return tuple(atom("reply"), otter::detail::as_term(*value));
      case response_kind::error:
        return tuple(atoms::error, tuple(reason, server));
      case response_kind::timeout:
        return term(atoms::timeout);
      case response_kind::no_reply:
        break;
    }
    return term(atom("no_reply"));
  }
};

/// A request in flight (OTP's request_id()). A value: copies name the same request.
template <class R>
class request_id {
public:
  request_id() = default;
  request_id(ref tag, ref monitor) noexcept : tag_(tag), monitor_(monitor) {}
  /// The reply address (the alias the server replies to); null when dest named no process.
  [[nodiscard]] ref tag() const noexcept { return tag_; }
  /// The monitor of the server (the ref of the DOWN that answers instead of a reply).
  [[nodiscard]] ref monitor() const noexcept { return monitor_; }
  /// As OTP shows a request id: the monitor's ref.
  [[nodiscard]] term to_term() const { return term(monitor_); }
  friend bool operator==(const request_id&, const request_id&) = default;

private:
  ref tag_;
  ref monitor_;
};

namespace detail {

template <class R>
response<R> reply_response(R value) {
  response<R> r;
  r.kind = response_kind::reply;
  r.value.emplace(std::move(value));
  return r;
}
template <class R>
response<R> down_response(down_msg& d) {
  response<R> r;
  r.kind = response_kind::error;
  r.reason = std::move(d.reason);
  r.server = std::move(d.object);
  return r;
}

/// The receive of the reply or the DOWN of `id` (built outside any coroutine: GCC 12).
template <class R>
auto response_receive(request_id<R> id, std::int64_t timeout) {
  using otter::detail::gen_reply;
  const ref tag = id.tag();
  const ref mon = id.monitor();
  return receive(
      on<gen_reply<R>>([tag](const gen_reply<R>& g) { return !tag.is_null() && g.tag == tag; },
                       [](gen_reply<R>& g) { return reply_response<R>(std::move(g.value)); }),
      on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; },
                   [](down_msg& d) { return down_response<R>(d); }),
      after(timeout, [] { return response<R>{}; }));
}

/// A reply already in the mailbox, else :timeout.
template <class R>
auto late_reply_receive(request_id<R> id) {
  using otter::detail::gen_reply;
  const ref tag = id.tag();
  return receive(
      on<gen_reply<R>>([tag](const gen_reply<R>& g) { return !tag.is_null() && g.tag == tag; },
                       [](gen_reply<R>& g) { return reply_response<R>(std::move(g.value)); }),
      after(0, [] { return response<R>{}; }));
}

/// The request is answered (or abandoned): no DOWN and no reply of it may arrive any more.
void finish_request(ref tag, ref monitor, bool flush_down);
/// OTP's timeout_value: a negative timeout (other than infinity) raises error(:badarg).
void check_response_timeout(std::int64_t timeout);

}  // namespace detail

/// Sends `request` as a call and returns at once (gen_statem:send_request/2); see the top of
/// this file. @in_process
template <class R = void, class Req>
auto send_request(const server_ref& dest, Req&& request) {
  using Q = detail::request_t<std::decay_t<Req>>;
  using reply = std::conditional_t<std::is_void_v<R>, typename detail::reply_of_t<Q>::type, R>;
  Q q(std::forward<Req>(request));
  pid server = dest.resolve();
  if (server.is_null()) {
    // gen:send_request: "make send_request async and fake a down message".
    ref mon = make_ref();
    send(self(), down_msg{mon, dest.to_term(), term(atoms::noproc)});
    return request_id<reply>(ref(), mon);
  }
  // Monitor first: a server that dies after the request is sent must still answer (DOWN).
  ref mon = monitor(server);
  ref tag = alias();
  otter::detail::send_node(
      otter::detail::current_runtime("gen_statem::send_request"), server,
      detail::request_node(gen_server::detail::request_kind::call,
                           from{self(), tag, otter::detail::type_id<reply>()}, std::move(q)));
  return request_id<reply>(tag, mon);
}

/// The reply or the DOWN of `id`, or :timeout after `timeout` ms; a timeout leaves the request
/// active (gen_statem:wait_response/2). @in_process
template <class R>
co<response<R>> wait_response(request_id<R> id, std::int64_t timeout = infinity) {
  detail::check_response_timeout(timeout);
  response<R> r = co_await detail::response_receive<R>(id, timeout);
  if (r.kind != response_kind::timeout) {
    detail::finish_request(id.tag(), id.monitor(), r.is_reply());
  }
  co_return r;
}

/// wait_response(), but a timeout abandons the request (gen_statem:receive_response/2).
/// @in_process
template <class R>
co<response<R>> receive_response(request_id<R> id, std::int64_t timeout = infinity) {
  detail::check_response_timeout(timeout);
  response<R> r = co_await detail::response_receive<R>(id, timeout);
  if (r.kind != response_kind::timeout) {
    detail::finish_request(id.tag(), id.monitor(), r.is_reply());
    co_return r;
  }
  // gen:receive_response: demonitor (with flush), then take a reply that made it in time.
  detail::finish_request(id.tag(), id.monitor(), true);
  co_return co_await detail::late_reply_receive<R>(id);
}

/// Whether `msg`, a message the caller received, answers `id` (gen_statem:check_response/2):
/// the reply (taken out of msg) or the error, else :no_reply. @in_process
template <class R>
response<R> check_response(message& msg, const request_id<R>& id) {
  using otter::detail::gen_reply;
  if (msg.is<gen_reply<R>>() && !id.tag().is_null() && msg.get<gen_reply<R>>().tag == id.tag()) {
    detail::finish_request(id.tag(), id.monitor(), true);
    return detail::reply_response<R>(std::move(msg.get<gen_reply<R>>().value));
  }
  if (msg.is<down_msg>() && msg.get<down_msg>().monitor == id.monitor()) {
    detail::finish_request(id.tag(), id.monitor(), false);
    down_msg d = msg.get<down_msg>();
    return detail::down_response<R>(d);
  }
  response<R> none;
  none.kind = response_kind::no_reply;
  return none;
}

}  // namespace otter::gen_statem
