// otter/otp/gen_statem_results.hpp: what gen_statem callbacks receive (event) and return
// (result, init_result with their actions), the callback modes and the state table of
// state_functions machines. See otter/otp/gen_statem.hpp for the behaviour itself.
//
// Results follow OTP 25's gen_statem one for one:
//
//   result::next_state(s)           {:next_state, s, data}      (data is changed in place)
//   result::next_state(s, d)        {:next_state, s, d}
//   result::keep_state()            {:keep_state, data}         (keep_state(d) sets data)
//   result::keep_state_and_data()   :keep_state_and_data        (also a default result)
//   result::repeat_state()          {:repeat_state, data}       (a state enter call again)
//   result::repeat_state_and_data() :repeat_state_and_data
//   result::stop(reason)            {:stop, reason}             (stop(reason, d) sets data)
//   result::stop_and_reply(reason)  {:stop_and_reply, reason, replies}: add .reply(...)s
//   result::from_term(t)            any of OTP's result terms, for term machines
//
// Actions are chained on a result (or an init_result), in order, as OTP's action list:
//
//   .reply(from, v)                          {:reply, from, v}
//   .postpone() / .postpone(false)           :postpone / {:postpone, false}
//   .hibernate()                             :hibernate (accepted: Otter processes are small)
//   .next_event(event_kind::internal, c)     {:next_event, :internal, c}
//   .timeout(ms, c)                          {:timeout, ms, c}      event timeout
//   .state_timeout(ms, c)                    {:state_timeout, ms, c}
//   .generic_timeout(name, ms, c)            {{:timeout, name}, ms, c}
//   .timeout_at(abs_ms, c), ...              {..., abs_ms, c, [abs: true]} (now_ms() clock)
//   .cancel_timeout(), ...                   {:timeout, :cancel}
//   .update_timeout(c), ...                  {:timeout, :update, c}
//   .action(t) / .actions(list)              OTP action terms, checked when the result is used
//
// Contents (of events, timeouts, replies) may be any movable type; term values (atoms,
// numbers, strings, pids, refs) are stored as terms, so `e.get<term>()` reads them. A malformed
// action term, a negative relative time, or an action that an enter call may not use stops
// the machine with OTP's reason ({:bad_action_from_state_function, a},
// {:bad_state_enter_action_from_state_function, a}, {:bad_reply_action_from_state_function,
// a}); a malformed result term stops it with {:bad_return_from_state_function, r}.
//
// Thread safety: values, used by the machine's own process.

#pragma once

#include "otter/core/message.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/term.hpp"
#include "otter/detail/gen_server_loop.hpp"
#include "otter/otp/gen_server_results.hpp"
#include "otter/otp/server_ref.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace otter::gen_statem {

/// The caller of a call event: where its reply goes (the same as a GenServer's).
using from = gen_server::from;

// -- callback modes --------------------------------------------------------------------------

/// A machine's callback mode: `static constexpr auto callback_mode = gen_statem::state_functions
/// | gen_statem::state_enter;` reads as OTP's `[:state_functions, :state_enter]`.
struct callback_mode {
  bool handle_event_function = false;  // one handler for every state (else one per state)
  bool state_enter = false;            // call the handler with an enter event on state changes
};
inline constexpr callback_mode state_functions{false, false};
inline constexpr callback_mode handle_event_function{true, false};
struct state_enter_flag {};
inline constexpr state_enter_flag state_enter{};
constexpr callback_mode operator|(callback_mode m, state_enter_flag) {
  m.state_enter = true;
  return m;
}

// -- events ----------------------------------------------------------------------------------

/// OTP's event types.
enum class event_kind : std::uint8_t {
  call,             // {:call, from}
  cast,             // :cast
  info,             // :info: any other message
  timeout,          // :timeout, the event timeout
  generic_timeout,  // {:timeout, name}
  state_timeout,    // :state_timeout
  internal,         // :internal: only from next_event actions
  enter,            // :enter: a state enter call; the content is the previous state
};

/// An event type with its data: the caller of a call, the name of a generic timeout.
struct event_type {
  event_kind kind = event_kind::internal;
  from caller{};
  term name{};

