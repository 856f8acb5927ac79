// apps/notifier/bench/bench_support.hpp: what the notifier's benchmarks share: the output
// protocol of bench/run.sh (bench/otter/common.hpp), a temporary database, and seeding.

#pragma once

#include "notifier/store/open_store.hpp"

#include "../../../bench/otter/common.hpp"
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

namespace bench {

/// A directory removed at exit, for a benchmark's SQLite file.
struct scratch_dir {
  std::filesystem::path path;
  scratch_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "notifier-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      fail("mkdtemp failed");
    }
    path = pattern;
  }
  ~scratch_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

/// Runs `f` in a child process and waits for it: the seeding's memory never counts in the
/// benchmark's own peak RSS. Call before any thread starts.
inline void in_child(const std::function<void()>& f) {
  pid_t child = fork();
  if (child < 0) {
    fail("fork failed");
  }
  if (child == 0) {
    f();
    std::fflush(stdout);
    std::_Exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fail("seeding failed");
  }
}

/// Creates one user with `n` open tasks, the k-th first due at due(k), in batches.
inline void seed_tasks(const std::string& location, std::int64_t n,
                       const std::function<notifier::timestamp(std::int64_t)>& due) {
  auto s = notifier::open_store(location);
  if (!s) {
    fail("cannot open " + location + ": " + s.error().message);
  }
  if (!(*s)->migrate()) {
    fail("cannot migrate " + location);
  }
  const notifier::timestamp now = notifier::wall_clock_now();
  auto u = (*s)->create_user({.name = "bench", .webhook_url = std::nullopt, .created_at = now});
  if (!u) {
    fail("cannot create the user: " + u.error().message);
  }
  constexpr std::int64_t batch_size = 20'000;
  std::vector<notifier::new_task> batch;
  for (std::int64_t k = 0; k < n; k += batch_size) {
    batch.clear();
    for (std::int64_t i = k; i < std::min(n, k + batch_size); ++i) {
      batch.push_back({.title = "task " + std::to_string(i),
                       .details = std::nullopt,
                       .created_at = now,
                       .first_notify_at = due(i)});
    }
    auto r = (*s)->create_tasks(u->user.id, batch);
    if (!r) {
      fail("cannot create tasks: " + r.error().message);
    }
  }
}

/// The database location a benchmark uses: NOTIFIER_BENCH_DB (a PostgreSQL URL, say) when
/// set, else a SQLite file in `dir`.
inline std::string bench_db(const scratch_dir& dir) {
  if (const char* db = std::getenv("NOTIFIER_BENCH_DB"); db != nullptr && *db != '\0') {
    return db;
  }
  return "sqlite:" + (dir.path / "notifier.db").string();
}

}  // namespace bench
