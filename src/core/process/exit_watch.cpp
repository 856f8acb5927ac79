// Exit watches: the protocol is stated on process::watch_lock (process.hpp).

#include "otter/core/exit_watch.hpp"

#include "core/process/process.hpp"
#include "core/scheduler/runtime_impl.hpp"

#include <algorithm>

namespace otter {
namespace {
// A spin lock on one process's watch list. Held only for a vector push or erase, never while
// a watch runs, so contention is a few instructions long.
class watch_guard {
public:
  explicit watch_guard(detail::process& p) noexcept : p_(p) {
    // Ordering: acquire pairs with the release in the destructor (the guarded fields).
    while (p_.watch_lock.test_and_set(std::memory_order_acquire)) {
      p_.watch_lock.wait(true, std::memory_order_relaxed);
    }
  }
  ~watch_guard() {
    p_.watch_lock.clear(std::memory_order_release);
    p_.watch_lock.notify_one();
  }
  watch_guard(const watch_guard&) = delete;
  watch_guard& operator=(const watch_guard&) = delete;

private:
  detail::process& p_;
};
}  // namespace

bool watch_exit(pid target, std::shared_ptr<exit_watch> w) {
  auto& rt = detail::current_runtime("watch_exit");
  detail::process* p = rt.table.acquire(target);
  if (p == nullptr) {
    return false;
  }
  bool added = false;
  {
    watch_guard lock(*p);
    if (!p->watches_closed) {
      if (!p->watches) {
        p->watches = std::make_unique<std::vector<std::shared_ptr<exit_watch>>>();
      }
      p->watches->push_back(std::move(w));
      added = true;
    }
  }
  rt.table.release(p);
  return added;
}

void unwatch_exit(pid target, const exit_watch* w) noexcept {
  auto& rt = detail::current_runtime("unwatch_exit");
  detail::process* p = rt.table.acquire(target);
  if (p == nullptr) {
    return;
  }
  std::shared_ptr<exit_watch> dropped;  // destroyed outside the lock
  {
    watch_guard lock(*p);
    if (p->watches) {
      auto& v = *p->watches;
      auto it = std::find_if(v.begin(), v.end(), [w](const auto& x) { return x.get() == w; });
      if (it != v.end()) {
        dropped = std::move(*it);
        *it = std::move(v.back());
        v.pop_back();
      }
    }
  }
  rt.table.release(p);
}

namespace detail {
void fire_exit_watches(process& p, const term& reason) noexcept {
  std::unique_ptr<std::vector<std::shared_ptr<exit_watch>>> fired;
  {
    watch_guard lock(p);
    p.watches_closed = true;
    fired = std::move(p.watches);
  }
  if (fired) {
    const pid who = p.self();
    for (auto& w : *fired) {
      w->process_exited(who, reason);
    }
  }
}
}  // namespace detail

}  // namespace otter