  event_type() = default;
  event_type(event_kind k) : kind(k) {}  // NOLINT(google-explicit-constructor)
  static event_type call(const from& f) {
    event_type t(event_kind::call);
    t.caller = f;
    return t;
  }
  static event_type generic_timeout(term name) {
    event_type t(event_kind::generic_timeout);
    t.name = std::move(name);
    return t;
  }
  /// As OTP writes it: `{:call, {pid, tag}}`, `:cast`, `{:timeout, name}`, ...
  [[nodiscard]] term to_term() const;
  /// Reads OTP's event type term; nullopt for anything else (`:enter` is not an event type).
  [[nodiscard]] static std::optional<event_type> from_term(const term& t);
};

/// One event as a handler sees it: its type and its content. The content keeps its C++ type:
/// is<T>() / get<T>() read it (term contents are otter::term), content() shows it as a term.
class event {
public:
  event() = default;
  event(event_type type, message content) : type_(std::move(type)), content_(std::move(content)) {}

  [[nodiscard]] event_kind kind() const noexcept { return type_.kind; }
  [[nodiscard]] const event_type& type() const noexcept { return type_; }
  /// The caller of a call event. @pre kind() == event_kind::call
  [[nodiscard]] const from& caller() const noexcept { return type_.caller; }

  [[nodiscard]] bool is_call() const noexcept { return kind() == event_kind::call; }
  [[nodiscard]] bool is_cast() const noexcept { return kind() == event_kind::cast; }
  [[nodiscard]] bool is_info() const noexcept { return kind() == event_kind::info; }
  [[nodiscard]] bool is_internal() const noexcept { return kind() == event_kind::internal; }
  [[nodiscard]] bool is_enter() const noexcept { return kind() == event_kind::enter; }
  /// Any of the three timeout kinds.
  [[nodiscard]] bool is_timeout() const noexcept {
    return kind() == event_kind::timeout || kind() == event_kind::state_timeout
           || kind() == event_kind::generic_timeout;
  }

  /// Whether the content has C++ type T.
  template <class T>
  [[nodiscard]] bool is() const noexcept {
    return content_.is<T>();
  }
  /// The content. @pre is<T>()
  template <class T>
  [[nodiscard]] T& get() {
    return content_.get<T>();
  }
  /// The content when it has type T, else nullptr.
  template <class T>
  [[nodiscard]] T* get_if() {
    return is<T>() ? &content_.get<T>() : nullptr;
  }
  /// The content of a call / cast / info / internal event of type T, else nullptr:
  /// `if (auto* b = e.cast<button>()) ...`
  template <class T>
  [[nodiscard]] T* call() {
    return is_call() ? get_if<T>() : nullptr;
  }
  template <class T>
  [[nodiscard]] T* cast() {
    return is_cast() ? get_if<T>() : nullptr;
  }
  template <class T>
  [[nodiscard]] T* info() {
    return is_info() ? get_if<T>() : nullptr;
  }
  template <class T>
  [[nodiscard]] T* internal() {
    return is_internal() ? get_if<T>() : nullptr;
  }

  /// The content as a term.
  [[nodiscard]] term content() const { return content_.to_term(); }
  /// `{type, content}`, as OTP's reports show events.
  [[nodiscard]] term to_term() const { return tuple(type_.to_term(), content()); }
  /// The content itself (the loop moves it between queues).
  [[nodiscard]] message& raw() noexcept { return content_; }

private:
  event_type type_;
  message content_;
};

// -- actions ---------------------------------------------------------------------------------

