// otter/detail/gen_server_loop.hpp: the server side of otter/otp/gen_server.hpp. Not API.
//
// Requests travel as envelope nodes: a payload_node<envelope> (so that one receive clause
// takes every request) followed by the request itself. The caller knows the server's type S
// and puts a pointer to dispatch_call<S, Req> in the envelope, so the server never looks the
// request type up: it checks that the envelope was made for S and calls the pointer. A term
// request made without a server type (call(dest, term)) goes to S's term handler.
//
// The loop follows gen_server.erl's: one message at a time; callbacks run inside one
// try/catch (OTP's try_dispatch); a crash runs terminate, logs, and ends the process with the
// original exception, so proc_lib reports the right class; system messages are answered
// between messages, and only they are taken while suspended.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/exit.hpp"
#include "otter/core/message.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/detail/gen_call.hpp"
#include "otter/otp/gen_server_results.hpp"
#include "otter/otp/proc_lib.hpp"
#include "otter/otp/server_ref.hpp"
#include "otter/otp/start_result.hpp"
#include "otter/otp/sys.hpp"

#include <any>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

namespace otter::gen_server::detail {

using otter::detail::node_ptr;

template <class T>
struct co_value {
  using type = T;
  static constexpr bool is_co = false;
};
template <class T>
struct co_value<co<T>> {
  using type = T;
  static constexpr bool is_co = true;
};

template <class T>
struct call_result_value {
  using type = T;
};
template <class R>
struct call_result_value<call_result<R>> {
  using type = R;
};

template <class S>
using state_of = typename S::state;

template <class S, class Req>
concept handles_call = requires(S& s, Req&& r, const from& f, state_of<S>& st) {
  s.handle_call(std::move(r), f, st);
};
template <class S, class Req>
concept handles_cast = requires(S& s, Req&& r, state_of<S>& st) {
  s.handle_cast(std::move(r), st);
};

template <class S, class Req>
struct call_traits {
  using raw = decltype(std::declval<S&>().handle_call(
      std::declval<Req&&>(), std::declval<const from&>(), std::declval<state_of<S>&>()));
  using reply_type = typename call_result_value<typename co_value<raw>::type>::type;
};
template <class Req>
struct call_traits<void, Req> {
  using reply_type = term;
};

/// What one callback asked for, with a reply that must wait until terminate has run.
struct step {
  flow next;
  node_ptr reply;
  pid reply_to;
};
struct step_result {
  step now;
  co<step> later;  // the handler is a coroutine: await this for the step
  bool async = false;
};

enum class request_kind : std::uint8_t { call, cast };
struct envelope;
using dispatch_fn = step_result (*)(void* server, void* state, envelope& e);

struct envelope {
  request_kind what = request_kind::call;
  from caller;
  const void* server_type = nullptr;  // type_id<S>() of the server the caller named
  dispatch_fn dispatch = nullptr;
  void* request = nullptr;  // the request, inside the same node
  term (*describe)(const void* request) = nullptr;
  [[nodiscard]] term request_term() const { return describe(request); }
};

/// The request as it appears in exit reasons and reports.
template <class Req>
term describe(const Req& r) {
  if constexpr (std::is_same_v<Req, term>) {
    return r;
  } else if constexpr (requires { r.to_term(); } || std::is_constructible_v<term, const Req&>) {
    return otter::detail::as_term(r);
  } else {
    static const term opaque = term::immortal(otter::detail::as_term(r));
    return opaque;
  }
}
template <class Req>
term describe_erased(const void* r) {
  return describe(*static_cast<const Req*>(r));
}

template <class Req>
struct envelope_node final : otter::detail::payload_node<envelope> {
  Req req;
  envelope_node(request_kind k, from f, const void* server_type, dispatch_fn fn, Req r)
      : otter::detail::payload_node<envelope>(otter::detail::node_kind::message),
        req(std::move(r)) {
    value = envelope{k, f, server_type, fn, &req, &describe_erased<Req>};
  }
  [[nodiscard]] otter::detail::call_return call_of() const noexcept override {
    return {value.caller.caller, value.caller.tag};
  }
  [[nodiscard]] term to_term() const override {
    static const atom gen_call("$gen_call");
    static const atom gen_cast("$gen_cast");
    if (value.what == request_kind::call) {
      return tuple(gen_call, value.caller.to_term(), describe(req));
    }
    return tuple(gen_cast, describe(req));
  }
};

// -- replies ---------------------------------------------------------------------------------

/// A reply node for `to`. The caller waits for its own reply type; a caller that waits for a
/// term (an untyped call) gets the value as a term.
template <class V>
node_ptr reply_node(const from& to, V value) {
  using otter::detail::alias_node;
  using otter::detail::gen_reply;
  using otter::detail::type_id;
  if (to.reply_type == type_id<V>()) {
    return node_ptr(new alias_node<gen_reply<V>>(to.tag, gen_reply<V>{to.tag, std::move(value)}));
  }
  OTTER_CHECK(to.reply_type == type_id<term>(),
              "gen_server reply: the value's type is not the reply type the caller waits for");
  return node_ptr(new alias_node<gen_reply<term>>(
      to.tag, gen_reply<term>{to.tag, otter::detail::as_term(value)}));
}

template <class V>
void send_reply(const from& to, V value) {
  otter::detail::send_node(otter::detail::current_runtime("gen_server::reply"), to.caller,
                           reply_node(to, std::move(value)));
}

template <class R>
step finish_call(call_result<R> r, const from& f) {
  step s{std::move(r.flow_), nullptr, pid()};
  if (r.reply_) {
    node_ptr n = reply_node(f, std::move(*r.reply_));
    if (s.next.stop) {
      s.reply = std::move(n);  // sent after terminate (gen_server.erl: terminate, then reply)
      s.reply_to = f.caller;
    } else {
      otter::detail::send_node(otter::detail::current_runtime("gen_server"), f.caller,
                               std::move(n));
    }
  }
  return s;
}
template <class V>
step finish_call(V v, const from& f) {
  return finish_call(call_result<V>(std::move(v)), f);
}

inline step finish_noreply(cast_result r) {
  return step{std::move(r.flow_), nullptr, pid()};
}

template <class Raw>
co<step> await_noreply(Raw c) {
  if constexpr (std::is_void_v<typename co_value<Raw>::type>) {
    co_await std::move(c);
    co_return step{};
  } else {
    co_return finish_noreply(co_await std::move(c));
  }
}

template <class Raw, class Invoke>
step_result run_noreply(Invoke invoke) {
  if constexpr (co_value<Raw>::is_co) {
    return step_result{{}, await_noreply<Raw>(invoke()), true};
  } else if constexpr (std::is_void_v<Raw>) {
    invoke();
    return step_result{};
  } else {
    step_result r;
    r.now = finish_noreply(invoke());
    return r;
  }
}

template <class Raw>
co<step> finish_call_async(Raw c, from f) {
  auto v = co_await std::move(c);
  co_return finish_call(std::move(v), f);
}

template <class S, class Req>
step_result dispatch_call(void* server, void* state, envelope& e) {
  S& s = *static_cast<S*>(server);
  auto& st = *static_cast<state_of<S>*>(state);
  Req& req = *static_cast<Req*>(e.request);
  using raw = typename call_traits<S, Req>::raw;
  if constexpr (co_value<raw>::is_co) {
    return step_result{
        {}, finish_call_async<raw>(s.handle_call(std::move(req), e.caller, st), e.caller), true};
  } else {
    step_result r;
    r.now = finish_call(s.handle_call(std::move(req), e.caller, st), e.caller);
    return r;
  }
}

template <class S, class Req>
step_result dispatch_cast(void* server, void* state, envelope& e) {
  S& s = *static_cast<S*>(server);
  auto& st = *static_cast<state_of<S>*>(state);
  Req& req = *static_cast<Req*>(e.request);
  using raw = decltype(s.handle_cast(std::move(req), st));
  return run_noreply<raw>([&] { return s.handle_cast(std::move(req), st); });
}

// -- the caller side -------------------------------------------------------------------------

inline const term& genserver_module() {
  static const term m(atom("Elixir.GenServer"));
  return m;
}

template <class S, bool Try, class Req>
auto do_call(const server_ref& dest, Req req, std::int64_t timeout) {
  using R = typename call_traits<S, Req>::reply_type;
  static const atom call_atom("call");
  otter::detail::call_site site{genserver_module(), call_atom, dest.to_term(), describe(req),
                                timeout};
  dispatch_fn fn = nullptr;
  const void* server_type = nullptr;
  if constexpr (!std::is_void_v<S>) {
    fn = &dispatch_call<S, Req>;
    server_type = otter::detail::type_id<S>();
  }
  pid server = dest.resolve();
  auto make = [&](ref tag) {
    from f{self(), tag, otter::detail::type_id<R>()};
    return node_ptr(new envelope_node<Req>(request_kind::call, f, server_type, fn, std::move(req)));
  };
  return otter::detail::start_call<R, Try>(server, timeout, std::move(site), make);
}

template <class S, class Req>
void do_cast(const server_ref& dest, Req req) {
  pid server = dest.resolve();
  if (server.is_null()) {
    return;
  }
  dispatch_fn fn = nullptr;
  const void* server_type = nullptr;
  if constexpr (!std::is_void_v<S>) {
    fn = &dispatch_cast<S, Req>;
    server_type = otter::detail::type_id<S>();
  }
  otter::detail::send_node(otter::detail::current_runtime("gen_server::cast"), server,
                           node_ptr(new envelope_node<Req>(request_kind::cast, from{}, server_type,
                                                           fn, std::move(req))));
}

// -- the server ------------------------------------------------------------------------------

/// Reports of a stopping server (gen_server.erl's error_info), defined in gen_server.cpp.
void log_terminate(const term& reason, const term& last_message);
void log_no_handle_info();
[[noreturn]] void bad_request(request_kind what, const term& request);
/// Raises ArgumentError (std::invalid_argument) for a name a server cannot take.
void check_name(const server_ref& name);

/// init's arguments as server_main keeps them. Every slot of server_main's frame lives as long
/// as the server, so arguments larger than a pointer wait in a box that init() frees.
template <class... A>
using init_args = std::conditional_t<(sizeof(std::tuple<A...>) <= sizeof(void*)), std::tuple<A...>,
                                     std::unique_ptr<std::tuple<A...>>>;
template <class... A>
init_args<A...> box_args(A... args) {
  if constexpr (sizeof(std::tuple<A...>) <= sizeof(void*)) {
    return std::tuple<A...>(std::move(args)...);
  } else {
    return std::make_unique<std::tuple<A...>>(std::move(args)...);
  }
}
template <class... A>
std::tuple<A...>& unbox(std::tuple<A...>& args) noexcept {
  return args;
}
template <class... A>
std::tuple<A...>& unbox(std::unique_ptr<std::tuple<A...>>& args) noexcept {
  return *args;
}

/// What S's handle_info takes: the message itself, or else a term (the server then keeps the
/// message as a term while the handler runs). info() dispatches on these two.
template <class S>
inline constexpr bool info_takes_message = requires(S& s, message& m, state_of<S>& st) {
  s.handle_info(m, st);
};
template <class S>
inline constexpr bool info_takes_term =
    !info_takes_message<S> && requires(S & s, const term& t, state_of<S>& st) {
  s.handle_info(t, st);
};

template <class S>
class server final : public sys::target {
public:
  using state_type = state_of<S>;

