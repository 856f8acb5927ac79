// notifier_load: N open tasks (default 100,000) reminded every interval (default 10 s), through
// the log channel and the outbox, for a window (default 60 s): the sustained rate and the
// backlog; then the same node saturated, against a bare batched-insert loop on the same store.
//
//   otter_notifier_load [N [SECONDS [INTERVAL_MS]]]
//   METRIC name=notifier_load value=<reminders/s in the window>
//   METRIC name=notifier_backlog value=<tasks overdue by more than 1 s at the end>
//   METRIC name=notifier_backlog_growth value=<end backlog - start backlog>
//   METRIC name=notifier_saturated value=<reminders/s with every task due at once>
//   METRIC name=notifier_bare_insert value=<outbox entries/s of a bare batched-insert loop>
//   METRIC name=notifier_saturated_ratio value=<notifier_saturated / notifier_bare_insert>
//
// Seeding spreads the first due times over one interval, so the offered load is N / interval
// per second from the start. The log channel's lines are not printed (log level warn): the
// reminders are still committed to the outbox and marked delivered. NOTIFIER_BENCH_DB selects
// another store (bench/notifier_pg.sh runs this on PostgreSQL).

#include "notifier/domain/payload.hpp"
#include "notifier/service/node.hpp"

#include "bench_support.hpp"
#include <spdlog/spdlog.h>

#include <functional>
#include <thread>

namespace {

std::size_t overdue(const std::string& db, std::chrono::milliseconds slack) {
  auto s = notifier::open_store(db);
  if (!s) {
    bench::fail("cannot open " + db);
  }
  auto due = (*s)->due_tasks(notifier::wall_clock_now() - slack, 10'000'000);
  if (!due) {
    bench::fail("due_tasks failed: " + due.error().message);
  }
  return due->size();
}

// Moves the i-th open task (in id order) to due(i), in one transaction.
void reschedule(const std::string& db, std::int64_t n,
                const std::function<notifier::timestamp(std::int64_t)>& due) {
  auto s = notifier::open_store(db);
  if (!s) {
    bench::fail("cannot open " + db);
  }
  auto all = (*s)->open_tasks(notifier::task_id{}, static_cast<std::size_t>(n));
  if (!all) {
    bench::fail("open_tasks failed: " + all.error().message);
  }
  std::vector<notifier::schedule_update> moves;
  moves.reserve(all->size());
  for (std::size_t i = 0; i < all->size(); ++i) {
    moves.push_back({.task = (*all)[i].id, .next_notify_at = due(static_cast<std::int64_t>(i))});
  }
  if (!(*s)->set_next_notify_at(moves)) {
    bench::fail("cannot reschedule the tasks");
  }
}

// Enqueues batches of `batch` entries for `seconds`: the store's own outbox write rate.
double bare_insert_rate(const std::string& db, double seconds, std::size_t batch) {
  auto s = notifier::open_store(db);
  if (!s) {
    bench::fail("cannot open " + db);
  }
  auto tasks = (*s)->open_tasks(notifier::task_id{}, batch);
  if (!tasks || tasks->empty()) {
    bench::fail("no open task for the bare loop");
  }
  std::vector<notifier::new_notification> entries;
  const notifier::timestamp now = notifier::wall_clock_now();
  for (std::size_t i = 0; i < batch; ++i) {
    const notifier::task& t = (*tasks)[i % tasks->size()];
    entries.push_back(
        {.task = t.id,
         .user = t.user,
         .channel = notifier::channel::log,
         .payload = notifier::reminder_payload(t, notifier::reminder_reason::scheduled, now),
         .created_at = now,
         .next_notify_at = t.next_notify_at + std::chrono::minutes(5)});
  }
  std::uint64_t written = 0;
  const auto t0 = bench::clock::now();
  while (bench::seconds_since(t0) < seconds) {
    auto ids = (*s)->enqueue(entries);
    if (!ids) {
      bench::fail("bare enqueue failed: " + ids.error().message);
    }
    written += ids->size();
  }
  return static_cast<double>(written) / bench::seconds_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = bench::arg(argc, argv, 1, 100'000);
  const std::int64_t window_s = bench::arg(argc, argv, 2, 60);
  const std::int64_t interval_ms = bench::arg(argc, argv, 3, 10'000);
  bench::scratch_dir dir;
  const std::string db = bench::bench_db(dir);
  bench::in_child(
      [&] { bench::seed_tasks(db, n, [](std::int64_t) { return notifier::wall_clock_now(); }); });
  // Seeding takes seconds (on PostgreSQL longer than the lead below): the due times are spread
  // once it is done, so that no task starts overdue.
  const notifier::timestamp start = notifier::wall_clock_now() + std::chrono::seconds(2);
  reschedule(db, n, [&](std::int64_t i) {
    return start + std::chrono::milliseconds(i * interval_ms / n);
  });
  spdlog::set_level(spdlog::level::warn);

  notifier::node_options options;
  options.db = db;
  options.http = false;
  options.service.interval = std::chrono::milliseconds(interval_ms);
  auto node = std::make_unique<notifier::node>(std::move(options));
  while (!node->boot().workers_done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // The first reminders are due from `start` on; after one interval every task has had its
  // first, and the cadence is steady: the window starts then.
  std::this_thread::sleep_until(std::chrono::system_clock::time_point(
      (start + std::chrono::milliseconds(interval_ms)).time_since_epoch()));
  const std::size_t backlog_start = overdue(db, std::chrono::seconds(1));
  const std::uint64_t r0 = node->stats().reminders.load();
  const auto t0 = bench::clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(window_s));
  const double rate =
      static_cast<double>(node->stats().reminders.load() - r0) / bench::seconds_since(t0);
  const std::size_t backlog_end = overdue(db, std::chrono::seconds(1));
  node->stop();
  node.reset();

  // Saturation (min(SECONDS, 10) s): the same tasks, all due at once and every millisecond
  // after. Then the bare loop (min(SECONDS, 5) s).
  notifier::node_options flat_out;
  flat_out.db = db;
  flat_out.http = false;
  flat_out.service.interval = std::chrono::milliseconds(1);
  const notifier::timestamp now = notifier::wall_clock_now();
  reschedule(db, n, [now](std::int64_t) { return now; });
  node = std::make_unique<notifier::node>(std::move(flat_out));
  while (!node->boot().workers_done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::uint64_t s0 = node->stats().reminders.load();
  const auto ts = bench::clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(std::min<std::int64_t>(window_s, 10)));
  const double saturated =
      static_cast<double>(node->stats().reminders.load() - s0) / bench::seconds_since(ts);
  node->stop();
  node.reset();

  const double bare =
      bare_insert_rate(db, static_cast<double>(std::min<std::int64_t>(window_s, 5)), 5000);
  bench::metric("notifier_load", rate);
  bench::metric("notifier_backlog", static_cast<double>(backlog_end));
  bench::metric("notifier_backlog_growth",
                static_cast<double>(backlog_end) - static_cast<double>(backlog_start));
  bench::metric("notifier_saturated", saturated);
  bench::metric("notifier_bare_insert", bare);
  bench::metric("notifier_saturated_ratio", saturated / bare);
  return 0;
}