namespace detail {

using otter::detail::node_ptr;

/// A content of any type, as a message. Term values (atoms, numbers, strings, pids, refs)
/// become terms, so that handlers find them with is<term>() whatever their C++ type was.
template <class V>
message content_of(V v) {
  if constexpr (!std::is_same_v<V, term> && std::is_constructible_v<term, const V&>) {
    return message(otter::detail::make_message_node(term(v)));
  } else {
    return message(otter::detail::make_message_node(std::move(v)));
  }
}

enum class timeout_op : std::uint8_t { start, start_abs, update, cancel };

/// One action of a result, in the order given.
struct action {
  enum class op : std::uint8_t { reply, postpone, hibernate, next_event, timeout, raw };
  op what = op::raw;
  bool flag = true;   // postpone, hibernate
  event_type type{};  // next_event; the timeout's type (timeout, state_timeout, generic)
  timeout_op mode = timeout_op::start;
  std::int64_t time = 0;
  from to{};          // reply
  node_ptr reply{};   // reply: the node for the caller's alias
  message content{};  // next_event, timeout
  term raw{};         // an OTP action term, checked when executed
};

enum class transition : std::uint8_t {
  next_state,
  keep_state,
  keep_state_and_data,
  repeat_state,
  repeat_state_and_data,
  stop,
  stop_and_reply,
  ignore,  // init only
  bad,     // a result term that is not one of OTP's
};

/// What every result holds besides its state and data (read by the loop).
struct outcome {
  transition kind_ = transition::keep_state_and_data;
  term reason_{};                // stop
  std::vector<action> actions_;  // stop_and_reply: its replies
  term bad_{};                   // the offending term of a bad result
};

/// Parses the parts of an OTP result term that do not depend on the machine's types: the
/// kind, the actions, the reason; `state` / `data` receive the terms to convert (if any).
/// kind_ is `bad` when `r` is not a result (or, with `init`, not an init result).
outcome parse_result(const term& r, bool init, std::optional<term>& state,
                     std::optional<term>& data);

/// Converts a term to T: term; atom, integer, floating point, bool, std::string, pid or ref
/// from a term of that kind; nullopt when it cannot.
template <class T>
std::optional<T> from_term_as(const term& t) {
  if constexpr (std::is_same_v<T, term>) {
    return t;
  } else if constexpr (std::is_same_v<T, atom>) {
    return t.is_atom() ? std::optional<T>(t.as_atom()) : std::nullopt;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (t.is(atoms::true_) || t.is(atoms::false_)) {
      return t.is(atoms::true_);
    }
    return std::nullopt;
  } else if constexpr (std::is_integral_v<T>) {
    return t.is_integer() ? std::optional<T>(static_cast<T>(t.as_int())) : std::nullopt;
  } else if constexpr (std::is_floating_point_v<T>) {
    return t.type() == term::kind::floating ? std::optional<T>(static_cast<T>(t.as_double()))
                                            : std::nullopt;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return t.is_binary() ? std::optional<T>(std::string(t.as_string())) : std::nullopt;
  } else if constexpr (std::is_same_v<T, pid>) {
    return t.is_pid() ? std::optional<T>(t.as_pid()) : std::nullopt;
  } else if constexpr (std::is_same_v<T, ref>) {
    return t.is_ref() ? std::optional<T>(t.as_ref()) : std::nullopt;
  } else {
    return std::nullopt;
  }
}

}  // namespace detail

/// The actions shared by result and init_result (see the top of this file). Each returns the
/// result itself, so they chain; on a temporary they return it as an rvalue.
template <class Derived>
class action_builder : public detail::outcome {
public:
  /// {:reply, from, value}: sent when the result is processed, before any state change.
  template <class V>
  Derived& reply(const from& to, V value) & {
    detail::action a;
    a.what = detail::action::op::reply;
    a.to = to;
    a.reply = gen_server::detail::reply_node(to, std::move(value));
    return add(std::move(a));
  }
  template <class V>
  Derived&& reply(const from& to, V value) && {
    return std::move(reply(to, std::move(value)));
  }
  /// :postpone (true) or {:postpone, false}: retry this event after the next state change.
  Derived& postpone(bool on = true) & { return add(flag(detail::action::op::postpone, on)); }
  Derived&& postpone(bool on = true) && { return std::move(postpone(on)); }
  /// :hibernate: accepted and ignored (an idle Otter process is already small).
  Derived& hibernate(bool on = true) & { return add(flag(detail::action::op::hibernate, on)); }
  Derived&& hibernate(bool on = true) && { return std::move(hibernate(on)); }
  /// {:next_event, type, content}: handled before anything else, in the order given.
  template <class V>
  Derived& next_event(event_type type, V content) & {
    detail::action a;
    a.what = detail::action::op::next_event;
    a.type = std::move(type);
    a.content = detail::content_of(std::move(content));
    return add(std::move(a));
  }
  template <class V>
  Derived&& next_event(event_type type, V content) && {
    return std::move(next_event(std::move(type), std::move(content)));
  }

