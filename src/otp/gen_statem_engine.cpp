// The gen_statem loop: events, actions, transitions, timers and stopping.
//
// This follows OTP 25's gen_statem.erl (the loop_* functions); the names below point to it.
//
// One event, step by step (handle):
//   1. The handler of the pending state runs (loop_state_callback). A raise stops the machine
//      (terminate sees the state before the event). A result names the next state and data;
//      a stop result stops here.
//   2. Its actions run in order (loop_actions_list): replies are sent at once; postpone,
//      hibernate, next_event and timeouts are collected into a pending_transition.
//   3. With state_enter, a state change or repeat_state makes an enter call (loop_state_enter)
//      in the new state, with the old state as content; its actions are collected too. An
//      enter call may not change the state, postpone or insert events.
//   4. The transition (loop_state_transition): a postponed event joins the postponed list; on
//      a state change the postponed events go to the front of the queue, oldest first, and
//      the state timeout is cancelled; the event timeout is cancelled by every event. Then the
//      new timeouts start (the last action of each type wins: loop_timeouts) and the inserted
//      events go in front of everything (loop_done).
// The next event is the head of the queue, else the oldest 0 timeout, else the next message.
//
// Timers: a timer's message carries its type and its ref; a message whose ref is not the
// running timer's (a timer cancelled after it fired) is dropped. OTP flushes such a message
// from the mailbox when cancel_timer finds the timer gone; here it may still be on its way
// (timer_wheel delivers after the cancel lost the race), so the check happens on arrival
// instead. Either way the machine never sees it.

#include "otter/core/logger.hpp"
#include "otter/core/timer.hpp"
#include "otter/otp/gen_statem.hpp"

#include <algorithm>
#include <iterator>
#include <string>

