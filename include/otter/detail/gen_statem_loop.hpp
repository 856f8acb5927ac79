// otter/detail/gen_statem_loop.hpp: the machine side of otter/otp/gen_statem.hpp. Not API.
//
// The loop is split in two:
//   - engine (src/otp/gen_statem_engine.cpp) is not a template: it receives events, keeps the
//     queue of inserted and postponed events and the timers, runs actions and transitions,
//     answers system messages and stops the machine, following OTP 25's gen_statem.erl (the
//     loop_* functions);
//   - machine<S> (below) adapts one callback module: it owns S, the state (committed, and the
//     pending state of a transition in progress) and the data, calls S's handlers and
//     converts its types for reports and :sys.
// A handler's result is read through outcome (its non-template part) plus a few virtual
// functions for the typed state and data.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/exit.hpp"
#include "otter/core/message.hpp"
#include "otter/core/process.hpp"
#include "otter/detail/gen_call.hpp"
#include "otter/detail/gen_server_loop.hpp"
#include "otter/otp/gen_statem_results.hpp"
#include "otter/otp/proc_lib.hpp"
#include "otter/otp/server_ref.hpp"
#include "otter/otp/start_result.hpp"
#include "otter/otp/sys.hpp"

#include <any>
#include <cstdint>
#include <deque>
#include <exception>
#include <optional>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace otter::gen_statem::detail {

using gen_server::detail::request_kind;

/// A typed call or cast. (Term requests travel in GenServer's envelope instead, so that a
/// GenServer.call reaches a gen_statem and a gen_statem term call reaches a GenServer, as
/// both are `{:"$gen_call", from, request}` in OTP.)
struct request_msg {
  request_kind what = request_kind::call;
  from caller{};
  message content{};
  [[nodiscard]] term to_term() const;
};

/// The message of a running timer; its content stays in the machine (:update changes it).
struct timer_tag {
  term type;
  [[nodiscard]] term to_term() const { return type; }
};

/// A handler call: done (sync), or a coroutine to await.
struct invocation {
  bool async = false;
  co<void> later{};
};

/// What one event's handler calls asked for, applied at the transition.
struct pending_transition {
  std::vector<event> next_events;
  std::vector<action> timeouts;
  bool postpone = false;
  bool hibernate = false;
};

/// A running timer: a real one (`timer` set) or a 0 timeout waiting in the t0 queue.
struct timer_entry {
  event_type type;
  term key;   // type.to_term(): :timeout, :state_timeout, {:timeout, name}
  ref timer;  // null for a 0 timeout
  message content;
};

/// The module of reports and exit reasons (`:gen_statem`).
const term& statem_module();
/// Raises ArgumentError (std::invalid_argument) for a name a machine cannot take.
void check_name(const server_ref& name);
/// A C++ type name, demangled, as an atom (the "Modules" of get_status).
term module_name(const char* mangled);

class engine : public sys::target {
public:
  engine(pid parent, start_options opts, callback_mode mode, term module);
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // -- sys::target (module and status; state access is machine<S>'s) -------------------------
  [[nodiscard]] term module() const override;
  [[nodiscard]] term status_misc(const term& sys_state, pid parent) override;

protected:
  ~engine() = default;

  // -- starting (called by machine<S>::start) -------------------------------------------------
  /// Registers the name; false (after acknowledging {:error, {:already_started, pid}}) when
  /// it is taken.
  bool register_name();
  void unregister_name();
  /// init raised: unregister, acknowledge {:error, reason}, report, and end with it.
  [[noreturn]] void init_failed(std::exception_ptr e);
  /// init returned something else than ok: ignore, stop or a bad term. Never returns.
  [[noreturn]] void init_refused(outcome& r);
  /// init succeeded (already acknowledged): its actions, the first enter call, then events
  /// until the machine stops. Never returns normally.
  co<void> run(outcome& init);
  /// The header of get_status: "Status for state machine <name or pid>" (gen:format_status_header).
  [[nodiscard]] term status_header() const;

