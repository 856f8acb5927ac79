// notifier/service/repo.hpp: the store as the service's processes use it.
//
//   store_result<task> t = co_await env.repo->run([id](store& s) { return s.find_task(owner, id);
//   });
//
// run() executes the function on Otter's blocking pool (otter/core/blocking.hpp), so a store
// call never stalls a scheduler thread, with the connection that belongs to the pool thread it
// lands on: each thread opens its own connection on first use (SQLite in WAL mode then reads
// in parallel beside one writer; PostgreSQL runs everything in parallel), and no lock is taken
// to pick a connection. A connection that cannot be opened makes that call fail with the
// opener's error (usually `unavailable`); the next call on that thread tries again.
//
// Thread safety: @threadsafe. The connections are owned by the repo and closed when it is
// destroyed, which must happen after every thread that used it has stopped using it (after the
// runtime's shutdown).

#pragma once

#include "notifier/domain/backoff.hpp"
#include "notifier/store/store.hpp"
#include "otter/core/blocking.hpp"
#include "otter/core/co.hpp"
#include "otter/core/process.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

namespace notifier {

class repo {
public:
  using opener = std::function<store_result<std::unique_ptr<store>>()>;

  /// `open` makes a new connection (open_store(location), say); called once per thread.
  explicit repo(opener open);
  repo(const repo&) = delete;
  repo& operator=(const repo&) = delete;
  ~repo();

  /// Runs `f(store&)` (which returns a store_result) on the blocking pool with that thread's
  /// connection. @in_process
  template <class F>
  auto run(F f) -> otter::co<std::invoke_result_t<F&, store&>> {
    // Built in its own statement: GCC 12 mishandles a capturing lambda inside co_await.
    auto job = [this, fn = std::move(f)]() mutable {
      return direct(fn);
    };
    co_return co_await otter::blocking(std::move(job));
  }

  /// Runs `f` as run() does, and again after each `unavailable` failure, the n-th time after
  /// backoff_delay(policy, n), until it succeeds, fails otherwise, or has failed
  /// `max_failures` times (0: no limit); returns the last result. `on_retry(error, delay)` is
  /// called before each wait (to log it). @in_process
  template <class F, class OnRetry>
  auto run_retrying(F f, const backoff_policy& policy, int max_failures, OnRetry on_retry)
      -> otter::co<std::invoke_result_t<F&, store&>> {
    for (int failures = 1;; ++failures) {
      auto r = co_await run(f);
      if (r || !r.error().retryable() || (max_failures > 0 && failures >= max_failures)) {
        co_return r;
      }
      const std::chrono::milliseconds delay = backoff_delay(policy, failures);
      on_retry(r.error(), delay);
      co_await otter::sleep(delay);
    }
  }

  /// Runs `f(store&)` on the calling thread with its connection (boot, tools, tests: code
  /// outside processes). @blocking
  template <class F>
  auto direct(F& f) -> std::invoke_result_t<F&, store&> {
    store_result<store*> s = local();
    if (!s) {
      return otter::unexpected<store_error>(s.error());
    }
    return f(**s);
  }

  /// How many connections have been opened.
  [[nodiscard]] std::size_t connections() const;

private:
  store_result<store*> local();

  const std::uint64_t id_;  // tells this repo's connections apart in each thread's cache
  opener open_;
  mutable std::mutex mutex_;  // guards owned_; taken once per thread, on its first call
  std::vector<std::unique_ptr<store>> owned_;
};

}  // namespace notifier