namespace otter::gen_statem::detail {

namespace {

const atom& bad_action_atom() {
  static const atom a("bad_action_from_state_function");
  return a;
}
const atom& bad_enter_action_atom() {
  static const atom a("bad_state_enter_action_from_state_function");
  return a;
}

term bad_action(term a) {
  return tuple(bad_action_atom(), std::move(a));
}
term bad_enter_action(term a) {
  return tuple(bad_enter_action_atom(), std::move(a));
}

bool is_relative_time(const term& t) {
  return (t.is_integer() && t.as_int() >= 0) || t.is(atoms::infinity);
}
std::int64_t time_of(const term& t) {
  return t.is(atoms::infinity) ? infinity : t.as_int();
}

/// OTP's timeout event types: :timeout, :state_timeout, {:timeout, name}.
std::optional<event_type> timeout_type(const term& t) {
  if (t.is(atoms::timeout)) {
    return event_type(event_kind::timeout);
  }
  static const atom state_timeout("state_timeout");
  if (t.is(state_timeout)) {
    return event_type(event_kind::state_timeout);
  }
  if (t.is_tagged(atoms::timeout, 2)) {
    return event_type::generic_timeout(t[1]);
  }
  return std::nullopt;
}

/// The action as OTP writes it (for the reasons of bad actions).
term action_term(const action& a) {
  static const atom reply("reply");
  static const atom postpone("postpone");
  static const atom hibernate("hibernate");
  static const atom next_event("next_event");
  static const atom cancel("cancel");
  static const atom update("update");
  static const atom abs("abs");
  switch (a.what) {
    case action::op::raw:
      return a.raw;
    case action::op::reply: {
      term value = a.reply ? a.reply->to_term() : term();
      return tuple(reply, a.to.to_term(), value.is_tuple() ? value[1] : value);
    }
    case action::op::postpone:
      return a.flag ? term(postpone) : tuple(postpone, false);
    case action::op::hibernate:
      return a.flag ? term(hibernate) : tuple(hibernate, false);
    case action::op::next_event:
      return tuple(next_event, a.type.to_term(), a.content.to_term());
    case action::op::timeout:
      switch (a.mode) {
        case timeout_op::cancel:
          return tuple(a.type.to_term(), cancel);
        case timeout_op::update:
          return tuple(a.type.to_term(), update, a.content.to_term());
        case timeout_op::start_abs:
          return tuple(a.type.to_term(), a.time, a.content.to_term(),
                       term::list({tuple(abs, true)}));
        case timeout_op::start:
          break;
      }
      return tuple(a.type.to_term(), a.time == infinity ? term(atoms::infinity) : term(a.time),
                   a.content.to_term());
  }
  return a.raw;
}

/// `{abs, bool}` options (a list, or one): whether the time is absolute; nullopt when bad.
std::optional<bool> parse_abs(const term& opts) {
  static const atom abs("abs");
  auto one = [](const term& o, bool& out) {
    if (o.is_tagged(abs, 2) && (o[1].is(atoms::true_) || o[1].is(atoms::false_))) {
      out = o[1].is(atoms::true_);
      return true;
    }
    return false;
  };
  bool result = false;
  if (!opts.is_list()) {
    if (!one(opts, result)) {
      return std::nullopt;
    }
    return result;
  }
  for (const term& o : opts.elements()) {
    if (!one(o, result)) {
      return std::nullopt;
    }
  }
  return result;
}

bool is_bool(const term& t) {
  return t.is(atoms::true_) || t.is(atoms::false_);
}

/// Turns the raw action `a` into a typed one (loop_actions_list's clauses); the stop reason
/// when it is not an action, or not one an enter call may use.
std::optional<term> parse_action(action& a, bool state_call) {
  static const atom postpone("postpone");
  static const atom hibernate("hibernate");
  static const atom reply("reply");
  static const atom next_event("next_event");
  static const atom cancel("cancel");
  static const atom update("update");
  const term t = a.raw;
  if (t.is(postpone)) {
    if (!state_call) {
      return bad_enter_action(t);
    }
    a.what = action::op::postpone;
    a.flag = true;
    return std::nullopt;
  }
  if (t.is(hibernate)) {
    a.what = action::op::hibernate;
    a.flag = true;
    return std::nullopt;
  }
  if (t.is_tuple() && t.size() == 2) {
    // {:postpone, true} in an enter call falls through OTP's clauses to a bad action.
    if (t[0].is(postpone) && is_bool(t[1]) && (t[1].is(atoms::false_) || state_call)) {
      a.what = action::op::postpone;
      a.flag = t[1].is(atoms::true_);
      return std::nullopt;
    }
    if (t[0].is(hibernate) && is_bool(t[1])) {
      a.what = action::op::hibernate;
      a.flag = t[1].is(atoms::true_);
      return std::nullopt;
    }
    if (auto type = timeout_type(t[0]); type && t[1].is(cancel)) {
      a.what = action::op::timeout;
      a.type = std::move(*type);
      a.mode = timeout_op::cancel;
      return std::nullopt;
    }
    return bad_action(t);
  }
  if (t.is_tuple() && t.size() == 3) {
    if (t[0].is(reply)) {
      const term& f = t[1];
      if (!(f.is_tuple() && f.size() == 2 && f[0].is_pid())) {
        return bad_action(t);
      }
      a.what = action::op::reply;
      a.to = from{f[0].as_pid(), f[1].is_ref() ? f[1].as_ref() : ref(),
                  otter::detail::type_id<term>()};
      if (f[1].is_ref()) {
        a.reply = gen_server::detail::reply_node(a.to, t[2]);
      }
      return std::nullopt;
    }
    if (t[0].is(next_event)) {
      auto type = event_type::from_term(t[1]);
      if (!state_call) {
        return bad_enter_action(t);
      }
      if (!type) {
        return bad_action(t);
      }
      a.what = action::op::next_event;
      a.type = std::move(*type);
      a.content = content_of(t[2]);
      return std::nullopt;
    }
    auto type = timeout_type(t[0]);
    if (type && (is_relative_time(t[1]) || t[1].is(update))) {
      a.what = action::op::timeout;
      a.type = std::move(*type);
      a.mode = t[1].is(update) ? timeout_op::update : timeout_op::start;
      a.time = t[1].is(update) ? 0 : time_of(t[1]);
      a.content = content_of(t[2]);
      return std::nullopt;
    }
    return bad_action(t);
  }
  if (t.is_tuple() && t.size() == 4) {
    auto type = timeout_type(t[0]);
    std::optional<bool> abs = type ? parse_abs(t[3]) : std::nullopt;
    if (abs && *abs && (t[1].is_integer() || t[1].is(atoms::infinity))) {
      a.what = action::op::timeout;
      a.type = std::move(*type);
      a.mode = timeout_op::start_abs;
      a.time = time_of(t[1]);
      a.content = content_of(t[2]);
      return std::nullopt;
    }
    if (abs && !*abs && is_relative_time(t[1])) {
      a.what = action::op::timeout;
      a.type = std::move(*type);
      a.mode = timeout_op::start;
      a.time = time_of(t[1]);
      a.content = content_of(t[2]);
      return std::nullopt;
    }
    return bad_action(t);
  }
  if (is_relative_time(t)) {  // a bare time: {:timeout, time, time}
    a.what = action::op::timeout;
    a.type = event_type(event_kind::timeout);
    a.mode = timeout_op::start;
    a.time = time_of(t);
    a.content = content_of(t);
    return std::nullopt;
  }
  return bad_action(t);
}

void send_reply_node(action& a) {
  if (a.reply && !a.to.caller.is_null()) {
    otter::detail::send_node(otter::detail::current_runtime("gen_statem"), a.to.caller,
                             std::move(a.reply));
  }
}

}  // namespace

// -- construction and status -----------------------------------------------------------------

engine::engine(pid parent, start_options opts, callback_mode mode, term module)
    : parent_(parent), name_(std::move(opts.name)), mode_(mode), module_(std::move(module)) {}

term engine::module() const {
  return statem_module();
}

term engine::status_header() const {
  // gen:format_status_header: a local name or the pid as text; a via or global name as a
  // tuple {TagLine, Name} (Name: the name inside the via tuple).
  if (name_ && name_->is_via()) {
    return tuple(sys::charlist("Status for state machine"), name_->via_name());
  }
  std::optional<atom> local;
  if (name_ && name_->is_local_name()) {
    local = name_->local_name();
  }
  return sys::status_header("state machine", self(), local);
}

term engine::status_misc(const term& sys_state, pid parent) {
  // Time-outs as OTP lists them: by type, in reverse term order (a fold over a small map).
  std::vector<term> timeouts;
  for (const timer_entry& e : timers_) {
    timeouts.push_back(tuple(e.key, e.content.to_term()));
  }
  std::sort(timeouts.begin(), timeouts.end(), [](const term& x, const term& y) { return y < x; });
  std::vector<term> postponed;  // newest first, as OTP's list
  for (auto it = postponed_.rbegin(); it != postponed_.rend(); ++it) {
    postponed.push_back(it->to_term());
  }
  const auto count = static_cast<std::int64_t>(timeouts.size());
  const term state_data = state_term();  // {state, data}
  status shown;
  shown.state = state_data[0];
  shown.data = state_data[1];
  shown.postponed = term::list(std::move(postponed));
  shown.timeouts = term::list(std::move(timeouts));
  shown.log = term::list({});
  // gen_statem:format_status: the callback's status replaces the shown one; a callback that
  // raises shows {state, "Module:format_status/1 crashed"} as the state, the rest unchanged.
  term state_entry = tuple(shown.state, shown.data);
  try {
    if (std::optional<status> formatted = format_status(shown)) {
      shown = std::move(*formatted);
      state_entry = tuple(shown.state, shown.data);
    }
  } catch (...) {
    std::string crashed(module_.as_atom().name());
    crashed += ":format_status/1 crashed";
    state_entry = tuple(shown.state, sys::charlist(crashed));
  }
  return term::list(
      {tuple(atom("header"), status_header()),
       tuple(atom("data"),
             term::list({tuple(sys::charlist("Status"), sys_state),
                         tuple(sys::charlist("Parent"), parent.is_null() ? self() : parent),
                         tuple(sys::charlist("Modules"), term::list({module_})),
                         tuple(sys::charlist("Time-outs"), tuple(count, shown.timeouts)),
                         tuple(sys::charlist("Logged Events"), shown.log),
                         tuple(sys::charlist("Postponed"), shown.postponed)})),
       tuple(atom("data"), term::list({tuple(sys::charlist("State"), state_entry)}))});
}

// -- starting --------------------------------------------------------------------------------

bool engine::register_name() {
  const server_ref& name = *name_;
  bool ok = name.is_local_name() ? otter::register_name(name.local_name(), self())
                                 : name.registry()->register_name(name.via_name(), self());
  if (!ok) {
    proc_lib::init_ack(tuple(atoms::error, tuple(atom("already_started"), name.resolve())));
  }
  return ok;
}

void engine::unregister_name() {
  if (!name_) {
    return;
  }
  if (name_->is_local_name()) {
    otter::unregister(name_->local_name());
  } else if (name_->is_via()) {
    name_->registry()->unregister_name(name_->via_name());
  }
}

void engine::init_failed(std::exception_ptr e) {
  // gen_statem:init_it: the starter gets the reason without its stack trace; the report is
  // logged whatever the reason; then the exception goes on to proc_lib's crash report.
  unregister_name();
  term reason = exit_reason_of(e);
  term shown = is_exit_class(e) ? reason : without_stacktrace(reason);
  proc_lib::init_ack(tuple(atoms::error, shown));
  log(log_event{
      log_level::error, "gen_statem terminate", {{"name", log_name()}, {"reason", shown}}});
  std::rethrow_exception(e);
}

void engine::init_refused(outcome& r) {
  unregister_name();
  switch (r.kind_) {
    case transition::ignore:
      proc_lib::init_ack(term(atom("ignore")));
      otter::exit(term(atoms::normal));
    case transition::stop:
      proc_lib::init_ack(tuple(atoms::error, r.reason_));
      otter::exit(r.reason_);
    default: {
      term reason = tuple(atom("bad_return_from_init"), r.bad_);
      proc_lib::init_ack(tuple(atoms::error, reason));
      log(log_event{
          log_level::error, "gen_statem terminate", {{"name", log_name()}, {"reason", reason}}});
      otter::exit(std::move(reason));
    }
  }
}

co<void> engine::run(outcome& init) {
  // gen_statem:enter: the init actions run as a state call's would, for a dummy event that is
  // never postponed; the first enter call has the initial state as old state.
  static const atom init_state("init_state");
  event dummy(event_kind::internal, content_of(term(init_state)));
  co_await handle(std::move(dummy), &init);
  co_await loop();
}

// -- the loop --------------------------------------------------------------------------------

co<void> engine::loop() {
  for (;;) {
    if (!queue_.empty()) {
      event ev = std::move(queue_.front());
      queue_.pop_front();
      co_await handle(std::move(ev), nullptr);
      continue;
    }
    if (!t0q_.empty()) {  // 0 timeouts fire before any new message (loop_done)
      co_await handle(take_zero_timeout(), nullptr);
      continue;
    }
    message m;
    if (suspended_) {
      m = co_await receive(on<sys::request>(
          [](sys::request& r) { return message(otter::detail::make_message_node(std::move(r))); }));
    } else {
      m = co_await receive(on<message>([](message& x) { return std::move(x); }));
    }
    if (m.is<sys::request>()) {
      sys::request& r = m.get<sys::request>();
      if (sys::handle(r, *this, suspended_, parent_) == sys::next::terminate) {
        term reason = r.reason;
        co_await terminate(std::move(reason), false, nullptr);
      }
      continue;
    }
    if (m.is<exit_msg>() && !parent_.is_null() && m.get<exit_msg>().from == parent_) {
      // The parent died and we trap exits: stop with its reason (loop_receive).
      term reason = m.get<exit_msg>().reason;
      co_await terminate(std::move(reason), false, nullptr);
    }
    if (m.is<timer_msg<timer_tag>>()) {
      if (std::optional<event> ev = timer_fired(m)) {
        co_await handle(std::move(*ev), nullptr);
      }
      continue;  // a stale timer's message: dropped
    }
    event ev;
    if (m.is<gen_server::detail::envelope>()) {
      auto& e = m.get<gen_server::detail::envelope>();
      event_type type =
          e.what == request_kind::call ? event_type::call(e.caller) : event_type(event_kind::cast);
      ev = event(std::move(type), content_of(e.request_term()));
    } else if (m.is<request_msg>()) {
      auto& r = m.get<request_msg>();
      event_type type =
          r.what == request_kind::call ? event_type::call(r.caller) : event_type(event_kind::cast);
      ev = event(std::move(type), std::move(r.content));
    } else {
      ev = event(event_kind::info, std::move(m));
    }
    co_await handle(std::move(ev), nullptr);
  }
}

co<void> engine::handle(event ev, outcome* init) {
  pending_transition t;
  bool call_enter = false;
  if (init != nullptr) {
    if (std::optional<term> bad = take_actions(*init, t, true)) {
      co_await terminate(std::move(*bad), true, nullptr);
    }
    t.postpone = false;
    call_enter = true;
  } else {
    call_enter = co_await call_handler(ev, t, true);
  }
  while (call_enter && mode_.state_enter) {
    event enter(event_kind::enter, committed_state());
    call_enter = co_await call_handler(enter, t, false);
  }
  transition(std::move(ev), std::move(t));
}

co<bool> engine::call_handler(event& e, pending_transition& t, bool state_call) {
  std::exception_ptr failed;
  try {
    invocation i = invoke(e);
    if (i.async) {
      co_await std::move(i.later);
    }
  } catch (...) {
    failed = std::current_exception();
  }
  if (failed) {
    if (std::optional<term> thrown = thrown_value(failed)) {
      take_thrown(*thrown);  // gen_statem takes a throw as the callback's result
    } else {
      rollback();
      co_await crash(failed);
    }
  }
  outcome& r = last();
  bool call_enter = false;
  switch (r.kind_) {
    case transition::next_state:
      if (next_differs()) {
        if (!state_call) {
          term shown = last_as_term();
          if (!r.actions_.empty()) {
            std::vector<term> items(shown.elements().begin(), shown.elements().end());
            std::vector<term> actions;
            for (const action& a : r.actions_) {
              actions.push_back(action_term(a));
            }
            items.push_back(term::list(std::move(actions)));
            shown = term::tuple(std::move(items));
          }
          co_await terminate(tuple(atom("bad_state_enter_return_from_state_function"), shown), true,
                             nullptr);
        }
        call_enter = true;
      }
      break;
    case transition::keep_state:
    case transition::keep_state_and_data:
      break;
    case transition::repeat_state:
    case transition::repeat_state_and_data:
      call_enter = true;
      break;
    case transition::stop: {
      apply_last();
      term reason = r.reason_;
      co_await terminate(std::move(reason), false, nullptr);
      break;
    }
    case transition::stop_and_reply: {
      apply_last();
      if (std::optional<term> bad = send_replies(r)) {
        co_await terminate(std::move(*bad), true, nullptr);
      }
      term reason = r.reason_;
      co_await terminate(std::move(reason), false, nullptr);
      break;
    }
    case transition::ignore:
    case transition::bad:
      co_await terminate(tuple(atom("bad_return_from_state_function"), r.bad_), true, nullptr);
      break;
  }
  apply_last();
  if (std::optional<term> bad = take_actions(r, t, state_call)) {
    co_await terminate(std::move(*bad), true, nullptr);
  }
  co_return call_enter;
}

std::optional<term> engine::take_actions(outcome& r, pending_transition& t, bool state_call) {
  static const atom postpone("postpone");
  for (action& a : r.actions_) {
    if (a.what == action::op::raw) {
      if (std::optional<term> bad = parse_action(a, state_call)) {
        return bad;
      }
    }
    switch (a.what) {
      case action::op::reply:
        send_reply_node(a);
        break;
      case action::op::postpone:
        if (a.flag && !state_call) {
          return bad_enter_action(term(postpone));
        }
        t.postpone = a.flag;
        break;
      case action::op::hibernate:
        t.hibernate = a.flag;
        break;
      case action::op::next_event:
        if (!state_call) {
          return bad_enter_action(action_term(a));
        }
        t.next_events.emplace_back(std::move(a.type), std::move(a.content));
        break;
      case action::op::timeout:
        if (a.mode == timeout_op::start && a.time < 0 && a.time != infinity) {
          return bad_action(action_term(a));
        }
        t.timeouts.push_back(std::move(a));
        break;
      case action::op::raw:
        break;
    }
  }
  r.actions_.clear();
  return std::nullopt;
}

std::optional<term> engine::send_replies(outcome& r) {
  static const atom bad_reply("bad_reply_action_from_state_function");
  for (action& a : r.actions_) {
    if (a.what == action::op::raw) {
      term shown = a.raw;
      if (parse_action(a, true) || a.what != action::op::reply) {
        return tuple(bad_reply, shown);
      }
    }
    if (a.what != action::op::reply) {
      return tuple(bad_reply, action_term(a));
    }
    send_reply_node(a);
  }
  r.actions_.clear();
  return std::nullopt;
}

void engine::transition(event ev, pending_transition t) {
  static const term event_timeout(atoms::timeout);
  static const term state_timeout(atom("state_timeout"));
  if (t.postpone) {
    postponed_.push_back(std::move(ev));
  }
  if (state_changed()) {
    // Retry the postponed events first, oldest first (loop_state_change).
    queue_.insert(queue_.begin(), std::make_move_iterator(postponed_.begin()),
                  std::make_move_iterator(postponed_.end()));
    postponed_.clear();
    cancel_timeout(state_timeout);
  }
  cancel_timeout(event_timeout);  // any event cancels the event timeout (loop_keep_state)
  commit();
  start_timeouts(t.timeouts);
  // Inserted events go before everything, in the order given (loop_done).
  queue_.insert(queue_.begin(), std::make_move_iterator(t.next_events.begin()),
                std::make_move_iterator(t.next_events.end()));
  hibernate_ = t.hibernate;
}

// -- timers ----------------------------------------------------------------------------------

void engine::cancel_timeout(const term& key) {
  auto it = std::find_if(timers_.begin(), timers_.end(),
                         [&](const timer_entry& e) { return e.key == key; });
  if (it == timers_.end()) {
    return;
  }
  if (it->timer.is_null()) {
    t0q_.erase(std::find(t0q_.begin(), t0q_.end(), key));
  } else {
    // A message of a timer that already fired is dropped when it arrives (timer_fired).
    (void)cancel_timer(it->timer);
  }
  timers_.erase(it);
}

void engine::start_timeouts(std::vector<action>& timeouts) {
  // The last action of each type wins (loop_timeouts walks them backwards and skips the types
  // it has seen); new 0 timeouts fire in the order of their actions, after older ones.
  std::vector<term> seen;
  std::deque<term> zero;
  for (auto it = timeouts.rbegin(); it != timeouts.rend(); ++it) {
    action& a = *it;
    term key = a.type.to_term();
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      continue;
    }
    seen.push_back(key);
    if (a.mode == timeout_op::cancel || (a.mode != timeout_op::update && a.time == infinity)) {
      cancel_timeout(key);
      continue;
    }
    auto found = std::find_if(timers_.begin(), timers_.end(),
                              [&](const timer_entry& e) { return e.key == key; });
    if (a.mode == timeout_op::update) {
      if (found != timers_.end()) {
        found->content = std::move(a.content);  // the running timer keeps its time
        continue;
      }
      timers_.push_back(timer_entry{a.type, key, ref(), std::move(a.content)});
      zero.push_front(key);
      continue;
    }
    ref timer;
    if (a.time != 0) {
      timer_tag tag{key};
      if (a.mode == timeout_op::start) {
        timer = start_timer(a.time, self(), std::move(tag));
      } else {
        auto& rt = otter::detail::current_runtime("gen_statem");
        timer = make_ref();
        std::int64_t deadline = std::max(a.time, now_ms());
        timer = otter::detail::arm_timer(
            rt, term(self()), static_cast<std::uint64_t>(deadline),
            otter::detail::make_message_node(timer_msg<timer_tag>{timer, std::move(tag)}), timer);
      }
    }
    if (found != timers_.end()) {
      if (found->timer.is_null()) {
        t0q_.erase(std::find(t0q_.begin(), t0q_.end(), key));
      } else {
        (void)cancel_timer(found->timer);
      }
      found->timer = timer;
      found->content = std::move(a.content);
      found->type = a.type;
    } else {
      timers_.push_back(timer_entry{a.type, key, timer, std::move(a.content)});
    }
    if (timer.is_null()) {
      zero.push_front(key);
    }
  }
  t0q_.insert(t0q_.end(), zero.begin(), zero.end());
}

