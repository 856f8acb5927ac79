// The one place where an exception leaving a process becomes its exit reason (compare
// proc_lib:init_p/exit_p in OTP and CAF's scheduled_actor::resume).

#include "otter/core/exit.hpp"
#include "otter/detail/assert.hpp"

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <typeinfo>

namespace otter {

namespace {
std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status),
                                             std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

// C++ exceptions with an exact Elixir counterpart are shown under the Elixir name.
std::string exception_name(const std::exception& e) {
  std::string name = demangle(typeid(e).name());
  if (name == "std::runtime_error") {
    return "RuntimeError";
  }
  if (name == "std::invalid_argument") {
    return "ArgumentError";
  }
  return name;
}
}  // namespace

error_exception::error_exception(term reason)
    : reason_(std::move(reason)), text_("otter::error: " + reason_.to_string()) {}

void exit(term reason) {
  throw exit_exception(std::move(reason));
}

void error(term reason) {
  throw error_exception(std::move(reason));
}

void throw_value(term value) {
  throw throw_exception(std::move(value));
}

term stacktrace() {
  static const term st = term::immortal(term::opaque("#Stacktrace"));
  return st;
}

term exit_reason_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const exit_exception& x) {
    return x.reason();
  } catch (const error_exception& x) {
    return tuple(x.reason(), stacktrace());
  } catch (const throw_exception& x) {
    return tuple(tuple(atoms::nocatch, x.value()), stacktrace());
  } catch (const std::exception& x) {
    term ex = term::structure(exception_name(x), {{atom("message"), term(std::string(x.what()))}});
    return tuple(ex, stacktrace());
  } catch (...) {
    return tuple(tuple(atoms::nocatch, term::opaque("#Unknown")), stacktrace());
  }
}

bool is_exit_class(const std::exception_ptr& e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const exit_exception&) {
    return true;
  } catch (...) {
    return false;
  }
}

std::optional<term> thrown_value(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const throw_exception& x) {
    return x.value();
  } catch (...) {
    return std::nullopt;
  }
}

term class_and_reason(const std::exception_ptr& e) {
  if (is_exit_class(e)) {
    return tuple(atom("exit"), exit_reason_of(e));
  }
  if (std::optional<term> v = thrown_value(e)) {
    return tuple(atom("throw"), std::move(*v));
  }
  return tuple(atoms::error, without_stacktrace(exit_reason_of(e)));
}

term without_stacktrace(const term& reason) {
  if (reason.is_tuple() && reason.size() == 2 && reason[1] == stacktrace()) {
    return reason[0];
  }
  return reason;
}

bool is_normal_exit(const term& reason) noexcept {
  return reason.is(atoms::normal) || reason.is(atoms::shutdown)
         || reason.is_tagged(atoms::shutdown, 2);
}

namespace detail {
void assertion_failed(const char* file, int line, const char* cond, const char* msg) noexcept {
  std::fprintf(stderr, "%s:%d: otter check failed: %s (%s)\n", file, line, msg, cond);
  std::fflush(stderr);
  std::abort();
}

}  // namespace detail

}  // namespace otter
