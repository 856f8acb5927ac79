// otter/detail/gen_call.hpp: the request/reply protocol under GenServer.call, :sys calls and
// Agent (OTP's gen:call). Not API: see otter/otp/gen_server.hpp.
//
// A call, in the caller (OTP 25's gen:do_call):
//   1. make an alias, the reply address, and send the request carrying {self, alias} as a
//      call_message: it also monitors the server under the alias's ref (a dead or dying server
//      then answers with a DOWN);
//   2. wait for the reply on that alias, the DOWN, or the timeout;
//   3. whatever happened: demonitor with flush and unalias. After unalias a late reply is
//      dropped by the runtime before it reaches the mailbox (conformance 22), and the flush
//      removes a DOWN that raced with the reply. A reply from the server itself has already
//      ended the monitor on both sides (message.hpp, call_return), so the demonitor then
//      sends nothing.
// Failures exit the caller with `{reason, {Module, :function, [dest, request, timeout]}}`
// (call) or return that reason in a failure (try_ forms).

#pragma once

#include "otter/core/expected.hpp"
#include "otter/core/message.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"

#include <coroutine>
#include <cstdint>
#include <optional>
#include <utility>

namespace otter::detail {

/// A reply, sent to the caller's alias `tag`.
template <class R>
struct gen_reply {
  ref tag;
  R value;
  [[nodiscard]] term to_term() const { return tuple(tag, as_term(value)); }
};

/// What a failed call reports: `{Module, :function, args}`, built only on failure.
struct call_site {
  term module;    // GenServer, :sys, :gen_statem
  term function;  // :call, :get_state, :stop; sys's replace_state is {:replace_state, #Fun}
  term dest;      // as the caller wrote it
  term request;   // printed request (nil when the site has no request argument)
  std::int64_t timeout = 5000;
  bool has_request = true;
  bool has_timeout = true;
  [[nodiscard]] term mfa() const {
    std::vector<term> args{dest};
    if (has_request) {
      args.push_back(request);
    }
    if (has_timeout) {
      args.push_back(timeout == infinity ? term(atoms::infinity) : term(timeout));
    }
    return tuple(module, function, term::list(std::move(args)));
  }
  /// `{reason, {Module, :function, args}}`
  [[nodiscard]] term exit_reason(term reason) const { return tuple(std::move(reason), mfa()); }
};

template <class R>
struct call_wait {
  std::optional<R> value;
  term down;
  bool timed_out = false;
};

template <class R>
auto call_receive(ref tag, ref mon, std::int64_t timeout) {
  return receive(on<gen_reply<R>>([tag](const gen_reply<R>& r) { return r.tag == tag; },
                                  [](gen_reply<R>& r) {
                                    return call_wait<R>{std::move(r.value), term()};
                                  }),
                 on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; },
                              [](down_msg& d) {
                                return call_wait<R>{std::nullopt, std::move(d.reason)};
                              }),
                 after(timeout, [] {
                   return call_wait<R>{std::nullopt, term(), true};
                 }));
}

/// Awaits a reply of type R. With `Try`, failures are returned as expected<R>; otherwise they
/// exit the caller.
template <class R, bool Try>
class [[nodiscard]] call_awaiter {
  using inner_type = decltype(call_receive<R>(ref(), ref(), 0));

public:
  using result_type = std::conditional_t<Try, expected<R>, R>;

  /// A call that is already in flight: `tag` is the reply alias and the monitor's ref.
  call_awaiter(ref tag, std::int64_t timeout, call_site site)
      : inner_(call_receive<R>(tag, tag, timeout)), tag_(tag), site_(std::move(site)) {}
  /// A call that failed before anything was sent (the name resolved to no process).
  explicit call_awaiter(call_site site, term reason)
      : inner_(call_receive<R>(ref(), ref(), 0)),
        site_(std::move(site)),
        early_(std::move(reason)) {}

  bool await_ready() {
    if (early_) {
      return true;
    }
    return inner_.await_ready();
  }
  void await_suspend(std::coroutine_handle<> h) noexcept { inner_.await_suspend(h); }
  result_type await_resume() {
    term reason;
    if (early_) {
      reason = std::move(*early_);
    } else {
      call_wait<R> w = inner_.await_resume();
      demonitor(tag_, {.flush = true});
      unalias(tag_);
      if (w.value) {
        return std::move(*w.value);
      }
      reason = w.timed_out ? term(atoms::timeout) : std::move(w.down);
    }
    term full = site_.exit_reason(std::move(reason));
    if constexpr (Try) {
      return unexpected(failure::from_reason(std::move(full)));
    } else {
      otter::exit(std::move(full));
    }
  }

private:
  inner_type inner_;
  ref tag_;
  call_site site_;
  std::optional<term> early_;
};

/// Step 1 of a call: makes the alias and sends `make(alias)`, a node whose call_of() names
/// the caller and the alias, with the monitor of `server` in it. A call to a name that is no
/// process fails with :noproc, a call to the caller itself with :calling_self (gen.erl's
/// do_call), before anything is sent: the caller would wait on its own mailbox.
template <class R, bool Try, class MakeNode>
call_awaiter<R, Try> start_call(pid server, std::int64_t timeout, call_site site, MakeNode make) {
  if (server.is_null()) {
    return call_awaiter<R, Try>(std::move(site), term(atoms::noproc));
  }
  if (server == self()) {
    static const atom calling_self("calling_self");
    return call_awaiter<R, Try>(std::move(site), term(calling_self));
  }
  ref tag = alias();
  send_call(current_checked("call"), server, make(tag));
  return call_awaiter<R, Try>(tag, timeout, std::move(site));
}

}  // namespace otter::detail
