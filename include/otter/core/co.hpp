// otter/core/co.hpp: the coroutine type of Otter processes.
//
// A process body, and every function a process awaits, returns co<T>:
//
//   otter::co<int> ask(otter::pid server) {
//     otter::send(server, request{otter::self()});
//     co_return co_await otter::receive<int>();
//   }
//
// co<T> is lazy (it starts when awaited) and resumes its awaiter by symmetric transfer when it
// finishes, so a chain of nested calls costs no stack and no scheduler round trip. An exception
// that escapes a co<T> is rethrown in the awaiter; one that escapes the process body becomes the
// process's exit reason (see exit.hpp).
//
// Lifetime rule: a co<T> owns its frame. Never keep references to temporaries across a co_await
// in a lambda coroutine; spawn() keeps the body callable alive for the whole life of the process
// (docs/design/process.md#lifetime).
//
// Thread safety: a co<T> is driven by the process that awaits it; it is never shared.

#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace otter {

namespace detail {

/// Frames come from the per-thread caches of size classes of small_alloc.hpp
/// (src/core/process/small_alloc.cpp).
[[nodiscard]] void* frame_alloc(std::size_t size);
void frame_free(void* p, std::size_t size) noexcept;

struct co_promise_base {
  std::coroutine_handle<> continuation;
  std::exception_ptr error;

  static void* operator new(std::size_t size) { return frame_alloc(size); }
  static void operator delete(void* p, std::size_t size) noexcept { frame_free(p, size); }

  struct final_awaiter {
    [[nodiscard]] bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) const noexcept {
      auto c = h.promise().continuation;
      return c ? c : std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };

  [[nodiscard]] std::suspend_always initial_suspend() const noexcept { return {}; }
  [[nodiscard]] final_awaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }
};

}  // namespace detail

template <class T = void>
class [[nodiscard]] co {
public:
  struct promise_type : detail::co_promise_base {
    std::optional<T> value;
    co get_return_object() noexcept {
      return co(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    template <class U>
    void return_value(U&& v) {
      value.emplace(std::forward<U>(v));
    }
  };
  using handle_type = std::coroutine_handle<promise_type>;

  co() noexcept = default;
  explicit co(handle_type h) noexcept : h_(h) {}
  co(co&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  co& operator=(co&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  co(const co&) = delete;
  co& operator=(const co&) = delete;
  ~co() { reset(); }

  [[nodiscard]] bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    h_.promise().continuation = awaiter;
    return h_;
  }
  T await_resume() {
    auto& p = h_.promise();
    if (p.error) {
      std::rethrow_exception(p.error);
    }
    return std::move(*p.value);
  }

  /// The frame (the runtime drives a process's root coroutine through it).
  [[nodiscard]] handle_type handle() const noexcept { return h_; }

private:
  void reset() noexcept {
    if (h_) {
      h_.destroy();
      h_ = {};
    }
  }
  handle_type h_;
};

template <>
class [[nodiscard]] co<void> {
public:
  struct promise_type : detail::co_promise_base {
    co get_return_object() noexcept {
      return co(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    void return_void() noexcept {}
  };
  using handle_type = std::coroutine_handle<promise_type>;

  co() noexcept = default;
  explicit co(handle_type h) noexcept : h_(h) {}
  co(co&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  co& operator=(co&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  co(const co&) = delete;
  co& operator=(const co&) = delete;
  ~co() { reset(); }

  [[nodiscard]] bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    h_.promise().continuation = awaiter;
    return h_;
  }
  void await_resume() {
    if (h_.promise().error) {
      std::rethrow_exception(h_.promise().error);
    }
  }

  [[nodiscard]] handle_type handle() const noexcept { return h_; }
  /// Gives up ownership of the frame (the runtime then destroys it itself).
  [[nodiscard]] handle_type release() noexcept { return std::exchange(h_, {}); }

private:
  void reset() noexcept {
    if (h_) {
      h_.destroy();
      h_ = {};
    }
  }
  handle_type h_;
};

}  // namespace otter
