// otter/core/receive.hpp: selective receive.
//
//   int n = co_await otter::receive(
//       otter::on<ping>([](ping p) { return p.n; }),
//       otter::on<otter::term>([](const otter::term& t) { return t.is_tuple(); },  // a guard
//                              [](otter::term t) { return 0; }),
//       otter::after(100ms, [] { return -1; }));
//
// Semantics are Erlang's: the mailbox is scanned from the oldest message; the first message
// that any clause accepts is taken (clauses are tried in order for each message); messages that
// no clause accepts stay in the mailbox, in order, for a later receive. `after(0)` checks once
// without waiting; without `after` (or with `after(infinity)`) the process waits for as long as
// it takes. The timeout uses the runtime's timers, so it is exact on the deterministic runtime.
//
// Guards (the predicate of on<T>(pred, handler)) run while the process is suspended and must
// not throw. Handlers run in the process and may throw like any process code.
//
// Every receive counts one reduction; a process that has used its slice is moved to the back of
// the run queue at its next receive, so a busy process never starves the others.
//
// Thread safety: receive is only valid inside a process (OTTER_CHECK aborts elsewhere).

#pragma once

#include "otter/core/exit.hpp"
#include "otter/detail/assert.hpp"
#include "otter/detail/process_api.hpp"

#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace otter {

/// A timeout that never fires (`after(infinity, ...)`).
inline constexpr std::int64_t infinity = detail::receive_base::infinite;

namespace detail {

template <class T, class V>
decltype(auto) call_with(T& handler, V& value) {
  if constexpr (std::is_invocable_v<T&, V&>) {
    return handler(value);
  } else {
    return handler(std::move(value));
  }
}

struct always {
  template <class V>
  bool operator()(const V&) const noexcept {
    return true;
  }
};

template <class T, class Pred, class Handler>
struct on_clause {
  [[no_unique_address]] Pred pred;
  [[no_unique_address]] Handler handler;
  using result_type = decltype(call_with(std::declval<Handler&>(), std::declval<T&>()));
  bool matches(node* n) noexcept {
    if constexpr (std::is_same_v<T, message>) {
      return true;
    } else {
      return n->type == type_id<T>() && pred(static_cast<payload_node<T>*>(n)->value);
    }
  }
  result_type invoke(node_ptr n) {
    if constexpr (std::is_same_v<T, message>) {
      message m(std::move(n));
      return call_with(handler, m);
    } else {
      auto& v = static_cast<payload_node<T>*>(n.get())->value;
      return call_with(handler, v);
    }
  }
};

template <class Handler>
struct after_clause {
  std::int64_t ms;
  [[no_unique_address]] Handler handler;
  using result_type = decltype(std::declval<Handler&>()());
};

template <class C>
struct is_after : std::false_type {};
template <class H>
struct is_after<after_clause<H>> : std::true_type {};

/// What a receive keeps of a clause: an on() clause whole, an after() clause its handler only
/// (the timeout moves to receive_base::timeout_ms).
template <class C>
struct kept_clause {
  using type = C;
  static C keep(C c) { return c; }
};
template <class H>
struct kept_clause<after_clause<H>> {
  struct type {
    [[no_unique_address]] H handler;
  };
  static type keep(after_clause<H> c) { return type{std::move(c.handler)}; }
};

/// A timeout in milliseconds: `infinity`, or >= 0. Other negative counts raise error(:badarg),
/// as Erlang does for a negative `after`.
inline std::int64_t to_ms(std::int64_t ms) {
  if (ms < 0 && ms != receive_base::infinite) {
    error(atoms::badarg);
  }
  return ms;
}
template <class Rep, class Period>
std::int64_t to_ms(std::chrono::duration<Rep, Period> d) noexcept {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
  return ms < 0 ? 0 : static_cast<std::int64_t>(ms);
}

template <class... Clauses>
class receive_awaiter final : receive_base {
  static constexpr std::size_t n_clauses = sizeof...(Clauses);
  static constexpr bool has_after = (is_after<Clauses>::value || ...);
  static_assert(!has_after
                    || is_after<std::tuple_element_t<n_clauses - 1, std::tuple<Clauses...>>>::value,
                "after() must be the last clause of a receive");
  static constexpr std::size_t n_match = has_after ? n_clauses - 1 : n_clauses;

public:
  using result_type = std::common_type_t<typename Clauses::result_type...>;

  explicit receive_awaiter(Clauses... cs)
      : receive_base(timeout_of(cs...)), clauses_(kept_clause<Clauses>::keep(std::move(cs))...) {}
  ~receive_awaiter() {
    if (matched()) {
      node_deleter()(cursor_);  // matched, but the process ended before it took the message
    }
  }
  /// Moved only before it is awaited (an awaiter kept inside another), so nothing is matched
  /// yet; a matched message would move with it all the same.
  receive_awaiter(receive_awaiter&& o) noexcept
      : receive_base(o),
        index_(std::exchange(o.index_, static_cast<std::uint8_t>(n_match))),
        cursor_(std::exchange(o.cursor_, nullptr)),
        clauses_(std::move(o.clauses_)) {}
  receive_awaiter& operator=(receive_awaiter&&) = delete;

