// otter/otp/agent.hpp: a process that holds a value (Elixir's Agent).
//
// An agent is a GenServer whose state is a value and whose requests are functions: each
// function runs INSIDE the agent process, on the current state, one request at a time.
//
//   otter::start_result a = co_await agent::start_link([] { return std::vector<int>{}; });
//   co_await agent::update<std::vector<int>>(*a, [](std::vector<int> v) {
//     v.push_back(1);
//     return v;
//   });
//   std::size_t n = co_await agent::get<std::vector<int>>(*a, [](const auto& v) {
//     return v.size();
//   });
//
// The state type T is what the start function returns; the other functions name it as their
// first template argument (it defaults to otter::term: the untyped form, used where the value
// is a term, as in ports of Elixir code). T must be the agent's state type: a request made
// for another T is a call the agent does not handle, and it stops the agent with
// {:bad_call, request}, as a GenServer does.
//
// Functions (each may also be a coroutine returning co<...>, e.g. to sleep or call others;
// the agent handles nothing else meanwhile):
//   start      f()                  -> T                the initial state
//   get        f(const T&)          -> R                R is the reply
//   update     f(T&&)               -> T                the new state; the reply is :ok
//   get_and_update f(T&&)           -> pair<R, T> or tuple<R, T>: the reply and the new state;
//                                      with T = term, a 2-tuple term {reply, state}; any other
//                                      term stops the agent with {:bad_return_value, other}
//   cast       f(T&&)               -> T                like update, but nothing waits
// update, get_and_update and cast hand the state over as an rvalue: take it by value (and
// return it changed), by const&, or by &&.
//
// Semantics are Elixir 1.14's:
//   - start_link/start return once the start function has run: {:ok, pid}; a taken name gives
//     {:error, {:already_started, pid}} and the start function does not run; a start function
//     that raises gives {:error, {exception, stacktrace}} (see otter/otp/start_result.hpp);
//   - get, update and get_and_update are calls (default timeout 5000 ms). They exit the caller
//     with `{reason, {GenServer, :call, [agent, request, timeout]}}`: :noproc when the agent is
//     not running, :timeout when it does not answer in time (its reply, when it comes, is
//     dropped), or the agent's exit reason when it dies meanwhile: a function that raises
//     crashes the agent (reason {exception, stacktrace}) and the caller exits with that. The
//     try_ forms return the same reason as a failure instead of exiting;
//   - requests print as Elixir's: `{:get, #Fun}`, `{:update, #Fun}`, `{:get_and_update, #Fun}`,
//     `{:cast, #Fun}` (an mfa prints as `{Module, :function, [args]}` instead of `#Fun`);
//   - cast returns :ok at once, even when the agent is dead;
//   - stop(agent, reason, timeout) is GenServer.stop: it returns :ok once the agent has exited
//     with `reason`, and exits the caller with `{:noproc, {GenServer, :stop, [agent, reason,
//     timeout]}}` when the agent is not running;
//   - :sys.get_state and :sys.replace_state (otter/otp/sys.hpp) read and replace the value;
//   - child_spec() lets a supervisor start (and restart, with a FRESH state from the start
//     function) an agent.
//
// Lifetime: a function's captures live as long as its request. A lambda with non-trivial
// captures (a string, a term, ...) must not be written inside the co_await expression (GCC 12
// bug PR 100611): build it in its own statement first.
//
// Thread safety: every function in agent:: is @in_process; the agent's functions run in the
// agent process, one at a time.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/term.hpp"
#include "otter/otp/child_spec.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/otp/server_ref.hpp"
#include "otter/otp/start_result.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace otter::agent {

/// name and timeout of start (Agent's :name and :timeout options).
using start_options = gen_server::start_options;

/// Elixir's {module, function, args} form of an agent function, for term agents (T = term):
/// calls impl(state, args) and prints as `{module, function, args}` in exit reasons and
/// reports, as Agent.get(agent, Map, :get, [:x]) does.
struct mfa {
  term module;    // as printed: atom("Elixir.Map") prints as Map
  atom function;  // :get
  std::vector<term> args;
  std::function<term(const term& state, std::span<const term> args)> impl;

  term operator()(const term& state) const { return impl(state, args); }
  [[nodiscard]] term to_term() const;
};

