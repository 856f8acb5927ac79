// DynamicSupervisor: a GenServer whose state is a hash map of children by pid. The callbacks
// follow Elixir 1.14's dynamic_supervisor.ex clause by clause (the names below are its
// function names); stopping children is in dynamic_supervisor_shutdown.cpp. The design notes
// are in docs/design/dynamic_supervisor.md.

#include "otter/otp/dynamic_supervisor.hpp"

#include "otter/core/logger.hpp"
#include "otter/otp/gen_server.hpp"

#include "otp/dynamic_supervisor_state.hpp"

#include <algorithm>
#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

namespace otter::dynamic_supervisor {

namespace detail {

namespace {

/// The atoms and fixed terms used on every call, made once (atom(string) hashes its name).
struct names {
  atom start_child{"start_child"};
  atom terminate_child{"terminate_child"};
  atom which_children{"which_children"};
  atom count_children{"count_children"};
  atom gen_restart{"$gen_restart"};
  atom restarting{"restarting"};
  atom local{"local"};
  atom dynamic{"dynamic"};
  term fun = term::opaque("#Fun");
  term restart[3] = {otter::to_term(otter::restart::permanent),
                     otter::to_term(otter::restart::transient),
                     otter::to_term(otter::restart::temporary)};
  term type[2] = {otter::to_term(child_type::worker), otter::to_term(child_type::supervisor)};
  /// {:start_child, {#Fun, restart, default shutdown, type, []}} by [restart][type].
  term common_start[3][2];
  names() {
    for (int r = 0; r < 3; ++r) {
      for (int t = 0; t < 2; ++t) {
        term shutdown = t == 0 ? term(5000) : term(atoms::infinity);
        common_start[r][t] =
            tuple(start_child, tuple(fun, restart[r], shutdown, type[t], term::list({})));
      }
    }
  }
};
const names& n() {
  static const names v;
  return v;
}

// -- requests ------------------------------------------------------------------------------
// Each prints as Elixir's request does, for the exit reason of a failed call. GenServer
// describes a request twice per call (in the caller for that exit reason, in the server for
// its terminate report); the description is kept in the request, which the caller moves to
// the server, so it is built once.

struct start_child_req {
  child_spec spec;
  mutable term described;  // nil until to_term()
  [[nodiscard]] term to_term() const {
    if (described.is(atoms::nil)) {
      described = describe(spec);
    }
    return described;
  }
  /// `{:start_child, {mfa | #Fun, restart, shutdown, type, modules}}`; the common specs
  /// (no mfa, no modules, default shutdown) share prebuilt terms.
  static term describe(const child_spec& spec);
};

struct terminate_child_req {
  pid child;
  mutable term described;
  [[nodiscard]] term to_term() const {
    if (described.is(atoms::nil)) {
      described = tuple(n().terminate_child, child);
    }
    return described;
  }
};

struct which_children_req {
  [[nodiscard]] term to_term() const { return term(n().which_children); }
};

struct count_children_req {
  [[nodiscard]] term to_term() const { return term(n().count_children); }
};

term start_child_req::describe(const child_spec& spec) {
  const names& k = n();
  const int r = static_cast<int>(spec.restart) % 3;
  const int t = static_cast<int>(spec.type) % 2;
  if (spec.mfa.is(atoms::nil) && !spec.shutdown && !spec.modules) {
    return k.common_start[r][t];
  }
  return tuple(k.start_child,
               tuple(spec.mfa.is(atoms::nil) ? k.fun : spec.mfa, k.restart[r],
                     shutdown_term(spec.shutdown_ms()), k.type[t], spec.modules_term()));
}

/// Retries the restart of a child whose restart failed (`{:"$gen_restart", pid}`).
struct gen_restart {
  pid child;
  [[nodiscard]] term to_term() const { return tuple(n().gen_restart, child); }
};

// -- helpers -------------------------------------------------------------------------------

/// Runs a start function inside the supervisor: `co_await run_start(start, extra)`. A start
/// that raises or exits gives {:error, reason} with the reason the exception would have as an
/// exit reason (Elixir's exit_reason/3: the exit reason itself, or {exception, stacktrace}).
/// An awaitable rather than a coroutine, so that each start (the supervisor's busiest path)
/// costs no coroutine frame of its own: the exception is caught where the start function is
/// called and where its coroutine's result is taken.
class run_start {
public:
  run_start(const start_fn& start, const std::vector<term>& extra) {
    try {
      started_ = start(extra);
    } catch (...) {
      failed_ = std::current_exception();
    }
  }
  [[nodiscard]] bool await_ready() const noexcept { return failed_ != nullptr; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    return started_.await_suspend(awaiter);
  }
  start_result await_resume() {
    if (failed_ == nullptr) {
      try {
        return started_.await_resume();
      } catch (...) {
        failed_ = std::current_exception();
      }
    }
    return unexpected(failure::from_reason(exit_reason_of(failed_)));
  }

private:
  co<start_result> started_;
  std::exception_ptr failed_;
};

/// add_restart: records a restart now; false when that makes more than max_restarts within
/// max_seconds. Times are whole seconds, as Erlang's monotonic_time(:second), and a restart
/// `then` still counts while now <= then + max_seconds.
bool add_restart(sup_state& s) {
  std::int64_t ms = now_ms();
  std::int64_t now = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  s.restarts.push_front(now);
  while (!s.restarts.empty() && now > s.restarts.back() + s.max_seconds) {
    s.restarts.pop_back();
  }
  return static_cast<std::int64_t>(s.restarts.size()) <= s.max_restarts;
}

enum class outcome : std::uint8_t { ok, shutdown };

/// restart_child: starts a new incarnation of the child that was `old`. The entry moves to
/// the new pid; a failed start leaves it :restarting and queues a retry.
co<outcome> restart_child(pid old, sup_state& s) {
  auto it = s.children.find(old);
  if (!add_restart(s)) {
    static const term reached(atom("reached_max_restart_intensity"));
    report("shutdown", reached, s);
    s.children.erase(it);
    co_return outcome::shutdown;
  }
  start_result r = co_await run_start(it->second.start, s.extra_arguments);
  // Nothing else ran in the supervisor meanwhile: `it` is still valid.
  if (r) {
    auto node = s.children.extract(it);
    node.key() = *r;
    node.mapped().set_restarting(false);
    node.mapped().seq = ++s.last_seq;  // a new pid: the end of Elixir's order
    s.children.insert(std::move(node));
  } else if (r.error().code == errc::ignore) {
    s.children.erase(it);
  } else {
    report("start_error", r.error().reason, s);
    it->second.set_restarting(true);
    send(self(), gen_restart{old});
  }
  co_return outcome::ok;
}

/// maybe_restart_child: what the supervisor does when the child `child` exits with `reason`.
co<outcome> maybe_restart_child(pid child, const term& reason, sup_state& s) {
  auto it = s.children.find(child);
  if (it == s.children.end()) {
    co_return outcome::ok;  // not a child (or a child already forgotten)
  }
  const otter::restart restart = it->second.restart();
  if (restart == otter::restart::permanent) {
    report("child_terminated", reason, s);
    co_return co_await restart_child(child, s);
  }
  if (is_normal_exit(reason)) {
    s.children.erase(it);
    co_return outcome::ok;
  }
  report("child_terminated", reason, s);
  if (restart == otter::restart::transient) {
    co_return co_await restart_child(child, s);
  }
  s.children.erase(it);
  co_return outcome::ok;
}

// -- the server ----------------------------------------------------------------------------

struct server {
  using state = sup_state;