  /// `opts` is null for the defaults (no name, no $callers tracking). The server reads the
  /// name only while it starts and keeps only track_callers after, so init() frees the options
  /// and a named server does not hold them for its whole life.
  server(pid parent, std::unique_ptr<start_options> opts)
      : parent_(parent),
        opts_(std::move(opts)),
        track_callers_(opts_ != nullptr && opts_->track_callers) {}

  // -- sys::target ---------------------------------------------------------------------------
  std::any state() override {
    if constexpr (std::is_copy_constructible_v<state_type>) {
      return std::any(*state_);
    } else {
      return std::any(otter::detail::as_term(*state_));
    }
  }
  bool set_state(std::any s) override {
    if constexpr (std::is_copy_constructible_v<state_type>) {
      if (auto* v = std::any_cast<state_type>(&s)) {
        *state_ = std::move(*v);
        return true;
      }
    }
    return false;
  }
  [[nodiscard]] term module() const override { return term(atom("gen_server")); }
  term state_term() override { return otter::detail::as_term(*state_); }

  // -- lifecycle -----------------------------------------------------------------------------
  // An idle server is one coroutine frame (server_main's) waiting in receive_any: everything
  // that is not the common path (init, continue, a suspended server, an async handler, stop)
  // runs in a coroutine of its own that exists only while it runs. GCC gives every local of
  // a coroutine its own slot in the frame, so keeping those paths out of server_main is what
  // keeps the frame of each of a million idle servers small.