namespace detail {

using gen_server::detail::co_value;

enum class request_kind : std::uint8_t { get, update, get_and_update, cast };

/// `{:get, fun}`, `{:update, fun}`, ...
[[nodiscard]] term describe(request_kind kind, const term& fun);
/// `#Fun`
[[nodiscard]] const term& fun_placeholder();
/// `{Agent, :start_link, [#Fun]}`, with the options as a keyword list after the function when
/// there are any (a name, a timeout other than infinity).
[[nodiscard]] term start_mfa(const start_options& opts);

/// How a function prints: through its to_term() (mfa), as `#Fun` otherwise.
template <class F>
term fun_term(const F& f) {
  if constexpr (requires { f.to_term(); }) {
    return f.to_term();
  } else {
    return fun_placeholder();
  }
}

template <request_kind Kind, class F>
struct request {
  F fun;
  [[nodiscard]] term to_term() const { return describe(Kind, fun_term(fun)); }
};
template <class F>
using get_request = request<request_kind::get, F>;
template <class F>
using update_request = request<request_kind::update, F>;
template <class F>
using get_and_update_request = request<request_kind::get_and_update, F>;
template <class F>
using cast_request = request<request_kind::cast, F>;

/// What f(args...) gives, a coroutine's result unwrapped.
template <class F, class... A>
using result_t = typename co_value<std::invoke_result_t<F&, A...>>::type;
template <class F, class... A>
inline constexpr bool is_co_v = co_value<std::invoke_result_t<F&, A...>>::is_co;

/// Awaits f(args...) when it is a coroutine, calls it otherwise.
template <class F, class... A>
co<result_t<F, A...>> invoke_co(F& f, A&&... args) {
  co_return co_await std::invoke(f, std::forward<A>(args)...);
}

/// The reply of a get_and_update result: a pair or 2-tuple; with T = term, a 2-tuple term.
template <class T, class P>
struct split {
  using reply_type = std::decay_t<std::tuple_element_t<0, P>>;
};
template <>
struct split<term, term> {
  using reply_type = term;
};

/// `{:bad_return_value, returned}`
[[nodiscard]] term bad_return_value(term returned);

/// Stores the new state from f's result and returns the reply (Agent.Server's
/// handle_call({:get_and_update, fun}, ...)).
template <class T, class P>
auto take(P result, T& state) {
  if constexpr (std::is_same_v<T, term> && std::is_same_v<P, term>) {
    if (!result.is_tuple() || result.size() != 2) {
      using call_result = gen_server::call_result<term>;
      return call_result::stop(bad_return_value(std::move(result)));
    }
    state = result[1];
    return gen_server::call_result<term>(result[0]);
  } else {
    state = std::move(std::get<1>(result));
    return typename split<T, P>::reply_type(std::move(std::get<0>(result)));
  }
}

/// The GenServer behind an agent of state T (Elixir's Agent.Server).
template <class T>
struct server {
  using state = T;

  template <class F>
  auto init(F f) {
    static_assert(std::is_convertible_v<result_t<F>, T>, "the start function returns the state");
    if constexpr (is_co_v<F>) {
      return init_co(std::move(f));
    } else {
      return T(std::invoke(f));
    }
  }

  template <class F>
  auto handle_call(get_request<F> r, const gen_server::from&, T& s) {
    static_assert(!std::is_void_v<result_t<F, const T&>>, "a get function returns the reply");
    if constexpr (is_co_v<F, const T&>) {
      return get_co(std::move(r.fun), s);
    } else {
      return std::invoke(r.fun, std::as_const(s));
    }
  }

  template <class F>
  auto handle_call(update_request<F> r, const gen_server::from&, T& s) {
    if constexpr (is_co_v<F, T&&>) {
      return update_co(std::move(r.fun), s);
    } else {
      s = T(std::invoke(r.fun, std::move(s)));
      return atoms::ok;
    }
  }

  template <class F>
  auto handle_call(get_and_update_request<F> r, const gen_server::from&, T& s) {
    if constexpr (is_co_v<F, T&&>) {
      return get_and_update_co(std::move(r.fun), s);
    } else {
      return take(std::invoke(r.fun, std::move(s)), s);
    }
  }

  template <class F>
  auto handle_cast(cast_request<F> r, T& s) {
    if constexpr (is_co_v<F, T&&>) {
      return cast_co(std::move(r.fun), s);
    } else {
      s = T(std::invoke(r.fun, std::move(s)));
    }
  }

private:
  // The coroutine forms keep the function in their own frame: a lambda coroutine refers to
  // its captures through the lambda object, which must outlive the coroutine it returned.
  template <class F>
  static co<T> init_co(F f) {
    co_return T(co_await invoke_co(f));
  }
  template <class F>
  static co<std::decay_t<result_t<F, const T&>>> get_co(F f, T& s) {
    co_return co_await invoke_co(f, std::as_const(s));
  }
  template <class F>
  static co<atom> update_co(F f, T& s) {
    s = T(co_await invoke_co(f, std::move(s)));
    co_return atoms::ok;
  }
  template <class F>
  static auto get_and_update_co(F f, T& s)
      -> co<decltype(take(std::declval<result_t<F, T&&>>(), s))> {
    co_return take(co_await invoke_co(f, std::move(s)), s);
  }
  template <class F>
  static co<void> cast_co(F f, T& s) {
    s = T(co_await invoke_co(f, std::move(s)));
  }
};

/// The state type of an agent whose start function is F.
template <class F>
using state_of = std::decay_t<result_t<F>>;

}  // namespace detail

