// The non-template parts of gen_statem: event types and result terms, names, and stop.

#include "otter/otp/gen_statem.hpp"

#include "otter/otp/proc_lib.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

namespace otter::gen_statem {

term event_type::to_term() const {
  switch (kind) {
    case event_kind::call:
      return tuple(atom("call"), caller.to_term());
    case event_kind::cast:
      return term(atom("cast"));
    case event_kind::info:
      return term(atom("info"));
    case event_kind::timeout:
      return term(atoms::timeout);
    case event_kind::generic_timeout:
      return tuple(atoms::timeout, name);
    case event_kind::state_timeout:
      return term(atom("state_timeout"));
    case event_kind::internal:
      return term(atom("internal"));
    case event_kind::enter:
      return term(atom("enter"));
  }
  return term();
}

std::optional<event_type> event_type::from_term(const term& t) {
  static const atom call("call");
  static const atom cast("cast");
  static const atom info("info");
  static const atom internal("internal");
  static const atom state_timeout("state_timeout");
  if (t.is(cast)) {
    return event_type(event_kind::cast);
  }
  if (t.is(info)) {
    return event_type(event_kind::info);
  }
  if (t.is(internal)) {
    return event_type(event_kind::internal);
  }
  if (t.is(atoms::timeout)) {
    return event_type(event_kind::timeout);
  }
  if (t.is(state_timeout)) {
    return event_type(event_kind::state_timeout);
  }
  if (t.is_tagged(atoms::timeout, 2)) {
    return generic_timeout(t[1]);
  }
  if (t.is_tagged(call, 2)) {
    const term& f = t[1];
    if (f.is_tuple() && f.size() == 2 && f[0].is_pid()) {
      return event_type::call(from{f[0].as_pid(), f[1].is_ref() ? f[1].as_ref() : ref(),
                                   otter::detail::type_id<term>()});
    }
  }
  return std::nullopt;
}

namespace detail {

term request_msg::to_term() const {
  if (what == request_kind::call) {
    return tuple(atom("$gen_call"), caller.to_term(), content.to_term());
  }
  return tuple(atom("$gen_cast"), content.to_term());
}

const term& statem_module() {
  static const term m(atom("gen_statem"));
  return m;
}

void check_name(const server_ref& name) {
  if (!name.is_local_name() && !name.is_via()) {
    throw std::invalid_argument("a gen_statem name is an atom, {:global, term} or {:via, ...}");
  }
  if (name.is_local_name() && name.local_name() == atoms::undefined) {
    throw std::invalid_argument("a gen_statem cannot be named :undefined");
  }
}

term module_name(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return term(atom(status == 0 && out ? out.get() : mangled));
}

pid enter_loop_parent() {
  // gen:get_parent: the head of $ancestors, a pid or a registered name.
  const term ancestors = get(term(atoms::ancestors));
  if (!ancestors.is_list() || ancestors.size() == 0
      || !(ancestors[0].is_pid() || ancestors[0].is_atom())) {
    otter::exit(term(atom("process_was_not_started_by_proc_lib")));
  }
  const term& parent = ancestors[0];
  if (parent.is_pid()) {
    return parent.as_pid();
  }
  pid p = whereis(parent.as_atom());
  if (p.is_null()) {
    p = server_ref::global(parent).resolve();
  }
  if (p.is_null()) {
    otter::exit(term(atom("could_not_find_registered_name")));
  }
  return p;
}

void check_enter_loop_name(const std::optional<server_ref>& name) {
  // gen:get_proc_name: the name must already be the calling process's.
  if (!name || name->is_pid()) {
    return;  // enter_loop(..., self()): no name
  }
  if (name->is_local_name()) {
    if (registered_name(self()) != name->local_name()) {
      otter::exit(term(atom("process_not_registered")));
    }
    return;
  }
  if (name->resolve() == self()) {
    return;
  }
  const term written = name->to_term();
  static const atom global("global");
  if (written.is_tagged(global, 2)) {
    otter::exit(term(atom("process_not_registered_globally")));
  }
  otter::exit(tuple(atom("process_not_registered_via"), name->registry()->module()));
}

namespace {

void add_actions(outcome& o, const term& actions) {
  auto one = [&o](const term& t) {
    action a;
    a.raw = t;
    o.actions_.push_back(std::move(a));
  };
  if (actions.is_list()) {
    for (const term& t : actions.elements()) {
      one(t);
    }
  } else {
    one(actions);
  }
}

bool tagged(const term& r, const atom& tag, std::size_t lo, std::size_t hi) {
  return r.is_tuple() && r.size() >= lo && r.size() <= hi && r[0].is(tag);
}

}  // namespace

outcome parse_result(const term& r, bool init, std::optional<term>& state,
                     std::optional<term>& data) {
  static const atom ignore("ignore");
  static const atom stop("stop");
  static const atom next_state("next_state");
  static const atom keep_state("keep_state");
  static const atom keep_state_and_data("keep_state_and_data");
  static const atom repeat_state("repeat_state");
  static const atom repeat_state_and_data("repeat_state_and_data");
  static const atom stop_and_reply("stop_and_reply");
  outcome o;
  o.kind_ = transition::bad;
  if (init) {
    if (r.is(ignore)) {
      o.kind_ = transition::ignore;
    } else if (tagged(r, atoms::ok, 3, 4)) {
      o.kind_ = transition::next_state;
      state = r[1];
      data = r[2];
      if (r.size() == 4) {
        add_actions(o, r[3]);
      }
    } else if (r.is_tagged(stop, 2)) {
      o.kind_ = transition::stop;
      o.reason_ = r[1];
    }
    return o;
  }
  if (r.is(keep_state_and_data)) {
    o.kind_ = transition::keep_state_and_data;
  } else if (r.is(repeat_state_and_data)) {
    o.kind_ = transition::repeat_state_and_data;
  } else if (r.is(stop)) {
    o.kind_ = transition::stop;
    o.reason_ = term(atoms::normal);
  } else if (tagged(r, next_state, 3, 4)) {
    o.kind_ = transition::next_state;
    state = r[1];
    data = r[2];
    if (r.size() == 4) {
      add_actions(o, r[3]);
    }
  } else if (tagged(r, keep_state, 2, 3) || tagged(r, repeat_state, 2, 3)) {
    o.kind_ = r[0].is(keep_state) ? transition::keep_state : transition::repeat_state;
    data = r[1];
    if (r.size() == 3) {
      add_actions(o, r[2]);
    }
  } else if (tagged(r, keep_state_and_data, 2, 2) || tagged(r, repeat_state_and_data, 2, 2)) {
    o.kind_ = r[0].is(keep_state_and_data) ? transition::keep_state_and_data
                                           : transition::repeat_state_and_data;
    add_actions(o, r[1]);
  } else if (tagged(r, stop, 2, 3)) {
    o.kind_ = transition::stop;
    o.reason_ = r[1];
    if (r.size() == 3) {
      data = r[2];
    }
  } else if (tagged(r, stop_and_reply, 3, 4)) {
    o.kind_ = transition::stop_and_reply;
    o.reason_ = r[1];
    add_actions(o, r[2]);
    if (r.size() == 4) {
      data = r[3];
    }
  }
  return o;
}

}  // namespace detail

co<atom> stop(server_ref dest, term reason, std::int64_t timeout) {
  return proc_lib::stop(std::move(dest), std::move(reason), timeout);  // gen_statem:stop is it
}

}  // namespace otter::gen_statem
