// The supervisor's callbacks and supervisor.erl's algorithms (OTP 25), function for function:
//
//   init            init/1 + init_children: start in list order; on a failure stop the
//                   started ones and exit {:shutdown, {:failed_to_start_child, id, reason}}
//   handle_info     {'EXIT', Pid, Reason} -> restart_child/3 -> do_restart/3 -> restart/2
//   handle_cast     {try_again_restart, Id}: a restart that failed, tried again once the
//                   mailbox has been looked at (so a stop request can get in between)
//   terminate       terminate_children/2: every child, in reverse start order
//
// The numbered protocols (restart, shutdown of one child, stopping the supervisor) and the
// races each step guards against are in docs/design/supervisors.md.

#include "otp/supervisor_server.hpp"

#include "otter/core/logger.hpp"
#include "otter/otp/child_shutdown.hpp"

#include <exception>
#include <optional>
#include <utility>

namespace otter::supervisor::detail {

namespace {

using iterator = children_db::iterator;

const term& default_module() {
  static const term m(atom("Elixir.Supervisor.Default"));
  return m;
}

// -- reports ----------------------------------------------------------------------------------

/// OTP's report_error: `supervisor_report context=.. supervisor=.. child_id=.. reason=..`.
void report(const sup_state& s, const char* context, const term& reason, const child_rec& c) {
  log(log_event{log_level::error,
                "supervisor_report",
                {{"context", term(atom(context))},
                 {"supervisor", s.name},
                 {"child_id", c.spec.id},
                 {"reason", reason}}});
}

/// The #child record OTP puts in a failed start_child's error: {:child, pid, id, mfargs,
/// restart, significant, shutdown, type, modules}.
term child_record(const otter::child_spec& spec) {
  term start = spec.mfa.is(atoms::nil) ? term::opaque("#Fun") : spec.mfa;
  return term::tuple({term(atom("child")), term(atoms::undefined), spec.id, start,
                      otter::to_term(spec.restart), term(false), shutdown_term(spec.shutdown_ms()),
                      otter::to_term(spec.type), spec.modules_term()});
}

// -- starting one child -----------------------------------------------------------------------

struct start_outcome {
  bool ok = false;
  pid child;                   // null with ok: the start returned :ignore
  term reason;                 // without ok: what the start returned or raised
  std::optional<term> info{};  // the info of {:ok, pid, info}