  gen_server::init_result<sup_state> init(options opts) {
    put(term(atoms::initial_call), tuple(atom("supervisor"), opts.module, 1));
    trap_exit(true);
    term invalid;
    if (opts.max_restarts < 0) {
      invalid = tuple(atom("invalid_intensity"), opts.max_restarts);
    } else if (opts.max_seconds <= 0) {
      invalid = tuple(atom("invalid_period"), opts.max_seconds);
    } else if (opts.max_children < 0 && opts.max_children != infinity) {
      invalid = tuple(atom("invalid_max_children"), opts.max_children);
    }
    if (!invalid.is(atoms::nil)) {
      return gen_server::init_result<sup_state>::stop(tuple(atom("supervisor_data"), invalid));
    }
    sup_state s;
    s.extra_arguments = std::move(opts.extra_arguments);
    s.max_children = opts.max_children;
    s.max_restarts = opts.max_restarts;
    s.max_seconds = opts.max_seconds;
    if (!opts.name) {
      s.name = tuple(self(), opts.module);
    } else if (opts.name->is_local_name()) {
      s.name = tuple(n().local, opts.name->local_name());
    } else {
      s.name = opts.name->to_term();
    }
    return s;
  }

  co<start_result> handle_call(start_child_req req, const gen_server::from&, sup_state& s) {
    if (s.max_children != infinity
        && static_cast<std::int64_t>(s.children.size()) >= s.max_children) {
      co_return unexpected(failure::of(errc::max_children));
    }
    start_result r = co_await run_start(req.spec.start, s.extra_arguments);
    if (r) {
      child_entry c{std::move(req.spec.start), shape_for(req.spec, s), ++s.last_seq};
      if (c.restart() == otter::restart::temporary) {
        c.start = nullptr;  // never restarted: its start function is not needed
      }
      s.children.insert_or_assign(*r, std::move(c));
    }
    co_return r;
  }

