// Task processes: waiting for the work, running it, reporting a crash (Elixir 1.14's
// Task.Supervised.reply / noreply / invoke_mfa), and the non-template parts of Task.

#include "otter/otp/task.hpp"

#include "otter/core/logger.hpp"
#include "otter/otp/proc_lib.hpp"

#include <stdexcept>
#include <string>

namespace otter::detail {

namespace {

const atom task_module("Elixir.Task");

/// Runs the work; a crash that is not a normal exit logs "task terminating" before the
/// exception goes on to proc_lib (which logs the crash report) and the trampoline. Elixir's
/// invoke_mfa: the report names the starter, and the reason carries a stack trace for every
/// class (`{:task_boom, #Stacktrace}` for exit(:task_boom)).
co<void> run_task_work(term starter, task_work work) {
  std::exception_ptr failed;
  try {
    co_await work.run();
  } catch (...) {
    failed = std::current_exception();
  }
  if (!failed) {
    co_return;
  }
  term reason = exit_reason_of(failed);
  const bool exit_class = is_exit_class(failed);
  if (!exit_class || !is_normal_exit(reason)) {
    term logged = exit_class ? tuple(reason, stacktrace()) : reason;
    log(log_event{log_level::error,
                  "task terminating",
                  {{"pid", term(self())}, {"starter", starter}, {"reason", logged}}});
  }
  std::rethrow_exception(failed);
}

void record_task(const term& callers, const term& mfa) {
  if (!mfa.is(atoms::nil)) {
    put(term(atoms::initial_call), mfa);
  }
  put(term(atoms::callers), callers);
}

struct task_go {
  std::optional<task_start_msg> start;
  std::optional<term> owner_down;
};

auto receive_task_start(pid owner, ref owner_mon, std::int64_t timeout) {
  return receive(on<task_start_msg>([owner](const task_start_msg& m) { return m.owner == owner; },
                                    [](task_start_msg& m) {
                                      return task_go{std::move(m), std::nullopt};
                                    }),
                 on<down_msg>([owner_mon](const down_msg& d) { return d.monitor == owner_mon; },
                              [](down_msg& d) {
                                return task_go{std::nullopt, std::move(d.reason)};
                              }),
                 after(timeout, [] { return task_go{}; }));
}

/// Task.Supervised.reply: wait for the owner's work, then run it.
co<void> reply_task_body(pid owner, term starter, bool supervised) {
  // A supervisor's task watches its owner while it waits: an owner that died before sending
  // the work would otherwise leave it waiting for ever.
  ref owner_mon = supervised ? monitor(owner) : ref();
  task_go go = co_await receive_task_start(owner, owner_mon, supervised ? 5000 : infinity);
  if (go.owner_down) {
    otter::exit(tuple(atoms::shutdown, std::move(*go.owner_down)));
  }
  if (!go.start) {
    otter::exit(term(atoms::timeout));
  }
  record_task(go.start->callers, go.start->mfa);
  if (supervised) {
    demonitor(owner_mon, {.flush = true});
  }
  co_await run_task_work(std::move(starter), std::move(go.start->work));
}

/// Task.Supervised.noreply: run the work at once.
co<void> noreply_task_body(term starter, term callers, term mfa, task_work work) {
  record_task(callers, mfa);
  co_await run_task_work(std::move(starter), std::move(work));
}

}  // namespace

term task_starter(pid owner) {
  std::optional<atom> name = registered_name(owner);
  return name ? term(*name) : term(owner);
}

term task_callers() {
  term mine = get(term(atoms::callers));
  std::vector<term> out{term(self())};
  if (mine.is_list()) {
    out.insert(out.end(), mine.elements().begin(), mine.elements().end());
  }
  return term::list(std::move(out));
}

pid spawn_reply_task(bool link, pid owner, term starter, bool supervised) {
  return proc_lib::spawn([owner, starter = std::move(starter),
                          supervised]() { return reply_task_body(owner, starter, supervised); },
                         proc_lib::options{.link = link, .initial_call = term()});
}

pid spawn_noreply_task(bool link, term starter, term callers, term mfa, task_work work) {
  return proc_lib::spawn(
      [starter = std::move(starter), callers = std::move(callers), mfa = std::move(mfa),
       work = std::move(work)]() mutable {
        return noreply_task_body(starter, callers, mfa, std::move(work));
      },
      proc_lib::options{.link = link, .initial_call = term()});
}

void send_task_start(pid task, pid owner, term mfa, task_work work) {
  send(task, task_start_msg{owner, task_callers(), std::move(mfa), std::move(work)});
}

term task_exit_reason(term reason, const char* function, std::vector<term> args) {
  return tuple(std::move(reason), tuple(task_module, atom(function), term::list(std::move(args))));
}

term timeout_term(std::int64_t ms) {
  return ms == infinity ? term(atoms::infinity) : term(ms);
}

void invalid_task_owner(const term& task) {
  throw std::invalid_argument("task " + task.to_string()
                              + " must be queried from the owner but was queried from "
                              + term(self()).to_string());
}

void no_task_process(const term& task) {
  throw std::invalid_argument("task " + task.to_string()
                              + " does not have an associated task process");
}

term task_struct_term(const term& mfa, pid owner, pid task, ref tag) {
  return term::structure("Elixir.Task", {{atom("mfa"), mfa},
                                         {atom("owner"), term(owner)},
                                         {atom("pid"), task.is_null() ? term() : term(task)},
                                         {atom("ref"), term(tag)}});
}

term apply_mfa() {
  return tuple(atom("erlang"), atom("apply"), 2);
}

co<std::optional<term>> task_flush_noproc(ref tag, task_stop how) {
  struct seen {
    bool found = false;
    term reason;
  };
  seen s = co_await receive(on<down_msg>([tag](const down_msg& d) { return d.monitor == tag; },
                                         [](down_msg& d) {
                                           return seen{true, std::move(d.reason)};
                                         }),
                            after(0, [] { return seen{}; }));
  if (!s.found) {
    demonitor(tag, {.flush = true});
    co_return term(atoms::noproc);
  }
  if (s.reason.is(atoms::shutdown) && how != task_stop::brutal_kill) {
    co_return std::nullopt;
  }
  if (s.reason.is(atoms::killed) && how == task_stop::brutal_kill) {
    co_return std::nullopt;
  }
  co_return std::move(s.reason);
}

}  // namespace otter::detail