  /// What start_child and restart_child answer for a successful start.
  [[nodiscard]] child_result started() const {
    std::optional<pid> c = child.is_null() ? std::nullopt : std::optional<pid>(child);
    return info ? child_result(c, *info) : child_result(c);
  }
};

/// do_start_child_i: runs the start function; like OTP's `catch apply(M, F, A)`, an exception
/// becomes {:EXIT, reason} instead of crashing the supervisor.
co<start_outcome> do_start_child(const otter::child_spec& spec) {
  static const std::vector<term> no_extra_arguments;
  std::optional<start_result> r;
  std::exception_ptr raised;
  try {
    r.emplace(co_await spec.start(no_extra_arguments));
  } catch (...) {
    raised = std::current_exception();  // not rethrown: OTP's catch keeps the supervisor up
  }
  if (raised) {
    co_return start_outcome{false, pid(), tuple(atoms::EXIT, exit_reason_of(raised))};
  }
  if (r->has_value()) {
    start_outcome out{true, **r, term()};
    if (r->has_info()) {
      out.info = r->info();
    }
    co_return out;
  }
  if (r->error().code == errc::ignore) {
    co_return start_outcome{true, pid(), term()};
  }
  co_return start_outcome{false, pid(), r->error().reason};
}

/// start_children/2 over [first, end): in start order; an ignored temporary child is dropped.
/// On a failure: start_error is reported, the children after it stay :undefined, and the
/// failed one is returned with {:failed_to_start_child, id, reason}.
struct start_failure {
  iterator child;
  term reason;
};
co<std::optional<start_failure>> start_children(sup_state& s, iterator first) {
  for (iterator it = first; it != s.children.end();) {
    start_outcome r = co_await do_start_child(it->spec);
    if (r.ok && r.child.is_null() && it->temporary()) {
      it = s.children.erase(it);
      continue;
    }
    if (r.ok) {
      if (r.child.is_null()) {
        s.children.set_undefined(it);
      } else {
        s.children.set_running(it, r.child);
      }
      ++it;
      continue;
    }
    report(s, "start_error", r.reason, *it);
    co_return start_failure{it, tuple(atom("failed_to_start_child"), it->spec.id, r.reason)};
  }
  co_return std::nullopt;
}

// -- stopping children ------------------------------------------------------------------------

/// do_terminate/2: stops a running child with its shutdown; an end other than the one asked
/// for is a shutdown_error, except :normal for a child that is not permanent.
co<void> do_terminate(sup_state& s, child_rec& c) {
  if (!c.running()) {
    co_return;
  }
  expected<void> r = co_await shutdown_child(c.child, c.spec.shutdown_ms());
  if (!r) {
    const term& reason = r.error().reason;
    if (!(reason.is(atoms::normal) && c.spec.restart != restart::permanent)) {
      report(s, "shutdown_error", reason, c);
    }
  }
}

/// terminate_children/2 over [first, end): one at a time, in REVERSE start order; temporary
/// children are dropped (they are never restarted), the others become :undefined.
co<void> terminate_children(sup_state& s, iterator first) {
  if (s.children.empty()) {
    co_return;
  }
  iterator it = std::prev(s.children.end());
  for (;;) {
    const bool last = it == first;
    iterator before = last ? it : std::prev(it);  // taken before `it` may be erased
    co_await do_terminate(s, *it);
    if (it->temporary()) {
      s.children.erase(it);
    } else {
      s.children.set_undefined(it);
    }
    if (last) {
      break;
    }
    it = before;
  }
}

/// del_child/2: a child that stopped for good: temporary ones leave, others become :undefined.
void del_child(sup_state& s, iterator it) {
  if (it->temporary()) {
    s.children.erase(it);
  } else {
    s.children.set_undefined(it);
  }
}

// -- restarting -------------------------------------------------------------------------------

/// add_restart/1: records a restart now; false when that exceeds the intensity. OTP counts
/// in whole seconds (erlang:monotonic_time(1)); the runtime clock makes it exact in tests.
bool add_restart(sup_state& s) {
  const std::int64_t now = otter::now_ms() / 1000;
  const std::int64_t threshold = now - s.max_seconds;
  while (!s.restarts.empty() && s.restarts.back() < threshold) {
    s.restarts.pop_back();  // newest first: the old ones are at the back
  }
  s.restarts.push_front(now);
  return s.restarts.size() <= static_cast<std::size_t>(s.max_restarts);
}

enum class next : std::uint8_t { go_on, shutdown };

/// restart_multiple_children/3: stop [first, end) (reverse order), then start from `from`
/// (in start order). Returns the id to try again when a start failed.
co<std::optional<term>> restart_multiple(sup_state& s, iterator first, bool from_begin) {
  // `first` survives terminate_children unless it is temporary, which only one_for_all's
  // begin() may be: that case starts again from the new begin().
  co_await terminate_children(s, first);
  iterator from = from_begin ? s.children.begin() : first;
  std::optional<start_failure> failed = co_await start_children(s, from);
  if (!failed) {
    co_return std::nullopt;
  }
  s.children.set_restarting(failed->child);
  co_return failed->child->spec.id;
}

/// restart/2: counts the restart, then restarts by strategy. A failed start leaves the child
/// :restarting and casts try_again_restart to ourselves, as OTP does, so that the mailbox
/// (e.g. a stop request, or the {:EXIT} of another child) is looked at before trying again.
co<next> restart(sup_state& s, iterator it) {
  if (!add_restart(s)) {
    report(s, "shutdown", term(atom("reached_max_restart_intensity")), *it);
    del_child(s, it);
    co_return next::shutdown;
  }
  std::optional<term> try_again;
  switch (s.strategy) {
    case strategy::one_for_one: {
      start_outcome r = co_await do_start_child(it->spec);
      if (r.ok && r.child.is_null()) {
        s.children.set_undefined(it);
      } else if (r.ok) {
        s.children.set_running(it, r.child);
      } else {
        s.children.set_restarting(it);
        report(s, "start_error", r.reason, *it);
        try_again = it->spec.id;
      }
      break;
    }
    case strategy::rest_for_one:
      s.children.set_undefined(it);
      try_again = co_await restart_multiple(s, it, false);
      break;
    case strategy::one_for_all:
      s.children.set_undefined(it);
      try_again = co_await restart_multiple(s, s.children.begin(), true);
      break;
  }
  if (try_again) {
    gen_server::cast<sup_server>(self(), try_again_restart{std::move(*try_again)});
  }
  co_return next::go_on;
}

/// do_restart/3: what an exit means for a child of each restart type.
co<next> do_restart(sup_state& s, iterator it, const term& reason) {
  if (it->spec.restart == restart::permanent) {
    report(s, "child_terminated", reason, *it);
    co_return co_await restart(s, it);
  }
  if (is_normal_exit(reason)) {  // :normal, :shutdown, {:shutdown, _}
    del_child(s, it);
    co_return next::go_on;
  }
  report(s, "child_terminated", reason, *it);
  if (it->spec.restart == restart::transient) {
    co_return co_await restart(s, it);
  }
  del_child(s, it);  // temporary
  co_return next::go_on;
}

gen_server::cast_result after(next n) {
  if (n == next::shutdown) {
    return gen_server::cast_result::stop(term(atoms::shutdown));
  }
  return gen_server::cast_result::noreply();
}

failure error_of(errc code) {
  return failure::of(code);
}

}  // namespace

term sup_state::to_term() const {
  std::vector<term> ids;
  for (const child_rec& c : children.in_start_order()) {
    ids.push_back(c.spec.id);
  }
  return term::tuple({term(atom("state")), name, supervisor::to_term(strategy),
                      term::list(std::move(ids)), term(max_restarts), term(max_seconds)});
}

// -- init -------------------------------------------------------------------------------------

co<gen_server::init_result<sup_state>> sup_server::init(std::vector<otter::child_spec> specs,
                                                        options opts) {
  trap_exit(true);
  // OTP's supervisor:init checks the flags, then the specs, in the new process: a bad one
  // stops it (start_link returns {:error, reason}, a crash report is logged and the linked
  // caller gets the EXIT).
  using result = gen_server::init_result<sup_state>;
  if (expected<void> ok = check_options(opts); !ok) {
    co_return result::stop(ok.error().reason);
  }
  if (expected<void> ok = check_child_specs(specs); !ok) {
    co_return result::stop(tuple(atom("start_spec"), ok.error().reason));
  }
  sup_state s;
  if (!opts.name) {
    s.name = tuple(self(), default_module());
  } else if (opts.name->is_local_name()) {
    s.name = tuple(atom("local"), opts.name->local_name());
  } else {
    s.name = opts.name->to_term();
  }
  s.strategy = opts.strategy;
  s.max_restarts = opts.max_restarts;
  s.max_seconds = opts.max_seconds;
  for (otter::child_spec& spec : specs) {
    s.children.push_back(child_rec{std::move(spec), child_state::undefined, pid()});
  }
  std::optional<start_failure> failed = co_await start_children(s, s.children.begin());
  if (failed) {
    term reason = tuple(atoms::shutdown, failed->reason);
    co_await terminate_children(s, s.children.begin());
    co_return gen_server::init_result<sup_state>::stop(std::move(reason));
  }
  co_return gen_server::init_result<sup_state>(std::move(s));
}

// -- calls ------------------------------------------------------------------------------------

std::vector<child_info> sup_server::handle_call(which_children_req, const gen_server::from&,
                                                sup_state& s) {
  std::vector<child_info> out;
  out.reserve(s.children.size());
  const auto& all = s.children.in_start_order();
  for (auto it = all.rbegin(); it != all.rend(); ++it) {  // newest first, as OTP's Ids
    term child;
    switch (it->state) {
      case child_state::running:
        child = term(it->child);
        break;
      case child_state::restarting:
        child = term(atom("restarting"));
        break;
      case child_state::undefined:
        child = term(atoms::undefined);
        break;
    }
    out.push_back(child_info{it->spec.id, child, it->spec.type, it->spec.modules_term()});
  }
  return out;
}

child_counts sup_server::handle_call(count_children_req, const gen_server::from&, sup_state& s) {
  child_counts n;
  for (const child_rec& c : s.children.in_start_order()) {
    ++n.specs;
    if (c.running() && alive(c.child)) {
      ++n.active;
    }
    if (c.spec.type == child_type::supervisor) {
      ++n.supervisors;
    } else {
      ++n.workers;
    }
  }
  return n;
}

co<child_result> sup_server::handle_call(start_child_req r, const gen_server::from&, sup_state& s) {
  if (expected<void> ok = check_child_spec(r.spec); !ok) {
    co_return unexpected(ok.error());
  }
  iterator old = s.children.find(r.spec.id);
  if (old != s.children.end()) {
    if (old->running()) {
      co_return unexpected(
          failure{errc::already_started, tuple(atom("already_started"), old->child)});
    }
    co_return unexpected(error_of(errc::already_present));
  }
  start_outcome started = co_await do_start_child(r.spec);
  if (!started.ok) {
    // Every failure of the start itself, {:already_started, pid} included, comes with the
    // child record (OTP 25's handle_start_child).
    co_return unexpected(failure{errc::exit, tuple(started.reason, child_record(r.spec))});
  }
  if (started.child.is_null()) {  // :ignore
    if (r.spec.restart != restart::temporary) {
      s.children.push_back(child_rec{std::move(r.spec), child_state::undefined, pid()});
    }
    co_return started.started();
  }
  if (r.spec.restart == restart::temporary && r.spec.mfa.is_tuple() && r.spec.mfa.size() == 3) {
    // OTP keeps no arguments for a temporary child it started dynamically (it is never
    // restarted): get_childspec shows {m, f, :undefined}. Its modules stay those of the mfa.
    r.spec.modules = r.spec.modules_term();
    r.spec.mfa = tuple(r.spec.mfa[0], r.spec.mfa[1], atoms::undefined);
  }
  s.children.push_back(child_rec{std::move(r.spec), child_state::running, started.child});
  co_return started.started();
}

co<expected<void>> sup_server::handle_call(terminate_child_req r, const gen_server::from&,
                                           sup_state& s) {
  iterator it = s.children.find(r.id);
  if (it == s.children.end()) {
    co_return unexpected(error_of(errc::not_found));
  }
  co_await do_terminate(s, *it);
  del_child(s, it);
  co_return expected<void>{};
}

co<child_result> sup_server::handle_call(restart_child_req r, const gen_server::from&,
                                         sup_state& s) {
  iterator it = s.children.find(r.id);
  if (it == s.children.end()) {
    co_return unexpected(error_of(errc::not_found));
  }
  if (it->state == child_state::restarting) {
    co_return unexpected(error_of(errc::restarting));
  }
  if (it->running()) {
    co_return unexpected(error_of(errc::running));
  }
  start_outcome started = co_await do_start_child(it->spec);
  if (!started.ok) {
    co_return unexpected(failure::from_reason(started.reason));
  }
  if (!started.child.is_null()) {
    s.children.set_running(it, started.child);
  }
  co_return started.started();
}

expected<void> sup_server::handle_call(delete_child_req r, const gen_server::from&, sup_state& s) {
  iterator it = s.children.find(r.id);
  if (it == s.children.end()) {
    return unexpected(error_of(errc::not_found));
  }
  if (it->state == child_state::restarting) {
    return unexpected(error_of(errc::restarting));
  }
  if (it->running()) {
    return unexpected(error_of(errc::running));
  }
  s.children.erase(it);
  return {};
}

expected<otter::child_spec> sup_server::handle_call(get_childspec_req r, const gen_server::from&,
                                                    sup_state& s) {
  iterator it = s.children.find(r.id);
  if (it == s.children.end()) {
    return unexpected(error_of(errc::not_found));
  }
  return it->spec;
}

// -- restarts ---------------------------------------------------------------------------------

co<gen_server::cast_result> sup_server::handle_cast(try_again_restart r, sup_state& s) {
  iterator it = s.children.find(r.id);
  // The child may have been terminated, deleted or restarted by a call meanwhile.
  if (it == s.children.end() || it->state != child_state::restarting) {
    co_return gen_server::cast_result::noreply();
  }
  co_return after(co_await restart(s, it));
}

co<gen_server::cast_result> sup_server::handle_info(message& m, sup_state& s) {
  if (!m.is<exit_msg>()) {
    // OTP logs this as a plain format string ("Supervisor ~tp received unexpected message"),
    // not as a report.
    log(log_event{log_level::error,
                  "message",
                  {{"text", term("Supervisor " + to_string(s.name)
                                 + " received unexpected message: " + to_string(m.to_term()))}}});
    co_return gen_server::cast_result::noreply();
  }
  // The {:EXIT} of the parent never gets here: the GenServer loop stops on it. One from a
  // process that is not (or no longer) a running child is ignored.
  const exit_msg& e = m.get<exit_msg>();
  iterator it = s.children.find(e.from);
  if (it == s.children.end()) {
    co_return gen_server::cast_result::noreply();
  }
  co_return after(co_await do_restart(s, it, e.reason));
}

co<void> sup_server::terminate(const term& /*reason*/, sup_state& s) {
  co_await terminate_children(s, s.children.begin());
}

}  // namespace otter::supervisor::detail