  // -- the event timeout: cancelled by any event ---------------------------------------------
  /// {:timeout, ms, content}; `infinity` cancels it, 0 fires before any new message.
  template <class V>
  Derived& timeout(std::int64_t ms, V content) & {
    return add(timer(event_kind::timeout, detail::timeout_op::start, ms, std::move(content)));
  }
  template <class V>
  Derived&& timeout(std::int64_t ms, V content) && {
    return std::move(timeout(ms, std::move(content)));
  }
  /// A bare `ms`: {:timeout, ms, ms}.
  Derived& timeout(std::int64_t ms) & { return timeout(ms, term(ms)); }
  Derived&& timeout(std::int64_t ms) && { return std::move(timeout(ms)); }
  /// {:timeout, deadline, content, [abs: true]} with a deadline in now_ms() time.
  template <class V>
  Derived& timeout_at(std::int64_t deadline, V content) & {
    return add(
        timer(event_kind::timeout, detail::timeout_op::start_abs, deadline, std::move(content)));
  }
  template <class V>
  Derived&& timeout_at(std::int64_t deadline, V content) && {
    return std::move(timeout_at(deadline, std::move(content)));
  }
  Derived& cancel_timeout() & { return add(cancel(event_kind::timeout)); }
  Derived&& cancel_timeout() && { return std::move(cancel_timeout()); }
  /// {:timeout, :update, content}: a new content for the running timer, or a 0 timeout.
  template <class V>
  Derived& update_timeout(V content) & {
    return add(timer(event_kind::timeout, detail::timeout_op::update, 0, std::move(content)));
  }
  template <class V>
  Derived&& update_timeout(V content) && {
    return std::move(update_timeout(std::move(content)));
  }

  // -- the state timeout: cancelled by a state change ----------------------------------------
  template <class V>
  Derived& state_timeout(std::int64_t ms, V content) & {
    return add(timer(event_kind::state_timeout, detail::timeout_op::start, ms, std::move(content)));
  }
  template <class V>
  Derived&& state_timeout(std::int64_t ms, V content) && {
    return std::move(state_timeout(ms, std::move(content)));
  }
  template <class V>
  Derived& state_timeout_at(std::int64_t deadline, V content) & {
    return add(timer(event_kind::state_timeout, detail::timeout_op::start_abs, deadline,
                     std::move(content)));
  }
  template <class V>
  Derived&& state_timeout_at(std::int64_t deadline, V content) && {
    return std::move(state_timeout_at(deadline, std::move(content)));
  }
  Derived& cancel_state_timeout() & { return add(cancel(event_kind::state_timeout)); }
  Derived&& cancel_state_timeout() && { return std::move(cancel_state_timeout()); }
  template <class V>
  Derived& update_state_timeout(V content) & {
    return add(timer(event_kind::state_timeout, detail::timeout_op::update, 0, std::move(content)));
  }
  template <class V>
  Derived&& update_state_timeout(V content) && {
    return std::move(update_state_timeout(std::move(content)));
  }

  // -- generic timeouts: one per name, cancelled only explicitly -----------------------------
  template <class V>
  Derived& generic_timeout(term name, std::int64_t ms, V content) & {
    return add(timer(event_type::generic_timeout(std::move(name)), detail::timeout_op::start, ms,
                     std::move(content)));
  }
  template <class V>
  Derived&& generic_timeout(term name, std::int64_t ms, V content) && {
    return std::move(generic_timeout(std::move(name), ms, std::move(content)));
  }
  template <class V>
  Derived& generic_timeout_at(term name, std::int64_t deadline, V content) & {
    return add(timer(event_type::generic_timeout(std::move(name)), detail::timeout_op::start_abs,
                     deadline, std::move(content)));
  }
  template <class V>
  Derived&& generic_timeout_at(term name, std::int64_t deadline, V content) && {
    return std::move(generic_timeout_at(std::move(name), deadline, std::move(content)));
  }
  Derived& cancel_generic_timeout(term name) & {
    return add(cancel(event_type::generic_timeout(std::move(name))));
  }
  Derived&& cancel_generic_timeout(term name) && {
    return std::move(cancel_generic_timeout(std::move(name)));
  }
  template <class V>
  Derived& update_generic_timeout(term name, V content) & {
    return add(timer(event_type::generic_timeout(std::move(name)), detail::timeout_op::update, 0,
                     std::move(content)));
  }
  template <class V>
  Derived&& update_generic_timeout(term name, V content) && {
    return std::move(update_generic_timeout(std::move(name), std::move(content)));
  }

