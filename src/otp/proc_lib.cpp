// proc_lib: lineage, crash reports and the synchronous start protocol (OTP 25's proc_lib.erl).

#include "otter/otp/proc_lib.hpp"

#include "otter/core/logger.hpp"
#include "otter/detail/gen_call.hpp"
#include "otter/otp/sys.hpp"

#include "otp/proc_lib_stop.hpp"

namespace otter::proc_lib {

namespace detail {

void set_initial_call(const term& initial_call) {
  if (!initial_call.is(atoms::nil)) {
    put(term(atoms::initial_call), initial_call);
  }
}

void crash_report(const term& error_info) {
  std::optional<atom> name = registered_name(self());
  term ancestors = get(term(atoms::ancestors));
  log(log_event{log_level::error,
                "proc_lib crash_report",
                {{"pid", term(self())},
                 {"registered_name", name ? term(*name) : term::list({})},
                 {"error_info", error_info},
                 {"ancestors", ancestors.is_list() ? ancestors : term::list({})}}});
}

void exit_after(const std::exception_ptr& failed) {
  term reason = exit_reason_of(failed);
  if (!is_normal_exit(reason)) {
    crash_report(class_and_reason(failed));
  }
  otter::exit(std::move(reason));
}

// Not a coroutine: it spawns at once and hands back sync_start's coroutine (one frame per
// start instead of two). Every caller awaits it at once.
co<start_ack> start_body(co<void> body, bool link, std::int64_t timeout_ms) {
  otter::detail::spawn_request req(std::move(body));
  req.link = link;
  req.monitor = !link;
  req.ancestry = true;
  pid child = otter::detail::spawn(otter::detail::current_runtime("proc_lib::start"), req);
  return sync_start(child, req.monitor_ref, timeout_ms);
}

co<start_ack> sync_start(pid child, ref mon, std::int64_t timeout_ms) {
  using init_ack = init_ack_msg;
  const bool linked = mon == ref();
  auto acked = [child](const init_ack& a) {
    return a.ack.child == child;
  };
  auto exited = [child](const exit_msg& m) {
    return m.from == child;
  };
  auto down = [mon](const down_msg& d) {
    return d.monitor == mon;
  };
  struct outcome {
    start_ack ack;
    bool timed_out = false;
  };
  auto failed = [child](term reason) {
    return outcome{start_ack{child, tuple(atoms::error, std::move(reason))}};
  };
  outcome r = co_await receive(
      on<init_ack>(acked, [](init_ack& a) { return outcome{std::move(a.ack)}; }),
      on<exit_msg>(exited,
                   [&](exit_msg& m) {
                     // Only a linked start waits for {:EXIT}: it arrives when the caller traps.
                     return failed(std::move(m.reason));
                   }),
      on<down_msg>(down, [&](down_msg& d) { return failed(d.reason); }), after(timeout_ms, [] {
        return outcome{start_ack{}, true};
      }));
  if (!linked) {
    demonitor(mon, {.flush = true});
  }
  if (r.timed_out) {
    // kill_flush: no {:EXIT} of the killed child may stay in the caller's mailbox.
    unlink(child);
    otter::exit(child, term(atoms::kill));
    (void)co_await receive(on<exit_msg>(exited, [](exit_msg&) {}), after(0, [] {}));
    co_return start_ack{child, tuple(atoms::error, atoms::timeout)};
  }
  co_return std::move(r.ack);
}

co<std::optional<term>> stop(server_ref dest, pid target, term reason, std::int64_t timeout) {
  if (target.is_null()) {
    co_return term(atoms::noproc);
  }
  if (target == self()) {
    otter::detail::call_site site{term(atom("sys")), atom("terminate"), dest.to_term(), reason,
                                  timeout};
    co_return site.exit_reason(term(atom("calling_self")));
  }
  // Monitor first: the DOWN then tells both "it was already dead" (:noproc) and "it stopped".
  ref mon = monitor(target);
  sys::request r;
  r.what = sys::request::op::terminate;
  r.caller = self();
  r.reason = reason;
  send(target, std::move(r));
  std::optional<term> down = co_await receive(
      on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; },
                   [](down_msg& d) { return std::optional<term>(std::move(d.reason)); }),
      after(timeout, [] { return std::optional<term>(); }));
  if (!down) {
    demonitor(mon, {.flush = true});
    co_return term(atoms::timeout);
  }
  if (*down != reason) {
    co_return std::move(*down);
  }
  co_return std::nullopt;
}

}  // namespace detail

co<atom> stop(server_ref dest, term reason, std::int64_t timeout) {
  // Failures are proc_lib's, bare (:noproc, :timeout, the exit reason), not wrapped as a
  // call's are.
  pid target = dest.resolve();
  std::optional<term> failed = co_await detail::stop(dest, target, std::move(reason), timeout);
  if (failed) {
    otter::exit(std::move(*failed));
  }
  co_return atoms::ok;
}

namespace {

void send_ack(detail::start_ack ack) {
  // Null when not started by proc_lib: nobody waits.
  pid to = otter::detail::first_ancestor();
  if (!to.is_null()) {
    send(to, detail::init_ack_msg{std::move(ack)});
  }
}

}  // namespace

void init_ack(term value) {
  send_ack(detail::start_ack{self(), std::move(value)});
}

void init_ack() {
  send_ack(detail::start_ack{self(), term(), true});
}

}  // namespace otter::proc_lib