  /// Whether init runs without a coroutine of its own (init_plain): no name to register, and
  /// S::init is a plain function. Most servers (a million workers under a supervisor) are so,
  /// and the frame of an init coroutine was one of the ten a start costs.
  template <class... A>
  [[nodiscard]] bool init_is_plain() const noexcept {
    if constexpr (init_is_co<A...>) {
      return false;
    } else {
      return opts_ == nullptr || !opts_->name;
    }
  }

  /// init() for init_is_plain(): runs init and acknowledges the start, on the caller's stack.
  /// The arguments move here, so that a box is freed on return, as init() frees it.
  template <class... A>
  void init_plain(flow& first, init_args<A...>&& from) {
    if constexpr (!init_is_co<A...>) {
      init_args<A...> args(std::move(from));
      std::optional<init_result<state_type>> r;
      std::exception_ptr failed;
      try {
        r.emplace(call_init(unbox(args)));
      } catch (...) {
        failed = std::current_exception();
      }
      acknowledge(first, r, failed);
    }
  }

  /// Registers the name, runs init and acknowledges the start. Afterwards the server goes on
  /// to serve, with `first` set from init's result, unless ended() (the process ends normally).
  template <class... A>
  co<void> init(flow& first, init_args<A...> args) {
    if (opts_ != nullptr && opts_->name && !co_await register_name()) {
      ended_ = true;  // already started: exit :normal, as gen.erl does
      co_return;
    }
    std::optional<init_result<state_type>> r;
    std::exception_ptr failed;
    try {
      if constexpr (init_is_co<A...>) {
        r.emplace(co_await call_init_co(unbox(args)));
      } else {
        r.emplace(call_init(unbox(args)));
      }
    } catch (...) {
      failed = std::current_exception();
    }
    acknowledge(first, r, failed);
  }