  // -- OTP action terms ----------------------------------------------------------------------
  /// One OTP action term (`:postpone`, `{:state_timeout, 200, :lock}`, ...), checked when the
  /// result is processed.
  Derived& action(term t) & {
    detail::action a;
    a.raw = std::move(t);
    return add(std::move(a));
  }
  Derived&& action(term t) && { return std::move(action(std::move(t))); }
  /// A list of OTP action terms, or a single one (OTP's listify).
  Derived& actions(const term& list) & {
    if (!list.is_list()) {
      return action(list);
    }
    for (const term& t : list.elements()) {
      action(t);
    }
    return static_cast<Derived&>(*this);
  }
  Derived&& actions(const term& list) && { return std::move(actions(list)); }

private:
  Derived& add(detail::action a) {
    actions_.push_back(std::move(a));
    return static_cast<Derived&>(*this);
  }
  static detail::action flag(detail::action::op what, bool on) {
    detail::action a;
    a.what = what;
    a.flag = on;
    return a;
  }
  template <class V>
  static detail::action timer(event_type type, detail::timeout_op mode, std::int64_t time,
                              V content) {
    detail::action a;
    a.what = detail::action::op::timeout;
    a.type = std::move(type);
    a.mode = mode;
    a.time = time;
    a.content = detail::content_of(std::move(content));
    return a;
  }
  static detail::action cancel(event_type type) {
    detail::action a;
    a.what = detail::action::op::timeout;
    a.type = std::move(type);
    a.mode = detail::timeout_op::cancel;
    return a;
  }
};

// -- results ---------------------------------------------------------------------------------

/// What a state handler returns (see the top of this file). `State` and `Data` are the
/// machine's types; the handler changes its data in place or passes new data here.
template <class State, class Data>
class result : public action_builder<result<State, Data>> {
  using transition = detail::transition;

public:
  /// :keep_state_and_data
  result() = default;

  static result next_state(State s) { return make(transition::next_state, std::move(s)); }
  static result next_state(State s, Data d) {
    result r = make(transition::next_state, std::move(s));
    r.data_.emplace(std::move(d));
    return r;
  }
  static result keep_state() { return make(transition::keep_state); }
  static result keep_state(Data d) { return with_data(transition::keep_state, std::move(d)); }
  static result keep_state_and_data() { return make(transition::keep_state_and_data); }
  static result repeat_state() { return make(transition::repeat_state); }
  static result repeat_state(Data d) { return with_data(transition::repeat_state, std::move(d)); }
  static result repeat_state_and_data() { return make(transition::repeat_state_and_data); }
  /// {:stop, reason}: terminate runs, then the machine exits with `reason`.
  static result stop(term reason = term(atoms::normal)) {
    result r = make(transition::stop);
    r.reason_ = std::move(reason);
    return r;
  }
  static result stop(term reason, Data d) {
    result r = with_data(transition::stop, std::move(d));
    r.reason_ = std::move(reason);
    return r;
  }
  /// {:stop_and_reply, reason, replies}: chain .reply(...) for the replies, which are sent
  /// before terminate runs.
  static result stop_and_reply(term reason) {
    result r = make(transition::stop_and_reply);
    r.reason_ = std::move(reason);
    return r;
  }
  template <class V>
  static result stop_and_reply(term reason, const from& to, V value) {
    return stop_and_reply(std::move(reason)).reply(to, std::move(value));
  }
  /// OTP's result term, e.g. `{:next_state, :open, data, [{:state_timeout, 200, :lock}]}`.
  /// States and data given as terms must fit State and Data (term, or atom for a state);
  /// anything else is {:bad_return_from_state_function, r}.
  static result from_term(const term& t) {
    std::optional<term> s;
    std::optional<term> d;
    result r;
    static_cast<detail::outcome&>(r) = detail::parse_result(t, false, s, d);
    if (r.kind_ != transition::bad) {
      if (s) {
        r.next_ = detail::from_term_as<State>(*s);
      }
      if (d) {
        r.data_ = detail::from_term_as<Data>(*d);
      }
      if ((s && !r.next_) || (d && !r.data_)) {
        r.kind_ = transition::bad;
      }
    }
    if (r.kind_ == transition::bad) {
      r.bad_ = t;
    }
    return r;
  }