  co<expected<void>> handle_call(terminate_child_req req, const gen_server::from&, sup_state& s) {
    auto it = s.children.find(req.child);
    if (it == s.children.end()) {
      co_return unexpected(failure::of(errc::not_found));
    }
    if (!it->second.restarting()) {
      co_await stop_child(req.child, it->second, s);
    }
    // The child's {:EXIT} cannot come any more (shutdown_child unlinked it), so the entry
    // may go.
    s.children.erase(req.child);
    co_return expected<void>();
  }

  std::vector<child_info> handle_call(which_children_req, const gen_server::from&, sup_state& s) {
    std::vector<std::pair<std::uint64_t, child_info>> in_order;
    in_order.reserve(s.children.size());
    for (const auto& [p, c] : s.children) {
      in_order.emplace_back(c.seq, child_info{c.restarting() ? pid() : p, c.type(), c.modules()});
    }
    std::sort(in_order.begin(), in_order.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<child_info> out;
    out.reserve(in_order.size());
    for (auto& [seq, info] : in_order) {
      out.push_back(std::move(info));
    }
    return out;
  }

  child_counts handle_call(count_children_req, const gen_server::from&, sup_state& s) {
    child_counts n;
    n.specs = static_cast<std::int64_t>(s.children.size());
    for (const auto& [p, c] : s.children) {
      n.active += c.restarting() ? 0 : 1;
      (c.type() == child_type::worker ? n.workers : n.supervisors) += 1;
    }
    return n;
  }

  // A call it does not know matches no clause of Elixir's handle_call/3: the supervisor
  // crashes with :function_clause (stopping its children first, in terminate).
  term handle_call(const term&, const gen_server::from&, sup_state&) {
    otter::error(term(atom("function_clause")));
  }

  // Casts are ignored, as Elixir's handle_cast/2 does.
  void handle_cast(const term&, sup_state&) {}

  co<gen_server::cast_result> handle_info(message& m, sup_state& s) {
    outcome o = outcome::ok;
    if (m.is<exit_msg>()) {
      pid from = m.get<exit_msg>().from;
      term reason = m.get<exit_msg>().reason;
      o = co_await maybe_restart_child(from, reason, s);
    } else if (m.is<gen_restart>()) {
      // The retry of a failed restart; the child may have been terminated meanwhile.
      pid old = m.get<gen_restart>().child;
      if (s.children.contains(old)) {
        o = co_await restart_child(old, s);
      }
    } else {
      log(log_event{log_level::error,
                    "report",
                    {{"label", tuple(atom("Elixir.DynamicSupervisor"), atom("unexpected_msg"))},
                     {"msg", m.to_term()}}});
    }
    if (o == outcome::shutdown) {
      co_return gen_server::cast_result::stop(term(atoms::shutdown));
    }
    co_return gen_server::cast_result{};
  }

  co<void> terminate(const term&, sup_state& s) { co_await shutdown_all(s); }
};

}  // namespace

std::optional<term> invalid_child(const child_spec& spec) {
  // Elixir's validate_child/5, in its order: start, restart, shutdown, type, modules. A spec
  // without a start function is not a child spec at all ({:invalid_child_spec, spec}).
  if (!spec.start) {
    return tuple(atom("invalid_child_spec"), otter::to_term(spec));
  }
  if (!spec.mfa.is(atoms::nil)
      && !(spec.mfa.is_tuple() && spec.mfa.size() == 3 && spec.mfa[0].is_atom()
           && spec.mfa[1].is_atom() && spec.mfa[2].is_list())) {
    return tuple(atom("invalid_mfa"), spec.mfa);
  }
  if (spec.restart != otter::restart::permanent && spec.restart != otter::restart::transient
      && spec.restart != otter::restart::temporary) {
    return tuple(atom("invalid_restart_type"), otter::to_term(spec.restart));
  }
  std::int64_t sd = spec.shutdown_ms();
  if (sd <= 0 && sd != infinity && sd != brutal_kill) {
    return tuple(atom("invalid_shutdown"), shutdown_term(sd));
  }
  if (spec.type != child_type::worker && spec.type != child_type::supervisor) {
    return tuple(atom("invalid_child_type"), otter::to_term(spec.type));
  }
  if (!spec.modules) {
    return std::nullopt;  // the default, [] or [the mfa's module], is a list of atoms
  }
  const term& mods = *spec.modules;
  bool modules_ok = mods.is(n().dynamic) || mods.is_list();
  if (mods.is_list()) {
    for (const term& m : mods.elements()) {
      modules_ok = modules_ok && m.is_atom();
    }
  }
  if (!modules_ok) {
    return tuple(atom("invalid_modules"), mods);
  }
  return std::nullopt;
}

shape_ref shape_for(const child_spec& spec, sup_state& s) {
  term modules = spec.modules_term();
  if (s.last_shape.get() == nullptr || !s.last_shape->same_as(spec, modules)) {
    auto* shape =
        new child_shape{spec.shutdown_ms(), std::move(modules), spec.restart, spec.type, 0};
    s.last_shape = shape_ref(shape);
  }
  return s.last_shape;
}

void report(std::string_view context, const term& reason, const sup_state& s) {
  log(log_event{log_level::error,
                "supervisor_report",
                {{"context", term(atom(context))},
                 {"supervisor", s.name},
                 {"child_id", term(atoms::undefined)},
                 {"reason", reason}}});
}

}  // namespace detail

// -- the API -----------------------------------------------------------------------------------

term child_info::to_term() const {
  return tuple(atoms::undefined, child.is_null() ? term(detail::n().restarting) : term(child),
               detail::n().type[static_cast<int>(type) % 2], modules);
}

term child_counts::to_term() const {
  return term::map({{term(atom("active")), term(active)},
                    {term(atom("specs")), term(specs)},
                    {term(atom("supervisors")), term(supervisors)},
                    {term(atom("workers")), term(workers)}});
}

co<start_result> start_link(options opts) {
  gen_server::start_options so;
  so.name = opts.name;
  co_return co_await gen_server::start_link<detail::server>(std::move(so), std::move(opts));
}

co<start_result> start_child(server_ref sup, child_spec spec) {
  // validate_child runs in the caller: a bad spec never reaches the supervisor.
  if (std::optional<term> bad = detail::invalid_child(spec)) {
    co_return unexpected(failure{errc::invalid_child_spec, std::move(*bad)});
  }
  // Built in its own statement: GCC 12 miscompiles a braced temporary inside co_await.
  detail::start_child_req req{std::move(spec), term()};
  co_return co_await gen_server::call<detail::server>(std::move(sup), std::move(req), infinity);
}

co<expected<void>> terminate_child(server_ref sup, pid child) {
  detail::terminate_child_req req{child, term()};
  co_return co_await gen_server::call<detail::server>(std::move(sup), std::move(req), infinity);
}

co<std::vector<child_info>> which_children(server_ref sup) {
  co_return co_await gen_server::call<detail::server>(std::move(sup), detail::which_children_req(),
                                                      infinity);
}

co<child_counts> count_children(server_ref sup) {
  co_return co_await gen_server::call<detail::server>(std::move(sup), detail::count_children_req(),
                                                      infinity);
}

co<atom> stop(server_ref sup, term reason, std::int64_t timeout) {
  co_return co_await gen_server::stop(std::move(sup), std::move(reason), timeout);
}

child_spec supervisor_spec(term id, options opts) {
  child_spec spec;
  spec.id = std::move(id);
  spec.start = [opts = std::move(opts)](const std::vector<term>&) {
    return start_link(opts);
  };
  spec.type = child_type::supervisor;
  return spec;
}

}  // namespace otter::dynamic_supervisor