  /// The end of init: acknowledges the start with init's result (`r`), or with the exception
  /// that init raised (`failed`, which is then raised again, to be the exit reason).
  void acknowledge(flow& first, std::optional<init_result<state_type>>& r,
                   const std::exception_ptr& failed) {
    if (failed) {
      if (std::optional<term> thrown = thrown_value(failed)) {
        term reason = bad_return(std::move(*thrown));  // init's result, and a bad one
        unregister_name();
        proc_lib::init_ack(tuple(atoms::error, reason));
        otter::exit(std::move(reason));
      }
      unregister_name();
      proc_lib::init_ack(tuple(atoms::error, exit_reason_of(failed)));
      std::rethrow_exception(failed);
    }
    if (r->ignore_) {
      unregister_name();
      proc_lib::init_ack(term(atom("ignore")));
      ended_ = true;
      return;
    }
    if (r->flow_.stop) {
      unregister_name();
      proc_lib::init_ack(tuple(atoms::error, r->flow_.arg));
      otter::exit(r->flow_.arg);
    }
    state_.emplace(std::move(*r->state_));
    first = std::move(r->flow_);
    opts_.reset();  // the name is registered: nothing reads the options any more
    proc_lib::init_ack();
  }

  /// init() decided that the process ends normally (ignore, or the name was taken).
  [[nodiscard]] bool ended() const noexcept { return ended_; }

  /// Whether the next step is more than "receive a message": a stop or continue asked for by
  /// the last callback, or a suspended server (only system messages are taken).
  [[nodiscard]] bool needs_slow_step(const flow& next) const noexcept {
    return next.stop || next.cont || suspended_;
  }

  co<void> slow_step(flow& next) {
    if (next.stop) {
      term reason = next.arg;
      co_await stop(std::move(reason), step{}, term(), nullptr);
    }
    if (next.cont) {
      // `arg` stays in this frame while `more` runs: an async handler may refer to it.
      term arg = std::exchange(next.arg, term());
      next.cont = false;
      auto callback = [&] {
        return continue_with(arg);
      };
      co<void> more = run_callback(callback, arg, next);
      if (more.handle()) {
        co_await std::move(more);
      }
      co_return;
    }
    std::optional<message> m = co_await receive(on<sys::request>([](sys::request& q) {
      return std::optional<message>(message(otter::detail::make_message_node(std::move(q))));
    }));
    co<void> more = on_message(m, next);
    if (more.handle()) {
      co_await std::move(more);
    }
  }

