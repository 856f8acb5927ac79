// notifier/service/env.hpp: what every process of the service shares: its configuration, the
// store, the I/O threads, the clock and the names of the service's processes.
//
// One env per running service, built by its owner (the application, or a test) before the
// process tree starts and destroyed after the tree and the runtime have stopped: processes
// hold a plain pointer to it. Several services may run in one program (tests do), each with
// its own names.
//
// Thread safety: read-only once the tree has started; the clock and the members' own objects
// are @threadsafe.

#pragma once

#include "notifier/channels/webhook.hpp"
#include "notifier/domain/backoff.hpp"
#include "notifier/domain/clock.hpp"
#include "notifier/domain/schedule.hpp"
#include "otter/core/atom.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace notifier {

class repo;

/// The service's settings (the CLI's flags fill them in).
struct service_config {
  /// Between two reminders of an open task.
  std::chrono::milliseconds interval = default_notify_interval;
  /// How a worker, or the writer, waits before trying an unavailable store again. Workers
  /// never give up (a store outage only delays reminders); max_attempts is not used.
  backoff_policy store_retry{.initial = std::chrono::milliseconds{200},
                             .max_delay = std::chrono::milliseconds{30'000},
                             .multiplier = 2.0,
                             .jitter = 0.5,
                             .max_attempts = 0};
  /// Webhook deliveries: attempts and the wait between them, the time limit of one request.
  channels::webhook_options webhook{};
  /// The writer commits at most this many outbox entries in one transaction; the reader reads
  /// at most this many tasks in one trip.
  std::size_t max_batch = 5000;
  /// The starter reads open tasks in pages of this many.
  std::size_t boot_page = 10'000;
  /// The task supervisor's restart intensity. Workers do not crash on an unavailable store
  /// (they back off), so restarts count real faults; the window is generous because one
  /// supervisor holds every task's worker.
  std::int64_t worker_max_restarts = 1000;
  std::int64_t worker_max_seconds = 5;
  /// A name prefix for the service's registered processes ("Notifier" -> Notifier.Writer, ...).
  std::string name = "Notifier";
};

/// The registered names of one service's processes.
struct service_names {
  otter::atom root;      // the application's supervisor
  otter::atom writer;    // the batching writer
  otter::atom reader;    // the batching reader of the workers' tasks
  otter::atom workers;   // the worker table (an ETS set): task id -> worker
  otter::atom tasks;     // the DynamicSupervisor of task workers
  otter::atom delivery;  // the Task.Supervisor of deliveries
  [[nodiscard]] static service_names under(const std::string& prefix);
};

/// How far the boot has come (the starter writes it; health and the boot benchmark read it).
struct boot_progress {
  std::atomic<std::size_t> workers_started{0};
  std::atomic<bool> workers_done{false};    // a worker runs for every open task
  std::atomic<std::size_t> redelivered{0};  // undelivered entries handed to deliveries
  std::atomic<bool> done{false};            // the starter has finished
};

/// Counters of the service's work since it started (operators and benchmarks read them).
struct service_stats {
  std::atomic<std::uint64_t> reminders{0};        // outbox entries committed by workers
  std::atomic<std::uint64_t> delivered{0};        // deliveries that succeeded
  std::atomic<std::uint64_t> failed_attempts{0};  // delivery attempts that failed
  std::atomic<std::uint64_t> store_retries{0};    // store trips retried after `unavailable`
};

struct env {
  service_config config{};
  service_names names{};
  notifier::repo* repo = nullptr;
  /// How deliveries post webhooks and stamp attempts (channels/webhook.hpp); the owner fills
  /// it from config.webhook, the I/O threads and the clock.
  channels::delivery_context delivery{};
  boot_progress* boot = nullptr;   // optional
  service_stats* stats = nullptr;  // optional
  /// The current time. The service's own clock is the wall clock; tests pass one that follows
  /// the deterministic runtime's manual clock.
  std::function<timestamp()> now = wall_clock_now;
};

}  // namespace notifier