event engine::take_zero_timeout() {
  term key = std::move(t0q_.front());
  t0q_.pop_front();
  auto it = std::find_if(timers_.begin(), timers_.end(),
                         [&](const timer_entry& e) { return e.key == key; });
  event ev(std::move(it->type), std::move(it->content));
  timers_.erase(it);
  return ev;
}

std::optional<event> engine::timer_fired(message& m) {
  const auto& fired = m.get<timer_msg<timer_tag>>();
  auto it = std::find_if(timers_.begin(), timers_.end(), [&](const timer_entry& e) {
    return e.timer == fired.timer && e.key == fired.msg.type;
  });
  if (it == timers_.end()) {
    return std::nullopt;
  }
  event ev(std::move(it->type), std::move(it->content));
  timers_.erase(it);
  return ev;
}

// -- stopping --------------------------------------------------------------------------------

term engine::log_name() const {
  if (name_) {
    if (name_->is_local_name()) {
      return term(name_->local_name());
    }
    if (name_->is_via()) {
      return name_->via_name();
    }
  }
  return term(self());
}

co<void> engine::crash(std::exception_ptr e) {
  // terminate sees the reason without its stack trace for a raise (class :error); the
  // process exits with the exception itself, so proc_lib's crash report keeps its class.
  term reason = exit_reason_of(e);
  if (!is_exit_class(e)) {
    reason = without_stacktrace(reason);
  }
  co_await terminate(std::move(reason), false, e);
}

co<void> engine::terminate(term reason, bool raise, std::exception_ptr original) {
  std::exception_ptr failed;
  try {
    invocation i = terminate_callback(reason);
    if (i.async) {
      co_await std::move(i.later);
    }
  } catch (...) {
    failed = std::current_exception();
  }
  if (failed && thrown_value(failed)) {
    failed = nullptr;  // gen_statem:terminate ignores a throw from the callback
  }
  if (failed) {
    original = failed;
    term r = exit_reason_of(failed);
    reason = is_exit_class(failed) ? r : without_stacktrace(r);
  }
  if (failed || !is_normal_exit(reason)) {
    log(log_event{
        log_level::error, "gen_statem terminate", {{"name", log_name()}, {"reason", reason}}});
  }
  // Local names die with the process (the runtime drops them); via names are told.
  if (name_ && name_->is_via()) {
    name_->registry()->unregister_name(name_->via_name());
  }
  if (original) {
    std::rethrow_exception(original);
  }
  if (raise) {
    otter::error(std::move(reason));
  }
  otter::exit(std::move(reason));
}

}  // namespace otter::gen_statem::detail