  /// Handles one message received in the loop (none: the callback timeout fired). A
  /// synchronous handler runs to its end here; what must wait (an async handler, a stop with
  /// terminate) comes back as a coroutine for the loop to await; nothing left: an empty co.
  /// `m` belongs to the caller's frame and must stay there until that coroutine is done: an
  /// async handler may hold a reference to the message.
  co<void> on_message(std::optional<message>& m, flow& next) {
    if (!m) {
      m = message(otter::detail::make_message_node(term(atoms::timeout)));
    }
    if (m->is<sys::request>()) {
      if (sys::handle(m->get<sys::request>(), *this, suspended_, parent_) == sys::next::terminate) {
        // gen_server's system_terminate reports no last message: [].
        term reason = m->get<sys::request>().reason;
        return stop(std::move(reason), step{}, term::list({}), nullptr);
      }
      return {};  // system messages keep the pending timeout, as sys:handle_system_msg
    }
    if (m->is<exit_msg>() && m->get<exit_msg>().from == parent_ && !parent_.is_null()) {
      // The parent died and we trap exits: stop with its reason (gen_server.erl).
      term reason = m->get<exit_msg>().reason;
      return stop(std::move(reason), step{}, m->to_term(), nullptr);
    }
    term last = last_message(*m);
    return run_callback([&] { return handle(*m); }, std::move(last), next);
  }

private:
  /// gen_server takes a throw from a callback as the callback's result. No value thrown in
  /// C++ is one of Otter's typed results, so it is a bad one: the server stops with
  /// {:bad_return_value, value}, as OTP's does for any value that is not a result.
  static term bad_return(term thrown) { return tuple(atom("bad_return_value"), std::move(thrown)); }

  /// A callback that raised (OTP's try_dispatch catch): a throw is its result, a bad one; any
  /// other exception stops the server with the exception's reason, reported with its class.
  co<void> crashed(const std::exception_ptr& failed, term last) {
    if (std::optional<term> thrown = thrown_value(failed)) {
      return stop(bad_return(std::move(*thrown)), step{}, std::move(last), nullptr);
    }
    return stop(exit_reason_of(failed), step{}, std::move(last), failed);
  }

  /// Runs one callback (OTP's try_dispatch): a synchronous one to its end, then its step is
  /// applied; an async one comes back as a coroutine that awaits it. `last` is what a stop
  /// reports as the last message.
  template <class F>
  co<void> run_callback(F callback, term last, flow& next) {
    step_result r;
    try {
      r = callback();
    } catch (...) {
      return crashed(std::current_exception(), std::move(last));
    }
    if (r.async) {
      return finish_async(std::move(r.later), std::move(last), next);
    }
    return finish(std::move(r.now), std::move(last), next);
  }

  co<void> finish_async(co<step> later, term last, flow& next) {
    step s;
    std::exception_ptr failed;
    try {
      s = co_await std::move(later);
    } catch (...) {
      failed = std::current_exception();
    }
    if (failed) {
      co_await crashed(failed, last);
    }
    co<void> more = finish(std::move(s), std::move(last), next);
    if (more.handle()) {
      co_await std::move(more);
    }
  }

  /// Applies a callback's step: the next flow, or the stop it asked for.
  co<void> finish(step s, term last, flow& next) {
    if (s.next.stop) {
      term reason = s.next.arg;
      return stop(std::move(reason), std::move(s), std::move(last), nullptr);
    }
    next = std::move(s.next);
    return {};
  }

  // Whether S::init(A...) is a coroutine.
  template <class... A>
  static constexpr bool init_is_co =
      co_value<decltype(std::declval<S&>().init(std::declval<A>()...))>::is_co;

  template <class... A>
  init_result<state_type> call_init(std::tuple<A...>& args) {
    return init_result<state_type>(
        std::apply([this](A&... a) { return server_.init(std::move(a)...); }, args));
  }
  template <class... A>
  co<init_result<state_type>> call_init_co(std::tuple<A...>& args) {
    auto pending = std::apply([this](A&... a) { return server_.init(std::move(a)...); }, args);
    co_return init_result<state_type>(co_await std::move(pending));
  }