// -- starting and stopping ----------------------------------------------------------------

/// Starts an agent linked to the caller; its state is what `f` returns, and f runs in the
/// agent process before this returns. @in_process
template <class F>
co<start_result> start_link(F f, start_options opts = {}) {
  return gen_server::start_link<detail::server<detail::state_of<F>>>(std::move(opts), std::move(f));
}
/// start_link() without the link. @in_process
template <class F>
co<start_result> start(F f, start_options opts = {}) {
  return gen_server::start<detail::server<detail::state_of<F>>>(std::move(opts), std::move(f));
}

/// Stops the agent (GenServer.stop): returns :ok once it has exited with `reason`. @in_process
inline co<atom> stop(server_ref agent, term reason = term(atoms::normal),
                     std::int64_t timeout = infinity) {
  return gen_server::stop(std::move(agent), std::move(reason), timeout);
}

/// A child spec that starts the agent with start_link(f, opts) (Agent.child_spec/1): id
/// `Agent`, permanent, worker, shutdown 5000, mfa `{Agent, :start_link, [#Fun | options]}`
/// (so modules is [Agent]); change the fields to taste (each child of a Supervisor needs its
/// own id). Every restart runs a copy of `f`: the agent starts afresh.
template <class F>
otter::child_spec child_spec(F f, start_options opts = {}) {
  static_assert(std::is_copy_constructible_v<F>, "a restart runs a copy of the start function");
  otter::child_spec spec;
  spec.id = term(atom("Elixir.Agent"));
  spec.mfa = detail::start_mfa(opts);
  spec.start = start_with(
      [f = std::move(f), opts = std::move(opts)]() { return agent::start_link(f, opts); });
  return spec;
}

// -- requests -------------------------------------------------------------------------------

/// f(state): its result is the reply; the state is unchanged. @in_process
template <class T = term, class F>
auto get(server_ref agent, F f, std::int64_t timeout = gen_server::default_call_timeout) {
  return gen_server::call<detail::server<T>>(std::move(agent), detail::get_request<F>{std::move(f)},
                                             timeout);
}
/// get() returning the failure (the reason get() would exit with) instead of exiting.
template <class T = term, class F>
auto try_get(server_ref agent, F f, std::int64_t timeout = gen_server::default_call_timeout) {
  return gen_server::try_call<detail::server<T>>(std::move(agent),
                                                 detail::get_request<F>{std::move(f)}, timeout);
}

/// The state becomes f(state); returns :ok once it has. @in_process
template <class T = term, class F>
auto update(server_ref agent, F f, std::int64_t timeout = gen_server::default_call_timeout) {
  return gen_server::call<detail::server<T>>(std::move(agent),
                                             detail::update_request<F>{std::move(f)}, timeout);
}
template <class T = term, class F>
auto try_update(server_ref agent, F f, std::int64_t timeout = gen_server::default_call_timeout) {
  return gen_server::try_call<detail::server<T>>(std::move(agent),
                                                 detail::update_request<F>{std::move(f)}, timeout);
}

/// f(state) gives {reply, new state}: the state becomes the second, the first is returned.
/// @in_process
template <class T = term, class F>
auto get_and_update(server_ref agent, F f,
                    std::int64_t timeout = gen_server::default_call_timeout) {
  return gen_server::call<detail::server<T>>(
      std::move(agent), detail::get_and_update_request<F>{std::move(f)}, timeout);
}
template <class T = term, class F>
auto try_get_and_update(server_ref agent, F f,
                        std::int64_t timeout = gen_server::default_call_timeout) {
  return gen_server::try_call<detail::server<T>>(
      std::move(agent), detail::get_and_update_request<F>{std::move(f)}, timeout);
}

/// The state becomes f(state), without waiting; returns :ok (also when the agent is not
/// running). @in_process
template <class T = term, class F>
atom cast(const server_ref& agent, F f) {
  return gen_server::cast<detail::server<T>>(agent, detail::cast_request<F>{std::move(f)});
}

}  // namespace otter::agent
