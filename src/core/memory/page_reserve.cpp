#include "core/memory/page_reserve.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <thread>

namespace otter::detail {
namespace {

constexpr std::size_t small_page = 4096;

std::size_t round_up(std::size_t n, std::size_t to) noexcept {
  return (n + to - 1) / to * to;
}

}  // namespace

page_reserve::page_reserve(std::size_t bytes) noexcept {
  const std::size_t size = round_up(bytes, huge_page);
  base_ = static_cast<char*>(map_huge_aligned(size, /*noreserve=*/true));
  if (base_ != nullptr) {
    size_ = size;
  }
}

page_reserve::~page_reserve() {
  if (base_ != nullptr) {
    ::munmap(base_, size_);
  }
}

std::size_t page_reserve::ahead() const noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  return std::clamp(front_ / 8, min_ahead, max_ahead);
}

bool page_reserve::behind() const noexcept {
  const std::size_t ahead = std::clamp(front_ / 8, min_ahead, max_ahead);
  return !unsupported_ && ready_ < size_ && ready_ < front_ + ahead / 2;
}

void* page_reserve::take(std::size_t size, std::size_t alignment) noexcept {
  bool wake = false;
  char* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const std::size_t off = round_up(front_, std::max(alignment, small_page));
    if (base_ == nullptr || off > size_ || size > size_ - off) {
      return nullptr;
    }
    p = base_ + off;
    front_ = off + size;
    wake = behind();
  }
  if (wake) {
    populator::wake();
  }
  return p;
}

std::size_t page_reserve::populate() noexcept {
  std::size_t from = 0;
  std::size_t to = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (base_ == nullptr || running_ || unsupported_) {
      return 0;
    }
    const std::size_t ahead = std::clamp(front_ / 8, min_ahead, max_ahead);
    to = std::min(size_, round_up(front_ + ahead, huge_page));
    // Below the front the memory is handed out and most likely touched already.
    from = std::max(ready_, front_ / small_page * small_page);
    if (to <= from) {
      return 0;
    }
    running_ = true;
  }
  // MADV_POPULATE_WRITE faults the pages in as a write would, without changing what they
  // hold, so it is safe on memory take() hands out meanwhile.
  const int rc = ::madvise(base_ + from, to - from, MADV_POPULATE_WRITE);
  std::lock_guard<std::mutex> lock(mu_);
  running_ = false;
  if (rc != 0) {
    // EINVAL: a kernel before 5.14. ENOMEM and the rest: out of memory or limits; the
    // schedulers then fault pages in themselves, where running out of memory belongs.
    unsupported_ = true;
    return 0;
  }
  ready_ = std::max(ready_, to);
  return to - from;
}

std::size_t page_reserve::taken() const noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  return front_;
}

std::size_t page_reserve::populated() const noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  return ready_;
}

// -- the populator ---------------------------------------------------------------------------

populator& populator::instance() {
  // Never destroyed: the thread may still wait on it while the program's statics go.
  static populator* p = new populator();
  return *p;
}

void populator::add(page_reserve* r) {
  populator& self = instance();
  std::lock_guard<std::mutex> lock(self.list_mu_);
  self.reserves_.push_back(r);
  if (!self.started_) {
    self.started_ = true;
    std::thread([&self] { self.run(); }).detach();
  }
}

void populator::remove(page_reserve* r) noexcept {
  populator& self = instance();
  std::lock_guard<std::mutex> lock(self.list_mu_);  // a pass holds it: waits for its end
  std::erase(self.reserves_, r);
}

void populator::wake() noexcept {
  populator& self = instance();
  // Ordering: release pairs with the acquire load in run(): the pass that sees this wake
  // also sees the front take() moved (which it reads under the reserve's mutex anyway).
  self.wakes_.fetch_add(1, std::memory_order_release);
  self.wakes_.notify_one();
}

void populator::wait_idle() noexcept {
  populator& self = instance();
  const std::uint32_t target = self.wakes_.load(std::memory_order_acquire);
  std::unique_lock<std::mutex> lock(self.list_mu_);
  self.idle_cv_.wait(
      lock, [&] { return !self.started_ || static_cast<std::int32_t>(self.done_ - target) >= 0; });
}

void populator::run() noexcept {
  std::uint32_t seen = 0;
  for (;;) {
    // Sleeps until a wake() after the last pass began; one pass serves all wakes before it.
    wakes_.wait(seen, std::memory_order_acquire);
    seen = wakes_.load(std::memory_order_acquire);
    std::lock_guard<std::mutex> lock(list_mu_);
    for (page_reserve* r : reserves_) {
      while (r->populate() != 0) {
        // The front may have moved while the pages went in: go on until caught up.
      }
    }
    done_ = seen;
    idle_cv_.notify_all();
  }
}

}  // namespace otter::detail
