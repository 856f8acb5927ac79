// otter/core/blocking.hpp: running blocking work without stalling a scheduler.
//
//   std::string text = co_await otter::blocking([&] { return read_file(path); });
//
// The function runs on the runtime's blocking pool (a separate set of threads, sized by
// runtime_options::blocking_threads); the process is suspended meanwhile and the scheduler runs
// other processes. The result (or exception) is returned in the process. A process cannot be
// torn down while its blocking call runs: an exit signal that arrives meanwhile takes effect
// when the call returns (the call's frame must outlive the pool thread's use of it).
//
// Thread safety: @in_process.

#pragma once

#include "otter/detail/process_api.hpp"

#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace otter {

namespace detail {
template <class F>
class blocking_awaiter {
  using R = std::invoke_result_t<F&>;
  using slot = std::conditional_t<std::is_void_v<R>, bool, std::optional<R>>;

public:
  explicit blocking_awaiter(F f) : f_(std::move(f)) {}
  [[nodiscard]] bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    suspend_blocking(current_checked("blocking"), h, [this] {
      try {
        if constexpr (std::is_void_v<R>) {
          f_();
        } else {
          result_.emplace(f_());
        }
      } catch (...) {
        error_ = std::current_exception();
      }
    });
  }
  R await_resume() {
    if (error_) {
      std::rethrow_exception(error_);
    }
    if constexpr (!std::is_void_v<R>) {
      return std::move(*result_);
    }
  }

private:
  F f_;
  slot result_{};
  std::exception_ptr error_;
};
}  // namespace detail

/// Runs `f()` on the blocking pool and resumes the process with its result. @in_process
template <class F>
[[nodiscard]] auto blocking(F f) {
  return detail::blocking_awaiter<F>(std::move(f));
}

}  // namespace otter
