// otter/core/expected.hpp: API errors as values (tier 1 of the error model).
//
//   otter::expected<int> r = co_await otter::gen_server::try_call<counter>(c, get{});
//   if (!r) { log(r.error().reason); }           // e.g. {:noproc, {GenServer, :call, ...}}
//
// expected<T, E> has the member names of C++23's std::expected (has_value, value, error,
// operator*, and_then, transform, value_or) so that it can become an alias of it once the
// toolchain has one (g++ 12 and clang 14 with libstdc++ 12 have none in C++20 mode).
//
// The default error is otter::failure: a code named after OTP's atom (errc) plus the OTP
// reason term it stands for, so that nothing OTP would report is lost:
// `{:already_started, #PID<..>}` is {errc::already_started, that term}.
//
// Thread safety: values; copies may be used from any thread.

#pragma once

#include "otter/core/term.hpp"
#include "otter/detail/assert.hpp"

#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace otter {

/// Error codes, named after the atoms OTP uses for them.
enum class errc : std::uint8_t {
  already_started,     // a name is taken; the reason carries the owner's pid
  already_present,     // a supervisor child id is taken (the child is not running)
  not_found,           // no such child, or no such key
  running,             // the child is running (delete_child / restart_child)
  restarting,          // the child is being restarted
  max_children,        // a DynamicSupervisor is full
  noproc,              // the target process does not exist
  timeout,             // no answer in time
  badarg,              // an argument is invalid
  invalid_child_spec,  // a child spec was rejected before anything started
  ignore,              // the process's init returned ignore
  exit,                // the target exited (or failed to start) with the reason given
};

/// The atom name of `code` (`"already_started"`, ...).
[[nodiscard]] std::string_view to_string(errc code) noexcept;

/// An API error: what went wrong (code) and OTP's reason term for it (reason).
struct failure {
  errc code = errc::exit;
  term reason;

  /// A failure whose reason is the code's atom, e.g. `:timeout`.
  [[nodiscard]] static failure of(errc code);
  /// The failure for an OTP reason term: the code is read from the term's tag
  /// (`:noproc`, `{:already_started, _}`, ...); anything else is errc::exit.
  [[nodiscard]] static failure from_reason(term reason);

  friend bool operator==(const failure& a, const failure& b) noexcept {
    return a.code == b.code && a.reason == b.reason;
  }
};

/// Wraps an error for constructing an expected (std::unexpected).
template <class E>
class unexpected {
public:
  explicit unexpected(E e) : error_(std::move(e)) {}
  [[nodiscard]] const E& error() const& noexcept { return error_; }
  [[nodiscard]] E&& error() && noexcept { return std::move(error_); }

private:
  E error_;
};

/// A value of type T or an error of type E.
template <class T, class E = failure>
class [[nodiscard]] expected {
public:
  using value_type = T;
  using error_type = E;

  expected() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
  expected(T v)
      : v_(std::in_place_index<0>, std::move(v)) {}  // NOLINT(google-explicit-constructor)
  template <class G>
  expected(unexpected<G> e)  // NOLINT(google-explicit-constructor)
      : v_(std::in_place_index<1>, std::move(e).error()) {}

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  [[nodiscard]] explicit operator bool() const noexcept { return has_value(); }

  /// The value. @pre has_value() (checked: calling it on an error aborts).
  [[nodiscard]] T& value() & { return checked(); }
  [[nodiscard]] const T& value() const& { return const_cast<expected*>(this)->checked(); }
  [[nodiscard]] T&& value() && { return std::move(checked()); }
  [[nodiscard]] T& operator*() & { return checked(); }
  [[nodiscard]] const T& operator*() const& { return const_cast<expected*>(this)->checked(); }
  [[nodiscard]] T* operator->() { return &checked(); }
  [[nodiscard]] const T* operator->() const { return &const_cast<expected*>(this)->checked(); }

  /// The error. @pre !has_value()
  [[nodiscard]] const E& error() const& {
    OTTER_CHECK(!has_value(), "expected::error() called on a value");
    return std::get<1>(v_);
  }
  [[nodiscard]] E&& error() && {
    OTTER_CHECK(!has_value(), "expected::error() called on a value");
    return std::get<1>(std::move(v_));
  }

  template <class U>
  [[nodiscard]] T value_or(U&& other) const& {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(other));
  }
  /// f(value) -> expected<U, E>, or the error unchanged.
  template <class F>
  auto and_then(F&& f) const& {
    using R = std::invoke_result_t<F, const T&>;
    return has_value() ? std::forward<F>(f)(std::get<0>(v_)) : R(unexpected<E>(std::get<1>(v_)));
  }
  /// expected<f(value), E>, or the error unchanged.
  template <class F>
  auto transform(F&& f) const& {
    using U = std::invoke_result_t<F, const T&>;
    using R = expected<U, E>;
    return has_value() ? R(std::forward<F>(f)(std::get<0>(v_))) : R(unexpected<E>(std::get<1>(v_)));
  }

private:
  T& checked() {
    OTTER_CHECK(has_value(), "expected::value() called on an error");
    return std::get<0>(v_);
  }
  std::variant<T, E> v_;
};

/// An expected with no value: success, or an error.
template <class E>
class [[nodiscard]] expected<void, E> {
public:
  using value_type = void;
  using error_type = E;

  expected() = default;
  template <class G>
  expected(unexpected<G> e)  // NOLINT(google-explicit-constructor)
      : error_(std::move(e).error()), failed_(true) {}

  [[nodiscard]] bool has_value() const noexcept { return !failed_; }
  [[nodiscard]] explicit operator bool() const noexcept { return !failed_; }
  void value() const { OTTER_CHECK(!failed_, "expected::value() called on an error"); }
  [[nodiscard]] const E& error() const& {
    OTTER_CHECK(failed_, "expected::error() called on a value");
    return error_;
  }

private:
  E error_{};
  bool failed_ = false;
};

}  // namespace otter