  bool await_ready() noexcept {
    process& p = current_checked("receive");
    message_queue& q = drain(p);
    if (exiting(p)) {
      return false;
    }
    if (spend_reduction(p)) {
      return false;  // out of reductions: let the scheduler decide (it will match first)
    }
    if (try_match(q)) {
      return true;
    }
    if (timeout_ms == 0) {
      timed_out = true;
      return true;
    }
    return false;
  }
  void await_suspend(std::coroutine_handle<> h) noexcept { suspend_receive(*current(), h, this); }
  result_type await_resume() {
    if (timed_out) {
      if constexpr (has_after) {
        return static_cast<result_type>(std::get<n_clauses - 1>(clauses_).handler());
      }
    }
    return dispatch<0>();
  }

  bool try_match(message_queue& q) noexcept override {
    OTTER_ASSERT(!matched(), "a receive matches once");
    node* prev = cursor_;
    node* n = prev != nullptr ? message_queue::next_of(prev) : q.head;
    for (; n != nullptr; prev = n, n = message_queue::next_of(n)) {
      std::size_t idx = match_index<0>(n);
      if (idx != n_match) {
        cursor_ = q.take(prev, n).release();
        index_ = static_cast<std::uint8_t>(idx);
        return true;
      }
      cursor_ = n;
    }
    return false;
  }

private:
  template <std::size_t I>
  std::size_t match_index(node* n) noexcept {
    if constexpr (I == n_match) {
      return n_match;
    } else {
      if (std::get<I>(clauses_).matches(n)) {
        return I;
      }
      return match_index<I + 1>(n);
    }
  }
  static std::int64_t timeout_of(const Clauses&... cs) noexcept {
    if constexpr (has_after) {
      return std::get<n_clauses - 1>(std::tie(cs...)).ms;
    } else {
      return infinite;
    }
  }
  [[nodiscard]] bool matched() const noexcept { return index_ != n_match; }
  /// The matched message, owned by the caller from here on.
  node_ptr take_matched() noexcept {
    OTTER_ASSERT(matched(), "a message was matched");
    index_ = n_match;
    return node_ptr(std::exchange(cursor_, nullptr));
  }
  template <std::size_t I>
  result_type dispatch() {
    if constexpr (n_match == 0) {
      std::terminate();  // a receive with only after() never matches a message
    } else if constexpr (I + 1 >= n_match) {
      return static_cast<result_type>(std::get<I>(clauses_).invoke(take_matched()));
    } else {
      if (index_ == I) {
        return static_cast<result_type>(std::get<I>(clauses_).invoke(take_matched()));
      }
      return dispatch<I + 1>();
    }
  }

  // The awaiter lives in the frame of the coroutine that receives, for as long as it waits:
  // in the loop of every idle server, so its size is part of each idle process's. Hence one
  // pointer for two roles, the clauses without storage when they hold no state (they rarely
  // do), and after()'s timeout kept once, in receive_base.
  static_assert(n_match < 255, "a receive has fewer than 255 clauses");
  std::uint8_t index_ = n_match;  // the clause that matched cursor_; n_match: none yet
  // Until a clause matches: the last message this receive rejected (its save point; null when
  // none). Once one matches: the matched message, which this receive owns until dispatch().
  node* cursor_ = nullptr;
  [[no_unique_address]] std::tuple<typename kept_clause<Clauses>::type...> clauses_;
};

}  // namespace detail

/// A clause taking the first message of type T. `T = otter::message` takes any message.
template <class T, class Handler>
[[nodiscard]] auto on(Handler h) {
  return detail::on_clause<T, detail::always, Handler>{detail::always{}, std::move(h)};
}
/// A clause taking the first message of type T for which `guard(const T&)` is true.
template <class T, class Pred, class Handler>
[[nodiscard]] auto on(Pred guard, Handler h) {
  return detail::on_clause<T, Pred, Handler>{std::move(guard), std::move(h)};
}
/// The timeout clause: a duration, a count of milliseconds, or `infinity`.
template <class D, class Handler>
[[nodiscard]] auto after(D timeout, Handler h) {
  return detail::after_clause<Handler>{detail::to_ms(timeout), std::move(h)};
}

/// Waits for the first message accepted by one of `clauses` (see the top of this file).
template <class... Clauses>
[[nodiscard]] auto receive(Clauses... clauses) {
  return detail::receive_awaiter<Clauses...>(std::move(clauses)...);
}

/// Waits for the first message of type T.
template <class T>
[[nodiscard]] auto receive() {
  return receive(on<T>([](T& v) { return std::move(v); }));
}
/// Waits at most `timeout` for the first message of type T.
template <class T, class D>
[[nodiscard]] auto receive_for(D timeout) {
  return receive(on<T>([](T& v) { return std::optional<T>(std::move(v)); }),
                 after(timeout, [] { return std::optional<T>(); }));
}
/// Waits at most `timeout` for the first message of type T accepted by `guard`.
template <class T, class Pred, class D>
[[nodiscard]] auto receive_if(Pred guard, D timeout) {
  return receive(on<T>(std::move(guard), [](T& v) { return std::optional<T>(std::move(v)); }),
                 after(timeout, [] { return std::optional<T>(); }));
}
/// Waits at most `timeout` for any message (Erlang's `receive m -> m after t -> ... end`).
template <class D>
[[nodiscard]] auto receive_any(D timeout) {
  return receive(on<message>([](message& m) { return std::optional<message>(std::move(m)); }),
                 after(timeout, [] { return std::optional<message>(); }));
}

}  // namespace otter
