// src/ets/function_ref.hpp: a non-owning reference to a callable, for the internal callbacks
// of the stores (no allocation, unlike std::function, on the update_counter path). The
// callable must outlive the call it is passed to (a temporary argument does).

#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace otter::ets::detail {

template <class Signature>
class function_ref;

template <class R, class... A>
class function_ref<R(A...)> {
public:
  template <class F>
  requires(
      !std::is_same_v<std::remove_cvref_t<F>, function_ref> && std::is_invocable_r_v<R, F&, A...>)
      function_ref(F&& f)
  noexcept  // NOLINT(google-explicit-constructor, bugprone-forwarding-reference-overload)
      : obj_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* o, A... a) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<A>(a)...);
        }) {}

  R operator()(A... a) const { return call_(obj_, std::forward<A>(a)...); }

private:
  void* obj_;
  R (*call_)(void*, A...);
};

}  // namespace otter::ets::detail