  co<bool> register_name() {
    const server_ref& name = *opts_->name;
    bool ok = false;
    if (name.is_local_name()) {
      ok = otter::register_name(name.local_name(), self());
    } else {
      ok = name.registry()->register_name(name.via_name(), self());
    }
    if (!ok) {
      proc_lib::init_ack(tuple(atoms::error, tuple(atom("already_started"), name.resolve())));
    }
    co_return ok;
  }
  void unregister_name() {
    const server_ref* name = opts_ != nullptr && opts_->name ? &*opts_->name : nullptr;
    if (name == nullptr) {
      return;
    }
    if (name->is_local_name()) {
      otter::unregister(name->local_name());
    } else if (name->is_via()) {
      name->registry()->unregister_name(name->via_name());
    }
  }

  static term last_message(message& m) {
    if (m.is<envelope>() && m.get<envelope>().what == request_kind::call) {
      return m.get<envelope>().request_term();  // Elixir's report shows the request of a call
    }
    return m.to_term();
  }

  step_result handle(message& m) {
    if (m.is<envelope>()) {
      envelope& e = m.get<envelope>();
      if (e.server_type == otter::detail::type_id<S>() && e.dispatch != nullptr) {
        return with_callers(e, [&] { return e.dispatch(&server_, &*state_, e); });
      }
      if (e.server_type == nullptr) {  // an untyped (term) request
        if (e.what == request_kind::call) {
          if constexpr (handles_call<S, term>) {
            return with_callers(e, [&] { return dispatch_call<S, term>(&server_, &*state_, e); });
          }
        } else {
          if constexpr (handles_cast<S, term>) {
            return dispatch_cast<S, term>(&server_, &*state_, e);
          }
        }
      }
      bad_request(e.what, e.request_term());
    }
    return info(m);
  }

  template <class F>
  step_result with_callers(envelope& e, F f) {
    if (!track_callers_ || e.what != request_kind::call) {
      return f();
    }
    term saved = get(term(atoms::callers));
    std::vector<term> callers{term(e.caller.caller)};
    if (saved.is_list()) {
      callers.insert(callers.end(), saved.elements().begin(), saved.elements().end());
    }
    put(term(atoms::callers), term::list(std::move(callers)));
    step_result r = f();
    if (saved.is(atoms::undefined)) {
      erase(term(atoms::callers));
    } else {
      put(term(atoms::callers), saved);
    }
    return r;
  }

  step_result info(message& m) {
    auto& st = *state_;
    if constexpr (info_takes_message<S>) {
      using raw = decltype(server_.handle_info(m, st));
      return run_noreply<raw>([&] { return server_.handle_info(m, st); });
    } else if constexpr (info_takes_term<S>) {
      // Kept in the server until the next message: a coroutine handler may hold a reference.
      info_term_ = m.to_term();
      using raw = decltype(server_.handle_info(info_term_, st));
      return run_noreply<raw>([&] { return server_.handle_info(info_term_, st); });
    } else {
      log_no_handle_info();
      return step_result{};
    }
  }

  step_result continue_with(const term& arg) {
    auto& st = *state_;
    if constexpr (requires { server_.handle_continue(arg, st); }) {
      using raw = decltype(server_.handle_continue(arg, st));
      return run_noreply<raw>([&] { return server_.handle_continue(arg, st); });
    } else {
      otter::error(tuple(atom("undef"), atom("handle_continue")));
    }
  }

  /// Runs terminate, reports an abnormal stop, sends a reply that waited for terminate, and
  /// ends the process: with the original exception when a callback raised (so the crash
  /// report keeps its class), with exit(reason) otherwise. Never returns.
  co<void> stop(term reason, step pending, term last, std::exception_ptr original) {
    std::exception_ptr failed;
    try {
      co_await call_terminate(reason);
    } catch (...) {
      failed = std::current_exception();  // a crash in terminate becomes the reason
      if (thrown_value(failed)) {
        failed = nullptr;  // a throw is terminate's result, which gen_server ignores
      }
    }
    if (failed) {
      original = failed;
      reason = exit_reason_of(failed);
    }
    if (!is_normal_exit(reason)) {
      // A callback (or terminate) that exited: gen_server's report pairs the reason with the
      // stack trace, as it does an error's; a stop the server asked for reports it bare.
      log_terminate(original && is_exit_class(original) ? tuple(reason, stacktrace()) : reason,
                    last);
    }
    if (pending.reply) {
      otter::detail::send_node(otter::detail::current_runtime("gen_server"), pending.reply_to,
                               std::move(pending.reply));
    }
    // No unregister_name here: gen_server.erl leaves a name to die with the process (a via
    // registry drops it in its own way; a Registry tells no listener of it).
    if (original) {
      std::rethrow_exception(original);
    }
    otter::exit(std::move(reason));
  }

