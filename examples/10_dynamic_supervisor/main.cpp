// Example 10: DynamicSupervisor, children started on demand.
//
// A dynamic supervisor starts with no children. start_child() starts one from a child spec
// and returns once the child has started (for a GenServer: once its init has run); the child
// is then watched like any supervised child: restarted by its restart type, within the
// restart intensity. Children have no order and no id: you address them by pid
// (terminate_child). extra_arguments are handed to every start function, on restart too, so
// shared configuration need not be repeated in each spec. Stopping the supervisor stops all
// its children at once, in parallel.
//
// Expected output (pids vary):
//   [job 1] started (queue "mail")
//   [job 2] started (queue "mail")
//   children: %{:active => 2, :specs => 2, :supervisors => 0, :workers => 2}
//   [job 2] stopping: :boom
//   report child_terminated: :boom
//   [job 2] started (queue "mail")
//   job 2 was restarted with a new pid: true
//   [job 1] stopping: :shutdown
//   after terminate_child: %{:active => 1, :specs => 1, :supervisors => 0, :workers => 1}
//   [job 2] stopping: :shutdown
//   stopped the supervisor and its children: :ok

#include "otter/core/logger.hpp"
#include "otter/otp/dynamic_supervisor.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/otter.hpp"

#include <cstdio>
#include <string>
#include <vector>

using namespace otter;
namespace dynsup = otter::dynamic_supervisor;

// [docs:dynsup-worker]
// A job worker. Its first argument comes from the supervisor's extra_arguments (the queue),
// the second from its own child spec (the job number).
struct job {
  struct state {
    std::string queue;
    std::int64_t id;
  };
  state init(std::string queue, std::int64_t id) {
    trap_exit(true);  // so that terminate runs when the supervisor stops it
    std::printf("[job %lld] started (queue \"%s\")\n", static_cast<long long>(id), queue.c_str());
    return state{std::move(queue), id};
  }
  gen_server::cast_result handle_cast(const term& reason, state&) {
    return gen_server::cast_result::stop(reason);  // crash on request
  }
  void terminate(const term& reason, state& s) {
    std::printf("[job %lld] stopping: %s\n", static_cast<long long>(s.id),
                reason.to_string().c_str());
  }
};

// The child spec of job `id`: a transient child (restarted only after a crash).
child_spec job_spec(std::int64_t id) {
  child_spec spec;
  spec.restart = restart::transient;
  spec.start = [id](const std::vector<term>& extra) {
    std::string queue(extra.at(0).as_string());
    return gen_server::start_link<job>(queue, id);
  };
  return spec;
}
// [docs:dynsup-worker-end]

co<std::vector<pid>> children(pid sup) {
  std::vector<dynsup::child_info> info = co_await dynsup::which_children(sup);
  std::vector<pid> out;
  for (const dynsup::child_info& c : info) {
    out.push_back(c.child);
  }
  co_return out;
}

int main() {
  // Print supervisor reports in one line each.
  set_log_sink([](const log_event& e) {
    if (e.kind == "supervisor_report") {
      std::string context(e.fields[0].second.as_atom().name());
      std::printf("report %s: %s\n", context.c_str(), e.fields[3].second.to_string().c_str());
    }
  });

  runtime rt(runtime_options{.schedulers = 2});
  bool ok = rt.run([]() -> co<bool> {
    // [docs:dynsup-start]
    dynsup::options opts;
    opts.extra_arguments = {term("mail")};  // every job gets the queue first
    start_result sup = co_await dynsup::start_link(opts);

    start_result job1 = co_await dynsup::start_child(*sup, job_spec(1));
    start_result job2 = co_await dynsup::start_child(*sup, job_spec(2));
    std::printf("children: %s\n",
                (co_await dynsup::count_children(*sup)).to_term().to_string().c_str());
    // [docs:dynsup-start-end]

    // Job 2 crashes: it is transient, so the supervisor starts it again (a new pid).
    ref watch = monitor(*job2);
    gen_server::cast(*job2, term(atom("boom")));
    co_await receive(
        on<down_msg>([watch](const down_msg& d) { return d.monitor == watch; }, [](down_msg&) {}));
    std::vector<pid> now = co_await children(*sup);
    while (now.size() != 2 || now[0] == *job2 || now[1] == *job2) {
      co_await sleep(1);  // the supervisor handles the exit asynchronously
      now = co_await children(*sup);
    }
    std::printf("job 2 was restarted with a new pid: true\n");

    // [docs:dynsup-terminate]
    expected<void> r = co_await dynsup::terminate_child(*sup, *job1);  // waits for its exit
    std::printf("after terminate_child: %s\n",
                (co_await dynsup::count_children(*sup)).to_term().to_string().c_str());
    // [docs:dynsup-terminate-end]

    atom stopped = co_await dynsup::stop(*sup);
    std::printf("stopped the supervisor and its children: %s\n", term(stopped).to_string().c_str());
    co_return r.has_value();
  });
  return ok ? 0 : 1;
}
