// otter/core/exit.hpp: how processes end (tier 2 of the error model: crashes are exits).
//
// A process ends
//   - by returning from its body: reason `:normal`;
//   - by otter::exit(reason): reason `reason` exactly (exit_exception is deliberately NOT a
//     std::exception, so a user's `catch (const std::exception&)` cannot swallow an exit);
//   - by otter::error(term): reason `{term, #Stacktrace}` (Erlang's error class);
//   - by an uncaught otter::throw_value(v): reason `{{:nocatch, v}, #Stacktrace}` (Erlang's
//     throw class; a GenServer takes a throw from a callback as the callback's result);
//   - by any other exception escaping the body: `{%Type{message: what()}, #Stacktrace}`, where
//     Type is the exception's C++ type name (std::runtime_error and std::invalid_argument are
//     shown as Elixir's RuntimeError and ArgumentError, their exact counterparts);
//   - by an exit signal (exit(pid, reason), a linked process dying, runtime shutdown).
// The exception is caught in exactly one place, the process trampoline
// (src/core/process/trampoline.cpp), and links and monitors then carry the reason.

#pragma once

#include "otter/core/term.hpp"

#include <exception>
#include <optional>
#include <string>

namespace otter {

/// Thrown by exit(reason). Not derived from std::exception on purpose.
class exit_exception {
public:
  explicit exit_exception(term reason) noexcept : reason_(std::move(reason)) {}
  [[nodiscard]] const term& reason() const noexcept { return reason_; }

private:
  term reason_;
};

/// Thrown by throw_value(v): Erlang's throw class, a non-local return that a catch up the
/// stack takes as a value. Not derived from std::exception, as exit_exception is not.
class throw_exception {
public:
  explicit throw_exception(term value) noexcept : value_(std::move(value)) {}
  [[nodiscard]] const term& value() const noexcept { return value_; }

private:
  term value_;
};

/// Erlang's error class (erlang:error/1, and the runtime's own badarg / noproc errors).
class error_exception : public std::exception {
public:
  explicit error_exception(term reason);
  [[nodiscard]] const term& reason() const noexcept { return reason_; }
  [[nodiscard]] const char* what() const noexcept override { return text_.c_str(); }

private:
  term reason_;
  std::string text_;
};

/// Ends the calling process with `reason` (Erlang's exit/1). @in_process
[[noreturn]] void exit(term reason);
/// Raises an error with `reason` (Erlang's error/1): uncaught, the exit reason is
/// `{reason, #Stacktrace}`.
[[noreturn]] void error(term reason);

/// Throws `value` (Erlang's throw/1): uncaught, the exit reason is
/// `{{:nocatch, value}, #Stacktrace}`.
[[noreturn]] void throw_value(term value);

/// The exit reason an escaping exception becomes (see the list above).
[[nodiscard]] term exit_reason_of(const std::exception_ptr& e);

/// The placeholder for a stack trace in exit reasons.
[[nodiscard]] term stacktrace();

/// Whether `e` is an exit_exception (Erlang's class :exit) rather than a raised exception
/// (class :error). Reports name the class.
[[nodiscard]] bool is_exit_class(const std::exception_ptr& e) noexcept;

/// The value of a throw_value() that escaped as `e`, or nullopt for any other exception.
[[nodiscard]] std::optional<term> thrown_value(const std::exception_ptr& e);

/// `{class, reason}` as Erlang's `catch Class:Reason` sees `e`, which crash reports and :sys
/// show: `{:exit, reason}` for exit(), `{:throw, value}` for throw_value(), and `{:error, r}`
/// for a raised exception, r being its exit reason without the stack trace.
[[nodiscard]] term class_and_reason(const std::exception_ptr& e);

/// What a report shows of a reason: the exception of `{exception, #Stacktrace}`, or the reason
/// itself.
[[nodiscard]] term without_stacktrace(const term& reason);

/// True for reasons that are not crashes: `:normal`, `:shutdown` and `{:shutdown, _}` (these
/// produce no crash report).
[[nodiscard]] bool is_normal_exit(const term& reason) noexcept;

}  // namespace otter
