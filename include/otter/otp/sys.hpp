// otter/otp/sys.hpp: system messages (Erlang's sys): inspect and control any OTP process.
//
//   auto s = co_await otter::sys::get_state<int>(counter);          // the callback state
//   co_await otter::sys::replace_state<int>(counter, [](int n) { return n + 1; });
//   co_await otter::sys::suspend(server);   // it now handles only system messages
//   co_await otter::sys::resume(server);    // the messages that queued meanwhile, in order
//   co_await otter::sys::terminate(server, reason);  // answers :ok, then stops with reason
//
// Every GenServer (and Agent, supervisor, ...) answers these. A hand-written process joins in
// by receiving sys::request messages in its loop and passing them to sys::handle() with a
// sys::target that exposes its state; handle() answers the caller (the contract is in
// otter/otp/proc_lib.hpp).
//
// While suspended, a process handles only system messages (calls time out, casts and other
// messages queue up); get_state and get_status still answer, with status :suspended.
// get_status has OTP's shape, header and keys as Erlang strings (charlists):
// `{:status, pid, {:module, :gen_server}, [pdict, :running, parent, [],
//   [header: ~c"Status for generic server name", data: [{~c"Status", :running},
//   {~c"Parent", parent}, {~c"Logged events", []}], data: [{~c"State", state}]]]}`.
//
// Failures exit the caller as OTP's do: `{:noproc, {:sys, :get_state, [dest]}}`, :calling_self
// for the caller itself (replace_state's site is `{:sys, {:replace_state, #Fun}, [dest]}`); a
// function given to replace_state that raises leaves the state unchanged and raises
// error({:callback_failed, {:gen_server, :system_replace_state}, {class, exception}}) in the
// caller.
//
// Thread safety: every function is @in_process.

#pragma once

#include "otter/core/co.hpp"
#include "otter/detail/gen_call.hpp"
#include "otter/otp/server_ref.hpp"

#include <any>
#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

namespace otter::sys {

/// A system message (`{:system, from, request}`).
struct request {
  enum class op : std::uint8_t { get_state, replace_state, suspend, resume, get_status, terminate };
  op what = op::get_state;
  pid caller;
  ref tag;
  std::function<std::any(std::any)> replace;  // replace_state
  term reason;                                // terminate
  bool as_term = false;  // get_state / replace_state: the state as target::state_term()
  [[nodiscard]] term to_term() const;
};

/// The answer to a system message.
struct answer {
  std::any state;  // get_state, replace_state
  term value;      // get_status, suspend, resume: the reply term
  std::optional<term> error;
};

/// What a process exposes to system messages.
class target {
public:
  /// The state, by copy (an opaque term when it cannot be copied).
  [[nodiscard]] virtual std::any state() = 0;
  /// Replaces the state; false when `s` does not hold the process's state type.
  virtual bool set_state(std::any s) = 0;
  /// The behaviour's name in get_status (`:gen_server`).
  [[nodiscard]] virtual term module() const = 0;
  /// The state as a term, for get_status (and get_state<term>).
  [[nodiscard]] virtual term state_term() = 0;
  /// The last element of get_status (`[{:header, ..}, {:data, ..}, ...]`); `sys_state` is
  /// :running or :suspended. The default is a generic server's.
  [[nodiscard]] virtual term status_misc(const term& sys_state, pid parent);

protected:
  ~target() = default;
};

/// What the process does after handle().
enum class next : std::uint8_t { resume_loop, terminate };

/// Answers `r` for a process whose state is behind `t`. `suspended` is the process's flag (set
/// and cleared here); `parent` appears in get_status. Returns next::terminate for a terminate
/// request: the process then runs its own cleanup and exits with r.reason, and its caller
/// (sys::terminate) learns of it from the DOWN.
next handle(request& r, target& t, bool& suspended, pid parent);

namespace detail {
/// Sends `r` (with a fresh alias) to `dest` and waits for the answer. A failure exits with
/// `{reason, {:sys, function, [dest]}}` (`[dest, timeout]` with `show_timeout`), the function
/// named after the request as sys.erl's mfa/2 does: `:get_state`, `{:replace_state, #Fun}`.
co<answer> system_call(server_ref dest, request r, std::int64_t timeout, bool show_timeout);
template <class T>
T state_as(std::any& a) {
  if (auto* v = std::any_cast<T>(&a)) {
    return std::move(*v);
  }
  otter::error(atoms::badarg);
}
}  // namespace detail

/// The process's state (sys:get_state). T must be its state type, or term (the state as a
/// term: `{state, data}` for a gen_statem). @in_process
template <class T = term>
co<T> get_state(server_ref dest, std::int64_t timeout = 5000) {
  request r;
  r.what = request::op::get_state;
  r.as_term = std::is_same_v<T, term>;
  answer a = co_await detail::system_call(std::move(dest), std::move(r), timeout, timeout != 5000);
  co_return detail::state_as<T>(a.state);
}

/// Replaces the state with f(state) and returns the new state (sys:replace_state). @in_process
template <class T = term, class F>
co<T> replace_state(server_ref dest, F f, std::int64_t timeout = 5000) {
  request r;
  r.what = request::op::replace_state;
  r.as_term = std::is_same_v<T, term>;
  r.replace = [f = std::move(f)](std::any s) -> std::any {
    return std::any(f(detail::state_as<T>(s)));
  };
  answer a = co_await detail::system_call(std::move(dest), std::move(r), timeout, timeout != 5000);
  if (a.error) {
    otter::error(*a.error);
  }
  co_return detail::state_as<T>(a.state);
}

/// `{:status, pid, {:module, behaviour}, [pdict, :running | :suspended, parent, [], misc]}`.
/// @in_process
co<term> get_status(server_ref dest, std::int64_t timeout = 5000);
/// Suspends the process: it handles only system messages until resume(). Returns `:ok`.
co<term> suspend(server_ref dest, std::int64_t timeout = 5000);
/// Resumes a suspended process. Returns `:ok`.
co<term> resume(server_ref dest, std::int64_t timeout = 5000);
/// Asks the process to terminate with `reason` (sys:terminate): it answers `:ok`, then runs
/// its own cleanup (a GenServer's terminate) and exits with `reason`. Returns `:ok` as soon as
/// the process has answered, before it has exited (GenServer.stop and proc_lib::stop wait for
/// the exit). A suspended process terminates too. @in_process
co<term> terminate(server_ref dest, term reason, std::int64_t timeout = infinity);

/// An Erlang string (a list of character codes), as OTP writes get_status's header and keys.
[[nodiscard]] term charlist(std::string_view text);

/// get_status's header as gen:format_status_header writes it for a process named `name`, or
/// unnamed: "Status for " `kind` (e.g. "generic server") and the name, or the pid as Erlang
/// prints it ("<0.42.0>"), as an Erlang string.
[[nodiscard]] term status_header(std::string_view kind, pid process, std::optional<atom> name);

}  // namespace otter::sys
