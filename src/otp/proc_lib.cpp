// proc_lib: lineage, crash reports and the synchronous start protocol (OTP 25's proc_lib.erl).

#include "otter/otp/proc_lib.hpp"

#include "otter/core/logger.hpp"

namespace otter::proc_lib {

namespace detail {

void set_initial_call(const term& initial_call) {
  if (!initial_call.is(atoms::nil)) {
    put(term(atoms::initial_call), initial_call);
  }
}

void crash_report(const term& reason, bool raised) {
  // error_info is {class, reason}; for a raised exception OTP shows the exception without its
  // stack trace ({:error, %RuntimeError{..}}), for exit() the reason itself.
  term shown = raised ? without_stacktrace(reason) : reason;
  std::optional<atom> name = registered_name(self());
  term ancestors = get(term(atoms::ancestors));
  log(log_event{log_level::error,
                "proc_lib crash_report",
                {{"pid", term(self())},
                 {"registered_name", name ? term(*name) : term::list({})},
                 {"error_info", tuple(raised ? atoms::error : atom("exit"), shown)},
                 {"ancestors", ancestors.is_list() ? ancestors : term::list({})}}});
}

void exit_after(const std::exception_ptr& failed) {
  term reason = exit_reason_of(failed);
  if (!is_normal_exit(reason)) {
    crash_report(reason, !is_exit_class(failed));
  }
  otter::exit(std::move(reason));
}

co<term> start_body(co<void> body, bool link, std::int64_t timeout_ms) {
  otter::detail::spawn_request req(std::move(body));
  req.link = link;
  req.monitor = !link;
  req.ancestry = true;
  pid child = otter::detail::spawn(otter::detail::current_runtime("proc_lib::start"), req);
  co_return co_await sync_start(child, req.monitor_ref, timeout_ms);
}

co<term> sync_start(pid child, ref mon, std::int64_t timeout_ms) {
  using init_ack = init_ack_msg;
  const bool linked = mon == ref();
  auto acked = [child](const init_ack& a) {
    return a.from == child;
  };
  auto exited = [child](const exit_msg& m) {
    return m.from == child;
  };
  auto down = [mon](const down_msg& d) {
    return d.monitor == mon;
  };
  struct outcome {
    term value;
    bool timed_out = false;
  };
  outcome r = co_await receive(
      on<init_ack>(acked, [](init_ack& a) { return outcome{std::move(a.value)}; }),
      on<exit_msg>(exited,
                   [](exit_msg& m) {
                     // Only a linked start waits for {:EXIT}: it arrives when the caller traps.
                     return outcome{tuple(atoms::error, std::move(m.reason))};
                   }),
      on<down_msg>(down, [](down_msg& d) { return outcome{tuple(atoms::error, d.reason)}; }),
      after(timeout_ms, [] {
        return outcome{term(), true};
      }));
  if (!linked) {
    demonitor(mon, {.flush = true});
  }
  if (r.timed_out) {
    // kill_flush: no {:EXIT} of the killed child may stay in the caller's mailbox.
    unlink(child);
    otter::exit(child, term(atoms::kill));
    (void)co_await receive(on<exit_msg>(exited, [](exit_msg&) {}), after(0, [] {}));
    co_return tuple(atoms::error, atoms::timeout);
  }
  co_return std::move(r.value);
}

}  // namespace detail

void init_ack(term value) {
  term ancestors = get(term(atoms::ancestors));
  if (!ancestors.is_list() || ancestors.size() == 0) {
    return;  // not started by proc_lib: nobody waits
  }
  const term& parent = ancestors[0];
  pid to = parent.is_pid() ? parent.as_pid() : whereis(parent.as_atom());
  if (!to.is_null()) {
    send(to, detail::init_ack_msg{self(), std::move(value)});
  }
}

void init_ack() {
  init_ack(tuple(atoms::ok, self()));
}

}  // namespace otter::proc_lib