  // -- the callback module (machine<S>) -------------------------------------------------------
  /// Calls the handler of the pending state with `e`; its result is then last().
  virtual invocation invoke(event& e) = 0;
  [[nodiscard]] virtual outcome& last() = 0;
  /// The handler threw `result` (throw_value): it becomes the last result, parsed as OTP's
  /// result terms are (result::from_term).
  virtual void take_thrown(const term& result) = 0;
  /// Whether last() names a next state other than the pending state.
  [[nodiscard]] virtual bool next_differs() const = 0;
  /// Applies last()'s next state (to the pending state) and data.
  virtual void apply_last() = 0;
  /// Whether the pending state differs from the committed one (a state change).
  [[nodiscard]] virtual bool state_changed() const = 0;
  virtual void commit() = 0;
  /// Back to the committed state (a handler raised: terminate sees the state before).
  virtual void rollback() = 0;
  /// The committed state, as the content of an enter event.
  [[nodiscard]] virtual message committed_state() const = 0;
  /// last() as OTP writes it, e.g. `{:next_state, s, data}` (for the reasons of bad results).
  [[nodiscard]] virtual term last_as_term() = 0;
  /// S::terminate(reason, pending state, data), if S has one.
  virtual invocation terminate_callback(const term& reason) = 0;
  /// S::format_status(s), or nullopt when S has none. May throw (the callback crashed).
  virtual std::optional<status> format_status(status s) = 0;

  pid parent_;
  std::optional<server_ref> name_;  // all the machine keeps of its start_options
  callback_mode mode_;
  term module_;

private:
  co<void> loop();
  co<void> handle(event ev, outcome* init);
  co<bool> call_handler(event& e, pending_transition& t, bool state_call);
  void transition(event ev, pending_transition t);
  /// Runs the actions of `r` in order; the stop reason of a bad one.
  std::optional<term> take_actions(outcome& r, pending_transition& t, bool state_call);
  std::optional<term> send_replies(outcome& r);

  // -- timers --
  void cancel_timeout(const term& key);
  void start_timeouts(std::vector<action>& timeouts);
  event take_zero_timeout();
  std::optional<event> timer_fired(message& m);

  /// Stops the machine: terminate, the "gen_statem terminate" report for an abnormal reason,
  /// then the exit: `original` rethrown, or error(reason) when `raise`, or exit(reason).
  co<void> terminate(term reason, bool raise, std::exception_ptr original);
  co<void> crash(std::exception_ptr e);
  [[nodiscard]] term log_name() const;

  std::deque<event> queue_;       // inserted and retried events, handled before the mailbox
  std::vector<event> postponed_;  // oldest first
  std::vector<timer_entry> timers_;
  std::deque<term> t0q_;  // keys of 0 timeouts, in the order they fire
  bool hibernate_ = false;
  bool suspended_ = false;
};

// -- the callback module ---------------------------------------------------------------------

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

template <class S>
concept has_callback_mode = requires {
  { S::callback_mode } -> std::convertible_to<callback_mode>;
};

template <class S>
class machine final : public engine {
public:
  using state_type = state_of<S>;
  using data_type = typename S::data;
  using result_type = result<state_type, data_type>;
  using init_type = init_result<state_type, data_type>;
  static constexpr callback_mode mode = S::callback_mode;

  machine(pid parent, start_options opts)
      : engine(parent, std::move(opts), mode, module_name(typeid(S).name())) {
    if constexpr (!mode.handle_event_function) {
      table_.emplace(S::state_functions());
    }
  }

  template <class... A>
  co<void> start(A... args) {
    if (name_ && !register_name()) {
      co_return;  // already started: exit :normal, as gen.erl does
    }
    std::optional<init_type> r;
    std::exception_ptr failed;
    try {
      r.emplace(co_await call_init(args...));
    } catch (...) {
      failed = std::current_exception();
    }
    if (failed) {
      if (std::optional<term> thrown = thrown_value(failed)) {
        r.emplace(init_type::from_term(*thrown));  // gen_statem:init_it takes it as the result
      } else {
        init_failed(failed);
      }
    }
    if (r->kind_ != transition::next_state) {
      init_refused(*r);
    }
    state_.emplace(std::move(*r->state_));
    pending_ = state_;
    data_.emplace(std::move(*r->data_));
    proc_lib::init_ack();
    co_await run(*r);
  }

  /// enter_loop: the calling process becomes the machine, in `r`'s state with its data and
  /// actions, as if init had returned `r` (nobody is acknowledged). Never returns normally.
  co<void> enter(init_type r) {
    state_.emplace(std::move(*r.state_));
    pending_ = state_;
    data_.emplace(std::move(*r.data_));
    co_await run(r);
  }