  std::optional<State> next_;
  std::optional<Data> data_;

private:
  static result make(transition k) {
    result r;
    r.kind_ = k;
    return r;
  }
  static result make(transition k, State s) {
    result r = make(k);
    r.next_.emplace(std::move(s));
    return r;
  }
  static result with_data(transition k, Data d) {
    result r = make(k);
    r.data_.emplace(std::move(d));
    return r;
  }
};

/// What init returns: {:ok, state, data} plus actions, :ignore, or {:stop, reason}.
template <class State, class Data>
class init_result : public action_builder<init_result<State, Data>> {
  using transition = detail::transition;

public:
  /// {:ok, state, data}
  init_result(State s, Data d) : state_(std::move(s)), data_(std::move(d)) {
    this->kind_ = transition::next_state;
  }
  static init_result ok(State s, Data d) { return init_result(std::move(s), std::move(d)); }
  static init_result ignore() {
    init_result r;
    r.kind_ = transition::ignore;
    return r;
  }
  static init_result stop(term reason) {
    init_result r;
    r.kind_ = transition::stop;
    r.reason_ = std::move(reason);
    return r;
  }
  /// OTP's init result term; anything else is {:bad_return_from_init, r}.
  static init_result from_term(const term& t) {
    std::optional<term> s;
    std::optional<term> d;
    init_result r;
    static_cast<detail::outcome&>(r) = detail::parse_result(t, true, s, d);
    if (r.kind_ == transition::next_state) {
      r.state_ = detail::from_term_as<State>(*s);
      r.data_ = detail::from_term_as<Data>(*d);
      if (!r.state_ || !r.data_) {
        r.kind_ = transition::bad;
      }
    }
    if (r.kind_ == transition::bad) {
      r.bad_ = t;
    }
    return r;
  }

  std::optional<State> state_;
  std::optional<Data> data_;

private:
  init_result() = default;
};

// -- state_functions -------------------------------------------------------------------------

/// The handlers of a state_functions machine, one per state:
///   static gen_statem::state_table<lock> state_functions() {
///     return {{atom("locked"), &lock::locked}, {atom("open"), &lock::open}};
///   }
/// A handler is `result (S::*)(event&, data&)`, or a coroutine returning co<result>.
template <class S, class State, class Data>
class basic_state_table {
public:
  using result_type = result<State, Data>;
  using sync_fn = result_type (S::*)(event&, Data&);
  using co_fn = co<result_type> (S::*)(event&, Data&);
  struct entry {
    entry(State s, sync_fn f) : state(std::move(s)), sync(f) {}
    entry(State s, co_fn f) : state(std::move(s)), async(f) {}
    State state;
    sync_fn sync = nullptr;
    co_fn async = nullptr;
  };

  basic_state_table(std::initializer_list<entry> entries) : entries_(entries) {}
  /// The entry of `s`, or nullptr (an event in that state stops the machine with :undef).
  [[nodiscard]] const entry* find(const State& s) const {
    for (const entry& e : entries_) {
      if (e.state == s) {
        return &e;
      }
    }
    return nullptr;
  }

private:
  std::vector<entry> entries_;
};

/// The state type of machine S: S::state, or atom when S does not name one.
template <class S>
struct state_type_of {
  using type = atom;
};
template <class S>
requires requires {
  typename S::state;
}
struct state_type_of<S> {
  using type = typename S::state;
};
template <class S>
using state_of = typename state_type_of<S>::type;

/// basic_state_table for machine S.
template <class S>
using state_table = basic_state_table<S, state_of<S>, typename S::data>;

// -- starting --------------------------------------------------------------------------------

/// What the optional format_status callback receives and returns (OTP 25's format_status/1
/// map, as terms): `status format_status(status s)`, called by sys::get_status to show the
/// machine. Change the fields to hide or condense them; the ones left alone are shown as they
/// came. See otter/otp/gen_statem.hpp.
struct status {
  term state{};      // the current state
  term data{};       // the data
  term postponed{};  // the postponed events, newest first: [{type, content}]
  term timeouts{};   // the running timeouts: [{type, content}]
  term log{};        // sys debug events: always [] (Otter keeps no sys log)
};

struct start_options {
  /// Registers the machine under this name (an atom, or via / global); none when empty.
  std::optional<server_ref> name{};
  /// How long start waits for init (ms).
  std::int64_t timeout = infinity;
};

}  // namespace otter::gen_statem
