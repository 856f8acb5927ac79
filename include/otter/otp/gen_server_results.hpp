// otter/otp/gen_server_results.hpp: what GenServer callbacks return (call_result, cast_result,
// init_result), the `from` of a call, and the options of start. See otter/otp/gen_server.hpp.
//
// Thread safety: values, used by the server's own process.

#pragma once

#include "otter/core/pid.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/ref.hpp"
#include "otter/core/term.hpp"
#include "otter/otp/server_ref.hpp"

#include <cstdint>
#include <optional>
#include <utility>

namespace otter::gen_server {

/// The caller of a request: where its reply goes (GenServer.from).
struct from {
  pid caller;
  ref tag;
  const void* reply_type = nullptr;  // type_id of the reply the caller waits for
  [[nodiscard]] term to_term() const { return tuple(caller, tag); }
};

/// The default timeout of call (milliseconds).
inline constexpr std::int64_t default_call_timeout = 5000;

// -- callback results ----------------------------------------------------------------------

namespace detail {
/// What a result asks of the loop besides its reply.
/// Every idle server keeps one in its frame, so a stop's reason and a continue's argument share
/// `arg`: a stop ends the server before any continue would run (gen_server.erl's results have
/// one or the other), so then() after a stop changes nothing.
struct flow {
  std::int64_t timeout = infinity;
  term arg;           // the stop's reason, or the continue's argument
  bool stop = false;  // {:stop, arg, ...}
  bool cont = false;  // {..., {:continue, arg}}
  void stop_with(term reason) {
    stop = true;
    cont = false;
    arg = std::move(reason);
  }
  void continue_with(term a) {
    if (!stop) {
      cont = true;
      arg = std::move(a);
    }
  }
};
}  // namespace detail

/// The result of handle_call: reply R, no reply (for now), or stop.
template <class R>
class call_result {
public:
  call_result(R reply) : reply_(std::move(reply)) {}  // NOLINT(google-explicit-constructor)
  /// {:reply, r, state}
  static call_result reply(R r) { return call_result(std::move(r)); }
  /// {:noreply, state}: answer later with gen_server::reply(from, value).
  static call_result noreply() { return call_result(); }
  /// {:stop, reason, state}: the caller exits with `reason`.
  static call_result stop(term reason) {
    call_result c;
    c.flow_.stop_with(std::move(reason));
    return c;
  }
  /// {:stop, reason, r, state}: terminate runs, then the caller gets `r`.
  static call_result stop(term reason, R r) {
    call_result c(std::move(r));
    c.flow_.stop_with(std::move(reason));
    return c;
  }
  /// Adds a timeout: handle_info(:timeout) runs if no message arrives within `ms`.
  call_result&& timeout(std::int64_t ms) && {
    flow_.timeout = ms;
    return std::move(*this);
  }
  /// Adds {:continue, arg}: handle_continue(arg) runs before the next message.
  call_result&& then(term arg) && {
    flow_.continue_with(std::move(arg));
    return std::move(*this);
  }
  /// {..., :hibernate}: accepted; Otter's idle processes are already small.
  call_result&& hibernate() && { return std::move(*this); }

  std::optional<R> reply_;
  detail::flow flow_;

private:
  call_result() = default;
};

/// The result of handle_cast, handle_info and handle_continue: go on (noreply) or stop.
class cast_result {
public:
  cast_result() = default;
  static cast_result noreply() { return {}; }
  static cast_result stop(term reason) {
    cast_result c;
    c.flow_.stop_with(std::move(reason));
    return c;
  }
  cast_result&& timeout(std::int64_t ms) && {
    flow_.timeout = ms;
    return std::move(*this);
  }
  cast_result&& then(term arg) && {
    flow_.continue_with(std::move(arg));
    return std::move(*this);
  }
  cast_result&& hibernate() && { return std::move(*this); }

  detail::flow flow_;
};

/// The result of init: {:ok, state} (+ timeout / continue), :ignore, or {:stop, reason}.
template <class State>
class init_result {
public:
  init_result(State s) : state_(std::move(s)) {}  // NOLINT(google-explicit-constructor)
  static init_result ok(State s) { return init_result(std::move(s)); }
  static init_result ignore() {
    init_result r;
    r.ignore_ = true;
    return r;
  }
  static init_result stop(term reason) {
    init_result r;
    r.flow_.stop_with(std::move(reason));
    return r;
  }
  init_result&& timeout(std::int64_t ms) && {
    flow_.timeout = ms;
    return std::move(*this);
  }
  init_result&& then(term arg) && {
    flow_.continue_with(std::move(arg));
    return std::move(*this);
  }

  std::optional<State> state_;
  bool ignore_ = false;
  detail::flow flow_;

private:
  init_result() = default;
};

// -- starting --------------------------------------------------------------------------------

struct start_options {
  /// Registers the server under this name (an atom, or via / global); none when empty.
  std::optional<server_ref> name;
  /// How long start waits for init (ms).
  std::int64_t timeout = infinity;
  /// While a call is handled, put the caller first in the server's `$callers` (so that
  /// ownership-based test doubles see who is asking). Elixir does not do this.
  bool track_callers = false;
};

}  // namespace otter::gen_server
