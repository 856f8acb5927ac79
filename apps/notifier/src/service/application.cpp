#include "notifier/service/application.hpp"

#include "notifier/service/delivery.hpp"
#include "notifier/service/reader.hpp"
#include "notifier/service/repo.hpp"
#include "notifier/service/task_worker.hpp"
#include "notifier/service/worker_table.hpp"
#include "notifier/service/writer.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/otp/dynamic_supervisor.hpp"
#include "otter/otp/supervisor.hpp"
#include "otter/otp/task.hpp"
#include "otter/otp/task_supervisor.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <utility>

namespace notifier {

service_names service_names::under(const std::string& prefix) {
  return service_names{.root = otter::atom(prefix + ".Supervisor"),
                       .writer = otter::atom(prefix + ".Writer"),
                       .reader = otter::atom(prefix + ".Reader"),
                       .workers = otter::atom(prefix + ".Workers"),
                       .tasks = otter::atom(prefix + ".TaskSupervisor"),
                       .delivery = otter::atom(prefix + ".Delivery")};
}

namespace application {
namespace {

using clock = std::chrono::steady_clock;

std::int64_t ms_since(clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t0).count();
}

/// Reads a page of open tasks, waiting out an unavailable store (the starter must not give up
/// on a store that is restarting; any other failure ends the starter with it).
otter::co<std::vector<task>> open_page(const env& e, task_id after) {
  const std::size_t limit = e.config.boot_page;
  auto read = [after, limit](store& s) {
    return s.open_tasks(after, limit);
  };
  auto warn = [](const store_error& err, std::chrono::milliseconds delay) {
    spdlog::warn("starter: store unavailable, retrying in {} ms: {}", delay.count(), err.message);
  };
  store_result<std::vector<task>> page =
      co_await e.repo->run_retrying(read, e.config.store_retry, 0, warn);
  if (!page) {
    throw std::runtime_error("starter: cannot read open tasks: " + page.error().message);
  }
  co_return std::move(*page);
}

/// The starter's work: a worker for every open task (page by page, in id order), then a
/// delivery for every undelivered outbox entry.
otter::co<void> start_everything(const env* ep) {
  const env& e = *ep;
  const auto t0 = clock::now();
  std::size_t started = 0;
  constexpr std::size_t report_every = 100'000;
  task_id after{};
  for (;;) {
    std::vector<task> page = co_await open_page(e, after);
    for (const task& t : page) {
      task_worker::start_point p{.task = t.id, .user = t.user, .due = t.next_notify_at};
      otter::start_result r = co_await task_worker::start(e, p);
      if (!r) {
        spdlog::error("starter: no worker for task {}: {}", t.id.value,
                      r.error().reason.to_string());
        continue;
      }
      ++started;
      if (e.boot != nullptr) {
        e.boot->workers_started.store(started, std::memory_order_relaxed);
      }
      if (started % report_every == 0) {
        spdlog::info("boot: {} workers started ({} ms)", started, ms_since(t0));
      }
    }
    if (page.size() < e.config.boot_page) {
      break;
    }
    after = page.back().id;
  }
  if (e.boot != nullptr) {
    e.boot->workers_done.store(true);
  }
  spdlog::info("boot: a worker runs for each of the {} open tasks ({} ms)", started, ms_since(t0));
  store_result<std::size_t> redelivered = co_await delivery::redeliver_all(e);
  if (!redelivered) {
    spdlog::error("boot: undelivered notifications not redelivered: {}",
                  redelivered.error().message);
  } else {
    if (e.boot != nullptr) {
      e.boot->redelivered.store(*redelivered);
    }
    if (*redelivered > 0) {
      spdlog::info("boot: {} undelivered notifications handed to delivery", *redelivered);
    }
  }
  if (e.boot != nullptr) {
    e.boot->done.store(true);
  }
}

struct stop_request {};
/// The master's word to its launcher: the tree started (or not, and why).
struct tree_up {
  bool ok = false;
  otter::pid master{};
  otter::term reason{};
};

}  // namespace

std::vector<otter::child_spec> children(const env& e) {
  std::vector<otter::child_spec> specs;
  specs.push_back(writer::child_spec(e));
  specs.push_back(reader::child_spec(e));

  specs.push_back(worker_table::child_spec(e.names.workers));

  otter::task_supervisor::options deliveries;
  deliveries.name = otter::server_ref(e.names.delivery);
  specs.push_back(otter::task_supervisor::supervisor_spec(std::move(deliveries)));

  otter::dynamic_supervisor::options workers;
  workers.name = otter::server_ref(e.names.tasks);
  workers.max_restarts = e.config.worker_max_restarts;
  workers.max_seconds = e.config.worker_max_seconds;
  specs.push_back(
      otter::dynamic_supervisor::supervisor_spec(otter::term(e.names.tasks), std::move(workers)));

  const env* ep = &e;
  otter::child_spec starter = otter::task_child_spec([ep]() { return start_everything(ep); });
  starter.id = otter::term(otter::atom("starter"));
  // :transient, not a Task's default :temporary: it ends :normal after the boot, and
  // rest_for_one starts such a child again when a sibling before it restarts (OTP keeps its
  // spec; a temporary one it drops). A lost worker table or task supervisor thus gets a
  // worker for every open task again.
  starter.restart = otter::restart::transient;
  specs.push_back(std::move(starter));
  return specs;
}

otter::co<otter::start_result> start_link(const env& e) {
  otter::supervisor::options opts;
  opts.strategy = otter::supervisor::strategy::rest_for_one;
  opts.name = otter::server_ref(e.names.root);
  co_return co_await otter::supervisor::start_link(children(e), std::move(opts));
}

otter::pid start_master(otter::runtime& rt, const env& e,
                        std::function<void(const otter::term&)> on_exit) {
  // The launcher (run() below) spawns the master and waits for its word that the tree is up;
  // the master traps exits so that the root's end is a message, not its own death, and
  // answers a stop_request by stopping the root.
  const env* ep = &e;
  auto launch = [ep, on_exit = std::move(on_exit)]() -> otter::co<tree_up> {
    const otter::pid launcher = otter::self();
    auto master = [ep, on_exit, launcher]() -> otter::co<void> {
      otter::trap_exit(true);
      otter::start_result root = co_await start_link(*ep);
      otter::send(launcher, tree_up{.ok = root.has_value(),
                                    .master = otter::self(),
                                    .reason = root ? otter::term() : root.error().reason});
      if (!root) {
        co_return;
      }
      for (;;) {
        std::optional<otter::message> got = co_await otter::receive_any(otter::infinity);
        otter::message& m = *got;
        if (m.is<stop_request>()) {
          co_await otter::supervisor::stop(otter::server_ref(*root));
          co_return;
        }
        if (m.is<otter::exit_msg>() && m.get<otter::exit_msg>().from == *root) {
          otter::term reason = m.get<otter::exit_msg>().reason;
          spdlog::error("the service's supervision tree ended: {}", reason.to_string());
          if (on_exit) {
            on_exit(reason);
          }
          co_return;
        }
      }
    };
    otter::pid p = otter::spawn(master);
    otter::ref watch = otter::monitor(p);
    co_return co_await otter::receive(
        otter::on<tree_up>([](tree_up& up) { return std::move(up); }),
        otter::on<otter::down_msg>([watch](const otter::down_msg& d) { return d.monitor == watch; },
                                   [](otter::down_msg& d) {
                                     return tree_up{.ok = false, .master = {}, .reason = d.reason};
                                   }));
  };
  tree_up up = rt.run(std::move(launch), std::chrono::minutes(10));
  if (!up.ok) {
    throw std::runtime_error("the service did not start: " + up.reason.to_string());
  }
  return up.master;
}

void stop_master(otter::runtime& rt, otter::pid master) {
  rt.run(
      [master]() -> otter::co<void> {
        otter::ref watch = otter::monitor(master);
        otter::send(master, stop_request{});
        co_await otter::receive(otter::on<otter::down_msg>(
            [watch](const otter::down_msg& d) { return d.monitor == watch; },
            [](otter::down_msg&) {}));
      },
      std::chrono::minutes(10));
}

}  // namespace application
}  // namespace notifier
