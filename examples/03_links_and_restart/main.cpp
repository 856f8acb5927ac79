// Example 03: links, trapped exits and a restart: a supervisor written by hand.
//
// A link ties two processes together: when one dies abnormally, the other dies too. A process
// that *traps exits* does not die; it receives the exit as an ordinary message (exit_msg)
// instead. That is all a supervisor is: a process that traps exits, spawn_links its workers
// and restarts them when an exit_msg says they crashed. OTP's supervisor adds restart
// strategies and intensity windows (Otter's otp layer will provide one); here is the core of
// it in 40 lines.
//
// The cast:
//   main        spawns the supervisor with spawn_monitor and waits for its DOWN message.
//   supervisor  traps exits, spawn_links a worker, restarts it up to 3 times, then gives up
//               and exits with :shutdown (as an OTP supervisor does when its restart intensity
//               is exceeded).
//   worker      does two jobs, 80 ms apart, and fails on the third with an exception. Nobody
//               catches it: it ends the worker, and becomes its exit reason.
//
// Output (about a second; pid numbers vary from run to run, see below):
//   [main] started supervisor #PID<0.1.1> and monitors it
//   [sup] #PID<0.1.1> traps exits
//   [sup] started worker #PID<0.2.1>; links: sup [#PID<0.2.1>], worker [#PID<0.1.1>]
//   [worker #PID<0.2.1>] job 1 done
//   [worker #PID<0.2.1>] job 2 done
//   [worker #PID<0.2.1>] job 3 failed
//   [sup] worker #PID<0.2.1> exited with {%RuntimeError{message: "boom"}, #Stacktrace},
//         restarting (1/3)                                                    (one line)
//   [sup] started worker #PID<0.2.2>; links: sup [#PID<0.2.2>], worker [#PID<0.1.1>]
//   ... the same story for #PID<0.2.2> and #PID<0.2.3> (restarts 2/3 and 3/3) ...
//   [worker #PID<0.2.4>] job 3 failed
//   [sup] worker #PID<0.2.4> exited with {%RuntimeError{message: "boom"}, #Stacktrace};
//         3 restarts used, giving up                                           (one line)
//   [main] monitor fired: {:DOWN, #Ref<0.0.0.1>, :process, #PID<0.1.1>, :shutdown}
//   [main] the supervisor gave up with :shutdown; done
//
// Pids are printed as #PID<0.slot.generation>. Which slots a process gets depends on the
// scheduler thread that spawned it (each takes slots in batches of 256), so a run may show
// #PID<0.257.1> instead of #PID<0.2.1>. The slot of a crashed worker is usually reused by its
// replacement with the next generation, so a message to the old pid can never reach the new
// worker (docs/design/process_table.md).

#include "otter/otter.hpp"

#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;

constexpr int max_restarts = 3;

std::string str(const otter::term& t) {
  return t.to_string();
}
std::string str(const std::vector<otter::pid>& pids) {
  return str(otter::term::list({pids.begin(), pids.end()}));
}

// [docs:restart-worker]
// A worker: two jobs go well, the third throws. An exception that escapes a process body is
// caught once, by the runtime, and becomes the exit reason:
//   {%RuntimeError{message: "boom"}, #Stacktrace}
otter::co<void> worker() {
  const std::string me = str(otter::self());
  for (int job = 1;; ++job) {
    co_await otter::sleep(80ms);
    if (job == 3) {
      std::printf("[worker %s] job 3 failed\n", me.c_str());
      throw std::runtime_error("boom");
    }
    std::printf("[worker %s] job %d done\n", me.c_str(), job);
  }
}
// [docs:restart-worker-end]

// Starts a worker linked to the calling supervisor and shows the link from both ends: a link
// is symmetric, so each process lists the other (process_info's :links).
otter::co<otter::pid> start_worker() {
  otter::pid child = otter::spawn_link(worker);
  std::vector<otter::pid> ours = otter::self_info().links;
  std::optional<otter::process_info_t> theirs = co_await otter::process_info(child);
  std::printf("[sup] started worker %s; links: sup %s, worker %s\n", str(child).c_str(),
              str(ours).c_str(), theirs ? str(theirs->links).c_str() : "(already dead)");
  co_return child;
}

// [docs:restart-supervisor]
otter::co<void> supervisor() {
  // From now on an exit signal from a linked process arrives as an exit_msg message; without
  // this line the worker's crash would kill the supervisor too.
  otter::trap_exit(true);
  std::printf("[sup] %s traps exits\n", str(otter::self()).c_str());

  otter::pid child = co_await start_worker();
  for (int restarts = 0;;) {
    otter::exit_msg down = co_await otter::receive<otter::exit_msg>();
    if (down.from != child) {
      continue;  // an exit from some other linked process: not ours to handle
    }
    if (restarts == max_restarts) {
      std::printf("[sup] worker %s exited with %s; %d restarts used, giving up\n",
                  str(child).c_str(), str(down.reason).c_str(), max_restarts);
      otter::exit(otter::atoms::shutdown);  // throws: the supervisor ends here
    }
    ++restarts;
    std::printf("[sup] worker %s exited with %s, restarting (%d/%d)\n", str(child).c_str(),
                str(down.reason).c_str(), restarts, max_restarts);
    child = co_await start_worker();
  }
}
// [docs:restart-supervisor-end]

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // line by line, so the story can be watched live
  otter::runtime rt;

  // [docs:restart-main]
  otter::term reason = rt.run([]() -> otter::co<otter::term> {
    // spawn_monitor: spawn and monitor in one step, so even an instant crash is seen.
    auto [sup, watch] = otter::spawn_monitor(supervisor);
    std::printf("[main] started supervisor %s and monitors it\n", str(sup).c_str());

    otter::down_msg down = co_await otter::receive(
        otter::on<otter::down_msg>([m = watch](const otter::down_msg& d) { return d.monitor == m; },
                                   [](otter::down_msg& d) { return d; }));
    std::printf("[main] monitor fired: %s\n", str(down.to_term()).c_str());
    co_return down.reason;
  });
  // [docs:restart-main-end]

  std::printf("[main] the supervisor gave up with %s; done\n", str(reason).c_str());
  return reason == otter::term(otter::atoms::shutdown) ? 0 : 1;
}