  // -- sys::target ---------------------------------------------------------------------------
  std::any state() override {
    if constexpr (std::is_copy_constructible_v<
                      state_type> && std::is_copy_constructible_v<data_type>) {
      return std::any(std::pair<state_type, data_type>(*state_, *data_));
    } else {
      return std::any(state_term());
    }
  }
  bool set_state(std::any s) override {
    if constexpr (std::is_move_constructible_v<data_type>) {
      if (auto* v = std::any_cast<std::pair<state_type, data_type>>(&s)) {
        state_.emplace(std::move(v->first));
        data_.emplace(std::move(v->second));
        pending_ = state_;
        return true;
      }
      if (auto* t = std::any_cast<term>(&s); t != nullptr && t->is_tuple() && t->size() == 2) {
        auto st = from_term_as<state_type>((*t)[0]);
        auto d = from_term_as<data_type>((*t)[1]);
        if (st && d) {
          state_ = std::move(st);
          data_ = std::move(d);
          pending_ = state_;
          return true;
        }
      }
    }
    return false;
  }
  term state_term() override {
    return tuple(otter::detail::as_term(*state_), otter::detail::as_term(*data_));
  }

private:
  template <class... A>
  co<init_type> call_init(A&... args) {
    using raw = decltype(server_.init(std::move(args)...));
    if constexpr (co_value<raw>::is_co) {
      co_return init_type(co_await server_.init(std::move(args)...));
    } else {
      co_return init_type(server_.init(std::move(args)...));
    }
  }

  co<void> await_into(co<result_type> c) { last_.emplace(co_await std::move(c)); }
  co<void> await_void(co<void> c) {
    co_await std::move(c);
    last_.emplace();
  }
  template <class Raw, class F>
  invocation run_handler(F f) {
    if constexpr (std::is_same_v<Raw, co<void>>) {
      return invocation{true, await_void(f())};
    } else if constexpr (co_value<Raw>::is_co) {
      return invocation{true, await_into(f())};
    } else if constexpr (std::is_void_v<Raw>) {
      f();
      last_.emplace();
      return {};
    } else {
      last_.emplace(f());
      return {};
    }
  }

  invocation invoke(event& e) override {
    last_.reset();
    data_type& d = *data_;
    if constexpr (mode.handle_event_function) {
      const state_type& s = *pending_;
      using raw = decltype(server_.handle_event(e, s, d));
      return run_handler<raw>([&] { return server_.handle_event(e, s, d); });
    } else {
      const auto* entry = table_->find(*pending_);
      if (entry == nullptr) {
        otter::error(atom("undef"));  // OTP calls Module:State/3, which does not exist
      }
      if (entry->sync != nullptr) {
        last_.emplace((server_.*(entry->sync))(e, d));
        return {};
      }
      return invocation{true, await_into((server_.*(entry->async))(e, d))};
    }
  }
  outcome& last() override { return *last_; }
  void take_thrown(const term& result) override { last_.emplace(result_type::from_term(result)); }
  [[nodiscard]] bool next_differs() const override {
    return last_->next_ && !(*last_->next_ == *pending_);
  }
  void apply_last() override {
    if (last_->next_) {
      pending_ = std::move(last_->next_);
      last_->next_.reset();
    }
    if (last_->data_) {
      *data_ = std::move(*last_->data_);
      last_->data_.reset();
    }
  }
  [[nodiscard]] bool state_changed() const override { return !(*pending_ == *state_); }
  void commit() override { state_ = pending_; }
  void rollback() override { pending_ = state_; }
  [[nodiscard]] message committed_state() const override { return content_of(*state_); }
  term last_as_term() override {
    term s =
        last_->next_ ? otter::detail::as_term(*last_->next_) : otter::detail::as_term(*pending_);
    term d = last_->data_ ? otter::detail::as_term(*last_->data_) : otter::detail::as_term(*data_);
    static const atom next_state("next_state");
    return tuple(next_state, s, d);
  }
  invocation terminate_callback(const term& reason) override {
    if constexpr (requires { server_.terminate(reason, *pending_, *data_); }) {
      const state_type& s = *pending_;
      data_type& d = *data_;
      using raw = decltype(server_.terminate(reason, s, d));
      if constexpr (co_value<raw>::is_co) {
        return invocation{true, server_.terminate(reason, s, d)};
      } else {
        server_.terminate(reason, s, d);
      }
    }
    return {};
  }

