// Example 09: Supervisor, processes that restart their children.
//
// A supervisor starts its children in order, links to them and traps exits. When a child
// dies it decides by the child's restart type (permanent: always restart; transient: only
// after a crash; temporary: never) and by its strategy (one_for_one restarts that child;
// one_for_all and rest_for_one also restart its siblings). Too many restarts in a short time
// (max_restarts in max_seconds) and the supervisor gives up: it stops its other children and
// exits :shutdown, so that its own supervisor can try a larger restart. Stopping it stops the
// children in reverse start order. Every decision is logged as a supervisor_report.
//
// Expected output (pids vary):
//   started cache
//   started fetcher
//   children, newest first: [{:fetcher, #PID<0.3.1>, :worker, []}, {:cache, #PID<0.2.1>, ...}]
//   stopped fetcher (:boom)
//   report child_terminated :fetcher: :boom
//   started fetcher
//   fetcher restarted with a new pid: true; cache kept its pid: true
//   started job
//   stopped job (:normal)
//   a transient child that exits :normal stays stopped: {:job, :undefined, :worker, []}
//   ... (two more crashes and restarts of fetcher)
//   stopped fetcher (:boom)
//   report child_terminated :fetcher: :boom
//   report shutdown :fetcher: :reached_max_restart_intensity
//   stopped cache (:shutdown)
//   the supervisor gave up: {:EXIT, #PID<0.1.1>, :shutdown}

#include "otter/core/logger.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/otp/supervisor.hpp"
#include "otter/otter.hpp"

#include <cstdio>
#include <string>

using namespace otter;

// A worker that says when it starts and stops, and crashes on request.
struct worker {
  using state = std::string;
  state init(std::string name) {
    trap_exit(true);  // so that terminate runs when the supervisor stops it
    std::printf("started %s\n", name.c_str());
    return name;
  }
  gen_server::cast_result handle_cast(const term& reason, state&) {
    return gen_server::cast_result::stop(reason);  // exit with the reason we were sent
  }
  void terminate(const term& reason, state& name) {
    std::printf("stopped %s (%s)\n", name.c_str(), reason.to_string().c_str());
  }
};

child_spec worker_spec(const std::string& name, restart r = restart::permanent) {
  child_spec spec;
  spec.id = term(atom(name));
  spec.restart = r;
  spec.start = start_with([name]() { return gen_server::start_link<worker>(name); });
  return spec;
}

co<pid> pid_of(pid sup, const char* id) {
  std::vector<supervisor::child_info> all = co_await supervisor::which_children(sup);
  for (const supervisor::child_info& c : all) {
    if (c.id == term(atom(id)) && c.child.is_pid()) {
      co_return c.child.as_pid();
    }
  }
  co_return pid();
}

co<void> crash(pid sup, const char* id) {
  pid child = co_await pid_of(sup, id);
  ref mon = monitor(child);
  gen_server::cast(child, term(atom("boom")));
  (void)co_await receive(
      on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; }, [](down_msg&) {}));
}

co<void> demo() {
  trap_exit(true);  // we are the supervisors' parent: see how they exit
  std::vector<child_spec> children{worker_spec("cache"), worker_spec("fetcher")};
  start_result sup = co_await supervisor::start_link(std::move(children));
  std::vector<supervisor::child_info> listed = co_await supervisor::which_children(*sup);
  std::printf("children, newest first: %s\n", supervisor::to_term(listed).to_string().c_str());

  // one_for_one: only the crashed child is restarted.
  pid cache = co_await pid_of(*sup, "cache");
  pid fetcher = co_await pid_of(*sup, "fetcher");
  co_await crash(*sup, "fetcher");
  pid fetcher2 = co_await pid_of(*sup, "fetcher");  // answered after the restart
  pid cache2 = co_await pid_of(*sup, "cache");
  std::printf("fetcher restarted with a new pid: %s; cache kept its pid: %s\n",
              fetcher2 != fetcher ? "true" : "false", cache2 == cache ? "true" : "false");

  // A transient child is restarted only after a crash; a :normal exit leaves it stopped.
  child_spec job = worker_spec("job", restart::transient);
  (void)co_await supervisor::start_child(*sup, job);
  pid job_pid = co_await pid_of(*sup, "job");
  gen_server::cast(job_pid, term(atoms::normal));
  ref mon = monitor(job_pid);
  (void)co_await receive(
      on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; }, [](down_msg&) {}));
  std::vector<supervisor::child_info> now = co_await supervisor::which_children(*sup);
  std::printf("a transient child that exits :normal stays stopped: %s\n",
              now.front().to_term().to_string().c_str());

  // More than max_restarts (3) restarts within max_seconds (5): the supervisor gives up.
  // One restart happened above; three more crashes make the fourth.
  for (int i = 0; i < 3; ++i) {
    co_await crash(*sup, "fetcher");
  }
  term why = co_await receive(on<exit_msg>([](exit_msg& m) { return m.to_term(); }));
  std::printf("the supervisor gave up: %s\n", why.to_string().c_str());
}

int main() {
  // Reports go to the log; print them in one line each.
  set_log_sink([](const log_event& e) {
    if (e.kind == "supervisor_report") {
      // Fields: context, supervisor, child_id, reason.
      std::string context(e.fields[0].second.as_atom().name());
      std::printf("report %s %s: %s\n", context.c_str(), e.fields[2].second.to_string().c_str(),
                  e.fields[3].second.to_string().c_str());
    }
  });
  runtime rt;
  rt.run(demo);
  return 0;
}