  co<void> call_terminate(const term& reason) {
    if constexpr (requires(state_type & st) { server_.terminate(reason, st); }) {
      using raw = decltype(server_.terminate(reason, *state_));
      if constexpr (co_value<raw>::is_co) {
        co_await server_.terminate(reason, *state_);
      } else {
        server_.terminate(reason, *state_);
      }
    }
    co_return;
  }

  [[no_unique_address]] S server_{};
  std::optional<state_type> state_;
  pid parent_;
  std::unique_ptr<start_options> opts_;  // null: the defaults, or init() has succeeded
  bool track_callers_ = false;
  bool suspended_ = false;
  bool ended_ = false;
  // The message of a handle_info that takes a term, kept until the next message: a coroutine
  // handler may hold a reference. A server whose handle_info takes the message has none.
  [[no_unique_address]] std::conditional_t<info_takes_term<S>, term, std::monostate> info_term_;
};

/// The process of a server: a proc_lib body (it reports its own crash) whose frame is all an
/// idle server keeps. The loop is gen_server.erl's: receive one message, handle it.
///
/// `opts` is null for the default options (no name, no $callers tracking): the parameter is a
/// slot of the frame, and a pointer instead of the options saves most of it.
template <class S, class... A>
co<void> server_main(pid parent, std::unique_ptr<start_options> opts, init_args<A...> args) {
  try {
    server<S> s(parent, std::move(opts));
    flow next;
    // The loop has one await site for every step that is a coroutine of its own (init, a slow
    // step, an async handler, a stop): GCC gives each co_await expression a slot of its own.
    // `m` stays while `more` runs (an async handler may refer to it), then is dropped so that
    // an idle server holds no message.
    std::optional<message> m;
    co<void> more;
    if (s.template init_is_plain<A...>()) {
      s.template init_plain<A...>(next, std::move(args));
    } else {
      more = s.template init<A...>(next, std::move(args));
    }
    for (;;) {
      if (more.handle()) {
        co_await more;
        more = co<void>();
      }
      m.reset();
      if (s.ended()) {
        co_return;
      }
      if (s.needs_slow_step(next)) {
        more = s.slow_step(next);
        continue;
      }
      m = co_await receive_any(next.timeout);
      more = s.on_message(m, next);
    }
  } catch (...) {
    proc_lib::detail::exit_after(std::current_exception());
  }
}

template <class S, class... A>
co<start_result> start(bool link, start_options opts, A... args) {
  if (opts.name) {
    check_name(*opts.name);  // a bad name fails in the caller, before anything starts
    // gen.erl's where(Name), in the caller: a taken name fails before anything starts, and a
    // registry's whereis_name may raise (Registry: ArgumentError for a duplicate registry).
    if (pid owner = opts.name->resolve(); !owner.is_null()) {
      co_return unexpected(failure{errc::already_started, tuple(atom("already_started"), owner)});
    }
  }
  std::int64_t timeout = opts.timeout;
  // The parent is the caller for start_link; an unlinked server has none (gen.erl's `self`).
  pid parent = link ? self() : pid();
  std::unique_ptr<start_options> kept;
  if (opts.name || opts.track_callers) {
    kept = std::make_unique<start_options>(std::move(opts));
  }
  co<void> body = server_main<S, A...>(parent, std::move(kept), box_args(std::move(args)...));
  proc_lib::detail::start_ack ack =
      co_await proc_lib::detail::start_body(std::move(body), link, timeout);
  if (ack.ok_self) {
    co_return ack.child;
  }
  co_return start_result_of(ack.value);
}

}  // namespace otter::gen_server::detail