  std::optional<status> format_status(status s) override {
    if constexpr (requires { server_.format_status(std::move(s)); }) {
      return status(server_.format_status(std::move(s)));
    } else {
      return std::nullopt;
    }
  }

  S server_{};
  std::optional<state_table<S>> table_;
  std::optional<state_type> state_;    // committed
  std::optional<state_type> pending_;  // the state of the transition in progress
  std::optional<data_type> data_;
  std::optional<result_type> last_;
};

template <class S, class... A>
co<void> machine_main(pid parent, start_options opts, A... args) {
  static_assert(has_callback_mode<S>,
                "a gen_statem declares `static constexpr auto callback_mode = "
                "gen_statem::state_functions;` (or handle_event_function)");
  machine<S> m(parent, std::move(opts));
  co_await m.start(std::move(args)...);
}

/// The process enter_loop's machine runs in: its parent (gen:get_parent, from `$ancestors`);
/// exits with OTP's reasons when it was not started by proc_lib or its parent's name is gone.
pid enter_loop_parent();
/// gen:get_proc_name: `name`, if given, must already be the calling process's; exits with
/// OTP's reasons (process_not_registered, ...) when it is not.
void check_enter_loop_name(const std::optional<server_ref>& name);

template <class S>
co<void> enter_main(pid parent, start_options opts, init_result<state_of<S>, typename S::data> r) {
  static_assert(has_callback_mode<S>,
                "a gen_statem declares `static constexpr auto callback_mode = "
                "gen_statem::state_functions;` (or handle_event_function)");
  machine<S> m(parent, std::move(opts));
  co_await m.enter(std::move(r));
}

template <class S, class... A>
co<start_result> start(bool link, start_options opts, A... args) {
  if (opts.name) {
    check_name(*opts.name);  // a bad name fails in the caller, before anything starts
  }
  std::int64_t timeout = opts.timeout;
  pid parent = link ? self() : pid();
  auto body = [parent, opts = std::move(opts), ... args = std::move(args)]() mutable {
    return machine_main<S>(parent, std::move(opts), std::move(args)...);
  };
  term ack;
  if (link) {
    ack = co_await proc_lib::start_link(std::move(body), timeout);
  } else {
    ack = co_await proc_lib::start(std::move(body), timeout);
  }
  co_return start_result_of(ack);
}

// -- the caller side -------------------------------------------------------------------------

/// A request that is a term value (an atom, a number, a string, a pid, a term) travels as a
/// term; anything else keeps its C++ type.
template <class Req>
using request_t = std::conditional_t<std::is_constructible_v<term, const Req&>, term, Req>;

template <class Req>
struct reply_of_t {
  using type = term;
};
template <class Req>
requires requires {
  typename Req::reply_type;
}
struct reply_of_t<Req> {
  using type = typename Req::reply_type;
};

template <class Req>
otter::detail::node_ptr request_node(request_kind what, const from& f, Req req) {
  if constexpr (std::is_same_v<Req, term>) {
    return otter::detail::node_ptr(
        new gen_server::detail::envelope_node<term>(what, f, nullptr, nullptr, std::move(req)));
  } else {
    request_msg r{what, f, message(otter::detail::make_message_node(std::move(req)))};
    if (what == request_kind::call) {
      return otter::detail::node_ptr(
          new otter::detail::call_node<request_msg>({f.caller, f.tag}, std::move(r)));
    }
    return otter::detail::make_message_node(std::move(r));
  }
}

template <class R, bool Try, class Req>
auto do_call(const server_ref& dest, Req req, std::int64_t timeout) {
  static const atom call_atom("call");
  otter::detail::call_site site{statem_module(), call_atom, dest.to_term(),
                                gen_server::detail::describe(req), timeout};
  pid server = dest.resolve();
  auto make = [&](ref tag) {
    return request_node(request_kind::call, from{self(), tag, otter::detail::type_id<R>()},
                        std::move(req));
  };
  return otter::detail::start_call<R, Try>(server, timeout, std::move(site), make);
}

template <class Req>
void do_cast(const server_ref& dest, Req req) {
  pid server = dest.resolve();
  if (server.is_null()) {
    return;  // cast never fails
  }
  otter::detail::send_node(otter::detail::current_runtime("gen_statem::cast"), server,
                           request_node(request_kind::cast, from{}, std::move(req)));
}

}  // namespace otter::gen_statem::detail
